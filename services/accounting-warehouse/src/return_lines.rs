//! The lines of a return matched with the invoice and the goods issue they came from: what may
//! still come back, which serials, and at what price, VAT and cost. The last units of a line take
//! what is left of its amounts, so returning a line whole gives back exactly what it was invoiced
//! and cost, whatever the rounding of earlier part returns.

use std::collections::{HashMap, HashSet};

use atq_platform::currency::with_vat;
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Error, limits};
use atq_proto::accountingwarehouse::v1 as pb;

use crate::invoices::discount_share;
use crate::money;
use crate::return_store::Returned;
use crate::returns::{ReturnLine, repeated_serial};
use crate::stock::Condition;
use crate::stock_store::share;

/// (product id, serial number) of a unit.
pub type ProductSerial = (i64, String);

/// A return line ready to record.
pub struct Priced {
    pub index: usize,
    pub condition: Condition,
    pub line: pb::SalesReturnLine,
}

/// Prices the requested lines; field errors for every line that asks for more than remains,
/// names serials not delivered on the invoice or already back, or names no invoice line.
pub fn price(
    invoice: &pb::Invoice,
    issue: &pb::GoodsIssue,
    (returned, returned_serials): (&[(i64, Returned)], &[ProductSerial]),
    lines: &[ReturnLine],
) -> Result<Vec<Priced>> {
    let mut taken: HashMap<i32, Returned> =
        returned.iter().filter_map(|(line_no, r)| i32::try_from(*line_no).ok().map(|n| (n, *r))).collect();
    let back: HashSet<(i64, &str)> = returned_serials.iter().map(|(p, s)| (*p, s.as_str())).collect();
    let mut seen = HashSet::new();
    let mut v = Violations::new();
    let mut priced = Vec::new();
    for request in lines {
        let i = request.index;
        let Some(invoiced) = invoice.lines.iter().find(|l| l.line_no == request.invoice_line_no) else {
            v.add(format!("lines[{i}].invoice_line_no"), "the invoice has no such line");
            continue;
        };
        let issued = issued_line(invoice, issue, invoiced)?;
        let so_far = taken.entry(invoiced.line_no).or_default();
        let remaining = invoiced.quantity - so_far.quantity;
        if request.quantity > remaining {
            let message = format!("at most {remaining} units of this invoice line can still be returned");
            v.add(format!("lines[{i}].quantity"), message);
            continue;
        }
        if let Err(message) = check_serials(request, issued, &back, &mut seen) {
            v.add(format!("lines[{i}].serials"), message);
            continue;
        }
        let line = amounts(request, invoiced, issued, so_far, remaining)?;
        so_far.quantity += line.quantity;
        so_far.net += line.net_amount;
        so_far.vat += line.vat_amount;
        so_far.cost += line.cost_amount;
        let line_no = priced.len() as i32 + 1;
        priced.push(Priced { index: i, condition: request.condition, line: pb::SalesReturnLine { line_no, ..line } });
    }
    v.finish()?;
    Ok(priced)
}

/// The discount the lines carried back: each line's units at its price less its net. The net of a
/// line is its units' share of the invoiced net, so this is its exact share of the discount.
pub fn discount(lines: &[pb::SalesReturnLine]) -> Result<i64> {
    let each = lines.iter().map(|line| {
        limits::line_total(line.quantity, line.unit_price)
            .ok()
            .and_then(|gross| gross.checked_sub(line.net_amount))
            .ok_or_else(|| Error::internal(anyhow::anyhow!("return line {}: the discount overflows", line.line_no)))
    });
    money::sum(each.collect::<Result<Vec<_>>>()?, "the return's discount")
}

/// The goods issue line an invoice line was made from: the same product, the same occurrence of
/// it (the invoice lists the shipment's lines in order).
fn issued_line<'a>(
    invoice: &pb::Invoice,
    issue: &'a pb::GoodsIssue,
    invoiced: &pb::InvoiceLine,
) -> Result<&'a pb::IssuedLine> {
    let occurrence = invoice
        .lines
        .iter()
        .take_while(|l| l.line_no != invoiced.line_no)
        .filter(|l| l.product_id == invoiced.product_id)
        .count();
    issue.lines.iter().filter(|l| l.product_id == invoiced.product_id).nth(occurrence).ok_or_else(|| {
        Error::internal(anyhow::anyhow!("invoice {} line {} has no goods issue line", invoice.number, invoiced.line_no))
    })
}

/// Serial-tracked units come back by their serials: ones delivered on this invoice's goods issue,
/// not back already, one per unit.
fn check_serials<'a>(
    request: &'a ReturnLine,
    issued: &pb::IssuedLine,
    back: &HashSet<(i64, &str)>,
    seen: &mut HashSet<&'a str>,
) -> Result<(), String> {
    if issued.serials.is_empty() {
        return if request.serials.is_empty() { Ok(()) } else { Err("this product is not serial-tracked".into()) };
    }
    if request.serials.len() as i64 != request.quantity {
        let (expected, given) = (request.quantity, request.serials.len());
        return Err(format!("needs one serial number per unit: {expected} expected, {given} given"));
    }
    if let Some(serial) = request.serials.iter().find(|s| !issued.serials.contains(s)) {
        return Err(format!("not delivered on this invoice: {serial}"));
    }
    if let Some(serial) = request.serials.iter().find(|s| back.contains(&(issued.product_id, s.as_str()))) {
        return Err(format!("already returned: {serial}"));
    }
    match repeated_serial(&request.serials, seen) {
        Some(serial) => Err(format!("{serial} is listed twice")),
        None => Ok(()),
    }
}

