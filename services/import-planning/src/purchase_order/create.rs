//! Drafting a supplier order: lines as given, or the plans' proposals from the supplier (priced
//! as given or at the product's last order), then stored and planned on.

use std::collections::{BTreeMap, HashMap};

use atq_platform::business_time::date_from_proto;
use atq_platform::error::Result;
use atq_platform::limits;
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

use super::{after_step, found};
use crate::plan_store;
use crate::product_store::{self, ProductRow};
use crate::purchase_order_store::{self as store, NewLine, NewPurchaseOrder};
use crate::replanning::Planning;
use crate::supplier_store::{self, SupplierRow};

const MAX_LINES: usize = 500;
const MAX_UNIT_PRICE: i64 = 1_000_000_000_000;

/// A checked new order, and whether it takes the supplier's proposals.
#[derive(Clone, Debug)]
pub struct Draft {
    pub order: NewPurchaseOrder,
    pub from_proposals: bool,
}

/// (product id, quantity, unit price) of each line asked for.
type LineWanted = (i64, i64, i64);

/// Checks a new order, naming every bad field at once (unknown products and suppliers among them).
pub async fn check(db: &Db, input: &pb::CreatePurchaseOrderRequest) -> Result<Draft> {
    let mut v = Violations::new();
    let supplier = match input.supplier_id {
        id if id > 0 => supplier_store::find(db.pool(), id).await?,
        _ => None,
    };
    if supplier.is_none() {
        v.add("supplier_id", "no supplier has this id");
    }
    let warehouse = match input.warehouse {
        0 => Some(Office::HoChiMinh),
        value => v.check("warehouse", Office::from_proto(value)),
    };
    let note = v.check("note", optional_text(&input.note, 1000));
    if !input.from_proposals && input.lines.is_empty() {
        v.add("lines", "at least one line is required (or from_proposals)");
    } else if input.lines.len() > MAX_LINES {
        return Err(Error::invalid("lines", format!("at most {MAX_LINES} lines")));
    }
    let (wanted, order_by) = match &supplier {
        Some(_) => lines_of(db, &mut v, input).await?,
        None => (Vec::new(), None),
    };
    let lines = check_lines(db, &mut v, &wanted, supplier.as_ref()).await?;
    v.finish()?;
    let (Some(supplier), Some(warehouse), Some(note)) = (supplier, warehouse, note) else {
        return Err(Error::invalid("supplier_id", "is required"));
    };
    let order = NewPurchaseOrder {
        supplier_id: supplier.id,
        currency: supplier.fields.currency.clone(),
        warehouse,
        note,
        lead_time_days: supplier.fields.lead_time_days,
        buffer_days: 0,
        order_by,
        lines,
    };
    Ok(Draft { order, from_proposals: input.from_proposals })
}

/// The lines of a new order: as given, or the supplier's proposals (prices from the request
/// or the last order of the product), with the proposals' order-by date.
async fn lines_of(
    db: &Db,
    v: &mut Violations,
    input: &pb::CreatePurchaseOrderRequest,
) -> Result<(Vec<LineWanted>, Option<NaiveDate>)> {
    if !input.from_proposals {
        return Ok((input.lines.iter().map(|l| (l.product_id, l.quantity, l.unit_price)).collect(), None));
    }
    let proposals = plan_store::proposals(db.pool(), input.supplier_id).await?;
    let Some(group) = proposals.into_iter().next() else {
        v.add("from_proposals", "the plans propose nothing from this supplier");
        return Ok((Vec::new(), None));
    };
    let given: HashMap<i64, i64> = input.lines.iter().map(|l| (l.product_id, l.unit_price)).collect();
    let order_by = group.order_by.as_ref().and_then(|d| date_from_proto(d).ok());
    let quantities = proposed_quantities(vec![group]);
    for (i, line) in input.lines.iter().enumerate() {
        if !quantities.contains_key(&line.product_id) {
            v.add(format!("lines[{i}].product_id"), "is not among this supplier's proposals");
        }
    }
    let ids: Vec<i64> = quantities.keys().copied().collect();
    let last = store::last_prices(db.pool(), input.supplier_id, &ids).await?;
    let lines = quantities
        .into_iter()
        .map(|(product_id, quantity)| {
            let price = given.get(&product_id).or(last.get(&product_id)).copied().unwrap_or(0);
            (product_id, quantity, price)
        })
        .collect();
    Ok((lines, order_by))
}

/// The lines of products in the catalog bought from this supplier, in range.
async fn check_lines(
    db: &Db,
    v: &mut Violations,
    wanted: &[LineWanted],
    supplier: Option<&SupplierRow>,
) -> Result<Vec<NewLine>> {
    let ids: Vec<i64> = wanted.iter().map(|l| l.0).collect();
    let products: HashMap<i64, ProductRow> =
        product_store::find_many(db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
    let mut lines = Vec::new();
    for (i, (product_id, quantity, unit_price)) in wanted.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        match products.get(product_id) {
            None => v.add(field("product_id"), "no product in the catalog has this id"),
            Some(p) if Some(p.fields.supplier_id) != supplier.map(|s| s.id) => {
                v.add(field("product_id"), "is bought from another supplier")
            }
            Some(p) => lines.push(NewLine {
                product_id: *product_id,
                model_code: p.fields.model_code.clone(),
                quantity: *quantity,
                unit_price: *unit_price,
            }),
        }
        let quantity = v.check(&field("quantity"), limits::quantity(*quantity));
        let price = v.check(
            &field("unit_price"),
            limits::amount(*unit_price).and_then(|price| {
                if price > MAX_UNIT_PRICE { Err(format!("must be from 0 to {MAX_UNIT_PRICE}")) } else { Ok(price) }
            }),
        );
        if let (Some(quantity), Some(price)) = (quantity, price) {
            v.check(&field("unit_price"), limits::line_total(quantity, price));
        }
    }
    Ok(lines)
}

/// Units proposed per product.
fn proposed_quantities(groups: Vec<pb::SupplierProposal>) -> BTreeMap<i64, i64> {
    let mut quantities = BTreeMap::new();
    for line in groups.iter().flat_map(|g| &g.lines) {
        *quantities.entry(line.product_id).or_insert(0) += line.quantity;
    }
    quantities
}

/// Stores the draft, expected after the slowest route of its lines, and plans on it.
pub async fn create(planning: &Planning, tx: &mut Tx, draft: &Draft, by: &str) -> Result<pb::PurchaseOrder> {
    Planning::lock(tx).await?;
    if draft.from_proposals {
        // Two clerks ordering the same proposals: the second finds them ordered.
        let now = proposed_quantities(plan_store::proposals(&mut **tx, draft.order.supplier_id).await?);
        let taken: BTreeMap<i64, i64> = draft.order.lines.iter().map(|l| (l.product_id, l.quantity)).collect();
        if now != taken {
            return Err(Error::Conflict(
                "the proposals changed meanwhile (another order took them); look at them again".into(),
            ));
        }
    }
    let ids: Vec<i64> = draft.order.lines.iter().map(|l| l.product_id).collect();
    let terms = plan_store::planner_terms(tx, Some(&ids)).await?;
    // The slowest route of its lines decides when the order is expected.
    let buffer = terms.values().map(|t| t.buffer_days).max().unwrap_or(plan_store::DEFAULT_BUFFER_DAYS);
    let order = NewPurchaseOrder { buffer_days: buffer, ..draft.order.clone() };
    let id = store::insert(tx, &order, by).await?;
    let order = found(tx, id).await?;
    after_step(planning, tx, &order).await?;
    Ok(order)
}
