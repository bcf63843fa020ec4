//! Promotion rows, the programmes' uses on document lines, and the report read from them.

use atq_platform::business_time::{now_micros, start_of_local_day, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use chrono::{Days, NaiveDate};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::customer::CustomerGroup;
use crate::promotion::{Programme, PromotionStatus, rule_of, rule_to_proto};
use crate::tier_rules::Tier;

const COLUMNS: &str = "id, code, name, starts_on, ends_on, offices, customer_groups, tiers, categories, product_ids, \
                       rule_kind, percent_bp, amount, buy_quantity, free_quantity, free_product_id, min_order_net, \
                       stackable, status, note, created_by, version, created_at, updated_at";

/// A stored programme: the rules' view and its bookkeeping.
#[derive(Clone, Debug)]
pub struct PromotionRow {
    pub programme: Programme,
    pub status: PromotionStatus,
    pub created_by: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl PromotionRow {
    pub fn to_proto(&self) -> pb::Promotion {
        let p = &self.programme;
        pb::Promotion {
            id: p.id,
            code: p.code.clone(),
            name: p.name.clone(),
            starts_on: p.starts_on.to_string(),
            ends_on: p.ends_on.to_string(),
            offices: p.offices.iter().map(|o| o.code().to_owned()).collect(),
            customer_groups: p.groups.iter().map(|g| g.as_str().to_owned()).collect(),
            tiers: p.tiers.iter().map(|t| t.as_str().to_owned()).collect(),
            product_ids: p.product_ids.clone(),
            categories: p.categories.clone(),
            rule: Some(rule_to_proto(p.rule)),
            stackable: p.stackable,
            status: self.status.as_str().to_owned(),
            note: p.note.clone(),
            created_by: self.created_by.clone(),
            version: self.version,
            created_at: Some(to_timestamp(self.created_at)),
            updated_at: Some(to_timestamp(self.updated_at)),
        }
    }
}

/// ',a,b,' from the values; '' for none.
fn joined<T: ToString>(values: impl IntoIterator<Item = T>) -> String {
    let inner: Vec<String> = values.into_iter().map(|v| v.to_string()).collect();
    if inner.is_empty() { String::new() } else { format!(",{},", inner.join(",")) }
}

fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|part| !part.is_empty())
}

fn corrupt(what: &str, text: &str) -> Error {
    Error::internal(anyhow::anyhow!("stored promotion has bad {what} {text:?}"))
}

