-- The directors' import-export summary and the stock and receivables of the accounting and
-- warehouse summary. Dates are local (Asia/Ho_Chi_Minh) ISO dates, '' when unknown, so text order
-- is date order. Money is VND unless a currency is named.

-- When each invoice falls due ('' for invoices read before: they are read again below), and which
-- invoices each payment paid, on the payment's day: what was open at any period's end.
ALTER TABLE invoice_facts ADD COLUMN due_on TEXT NOT NULL DEFAULT '';

CREATE TABLE payment_allocation_facts (
    payment_id BIGINT NOT NULL,
    invoice_id BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    CONSTRAINT payment_allocation_facts_pkey PRIMARY KEY (payment_id, invoice_id)
);

-- Every stock move of the accounting-warehouse feed, one row per move of a document, on the local
-- day of its event. `unit_cost` is the product's moving-average cost once the document was
-- applied, NULL on events older than that field.
CREATE TABLE stock_move_facts (
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    move_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    stock_condition TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_cost BIGINT,
    moved_on TEXT NOT NULL,
    position BIGINT NOT NULL,
    CONSTRAINT stock_move_facts_pkey PRIMARY KEY (document_type, document_number, move_no)
);

CREATE INDEX stock_move_facts_moved_on_idx ON stock_move_facts (moved_on);

-- The catalog's list price of each product (VND without VAT, 0 when it has none), at the feed
-- position of its newest event.
CREATE TABLE product_list_prices (
    product_id BIGINT NOT NULL CONSTRAINT product_list_prices_pkey PRIMARY KEY,
    list_price BIGINT NOT NULL,
    position BIGINT NOT NULL
);

-- What supplier orders are worth, beside their dates in supplier_orders: the goods in the
-- supplier's currency (minor unit), the landed total of what was received, and for the received
-- lines whose product had a list price then, their landed value and their value at list price.
CREATE TABLE supplier_order_values (
    number TEXT NOT NULL CONSTRAINT supplier_order_values_pkey PRIMARY KEY,
    warehouse TEXT NOT NULL,
    currency TEXT NOT NULL,
    goods_value BIGINT NOT NULL,
    landed_total BIGINT NOT NULL,
    priced_landed BIGINT NOT NULL,
    list_value BIGINT NOT NULL,
    position BIGINT NOT NULL
);

-- The milestones of each import plan as its newest event shows them; `late` when the plan cannot
-- have every unit ready by the day needed (promise_date after needed_by, or no promise at all).
CREATE TABLE plan_facts (
    plan_number TEXT NOT NULL CONSTRAINT plan_facts_pkey PRIMARY KEY,
    position BIGINT NOT NULL
);

CREATE TABLE plan_milestone_facts (
    plan_number TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    milestone_no BIGINT NOT NULL,
    office TEXT NOT NULL,
    needed_by TEXT NOT NULL,
    promise_date TEXT NOT NULL,
    late BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    CONSTRAINT plan_milestone_facts_pkey PRIMARY KEY (plan_number, line_no, milestone_no)
);

CREATE INDEX plan_milestone_facts_needed_by_idx ON plan_milestone_facts (needed_by);

-- Read both feeds again from the start to fill these. The other projections of these feeds keep
-- what they already hold (newest position or version wins, documents kept once).
UPDATE feed_cursors SET position = 0 WHERE feed = 'import-planning';
UPDATE feed_cursors SET position = 0 WHERE feed = 'accounting-warehouse';
