//! A sheet compared with the one in force today: each product and column's (group's or dealer
//! tier's) price new, changed, unchanged or dropped.

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::Db;
use atq_platform::business_time::{local_date, now_micros};
use atq_platform::error::Result;
use atq_proto::importplanning::v1 as pb;

use super::{change_e4, column_rank, found};
use crate::price_list_store;

/// A line's place in a sheet: its product, then its column (the groups, then the dealer tiers).
type LineKey = (i64, usize);

fn key(line: &pb::PriceListLine) -> LineKey {
    (line.product_id, column_rank(&line.customer_group))
}

/// Sheet `id` against the sheet in force today (against nothing when it is that sheet).
pub async fn changes(db: &Db, id: i64) -> Result<pb::PriceListChanges> {
    let list = found(db, id).await?;
    let against = match price_list_store::current_id(db, local_date(now_micros())).await? {
        Some(current) if current != list.id => Some(found(db, current).await?),
        _ => None,
    };
    let old: BTreeMap<LineKey, &pb::PriceListLine> =
        against.iter().flat_map(|a| a.lines.iter()).map(|l| (key(l), l)).collect();
    let new: BTreeMap<LineKey, &pb::PriceListLine> = list.lines.iter().map(|l| (key(l), l)).collect();
    let old_products: BTreeSet<i64> = old.keys().map(|(p, _)| *p).collect();
    let new_products: BTreeSet<i64> = new.keys().map(|(p, _)| *p).collect();
    Ok(pb::PriceListChanges {
        id: list.id,
        number: list.number.clone(),
        against_id: against.as_ref().map(|a| a.id).unwrap_or_default(),
        against_number: against.as_ref().map(|a| a.number.clone()).unwrap_or_default(),
        items: price_changes(&old, &new),
        new_products: new_products.difference(&old_products).copied().collect(),
        dropped_products: old_products.difference(&new_products).copied().collect(),
    })
}

fn price_changes(
    old: &BTreeMap<LineKey, &pb::PriceListLine>,
    new: &BTreeMap<LineKey, &pb::PriceListLine>,
) -> Vec<pb::PriceChange> {
    let mut keys: BTreeSet<LineKey> = old.keys().copied().collect();
    keys.extend(new.keys().copied());
    let mut items = Vec::new();
    for k in keys {
        let (before, after) = (old.get(&k), new.get(&k));
        let Some(line) = after.or(before) else { continue };
        let (change, old_price, new_price) = match (before, after) {
            (Some(b), Some(a)) if b.price_net == a.price_net => ("unchanged", b.price_net, a.price_net),
            (Some(b), Some(a)) => ("changed", b.price_net, a.price_net),
            (None, Some(a)) => ("new", 0, a.price_net),
            (Some(b), None) => ("dropped", b.price_net, 0),
            (None, None) => continue,
        };
        let both = before.is_some() && after.is_some();
        items.push(pb::PriceChange {
            product_id: line.product_id,
            model_code: line.model_code.clone(),
            name_vi: line.name_vi.clone(),
            customer_group: line.customer_group.clone(),
            change: change.to_owned(),
            old_price,
            new_price,
            difference: if both { new_price - old_price } else { 0 },
            change_e4: if both { change_e4(old_price, new_price) } else { 0 },
        });
    }
    items
}
