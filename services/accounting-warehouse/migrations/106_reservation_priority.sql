-- Arriving goods go to waiting project orders first, soonest needed first: priority is 1 for a
-- project customer's line (0 otherwise) and needed_by the date the customer needs it ('' when
-- not given, served after the dated lines); lines alike are filled in the order they were made.
ALTER TABLE reservation_lines ADD COLUMN priority BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reservation_lines ADD COLUMN needed_by TEXT NOT NULL DEFAULT '';

-- Finds a product's waiting lines in a warehouse; the few found are then sorted with undated
-- lines last, an order no plain index gives.
DROP INDEX reservation_lines_waiting_idx;
CREATE INDEX reservation_lines_waiting_idx ON reservation_lines (product_id, warehouse, waiting, priority, needed_by, id);
