//! Quotes: catalog lines with a discount per line, valid until a date. A quote past that date is
//! expired whatever its stored status says, so expiry needs no job at midnight.

use std::collections::HashMap;

use atq_platform::Error;
use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::catalog::SheetPrices;
use atq_platform::validation::{Violations, optional_text};
use atq_proto::importplanning::v1::Product;
use atq_proto::sales::v1 as pb;
use chrono::{Days, NaiveDate};

use crate::order::{MAX_LINES, PriceInput, amounts, price_line};

/// How long a quote holds when the salesperson does not say.
pub const DEFAULT_VALIDITY_DAYS: u64 = 30;
/// At most a year ahead: prices and exchange rates move.
const MAX_VALIDITY_DAYS: u64 = 366;

pub mod status {
    pub const DRAFT: &str = "draft";
    pub const SENT: &str = "sent";
    pub const ACCEPTED: &str = "accepted";
    pub const REJECTED: &str = "rejected";
    /// Never stored: a draft or sent quote whose validity date has passed.
    pub const EXPIRED: &str = "expired";
    pub const ALL: [&str; 5] = [DRAFT, SENT, ACCEPTED, REJECTED, EXPIRED];
}

/// The status a reader sees on `today` (local date).
pub fn effective_status(stored: &str, valid_until: NaiveDate, today: NaiveDate) -> &str {
    let open = stored == status::DRAFT || stored == status::SENT;
    if open && valid_until < today { status::EXPIRED } else { stored }
}

