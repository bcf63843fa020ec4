//! Price quote sheet rows: `price_lists` and their `price_list_lines`.

use atq_platform::business_time::{date_to_proto, local_date, now_micros, stored_date, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Tx, numbering};
use atq_proto::importplanning::v1 as pb;
use chrono::{Datelike, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::price_list::{GROUPS, Margins, TIERS, column_rank};
use atq_platform::text_status;

const COLUMNS: &str = "id, number, status, effective_on, rounding_step, margin_individual_bp, margin_dealer_bp, \
                       margin_project_bp, margin_distributor_bp, margin_tier1_bp, margin_tier2_bp, created_by, \
                       created_at, published_by, published_at, version, updated_at";

const LINE_COLUMNS: &str = "product_id, customer_group, model_code, name_vi, brand, category, unit, unit_cost, \
                            cost_basis, margin_bp, price_net, vat_rate_bp, price_gross";

text_status! {
    /// A sheet is drafted, then published; published sheets are in force from their date.
    PriceListStatus {
        Draft = "draft",
        Published = "published",
    }
}

/// A draft ready to be stored with the margins of its columns.
#[derive(Clone, Debug)]
pub struct NewPriceList {
    pub effective_on: NaiveDate,
    pub rounding_step: i64,
    pub margins: Margins,
    pub lines: Vec<pb::PriceListLine>,
}

fn header_from_row(row: &AnyRow) -> Result<pb::PriceList> {
    let effective_on: String = row.try_get("effective_on")?;
    let published_at: i64 = row.try_get("published_at")?;
    let margins = GROUPS
        .iter()
        .zip(["margin_individual_bp", "margin_dealer_bp", "margin_project_bp"])
        .map(|(group, column)| {
            Ok(pb::GroupMargin {
                customer_group: (*group).to_owned(),
                margin_bp: row.try_get::<i64, _>(column)? as i32,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut margins = margins;
    // A tier is listed only when the sheet prices it (its margin is not NULL).
    for (tier, column) in TIERS.iter().zip(["margin_distributor_bp", "margin_tier1_bp", "margin_tier2_bp"]) {
        if let Some(bp) = row.try_get::<Option<i64>, _>(column)? {
            margins.push(pb::GroupMargin { customer_group: (*tier).to_owned(), margin_bp: bp as i32 });
        }
    }
    Ok(pb::PriceList {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        status: row.try_get("status")?,
        effective_on: stored_date(&effective_on, "price list")?.map(date_to_proto),
        rounding_step: row.try_get("rounding_step")?,
        margins,
        lines: Vec::new(),
        current: false,
        costs_shown: true,
        created_by: row.try_get("created_by")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        published_by: row.try_get("published_by")?,
        published_at: (published_at > 0).then(|| to_timestamp(published_at)),
        version: row.try_get("version")?,
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
    })
}

fn line_from_row(row: &AnyRow) -> Result<pb::PriceListLine> {
    Ok(pb::PriceListLine {
        product_id: row.try_get("product_id")?,
        model_code: row.try_get("model_code")?,
        name_vi: row.try_get("name_vi")?,
        brand: row.try_get("brand")?,
        category: row.try_get("category")?,
        unit: row.try_get("unit")?,
        customer_group: row.try_get("customer_group")?,
        unit_cost: row.try_get("unit_cost")?,
        cost_basis: row.try_get("cost_basis")?,
        margin_bp: row.try_get::<i64, _>("margin_bp")? as i32,
        price_net: row.try_get("price_net")?,
        vat_rate_bp: row.try_get::<i64, _>("vat_rate_bp")? as i32,
        price_gross: row.try_get("price_gross")?,
    })
}

/// Lines sorted by product, then column: the groups in the order of [`GROUPS`], then the tiers.
fn sort_lines(lines: &mut [pb::PriceListLine]) {
    lines.sort_by_key(|a| (a.product_id, column_rank(&a.customer_group)));
}

/// Stores a draft with its number (BBG-2026-001, a series per year of making) and lines.
#[tracing::instrument(level = "debug", skip_all, fields(lines = draft.lines.len()))]
pub async fn insert(tx: &mut Tx, draft: &NewPriceList, by: &str) -> Result<i64> {
    let now = now_micros();
    let year = local_date(now).year();
    let n = numbering::next_in_series(tx, &format!("BBG-{year}")).await?;
    let number = format!("BBG-{year}-{n:03}");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO price_lists (number, status, effective_on, rounding_step, margin_individual_bp, \
         margin_dealer_bp, margin_project_bp, margin_distributor_bp, margin_tier1_bp, margin_tier2_bp, created_by, \
         created_at, published_by, published_at, version, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '', 0, 1, $12) RETURNING id",
    )
    .bind(&number)
    .bind(PriceListStatus::Draft.as_str())
    .bind(draft.effective_on.to_string())
    .bind(draft.rounding_step)
    .bind(draft.margins.groups[0])
    .bind(draft.margins.groups[1])
    .bind(draft.margins.groups[2])
    .bind(draft.margins.tiers[0])
    .bind(draft.margins.tiers[1])
    .bind(draft.margins.tiers[2])
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for line in &draft.lines {
        sqlx::query(&format!(
            "INSERT INTO price_list_lines (price_list_id, {LINE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(id)
        .bind(line.product_id)
        .bind(&line.customer_group)
        .bind(&line.model_code)
        .bind(&line.name_vi)
        .bind(&line.brand)
        .bind(&line.category)
        .bind(&line.unit)
        .bind(line.unit_cost)
        .bind(&line.cost_basis)
        .bind(i64::from(line.margin_bp))
        .bind(line.price_net)
        .bind(i64::from(line.vat_rate_bp))
        .bind(line.price_gross)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// The sheet without its lines.
#[tracing::instrument(level = "debug", skip(executor))]
pub async fn find_header<'e, E: sqlx::Executor<'e, Database = Any>>(
    executor: E,
    id: i64,
) -> Result<Option<pb::PriceList>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM price_lists WHERE id = $1"))
        .bind(id)
        .fetch_optional(executor)
        .await?;
    row.as_ref().map(header_from_row).transpose()
}

#[tracing::instrument(level = "debug", skip(executor))]
pub async fn lines<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, id: i64) -> Result<Vec<pb::PriceListLine>> {
    lines_of(executor, id, "", &[]).await
}

/// The lines of one column, a customer group or a dealer tier ('' for all), and of these products
/// (empty for all).
#[tracing::instrument(level = "debug", skip(executor, product_ids), fields(products = product_ids.len()))]
pub async fn lines_of<'e, E: sqlx::Executor<'e, Database = Any>>(
    executor: E,
    id: i64,
    group: &str,
    product_ids: &[i64],
) -> Result<Vec<pb::PriceListLine>> {
    let mut sql = format!(
        "SELECT {LINE_COLUMNS} FROM price_list_lines WHERE price_list_id = $1 AND ($2 = '' OR customer_group = $2)"
    );
    if !product_ids.is_empty() {
        let placeholders: Vec<String> = (3..3 + product_ids.len()).map(|i| format!("${i}")).collect();
        sql.push_str(&format!(" AND product_id IN ({})", placeholders.join(", ")));
    }
    let mut query = sqlx::query(&sql).bind(id).bind(group);
    for product_id in product_ids {
        query = query.bind(*product_id);
    }
    let rows = query.fetch_all(executor).await?;
    let mut lines = rows.iter().map(line_from_row).collect::<Result<Vec<_>>>()?;
    sort_lines(&mut lines);
    Ok(lines)
}

/// The sheet with its lines, and whether it is the one in force today.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn find(db: &Db, id: i64) -> Result<Option<pb::PriceList>> {
    let Some(mut list) = find_header(db.pool(), id).await? else { return Ok(None) };
    list.lines = lines(db.pool(), id).await?;
    list.current = current_id(db, local_date(now_micros())).await? == Some(id);
    Ok(Some(list))
}

/// The latest published sheet in force on `day`: the latest effective date not after it, and of
/// those the last published.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn current_id(db: &Db, day: NaiveDate) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM price_lists WHERE status = $1 AND effective_on <= $2 \
         ORDER BY effective_on DESC, published_at DESC, id DESC LIMIT 1",
    )
    .bind(PriceListStatus::Published.as_str())
    .bind(day.to_string())
    .fetch_optional(db.pool())
    .await?)
}

/// Sheets without lines, in id order (keyset paging).
#[tracing::instrument(level = "debug", skip(db, page))]
pub async fn list(db: &Db, status: &str, page: Page) -> Result<Vec<pb::PriceList>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM price_lists WHERE id > $1 AND ($2 = '' OR status = $2) ORDER BY id LIMIT $3"
    ))
    .bind(page.after_id)
    .bind(status)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(header_from_row).collect()
}

/// Marks a draft published (the caller has checked that it is a draft at `version`).
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn publish(tx: &mut Tx, id: i64, version: i64, by: &str) -> Result<()> {
    let now = now_micros();
    let updated = sqlx::query(
        "UPDATE price_lists SET status = $1, published_by = $2, published_at = $3, version = version + 1, \
         updated_at = $3 WHERE id = $4 AND version = $5 AND status = $6",
    )
    .bind(PriceListStatus::Published.as_str())
    .bind(by)
    .bind(now)
    .bind(id)
    .bind(version)
    .bind(PriceListStatus::Draft.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(Error::StaleVersion { expected: version, actual: version + 1 });
    }
    Ok(())
}

/// How many lines the sheet has.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn line_count(tx: &mut Tx, id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM price_list_lines WHERE price_list_id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?)
}

/// Every product id in the catalog, in order.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn all_product_ids(db: &Db) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM products ORDER BY id").fetch_all(db.pool()).await?)
}
