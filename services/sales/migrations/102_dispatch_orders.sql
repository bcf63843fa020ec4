-- Units of an order line that have left the warehouse (goods issued).
ALTER TABLE order_lines ADD COLUMN shipped BIGINT NOT NULL DEFAULT 0;

-- Dispatch orders (lệnh xuất bán). status: requested, approved, rejected, shipping (goods issue
-- under way), shipped, delivered.
CREATE TABLE dispatch_orders (
    id {{identity dispatch_orders_pkey}},
    number TEXT NOT NULL CONSTRAINT dispatch_orders_number_key UNIQUE,
    order_id BIGINT NOT NULL CONSTRAINT dispatch_orders_order_fkey REFERENCES orders (id),
    office TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decision_note TEXT NOT NULL,
    goods_issue_number TEXT NOT NULL,
    cost_amount BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    shipped_at BIGINT NOT NULL,
    delivered_at BIGINT NOT NULL
);

CREATE INDEX dispatch_orders_order_idx ON dispatch_orders (order_id, id);

CREATE TABLE dispatch_lines (
    dispatch_id BIGINT NOT NULL CONSTRAINT dispatch_lines_dispatch_fkey REFERENCES dispatch_orders (id),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    -- JSON list of the serial numbers picked.
    serials TEXT NOT NULL,
    CONSTRAINT dispatch_lines_pkey PRIMARY KEY (dispatch_id, line_no)
);
