-- One row per customer, from the sales feed. Dates are local (Asia/Ho_Chi_Minh) ISO dates, so
-- text order is date order.
CREATE TABLE customer_facts (
    customer_id BIGINT NOT NULL CONSTRAINT customer_facts_pkey PRIMARY KEY,
    code TEXT NOT NULL,
    office TEXT NOT NULL,
    customer_group TEXT NOT NULL,
    created_on TEXT NOT NULL,
    week_start TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX customer_facts_created_on_idx ON customer_facts (created_on);