/// The line's net, VAT and cost: in proportion, or what is left when the last units come back.
/// The net is the units at the invoiced price less their share of the line's discount (exact and
/// cumulative, as the invoice took it from its order line).
fn amounts(
    request: &ReturnLine,
    invoiced: &pb::InvoiceLine,
    issued: &pb::IssuedLine,
    so_far: &Returned,
    remaining: i64,
) -> Result<pb::SalesReturnLine> {
    let quantity = request.quantity;
    let (net_amount, vat_amount, cost_amount) = if quantity == remaining {
        (invoiced.net_amount - so_far.net, invoiced.vat_amount - so_far.vat, issued.cost_amount - so_far.cost)
    } else {
        let discount = discount_share(invoiced.discount_amount, invoiced.quantity, so_far.quantity, quantity);
        let net = limits::line_total(quantity, invoiced.unit_price)
            .map(|gross| gross - discount)
            .map_err(|message| Error::invalid(format!("lines[{}].quantity", request.index), message))?;
        let vat = with_vat(net, i64::from(invoiced.vat_rate_bp))
            .and_then(|gross| gross.checked_sub(net))
            .ok_or_else(|| Error::invalid(format!("lines[{}].quantity", request.index), "the amount is too large"))?;
        (net, vat, share(issued.cost_amount, quantity, issued.quantity))
    };
    Ok(pb::SalesReturnLine {
        line_no: 0,
        invoice_line_no: invoiced.line_no,
        product_id: invoiced.product_id,
        model_code: invoiced.model_code.clone(),
        quantity,
        condition: request.condition.to_proto() as i32,
        serials: request.serials.clone(),
        unit_price: invoiced.unit_price,
        vat_rate_bp: invoiced.vat_rate_bp,
        net_amount,
        vat_amount,
        unit_cost: share(cost_amount, 1, quantity),
        cost_amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice() -> pb::Invoice {
        let line = pb::InvoiceLine {
            line_no: 1,
            product_id: 7,
            model_code: "M7".into(),
            quantity: 3,
            unit_price: 1_000_001,
            vat_rate_bp: 1_000,
            net_amount: 3_000_003,
            vat_amount: 300_000,
            discount_amount: 0,
        };
        pb::Invoice { number: "C26TAQ-0000001".into(), lines: vec![line], ..Default::default() }
    }

    fn issue() -> pb::GoodsIssue {
        let serials = vec!["A".into(), "B".into(), "C".into()];
        let line = pb::IssuedLine { line_no: 1, product_id: 7, quantity: 3, serials, cost_amount: 1_000 };
        pb::GoodsIssue { lines: vec![line], ..Default::default() }
    }

    fn asked(quantity: i64, serials: &[&str]) -> ReturnLine {
        let serials = serials.iter().map(|s| (*s).to_owned()).collect();
        ReturnLine { index: 0, invoice_line_no: 1, quantity, condition: Condition::Good, serials }
    }

    #[test]
    fn part_returns_add_up_to_the_whole_line() {
        let first = price(&invoice(), &issue(), (&[], &[]), &[asked(1, &["A"])]).unwrap();
        let line = &first[0].line;
        assert_eq!((line.net_amount, line.vat_amount, line.cost_amount), (1_000_001, 100_000, 333));
        let so_far = Returned { quantity: 1, net: 1_000_001, vat: 100_000, cost: 333 };
        let rest = price(&invoice(), &issue(), (&[(1, so_far)], &[(7, "A".into())]), &[asked(2, &["B", "C"])]).unwrap();
        let line = &rest[0].line;
        assert_eq!((line.net_amount, line.vat_amount, line.cost_amount), (2_000_002, 200_000, 667));
    }

    #[test]
    fn part_returns_carry_back_their_share_of_the_discount() {
        let mut discounted = invoice();
        let line = &mut discounted.lines[0];
        (line.unit_price, line.discount_amount, line.net_amount, line.vat_amount) = (1_000, 200, 2_800, 280);
        let first = price(&discounted, &issue(), (&[], &[]), &[asked(1, &["A"])]).unwrap();
        let line = &first[0].line;
        assert_eq!((line.net_amount, line.vat_amount), (934, 93));
        let so_far = Returned { quantity: 1, net: 934, vat: 93, cost: 333 };
        let rest =
            price(&discounted, &issue(), (&[(1, so_far)], &[(7, "A".into())]), &[asked(2, &["B", "C"])]).unwrap();
        assert_eq!((rest[0].line.net_amount, rest[0].line.vat_amount), (1_866, 187));
        let lines = [first[0].line.clone(), rest[0].line.clone()];
        assert_eq!((discount(&lines[..1]).unwrap(), discount(&lines).unwrap()), (66, 200));
    }

    #[test]
    fn more_than_remains_or_foreign_serials_are_field_errors() {
        let so_far = Returned { quantity: 2, net: 0, vat: 0, cost: 0 };
        let refused = price(&invoice(), &issue(), (&[(1, so_far)], &[]), &[asked(2, &["A", "B"])]);
        assert!(matches!(refused, Err(Error::Invalid(_))));
        assert!(price(&invoice(), &issue(), (&[], &[]), &[asked(1, &["Z"])]).is_err());
        assert!(price(&invoice(), &issue(), (&[], &[(7, "A".into())]), &[asked(1, &["A"])]).is_err());
        assert!(price(&invoice(), &issue(), (&[], &[]), &[asked(1, &[])]).is_err());
    }
}
