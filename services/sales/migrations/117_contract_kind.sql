-- What a contract is for: 'sale' (a sale to the customer; every contract made before this) or
-- 'dealer' (the terms of a dealership, made when a director approves a dealer-opening request).
ALTER TABLE contracts ADD COLUMN kind TEXT NOT NULL DEFAULT 'sale';

-- The documents of a dealer-opening request (business licence, photos of the shop), kept like a
-- customer's files: once per content, served as uploaded.
CREATE TABLE dealer_application_files (
    id {{identity dealer_application_files_pkey}},
    subject_kind TEXT NOT NULL CONSTRAINT dealer_application_files_subject_kind_check
        CHECK (subject_kind = 'dealer_application'),
    subject_id BIGINT NOT NULL CONSTRAINT dealer_application_files_application_fkey
        REFERENCES dealer_applications (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content {{bytes}} NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    CONSTRAINT dealer_application_files_content_key UNIQUE (subject_kind, subject_id, sha256)
);
