//! Target rows, and the period's tallies the results are made of: orders confirmed, customers
//! created, visits done, order lines by product.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::target::{Metric, NewTarget, TargetScope};

const COLUMNS: &str =
    "id, scope, owner, office, period, metric, category, target, set_by, version, created_at, updated_at";
const KEY_MATCH: &str = "scope = $1 AND owner = $2 AND office = $3 AND period = $4 AND metric = $5 AND category = $6";
/// The most targets one period's report reads.
const MAX_REPORT_TARGETS: i64 = 5000;

/// What makes a target unique.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetKey {
    pub scope: TargetScope,
    /// '' for an office target.
    pub owner: String,
    pub office: Office,
    pub period: String,
    pub metric: Metric,
    /// '' unless the metric is category revenue.
    pub category: String,
}

fn from_row(row: &AnyRow) -> Result<pb::SalesTarget> {
    let office_code: String = row.try_get("office")?;
    let office = Office::parse(&office_code)
        .map_err(|_| Error::internal(anyhow::anyhow!("stored target has bad office {office_code:?}")))?;
    Ok(pb::SalesTarget {
        id: row.try_get("id")?,
        scope: row.try_get("scope")?,
        owner: row.try_get("owner")?,
        office: office.to_proto() as i32,
        period: row.try_get("period")?,
        metric: row.try_get("metric")?,
        category: row.try_get("category")?,
        target: row.try_get("target")?,
        set_by: row.try_get("set_by")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
    })
}

