//! The price quote sheet (bảng báo giá): drafted from costs (given, the warehouse's average, or
//! the list price) and one margin per customer group and per dealer tier priced, published to be in force from its date,
//! compared with the sheet in force, and read by sales for a quote.

mod changes;
mod margins;
mod pricing;

use std::collections::{BTreeMap, BTreeSet};

use atq_platform::business_time::{date_from_proto, local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::error::Result;
use atq_platform::limits::MAX_AMOUNT;
use atq_platform::validation::Violations;
use atq_platform::{Backend, Caller, Db, Error, Tx, outbox};
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

pub use changes::changes;
pub use margins::Margins;
pub use pricing::{
    GROUPS, MAX_MARGIN_BP, MAX_ROUNDING_STEP, MAX_UNIT_COST, TIERS, change_e4, column_rank, column_word, group_word,
    price_net, prices,
};

use crate::price_list_store::{self, NewPriceList, PriceListStatus};
use crate::product_store::{self, ProductRow};
use crate::warehouse::Warehouse;

/// A sheet covers the catalog; more than this is a mistake in the request.
const MAX_PRODUCTS: usize = 5_000;
/// Product rows are read this many at a time.
const CHUNK: usize = 500;
/// Bounds one read of the sheet in force for a document's products.
const MAX_PRODUCT_IDS: usize = 1_000;

/// A checked request for a new sheet: its products, the costs given for some, and the margins
/// of its columns.
pub struct NewSheet {
    effective_on: NaiveDate,
    rounding_step: i64,
    margins: Margins,
    products: Vec<ProductRow>,
    given: BTreeMap<i64, i64>,
}

/// Checks a new sheet's request, naming every bad field at once (unknown products among them).
pub async fn check(db: &Db, input: &pb::CreatePriceListRequest) -> Result<NewSheet> {
    let mut v = Violations::new();
    let effective_on = match &input.effective_on {
        Some(date) => v.check("effective_on", date_from_proto(date)),
        None => {
            v.add("effective_on", "is required");
            None
        }
    };
    if input.rounding_step <= 0 {
        v.add("rounding_step", "must be more than zero");
    } else if input.rounding_step > MAX_ROUNDING_STEP {
        v.add("rounding_step", format!("must be at most {MAX_ROUNDING_STEP}"));
    }
    let margins = margins::parse(&mut v, &input.margins);
    let ids = product_ids(db, &mut v, &input.product_ids).await?;
    let products = products(db, &ids).await?;
    let known: BTreeSet<i64> = products.iter().map(|p| p.id).collect();
    for (i, id) in input.product_ids.iter().enumerate() {
        if !known.contains(id) {
            v.add(format!("product_ids[{i}]"), "no product in the catalog has this id");
        }
    }
    if ids.is_empty() && input.product_ids.is_empty() {
        v.add("product_ids", "the catalog has no products to price");
    }
    let given = check_costs(&mut v, &input.costs, &known, input.product_ids.is_empty());
    v.finish()?;
    let Some(effective_on) = effective_on else {
        return Err(Error::invalid("effective_on", "is required"));
    };
    Ok(NewSheet { effective_on, rounding_step: input.rounding_step, margins, products, given })
}

/// Which products: those named (each once), else the whole catalog.
async fn product_ids(db: &Db, v: &mut Violations, named: &[i64]) -> Result<Vec<i64>> {
    let ids: Vec<i64> = if named.is_empty() {
        price_list_store::all_product_ids(db).await?
    } else {
        let mut seen = BTreeSet::new();
        for (i, id) in named.iter().enumerate() {
            if !seen.insert(*id) {
                v.add(format!("product_ids[{i}]"), "is listed twice");
            }
        }
        seen.into_iter().collect()
    };
    if ids.len() > MAX_PRODUCTS {
        v.add("product_ids", format!("at most {MAX_PRODUCTS} products in one sheet"));
    }
    Ok(ids)
}

async fn products(db: &Db, ids: &[i64]) -> Result<Vec<ProductRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        rows.extend(product_store::find_many(db, chunk).await?);
    }
    Ok(rows)
}

/// The costs given, by product: of known products, once each, in range.
fn check_costs(
    v: &mut Violations,
    costs: &[pb::ProductCost],
    known: &BTreeSet<i64>,
    whole_catalog: bool,
) -> BTreeMap<i64, i64> {
    let mut given = BTreeMap::new();
    for (i, cost) in costs.iter().enumerate() {
        let field = |name: &str| format!("costs[{i}].{name}");
        if !known.contains(&cost.product_id) {
            let message =
                if whole_catalog { "no product in the catalog has this id" } else { "is not one of product_ids" };
            v.add(field("product_id"), message);
        } else if given.insert(cost.product_id, cost.unit_cost).is_some() {
            v.add(field("product_id"), "has a cost already");
        }
        if cost.unit_cost <= 0 {
            v.add(field("unit_cost"), "must be more than zero");
        } else if cost.unit_cost > MAX_UNIT_COST {
            v.add(field("unit_cost"), format!("must be at most {MAX_UNIT_COST}"));
        }
    }
    given
}

/// The company-wide moving-average cost per product, where the warehouse has one; read as the
/// caller, who must be allowed to see costs there.
async fn average_costs(warehouse: &Warehouse, caller: &Caller) -> Result<BTreeMap<i64, i64>> {
    Ok(warehouse
        .stock(0, caller)
        .await?
        .into_iter()
        .filter(|level| level.average_unit_cost > 0)
        .map(|level| (level.product_id, level.average_unit_cost))
        .collect())
}

