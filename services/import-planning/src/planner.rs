//! The import planner: nets each product's project milestones against the units already reserved
//! for them, free stock and open supplier orders, earliest need first, and proposes supplier
//! orders for what is left and for products down to their reorder point. Pure: the caller loads
//! the input and stores the outcome.
//!
//! Products are independent. Every product with demand, supply or terms in the input is planned,
//! so a caller re-planning a few products passes their terms, demands and supplies only: a
//! product given terms but no supply is taken to hold nothing.

use std::collections::HashMap;

use atq_platform::business_time::add_days;
use chrono::NaiveDate;

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
fn units(quantity: i64) -> i64 {
    quantity.max(0)
}

/// Days from placing an order to having the goods: supplier lead time, then customs and transport.
fn transit_days(terms: &Terms) -> i64 {
    terms.lead_time_days.max(0).saturating_add(terms.buffer_days.max(0))
}

/// `wanted` raised to the minimum order, then up to a whole number of packs.
fn order_quantity(terms: &Terms, wanted: i64) -> i64 {
    let (minimum, pack) = (terms.min_order_quantity.max(1), terms.pack_size.max(1));
    let wanted = wanted.max(minimum);
    let packs = wanted / pack + i64::from(wanted % pack != 0);
    packs.saturating_mul(pack)
}

/// One product's supplies, handed out earliest first, then the surplus of its last proposal.
struct Pool<'a> {
    supplies: &'a [Supply],
    /// Indices into `supplies`, in availability order.
    order: &'a [usize],
    /// Position in `order` of the supply being drawn on.
    at: usize,
    /// Units left of that supply.
    left: i64,
    surplus: i64,
    surplus_on: NaiveDate,
}

impl<'a> Pool<'a> {
    fn new(supplies: &'a [Supply], order: &'a [usize], today: NaiveDate) -> Self {
        let left = order.first().map_or(0, |&i| units(supplies[i].quantity));
        Pool { supplies, order, at: 0, left, surplus: 0, surplus_on: today }
    }

    /// Up to `want` units from the earliest source that has any.
    fn take(&mut self, want: i64) -> Option<Cover> {
        while self.left == 0 {
            let Some(&i) = self.order.get(self.at + 1) else { return self.take_surplus(want) };
            self.at += 1;
            self.left = units(self.supplies[i].quantity);
        }
        let supply = &self.supplies[self.order[self.at]];
        let quantity = want.min(self.left);
        self.left -= quantity;
        Some(Cover { source: supply.source.clone(), quantity, available_on: supply.available_on })
    }

    fn take_surplus(&mut self, want: i64) -> Option<Cover> {
        if self.surplus == 0 {
            return None;
        }
        let quantity = want.min(self.surplus);
        self.surplus -= quantity;
        Some(Cover { source: Source::Proposal, quantity, available_on: self.surplus_on })
    }

    /// A proposal's units beyond its shortfall; only made once everything else is taken.
    fn carry(&mut self, surplus: i64, available_on: NaiveDate) {
        if surplus > 0 {
            self.surplus = self.surplus.saturating_add(surplus);
            self.surplus_on = available_on;
        }
    }

    /// Units left over: free stock, open supplier orders and proposal surplus.
    fn position(&self) -> i64 {
        let later = self.order.iter().skip(self.at + 1).map(|&i| units(self.supplies[i].quantity));
        later.fold(self.left.saturating_add(self.surplus), i64::saturating_add)
    }
}

/// The product being planned.
struct Product<'a> {
    today: NaiveDate,
    id: i64,
    terms: Option<&'a Terms>,
}

