-- Tier prices: a sheet may price the dealer tiers (distributor, tier1, tier2) beside the customer
-- groups, each from its own margin on the same cost. NULL: the sheet has no column for that tier,
-- and a dealer of it is quoted the dealer group's price. Tier lines are kept in price_list_lines
-- with the tier's word in customer_group.
ALTER TABLE price_lists ADD COLUMN margin_distributor_bp BIGINT;
ALTER TABLE price_lists ADD COLUMN margin_tier1_bp BIGINT;
ALTER TABLE price_lists ADD COLUMN margin_tier2_bp BIGINT;
