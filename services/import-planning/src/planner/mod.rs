//! The import planner: nets each product's project milestones against the units already reserved
//! for them, free stock and open supplier orders, earliest need first, and proposes supplier
//! orders for what is left and for products down to their reorder point. Pure: the caller loads
//! the input and stores the outcome.
//!
//! Products are independent. Every product with demand, supply or terms in the input is planned,
//! so a caller re-planning a few products passes their terms, demands and supplies only: a
//! product given terms but no supply is taken to hold nothing.

use std::collections::HashMap;

use chrono::NaiveDate;

mod product;

use product::Product;

/// A product's purchasing terms with its supplier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    pub supplier_id: i64,
    pub lead_time_days: i64,
    /// Customs clearance and domestic transport after the supplier ships.
    pub buffer_days: i64,
    pub min_order_quantity: i64,
    pub pack_size: i64,
    /// 0: the product is only bought for projects.
    pub reorder_point: i64,
    /// 0: order up to twice the reorder point.
    pub reorder_quantity: i64,
}

/// One delivery milestone of an import plan line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Demand {
    pub plan_id: i64,
    pub line_no: i32,
    pub milestone_no: i32,
    pub product_id: i64,
    pub needed_by: NaiveDate,
    pub quantity: i64,
    /// Units already held in stock for this milestone (the order's own reservation); they cover it first.
    pub reserved: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    Reserved,
    Stock,
    /// An open supplier order, by number (e.g. "DMH-2026-0003").
    PurchaseOrder(String),
    /// A supplier order this plan proposes.
    Proposal,
}

/// Units of a product that become available on a date: free stock or an open supplier order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Supply {
    pub product_id: i64,
    pub available_on: NaiveDate,
    pub quantity: i64,
    pub source: Source,
}

#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    pub today: NaiveDate,
    /// By product id.
    pub terms: &'a HashMap<i64, Terms>,
    pub demands: &'a [Demand],
    pub supplies: &'a [Supply],
}

/// Part of a milestone covered by one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    pub source: Source,
    pub quantity: i64,
    pub available_on: NaiveDate,
}

/// A milestone with the sources that cover it and the date it can be delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub plan_id: i64,
    pub line_no: i32,
    pub milestone_no: i32,
    pub product_id: i64,
    pub needed_by: NaiveDate,
    pub quantity: i64,
    pub promise_date: NaiveDate,
    pub late: bool,
    /// Empty unless late.
    pub reason: String,
    pub coverage: Vec<Cover>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Why {
    /// A milestone's shortfall.
    Project,
    /// The product is down to its reorder point.
    Reorder,
}

/// A supplier order to place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub product_id: i64,
    pub supplier_id: i64,
    /// The shortfall raised to the minimum order and a whole number of packs.
    pub quantity: i64,
    pub shortfall: i64,
    pub order_by: NaiveDate,
    pub needed_by: NaiveDate,
    pub expected_on: NaiveDate,
    pub why: Why,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// By (plan_id, line_no, milestone_no).
    pub planned: Vec<Planned>,
    /// By (supplier_id, order_by, product_id).
    pub proposals: Vec<Proposal>,
}

/// Plans every product with demand, supply or terms in the input.
pub fn plan(input: &Input) -> Outcome {
    let demand_order = sorted_demands(input.demands);
    let supply_order = sorted_supplies(input.supplies);
    let mut outcome = Outcome { planned: Vec::with_capacity(input.demands.len()), proposals: Vec::new() };
    let planned = plan_products(input, &demand_order, &supply_order, &mut outcome);
    plan_idle_products(input, &planned, &mut outcome.proposals);
    outcome.planned.sort_unstable_by_key(|p| (p.plan_id, p.line_no, p.milestone_no, p.product_id, p.needed_by));
    // Stable: proposals alike in every key keep the order they were made in.
    outcome.proposals.sort_by_key(|p| (p.supplier_id, p.order_by, p.product_id, p.needed_by, p.why));
    outcome
}

