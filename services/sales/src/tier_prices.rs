//! Which column of the price sheet a customer is quoted from: a dealer with a current tier takes
//! its tier's column, product by product where the sheet prices that tier; everyone else, and a
//! dealer's products the sheet has no tier price for, the column of the customer's group.

use atq_platform::Db;
use atq_platform::catalog::{CatalogReader, SheetPrices};
use atq_platform::error::Result;
use atq_platform::{Caller, Error};
use sqlx::Row;

use crate::customer::CustomerGroup;
use crate::customer_store::CustomerRow;
use crate::tier_rules::Tier;

/// The customer's current tier: its newest tier decision, unless that took the tier away.
pub async fn current_tier(db: &Db, customer_id: i64) -> Result<Option<Tier>> {
    let newest: Option<String> =
        sqlx::query("SELECT tier FROM dealer_tier_history WHERE customer_id = $1 ORDER BY id DESC LIMIT 1")
            .bind(customer_id)
            .fetch_optional(db.pool())
            .await?
            .map(|row| row.try_get("tier"))
            .transpose()?;
    Ok(newest.as_deref().and_then(Tier::parse))
}

/// The column a customer is quoted from first: its tier for a dealer that has one, else its group.
pub fn first_column(group: CustomerGroup, tier: Option<Tier>) -> &'static str {
    match (group, tier) {
        (CustomerGroup::Dealer, Some(tier)) => tier.as_str(),
        _ => group.as_str(),
    }
}

/// Tier prices with the group's filling the products the tier column lacks, when both came from
/// the same sheet; None when they did not (a sheet was published between the two reads).
pub fn merged(tier: SheetPrices, group: Option<SheetPrices>) -> Option<SheetPrices> {
    let Some(group) = group else { return Some(tier) };
    if group.number != tier.number {
        return None;
    }
    let mut prices = tier;
    for (product_id, price) in group.price_net {
        prices.price_net.entry(product_id).or_insert(price);
    }
    Some(prices)
}

/// The sheet prices of these products for the customer (None when no sheet is in force).
pub async fn sheet_prices(
    db: &Db,
    catalog: &CatalogReader,
    caller: &Caller,
    customer: &CustomerRow,
    ids: &[i64],
) -> Result<Option<SheetPrices>, Error> {
    let group = customer.fields.group;
    let tier = if group == CustomerGroup::Dealer { current_tier(db, customer.id).await? } else { None };
    let column = first_column(group, tier);
    if column == group.as_str() {
        return catalog.sheet_prices(caller, column, ids).await;
    }
    let Some(tier_prices) = catalog.sheet_prices(caller, column, ids).await? else { return Ok(None) };
    let missing: Vec<i64> = ids.iter().copied().filter(|id| !tier_prices.price_net.contains_key(id)).collect();
    let group_prices = catalog.sheet_prices(caller, group.as_str(), &missing).await?;
    match merged(tier_prices, group_prices) {
        Some(prices) => Ok(Some(prices)),
        // The sheet changed between the reads: the group's prices of the newer sheet, whole.
        None => catalog.sheet_prices(caller, group.as_str(), ids).await,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn sheet(number: &str, prices: &[(i64, i64)]) -> SheetPrices {
        SheetPrices { number: number.to_owned(), price_net: prices.iter().copied().collect::<HashMap<_, _>>() }
    }

    #[test]
    fn a_dealer_with_a_tier_is_quoted_from_the_tier_column() {
        assert_eq!(first_column(CustomerGroup::Dealer, Some(Tier::Tier1)), "tier1");
        assert_eq!(first_column(CustomerGroup::Dealer, Some(Tier::Distributor)), "distributor");
        assert_eq!(first_column(CustomerGroup::Dealer, None), "dealer");
        // A tier kept from before the customer left the dealer group no longer counts.
        assert_eq!(first_column(CustomerGroup::Project, Some(Tier::Tier2)), "project");
        assert_eq!(first_column(CustomerGroup::Individual, None), "individual");
    }

    #[test]
    fn group_prices_fill_what_the_tier_column_lacks() {
        let tier = sheet("BBG-2026-002", &[(1, 115_000)]);
        let group = sheet("BBG-2026-002", &[(1, 120_000), (2, 240_000)]);
        let prices = merged(tier, Some(group)).unwrap();
        assert_eq!(prices.price_net.get(&1), Some(&115_000));
        assert_eq!(prices.price_net.get(&2), Some(&240_000));
        assert_eq!(prices.number, "BBG-2026-002");
    }

    #[test]
    fn prices_of_two_sheets_are_not_mixed() {
        let tier = sheet("BBG-2026-002", &[(1, 115_000)]);
        assert!(merged(tier.clone(), Some(sheet("BBG-2026-003", &[(2, 1)]))).is_none());
        assert_eq!(merged(tier, None).unwrap().price_net.len(), 1);
    }
}