pub async fn find_by_key(conn: &mut AnyConnection, key: &TargetKey) -> Result<Option<pb::SalesTarget>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sales_targets WHERE {KEY_MATCH}"))
        .bind(key.scope.as_str())
        .bind(key.owner.as_str())
        .bind(key.office.code())
        .bind(key.period.as_str())
        .bind(key.metric.as_str())
        .bind(key.category.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Creates the target or replaces its figure, by its unique key.
pub async fn upsert(tx: &mut Tx, target: &NewTarget, by: &str) -> Result<pb::SalesTarget> {
    let now = now_micros();
    let key = &target.key;
    match find_by_key(tx, key).await? {
        Some(current) => {
            sqlx::query(
                "UPDATE sales_targets SET target = $1, set_by = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $4",
            )
            .bind(target.target)
            .bind(by)
            .bind(now)
            .bind(current.id)
            .execute(&mut **tx)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO sales_targets (scope, owner, office, period, metric, category, target, set_by, version, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)",
            )
            .bind(key.scope.as_str())
            .bind(key.owner.as_str())
            .bind(key.office.code())
            .bind(key.period.as_str())
            .bind(key.metric.as_str())
            .bind(key.category.as_str())
            .bind(target.target)
            .bind(by)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
    }
    find_by_key(tx, key).await?.ok_or_else(|| Error::internal(anyhow::anyhow!("target vanished while written")))
}

/// What writing the target would leave: the stored one with the new figure, or a new one (id 0).
pub async fn preview(conn: &mut AnyConnection, target: &NewTarget, by: &str) -> Result<pb::SalesTarget> {
    let key = &target.key;
    let current = find_by_key(conn, key).await?.unwrap_or_else(|| pb::SalesTarget {
        scope: key.scope.as_str().to_owned(),
        owner: key.owner.clone(),
        office: key.office.to_proto() as i32,
        period: key.period.clone(),
        metric: key.metric.as_str().to_owned(),
        category: key.category.clone(),
        ..Default::default()
    });
    Ok(pb::SalesTarget { target: target.target, set_by: by.to_owned(), ..current })
}

/// Which targets a list shows; empty means any.
#[derive(Clone, Debug, Default)]
pub struct TargetFilter {
    pub period: String,
    pub office: Option<Office>,
    pub owner: String,
    /// A sales rep: only office targets and this person's.
    pub only_for: String,
}

const WHERE: &str = "($1 = '' OR period = $1) AND ($2 = '' OR office = $2) AND ($3 = '' OR owner = $3) \
                     AND ($4 = '' OR owner = '' OR owner = $4)";

/// A page of targets in id order.
pub async fn list(db: &Db, filter: &TargetFilter, page: Page) -> Result<Vec<pb::SalesTarget>> {
    let rows =
        sqlx::query(&format!("SELECT {COLUMNS} FROM sales_targets WHERE {WHERE} AND id > $5 ORDER BY id LIMIT $6"))
            .bind(filter.period.as_str())
            .bind(filter.office.map(Office::code).unwrap_or(""))
            .bind(filter.owner.as_str())
            .bind(filter.only_for.as_str())
            .bind(page.after_id)
            .bind(page.fetch_limit())
            .fetch_all(db.pool())
            .await?;
    rows.iter().map(from_row).collect()
}

/// Every target of a period (an office's, if named), for its report.
pub async fn of_period(db: &Db, period: &str, office: Option<Office>) -> Result<Vec<pb::SalesTarget>> {
    let filter = TargetFilter { period: period.to_owned(), office, ..TargetFilter::default() };
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM sales_targets WHERE {WHERE} ORDER BY id LIMIT $5"))
        .bind(filter.period.as_str())
        .bind(filter.office.map(Office::code).unwrap_or(""))
        .bind(filter.owner.as_str())
        .bind(filter.only_for.as_str())
        .bind(MAX_REPORT_TARGETS)
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// An amount or a count of one person in one office (and one product, for order lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally {
    pub person: String,
    pub office: String,
    pub product_id: i64,
    pub amount: i64,
}

/// Orders confirmed and not cancelled: their net, by who took them and office.
const REVENUE: &str = "SELECT created_by, office, CAST(0 AS BIGINT), CAST(COALESCE(SUM(total_net), 0) AS BIGINT) FROM orders \
     WHERE status IN ('confirmed', 'completed') AND confirmed_at >= $1 AND confirmed_at < $2 \
     GROUP BY created_by, office";
/// Customers created, by the salesperson they are assigned to and office.
const NEW_CUSTOMERS: &str = "SELECT assigned_to, office, CAST(0 AS BIGINT), COUNT(*) FROM customers \
     WHERE created_at >= $1 AND created_at < $2 GROUP BY assigned_to, office";
/// Visits done, by their salesperson and office.
const VISITS: &str = "SELECT owner, office, CAST(0 AS BIGINT), COUNT(*) FROM activities \
     WHERE kind = 'visit' AND status = 'done' AND done_at >= $1 AND done_at < $2 GROUP BY owner, office";
/// Lines of orders confirmed and not cancelled: their net by product.
const LINES: &str = "SELECT o.created_by, o.office, l.product_id, CAST(COALESCE(SUM(l.net_amount), 0) AS BIGINT) \
     FROM order_lines l JOIN orders o ON o.id = l.order_id \
     WHERE o.status IN ('confirmed', 'completed') AND o.confirmed_at >= $1 AND o.confirmed_at < $2 \
     GROUP BY o.created_by, o.office, l.product_id";

/// The tallies of one metric between two instants (UTC micros, end excluded); category revenue
/// comes by product and needs the catalog to be told apart.
pub async fn tallies(db: &Db, metric: Metric, from: i64, to: i64) -> Result<Vec<Tally>> {
    let sql = match metric {
        Metric::Revenue => REVENUE,
        Metric::NewCustomers => NEW_CUSTOMERS,
        Metric::Visits => VISITS,
        Metric::CategoryRevenue => LINES,
    };
    let rows = sqlx::query(sql).bind(from).bind(to).fetch_all(db.pool()).await?;
    rows.iter()
        .map(|row| {
            Ok(Tally {
                person: row.try_get(0)?,
                office: row.try_get(1)?,
                product_id: row.try_get(2)?,
                amount: row.try_get(3)?,
            })
        })
        .collect()
}
