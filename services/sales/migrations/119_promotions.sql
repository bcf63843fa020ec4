-- Promotion programmes. offices, customer_groups, tiers, categories and product_ids hold their
-- values between commas (',HN,HCM,', ',12,40,'), empty when the programme covers any; starts_on
-- and ends_on are local dates YYYY-MM-DD, both included. The rule's numbers are those of
-- PromotionRule, 0 where the kind does not use them. stackable is 0 or 1.
CREATE TABLE promotions (
    id {{identity promotions_pkey}},
    code TEXT NOT NULL CONSTRAINT promotions_code_key UNIQUE,
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    offices TEXT NOT NULL,
    customer_groups TEXT NOT NULL,
    tiers TEXT NOT NULL,
    categories TEXT NOT NULL,
    product_ids TEXT NOT NULL,
    rule_kind TEXT NOT NULL,
    percent_bp BIGINT NOT NULL CONSTRAINT promotions_percent_check CHECK (percent_bp >= 0 AND percent_bp <= 10000),
    amount BIGINT NOT NULL CONSTRAINT promotions_amount_check CHECK (amount >= 0 AND amount <= 1000000000000000),
    buy_quantity BIGINT NOT NULL,
    free_quantity BIGINT NOT NULL,
    free_product_id BIGINT NOT NULL,
    min_order_net BIGINT NOT NULL,
    stackable BIGINT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX promotions_status_idx ON promotions (status, id);

-- What each programme gave on each line of a quote or of an order typed without one ('quote',
-- 'order'), written with the document: discount taken off the line, gift_value of free goods at
-- their price (on the free line), revenue the line's net after every discount. An order made
-- from a quote is reported through its quote's rows.
CREATE TABLE promotion_uses (
    promotion_id BIGINT NOT NULL CONSTRAINT promotion_uses_promotion_fkey REFERENCES promotions (id),
    document TEXT NOT NULL,
    document_id BIGINT NOT NULL,
    line_no BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    gift_value BIGINT NOT NULL,
    revenue BIGINT NOT NULL,
    CONSTRAINT promotion_uses_pkey PRIMARY KEY (document, document_id, line_no, promotion_id)
);

CREATE INDEX promotion_uses_promotion_idx ON promotion_uses (promotion_id);

-- A quote line's promotion discount (VND without VAT; net_amount is already after it) and the
-- names of the programmes that gave it, one per line of text.
ALTER TABLE quote_lines ADD COLUMN promotion_discount BIGINT NOT NULL DEFAULT 0;
ALTER TABLE quote_lines ADD COLUMN promotions TEXT NOT NULL DEFAULT '';
