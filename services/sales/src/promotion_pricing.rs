//! Active programmes on a new quote or order: which cover the customer today, the prices of the
//! goods they give away, and the lines as discounted (free goods as lines of their own).

use std::collections::HashMap;

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::catalog::CatalogReader;
use atq_platform::{Caller, Db, Error};
use atq_proto::importplanning::v1::Product;
use atq_proto::sales::v1 as pb;

use crate::customer::CustomerGroup;
use crate::customer_store::CustomerRow;
use crate::order::{NewLine, NewOrder, amounts};
use crate::promotion::Buyer;
use crate::promotion_apply::{self, Applied, PricedLine};
use crate::promotion_store::{self, UseRow};
use crate::quote::NewQuoteLine;
use crate::target::category_word;
use crate::tier_prices;

/// What the programmes give a document, and the catalog entries of the goods they give away.
#[derive(Clone, Debug, Default)]
pub struct DocumentPromotions {
    pub applied: Applied,
    pub free_products: HashMap<i64, Product>,
}

/// A line as the programmes see it.
pub fn priced_line(product: Option<&Product>, product_id: i64, quantity: i64, unit_price: i64, net: i64) -> PricedLine {
    let category = product.and_then(|p| category_word(p.category)).unwrap_or_default();
    PricedLine { product_id, category, quantity, unit_price, net }
}

/// The programmes active today that cover this customer, applied to `lines`. Goods given away are
/// priced like a line of the customer's would be: its price sheet, else the list price.
pub async fn for_document(
    db: &Db,
    catalog: &CatalogReader,
    caller: &Caller,
    customer: &CustomerRow,
    lines: &[PricedLine],
) -> Result<DocumentPromotions, Error> {
    let today = local_date(now_micros());
    let group = customer.fields.group;
    let tier = if group == CustomerGroup::Dealer { tier_prices::current_tier(db, customer.id).await? } else { None };
    let buyer = Buyer { office: customer.fields.office, group, tier };
    let programmes: Vec<_> =
        promotion_store::active_on(db, today).await?.into_iter().filter(|p| p.covers_buyer(&buyer, today)).collect();
    if programmes.is_empty() || lines.is_empty() {
        return Ok(DocumentPromotions::default());
    }
    let mut ids: Vec<i64> = programmes.iter().filter_map(|p| p.free_product()).collect();
    ids.sort_unstable();
    ids.dedup();
    let free_products = catalog.products(caller, &ids).await?;
    let sheet = tier_prices::sheet_prices(db, catalog, caller, customer, &ids).await?;
    let prices: HashMap<i64, i64> = free_products
        .values()
        .map(|p| (p.id, sheet.as_ref().and_then(|s| s.price_net.get(&p.id).copied()).unwrap_or(p.list_price)))
        .collect();
    let applied = promotion_apply::apply(&programmes, lines, &prices);
    Ok(DocumentPromotions { applied, free_products })
}

fn too_large(index: usize) -> Error {
    Error::invalid(format!("lines[{index}].quantity"), "the promotion's goods pass the bounds of an amount")
}

/// The uses with each line's revenue (its net after every discount; free lines bring none).
fn uses_with_revenue(applied: &Applied, nets: &[i64]) -> Vec<UseRow> {
    applied
        .uses
        .iter()
        .map(|u| UseRow {
            promotion_id: u.promotion_id,
            line_no: u.line as i64 + 1,
            discount: u.discount,
            gift_value: u.gift_value,
            revenue: nets.get(u.line).copied().unwrap_or(0),
        })
        .collect()
}

/// Quote lines with the programmes' discounts, then their free lines; and the uses to record.
pub fn discount_quote(lines: &mut Vec<NewQuoteLine>, promotions: &DocumentPromotions) -> Result<Vec<UseRow>, Error> {
    let applied = &promotions.applied;
    for (i, (line, given)) in lines.iter_mut().zip(&applied.lines).enumerate() {
        if given.discount == 0 {
            continue;
        }
        let net = line.net_amount - given.discount;
        let (_, vat) = amounts(1, net, line.vat_rate_bp).ok_or_else(|| too_large(i))?;
        line.net_amount = net;
        line.vat_amount = vat;
        line.promotion_discount = given.discount;
        line.promotions = given.names.clone();
    }
    let mut nets: Vec<i64> = lines.iter().map(|l| l.net_amount).collect();
    for free in &applied.free {
        let index = lines.len();
        let product = product_of(promotions, lines, free.product_id);
        let whole = free.quantity.checked_mul(free.unit_price).filter(|w| *w <= atq_platform::limits::MAX_AMOUNT);
        let whole = whole.ok_or_else(|| too_large(index))?;
        lines.push(NewQuoteLine {
            line_no: index as i64 + 1,
            product_id: free.product_id,
            model_code: product.0,
            product_name: product.1,
            supplier_id: product.2,
            quantity: free.quantity,
            unit_price: free.unit_price,
            discount_bp: 0,
            net_unit_price: free.unit_price,
            vat_rate_bp: product.3,
            net_amount: 0,
            vat_amount: 0,
            promotion_discount: whole,
            promotions: vec![free.name.clone()],
        });
        nets.push(0);
    }
    Ok(uses_with_revenue(applied, &nets))
}

