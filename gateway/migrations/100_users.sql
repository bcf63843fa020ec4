-- People who sign in. Passwords are argon2id PHC strings; office is HN, HCM, DL.
CREATE TABLE users (
    id {{identity users_pkey}},
    username TEXT NOT NULL CONSTRAINT users_username_key UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    office TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
