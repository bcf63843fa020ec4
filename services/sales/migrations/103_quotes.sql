-- Quotes. status: draft, sent, accepted, rejected; "expired" is not stored but read from
-- valid_until (local date, YYYY-MM-DD), so no job has to run at midnight.
CREATE TABLE quotes (
    id {{identity quotes_pkey}},
    number TEXT NOT NULL CONSTRAINT quotes_number_key UNIQUE,
    customer_id BIGINT NOT NULL CONSTRAINT quotes_customer_fkey REFERENCES customers (id),
    office TEXT NOT NULL,
    status TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    note TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    decision_note TEXT NOT NULL,
    order_id BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL
);

CREATE INDEX quotes_customer_idx ON quotes (customer_id, id);
CREATE INDEX quotes_office_status_idx ON quotes (office, status, id);

CREATE TABLE quote_lines (
    quote_id BIGINT NOT NULL CONSTRAINT quote_lines_quote_fkey REFERENCES quotes (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    supplier_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    discount_bp BIGINT NOT NULL,
    net_unit_price BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    net_amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    CONSTRAINT quote_lines_pkey PRIMARY KEY (quote_id, line_no)
);

-- The quote and contract an order follows (0: none).
ALTER TABLE orders ADD COLUMN quote_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN contract_id BIGINT NOT NULL DEFAULT 0;
