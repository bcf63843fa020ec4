-- Care campaigns: holiday gifts (company anniversary, 14/2, 8/3, 20/11, Tết), promotion
-- announcements, satisfaction calls and events, each for one or more offices. offices holds the
-- office codes between commas (',HN,HCM,') so a scoped reader matches its own with LIKE. starts_on
-- and ends_on are local dates YYYY-MM-DD. cost is VND up to 10^15. occasion is '' unless the kind
-- is holiday_gift.
CREATE TABLE campaigns (
    id {{identity campaigns_pkey}},
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    occasion TEXT NOT NULL,
    offices TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    cost BIGINT NOT NULL CONSTRAINT campaigns_cost_check CHECK (cost >= 0 AND cost <= 1000000000000000),
    status TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX campaigns_status_idx ON campaigns (status, id);

-- The customers a campaign reaches; a customer is a member once. status moves forward only:
-- planned, contacted, gift_sent, responded, bought.
CREATE TABLE campaign_members (
    campaign_id BIGINT NOT NULL CONSTRAINT campaign_members_campaign_fkey REFERENCES campaigns (id),
    customer_id BIGINT NOT NULL CONSTRAINT campaign_members_customer_fkey REFERENCES customers (id),
    status TEXT NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT campaign_members_pkey PRIMARY KEY (campaign_id, customer_id)
);

-- The reminder activities made by a run, one per local date, customer, contact (0: none) and
-- reason (follow_up, birthday), so running a date again makes none twice.
CREATE TABLE care_reminders (
    reminder_on TEXT NOT NULL,
    customer_id BIGINT NOT NULL,
    contact_id BIGINT NOT NULL,
    reason TEXT NOT NULL,
    activity_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT care_reminders_pkey PRIMARY KEY (reminder_on, customer_id, contact_id, reason)
);