/// The unit price less a discount in basis points, rounded half up to the đồng.
pub fn discounted(unit_price: i64, discount_bp: i64) -> Option<i64> {
    let kept = i128::from(unit_price) * i128::from(10_000 - discount_bp);
    i64::try_from((kept + 5_000) / 10_000).ok()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewQuoteLine {
    pub line_no: i64,
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub supplier_id: i64,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_bp: i64,
    pub net_unit_price: i64,
    pub vat_rate_bp: i64,
    pub net_amount: i64,
    pub vat_amount: i64,
}

#[derive(Clone, Debug)]
pub struct NewQuote {
    pub customer_id: i64,
    pub valid_until: NaiveDate,
    pub note: String,
    pub lines: Vec<NewQuoteLine>,
    /// The price sheet some line took its price from.
    pub price_list: String,
}

impl NewQuote {
    /// Checks a create request; a line without a price takes the sheet's price for the customer's
    /// group when `sheet` has one, else the catalog's list price.
    pub fn parse(
        input: &pb::CreateQuoteRequest,
        catalog: &HashMap<i64, Product>,
        sheet: Option<&SheetPrices>,
    ) -> Result<NewQuote, Error> {
        let mut v = Violations::new();
        if input.customer_id <= 0 {
            v.add("customer_id", "is required");
        }
        let today = local_date(now_micros());
        let valid_until = match &input.valid_until {
            None => today.checked_add_days(Days::new(DEFAULT_VALIDITY_DAYS)),
            Some(date) => match date_from_proto(date) {
                Ok(date) if date < today => {
                    v.add("valid_until", "must not be in the past");
                    None
                }
                Ok(date) if today.checked_add_days(Days::new(MAX_VALIDITY_DAYS)).is_some_and(|last| date > last) => {
                    v.add("valid_until", format!("must be within {MAX_VALIDITY_DAYS} days"));
                    None
                }
                Ok(date) => Some(date),
                Err(message) => {
                    v.add("valid_until", message);
                    None
                }
            },
        };
        let note = v.check("note", optional_text(&input.note, 2000)).unwrap_or_default();
        if input.lines.is_empty() {
            v.add("lines", "at least one line is required");
        } else if input.lines.len() > MAX_LINES {
            v.add("lines", format!("at most {MAX_LINES} lines per quote"));
        }
        let mut lines = Vec::new();
        let mut price_list = String::new();
        for (i, line) in input.lines.iter().enumerate() {
            let sheet_price = sheet.and_then(|s| s.price_net.get(&line.product_id).copied());
            if line.unit_price.is_none()
                && let (Some(_), Some(sheet)) = (sheet_price, sheet)
            {
                price_list = sheet.number.clone();
            }
            let request = PriceInput {
                product_id: line.product_id,
                quantity: line.quantity,
                unit_price: line.unit_price.or(sheet_price),
                vat_rate_bp: line.vat_rate_bp,
            };
            let priced = price_line(&mut v, i, request, catalog);
            let discount_bp = i64::from(line.discount_bp);
            if !(0..10_000).contains(&discount_bp) {
                v.add(format!("lines[{i}].discount"), "must be from 0 up to, not including, 1");
                continue;
            }
            let Some((product, unit_price, vat_rate_bp)) = priced else { continue };
            let vat_rate_bp = i64::from(vat_rate_bp);
            let priced = discounted(unit_price, discount_bp)
                .and_then(|net_unit| Some((net_unit, amounts(line.quantity, net_unit, vat_rate_bp)?)));
            let Some((net_unit_price, (net_amount, vat_amount))) = priced else {
                v.add(format!("lines[{i}].quantity"), "the line's amount is too large");
                continue;
            };
            lines.push(NewQuoteLine {
                line_no: i as i64 + 1,
                product_id: product.id,
                model_code: product.model_code.clone(),
                product_name: product.name_vi.clone(),
                supplier_id: product.supplier_id,
                quantity: line.quantity,
                unit_price,
                discount_bp,
                net_unit_price,
                vat_rate_bp,
                net_amount,
                vat_amount,
            });
        }
        v.finish()?;
        let valid_until = valid_until.ok_or_else(|| Error::invalid("valid_until", "is out of range"))?;
        Ok(NewQuote { customer_id: input.customer_id, valid_until, note, lines, price_list })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discounts_round_half_up_to_the_dong() {
        assert_eq!(discounted(285_000_000, 500), Some(270_750_000));
        assert_eq!(discounted(15, 1000), Some(14)); // 13.5 -> 14
        assert_eq!(discounted(1_234_567, 0), Some(1_234_567));
        assert_eq!(discounted(i64::MAX, 0), Some(i64::MAX));
    }

    #[test]
    fn open_quotes_expire_after_their_date_and_decided_ones_do_not() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        assert_eq!(effective_status(status::SENT, day(20), day(20)), status::SENT);
        assert_eq!(effective_status(status::SENT, day(20), day(21)), status::EXPIRED);
        assert_eq!(effective_status(status::DRAFT, day(20), day(21)), status::EXPIRED);
        assert_eq!(effective_status(status::ACCEPTED, day(20), day(21)), status::ACCEPTED);
    }

    #[test]
    fn a_bad_discount_is_named_with_its_line() {
        let catalog = HashMap::from([(7, Product { id: 7, list_price: 100, vat_rate_bp: 1000, ..Default::default() })]);
        let input = pb::CreateQuoteRequest {
            customer_id: 1,
            lines: vec![
                pb::CreateQuoteLine { product_id: 7, quantity: 3, discount_bp: 250, ..Default::default() },
                pb::CreateQuoteLine { product_id: 7, quantity: 1, discount_bp: 10_000, ..Default::default() },
            ],
            ..Default::default()
        };
        let Error::Invalid(fields) = NewQuote::parse(&input, &catalog, None).unwrap_err() else {
            panic!("field errors")
        };
        assert_eq!(fields.iter().map(|f| f.field.as_str()).collect::<Vec<_>>(), ["lines[1].discount"]);
        let input = pb::CreateQuoteRequest { lines: input.lines[..1].to_vec(), ..input };
        let quote = NewQuote::parse(&input, &catalog, None).unwrap();
        // 100 less 2.5% = 97.5 -> 98 per unit; 3 units = 294; VAT 10% = 29.4 -> 29.
        assert_eq!(
            (quote.lines[0].net_unit_price, quote.lines[0].net_amount, quote.lines[0].vat_amount),
            (98, 294, 29)
        );
    }
}
