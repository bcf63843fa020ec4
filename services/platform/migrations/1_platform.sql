-- Tables every service has: owner, outbox, idempotency records, number series, feed cursors.

-- The service that owns this database; a URL pointing at a sibling's database is refused at start.
CREATE TABLE service_identity (
    service TEXT NOT NULL CONSTRAINT service_identity_pkey PRIMARY KEY
);
CREATE TABLE outbox (
    position {{identity outbox_pkey}},
    event_id TEXT NOT NULL CONSTRAINT outbox_event_id_key UNIQUE,
    event_type TEXT NOT NULL,
    aggregate_type TEXT NOT NULL,
    aggregate_id TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    payload {{bytes}} NOT NULL,
    traceparent TEXT NOT NULL
);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response {{bytes}} NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (scope, idem_key)
);

CREATE TABLE number_series (
    series TEXT NOT NULL CONSTRAINT number_series_pkey PRIMARY KEY,
    last_value BIGINT NOT NULL
);

CREATE TABLE feed_cursors (
    feed TEXT NOT NULL CONSTRAINT feed_cursors_pkey PRIMARY KEY,
    position BIGINT NOT NULL
);
