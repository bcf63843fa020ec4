//! One product's planning: its supplies handed out to its milestones, earliest need first.

use atq_platform::business_time::add_days;
use chrono::NaiveDate;

use super::{
    Cover, Demand, Input, Outcome, Planned, Proposal, Source, Supply, Terms, Why, order_quantity, transit_days, units,
};

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
pub(super) struct Product<'a> {
    pub(super) today: NaiveDate,
    pub(super) id: i64,
    pub(super) terms: Option<&'a Terms>,
}

impl Product<'_> {
    pub(super) fn plan(&self, input: &Input, demands: &[usize], supplies: &[usize], outcome: &mut Outcome) {
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
    pub(super) fn reorder(&self, terms: &Terms, position: i64) -> Option<Proposal> {
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
