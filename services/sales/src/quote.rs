//! Quotes: catalog lines with a discount per line, valid until a date. A quote past that date is
//! expired whatever its stored status says, so expiry needs no job at midnight.

use std::collections::HashMap;

use crate::customer_store::CustomerRow;
use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::catalog::SheetPrices;
use atq_platform::limits::MAX_AMOUNT;
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::importplanning::v1::Product;
use atq_proto::sales::v1 as pb;
use chrono::{Days, NaiveDate};

use crate::opportunity;
use crate::order::{PriceInput, amounts, check_line_count, price_line, totals};
use crate::quote_store::{self, QuoteRow};
use atq_platform::text_status;

/// How long a quote holds when the salesperson does not say.
pub const DEFAULT_VALIDITY_DAYS: u64 = 30;
/// At most a year ahead: prices and exchange rates move.
const MAX_VALIDITY_DAYS: u64 = 366;

text_status! {
    QuoteStatus {
        Draft = "draft",
        Sent = "sent",
        Accepted = "accepted",
        Rejected = "rejected",
        /// Never stored: a draft or sent quote whose validity date has passed.
        Expired = "expired",
    }
}

/// The status a reader sees on `today` (local date).
pub fn effective_status(stored: QuoteStatus, valid_until: NaiveDate, today: NaiveDate) -> QuoteStatus {
    let open = stored == QuoteStatus::Draft || stored == QuoteStatus::Sent;
    if open && valid_until < today { QuoteStatus::Expired } else { stored }
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
    /// What promotion programmes took off (net_amount is after it), and their names.
    pub promotion_discount: i64,
    pub promotions: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct NewQuote {
    pub customer_id: i64,
    pub valid_until: NaiveDate,
    pub note: String,
    pub lines: Vec<NewQuoteLine>,
    /// The price sheet some line took its price from.
    pub price_list: String,
    /// What each promotion programme gave on which line, written with the quote for the report.
    pub promotion_uses: Vec<crate::promotion_store::UseRow>,
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
        let (valid_until, note) = parse_head(&mut v, input);
        let mut lines = Vec::new();
        let mut price_list = String::new();
        for (i, line) in input.lines.iter().enumerate() {
            let sheet_price = sheet.and_then(|s| s.price_net.get(&line.product_id).copied());
            if line.unit_price.is_none()
                && let (Some(_), Some(sheet)) = (sheet_price, sheet)
            {
                price_list = sheet.number.clone();
            }
            lines.extend(parse_line(&mut v, i, line, catalog, sheet_price));
        }
        totals(&mut v, lines.iter().map(|line| (line.net_amount, line.vat_amount)));
        v.finish()?;
        let valid_until = valid_until.ok_or_else(|| Error::invalid("valid_until", "is out of range"))?;
        Ok(NewQuote {
            customer_id: input.customer_id,
            valid_until,
            note,
            lines,
            price_list,
            promotion_uses: Vec::new(),
        })
    }
}

/// The quote's own fields and how many lines it may have; returns the validity date and the note.
fn parse_head(v: &mut Violations, input: &pb::CreateQuoteRequest) -> (Option<NaiveDate>, String) {
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
    check_line_count(v, input.lines.len(), "quote");
    (valid_until, note)
}

/// One line priced and discounted, or None when some field of it is wrong (named in `v`).
fn parse_line(
    v: &mut Violations,
    i: usize,
    line: &pb::CreateQuoteLine,
    catalog: &HashMap<i64, Product>,
    sheet_price: Option<i64>,
) -> Option<NewQuoteLine> {
    let request = PriceInput {
        product_id: line.product_id,
        quantity: line.quantity,
        unit_price: line.unit_price.or(sheet_price),
        vat_rate_bp: line.vat_rate_bp,
    };
    let priced = price_line(v, i, request, catalog);
    let discount_bp = i64::from(line.discount_bp);
    if !(0..10_000).contains(&discount_bp) {
        v.add(format!("lines[{i}].discount"), "must be from 0 up to, not including, 1");
        return None;
    }
    let (product, unit_price, vat_rate_bp) = priced?;
    let vat_rate_bp = i64::from(vat_rate_bp);
    let priced = discounted(unit_price, discount_bp)
        .and_then(|net_unit| Some((net_unit, amounts(line.quantity, net_unit, vat_rate_bp)?)));
    let Some((net_unit_price, (net_amount, vat_amount))) = priced else {
        v.add(format!("lines[{i}].quantity"), format!("quantity × unit price must not pass {MAX_AMOUNT}"));
        return None;
    };
    Some(NewQuoteLine {
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
        promotion_discount: 0,
        promotions: Vec::new(),
    })
}

