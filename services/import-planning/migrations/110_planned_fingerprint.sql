-- What the last re-plan of everything read (the planning lock's count after it, the day, the
-- catalog's marks and the free stock), hashed: a re-plan that finds the same stops there.
ALTER TABLE planning_runs ADD COLUMN planned_fingerprint TEXT NOT NULL DEFAULT '';
