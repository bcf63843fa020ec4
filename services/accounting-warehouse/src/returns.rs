//! Returns of delivered goods (hàng bán bị trả lại) against the invoice they were sold on, in one
//! transaction: the units come back into the issuing warehouse (good ones at the cost they left
//! at, so the moving average is recomputed and waiting orders are served; damaged ones in the
//! damaged condition), their serials come back in stock, a reducing invoice in its own gapless
//! series adjusts the original, the receivable and the VAT due fall, the journal records it and
//! the feed announces it (`SalesReturned`).
//!
//! Money already paid for the returned goods becomes the customer's credit: it comes off the
//! invoice's paid amount, back onto the payments as unallocated, and shows as a negative part of
//! the customer's balance (account 131).

use std::collections::{BTreeMap, HashSet};

use atq_platform::business_time::{
    date_from_proto, date_to_proto, local_date, now_micros, to_timestamp, within_business_range,
};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::validation::{Violations, required_text};
use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::{Datelike, NaiveDate};
use prost::Message;
use sqlx::AnyConnection;

use crate::journal::{self, Posting};
use crate::return_lines::{self, Priced};
use crate::return_store::{self, ReturnQuery, StoredReturn};
use crate::stock::{Condition, check_lines_present, parse_quantity};
use crate::stock_documents::stock_move;
use crate::stock_store::{self, Place};
use crate::{bonuses, goods_issue_store, invoice_store, money, reservations, stock_value};

pub use crate::return_store::ReturnQuery as Query;

/// One line of a return as asked for.
#[derive(Clone, Debug)]
pub struct ReturnLine {
    /// The line's position in the request, for messages.
    pub index: usize,
    pub invoice_line_no: i32,
    pub quantity: i64,
    pub condition: Condition,
    pub serials: Vec<String>,
}

/// A checked return, before it is matched with its invoice.
#[derive(Clone, Debug)]
pub struct NewReturn {
    pub invoice_id: i64,
    pub returned_on: NaiveDate,
    pub reason: String,
    pub lines: Vec<ReturnLine>,
}

impl TryFrom<&pb::CreateReturnRequest> for NewReturn {
    type Error = Error;

    fn try_from(input: &pb::CreateReturnRequest) -> Result<NewReturn> {
        let mut v = Violations::new();
        if input.invoice_id <= 0 {
            v.add("invoice_id", "is required");
        }
        let today = local_date(now_micros());
        let returned_on = match &input.returned_on {
            None => Some(today),
            Some(date) => v.check("returned_on", date_from_proto(date).and_then(within_business_range)),
        };
        if returned_on.is_some_and(|date| date > today) {
            v.add("returned_on", "a return cannot be dated in the future");
        }
        let reason = v.check("reason", required_text(&input.reason, 500));
        check_lines_present(input.lines.len(), &mut v);
        let mut lines = Vec::new();
        for (index, line) in input.lines.iter().enumerate() {
            let quantity = v.check(&format!("lines[{index}].quantity"), parse_quantity(line.quantity));
            let condition =
                v.check(&format!("lines[{index}].condition"), Condition::from_proto_or_good(line.condition));
            if line.invoice_line_no <= 0 {
                v.add(format!("lines[{index}].invoice_line_no"), "is required");
            }
            let serials: Vec<String> = line.serials.iter().map(|s| s.trim().to_owned()).collect();
            if let (Some(quantity), Some(condition)) = (quantity, condition) {
                let invoice_line_no = line.invoice_line_no;
                lines.push(ReturnLine { index, invoice_line_no, quantity, condition, serials });
            }
        }
        v.finish()?;
        Ok(NewReturn {
            invoice_id: input.invoice_id,
            returned_on: returned_on.unwrap_or(today),
            reason: reason.unwrap_or_default(),
            lines,
        })
    }
}

/// The year's series of reducing invoices: like the invoices' (C, year, T), DC for điều chỉnh.
fn adjustment_series(date: NaiveDate) -> String {
    format!("C{:02}TDC", date.year() % 100)
}

