#![allow(clippy::unwrap_used)]

//! End-to-end tests: the real system in-process, on SQLite by default and on PostgreSQL when
//! `ATQ_TEST_POSTGRES_URL` is set.

mod access;
mod accounting;
mod allocation;
mod backup;
mod catalog;
mod contracts;
mod costing;
mod crm_activities;
mod crm_contacts;
mod crm_discussion;
mod crm_leads;
mod crm_opportunities;
mod crm_reports;
mod crm_targets;
mod customers;
mod demo_company;
mod dispatch;
mod hardening_accounting;
mod hardening_gateway;
mod hardening_sales;
mod import_plans;
mod imports;
mod messages;
mod operations;
mod orders;
mod price_lists;
mod printing;
mod printing_returns;
mod quotes;
mod reports;
mod reservations;
mod returns;
mod schema;
mod search;
mod stock;
mod supplier_performance;
mod users;
mod web_accounts;
mod web_back_office;
mod web_contracts;
mod web_costing;
mod web_crm_discussion;
mod web_pages;