impl Product<'_> {
    fn plan(&self, input: &Input, demands: &[usize], supplies: &[usize], outcome: &mut Outcome) {
        let mut pool = Pool::new(input.supplies, supplies, self.today);
        for &i in demands {
            let planned = self.cover(&input.demands[i], &mut pool, &mut outcome.proposals);
            outcome.planned.push(planned);
        }
        if let Some(proposal) = self.terms.and_then(|terms| self.reorder(terms, pool.position())) {
            outcome.proposals.push(proposal);
        }
    }

    /// Covers a milestone from its reservation, then the pool, then a new proposal.
    fn cover(&self, demand: &Demand, pool: &mut Pool, proposals: &mut Vec<Proposal>) -> Planned {
        let quantity = units(demand.quantity);
        let reserved = units(demand.reserved).min(quantity);
        let mut coverage = Vec::new();
        if reserved > 0 {
            coverage.push(Cover { source: Source::Reserved, quantity: reserved, available_on: self.today });
        }
        let mut open = quantity - reserved;
        while open > 0 {
            let Some(cover) = pool.take(open) else { break };
            open -= cover.quantity;
            coverage.push(cover);
        }
        let uncovered = open > 0 && self.terms.is_none();
        if let Some(terms) = self.terms.filter(|_| open > 0) {
            let proposal = self.project_proposal(terms, demand.needed_by, open);
            // Rounding up leaves units over for the product's later milestones.
            pool.carry(proposal.quantity - open, proposal.expected_on);
            coverage.push(Cover { source: Source::Proposal, quantity: open, available_on: proposal.expected_on });
            proposals.push(proposal);
        }
        self.planned(demand, quantity, coverage, uncovered)
    }

    /// The milestone promised on its latest cover's date; late for that cover's cause, or for
    /// want of terms when part of it cannot be covered at all.
    fn planned(&self, demand: &Demand, quantity: i64, coverage: Vec<Cover>, uncovered: bool) -> Planned {
        // The last of equals: the cover taken last is the one waited for.
        let latest = coverage.iter().max_by_key(|cover| cover.available_on);
        let promise_date = latest.map_or(self.today, |cover| cover.available_on);
        let reason = match latest {
            _ if uncovered => format!("no supplier terms for product {}", self.id),
            Some(cover) if promise_date > demand.needed_by => self.late_reason(cover, demand.needed_by),
            None if promise_date > demand.needed_by => self.passed(demand.needed_by),
            _ => String::new(),
        };
        Planned {
            plan_id: demand.plan_id,
            line_no: demand.line_no,
            milestone_no: demand.milestone_no,
            product_id: demand.product_id,
            needed_by: demand.needed_by,
            quantity,
            promise_date,
            late: !reason.is_empty(),
            reason,
            coverage,
        }
    }

    fn late_reason(&self, cover: &Cover, needed_by: NaiveDate) -> String {
        match (&cover.source, self.terms) {
            (Source::PurchaseOrder(number), _) => format!("waits for {number}, expected {}", cover.available_on),
            (Source::Proposal, Some(terms)) => self.proposal_reason(terms, needed_by, cover.available_on),
            (Source::Proposal, None) => format!("waits for a proposed order, expected {}", cover.available_on),
            (Source::Stock, _) if cover.available_on > self.today => {
                format!("waits for stock, expected {}", cover.available_on)
            }
            (Source::Reserved | Source::Stock, _) => self.passed(needed_by),
        }
    }

    fn passed(&self, needed_by: NaiveDate) -> String {
        format!("needed-by date {needed_by} was before today, {}", self.today)
    }

    fn proposal_reason(&self, terms: &Terms, needed_by: NaiveDate, arrival: NaiveDate) -> String {
        let order_by = add_days(needed_by, -transit_days(terms));
        if order_by >= self.today {
            return format!("waits for a proposed order, expected {arrival}");
        }
        format!(
            "order-by date {order_by} has passed: {} days supplier lead time + {} days customs and transport; \
             earliest arrival {arrival}",
            terms.lead_time_days.max(0),
            terms.buffer_days.max(0)
        )
    }

    /// An order for a milestone's shortfall: placed in time to arrive when needed, or today.
    fn project_proposal(&self, terms: &Terms, needed_by: NaiveDate, shortfall: i64) -> Proposal {
        let transit = transit_days(terms);
        let order_by = add_days(needed_by, -transit);
        let expected_on = if order_by >= self.today { needed_by } else { add_days(self.today, transit) };
        Proposal {
            product_id: self.id,
            supplier_id: terms.supplier_id,
            quantity: order_quantity(terms, shortfall),
            shortfall,
            order_by,
            needed_by,
            expected_on,
            why: Why::Project,
        }
    }

    /// An order placed today when what is left over is at or below the reorder point.
    fn reorder(&self, terms: &Terms, position: i64) -> Option<Proposal> {
        let point = terms.reorder_point;
        if point <= 0 || position > point {
            return None;
        }
        let wanted = match terms.reorder_quantity {
            fixed if fixed > 0 => fixed,
            _ => point.saturating_mul(2).saturating_sub(position).max(1),
        };
        let arrival = add_days(self.today, transit_days(terms));
        Some(Proposal {
            product_id: self.id,
            supplier_id: terms.supplier_id,
            quantity: order_quantity(terms, wanted),
            shortfall: point.saturating_sub(position).saturating_add(1).max(1),
            order_by: self.today,
            needed_by: arrival,
            expected_on: arrival,
            why: Why::Reorder,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn terms(supplier_id: i64, lead_time_days: i64, buffer_days: i64) -> Terms {
        Terms {
            supplier_id,
            lead_time_days,
            buffer_days,
            min_order_quantity: 1,
            pack_size: 1,
            reorder_point: 0,
            reorder_quantity: 0,
        }
    }

    fn demand(plan_id: i64, product_id: i64, needed_by: &str, quantity: i64) -> Demand {
        Demand { plan_id, line_no: 1, milestone_no: 1, product_id, needed_by: day(needed_by), quantity, reserved: 0 }
    }

    fn stock(product_id: i64, on: &str, quantity: i64) -> Supply {
        Supply { product_id, available_on: day(on), quantity, source: Source::Stock }
    }

    fn po(product_id: i64, number: &str, on: &str, quantity: i64) -> Supply {
        Supply { product_id, available_on: day(on), quantity, source: Source::PurchaseOrder(number.into()) }
    }

    fn cover(source: Source, quantity: i64, on: &str) -> Cover {
        Cover { source, quantity, available_on: day(on) }
    }

    fn number(text: &str) -> Source {
        Source::PurchaseOrder(text.into())
    }

    fn run(today: &str, terms: &[(i64, Terms)], demands: &[Demand], supplies: &[Supply]) -> Outcome {
        let terms: HashMap<i64, Terms> = terms.iter().cloned().collect();
        plan(&Input { today: day(today), terms: &terms, demands, supplies })
    }

    fn of_plan(outcome: &Outcome, plan_id: i64) -> &Planned {
        outcome.planned.iter().find(|p| p.plan_id == plan_id).unwrap()
    }

    #[test]
    fn planner_nets_against_stock_then_purchase_orders_in_time_order() {
        let demands = [demand(2, 1, "2027-01-15", 12), demand(1, 1, "2026-12-10", 8)];
        let supplies = [
            po(1, "DMH-2026-0001", "2026-12-01", 15),
            stock(1, "2026-11-02", 10),
            po(1, "DMH-2026-0002", "2026-11-20", 5),
        ];
        let outcome = run("2026-11-02", &[(1, terms(5, 60, 14))], &demands, &supplies);

        let first = of_plan(&outcome, 1);
        assert_eq!(first.coverage, vec![cover(Source::Stock, 8, "2026-11-02")]);
        assert_eq!((first.promise_date, first.late, first.reason.as_str()), (day("2026-11-02"), false, ""));
        let second = of_plan(&outcome, 2);
        assert_eq!(
            second.coverage,
            vec![
                cover(Source::Stock, 2, "2026-11-02"),
                cover(number("DMH-2026-0002"), 5, "2026-11-20"),
                cover(number("DMH-2026-0001"), 5, "2026-12-01"),
            ]
        );
        assert_eq!((second.promise_date, second.late), (day("2026-12-01"), false));
        assert!(outcome.proposals.is_empty());
    }

    #[test]
    fn planner_orders_by_needed_by_less_lead_time_and_buffer() {
        let outcome = run("2026-07-01", &[(1, terms(5, 60, 14))], &[demand(1, 1, "2026-12-15", 5)], &[]);

        let expected = Proposal {
            product_id: 1,
            supplier_id: 5,
            quantity: 5,
            shortfall: 5,
            order_by: day("2026-10-02"),
            needed_by: day("2026-12-15"),
            expected_on: day("2026-12-15"),
            why: Why::Project,
        };
        assert_eq!(outcome.proposals, vec![expected]);
        let planned = &outcome.planned[0];
        assert_eq!(planned.coverage, vec![cover(Source::Proposal, 5, "2026-12-15")]);
        assert_eq!((planned.promise_date, planned.late), (day("2026-12-15"), false));
    }

    #[test]
    fn planner_makes_a_line_late_when_its_order_by_date_has_passed() {
        let outcome = run("2026-11-23", &[(1, terms(5, 60, 14))], &[demand(1, 1, "2026-12-15", 5)], &[]);

        let planned = &outcome.planned[0];
        assert!(planned.late);
        assert_eq!(planned.promise_date, day("2027-02-05"));
        assert_eq!(
            planned.reason,
            "order-by date 2026-10-02 has passed: 60 days supplier lead time + 14 days customs and transport; \
             earliest arrival 2027-02-05"
        );
        let proposal = &outcome.proposals[0];
        assert_eq!((proposal.order_by, proposal.expected_on), (day("2026-10-02"), day("2027-02-05")));
    }

    #[test]
    fn planner_waits_for_a_late_purchase_order() {
        let supplies = [po(1, "DMH-2026-0003", "2027-03-18", 10)];
        let outcome = run("2026-11-02", &[(1, terms(5, 30, 7))], &[demand(1, 1, "2027-03-01", 10)], &supplies);

        let planned = &outcome.planned[0];
        assert_eq!(planned.coverage, vec![cover(number("DMH-2026-0003"), 10, "2027-03-18")]);
        assert_eq!((planned.promise_date, planned.late), (day("2027-03-18"), true));
        assert_eq!(planned.reason, "waits for DMH-2026-0003, expected 2027-03-18");
        assert!(outcome.proposals.is_empty());
    }

    #[test]
    fn planner_gives_the_reason_of_the_latest_cover() {
        let supplies = [stock(1, "2027-02-01", 2), po(1, "DMH-2027-0001", "2027-03-18", 3)];
        let outcome = run("2027-02-01", &[(1, terms(5, 60, 14))], &[demand(1, 1, "2027-03-01", 10)], &supplies);

        let planned = &outcome.planned[0];
        assert_eq!(planned.promise_date, day("2027-04-16"));
        assert!(planned.reason.starts_with("order-by date 2026-12-17 has passed"), "{}", planned.reason);
    }

    #[test]
    fn planner_rounds_to_minimum_and_packs_and_carries_the_surplus() {
        let mut rounded = terms(5, 10, 5);
        (rounded.min_order_quantity, rounded.pack_size) = (12, 5);
        let demands = [demand(1, 1, "2027-01-10", 3), demand(2, 1, "2027-02-10", 9), demand(3, 1, "2027-03-10", 5)];
        let outcome = run("2026-11-02", &[(1, rounded)], &demands, &[]);

        let made: Vec<_> = outcome.proposals.iter().map(|p| (p.quantity, p.shortfall, p.needed_by)).collect();
        assert_eq!(made, vec![(15, 3, day("2027-01-10")), (15, 2, day("2027-03-10"))]);
        assert_eq!(of_plan(&outcome, 2).coverage, vec![cover(Source::Proposal, 9, "2027-01-10")]);
        assert_eq!(
            of_plan(&outcome, 3).coverage,
            vec![cover(Source::Proposal, 3, "2027-01-10"), cover(Source::Proposal, 2, "2027-03-10")]
        );
        assert!(outcome.planned.iter().all(|p| !p.late));
    }

    #[test]
    fn planner_covers_from_the_reservation_first() {
        let mut partly = demand(1, 1, "2026-12-01", 10);
        partly.reserved = 4;
        let mut over = demand(2, 1, "2027-01-01", 3);
        over.reserved = 7;
        let outcome = run("2026-11-02", &[(1, terms(5, 10, 5))], &[partly, over], &[stock(1, "2026-11-02", 5)]);

        assert_eq!(
            of_plan(&outcome, 1).coverage,
            vec![
                cover(Source::Reserved, 4, "2026-11-02"),
                cover(Source::Stock, 5, "2026-11-02"),
                cover(Source::Proposal, 1, "2026-12-01"),
            ]
        );
        let over = of_plan(&outcome, 2);
        assert_eq!(over.coverage, vec![cover(Source::Reserved, 3, "2026-11-02")]);
        assert_eq!((over.promise_date, over.late), (day("2026-11-02"), false));
        assert_eq!(outcome.proposals.len(), 1);
    }

    #[test]
    fn planner_gives_competing_stock_to_the_earlier_need() {
        let demands = [demand(1, 1, "2027-02-01", 8), demand(2, 1, "2026-12-01", 8)];
        let outcome = run("2026-11-02", &[(1, terms(5, 20, 5))], &demands, &[stock(1, "2026-11-02", 10)]);

        assert_eq!(of_plan(&outcome, 2).coverage, vec![cover(Source::Stock, 8, "2026-11-02")]);
        assert_eq!(
            of_plan(&outcome, 1).coverage,
            vec![cover(Source::Stock, 2, "2026-11-02"), cover(Source::Proposal, 6, "2027-02-01")]
        );
        assert_eq!(outcome.proposals[0].shortfall, 6);
    }

    #[test]
    fn planner_proposes_reorders_at_the_reorder_point() {
        let with = |reorder_point, reorder_quantity, min_order_quantity, pack_size| Terms {
            reorder_point,
            reorder_quantity,
            min_order_quantity,
            pack_size,
            ..terms(5, 30, 10)
        };
        let terms = [
            (1, with(10, 0, 1, 5)),
            (2, with(10, 25, 1, 1)),
            (3, with(10, 0, 1, 1)),
            (4, with(0, 0, 1, 1)),
            (5, with(3, 0, 1, 1)),
            (6, with(5, 0, 12, 1)),
        ];
        let demands = [demand(1, 2, "2026-12-01", 25), demand(2, 6, "2027-01-01", 10)];
        let supplies = [stock(1, "2026-11-02", 4), stock(2, "2026-11-02", 30), stock(3, "2026-11-02", 11)];
        let outcome = run("2026-11-02", &terms, &demands, &supplies);

        let reorders: Vec<_> = outcome
            .proposals
            .iter()
            .filter(|p| p.why == Why::Reorder)
            .map(|p| (p.product_id, p.quantity, p.shortfall))
            .collect();
        assert_eq!(reorders, vec![(1, 20, 7), (2, 25, 6), (5, 6, 4), (6, 12, 4)]);
        let reorder = outcome.proposals.iter().find(|p| p.why == Why::Reorder).unwrap();
        assert_eq!((reorder.order_by, reorder.expected_on), (day("2026-11-02"), day("2026-12-12")));
        assert_eq!(reorder.needed_by, reorder.expected_on);
    }

    #[test]
    fn planner_marks_milestones_without_terms_late_without_proposing() {
        let demands = [demand(1, 9, "2026-12-01", 10), demand(2, 8, "2026-12-01", 3)];
        let supplies = [stock(9, "2026-11-02", 4), stock(8, "2026-11-02", 3)];
        let outcome = run("2026-11-02", &[], &demands, &supplies);

        let short = of_plan(&outcome, 1);
        assert_eq!(short.coverage, vec![cover(Source::Stock, 4, "2026-11-02")]);
        assert!(short.late);
        assert_eq!(short.reason, "no supplier terms for product 9");
        let covered = of_plan(&outcome, 2);
        assert!(!covered.late && covered.reason.is_empty());
        assert!(outcome.proposals.is_empty());
    }

    #[test]
    fn planner_is_deterministic_whatever_the_input_order() {
        let mut reordering = terms(6, 40, 10);
        reordering.reorder_point = 20;
        let terms = [(1, terms(5, 60, 14)), (2, reordering), (3, terms(5, 20, 5))];
        let mut demands = Vec::new();
        for k in 0..40 {
            let mut milestone = demand(k % 7, 1 + k % 3, &format!("2027-{:02}-{:02}", 1 + k % 12, 1 + k % 28), 5 + k);
            milestone.milestone_no = i32::try_from(k).unwrap();
            demands.push(milestone);
        }
        let supplies = [
            stock(1, "2026-11-02", 30),
            po(2, "DMH-2026-0009", "2027-01-05", 40),
            po(2, "DMH-2026-0008", "2027-01-05", 7),
        ];
        let forward = run("2026-11-02", &terms, &demands, &supplies);
        demands.reverse();
        let backward =
            run("2026-11-02", &terms, &demands, &[supplies[2].clone(), supplies[1].clone(), supplies[0].clone()]);

        assert_eq!(forward, backward);
        let keys: Vec<_> = forward.planned.iter().map(|p| (p.plan_id, p.line_no, p.milestone_no)).collect();
        assert!(keys.is_sorted());
        let keys: Vec<_> = forward.proposals.iter().map(|p| (p.supplier_id, p.order_by, p.product_id)).collect();
        assert!(keys.is_sorted());
        let po_8 = forward.planned.iter().position(|p| p.coverage.iter().any(|c| c.source == number("DMH-2026-0008")));
        let po_9 = forward.planned.iter().position(|p| p.coverage.iter().any(|c| c.source == number("DMH-2026-0009")));
        assert!(po_8.is_some() && po_9.is_some());
    }

    #[test]
    fn planner_survives_odd_input() {
        let odd = Terms {
            supplier_id: 1,
            lead_time_days: i64::MAX,
            buffer_days: -5,
            min_order_quantity: -1,
            pack_size: 0,
            reorder_point: i64::MAX,
            reorder_quantity: 0,
        };
        let mut negative = demand(1, 1, "2026-12-01", -5);
        negative.reserved = -3;
        let mut at_the_end = demand(2, 1, "2026-12-01", i64::MAX);
        at_the_end.needed_by = NaiveDate::MAX;
        let mut at_the_start = demand(3, 1, "2026-12-01", 1);
        at_the_start.needed_by = NaiveDate::MIN;
        let supplies = [stock(1, "2026-11-02", -7), po(1, "DMH-1", "2026-11-02", i64::MAX)];
        let outcome = run("2026-11-02", &[(1, odd)], &[negative, at_the_end, at_the_start], &supplies);

        let zero = of_plan(&outcome, 1);
        assert_eq!((zero.quantity, zero.promise_date, zero.late), (0, day("2026-11-02"), false));
        assert!(zero.coverage.is_empty());
        assert!(of_plan(&outcome, 3).late);
        assert_eq!(outcome.planned.len(), 3);
    }
}
