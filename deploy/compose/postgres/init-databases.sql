-- Runs once, when the PostgreSQL volume is empty (docker-entrypoint-initdb.d).
-- Each module owns its own database; a service refuses a database another service claimed.
CREATE DATABASE atq_sales;
CREATE DATABASE atq_import_planning;
CREATE DATABASE atq_accounting_warehouse;
CREATE DATABASE atq_analytics;
CREATE DATABASE atq_gateway;
