-- Stock per product, warehouse (named by its office: HN, HCM, DL) and condition (good, damaged).
-- The CHECK is the last line of defence: every decrement is also a conditional update, so a
-- shortfall is reported before the constraint would fire.
CREATE TABLE stock_levels (
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    condition TEXT NOT NULL,
    on_hand BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    CONSTRAINT stock_levels_pkey PRIMARY KEY (product_id, warehouse, condition),
    CONSTRAINT stock_levels_never_negative CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand)
);

-- Every change of stock, signed, with the document that caused it: the ledger behind the levels.
CREATE TABLE stock_moves (
    id {{identity stock_moves_pkey}},
    document_type TEXT NOT NULL,
    document_number TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    condition TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    unit_cost BIGINT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX stock_moves_product_idx ON stock_moves (product_id, warehouse, id);

-- One row per unit of a serial-tracked product. status: in_stock, reserved, issued, missing.
CREATE TABLE serials (
    product_id BIGINT NOT NULL,
    serial TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    condition TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT serials_pkey PRIMARY KEY (product_id, serial)
);

-- Moving-average cost, company-wide: the value of the units on hand, in VND.
CREATE TABLE product_costs (
    product_id BIGINT NOT NULL CONSTRAINT product_costs_pkey PRIMARY KEY,
    quantity BIGINT NOT NULL,
    total_value BIGINT NOT NULL,
    CONSTRAINT product_costs_never_negative CHECK (quantity >= 0 AND total_value >= 0)
);

-- Receipts (PN), transfers (CK) and stocktakes (KK) as issued, kept whole.
CREATE TABLE stock_documents (
    id {{identity stock_documents_pkey}},
    number TEXT NOT NULL CONSTRAINT stock_documents_number_key UNIQUE,
    document_type TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    body {{bytes}} NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
