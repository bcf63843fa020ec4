-- Customers: the minimum record of the business (name, code, address, group, phone, purchases)
-- plus contact and territory. search_text holds name, code, phone and email folded to lowercase
-- ASCII, so search ignores case and diacritics the same way on every database.
CREATE TABLE customers (
    id {{identity customers_pkey}},
    code TEXT NOT NULL CONSTRAINT customers_code_key UNIQUE,
    name TEXT NOT NULL,
    customer_group TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    office TEXT NOT NULL,
    tax_code TEXT NOT NULL,
    assigned_to TEXT NOT NULL,
    purchase_count BIGINT NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX customers_office_group_idx ON customers (office, customer_group, id);

-- Who changed what, when: one row per version.
CREATE TABLE customer_revisions (
    customer_id BIGINT NOT NULL CONSTRAINT customer_revisions_customer_fkey REFERENCES customers (id),
    version BIGINT NOT NULL,
    action TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    changes TEXT NOT NULL,
    CONSTRAINT customer_revisions_pkey PRIMARY KEY (customer_id, version)
);
