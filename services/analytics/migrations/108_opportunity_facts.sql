-- Opportunities from the sales feed, one row each as it stood at its last stage change: what the
-- weighted pipeline of the forecast counts (open stages: value × probability per expected close
-- month). `expected_close_on` is a local ISO date, '' when the event did not carry one (events
-- older than the field). Money is VND.
CREATE TABLE opportunity_facts (
    opportunity_id BIGINT NOT NULL CONSTRAINT opportunity_facts_pkey PRIMARY KEY,
    office TEXT NOT NULL,
    stage TEXT NOT NULL,
    expected_value BIGINT NOT NULL,
    expected_close_on TEXT NOT NULL,
    probability BIGINT NOT NULL,
    -- Feed position of the event applied: an older one changes nothing.
    position BIGINT NOT NULL
);

-- Opportunity events read before this table existed were skipped: read the sales feed again from
-- the start. The other sales projections ignore events they already hold.
UPDATE feed_cursors SET position = 0 WHERE feed = 'sales';
