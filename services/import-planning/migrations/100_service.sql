-- The service's own tables arrive with its first feature; the platform's are in place.
SELECT 1;
