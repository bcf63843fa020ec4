-- Monthly rollups: the reports read these sums instead of adding up every order line each time
-- they are asked. The projections keep them in the same transaction as the facts they sum: each
-- change of an order, return, goods issue or product takes the contribution of the lines it can
-- move off and puts the new one back, so the rollups equal a sum over the fact rows whatever
-- order the feeds arrive in. `lines` counts the fact lines of a row; a row whose lines are all
-- gone is deleted, so a key shows in a report exactly when a line of it does.
--
-- Sales: confirmed orders not cancelled, in their month of confirmation, and returns (negative,
-- counting no order) in the month they came back; the rules of the monthly sales report.
-- `dimension` is 'group' (key: customer group), 'salesperson', 'category', 'brand' or 'product'
-- (key: product id); `orders` counts the distinct orders with a line under the key. Every line is
-- in exactly one row of each dimension, so the total and the office breakdown are the sums of the
-- 'group' rows.
CREATE TABLE sales_month_facts (
    month TEXT NOT NULL,
    office TEXT NOT NULL,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    lines BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    net BIGINT NOT NULL,
    vat BIGINT NOT NULL,
    CONSTRAINT sales_month_facts_pkey PRIMARY KEY (month, office, dimension, key)
);

-- Margins: shipped and returned lines at cost in the month of their day, under the order's office
-- (else the line's own). `dimension` is 'product' (key: product id), 'customer' (key: the order's
-- customer id, 0 while the order is unknown) or 'salesperson'. A shipment's revenue is the
-- order's net for the product pro rata to the units, rounded half up, 0 while the order is
-- unknown; a return carries its own.
CREATE TABLE margin_month_facts (
    month TEXT NOT NULL,
    office TEXT NOT NULL,
    dimension TEXT NOT NULL,
    key TEXT NOT NULL,
    lines BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    revenue BIGINT NOT NULL,
    cost BIGINT NOT NULL,
    CONSTRAINT margin_month_facts_pkey PRIMARY KEY (month, office, dimension, key)
);

-- One row every change of a rollup updates first. The feeds are read by separate consumers at
-- the same time, and a change reads facts of the others' feeds (an order's product, a shipment's
-- order): holding this row until commit makes the changes one after another, so none sums lines
-- another has changed but not committed yet.
CREATE TABLE rollup_lock (
    id BIGINT NOT NULL CONSTRAINT rollup_lock_pkey PRIMARY KEY,
    changes BIGINT NOT NULL
);
INSERT INTO rollup_lock (id, changes) VALUES (1, 0);

-- The sets of lines a change can move: an order's returns and shipments (by its number), and
-- every sale and return of a product whose category or brand changed.
CREATE INDEX sales_order_lines_product_idx ON sales_order_lines (product_id);
CREATE INDEX sales_return_lines_order_number_idx ON sales_return_lines (order_number);
CREATE INDEX sales_return_lines_product_idx ON sales_return_lines (product_id);
CREATE INDEX margin_lines_order_number_idx ON margin_lines (order_number);

-- Backfill from the facts already kept.
CREATE VIEW sales_month_source AS
SELECT o.month AS month, o.office AS office, o.customer_group AS customer_group, o.salesperson AS salesperson,
       o.order_id AS order_id, l.product_id AS product_id, COALESCE(p.category, 'unknown') AS category,
       COALESCE(p.brand, 'unknown') AS brand, l.quantity AS quantity, l.net_amount AS net, l.vat_amount AS vat
FROM sales_orders o JOIN sales_order_lines l ON l.order_id = o.order_id
LEFT JOIN product_facts p ON p.product_id = l.product_id
WHERE o.cancelled_at = 0
UNION ALL
SELECT r.month, r.office, COALESCE(o.customer_group, 'unknown'), COALESCE(o.salesperson, 'unknown'),
       CAST(NULL AS BIGINT), r.product_id, COALESCE(p.category, 'unknown'), COALESCE(p.brand, 'unknown'),
       -r.quantity, -r.net_amount, -r.vat_amount
FROM sales_return_lines r LEFT JOIN sales_orders o ON o.number = r.order_number
LEFT JOIN product_facts p ON p.product_id = r.product_id;

INSERT INTO sales_month_facts (month, office, dimension, key, lines, orders, quantity, net, vat)
SELECT month, office, 'group', customer_group, COUNT(*), COUNT(DISTINCT order_id), CAST(SUM(quantity) AS BIGINT),
       CAST(SUM(net) AS BIGINT), CAST(SUM(vat) AS BIGINT)
