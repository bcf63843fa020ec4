-- The price sheet a quote's default prices came from ('' when none was in force).
ALTER TABLE quotes ADD COLUMN price_list TEXT NOT NULL DEFAULT '';