/// Every product with demand or supply, walking both sorted lists together. Returns the
/// products planned, in ascending order.
fn plan_products(input: &Input, demand_order: &[usize], supply_order: &[usize], outcome: &mut Outcome) -> Vec<i64> {
    let (mut demands, mut supplies) = (demand_order, supply_order);
    let mut planned = Vec::new();
    loop {
        let next_demand = demands.first().map(|&i| input.demands[i].product_id);
        let next_supply = supplies.first().map(|&i| input.supplies[i].product_id);
        let product_id = match (next_demand, next_supply) {
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => return planned,
        };
        // Both are sorted by product and this is the smallest left, so its entries lead.
        let (its_demands, rest) = demands.split_at(lead_of(demands, product_id, |i| input.demands[i].product_id));
        demands = rest;
        let (its_supplies, rest) = supplies.split_at(lead_of(supplies, product_id, |i| input.supplies[i].product_id));
        supplies = rest;
        let product = Product { today: input.today, id: product_id, terms: input.terms.get(&product_id) };
        product.plan(input, its_demands, its_supplies, outcome);
        planned.push(product_id);
    }
}

/// How many entries at the front of `order` are `product_id`'s. A scan, not a binary search:
/// they are read next anyway, while probing the whole list misses the cache.
fn lead_of(order: &[usize], product_id: i64, product_of: impl Fn(usize) -> i64) -> usize {
    order.iter().position(|&i| product_of(i) != product_id).unwrap_or(order.len())
}

/// Products known only by their terms hold nothing, so only their reorder point can call for an
/// order. `planned` is sorted.
fn plan_idle_products(input: &Input, planned: &[i64], proposals: &mut Vec<Proposal>) {
    for (&product_id, terms) in input.terms {
        if terms.reorder_point <= 0 || planned.binary_search(&product_id).is_ok() {
            continue;
        }
        let product = Product { today: input.today, id: product_id, terms: Some(terms) };
        proposals.extend(product.reorder(terms, 0));
    }
}

/// Demand indices by product, then need: (needed_by, plan_id, line_no, milestone_no).
fn sorted_demands(demands: &[Demand]) -> Vec<usize> {
    let mut keyed: Vec<_> = demands
        .iter()
        .enumerate()
        .map(|(i, d)| (d.product_id, d.needed_by, d.plan_id, d.line_no, d.milestone_no, i))
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|key| key.5).collect()
}

/// Supply indices by product, then availability: date, stock before supplier orders, number.
fn sorted_supplies(supplies: &[Supply]) -> Vec<usize> {
    let mut keyed: Vec<_> = supplies
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (rank, number) = source_rank(&s.source);
            (s.product_id, s.available_on, rank, number, i)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|key| key.4).collect()
}

fn source_rank(source: &Source) -> (u8, &str) {
    match source {
        Source::Reserved => (0, ""),
        Source::Stock => (1, ""),
        Source::PurchaseOrder(number) => (2, number),
        Source::Proposal => (3, ""),
    }
}

/// Negative quantities count as none.
pub(crate) fn units(quantity: i64) -> i64 {
    quantity.max(0)
}

/// Days from placing an order to having the goods: supplier lead time, then customs and transport.
pub(crate) fn transit_days(terms: &Terms) -> i64 {
    terms.lead_time_days.max(0).saturating_add(terms.buffer_days.max(0))
}

/// `wanted` raised to the minimum order, then up to a whole number of packs.
pub(crate) fn order_quantity(terms: &Terms, wanted: i64) -> i64 {
    let (minimum, pack) = (terms.min_order_quantity.max(1), terms.pack_size.max(1));
    let wanted = wanted.max(minimum);
    let packs = wanted / pack + i64::from(wanted % pack != 0);
    packs.saturating_mul(pack)
}

#[cfg(test)]
mod tests;