/// Writes the quote once per idempotency key (a retry gets the quote made the first time). A quote
/// made for an opportunity needs it open, of the same customer and in the caller's territory, and
/// moves an early one to proposal in the same transaction.
pub async fn create<R: prost::Message>(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    request: &R,
    quote: NewQuote,
    customer: CustomerRow,
    opportunity_id: Option<i64>,
) -> Result<pb::Quote, Error> {
    let scope = format!("sales.CreateQuote:{}", caller.username);
    let backend = db.backend();
    let created = idempotency::run_once(db, &scope, key, request, move |tx| {
        let (quote, customer, caller) = (quote.clone(), customer.clone(), caller.clone());
        Box::pin(async move {
            let opportunity = match opportunity_id {
                Some(id) => Some(opportunity::open_for(tx, &caller, id, customer.id).await?),
                None => None,
            };
            let id = quote_store::insert(tx, &quote, &customer, &caller.username, opportunity_id).await?;
            crate::promotion_store::record_uses(tx, "quote", id, &quote.promotion_uses).await?;
            let row = quote_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("quote {id}")))?;
            if let Some(opportunity) = opportunity {
                opportunity::propose_in(tx, backend, &opportunity, &caller.username, &row.proto.number).await?;
            }
            Ok(row.proto)
        })
    })
    .await?;
    tracing::info!(quote = %created.number, lines = created.lines.len(), "quote created");
    Ok(created)
}

/// A move of a quote as asked: the version read and a note.
pub struct QuoteDecision {
    pub expected_version: i64,
    pub note: String,
}

impl TryFrom<&pb::QuoteActionRequest> for QuoteDecision {
    type Error = Error;

    fn try_from(input: &pb::QuoteActionRequest) -> Result<Self, Error> {
        let note = optional_text(&input.note, 2000).map_err(|message| Error::invalid("note", message))?;
        Ok(QuoteDecision { expected_version: input.expected_version, note })
    }
}

/// Moves the quote from one of `from` to `to`; repeating a done move returns the quote as is. An
/// accepted quote wins the opportunity it was made for, by the person who records the acceptance.
pub async fn decide(
    db: &Db,
    caller: &Caller,
    quote: QuoteRow,
    from: &[QuoteStatus],
    to: QuoteStatus,
    decision: &QuoteDecision,
) -> Result<pb::Quote, Error> {
    if quote.status() == to {
        return Ok(quote.proto);
    }
    Error::unless_stale(decision.expected_version, quote.proto.version)?;
    if quote.status() == QuoteStatus::Expired {
        return Err(Error::Conflict(format!(
            "quote {} was valid until {} and has expired; make a new one at today's prices",
            quote.proto.number, quote.valid_until
        )));
    }
    if !from.contains(&quote.status()) {
        return Err(Error::Conflict(format!(
            "quote {} is {}; it cannot become {to}",
            quote.proto.number,
            quote.status()
        )));
    }
    let mut tx = db.begin().await?;
    quote_store::advance(&mut tx, &quote, to, &decision.note).await?;
    if to == QuoteStatus::Accepted && quote.proto.opportunity_id > 0 {
        let reason = format!("quote {} accepted", quote.proto.number);
        opportunity::win_in(&mut tx, db.backend(), quote.proto.opportunity_id, &caller.username, reason).await?;
    }
    let moved =
        quote_store::find(&mut tx, quote.id).await?.ok_or_else(|| Error::NotFound(format!("quote {}", quote.id)))?;
    tx.commit().await?;
    tracing::info!(quote = %moved.proto.number, status = %to, "quote moved");
    Ok(moved.proto)
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
        assert_eq!(effective_status(QuoteStatus::Sent, day(20), day(20)), QuoteStatus::Sent);
        assert_eq!(effective_status(QuoteStatus::Sent, day(20), day(21)), QuoteStatus::Expired);
        assert_eq!(effective_status(QuoteStatus::Draft, day(20), day(21)), QuoteStatus::Expired);
        assert_eq!(effective_status(QuoteStatus::Accepted, day(20), day(21)), QuoteStatus::Accepted);
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