fn from_row(row: &AnyRow) -> Result<PromotionRow> {
    let text = |name: &str| row.try_get::<String, _>(name);
    let date = |name: &str| -> Result<NaiveDate> {
        let value = text(name)?;
        value.parse().map_err(|_| corrupt(name, &value))
    };
    let offices =
        split(&text("offices")?).map(|c| Office::parse(c).map_err(|_| corrupt("office", c))).collect::<Result<_>>()?;
    let groups = split(&text("customer_groups")?)
        .map(|g| CustomerGroup::parse(g).map_err(|_| corrupt("group", g)))
        .collect::<Result<_>>()?;
    let tiers =
        split(&text("tiers")?).map(|t| Tier::parse(t).ok_or_else(|| corrupt("tier", t))).collect::<Result<_>>()?;
    let product_ids =
        split(&text("product_ids")?).map(|id| id.parse().map_err(|_| corrupt("product", id))).collect::<Result<_>>()?;
    let wire = pb::PromotionRule {
        kind: text("rule_kind")?,
        percent_bp: i32::try_from(row.try_get::<i64, _>("percent_bp")?).unwrap_or_default(),
        amount: row.try_get("amount")?,
        buy_quantity: row.try_get("buy_quantity")?,
        free_quantity: row.try_get("free_quantity")?,
        free_product_id: row.try_get("free_product_id")?,
        min_order_net: row.try_get("min_order_net")?,
    };
    let mut v = atq_platform::validation::Violations::new();
    let rule = rule_of(&mut v, &wire).ok_or_else(|| corrupt("rule", &wire.kind))?;
    let status = text("status")?;
    let programme = Programme {
        id: row.try_get("id")?,
        code: text("code")?,
        name: text("name")?,
        starts_on: date("starts_on")?,
        ends_on: date("ends_on")?,
        offices,
        groups,
        tiers,
        product_ids,
        categories: split(&text("categories")?).map(str::to_owned).collect(),
        rule,
        stackable: row.try_get::<i64, _>("stackable")? != 0,
        note: text("note")?,
    };
    Ok(PromotionRow {
        programme,
        status: PromotionStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        created_by: text("created_by")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<PromotionRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM promotions WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Programmes by status ('' any) and in force on a local date ('' any), by id.
pub async fn list(db: &Db, status: &str, on: &str, page: Page) -> Result<Vec<PromotionRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM promotions WHERE ($1 = '' OR status = $1) \
         AND ($2 = '' OR (starts_on <= $2 AND ends_on >= $2)) AND id > $3 ORDER BY id LIMIT $4"
    ))
    .bind(status)
    .bind(on)
    .bind(page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// The active programmes in force on `day`, by id (the order stacking ties are settled in).
pub async fn active_on(db: &Db, day: NaiveDate) -> Result<Vec<Programme>> {
    let page = Page { after_id: 0, limit: atq_platform::paging::MAX_LIMIT };
    Ok(list(db, PromotionStatus::Active.as_str(), &day.to_string(), page)
        .await?
        .into_iter()
        .map(|r| r.programme)
        .collect())
}

fn bind_fields<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    p: &'q Programme,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let rule = rule_to_proto(p.rule);
    query
        .bind(&p.code)
        .bind(&p.name)
        .bind(p.starts_on.to_string())
        .bind(p.ends_on.to_string())
        .bind(joined(p.offices.iter().map(|o| o.code())))
        .bind(joined(p.groups.iter().map(|g| g.as_str())))
        .bind(joined(p.tiers.iter().map(|t| t.as_str())))
        .bind(joined(&p.categories))
        .bind(joined(&p.product_ids))
        .bind(rule.kind)
        .bind(i64::from(rule.percent_bp))
        .bind(rule.amount)
        .bind(rule.buy_quantity)
        .bind(rule.free_quantity)
        .bind(rule.free_product_id)
        .bind(rule.min_order_net)
        .bind(i64::from(p.stackable))
        .bind(&p.note)
}

/// A code taken already is a conflict on the field, not a database error.
async fn code_free(tx: &mut Tx, code: &str, id: i64) -> Result<()> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM promotions WHERE code = $1 AND id <> $2")
        .bind(code)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match taken {
        Some(_) => Err(Error::invalid("code", "another programme has this code")),
        None => Ok(()),
    }
}

pub async fn insert(tx: &mut Tx, p: &Programme, by: &str) -> Result<i64> {
    code_free(tx, &p.code, 0).await?;
    let query = sqlx::query(
        "INSERT INTO promotions (code, name, starts_on, ends_on, offices, customer_groups, tiers, categories, \
         product_ids, rule_kind, percent_bp, amount, buy_quantity, free_quantity, free_product_id, min_order_net, \
         stackable, note, status, created_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, 1, $21, $21) \
         RETURNING id",
    );
    let row = bind_fields(query, p)
        .bind(PromotionStatus::Draft.as_str())
        .bind(by)
        .bind(now_micros())
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get(0)?)
}

/// Rewrites a draft read at `version`; false when someone changed it first.
pub async fn update_draft(tx: &mut Tx, p: &Programme, version: i64) -> Result<bool> {
    code_free(tx, &p.code, p.id).await?;
    let query = sqlx::query(
        "UPDATE promotions SET code = $1, name = $2, starts_on = $3, ends_on = $4, offices = $5, \
         customer_groups = $6, tiers = $7, categories = $8, product_ids = $9, rule_kind = $10, percent_bp = $11, \
         amount = $12, buy_quantity = $13, free_quantity = $14, free_product_id = $15, min_order_net = $16, \
         stackable = $17, note = $18, version = version + 1, updated_at = $19 \
         WHERE id = $20 AND version = $21 AND status = 'draft'",
    );
    let done = bind_fields(query, p).bind(now_micros()).bind(p.id).bind(version).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Moves a programme from `from` to `to` if it is still at `version`.
pub async fn advance(tx: &mut Tx, id: i64, version: i64, from: PromotionStatus, to: PromotionStatus) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE promotions SET status = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(now_micros())
    .bind(id)
    .bind(version)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One programme's part in one line of a document, as written with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UseRow {
    pub promotion_id: i64,
    pub line_no: i64,
    pub discount: i64,
    pub gift_value: i64,
    pub revenue: i64,
}

