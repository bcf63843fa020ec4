-- Dealers: tier rules as versioned data, dealer-opening requests, their evaluations, the tier
-- history of each dealer and yearly re-evaluation proposals. Money is VND, shares and growth are
-- basis points, dates are local (YYYY-MM-DD), instants UTC micros.

-- A version of the decision table, in force from effective_from until a later version starts.
-- Versions are never edited: a change is a new version, so past evaluations keep their meaning.
CREATE TABLE dealer_tier_rule_versions (
    id {{identity dealer_tier_rule_versions_pkey}},
    name TEXT NOT NULL,
    effective_from TEXT NOT NULL CONSTRAINT dealer_tier_rule_versions_effective_key UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per tier, position 1 the highest; the first row whose every threshold holds decides.
CREATE TABLE dealer_tier_rules (
    version_id BIGINT NOT NULL CONSTRAINT dealer_tier_rules_version_fkey REFERENCES dealer_tier_rule_versions (id),
    position BIGINT NOT NULL,
    tier TEXT NOT NULL,
    min_avg_lab_sales BIGINT NOT NULL,
    min_growth_bp BIGINT NOT NULL,
    min_big_brand_share_bp BIGINT NOT NULL,
    min_staff BIGINT NOT NULL,
    min_shops BIGINT NOT NULL,
    CONSTRAINT dealer_tier_rules_pkey PRIMARY KEY (version_id, position)
);

-- The first version, in force since 2020:
--   distributor: average lab-equipment sales >= 20 bn VND a year, not shrinking (growth >= 0),
--                big brands >= 50% of revenue, >= 20 staff, >= 3 shops;
--   tier1:       >= 5 bn VND, shrinking at most 10%, big brands >= 30%, >= 8 staff, >= 1 shop;
--   tier2:       >= 1 bn VND, shrinking at most 20%, any brand mix, >= 3 staff, >= 1 shop.
INSERT INTO dealer_tier_rule_versions (name, effective_from, created_by, created_at)
VALUES ('Khung xếp hạng đại lý 2020', '2020-01-01', 'system', 0);

INSERT INTO dealer_tier_rules (version_id, position, tier, min_avg_lab_sales, min_growth_bp,
    min_big_brand_share_bp, min_staff, min_shops)
SELECT id, 1, 'distributor', 20000000000, 0, 5000, 20, 3 FROM dealer_tier_rule_versions WHERE effective_from = '2020-01-01';
INSERT INTO dealer_tier_rules (version_id, position, tier, min_avg_lab_sales, min_growth_bp,
    min_big_brand_share_bp, min_staff, min_shops)
SELECT id, 2, 'tier1', 5000000000, -1000, 3000, 8, 1 FROM dealer_tier_rule_versions WHERE effective_from = '2020-01-01';
INSERT INTO dealer_tier_rules (version_id, position, tier, min_avg_lab_sales, min_growth_bp,
    min_big_brand_share_bp, min_staff, min_shops)
SELECT id, 3, 'tier2', 1000000000, -2000, 0, 3, 1 FROM dealer_tier_rule_versions WHERE effective_from = '2020-01-01';

-- A dealer-opening request. customer_id is NULL for a new company (prospect_* columns) until the
-- approval creates its customer. status: draft, submitted, evaluated, approved, rejected.
CREATE TABLE dealer_applications (
    id {{identity dealer_applications_pkey}},
    number TEXT NOT NULL CONSTRAINT dealer_applications_number_key UNIQUE,
    customer_id BIGINT CONSTRAINT dealer_applications_customer_fkey REFERENCES customers (id),
    prospect_name TEXT NOT NULL,
    prospect_phone TEXT NOT NULL,
    prospect_email TEXT NOT NULL,
    prospect_address TEXT NOT NULL,
    prospect_tax_code TEXT NOT NULL,
    office TEXT NOT NULL,
    region TEXT NOT NULL,
    proposed_tier TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    evaluation_id BIGINT,
    approved_tier TEXT NOT NULL,
    decision_reason TEXT NOT NULL,
    contract_id BIGINT CONSTRAINT dealer_applications_contract_fkey REFERENCES contracts (id),
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    owner TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX dealer_applications_office_status_idx ON dealer_applications (office, status, id);

-- The prospect's figures, one row per year (two per application).
CREATE TABLE dealer_application_years (
    application_id BIGINT NOT NULL CONSTRAINT dealer_application_years_application_fkey
        REFERENCES dealer_applications (id),
    year BIGINT NOT NULL,
    revenue BIGINT NOT NULL,
    lab_sales BIGINT NOT NULL,
    big_brand_share_bp BIGINT NOT NULL,
    small_brand_share_bp BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    shops BIGINT NOT NULL,
    CONSTRAINT dealer_application_years_pkey PRIMARY KEY (application_id, year)
);

-- One evaluation: the figures it used, the rule version, the tier it decided. Kept as made, so a
-- later rule version never changes it. Either an application's or a re-evaluation's.
CREATE TABLE dealer_evaluations (
    id {{identity dealer_evaluations_pkey}},
    customer_id BIGINT CONSTRAINT dealer_evaluations_customer_fkey REFERENCES customers (id),
    application_id BIGINT CONSTRAINT dealer_evaluations_application_fkey REFERENCES dealer_applications (id),
    rule_version_id BIGINT NOT NULL CONSTRAINT dealer_evaluations_version_fkey
        REFERENCES dealer_tier_rule_versions (id),
    evaluated_on TEXT NOT NULL,
    decided_tier TEXT NOT NULL,
    avg_lab_sales BIGINT NOT NULL,
    growth_bp BIGINT NOT NULL,
    big_brand_share_bp BIGINT NOT NULL,
    staff BIGINT NOT NULL,
    shops BIGINT NOT NULL,
    evaluated_by TEXT NOT NULL,
    evaluated_at BIGINT NOT NULL
);

CREATE INDEX dealer_evaluations_customer_idx ON dealer_evaluations (customer_id, id);

-- Every condition checked, with the numbers: passed is 0 or 1.
CREATE TABLE dealer_evaluation_checks (
    evaluation_id BIGINT NOT NULL CONSTRAINT dealer_evaluation_checks_evaluation_fkey
        REFERENCES dealer_evaluations (id),
    position BIGINT NOT NULL,
    tier TEXT NOT NULL,
    condition_name TEXT NOT NULL,
    actual BIGINT NOT NULL,
    required BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    CONSTRAINT dealer_evaluation_checks_pkey PRIMARY KEY (evaluation_id, position)
);

-- Yearly re-evaluation proposals for existing dealers. status: proposed, confirmed.
CREATE TABLE dealer_re_evaluations (
    id {{identity dealer_re_evaluations_pkey}},
    year BIGINT NOT NULL,
    customer_id BIGINT NOT NULL CONSTRAINT dealer_re_evaluations_customer_fkey REFERENCES customers (id),
    current_tier TEXT NOT NULL,
    proposed_tier TEXT NOT NULL,
    evaluation_id BIGINT NOT NULL CONSTRAINT dealer_re_evaluations_evaluation_fkey
        REFERENCES dealer_evaluations (id),
    previous_year_sales BIGINT NOT NULL,
    year_sales BIGINT NOT NULL,
    status TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT dealer_re_evaluations_year_customer_key UNIQUE (year, customer_id)
);

-- A dealer's tiers over time; the newest row is its current tier. Exactly one of application_id
-- and re_evaluation_id says what decided it.
CREATE TABLE dealer_tier_history (
    id {{identity dealer_tier_history_pkey}},
    customer_id BIGINT NOT NULL CONSTRAINT dealer_tier_history_customer_fkey REFERENCES customers (id),
    tier TEXT NOT NULL,
    from_date TEXT NOT NULL,
    application_id BIGINT CONSTRAINT dealer_tier_history_application_fkey REFERENCES dealer_applications (id),
    re_evaluation_id BIGINT CONSTRAINT dealer_tier_history_re_evaluation_fkey REFERENCES dealer_re_evaluations (id),
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at BIGINT NOT NULL
);

CREATE INDEX dealer_tier_history_customer_idx ON dealer_tier_history (customer_id, id);