/// The sheet's lines: each product's cost (given, else the average cost, else the list price)
/// priced for each customer group and each dealer tier the sheet prices.
pub async fn draft(warehouse: &Warehouse, caller: &Caller, sheet: &NewSheet) -> Result<NewPriceList> {
    let averages = if sheet.products.iter().all(|p| sheet.given.contains_key(&p.id)) {
        BTreeMap::new()
    } else {
        average_costs(warehouse, caller).await?
    };
    let mut lines = Vec::with_capacity(sheet.products.len() * (GROUPS.len() + TIERS.len()));
    for product in &sheet.products {
        let (cost, basis) = match (sheet.given.get(&product.id), averages.get(&product.id)) {
            (Some(cost), _) => (*cost, "given"),
            (None, Some(cost)) => (*cost, "average_cost"),
            (None, None) => (product.fields.list_price, "list_price"),
        };
        for (group, margin_bp) in sheet.margins.columns() {
            let vat = product.fields.vat_rate_bp;
            // Given costs and list prices are bounded where they enter; an average cost comes
            // from the warehouse. A price past the amount bound is refused, never capped.
            let priced = prices(cost, margin_bp, sheet.rounding_step, vat).filter(|(net, _)| *net <= MAX_AMOUNT);
            let Some((net, gross)) = priced else {
                let message = format!("{}: a cost of {cost} prices past {MAX_AMOUNT}", product.fields.model_code);
                return Err(Error::invalid("product_ids", message));
            };
            lines.push(pb::PriceListLine {
                product_id: product.id,
                model_code: product.fields.model_code.clone(),
                name_vi: product.fields.name_vi.clone(),
                brand: product.fields.brand.clone(),
                category: product.fields.category.to_owned(),
                unit: product.fields.unit.clone(),
                customer_group: group.to_owned(),
                unit_cost: cost,
                cost_basis: basis.to_owned(),
                margin_bp: margin_bp as i32,
                price_net: net,
                vat_rate_bp: vat as i32,
                price_gross: gross,
            });
        }
    }
    Ok(NewPriceList {
        effective_on: sheet.effective_on,
        rounding_step: sheet.rounding_step,
        margins: sheet.margins,
        lines,
    })
}

/// Stores a drafted sheet; returns it with its lines.
pub async fn store(tx: &mut Tx, draft: &NewPriceList, by: &str) -> Result<pb::PriceList> {
    let id = price_list_store::insert(tx, draft, by).await?;
    let mut list = price_list_store::find_header(&mut **tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("price list {id}")))?;
    list.lines = price_list_store::lines(&mut **tx, id).await?;
    Ok(list)
}

/// The sheet with its lines.
pub async fn found(db: &Db, id: i64) -> Result<pb::PriceList> {
    price_list_store::find(db, id).await?.ok_or_else(|| Error::NotFound(format!("price list {id}")))
}

/// Publishes a draft read at `expected_version` (0: whatever version) and tells the feed.
/// Returns whether this call published it: publishing again changes nothing, and a twin
/// request that published it first is the same outcome.
pub async fn publish(tx: &mut Tx, backend: Backend, id: i64, expected_version: i64, by: &str) -> Result<bool> {
    let list = price_list_store::find_header(&mut **tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("price list {id}")))?;
    if PriceListStatus::stored(&list.status)? != PriceListStatus::Draft {
        return Ok(false);
    }
    Error::unless_stale(expected_version, list.version)?;
    match price_list_store::publish(tx, list.id, list.version, by).await {
        Ok(()) => {}
        Err(Error::StaleVersion { .. }) if expected_version == 0 => return Ok(false),
        Err(error) => return Err(error),
    }
    let lines = price_list_store::line_count(tx, list.id).await?;
    let event = pb::PriceListPublished {
        price_list_id: list.id,
        number: list.number.clone(),
        effective_from: list.effective_on,
        lines: lines as i32,
        published_by: by.to_owned(),
    };
    outbox::record(tx, backend, "price_list", &list.number, &event).await?;
    Ok(true)
}

/// The sheet in force today, with the lines of one column, a customer group or a dealer tier ('' for
/// all), and of these products (none: all); costs and margins left out for callers who may not read
/// costs (sales staff). A tier the sheet does not price has no lines.
pub async fn current(db: &Db, caller: &Caller, group: &str, product_ids: &[i64]) -> Result<pb::PriceList> {
    let group = match group.trim() {
        "" => None,
        text => Some(column_word(text).ok_or_else(|| Error::invalid("group", margins::NOT_A_COLUMN))?),
    };
    let id = price_list_store::current_id(db, local_date(now_micros()))
        .await?
        .ok_or_else(|| Error::NotFound("no price list is published and in force today".into()))?;
    if product_ids.len() > MAX_PRODUCT_IDS {
        return Err(Error::invalid("product_ids", format!("at most {MAX_PRODUCT_IDS} at once")));
    }
    // Only the lines asked for are read: a quote needs a few products of one group.
    let mut list = price_list_store::find_header(db.pool(), id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("price list {id}")))?;
    list.current = true;
    list.lines = price_list_store::lines_of(db.pool(), id, group.unwrap_or_default(), product_ids).await?;
    if let Some(group) = group {
        list.margins.retain(|m| m.customer_group == group);
    }
    if !caller.role.may(Action::ReadCosts) {
        hide_costs(&mut list);
    }
    Ok(list)
}

/// Leaves cost, basis and margins out.
fn hide_costs(list: &mut pb::PriceList) {
    list.costs_shown = false;
    list.margins.clear();
    for line in &mut list.lines {
        line.unit_cost = 0;
        line.cost_basis.clear();
        line.margin_bp = 0;
    }
}
