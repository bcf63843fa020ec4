-- Customer requests (questions, complaints, warranty claims) and every change to them. Nothing is
-- deleted: a request is resolved and closed, and reopened when the customer comes back.
-- received_at is when the customer asked (UTC micros); a request typed in later, or copied from the
-- paper files, keeps the real time. office is the customer's. order_id, contract_id, product_id
-- (0: none) and serial_number ('' none) are kept as the customer gave them.
-- SLA: the due times are computed from received_at on Vietnamese working time (see sla.rs) and
-- kept here so a list filters on them; clock_stopped_at is when the clock stopped (waiting for the
-- customer, resolved or closed), 0 while it runs. *_warned_at: when the breach warning went out.
-- managers: the office's sales managers when the request was made (comma-separated usernames),
-- told with the assignee when the SLA is breached.
CREATE TABLE service_requests (
    id {{identity service_requests_pkey}},
    number TEXT NOT NULL CONSTRAINT service_requests_number_key UNIQUE,
    customer_id BIGINT NOT NULL CONSTRAINT service_requests_customer_fkey REFERENCES customers (id),
    contact_id BIGINT NOT NULL,
    office TEXT NOT NULL,
    channel TEXT NOT NULL
        CONSTRAINT service_requests_channel_check CHECK (channel IN ('phone', 'email', 'visit', 'web', 'sms', 'fax')),
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    order_id BIGINT NOT NULL,
    contract_id BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    serial_number TEXT NOT NULL,
    priority TEXT NOT NULL
        CONSTRAINT service_requests_priority_check CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    department TEXT NOT NULL
        CONSTRAINT service_requests_department_check CHECK (department IN ('sales', 'import_export', 'accounting')),
    assignee TEXT NOT NULL,
    managers TEXT NOT NULL,
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    first_response_at BIGINT NOT NULL,
    resolved_at BIGINT NOT NULL,
    clock_stopped_at BIGINT NOT NULL,
    first_response_due_at BIGINT NOT NULL,
    resolution_due_at BIGINT NOT NULL,
    first_response_warned_at BIGINT NOT NULL,
    resolution_warned_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX service_requests_office_idx ON service_requests (office, status, id);
CREATE INDEX service_requests_customer_idx ON service_requests (customer_id, id);
CREATE INDEX service_requests_assignee_idx ON service_requests (assignee, status, id);

-- The timeline: one row per change, in the order it happened (at, UTC micros; recorded_at is when
-- it was typed in). kind: created, status, comment, assigned, department, priority, edited.
-- from_value/to_value hold what changed (a status, a username, a field's old and new text).
CREATE TABLE service_request_events (
    id {{identity service_request_events_pkey}},
    request_id BIGINT NOT NULL CONSTRAINT service_request_events_request_fkey REFERENCES service_requests (id),
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    from_value TEXT NOT NULL,
    to_value TEXT NOT NULL,
    body TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);

CREATE INDEX service_request_events_request_idx ON service_request_events (request_id, id);

-- SLA targets in working minutes, per kind and priority: the first answer to the customer and the
-- resolution. Requests that involve the foreign supplier (quality, warranty, contract changes)
-- get twice the time to resolve.
CREATE TABLE sla_targets (
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    first_response_minutes BIGINT NOT NULL CONSTRAINT sla_targets_first_response_check CHECK (first_response_minutes > 0),
    resolution_minutes BIGINT NOT NULL CONSTRAINT sla_targets_resolution_check CHECK (resolution_minutes > 0),
    CONSTRAINT sla_targets_pkey PRIMARY KEY (kind, priority)
);

INSERT INTO sla_targets (kind, priority, first_response_minutes, resolution_minutes) VALUES
    ('price', 'urgent', 60, 480),
    ('price', 'high', 120, 1020),
    ('price', 'normal', 240, 2550),
    ('price', 'low', 480, 5100),
    ('quantity', 'urgent', 60, 480),
    ('quantity', 'high', 120, 1020),
    ('quantity', 'normal', 240, 2550),
    ('quantity', 'low', 480, 5100),
    ('quality', 'urgent', 60, 960),
    ('quality', 'high', 120, 2040),
    ('quality', 'normal', 240, 5100),
    ('quality', 'low', 480, 10200),
    ('warranty', 'urgent', 60, 960),
    ('warranty', 'high', 120, 2040),
    ('warranty', 'normal', 240, 5100),
    ('warranty', 'low', 480, 10200),
    ('discount_programme', 'urgent', 60, 480),
    ('discount_programme', 'high', 120, 1020),
    ('discount_programme', 'normal', 240, 2550),
    ('discount_programme', 'low', 480, 5100),
    ('bonus', 'urgent', 60, 480),
    ('bonus', 'high', 120, 1020),
    ('bonus', 'normal', 240, 2550),
    ('bonus', 'low', 480, 5100),
    ('debt', 'urgent', 60, 480),
    ('debt', 'high', 120, 1020),
    ('debt', 'normal', 240, 2550),
    ('debt', 'low', 480, 5100),
    ('policy', 'urgent', 60, 480),
    ('policy', 'high', 120, 1020),
    ('policy', 'normal', 240, 2550),
    ('policy', 'low', 480, 5100),
    ('contract_change', 'urgent', 60, 960),
    ('contract_change', 'high', 120, 2040),
    ('contract_change', 'normal', 240, 5100),
    ('contract_change', 'low', 480, 10200),
    ('delivery', 'urgent', 60, 480),
    ('delivery', 'high', 120, 1020),
    ('delivery', 'normal', 240, 2550),
    ('delivery', 'low', 480, 5100),
    ('other', 'urgent', 60, 480),
    ('other', 'high', 120, 1020),
    ('other', 'normal', 240, 2550),
    ('other', 'low', 480, 5100);

-- Working-time settings SLA clocks count on. saturday_morning: 'true' when Saturday 08:00-12:00 is
-- worked (Monday to Friday 08:00-12:00 and 13:00-17:30 always are).
CREATE TABLE sla_settings (
    name TEXT NOT NULL CONSTRAINT sla_settings_pkey PRIMARY KEY,
    setting_value TEXT NOT NULL
);

INSERT INTO sla_settings (name, setting_value) VALUES ('saturday_morning', 'false');
