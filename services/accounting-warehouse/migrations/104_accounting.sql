-- The double-entry journal (Vietnamese chart of accounts). Every entry balances: the code posts
-- an entry only when its debits equal its credits. customer_id names the customer on 131 lines.
CREATE TABLE journal_entries (
    id {{identity}},
    entry_date TEXT NOT NULL,
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    memo TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE journal_lines (
    entry_id BIGINT NOT NULL CONSTRAINT journal_lines_entry_fkey REFERENCES journal_entries (id),
    line_no BIGINT NOT NULL,
    account TEXT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    CONSTRAINT journal_lines_pkey PRIMARY KEY (entry_id, line_no),
    CONSTRAINT journal_lines_one_side CHECK (debit >= 0 AND credit >= 0 AND (debit = 0 OR credit = 0))
);

CREATE INDEX journal_lines_account_idx ON journal_lines (account, customer_id);

-- VAT invoices, one per shipment, numbered without gaps within their yearly series.
CREATE TABLE invoices (
    id {{identity}},
    number TEXT NOT NULL CONSTRAINT invoices_number_key UNIQUE,
    series TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    customer_id BIGINT NOT NULL,
    customer_name TEXT NOT NULL,
    order_number TEXT NOT NULL,
    dispatch_number TEXT NOT NULL CONSTRAINT invoices_dispatch_key UNIQUE,
    issue_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    total_net BIGINT NOT NULL,
    total_vat BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    body {{bytes}} NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT invoices_paid_within_total CHECK (paid >= 0 AND paid <= total_net + total_vat)
);

CREATE INDEX invoices_customer_idx ON invoices (customer_id, due_date, id);

CREATE TABLE payments (
    id {{identity}},
    number TEXT NOT NULL CONSTRAINT payments_number_key UNIQUE,
    customer_id BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    reference TEXT NOT NULL,
    method TEXT NOT NULL,
    unallocated BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE payment_allocations (
    payment_id BIGINT NOT NULL CONSTRAINT payment_allocations_payment_fkey REFERENCES payments (id),
    invoice_id BIGINT NOT NULL CONSTRAINT payment_allocations_invoice_fkey REFERENCES invoices (id),
    amount BIGINT NOT NULL,
    CONSTRAINT payment_allocations_pkey PRIMARY KEY (payment_id, invoice_id)
);

-- Credit limit (VND, 0 = none) and payment terms per customer.
CREATE TABLE credit_terms (
    customer_id BIGINT NOT NULL CONSTRAINT credit_terms_pkey PRIMARY KEY,
    credit_limit BIGINT NOT NULL,
    payment_terms_days BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
