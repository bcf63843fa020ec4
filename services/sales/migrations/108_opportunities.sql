-- Opportunities: a sale pursued with a customer. stage: prospecting, qualified, proposal,
-- negotiation (open); won, lost (closed). office is the customer's when it was opened; dates are
-- local (YYYY-MM-DD; closed_on empty while open); search_text is folded (see search_text::fold).
CREATE TABLE opportunities (
    id {{identity opportunities_pkey}},
    customer_id BIGINT NOT NULL CONSTRAINT opportunities_customer_fkey REFERENCES customers (id),
    office TEXT NOT NULL,
    title TEXT NOT NULL,
    stage TEXT NOT NULL,
    expected_value BIGINT NOT NULL,
    expected_close_on TEXT NOT NULL,
    probability BIGINT NOT NULL,
    owner TEXT NOT NULL,
    lost_reason TEXT NOT NULL,
    competitor TEXT NOT NULL,
    closed_on TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX opportunities_office_stage_idx ON opportunities (office, stage, id);
CREATE INDEX opportunities_customer_idx ON opportunities (customer_id, id);
CREATE INDEX opportunities_owner_idx ON opportunities (owner, id);

CREATE TABLE opportunity_products (
    opportunity_id BIGINT NOT NULL CONSTRAINT opportunity_products_opportunity_fkey REFERENCES opportunities (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    note TEXT NOT NULL,
    CONSTRAINT opportunity_products_pkey PRIMARY KEY (opportunity_id, line_no)
);

-- Every stage an opportunity took, oldest first; from_stage is empty for the opening entry.
CREATE TABLE opportunity_stages (
    id {{identity opportunity_stages_pkey}},
    opportunity_id BIGINT NOT NULL CONSTRAINT opportunity_stages_opportunity_fkey REFERENCES opportunities (id),
    from_stage TEXT NOT NULL,
    to_stage TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    note TEXT NOT NULL
);

CREATE INDEX opportunity_stages_opportunity_idx ON opportunity_stages (opportunity_id, id);

-- The opportunity a quote was made for or a contract closes (NULL: none).
ALTER TABLE quotes ADD COLUMN opportunity_id BIGINT;
ALTER TABLE contracts ADD COLUMN opportunity_id BIGINT;
CREATE INDEX quotes_opportunity_idx ON quotes (opportunity_id, id);
