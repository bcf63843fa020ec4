-- Supplier orders from the import-planning feed, one row per order, for the supplier lead-time
-- report. Dates are local (Asia/Ho_Chi_Minh) ISO dates, '' while the order has none, so text
-- order is date order.
CREATE TABLE supplier_orders (
    number TEXT NOT NULL CONSTRAINT supplier_orders_pkey PRIMARY KEY,
    order_id BIGINT NOT NULL,
    supplier_id BIGINT NOT NULL,
    supplier_code TEXT NOT NULL,
    supplier_name TEXT NOT NULL,
    status TEXT NOT NULL,
    sent_on TEXT NOT NULL,
    -- What the supplier's first confirmation promised for arrival in our warehouse.
    promised_on TEXT NOT NULL,
    received_on TEXT NOT NULL,
    line_count BIGINT NOT NULL,
    units BIGINT NOT NULL,
    -- Feed position of the last event applied to the order: an older event changes nothing.
    position BIGINT NOT NULL
);

CREATE INDEX supplier_orders_received_on_idx ON supplier_orders (received_on);

-- Order events read before this table existed were skipped: read the import-planning feed again
-- from the start. Product facts ignore versions they already hold, so the replay adds only the
-- orders.
UPDATE feed_cursors SET position = 0 WHERE feed = 'import-planning';
