-- The directors' summaries and customer value.
-- Orders keep their customer, so each customer's purchases can be kept up to date.
ALTER TABLE sales_orders ADD COLUMN customer_id BIGINT NOT NULL DEFAULT 0;

-- One row per customer with a counted order, rewritten from that customer's order heads (and,
-- separately, returns) whenever one of them changes. Dates are local ISO dates ('' with no
-- order counted); money VND without VAT.
CREATE TABLE customer_value_facts (
    customer_id BIGINT NOT NULL CONSTRAINT customer_value_facts_pkey PRIMARY KEY,
    first_on TEXT NOT NULL,
    last_on TEXT NOT NULL,
    orders BIGINT NOT NULL,
    net BIGINT NOT NULL,
    -- Net amounts of goods the customer returned.
    returned_net BIGINT NOT NULL
);

-- Invoices and payments from the accounting-warehouse feed, one row each, on their local dates.
CREATE TABLE invoice_facts (
    invoice_id BIGINT NOT NULL CONSTRAINT invoice_facts_pkey PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    issued_on TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    total_gross BIGINT NOT NULL
);

CREATE INDEX invoice_facts_issued_on_idx ON invoice_facts (issued_on);

CREATE TABLE payment_facts (
    payment_id BIGINT NOT NULL CONSTRAINT payment_facts_pkey PRIMARY KEY,
    customer_id BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    amount BIGINT NOT NULL
);

CREATE INDEX payment_facts_received_on_idx ON payment_facts (received_on);

-- Orders read before have no customer and invoices and payments were skipped: read both feeds
-- again. Order heads are rewritten once more (position 0 is older than any event); return lines,
-- customers and products ignore what they already hold.
UPDATE sales_orders SET position = 0;
UPDATE feed_cursors SET position = 0 WHERE feed = 'sales';
UPDATE feed_cursors SET position = 0 WHERE feed = 'accounting-warehouse';
