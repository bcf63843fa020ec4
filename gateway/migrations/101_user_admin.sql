-- User administration: contact details, a temporary password to change at the next sign-in, the
-- language the person chose, a version for concurrent edits; who changed what; refresh tokens.
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE user_changes (
    id {{identity user_changes_pkey}},
    user_id BIGINT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX user_changes_user ON user_changes (user_id, id);

-- Only a hash of each refresh token is kept; a used one is revoked and replaced.
CREATE TABLE refresh_tokens (
    id {{identity refresh_tokens_pkey}},
    token_hash TEXT NOT NULL CONSTRAINT refresh_tokens_token_hash_key UNIQUE,
    user_id BIGINT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
