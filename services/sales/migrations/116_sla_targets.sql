-- SLA targets become editable (the rows seeded in 113 are today's values): each row gets a version
-- for If-Match and who changed it last, and every change is kept in sla_target_changes (old and
-- new minutes, who, when).
ALTER TABLE sla_targets ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sla_targets ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE sla_targets ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE sla_target_changes (
    id {{identity sla_target_changes_pkey}},
    kind TEXT NOT NULL,
    priority TEXT NOT NULL,
    first_response_from BIGINT NOT NULL,
    first_response_to BIGINT NOT NULL,
    resolution_from BIGINT NOT NULL,
    resolution_to BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);

CREATE INDEX sla_target_changes_target_idx ON sla_target_changes (kind, priority, id);

-- A request keeps the targets (working minutes) it was opened with, or was given when its priority
-- changed: a later change of the table does not move its clocks. Requests already recorded take
-- the table's values, which they were opened with.
ALTER TABLE service_requests ADD COLUMN first_response_target BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_requests ADD COLUMN resolution_target BIGINT NOT NULL DEFAULT 0;

UPDATE service_requests SET
    first_response_target = COALESCE((SELECT t.first_response_minutes FROM sla_targets t
        WHERE t.kind = service_requests.kind AND t.priority = service_requests.priority), 240),
    resolution_target = COALESCE((SELECT t.resolution_minutes FROM sla_targets t
        WHERE t.kind = service_requests.kind AND t.priority = service_requests.priority), 2550);

-- The breach sweep looks for open requests past a due time that were not warned yet.
CREATE INDEX service_requests_first_response_due_idx ON service_requests (first_response_warned_at, first_response_due_at);
CREATE INDEX service_requests_resolution_due_idx ON service_requests (resolution_warned_at, resolution_due_at);

-- Files attached to a request, kept like a customer's or an opportunity's (record_files) and never
-- deleted; each also has an entry on the request's timeline.
CREATE TABLE request_files (
    id {{identity request_files_pkey}},
    subject_kind TEXT NOT NULL CONSTRAINT request_files_subject_kind_check CHECK (subject_kind = 'request'),
    subject_id BIGINT NOT NULL CONSTRAINT request_files_request_fkey REFERENCES service_requests (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content {{bytes}} NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    CONSTRAINT request_files_content_key UNIQUE (subject_kind, subject_id, sha256)
);
