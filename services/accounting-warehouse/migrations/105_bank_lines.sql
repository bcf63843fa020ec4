-- Lines of imported bank statements. line_hash identifies a line across imports (its date,
-- amount, description, reference and which repeat of an identical line it is), so importing a
-- statement twice adds nothing. status: matched, unmatched (the review list), ignored (debits).
CREATE TABLE bank_lines (
    id {{identity}},
    line_hash TEXT NOT NULL CONSTRAINT bank_lines_line_hash_key UNIQUE,
    booked_on TEXT NOT NULL,
    amount BIGINT NOT NULL,
    description TEXT NOT NULL,
    reference TEXT NOT NULL,
    status TEXT NOT NULL,
    invoice_number TEXT NOT NULL,
    payment_number TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);

CREATE INDEX bank_lines_status_idx ON bank_lines (status, id);
