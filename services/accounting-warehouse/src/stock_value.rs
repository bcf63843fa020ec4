//! The moving-average value of each product's stock. Value comes in with receipts and stocktake
//! surpluses; each product's total is held within the amount bound, so the valuation, the average
//! cost and the inventory account can always be summed and read back.

use atq_platform::error::Result;
use atq_platform::limits::{self, MAX_AMOUNT};
use atq_platform::{Error, Tx};

use crate::stock_store;

/// The value of `quantity` units at `unit_cost`; a field error on `field` past the amount bound.
pub fn line_value(field: &str, quantity: i64, unit_cost: i64) -> Result<i64> {
    limits::line_total(quantity, unit_cost).map_err(|message| Error::invalid(field, message))
}

/// `quantity` units worth `value` come into the product's stock; a field error on `field` (and
/// nothing written) when the product's stock value would pass the amount bound.
pub async fn take_in(tx: &mut Tx, product_id: i64, (quantity, value): (i64, i64), field: &str) -> Result<()> {
    let (_, held) = stock_store::costs(&mut **tx, product_id).await?;
    if held.checked_add(value).is_none_or(|total| total > MAX_AMOUNT) {
        return Err(Error::invalid(
            field,
            format!("would bring the stock value of product {product_id} past {MAX_AMOUNT} đồng"),
        ));
    }
    stock_store::add_value(tx, product_id, quantity, value).await
}
