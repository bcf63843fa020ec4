-- Contracts. status: draft, signed, completed, cancelled. Dates are local (YYYY-MM-DD); ends_on
-- is empty for an open-ended contract.
CREATE TABLE contracts (
    id {{identity contracts_pkey}},
    number TEXT NOT NULL CONSTRAINT contracts_number_key UNIQUE,
    name TEXT NOT NULL,
    customer_id BIGINT NOT NULL CONSTRAINT contracts_customer_fkey REFERENCES customers (id),
    office TEXT NOT NULL,
    responsible TEXT NOT NULL,
    made_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    status TEXT NOT NULL,
    value BIGINT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX contracts_customer_idx ON contracts (customer_id, id);
CREATE INDEX contracts_office_status_idx ON contracts (office, status, id);

-- Signed copies and scans, kept in the database so every replica serves them and backups hold them.
CREATE TABLE contract_files (
    id {{identity contract_files_pkey}},
    contract_id BIGINT NOT NULL CONSTRAINT contract_files_contract_fkey REFERENCES contracts (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content {{bytes}} NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    CONSTRAINT contract_files_content_key UNIQUE (contract_id, sha256)
);
