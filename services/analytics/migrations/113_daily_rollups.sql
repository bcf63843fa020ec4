-- Daily and month-end rollups of the accounting and warehouse summary: its period-end sections
-- read these instead of every invoice, allocation and stock move up to each period's end. The
-- projections keep them in the same transactions as the facts they sum, and only when a fact is
-- new (or an invoice's due date or a customer's office becomes known), so replays change nothing.
-- Dates are local ISO dates, months `YYYY-MM`; money VND. `office` is the customer's office,
-- '' while analytics has not heard of the customer (moved when it does).

-- Invoices issued and payments received per local day and office.
CREATE TABLE accounting_day_facts (
    day TEXT NOT NULL,
    office TEXT NOT NULL,
    invoices BIGINT NOT NULL,
    invoiced_net BIGINT NOT NULL,
    invoiced_vat BIGINT NOT NULL,
    invoiced_gross BIGINT NOT NULL,
    payments BIGINT NOT NULL,
    collected BIGINT NOT NULL,
    CONSTRAINT accounting_day_facts_pkey PRIMARY KEY (day, office)
);

-- How what is owed moved per day, by office and due date: the sum over the days up to a date is
-- what was open at its end, per due date (so aged at any date), and how many invoices were open.
CREATE TABLE receivable_day_facts (
    day TEXT NOT NULL,
    office TEXT NOT NULL,
    due_on TEXT NOT NULL,
    open_invoices BIGINT NOT NULL,
    open_amount BIGINT NOT NULL,
    CONSTRAINT receivable_day_facts_pkey PRIMARY KEY (day, office, due_on)
);

-- Stock of each product in each warehouse at the end of each month, from the month of its first
-- move to the newest month any move is in (rows are carried into each new month). `held_on` is the
-- day of its first incoming move and `issued_on` of its newest goods issue, in feed order
-- (`held_seq`, `issued_seq`: position x 2^20 + move number), among the moves on or before the
-- month's end; '' when there is none.
CREATE TABLE stock_month_facts (
    month TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    good_units BIGINT NOT NULL,
    damaged_units BIGINT NOT NULL,
    held_on TEXT NOT NULL,
    held_seq BIGINT NOT NULL,
    issued_on TEXT NOT NULL,
    issued_seq BIGINT NOT NULL,
    CONSTRAINT stock_month_facts_pkey PRIMARY KEY (month, product_id, warehouse)
);

-- The company-wide unit cost of each product at the end of each month: the cost of its newest
-- move in feed order (`cost_seq`) on or before the month's end.
CREATE TABLE product_cost_month_facts (
    month TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    unit_cost BIGINT NOT NULL,
    cost_seq BIGINT NOT NULL,
    CONSTRAINT product_cost_month_facts_pkey PRIMARY KEY (month, product_id)
);

-- What stocktakes found per month and warehouse.
CREATE TABLE stocktake_month_facts (
    month TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    counts BIGINT NOT NULL,
    surplus_units BIGINT NOT NULL,
    surplus_value BIGINT NOT NULL,
    shortage_units BIGINT NOT NULL,
    shortage_value BIGINT NOT NULL,
    CONSTRAINT stocktake_month_facts_pkey PRIMARY KEY (month, warehouse)
);

-- The facts a change reads: an invoice's payments, a customer's invoices and payments.
CREATE INDEX payment_allocation_facts_invoice_idx ON payment_allocation_facts (invoice_id);
CREATE INDEX invoice_facts_customer_idx ON invoice_facts (customer_id);
CREATE INDEX payment_facts_customer_idx ON payment_facts (customer_id);

-- Rollups the service builds from the facts already kept when it starts (`daily_rollups`), then
-- deletes the row: the same code that keeps them builds them.
CREATE TABLE rollup_backfills (
    name TEXT NOT NULL CONSTRAINT rollup_backfills_pkey PRIMARY KEY
);
INSERT INTO rollup_backfills (name) VALUES ('daily');