/// Writes the uses of a new document ('quote' or 'order').
pub async fn record_uses(tx: &mut Tx, document: &str, document_id: i64, uses: &[UseRow]) -> Result<()> {
    for usage in uses {
        sqlx::query(
            "INSERT INTO promotion_uses (promotion_id, document, document_id, line_no, discount, gift_value, revenue) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(usage.promotion_id)
        .bind(document)
        .bind(document_id)
        .bind(usage.line_no)
        .bind(usage.discount)
        .bind(usage.gift_value)
        .bind(usage.revenue)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Per programme and office: confirmed orders (not cancelled) made on `from`..=`to`, the revenue
/// of the lines each touched, the discount it gave and its free goods. An order from a quote
/// counts its quote's uses; an order typed without one, its own.
pub async fn report(db: &Db, from: NaiveDate, to: NaiveDate, promotion_id: i64) -> Result<Vec<pb::PromotionReportRow>> {
    let end = to.checked_add_days(Days::new(1)).ok_or_else(|| Error::invalid("to", "is out of range"))?;
    let rows = sqlx::query(
        "SELECT p.id, p.code, p.name, o.office, COUNT(DISTINCT o.id), CAST(SUM(u.revenue) AS BIGINT), \
         CAST(SUM(u.discount) AS BIGINT), CAST(SUM(u.gift_value) AS BIGINT) \
         FROM orders o \
         JOIN quotes q ON q.order_id = o.id \
         JOIN promotion_uses u ON u.document = 'quote' AND u.document_id = q.id \
         JOIN promotions p ON p.id = u.promotion_id \
         WHERE o.status IN ('confirmed', 'completed') AND o.created_at >= $1 AND o.created_at < $2 \
         AND ($3 = 0 OR p.id = $3) GROUP BY p.id, p.code, p.name, o.office \
         UNION ALL \
         SELECT p.id, p.code, p.name, o.office, COUNT(DISTINCT o.id), CAST(SUM(u.revenue) AS BIGINT), \
         CAST(SUM(u.discount) AS BIGINT), CAST(SUM(u.gift_value) AS BIGINT) \
         FROM orders o \
         JOIN promotion_uses u ON u.document = 'order' AND u.document_id = o.id \
         JOIN promotions p ON p.id = u.promotion_id \
         WHERE o.status IN ('confirmed', 'completed') AND o.created_at >= $1 AND o.created_at < $2 \
         AND ($3 = 0 OR p.id = $3) GROUP BY p.id, p.code, p.name, o.office",
    )
    .bind(start_of_local_day(from))
    .bind(start_of_local_day(end))
    .bind(promotion_id)
    .fetch_all(db.pool())
    .await?;
    let mut out: Vec<pb::PromotionReportRow> = Vec::new();
    for row in &rows {
        let item = pb::PromotionReportRow {
            promotion_id: row.try_get(0)?,
            code: row.try_get(1)?,
            name: row.try_get(2)?,
            office: row.try_get(3)?,
            orders: row.try_get(4)?,
            revenue: row.try_get(5)?,
            discount: row.try_get(6)?,
            gift_value: row.try_get(7)?,
        };
        merge(&mut out, item);
    }
    out.sort_by(|a, b| (a.promotion_id, &a.office).cmp(&(b.promotion_id, &b.office)));
    Ok(out)
}

/// Adds the quote half's row to the typed half's for the same programme and office.
fn merge(out: &mut Vec<pb::PromotionReportRow>, item: pb::PromotionReportRow) {
    match out.iter_mut().find(|r| r.promotion_id == item.promotion_id && r.office == item.office) {
        Some(row) => {
            row.orders += item.orders;
            row.revenue += item.revenue;
            row.discount += item.discount;
            row.gift_value += item.gift_value;
        }
        None => out.push(item),
    }
}
