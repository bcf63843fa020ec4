-- Records which service owns this database, so a misconfigured URL pointing at a sibling's
-- database is caught at start instead of mixing data.
CREATE TABLE service_identity (
    service TEXT NOT NULL CONSTRAINT service_identity_pkey PRIMARY KEY
);
INSERT INTO service_identity (service) VALUES ('gateway');

-- People who sign in. Passwords are argon2id PHC strings; office is HN, HCM, DL.
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL CONSTRAINT users_username_key UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    office TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
