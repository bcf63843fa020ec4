-- What import planning promises for a project order, taken from its event feed. promised_on is a
-- local date (YYYY-MM-DD), empty until the line is planned; supply_note says why it is late.
ALTER TABLE order_lines ADD COLUMN promised_on TEXT NOT NULL DEFAULT '';
ALTER TABLE order_lines ADD COLUMN supply_note TEXT NOT NULL DEFAULT '';
-- The plan that times the order's goods and the newest revision applied, so a replayed older
-- event cannot overwrite a newer promise.
ALTER TABLE orders ADD COLUMN import_plan_number TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN import_plan_revision BIGINT NOT NULL DEFAULT 0;
