-- Stock reserved for orders. A line reserves what is available; the rest waits and is filled in
-- the order lines were made (their id), as goods arrive or other orders release theirs.
CREATE TABLE reservations (
    order_ref TEXT NOT NULL CONSTRAINT reservations_pkey PRIMARY KEY,
    warehouse TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE reservation_lines (
    id {{identity reservation_lines_pkey}},
    order_ref TEXT NOT NULL CONSTRAINT reservation_lines_order_fkey REFERENCES reservations (order_ref),
    line_no BIGINT NOT NULL,
    product_id BIGINT NOT NULL,
    warehouse TEXT NOT NULL,
    requested BIGINT NOT NULL,
    reserved BIGINT NOT NULL,
    waiting BIGINT NOT NULL,
    CONSTRAINT reservation_lines_order_line_key UNIQUE (order_ref, line_no),
    CONSTRAINT reservation_lines_within_request CHECK (reserved >= 0 AND reserved <= requested)
);

-- Finds the oldest waiting lines of a product in a warehouse.
CREATE INDEX reservation_lines_waiting_idx ON reservation_lines (product_id, warehouse, waiting, id);
