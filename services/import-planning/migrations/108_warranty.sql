-- Warranty cases (phiếu bảo hành), numbered BH-<year>-NNNN without gaps. The case is kept whole
-- in body (an encoded atq.importplanning.v1.WarrantyCase with its timeline); the columns beside
-- it are what lists filter on. office: the office whose warehouse delivered the unit.
-- status: open, diagnosed, decided, at_supplier, closed. Nothing is deleted.
CREATE TABLE warranty_cases (
    id {{identity warranty_cases_pkey}},
    number TEXT NOT NULL CONSTRAINT warranty_cases_number_key UNIQUE,
    product_id BIGINT NOT NULL,
    serial TEXT NOT NULL,
    replacement_serial TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    office TEXT NOT NULL,
    status TEXT NOT NULL,
    body {{bytes}} NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX warranty_cases_serial_idx ON warranty_cases (product_id, serial, id);
CREATE INDEX warranty_cases_replacement_idx ON warranty_cases (product_id, replacement_serial, id);
CREATE INDEX warranty_cases_customer_idx ON warranty_cases (customer_id, id);
