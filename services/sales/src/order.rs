//! Sales orders: the lines a salesperson enters, checked against the catalog, with exact amounts.

use std::collections::HashMap;

use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::currency::with_vat;
use atq_platform::limits::{self, MAX_AMOUNT};
use atq_platform::validation::Violations;
use atq_platform::{Error, Office};
use atq_proto::importplanning::v1::Product;
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use atq_platform::text_status;

pub mod create;
pub mod discount;
pub mod lifecycle;

pub use discount::discounted_amounts;

pub const MAX_LINES: usize = 200;
const VAT_RATES_BP: [i32; 3] = [1000, 800, 500];

text_status! {
    /// The statuses an order passes through.
    OrderStatus {
        Draft = "draft",
        /// Stock is being reserved; a retried confirmation carries on from here.
        Confirming = "confirming",
        Confirmed = "confirmed",
        /// Stock is being released; a retried cancellation carries on from here.
        Cancelling = "cancelling",
        Cancelled = "cancelled",
        /// Every line delivered.
        Completed = "completed",
    }
}

impl OrderStatus {
    /// Whether the order waits for goods or has them: its lines count backorders.
    pub fn is_confirmed(self) -> bool {
        matches!(self, OrderStatus::Confirmed | OrderStatus::Completed)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLine {
    pub line_no: i64,
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub supplier_id: i64,
    pub quantity: i64,
    /// The price before any discount.
    pub unit_price: i64,
    pub vat_rate_bp: i64,
    pub delivery_date: Option<NaiveDate>,
    /// quantity x unit_price less discount_amount.
    pub net_amount: i64,
    pub vat_amount: i64,
    /// The line's discounts in VND without VAT (the quote's and the promotions'), never above
    /// quantity x unit_price: accounting books them on 5211.
    pub discount_amount: i64,
    /// The promotion programmes behind part of the discount, by name.
    pub promotions: Vec<String>,
}

/// What a line costs: net = quantity x unit price; VAT on the net, rounded half up. None when
/// the net passes [`MAX_AMOUNT`]: then VAT (at most 10%) cannot reach the cap of `with_vat`.
pub fn amounts(quantity: i64, unit_price: i64, vat_rate_bp: i64) -> Option<(i64, i64)> {
    let net = limits::line_total(quantity, unit_price).ok()?;
    if !(0..=10_000).contains(&vat_rate_bp) {
        return None;
    }
    let gross = with_vat(net, vat_rate_bp)?;
    Some((net, gross.checked_sub(net)?))
}

/// A document's net and VAT totals, refused (named `lines`) when their sum passes [`MAX_AMOUNT`].
pub fn totals(v: &mut Violations, lines: impl IntoIterator<Item = (i64, i64)> + Clone) {
    if document_totals(lines).is_none() {
        v.add("lines", format!("the document's total with VAT must not pass {MAX_AMOUNT}"));
    }
}

/// The net and VAT sums of a document's lines, None when they or their sum pass [`MAX_AMOUNT`].
pub fn document_totals(lines: impl IntoIterator<Item = (i64, i64)> + Clone) -> Option<(i64, i64)> {
    let net = limits::checked_sum(lines.clone().into_iter().map(|(net, _)| net))?;
    let vat = limits::checked_sum(lines.into_iter().map(|(_, vat)| vat))?;
    net.checked_add(vat).filter(|gross| *gross <= MAX_AMOUNT)?;
    Some((net, vat))
}

/// What a line asks for before the catalog fills in the defaults.
pub struct PriceInput {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price: Option<i64>,
    pub vat_rate_bp: Option<i32>,
}

/// Checks a line's product, quantity, price and VAT rate (catalog defaults), naming each bad field
/// as `lines[i].<name>`; returns the product with the price and rate to charge.
pub fn price_line<'c>(
    v: &mut Violations,
    i: usize,
    line: PriceInput,
    catalog: &'c HashMap<i64, Product>,
) -> Option<(&'c Product, i64, i32)> {
    let field = |name: &str| format!("lines[{i}].{name}");
    let product = catalog.get(&line.product_id);
    if product.is_none() {
        v.add(field("product_id"), "no product in the catalog has this id");
    }
    let quantity = v.check(&field("quantity"), limits::quantity(line.quantity));
    let product = product?;
    let unit_price = v.check(&field("unit_price"), limits::amount(line.unit_price.unwrap_or(product.list_price)));
    let vat_rate_bp = line.vat_rate_bp.unwrap_or(product.vat_rate_bp);
    if !VAT_RATES_BP.contains(&vat_rate_bp) {
        v.add(field("vat_rate"), "must be 0.10, 0.08 or 0.05");
        return None;
    }
    quantity?;
    Some((product, unit_price?, vat_rate_bp))
}

#[derive(Clone, Debug)]
pub struct NewOrder {
    pub customer_id: i64,
    pub warehouse: Option<Office>,
    pub note: String,
    pub lines: Vec<NewLine>,
    pub quote_id: i64,
    pub contract_id: i64,
    /// What each promotion programme gave on which typed line, written with the order.
    pub promotion_uses: Vec<crate::promotion_store::UseRow>,
}

impl NewOrder {
    /// Checks a create request against the catalog entries of its products.
    pub fn parse(input: &pb::CreateOrderRequest, catalog: &HashMap<i64, Product>) -> Result<NewOrder, Error> {
        let mut v = Violations::new();
        let (warehouse, note) = parse_head(&mut v, input);
        let today = local_date(now_micros());
        let lines = input.lines.iter().enumerate().filter_map(|(i, line)| parse_line(&mut v, i, line, catalog, today));
        let lines: Vec<NewLine> = lines.collect();
        totals(&mut v, lines.iter().map(|line| (line.net_amount, line.vat_amount)));
        v.finish()?;
        Ok(NewOrder {
            customer_id: input.customer_id,
            warehouse,
            note,
            lines,
            quote_id: input.quote_id,
            contract_id: input.contract_id,
            promotion_uses: Vec::new(),
        })
    }
}

/// The order's own fields and how many lines it may have; returns the warehouse and the note.
fn parse_head(v: &mut Violations, input: &pb::CreateOrderRequest) -> (Option<Office>, String) {
    if input.customer_id <= 0 {
        v.add("customer_id", "is required");
    }
    let warehouse = match input.warehouse {
        0 => None,
        value => v.check("warehouse", Office::from_proto(value)),
    };
    let note = v.check("note", atq_platform::validation::optional_text(&input.note, 2000)).unwrap_or_default();
    if input.quote_id < 0 {
        v.add("quote_id", "must be an id");
    }
    if input.contract_id < 0 {
        v.add("contract_id", "must be an id");
    }
    if input.quote_id <= 0 {
        check_line_count(v, input.lines.len(), "order");
    } else if !input.lines.is_empty() {
        v.add("lines", "must be empty: an order from a quote takes the quote's lines and prices");
    }
    (warehouse, note)
}

/// At least one line and at most [`MAX_LINES`] per `document` (an order, a quote).
pub fn check_line_count(v: &mut Violations, count: usize, document: &str) {
    if count == 0 {
        v.add("lines", "at least one line is required");
    } else if count > MAX_LINES {
        v.add("lines", format!("at most {MAX_LINES} lines per {document}"));
    }
}

/// One line priced from the catalog, or None when some field of it is wrong (named in `v`).
fn parse_line(
    v: &mut Violations,
    i: usize,
    line: &pb::CreateOrderLine,
    catalog: &HashMap<i64, Product>,
    today: NaiveDate,
) -> Option<NewLine> {
    let field = |name: &str| format!("lines[{i}].{name}");
    let request = PriceInput {
        product_id: line.product_id,
        quantity: line.quantity,
        unit_price: line.unit_price,
        vat_rate_bp: line.vat_rate_bp,
    };
    let priced = price_line(v, i, request, catalog);
    let delivery_date = match &line.delivery_date {
        None => None,
        Some(date) => match date_from_proto(date) {
            Ok(date) if date < today => {
                v.add(field("delivery_date"), "must not be in the past");
                None
            }
            Ok(date) => Some(date),
            Err(message) => {
                v.add(field("delivery_date"), message);
                None
            }
        },
    };
    let (product, unit_price, vat_rate_bp) = priced?;
    let Some((net_amount, vat_amount)) = amounts(line.quantity, unit_price, i64::from(vat_rate_bp)) else {
        v.add(field("quantity"), format!("quantity × unit price must not pass {MAX_AMOUNT}"));
        return None;
    };
    Some(NewLine {
        line_no: i as i64 + 1,
        product_id: product.id,
        model_code: product.model_code.clone(),
        product_name: product.name_vi.clone(),
        supplier_id: product.supplier_id,
        quantity: line.quantity,
        unit_price,
        vat_rate_bp: i64::from(vat_rate_bp),
        delivery_date,
        net_amount,
        vat_amount,
        discount_amount: 0,
        promotions: Vec::new(),
    })
}

impl NewLine {
    /// An order line from a quote line: its price before discount, and as discount whatever the
    /// quote took off (its percentage and its promotions), so the net is exactly the quote's.
    pub fn from_quote(line: &pb::QuoteLine) -> NewLine {
        let discount = limits::line_total(line.quantity, line.unit_price)
            .ok()
            .and_then(|gross| gross.checked_sub(line.net_amount))
            .filter(|discount| *discount >= 0);
        // A quote line whose net is not below its price list amount (never made so) keeps the
        // net price, as orders did before discounts were carried.
        let (unit_price, discount_amount) = match discount {
            Some(discount) => (line.unit_price, discount),
            None => (line.net_unit_price, 0),
        };
        NewLine {
            line_no: i64::from(line.line_no),
            product_id: line.product_id,
            model_code: line.model_code.clone(),
            product_name: line.product_name.clone(),
            supplier_id: line.supplier_id,
            quantity: line.quantity,
            unit_price,
            vat_rate_bp: i64::from(line.vat_rate_bp),
            delivery_date: None,
            net_amount: line.net_amount,
            vat_amount: line.vat_amount,
            discount_amount,
            promotions: line.promotions.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, list_price: i64, vat_rate_bp: i32) -> Product {
        Product {
            id,
            model_code: format!("M{id}"),
            name_vi: "Sản phẩm".into(),
            supplier_id: 3,
            list_price,
            vat_rate_bp,
            ..Default::default()
        }
    }

    fn quote_line(quantity: i64, unit_price: i64, discount_bp: i32) -> pb::QuoteLine {
        let net_unit_price = unit_price - (unit_price * i64::from(discount_bp) + 5_000) / 10_000;
        let (net_amount, vat_amount) = amounts(quantity, net_unit_price, 1000).unwrap();
        pb::QuoteLine {
            line_no: 1,
            product_id: 7,
            quantity,
            unit_price,
            discount_bp,
            net_unit_price,
            vat_rate_bp: 1000,
            net_amount,
            vat_amount,
            ..Default::default()
        }
    }

    #[test]
    fn an_order_from_a_quote_keeps_the_price_and_carries_the_discount() {
        let quoted = quote_line(3, 1_234_567, 500);
        let line = NewLine::from_quote(&quoted);
        assert_eq!(
            (line.unit_price, line.net_amount, line.vat_amount),
            (1_234_567, quoted.net_amount, quoted.vat_amount)
        );
        // 1_234_567 less 5% is 1_172_838.65, charged 1_172_839 a unit: 3 x 61_728 off.
        assert_eq!(line.discount_amount, 3 * 1_234_567 - 3 * 1_172_839);
        assert_eq!(line.quantity * line.unit_price - line.discount_amount, line.net_amount);
        let plain = NewLine::from_quote(&quote_line(2, 1_000, 0));
        assert_eq!((plain.unit_price, plain.discount_amount, plain.net_amount), (1_000, 0, 2_000));
        let promoted = pb::QuoteLine { promotions: vec!["Tết 2027".into()], ..quote_line(1, 10, 0) };
        assert_eq!(NewLine::from_quote(&promoted).promotions, ["Tết 2027"]);
    }

    #[test]
    fn line_amounts_round_vat_half_up_per_line() {
        assert_eq!(amounts(3, 1_234_567, 800), Some((3_703_701, 296_296)));
        assert_eq!(amounts(1, 15, 1000), Some((15, 2)));
        assert_eq!(amounts(i64::MAX, 2, 1000), None);
    }

    #[test]
    fn lines_take_the_catalog_price_and_rate_unless_given() {
        let catalog = HashMap::from([(7, product(7, 285_000_000, 1000)), (8, product(8, 24_500_000, 500))]);
        let input = pb::CreateOrderRequest {
            customer_id: 1,
            lines: vec![
                pb::CreateOrderLine { product_id: 7, quantity: 2, ..Default::default() },
                pb::CreateOrderLine { product_id: 8, quantity: 1, unit_price: Some(23_000_000), ..Default::default() },
            ],
            ..Default::default()
        };
        let order = NewOrder::parse(&input, &catalog).unwrap();
        assert_eq!((order.lines[0].unit_price, order.lines[0].vat_amount), (285_000_000, 57_000_000));
        assert_eq!(
            (order.lines[1].unit_price, order.lines[1].vat_rate_bp, order.lines[1].vat_amount),
            (23_000_000, 500, 1_150_000)
        );
        assert_eq!(order.lines[1].supplier_id, 3);
    }

    #[test]
    fn amounts_and_totals_past_the_bounds_are_refused_not_capped() {
        assert_eq!(amounts(1, MAX_AMOUNT, 1000), Some((MAX_AMOUNT, MAX_AMOUNT / 10)));
        assert_eq!(amounts(1, 9_000_000_000_000_000_000, 1000), None);
        assert_eq!(amounts(2, MAX_AMOUNT, 500), None);
        assert_eq!(document_totals([(900, 90), (100, 10)]), Some((1000, 100)));
        assert_eq!(document_totals([(MAX_AMOUNT, 0), (1, 0)]), None);
        assert_eq!(document_totals([(i64::MAX, 0), (i64::MAX, 0)]), None);
        let catalog = HashMap::from([(7, product(7, 1, 1000))]);
        let input = pb::CreateOrderRequest {
            customer_id: 1,
            lines: vec![
                pb::CreateOrderLine { product_id: 7, quantity: 1, unit_price: Some(i64::MAX), ..Default::default() },
                pb::CreateOrderLine { product_id: 7, quantity: 1_000_001, ..Default::default() },
            ],
            ..Default::default()
        };
        let Error::Invalid(fields) = NewOrder::parse(&input, &catalog).unwrap_err() else {
            panic!("expected field errors")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["lines[0].unit_price", "lines[1].quantity"]);
    }

    #[test]
    fn every_bad_line_is_named() {
        let catalog = HashMap::from([(7, product(7, 1, 1000))]);
        let input = pb::CreateOrderRequest {
            customer_id: 0,
            lines: vec![
                pb::CreateOrderLine { product_id: 99, quantity: 1, ..Default::default() },
                pb::CreateOrderLine { product_id: 7, quantity: 0, vat_rate_bp: Some(700), ..Default::default() },
            ],
            ..Default::default()
        };
        let Error::Invalid(fields) = NewOrder::parse(&input, &catalog).unwrap_err() else {
            panic!("expected field errors")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["customer_id", "lines[0].product_id", "lines[1].quantity", "lines[1].vat_rate"]);
    }
}
