-- Sales targets: per salesperson (scope person, owner the username) or per office (scope office,
-- owner ''), for a local month '2026-11', quarter '2026-Q4' or year '2026'. category names a
-- product category for category_revenue and is '' otherwise. Revenue targets are VND up to 10^15;
-- counts (new customers, visits) up to 10^6. An office target is its own figure, not the sum of
-- its people's.
CREATE TABLE sales_targets (
    id {{identity sales_targets_pkey}},
    scope TEXT NOT NULL CONSTRAINT sales_targets_scope_check CHECK (scope IN ('person', 'office')),
    owner TEXT NOT NULL,
    office TEXT NOT NULL,
    period TEXT NOT NULL,
    metric TEXT NOT NULL
        CONSTRAINT sales_targets_metric_check CHECK (metric IN ('revenue', 'new_customers', 'visits', 'category_revenue')),
    category TEXT NOT NULL,
    target BIGINT NOT NULL CONSTRAINT sales_targets_target_check CHECK (
        target >= 0 AND target <= 1000000000000000
        AND (metric IN ('revenue', 'category_revenue') OR target <= 1000000)),
    set_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT sales_targets_key UNIQUE (scope, owner, office, period, metric, category)
);

CREATE INDEX sales_targets_period_idx ON sales_targets (period, office, id);