FROM sales_month_source GROUP BY month, office, customer_group;

INSERT INTO sales_month_facts (month, office, dimension, key, lines, orders, quantity, net, vat)
SELECT month, office, 'salesperson', salesperson, COUNT(*), COUNT(DISTINCT order_id), CAST(SUM(quantity) AS BIGINT),
       CAST(SUM(net) AS BIGINT), CAST(SUM(vat) AS BIGINT)
FROM sales_month_source GROUP BY month, office, salesperson;

INSERT INTO sales_month_facts (month, office, dimension, key, lines, orders, quantity, net, vat)
SELECT month, office, 'category', category, COUNT(*), COUNT(DISTINCT order_id), CAST(SUM(quantity) AS BIGINT),
       CAST(SUM(net) AS BIGINT), CAST(SUM(vat) AS BIGINT)
FROM sales_month_source GROUP BY month, office, category;

INSERT INTO sales_month_facts (month, office, dimension, key, lines, orders, quantity, net, vat)
SELECT month, office, 'brand', brand, COUNT(*), COUNT(DISTINCT order_id), CAST(SUM(quantity) AS BIGINT),
       CAST(SUM(net) AS BIGINT), CAST(SUM(vat) AS BIGINT)
FROM sales_month_source GROUP BY month, office, brand;

INSERT INTO sales_month_facts (month, office, dimension, key, lines, orders, quantity, net, vat)
SELECT month, office, 'product', CAST(product_id AS TEXT), COUNT(*), COUNT(DISTINCT order_id),
       CAST(SUM(quantity) AS BIGINT), CAST(SUM(net) AS BIGINT), CAST(SUM(vat) AS BIGINT)
FROM sales_month_source GROUP BY month, office, product_id;

DROP VIEW sales_month_source;

-- The pro rata revenue as `margin::line_revenue` computes it, split into whole and remainder so
-- the products stay far from the 64-bit limit: net * q / units = (net / units) * q + r * q / units.
CREATE VIEW margin_month_source AS
SELECT substr(m.day, 1, 7) AS month, COALESCE(o.office, m.office) AS office, m.product_id AS product_id,
       COALESCE(o.customer_id, 0) AS customer_id, COALESCE(o.salesperson, 'unknown') AS salesperson,
       m.quantity AS quantity, m.cost AS cost,
       CASE WHEN m.source <> 'issue' THEN m.revenue
            WHEN t.units IS NULL OR t.units <= 0 THEN 0
            ELSE (t.net / t.units) * m.quantity + (2 * (t.net % t.units) * m.quantity + t.units) / (2 * t.units)
       END AS revenue
FROM margin_lines m LEFT JOIN sales_orders o ON o.number = m.order_number
LEFT JOIN (SELECT order_id, product_id, CAST(SUM(net_amount) AS BIGINT) AS net, CAST(SUM(quantity) AS BIGINT) AS units
           FROM sales_order_lines GROUP BY order_id, product_id) t
  ON t.order_id = o.order_id AND t.product_id = m.product_id;

INSERT INTO margin_month_facts (month, office, dimension, key, lines, quantity, revenue, cost)
SELECT month, office, 'product', CAST(product_id AS TEXT), COUNT(*), CAST(SUM(quantity) AS BIGINT),
       CAST(SUM(revenue) AS BIGINT), CAST(SUM(cost) AS BIGINT)
FROM margin_month_source GROUP BY month, office, product_id;

INSERT INTO margin_month_facts (month, office, dimension, key, lines, quantity, revenue, cost)
SELECT month, office, 'customer', CAST(customer_id AS TEXT), COUNT(*), CAST(SUM(quantity) AS BIGINT),
       CAST(SUM(revenue) AS BIGINT), CAST(SUM(cost) AS BIGINT)
FROM margin_month_source GROUP BY month, office, customer_id;

INSERT INTO margin_month_facts (month, office, dimension, key, lines, quantity, revenue, cost)
SELECT month, office, 'salesperson', salesperson, COUNT(*), CAST(SUM(quantity) AS BIGINT),
       CAST(SUM(revenue) AS BIGINT), CAST(SUM(cost) AS BIGINT)
FROM margin_month_source GROUP BY month, office, salesperson;

DROP VIEW margin_month_source;