/// Takes goods back against their invoice; see the module's doc for all it does.
pub async fn create(tx: &mut Tx, db: &Db, caller: &Caller, request: NewReturn) -> Result<pb::SalesReturn> {
    let not_found = || Error::NotFound(format!("invoice {}", request.invoice_id));
    if !return_store::lock_invoice(tx, request.invoice_id).await? {
        return Err(not_found());
    }
    let invoice = invoice_store::find(&mut *tx, request.invoice_id).await?.ok_or_else(not_found)?;
    let issue = goods_issue_store::body_for_dispatch(tx, &invoice.dispatch_number)
        .await?
        .map(|body| pb::GoodsIssue::decode(body.as_slice()))
        .transpose()?
        .ok_or_else(|| Error::internal(anyhow::anyhow!("invoice {} has no goods issue", invoice.number)))?;
    let office = Office::from_proto(issue.warehouse).map_err(|message| Error::internal(anyhow::anyhow!(message)))?;
    // Another office's invoice is not there for an office-scoped caller.
    if !caller.sees_office(office) {
        return Err(not_found());
    }
    let issued_on = invoice
        .issue_date
        .as_ref()
        .map(date_from_proto)
        .transpose()
        .map_err(|message| Error::internal(anyhow::anyhow!(message)))?;
    if issued_on.is_some_and(|issued_on| request.returned_on < issued_on) {
        return Err(Error::invalid("returned_on", "must not be before the invoice's date"));
    }
    let returned = return_store::returned_lines(tx, invoice.id).await?;
    let returned_serials = return_store::returned_serials(tx, invoice.id).await?;
    let lines = return_lines::price(&invoice, &issue, (&returned, &returned_serials), &request.lines)?;
    record(tx, db, caller, (&request, &invoice, office), lines).await
}

