-- Commissions for sales staff (hoa hồng). A plan names whom it is for (role, office, username:
-- each empty or matched); its versions (terms from an effective date: basis, default and
-- per-category rates) live in body, encoded like the other documents, and are only ever added.
CREATE TABLE commission_plans (
    id {{identity commission_plans_pkey}},
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    office TEXT NOT NULL,
    username TEXT NOT NULL,
    versions BIGINT NOT NULL,
    body {{bytes}} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The share of an invoice line a payment paid (kind payment) or a return took back (kind return,
-- negative), written in the transaction of the payment or the return: the paid fraction of the
-- line's net amount and of its gross margin, each the change of a running figure rounded half up,
-- so the shares of a line always sum to its current net (margin) times its paid fraction.
-- month is the payment's (the return's) date; salesperson is empty for invoices without one.
CREATE TABLE commission_shares (
    id {{identity commission_shares_pkey}},
    salesperson TEXT NOT NULL,
    invoice_id BIGINT NOT NULL,
    invoice_number TEXT NOT NULL,
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    document_number TEXT NOT NULL,
    event_date TEXT NOT NULL,
    month TEXT NOT NULL,
    net_share BIGINT NOT NULL,
    margin_share BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT commission_shares_kind_known CHECK (kind IN ('payment', 'return'))
);

CREATE INDEX commission_shares_person_idx ON commission_shares (salesperson, month, id);
CREATE INDEX commission_shares_invoice_idx ON commission_shares (invoice_id, line_no, id);
CREATE INDEX commission_shares_month_idx ON commission_shares (month, salesperson);

-- Every accrual of a person's month, each with its own journal entry (641 / 334, or the other way
-- round when negative).
CREATE TABLE commission_accruals (
    id {{identity commission_accruals_pkey}},
    salesperson TEXT NOT NULL,
    month TEXT NOT NULL,
    amount BIGINT NOT NULL,
    document_number TEXT NOT NULL CONSTRAINT commission_accruals_document_key UNIQUE,
    entry_date TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX commission_accruals_person_idx ON commission_accruals (salesperson, month, id);
CREATE INDEX commission_accruals_month_idx ON commission_accruals (month, salesperson);
