-- Activities: visits, calls, meetings, emails, tasks and notes of a salesperson (owner), planned
-- then done or cancelled. planned_at, done_at and checked_in_at are UTC microseconds (0: none).
-- contact_id and opportunity_id (0: none) are checked against their tables when written. A
-- check-in position is kept in micro-degrees so equal positions compare equal on every database.
-- office is the customer's office, else the owner's.
CREATE TABLE activities (
    id {{identity activities_pkey}},
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    customer_id BIGINT CONSTRAINT activities_customer_fkey REFERENCES customers (id),
    contact_id BIGINT NOT NULL,
    opportunity_id BIGINT NOT NULL,
    owner TEXT NOT NULL,
    office TEXT NOT NULL,
    planned_at BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL CONSTRAINT activities_duration_check CHECK (duration_minutes BETWEEN 1 AND 1440),
    status TEXT NOT NULL,
    done_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    notes TEXT NOT NULL,
    checked_in_at BIGINT NOT NULL,
    latitude_e6 BIGINT CONSTRAINT activities_latitude_check CHECK (latitude_e6 BETWEEN -90000000 AND 90000000),
    longitude_e6 BIGINT CONSTRAINT activities_longitude_check CHECK (longitude_e6 BETWEEN -180000000 AND 180000000),
    cancel_reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX activities_owner_planned_idx ON activities (owner, planned_at);
CREATE INDEX activities_office_planned_idx ON activities (office, planned_at);
CREATE INDEX activities_customer_done_idx ON activities (customer_id, status, done_at);

-- Private calendar subscriptions: only the SHA-256 (hex) of each token is kept. A person has at
-- most one feed that is not revoked (revoked_at 0).
CREATE TABLE calendar_feeds (
    id {{identity calendar_feeds_pkey}},
    username TEXT NOT NULL,
    office TEXT NOT NULL,
    role TEXT NOT NULL,
    token_sha256 TEXT NOT NULL CONSTRAINT calendar_feeds_token_key UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL
);

CREATE INDEX calendar_feeds_username_idx ON calendar_feeds (username, revoked_at);

-- Public holidays (days off) in Vietnam, by local date. Data, not code: an administrator corrects
-- or extends it when the government announces the year's days off. Tết and the day beside
-- National Day follow each year's notice; 2027's Tết and Giỗ Tổ are the expected dates.
CREATE TABLE public_holidays (
    holiday_on TEXT NOT NULL CONSTRAINT public_holidays_pkey PRIMARY KEY,
    name_vi TEXT NOT NULL,
    name_en TEXT NOT NULL
);

INSERT INTO public_holidays (holiday_on, name_vi, name_en) VALUES
    ('2025-01-01', 'Tết Dương lịch', 'New Year''s Day'),
    ('2025-01-25', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-01-26', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-01-27', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-01-28', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-01-29', 'Tết Nguyên đán (mùng 1)', 'Lunar New Year''s Day'),
    ('2025-01-30', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-01-31', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-02-01', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-02-02', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2025-04-07', 'Giỗ Tổ Hùng Vương', 'Hung Kings Commemoration Day'),
    ('2025-04-30', 'Ngày Giải phóng miền Nam', 'Reunification Day'),
    ('2025-05-01', 'Ngày Quốc tế Lao động', 'International Labour Day'),
    ('2025-09-01', 'Nghỉ lễ Quốc khánh', 'National Day holiday'),
    ('2025-09-02', 'Quốc khánh', 'National Day'),
    ('2026-01-01', 'Tết Dương lịch', 'New Year''s Day'),
    ('2026-02-14', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-02-15', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-02-16', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-02-17', 'Tết Nguyên đán (mùng 1)', 'Lunar New Year''s Day'),
    ('2026-02-18', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-02-19', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-02-20', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-02-21', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-02-22', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2026-04-26', 'Giỗ Tổ Hùng Vương', 'Hung Kings Commemoration Day'),
    ('2026-04-27', 'Nghỉ bù Giỗ Tổ Hùng Vương', 'Hung Kings Commemoration Day (in lieu)'),
    ('2026-04-30', 'Ngày Giải phóng miền Nam', 'Reunification Day'),
    ('2026-05-01', 'Ngày Quốc tế Lao động', 'International Labour Day'),
    ('2026-09-01', 'Nghỉ lễ Quốc khánh', 'National Day holiday'),
    ('2026-09-02', 'Quốc khánh', 'National Day'),
    ('2027-01-01', 'Tết Dương lịch', 'New Year''s Day'),
    ('2027-02-05', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2027-02-06', 'Tết Nguyên đán (mùng 1)', 'Lunar New Year''s Day'),
    ('2027-02-07', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2027-02-08', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2027-02-09', 'Nghỉ Tết Nguyên đán', 'Lunar New Year holiday'),
    ('2027-02-10', 'Nghỉ bù Tết Nguyên đán', 'Lunar New Year holiday (in lieu)'),
    ('2027-04-16', 'Giỗ Tổ Hùng Vương', 'Hung Kings Commemoration Day'),
    ('2027-04-30', 'Ngày Giải phóng miền Nam', 'Reunification Day'),
    ('2027-05-01', 'Ngày Quốc tế Lao động', 'International Labour Day'),
    ('2027-05-03', 'Nghỉ bù Ngày Quốc tế Lao động', 'International Labour Day (in lieu)'),
    ('2027-09-02', 'Quốc khánh', 'National Day'),
    ('2027-09-03', 'Nghỉ lễ Quốc khánh', 'National Day holiday');
