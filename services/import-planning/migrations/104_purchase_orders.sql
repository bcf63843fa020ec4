-- Supplier orders (đơn mua hàng). Dates are local days 'YYYY-MM-DD', '' until known.
-- status: draft, sent, confirmed, shipped, cleared, receiving, received, cancelled.
CREATE TABLE purchase_orders (
    id {{identity purchase_orders_pkey}},
    number TEXT NOT NULL CONSTRAINT purchase_orders_number_key UNIQUE,
    supplier_id BIGINT NOT NULL,
    currency TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    goods_value BIGINT NOT NULL,
    -- The supplier's lead time and the customs/transport buffer when the order was made: what
    -- the expected arrival is counted from until the supplier gives dates.
    lead_time_days BIGINT NOT NULL,
    buffer_days BIGINT NOT NULL,
    order_by TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    ship_date TEXT NOT NULL,
    arrival_date TEXT NOT NULL,
    promised_on TEXT NOT NULL,
    cleared_on TEXT NOT NULL,
    received_on TEXT NOT NULL,
    receipt_number TEXT NOT NULL,
    landed_total BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX purchase_orders_status_idx ON purchase_orders (status, id);
CREATE INDEX purchase_orders_supplier_idx ON purchase_orders (supplier_id, id);

-- serials: the units received, one per line of text.
CREATE TABLE purchase_order_lines (
    purchase_order_id BIGINT NOT NULL CONSTRAINT purchase_order_lines_order_fkey REFERENCES purchase_orders (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_price BIGINT NOT NULL,
    landed_unit_cost BIGINT NOT NULL,
    serials TEXT NOT NULL,
    CONSTRAINT purchase_order_lines_pkey PRIMARY KEY (purchase_order_id, line_no)
);

-- Open supply of a product: what planning nets demand against.
CREATE INDEX purchase_order_lines_product_idx ON purchase_order_lines (product_id, purchase_order_id);
