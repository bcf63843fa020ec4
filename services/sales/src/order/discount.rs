//! Discounts on order lines: kept apart from the price so that accounting books them on 5211,
//! added to by promotions, never more than the line's amount before discount.

use atq_platform::Error;
use atq_platform::currency::with_vat;
use atq_platform::limits::{self, MAX_AMOUNT};

use super::NewLine;

/// What a line costs after a discount: net = quantity x unit price less the discount, VAT on
/// that net. None when the discount is negative or more than the line, or an amount passes its bound.
pub fn discounted_amounts(quantity: i64, unit_price: i64, discount: i64, vat_rate_bp: i64) -> Option<(i64, i64)> {
    let gross = limits::line_total(quantity, unit_price).ok()?;
    let net = gross.checked_sub(discount).filter(|net| (0..=gross).contains(net))?;
    if !(0..=10_000).contains(&vat_rate_bp) {
        return None;
    }
    Some((net, with_vat(net, vat_rate_bp)?.checked_sub(net)?))
}

impl NewLine {
    /// The line with `amount` more off its price (a promotion's, named, or a plain discount):
    /// net and VAT recomputed. Refused when the amount is negative or the discounts would pass
    /// the line's amount before discount.
    pub fn with_discount(self, amount: i64, promotion: Option<&str>) -> Result<NewLine, Error> {
        let field = format!("lines[{}].discount", self.line_no - 1);
        if amount < 0 {
            return Err(Error::invalid(field, "must not be negative"));
        }
        let discount_amount = self.discount_amount.checked_add(amount).filter(|d| *d <= MAX_AMOUNT);
        let priced = discount_amount
            .and_then(|d| discounted_amounts(self.quantity, self.unit_price, d, self.vat_rate_bp).map(|a| (d, a)));
        let Some((discount_amount, (net_amount, vat_amount))) = priced else {
            return Err(Error::invalid(field, "the discounts must not pass the line's amount"));
        };
        let mut promotions = self.promotions;
        if let Some(name) = promotion.filter(|name| !promotions.iter().any(|p| p == name)) {
            promotions.push(name.to_owned());
        }
        Ok(NewLine { discount_amount, net_amount, vat_amount, promotions, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::amounts;
    use atq_proto::sales::v1 as pb;

    fn line(quantity: i64, unit_price: i64) -> NewLine {
        let (net_amount, vat_amount) = amounts(quantity, unit_price, 1000).unwrap();
        let quoted = pb::QuoteLine {
            line_no: 1,
            quantity,
            unit_price,
            net_unit_price: unit_price,
            vat_rate_bp: 1000,
            net_amount,
            vat_amount,
            ..Default::default()
        };
        NewLine::from_quote(&quoted)
    }

    #[test]
    fn discounts_add_up_and_never_pass_the_line() {
        let line = line(2, 1_000_000);
        let line = line.with_discount(150_000, Some("Khai trương")).unwrap();
        assert_eq!((line.net_amount, line.vat_amount, line.discount_amount), (1_850_000, 185_000, 150_000));
        let line = line.with_discount(50_001, Some("Khai trương")).unwrap();
        assert_eq!((line.net_amount, line.vat_amount, line.discount_amount), (1_799_999, 180_000, 200_001));
        assert_eq!(line.promotions, ["Khai trương"]);
        let gift = line.clone().with_discount(1_799_999, None).unwrap();
        assert_eq!((gift.net_amount, gift.vat_amount), (0, 0));
        assert!(matches!(line.clone().with_discount(1_800_000, None), Err(Error::Invalid(_))));
        assert!(matches!(line.with_discount(-1, None), Err(Error::Invalid(_))));
    }
}
