//! What the warehouse reads without changing: stock levels and serial units.

use atq_platform::error::Result;
use atq_platform::{Db, Office};

use crate::serial_store::{self, SerialRow};
use crate::stock_store::{self, LevelRow};

/// Stock levels of one product (or all, for 0), optionally in one warehouse.
pub async fn levels(db: &Db, product_id: i64, warehouse: Option<Office>) -> Result<Vec<LevelRow>> {
    stock_store::list_levels(db, product_id.max(0), warehouse).await
}

/// A product's serial units, optionally in one warehouse only.
pub async fn serials(db: &Db, product_id: i64, warehouse: Option<Office>) -> Result<Vec<SerialRow>> {
    serial_store::list_serials(db, product_id, warehouse).await
}
