-- Confirmed sales orders from the sales feed, one row per order and one per order line, and the
-- catalog's products from the import-planning feed. Lines keep only the product id: category and
-- brand are joined at query time, so the report is right whichever feed arrives first.
-- Dates are local (Asia/Ho_Chi_Minh): `confirmed_on` an ISO date, `month` YYYY-MM, so text order
-- is date order. Money is VND (integers), without VAT unless named gross.
CREATE TABLE sales_orders (
    order_id BIGINT NOT NULL CONSTRAINT sales_orders_pkey PRIMARY KEY,
    number TEXT NOT NULL,
    office TEXT NOT NULL,
    customer_group TEXT NOT NULL,
    -- The user who made the order.
    salesperson TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL,
    confirmed_on TEXT NOT NULL,
    month TEXT NOT NULL,
    -- 0 while the order stands; when it was cancelled otherwise.
    cancelled_at BIGINT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    total_gross BIGINT NOT NULL,
    -- Feed position of the last event applied to the order: an older event changes nothing.
    position BIGINT NOT NULL
);

CREATE INDEX sales_orders_confirmed_on_idx ON sales_orders (confirmed_on);

CREATE TABLE sales_order_lines (
    order_id BIGINT NOT NULL,
    line_no INTEGER NOT NULL,
    product_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    net_amount BIGINT NOT NULL,
    vat_amount BIGINT NOT NULL,
    CONSTRAINT sales_order_lines_pkey PRIMARY KEY (order_id, line_no)
);

CREATE TABLE product_facts (
    product_id BIGINT NOT NULL CONSTRAINT product_facts_pkey PRIMARY KEY,
    model_code TEXT NOT NULL,
    category TEXT NOT NULL,
    brand TEXT NOT NULL,
    version BIGINT NOT NULL
);

-- Order events read before this table existed were skipped: read the sales feed again from the
-- start. Customer facts ignore events they already hold, so the replay adds only the orders.
UPDATE feed_cursors SET position = 0 WHERE feed = 'sales';
