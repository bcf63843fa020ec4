-- Records which service owns this database, so a misconfigured URL pointing at a sibling's
-- database is caught at start instead of mixing data.
CREATE TABLE service_identity (
    service TEXT NOT NULL CONSTRAINT service_identity_pkey PRIMARY KEY
);
INSERT INTO service_identity (service) VALUES ('accounting-warehouse');
