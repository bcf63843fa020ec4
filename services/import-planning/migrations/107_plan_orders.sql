-- The orders a plan serves: a project contract's plan may be delivered through several orders,
-- and what each holds in stock counts for the plan.
CREATE TABLE plan_orders (
    plan_id BIGINT NOT NULL,
    order_ref TEXT NOT NULL,
    CONSTRAINT plan_orders_pkey PRIMARY KEY (plan_id, order_ref)
);

CREATE INDEX plan_orders_order_idx ON plan_orders (order_ref);

INSERT INTO plan_orders (plan_id, order_ref) SELECT id, order_ref FROM import_plans WHERE order_ref <> '';
