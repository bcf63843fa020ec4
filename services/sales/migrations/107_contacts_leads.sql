-- A customer's contact persons. search_text holds name, position, phone and email folded to
-- lowercase ASCII, like customers.search_text. birthday is a local date YYYY-MM-DD or ''.
-- At most one active primary contact per customer is kept by the use case, in one transaction;
-- is_primary and active are 0 or 1.
CREATE TABLE contacts (
    id {{identity contacts_pkey}},
    customer_id BIGINT NOT NULL CONSTRAINT contacts_customer_fkey REFERENCES customers (id),
    name TEXT NOT NULL,
    position TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    birthday TEXT NOT NULL,
    notes TEXT NOT NULL,
    is_primary BIGINT NOT NULL,
    active BIGINT NOT NULL,
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX contacts_customer_idx ON contacts (customer_id, id);

-- The parties of a project customer (công trình): its investor, contractor, consultants...
-- each either a customer record or a contact person, never both.
CREATE TABLE project_parties (
    id {{identity project_parties_pkey}},
    project_customer_id BIGINT NOT NULL CONSTRAINT project_parties_project_fkey REFERENCES customers (id),
    role TEXT NOT NULL,
    party_customer_id BIGINT CONSTRAINT project_parties_customer_fkey REFERENCES customers (id),
    contact_id BIGINT CONSTRAINT project_parties_contact_fkey REFERENCES contacts (id),
    influence TEXT NOT NULL,
    stance TEXT NOT NULL,
    note TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT project_parties_one_reference_check CHECK (
        (party_customer_id IS NULL AND contact_id IS NOT NULL)
        OR (party_customer_id IS NOT NULL AND contact_id IS NULL))
);

CREATE INDEX project_parties_project_idx ON project_parties (project_customer_id, id);

-- Prospects not yet customers. status: new, contacted, qualified, converted, disqualified.
-- converted_customer_id/converted_contact_id are set once, by the conversion.
CREATE TABLE leads (
    id {{identity leads_pkey}},
    name TEXT NOT NULL,
    company TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    position TEXT NOT NULL,
    lead_group TEXT NOT NULL,
    source TEXT NOT NULL,
    office TEXT NOT NULL,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    tax_code TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    disqualify_reason TEXT NOT NULL,
    owner TEXT NOT NULL,
    converted_customer_id BIGINT CONSTRAINT leads_customer_fkey REFERENCES customers (id),
    converted_contact_id BIGINT CONSTRAINT leads_contact_fkey REFERENCES contacts (id),
    search_text TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX leads_office_status_idx ON leads (office, status, id);
