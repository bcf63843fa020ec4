-- How each product is bought beyond the supplier's lead time. No row: MOQ 1, pack 1, no reorder
-- point, 14 days of customs and transport.
CREATE TABLE supply_terms (
    product_id BIGINT NOT NULL CONSTRAINT supply_terms_pkey PRIMARY KEY,
    min_order_quantity BIGINT NOT NULL,
    pack_size BIGINT NOT NULL,
    reorder_point BIGINT NOT NULL,
    reorder_quantity BIGINT NOT NULL,
    buffer_days BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- One plan per project contract or order (source_ref). status: open, late, closed.
-- changes: what the latest re-plan moved, protobuf-encoded (atq.importplanning.v1.ImportPlan
-- with only its changes).
CREATE TABLE import_plans (
    id {{identity import_plans_pkey}},
    number TEXT NOT NULL CONSTRAINT import_plans_number_key UNIQUE,
    source_ref TEXT NOT NULL CONSTRAINT import_plans_source_key UNIQUE,
    order_ref TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    customer_name TEXT NOT NULL,
    office TEXT NOT NULL,
    status TEXT NOT NULL,
    revision BIGINT NOT NULL,
    changes {{bytes}} NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX import_plans_status_idx ON import_plans (status, id);

-- The schedule: units of a product needed by a date, and what the latest planning promised.
-- coverage: where the units come from, protobuf-encoded (atq.importplanning.v1.PlannedMilestone).
CREATE TABLE plan_milestones (
    plan_id BIGINT NOT NULL CONSTRAINT plan_milestones_plan_fkey REFERENCES import_plans (id),
    line_no BIGINT NOT NULL,
    milestone_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    needed_by TEXT NOT NULL,
    quantity BIGINT NOT NULL,
    promise_date TEXT NOT NULL,
    late BIGINT NOT NULL,
    reason TEXT NOT NULL,
    coverage {{bytes}} NOT NULL,
    CONSTRAINT plan_milestones_pkey PRIMARY KEY (plan_id, line_no, milestone_no)
);

CREATE INDEX plan_milestones_product_idx ON plan_milestones (product_id, plan_id);

-- What the open plans and reorder points call for; rewritten per product by each re-plan.
-- reason: project or reorder.
CREATE TABLE plan_proposals (
    id {{identity plan_proposals_pkey}},
    product_id BIGINT NOT NULL,
    supplier_id BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    shortfall BIGINT NOT NULL,
    order_by TEXT NOT NULL,
    needed_by TEXT NOT NULL,
    expected_on TEXT NOT NULL,
    reason TEXT NOT NULL
);

CREATE INDEX plan_proposals_product_idx ON plan_proposals (product_id);
CREATE INDEX plan_proposals_supplier_idx ON plan_proposals (supplier_id, order_by);

-- One row: taking it for update makes re-plans run one at a time across replicas.
CREATE TABLE planning_runs (
    id BIGINT NOT NULL CONSTRAINT planning_runs_pkey PRIMARY KEY,
    runs BIGINT NOT NULL
);

INSERT INTO planning_runs (id, runs) VALUES (1, 0);
