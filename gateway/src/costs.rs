//! Who may read what the goods cost (moving-average and landed costs, the cost of a shipment):
//! one rule for every response that carries a cost. Sales staff and the warehouse keeper handle
//! the goods without seeing their cost; the import officer, accountant and directors see it.

use atq_platform::Caller;
use atq_platform::caller::Action;

/// Whether `caller` may read costs.
pub fn may_read(caller: &Caller) -> bool {
    caller.role.may(Action::ReadCosts)
}

/// `amount` for a caller who may read costs, absent for everyone else.
pub fn visible_to(caller: &Caller, amount: i64) -> Option<i64> {
    may_read(caller).then_some(amount)
}
