-- Sales orders. status: draft, confirming (stock being reserved), confirmed, cancelling (stock
-- being released), cancelled. Amounts are VND; VAT is computed per line and rounded half up.
CREATE TABLE orders (
    id {{identity orders_pkey}},
    number TEXT NOT NULL CONSTRAINT orders_number_key UNIQUE,
    customer_id BIGINT NOT NULL CONSTRAINT orders_customer_fkey REFERENCES customers (id),
    office TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL
);

CREATE INDEX orders_customer_idx ON orders (customer_id, id);
CREATE INDEX orders_office_status_idx ON orders (office, status, id);

CREATE TABLE order_lines (
    order_id BIGINT NOT NULL CONSTRAINT order_lines_order_fkey REFERENCES orders (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    supplier_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    vat_rate_bp BIGINT NOT NULL,
    delivery_date TEXT NOT NULL,
    net_amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    CONSTRAINT order_lines_pkey PRIMARY KEY (order_id, line_no)
);

-- Follows from the customer's confirmed orders (local date, YYYY-MM-DD; empty before the first).
ALTER TABLE customers ADD COLUMN last_purchase_on TEXT NOT NULL DEFAULT '';
