-- Sales bonuses for customers (thưởng doanh số). A scheme targets a dealer tier or a customer
-- group for a quarter or a year; its steps (ascending thresholds of paid net revenue, each with a
-- rate in basis points) are kept in body, encoded like the other documents. Schemes are never
-- edited: a newer one for the same target and period kind takes over from its effective date.
CREATE TABLE bonus_schemes (
    id {{identity bonus_schemes_pkey}},
    name TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target TEXT NOT NULL,
    period_kind TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    body {{bytes}} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT bonus_schemes_target_kind_known CHECK (target_kind IN ('tier', 'group')),
    CONSTRAINT bonus_schemes_period_kind_known CHECK (period_kind IN ('quarter', 'year'))
);

CREATE INDEX bonus_schemes_target_idx ON bonus_schemes (target_kind, target, period_kind, effective_from);

-- Every posting of a customer's bonus for a period ("2026-Q4", "2026"), each with its own
-- journal entry (document_number). Accruals may be negative (the payable falls); settlements and
-- claw-backs are positive. scheme_id is the scheme the amount was computed with.
CREATE TABLE bonus_movements (
    id {{identity bonus_movements_pkey}},
    customer_id BIGINT NOT NULL,
    period TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount BIGINT NOT NULL,
    month TEXT NOT NULL,
    method TEXT NOT NULL,
    scheme_id BIGINT NOT NULL,
    document_number TEXT NOT NULL CONSTRAINT bonus_movements_document_key UNIQUE,
    entry_date TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT bonus_movements_kind_known CHECK (kind IN ('accrual', 'settlement', 'clawback')),
    CONSTRAINT bonus_movements_sign CHECK (kind = 'accrual' OR amount > 0)
);

CREATE INDEX bonus_movements_customer_idx ON bonus_movements (customer_id, period, id);
CREATE INDEX bonus_movements_period_idx ON bonus_movements (period, customer_id);

-- The paid revenue of a period is read from payments by date.
CREATE INDEX payments_received_idx ON payments (customer_id, received_on);
