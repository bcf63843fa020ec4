-- Gross margin: the cost of goods sold of each shipped order line, from the accounting-warehouse
-- feed, one row per goods issue line and per return line, on its local day (ISO date, so text
-- order is date order). Quantities and amounts are signed: a return takes its units, revenue and
-- cost back. Money is VND without VAT.
--
-- Key of a shipment: the goods issue's `order_ref` is the sales order's number, and an issue line
-- names its product; the revenue of `quantity` units is the order's net amount for that product
-- pro rata to the units ordered (`revenue` stays 0 on issue rows: the order line comes from the
-- sales feed, which analytics may read after the warehouse's, so it is joined when the report is
-- read, as category and brand are). A return line carries its own net amount and cost.
CREATE TABLE margin_lines (
    -- 'issue' (goods issue number, e.g. PX-2026-0001) or 'return' (the return's id).
    source TEXT NOT NULL,
    document TEXT NOT NULL,
    line_no INTEGER NOT NULL,
    day TEXT NOT NULL,
    -- The issuing warehouse, or the office that sold returned goods.
    office TEXT NOT NULL,
    order_number TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    revenue BIGINT NOT NULL,
    cost BIGINT NOT NULL,
    CONSTRAINT margin_lines_pkey PRIMARY KEY (source, document, line_no)
);

CREATE INDEX margin_lines_day_idx ON margin_lines (day);
-- Shipments and returns find their order by its number.
CREATE INDEX sales_orders_number_idx ON sales_orders (number);

-- Goods issues and the cost of returns read before were skipped: read the accounting-warehouse
-- feed again. Invoices, payments and return lines ignore what they already hold.
UPDATE feed_cursors SET position = 0 WHERE feed = 'accounting-warehouse';
