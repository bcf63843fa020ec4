-- Discussion on sales records. A comment is never edited or deleted (a correction is a new
-- comment); office is the subject's when the comment was written. subject_kind: customer,
-- opportunity, contract, order. Times are UTC microseconds.
CREATE TABLE comments (
    id {{identity comments_pkey}},
    subject_kind TEXT NOT NULL CONSTRAINT comments_subject_kind_check
        CHECK (subject_kind IN ('customer', 'opportunity', 'contract', 'order')),
    subject_id BIGINT NOT NULL,
    office TEXT NOT NULL,
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX comments_subject_idx ON comments (subject_kind, subject_id, id);

-- The colleagues a comment names with @username.
CREATE TABLE comment_mentions (
    comment_id BIGINT NOT NULL CONSTRAINT comment_mentions_comment_fkey REFERENCES comments (id),
    username TEXT NOT NULL,
    CONSTRAINT comment_mentions_pkey PRIMARY KEY (comment_id, username)
);

-- What a person is told about: kind 'mention' today. read_at 0: unread.
CREATE TABLE notifications (
    id {{identity notifications_pkey}},
    username TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    comment_id BIGINT NOT NULL CONSTRAINT notifications_comment_fkey REFERENCES comments (id),
    author TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT NOT NULL
);

CREATE INDEX notifications_username_idx ON notifications (username, read_at, id);

-- Shared documents of a customer or an opportunity, kept like contract files.
CREATE TABLE record_files (
    id {{identity record_files_pkey}},
    subject_kind TEXT NOT NULL CONSTRAINT record_files_subject_kind_check
        CHECK (subject_kind IN ('customer', 'opportunity')),
    subject_id BIGINT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content {{bytes}} NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    CONSTRAINT record_files_content_key UNIQUE (subject_kind, subject_id, sha256)
);