/// Writes the checked, priced return: stock, the invoice and payments, the reducing invoice, the
/// journal and the events.
async fn record(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    (request, invoice, office): (&NewReturn, &pb::Invoice, Office),
    lines: Vec<Priced>,
) -> Result<pb::SalesReturn> {
    let now = now_micros();
    let today = local_date(now);
    let number = format!("TL-{}-{:04}", today.year(), next_in_series(tx, &format!("TL-{}", today.year())).await?);
    let total_net = money::sum(lines.iter().map(|l| l.line.net_amount), "the return's net amount")?;
    let total_vat = money::sum(lines.iter().map(|l| l.line.vat_amount), "the return's VAT")?;
    let total_gross = money::sum([total_net, total_vat], "the return's gross amount")?;
    let total_cost = money::sum(lines.iter().map(|l| l.line.cost_amount), "the return's cost")?;
    let (receivable_reduced, customer_credit) =
        return_store::reduce_invoice(tx, invoice.id, (total_net, total_vat)).await?;
    let adjustment = adjustment(tx, invoice, &lines, today).await?;
    let mut sales_return = pb::SalesReturn {
        id: 0,
        number: number.clone(),
        invoice_id: invoice.id,
        invoice_number: invoice.number.clone(),
        order_number: invoice.order_number.clone(),
        customer_id: invoice.customer_id,
        customer_name: invoice.customer_name.clone(),
        office: office.to_proto() as i32,
        returned_on: Some(date_to_proto(request.returned_on)),
        reason: request.reason.clone(),
        lines: lines.iter().map(|l| l.line.clone()).collect(),
        total_net,
        total_vat,
        total_gross,
        total_cost,
        adjustment: Some(adjustment),
        receivable_reduced,
        customer_credit,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    let head = StoredReturn {
        number: &number,
        invoice_id: invoice.id,
        customer_id: invoice.customer_id,
        office,
        returned_on: request.returned_on.to_string(),
        reason: &request.reason,
        totals: (total_net, total_vat, total_cost),
        body: sales_return.encode_to_vec(),
        created_by: &caller.username,
        created_at: now,
    };
    sales_return.id = return_store::insert(tx, &head).await?;
    let adjustment =
        sales_return.adjustment.as_ref().ok_or_else(|| Error::internal(anyhow::anyhow!("no adjustment")))?;
    return_store::insert_adjustment(tx, sales_return.id, adjustment, &today.to_string(), now).await?;
    let moves = restock(tx, db, (sales_return.id, invoice.id, office), (&number, &lines), (caller, now)).await?;
    post(tx, caller, &sales_return).await?;
    // The paid share the return took back reverses its commission, in the return's month.
    crate::commissions::record_shares(tx, invoice.id, ("return", &number, request.returned_on)).await?;
    // Paid revenue the return took back (or a new net-to-gross ratio of the invoice) may leave a
    // settled bonus period earning less than was settled.
    bonuses::claw_back(tx, caller, invoice.customer_id).await?;
    announce(tx, db, caller, &sales_return, moves).await?;
    metrics::counter!("atq_sales_returns_total").increment(1);
    tracing::info!(number = %number, invoice = %invoice.number, "sales return recorded");
    Ok(sales_return)
}

/// The reducing invoice: the next number of its series, negative amounts, VAT per rate.
async fn adjustment(
    tx: &mut Tx,
    invoice: &pb::Invoice,
    lines: &[Priced],
    today: NaiveDate,
) -> Result<pb::AdjustingInvoice> {
    let series = adjustment_series(today);
    let sequence = next_in_series(tx, &format!("adjustment-{series}")).await?;
    let mut by_rate: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for Priced { line, .. } in lines {
        let rate = by_rate.entry(line.vat_rate_bp).or_default();
        money::add(&mut rate.0, -line.net_amount, "the adjustment's net amount")?;
        money::add(&mut rate.1, -line.vat_amount, "the adjustment's VAT")?;
    }
    let vat: Vec<pb::VatSummary> = by_rate
        .into_iter()
        .map(|(vat_rate_bp, (net_amount, vat_amount))| pb::VatSummary { vat_rate_bp, net_amount, vat_amount })
        .collect();
    let total_net = money::sum(vat.iter().map(|v| v.net_amount), "the adjustment's net amount")?;
    let total_vat = money::sum(vat.iter().map(|v| v.vat_amount), "the adjustment's VAT")?;
    Ok(pb::AdjustingInvoice {
        number: format!("{series}-{sequence:07}"),
        series,
        sequence,
        adjusts_invoice_id: invoice.id,
        adjusts_invoice_number: invoice.number.clone(),
        issue_date: Some(date_to_proto(today)),
        vat,
        total_net,
        total_vat,
        total_gross: money::sum([total_net, total_vat], "the adjustment's gross amount")?,
    })
}

/// Puts the units back: stock, serials, value at the issue cost, the move ledger; good units go
/// to waiting orders first. Returns the moves for the stock event.
async fn restock(
    tx: &mut Tx,
    db: &Db,
    (return_id, invoice_id, warehouse): (i64, i64, Office),
    (number, lines): (&str, &[Priced]),
    (caller, now): (&Caller, i64),
) -> Result<Vec<pb::StockMove>> {
    let mut moves = Vec::new();
    for Priced { index, condition, line } in lines {
        return_store::insert_line(tx, (return_id, invoice_id), line).await?;
        let place = Place { product_id: line.product_id, warehouse, condition: *condition };
        let refused = return_store::serials_back(tx, place, &line.serials, now).await?;
        if !refused.is_empty() {
            return Err(Error::invalid(
                format!("lines[{index}].serials"),
                format!("not out with a customer: {}", refused.join(", ")),
            ));
        }
        stock_store::add(tx, place, line.quantity).await?;
        let field = format!("lines[{index}].quantity");
        stock_value::take_in(tx, line.product_id, (line.quantity, line.cost_amount), &field).await?;
        return_store::record_move(tx, number, place, (line.quantity, line.unit_cost), &caller.username, now).await?;
        reservations::fill_waiting(tx, db, place).await?;
        moves.push(stock_move(place, line.quantity));
    }
    Ok(moves)
}

/// Sales returns (5213, at the price before discount) less the discount they carried (back off
/// 5211) and the VAT due (3331, the account the invoice credited) against the customer's
/// receivable; the goods back into 156 at their cost, out of the cost of goods sold.
async fn post(tx: &mut Tx, caller: &Caller, sales_return: &pb::SalesReturn) -> Result<()> {
    let discount = return_lines::discount(&sales_return.lines)?;
    let returned = money::sum([sales_return.total_net, discount], "the return's amount before discount")?;
    let postings = [
        Posting::debit(SALES_RETURNS, returned),
        Posting::credit(journal::TRADE_DISCOUNTS, discount),
        Posting::debit("3331", sales_return.total_vat),
        Posting::credit(journal::RECEIVABLE, sales_return.total_gross).for_customer(sales_return.customer_id),
        Posting::debit("156", sales_return.total_cost),
        Posting::credit("632", sales_return.total_cost),
    ];
    let memo = format!("{} {}", sales_return.invoice_number, sales_return.reason);
    journal::post(tx, ("sales_return", &sales_return.number), &memo, &caller.username, &postings).await
}

/// Hàng bán bị trả lại: a reduction of revenue (Circular 200).
pub const SALES_RETURNS: &str = "5213";

/// The feed hears of the return (with its amounts per line) and of the stock it moved.
async fn announce(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    sales_return: &pb::SalesReturn,
    moves: Vec<pb::StockMove>,
) -> Result<()> {
    let moves = crate::stock_documents::costed(tx, moves).await?;
    let moved = pb::StockMoved {
        document_type: "return".into(),
        document_number: sales_return.number.clone(),
        moves,
        moved_by: caller.username.clone(),
    };
    outbox::record(tx, db.backend(), "stock", &sales_return.number, &moved).await?;
    let event = pb::SalesReturned { sales_return: Some(sales_return.clone()) };
    outbox::record(tx, db.backend(), "sales_return", &sales_return.id.to_string(), &event).await
}

/// A return, with the office it belongs to.
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<(pb::SalesReturn, Option<Office>)>> {
    Ok(return_store::find(conn, id).await?.map(|(found, office)| (found, Office::parse(&office).ok())))
}

pub async fn list(db: &Db, query: &ReturnQuery) -> Result<Vec<pb::SalesReturn>> {
    return_store::list(db, query).await
}

/// Serial numbers named twice in one request.
pub(crate) fn repeated_serial<'a>(serials: &'a [String], seen: &mut HashSet<&'a str>) -> Option<&'a str> {
    serials.iter().map(String::as_str).find(|serial| !seen.insert(serial))
}