/// (model code, name, supplier, VAT rate) of a product given away: from the catalog read for the
/// programmes, else from the document line of the same product (buy X get the same).
fn product_of(promotions: &DocumentPromotions, lines: &[NewQuoteLine], id: i64) -> (String, String, i64, i64) {
    if let Some(p) = promotions.free_products.get(&id) {
        return (p.model_code.clone(), p.name_vi.clone(), p.supplier_id, i64::from(p.vat_rate_bp));
    }
    let line = lines.iter().find(|l| l.product_id == id);
    line.map(|l| (l.model_code.clone(), l.product_name.clone(), l.supplier_id, l.vat_rate_bp)).unwrap_or_default()
}

/// Order lines with the programmes' discounts, each programme's part named, then the free lines
/// at their price discounted whole; and the uses to record.
pub fn discount_order(
    lines: Vec<NewLine>,
    promotions: &DocumentPromotions,
) -> Result<(Vec<NewLine>, Vec<UseRow>), Error> {
    let applied = &promotions.applied;
    let mut out = Vec::with_capacity(lines.len() + applied.free.len());
    for (i, line) in lines.into_iter().enumerate() {
        let mut line = line;
        for usage in applied.uses.iter().filter(|u| u.line == i && u.discount > 0) {
            line = line.with_discount(usage.discount, Some(&usage.name))?;
        }
        out.push(line);
    }
    let mut nets: Vec<i64> = out.iter().map(|l| l.net_amount).collect();
    for free in &applied.free {
        let index = out.len();
        let (model_code, product_name, supplier_id, vat_rate_bp) = match promotions.free_products.get(&free.product_id)
        {
            Some(p) => (p.model_code.clone(), p.name_vi.clone(), p.supplier_id, i64::from(p.vat_rate_bp)),
            None => {
                let same = out.iter().find(|l| l.product_id == free.product_id).ok_or_else(|| too_large(index))?;
                (same.model_code.clone(), same.product_name.clone(), same.supplier_id, same.vat_rate_bp)
            }
        };
        let (net_amount, vat_amount) =
            amounts(free.quantity, free.unit_price, vat_rate_bp).ok_or_else(|| too_large(index))?;
        let line = NewLine {
            line_no: index as i64 + 1,
            product_id: free.product_id,
            model_code,
            product_name,
            supplier_id,
            quantity: free.quantity,
            unit_price: free.unit_price,
            vat_rate_bp,
            delivery_date: None,
            net_amount,
            vat_amount,
            discount_amount: 0,
            promotions: Vec::new(),
        };
        out.push(line.with_discount(net_amount, Some(&free.name))?);
        nets.push(0);
    }
    Ok((out, uses_with_revenue(applied, &nets)))
}

/// An order typed without a quote, priced like a quote: a line without a price takes the
/// customer's price sheet (its tier's column for a dealer) before the list price, a given price
/// wins; then the programmes apply. An order from a quote is parsed as it is.
pub async fn typed_order(
    db: &Db,
    catalog: &CatalogReader,
    caller: &Caller,
    input: &pb::CreateOrderRequest,
    customer: &CustomerRow,
    products: &HashMap<i64, Product>,
) -> Result<NewOrder, Error> {
    if input.quote_id > 0 {
        return NewOrder::parse(input, products);
    }
    let unpriced: Vec<i64> =
        input.lines.iter().filter(|l| l.unit_price.is_none() && l.product_id > 0).map(|l| l.product_id).collect();
    let sheet = tier_prices::sheet_prices(db, catalog, caller, customer, &unpriced).await?;
    let mut priced = input.clone();
    for line in priced.lines.iter_mut().filter(|l| l.unit_price.is_none()) {
        line.unit_price = sheet.as_ref().and_then(|s| s.price_net.get(&line.product_id).copied());
    }
    let mut order = NewOrder::parse(&priced, products)?;
    let lines: Vec<PricedLine> = order
        .lines
        .iter()
        .map(|l| priced_line(products.get(&l.product_id), l.product_id, l.quantity, l.unit_price, l.net_amount))
        .collect();
    let promotions = for_document(db, catalog, caller, customer, &lines).await?;
    let (lines, uses) = discount_order(std::mem::take(&mut order.lines), &promotions)?;
    order.lines = lines;
    order.promotion_uses = uses;
    Ok(order)
}
