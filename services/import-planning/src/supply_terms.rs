//! Supply terms: each product's minimum order, pack size, reorder point and buffer days, which
//! the planner works with. New terms re-plan their products.

use std::collections::BTreeSet;

use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Db, Error, Tx};
use atq_proto::importplanning::v1 as pb;

use crate::import_plan::MAX_QUANTITY;
use crate::plan_store;
use crate::product_store;
use crate::replanning::Planning;

const MAX_TERMS: usize = 5_000;

/// Checks new supply terms: known products, each once, quantities and days in range.
pub async fn check(db: &Db, terms: &[pb::SupplyTerms]) -> Result<BTreeSet<i64>> {
    let mut v = Violations::new();
    if terms.is_empty() {
        v.add("terms", "at least one product's terms are required");
    } else if terms.len() > MAX_TERMS {
        return Err(Error::invalid("terms", format!("at most {MAX_TERMS} at once")));
    }
    let ids: Vec<i64> = terms.iter().map(|t| t.product_id).collect();
    let known: BTreeSet<i64> = product_store::find_many(db, &ids).await?.into_iter().map(|p| p.id).collect();
    let mut seen = BTreeSet::new();
    for (i, terms) in terms.iter().enumerate() {
        if !known.contains(&terms.product_id) {
            v.add(format!("terms[{i}].product_id"), "no product in the catalog has this id");
        } else if !seen.insert(terms.product_id) {
            v.add(format!("terms[{i}].product_id"), "is given twice");
        }
        check_ranges(&mut v, i, terms);
    }
    v.finish()?;
    Ok(seen)
}

fn check_ranges(v: &mut Violations, i: usize, terms: &pb::SupplyTerms) {
    let field = |name: &str| format!("terms[{i}].{name}");
    if !(1..=MAX_QUANTITY).contains(&terms.min_order_quantity) {
        v.add(field("min_order_quantity"), format!("must be 1 to {MAX_QUANTITY}"));
    }
    if !(1..=MAX_QUANTITY).contains(&terms.pack_size) {
        v.add(field("pack_size"), format!("must be 1 to {MAX_QUANTITY}"));
    }
    if !(0..=MAX_QUANTITY).contains(&terms.reorder_point) {
        v.add(field("reorder_point"), format!("must be 0 to {MAX_QUANTITY}"));
    }
    if !(0..=MAX_QUANTITY).contains(&terms.reorder_quantity) {
        v.add(field("reorder_quantity"), format!("must be 0 to {MAX_QUANTITY}"));
    }
    if !(0..=365).contains(&terms.buffer_days) {
        v.add(field("buffer_days"), "must be 0 to 365");
    }
}

/// Stores checked terms of `products` and re-plans them: new pack sizes or buffers change what
/// the plans call for.
pub async fn set(
    planning: &Planning,
    tx: &mut Tx,
    terms: &[pb::SupplyTerms],
    products: BTreeSet<i64>,
    by: &str,
) -> Result<()> {
    Planning::lock(tx).await?;
    for terms in terms {
        plan_store::set_terms(tx, terms, by).await?;
    }
    planning.run_for(tx, products).await?;
    Ok(())
}
