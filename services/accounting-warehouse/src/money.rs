//! Sums of money in the books, checked: the bounds on every amount and quantity that comes in keep
//! them within 64 bits, and should a sum still overflow it is an error, never a wrapped figure.

use atq_platform::error::Result;
use atq_platform::{Error, limits};

/// The sum of `amounts`; `what` names the figure in the error.
pub fn sum(amounts: impl IntoIterator<Item = i64>, what: &str) -> Result<i64> {
    limits::checked_sum(amounts).ok_or_else(|| overflow(what))
}

/// Adds `amount` to `total`; `what` names the figure in the error.
pub fn add(total: &mut i64, amount: i64, what: &str) -> Result<()> {
    *total = total.checked_add(amount).ok_or_else(|| overflow(what))?;
    Ok(())
}

/// `a - b`; `what` names the figure in the error.
pub fn difference(a: i64, b: i64, what: &str) -> Result<i64> {
    a.checked_sub(b).ok_or_else(|| overflow(what))
}

fn overflow(what: &str) -> Error {
    Error::internal(anyhow::anyhow!("{what} passes the range of the books"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_that_overflow_are_errors() {
        assert_eq!(sum([1, 2, 3], "x").unwrap(), 6);
        assert!(sum([i64::MAX, 1], "x").is_err());
        let mut total = i64::MAX - 1;
        assert!(add(&mut total, 1, "x").is_ok());
        assert!(add(&mut total, 1, "x").is_err());
        assert_eq!(total, i64::MAX, "a refused addition leaves the total as it was");
        assert!(difference(i64::MIN, 1, "x").is_err());
    }
}
