//! Warranty by serial number and warranty cases (issue: service and care). Import planning owns
//! the cases; serials, shipments and stock moves are the accounting-warehouse's, asked for over
//! gRPC (`units.rs`), never read from its tables.
//!
//! Layers as elsewhere: `api.rs` authorises and translates; `cases.rs`, `decisions.rs` and
//! `lookup.rs` hold the rules; `coverage.rs` is the warranty arithmetic; SQL lives in `store.rs`.

mod api;
pub mod cases;
pub mod coverage;
pub mod decisions;
mod events;
pub mod lookup;
pub mod store;
pub mod units;

use atq_platform::Db;
use atq_platform::settings::ServiceSettings;

pub use api::WarrantyApi;

/// The gRPC service's handler, with its own channel to the accounting-warehouse.
pub fn api(settings: &ServiceSettings, db: &Db) -> anyhow::Result<WarrantyApi> {
    let units = units::Units::new(&settings.peers.accounting_warehouse, settings.internal_key.clone())?;
    Ok(WarrantyApi { warranty: cases::Warranty { db: db.clone(), units } })
}
