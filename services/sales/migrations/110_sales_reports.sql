-- A salesperson's daily report (period 2026-12-01) and weekly summary (period 2026-W49, an ISO
-- week Monday to Sunday in Asia/Ho_Chi_Minh). status: draft, submitted. figures holds the
-- assembled figures as JSON, written once at submission so later orders do not change them;
-- empty while a draft (a draft shows live figures). Times are UTC microseconds (0: none).
CREATE TABLE sales_reports (
    id {{identity sales_reports_pkey}},
    kind TEXT NOT NULL CONSTRAINT sales_reports_kind_check CHECK (kind IN ('daily', 'weekly')),
    owner TEXT NOT NULL,
    office TEXT NOT NULL,
    period TEXT NOT NULL,
    status TEXT NOT NULL CONSTRAINT sales_reports_status_check CHECK (status IN ('draft', 'submitted')),
    notes TEXT NOT NULL,
    figures TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT sales_reports_period_key UNIQUE (kind, owner, period)
);

CREATE INDEX sales_reports_office_period_idx ON sales_reports (office, kind, period, id);

-- A rating (1 to 5) and remark per customer visited, kept in the order written.
CREATE TABLE sales_report_evaluations (
    id {{identity sales_report_evaluations_pkey}},
    report_id BIGINT NOT NULL CONSTRAINT sales_report_evaluations_report_fkey REFERENCES sales_reports (id),
    customer_id BIGINT NOT NULL CONSTRAINT sales_report_evaluations_customer_fkey REFERENCES customers (id),
    rating BIGINT NOT NULL CONSTRAINT sales_report_evaluations_rating_check CHECK (rating BETWEEN 1 AND 5),
    remark TEXT NOT NULL
);

CREATE INDEX sales_report_evaluations_report_idx ON sales_report_evaluations (report_id, id);

-- What a competitor offers: product as named by the salesperson, price in VND (0: unknown).
CREATE TABLE sales_report_competitors (
    id {{identity sales_report_competitors_pkey}},
    report_id BIGINT NOT NULL CONSTRAINT sales_report_competitors_report_fkey REFERENCES sales_reports (id),
    competitor TEXT NOT NULL,
    product TEXT NOT NULL,
    price BIGINT NOT NULL CONSTRAINT sales_report_competitors_price_check CHECK (price BETWEEN 0 AND 1000000000000000),
    remark TEXT NOT NULL
);

CREATE INDEX sales_report_competitors_report_idx ON sales_report_competitors (report_id, id);
