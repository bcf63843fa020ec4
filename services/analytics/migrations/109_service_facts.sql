-- Customer requests from the sales feed and warranty cases from the import-planning feed, one
-- row each as its newest event shows it, for the service-and-care report. Instants are UTC
-- microseconds (0: not yet); dates are local (Asia/Ho_Chi_Minh) ISO dates, '' while there is
-- none, so text order is date order. Flags are 0 or 1.
CREATE TABLE service_request_facts (
    request_id BIGINT NOT NULL CONSTRAINT service_request_facts_pkey PRIMARY KEY,
    number TEXT NOT NULL,
    office TEXT NOT NULL,
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    department TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    received_on TEXT NOT NULL,
    first_response_at BIGINT NOT NULL,
    resolved_at BIGINT NOT NULL,
    -- Working minutes allowed, and taken (-1 while the clock runs).
    first_response_target BIGINT NOT NULL,
    resolution_target BIGINT NOT NULL,
    first_response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    -- 0 while unknown (the clock paused waiting for the customer).
    first_response_due_at BIGINT NOT NULL,
    resolution_due_at BIGINT NOT NULL,
    -- As the clocks stood at the last event; a running clock past its due time breaches later
    -- without an event, so the report also compares the due time with the time it is asked.
    first_response_breached BIGINT NOT NULL,
    resolution_breached BIGINT NOT NULL,
    -- Feed position of the last event applied: an older event changes nothing.
    position BIGINT NOT NULL
);

CREATE INDEX service_request_facts_received_on_idx ON service_request_facts (received_on);

CREATE TABLE warranty_case_facts (
    case_id BIGINT NOT NULL CONSTRAINT warranty_case_facts_pkey PRIMARY KEY,
    number TEXT NOT NULL,
    -- The customer's office; '' when the unit's sale is not known.
    office TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    model_code TEXT NOT NULL,
    serial TEXT NOT NULL,
    supplier_id BIGINT NOT NULL,
    supplier_code TEXT NOT NULL,
    supplier_name TEXT NOT NULL,
    status TEXT NOT NULL,
    decision TEXT NOT NULL,
    covered BIGINT NOT NULL,
    opened_on TEXT NOT NULL,
    -- The return to the supplier: its RMA number, the days it left and came back, the outcome.
    rma_number TEXT NOT NULL,
    rma_shipped_on TEXT NOT NULL,
    rma_received_on TEXT NOT NULL,
    rma_outcome TEXT NOT NULL,
    position BIGINT NOT NULL
);

CREATE INDEX warranty_case_facts_opened_on_idx ON warranty_case_facts (opened_on);
CREATE INDEX warranty_case_facts_rma_received_on_idx ON warranty_case_facts (rma_received_on);
