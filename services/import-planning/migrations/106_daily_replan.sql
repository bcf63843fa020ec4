-- The local day of the last re-plan of everything: promises count from today, so once a day every
-- plan is re-planned (by whichever replica gets there first).
ALTER TABLE planning_runs ADD COLUMN last_full_on TEXT NOT NULL DEFAULT '';
