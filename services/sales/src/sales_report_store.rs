//! Sales report rows with their evaluations and competitor notes, and the reads that assemble a
//! person's figures from activities, customers, quotes and orders.

use std::collections::{BTreeSet, HashMap};

use atq_platform::business_time::now_micros;
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::sales_report::{Competitor, Evaluation, ReportKind, ReportStatus};
use crate::sales_report_figures::{ActivityDone, Document, NewCustomer, Window};

/// The most rows of one kind a report lists; a person's day or week stays far below it.
const MAX_FIGURE_ROWS: i64 = 1000;
const COLUMNS: &str =
    "id, kind, owner, office, period, status, notes, figures, submitted_at, version, created_at, updated_at";

#[derive(Clone, Debug)]
pub struct ReportRow {
    pub id: i64,
    pub kind: ReportKind,
    pub owner: String,
    pub office: Office,
    pub period: String,
    pub status: ReportStatus,
    pub notes: String,
    /// JSON of the frozen figures; empty for a draft.
    pub figures: String,
    pub submitted_at: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

fn from_row(row: &AnyRow) -> Result<ReportRow> {
    let office: String = row.try_get("office")?;
    Ok(ReportRow {
        id: row.try_get("id")?,
        kind: ReportKind::stored(&row.try_get::<String, _>("kind")?)?,
        owner: row.try_get("owner")?,
        office: Office::parse(&office)
            .map_err(|_| Error::internal(anyhow::anyhow!("stored sales report has bad office {office:?}")))?,
        period: row.try_get("period")?,
        status: ReportStatus::stored(&row.try_get::<String, _>("status")?)?,
        notes: row.try_get("notes")?,
        figures: row.try_get("figures")?,
        submitted_at: row.try_get("submitted_at")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<ReportRow>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM sales_reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn find_by_period(
    conn: &mut AnyConnection,
    kind: ReportKind,
    owner: &str,
    period: &str,
) -> Result<Option<ReportRow>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM sales_reports WHERE kind = $1 AND owner = $2 AND period = $3"))
            .bind(kind.as_str())
            .bind(owner)
            .bind(period)
            .fetch_optional(&mut *conn)
            .await?;
    row.as_ref().map(from_row).transpose()
}

/// Which reports a list shows; empty or `None` means any.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    pub kind: Option<ReportKind>,
    pub owner: String,
    pub period: String,
    pub office: Option<Office>,
}

/// A page of reports, newest id first is not needed: id order keeps the cursor simple.
pub async fn list(db: &Db, filter: &ReportFilter, page: Page) -> Result<Vec<ReportRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM sales_reports WHERE ($1 = '' OR kind = $1) AND ($2 = '' OR owner = $2) \
         AND ($3 = '' OR period = $3) AND ($4 = '' OR office = $4) AND id > $5 ORDER BY id LIMIT $6"
    ))
    .bind(filter.kind.map(ReportKind::as_str).unwrap_or(""))
    .bind(filter.owner.as_str())
    .bind(filter.period.as_str())
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// A new draft; the unique (kind, owner, period) makes a concurrent second insert fail.
pub async fn insert(tx: &mut Tx, kind: ReportKind, owner: &str, office: Office, period: &str) -> Result<i64> {
    let now = now_micros();
    let id = sqlx::query_scalar(
        "INSERT INTO sales_reports (kind, owner, office, period, status, notes, figures, submitted_at, version, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 'draft', '', '', 0, 0, $5, $5) RETURNING id",
    )
    .bind(kind.as_str())
    .bind(owner)
    .bind(office.code())
    .bind(period)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Refuses the write when the row moved on (or was submitted) since it was read.
async fn written_once(tx: &mut Tx, affected: u64, report: &ReportRow) -> Result<()> {
    if affected == 1 {
        return Ok(());
    }
    let actual: i64 = sqlx::query_scalar("SELECT version FROM sales_reports WHERE id = $1")
        .bind(report.id)
        .fetch_one(&mut **tx)
        .await?;
    Err(Error::StaleVersion { expected: report.version, actual })
}

/// Replaces a draft's notes, evaluations and competitor notes.
pub async fn write_content(
    tx: &mut Tx,
    report: &ReportRow,
    notes: &str,
    evaluations: &[Evaluation],
    competitors: &[Competitor],
) -> Result<()> {
    let affected = sqlx::query(
        "UPDATE sales_reports SET notes = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4 AND status = 'draft'",
    )
    .bind(notes)
    .bind(now_micros())
    .bind(report.id)
    .bind(report.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    written_once(tx, affected, report).await?;
    for table in ["sales_report_evaluations", "sales_report_competitors"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE report_id = $1")).bind(report.id).execute(&mut **tx).await?;
    }
    for e in evaluations {
        sqlx::query(
            "INSERT INTO sales_report_evaluations (report_id, customer_id, rating, remark) VALUES ($1, $2, $3, $4)",
        )
        .bind(report.id)
        .bind(e.customer_id)
        .bind(i64::from(e.rating))
        .bind(&e.remark)
        .execute(&mut **tx)
        .await?;
    }
    for c in competitors {
        sqlx::query(
            "INSERT INTO sales_report_competitors (report_id, competitor, product, price, remark) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(report.id)
        .bind(&c.competitor)
        .bind(&c.product)
        .bind(c.price)
        .bind(&c.remark)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Freezes the figures (JSON) and marks the draft submitted.
pub async fn submit(tx: &mut Tx, report: &ReportRow, figures: &str) -> Result<()> {
    let now = now_micros();
    let affected = sqlx::query(
        "UPDATE sales_reports SET status = 'submitted', figures = $1, submitted_at = $2, version = version + 1, \
         updated_at = $2 WHERE id = $3 AND version = $4 AND status = 'draft'",
    )
    .bind(figures)
    .bind(now)
    .bind(report.id)
    .bind(report.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    written_once(tx, affected, report).await
}

/// The rows a report keeps beside it (evaluations, competitor notes), by the report's id as `$1`.
async fn report_rows(conn: &mut AnyConnection, report_id: i64, sql: &str) -> Result<Vec<AnyRow>> {
    Ok(sqlx::query(sql).bind(report_id).fetch_all(&mut *conn).await?)
}

/// The rows of one of a person's figures: `$1` the owner, `$2`..`$3` the window, at most
/// [`MAX_FIGURE_ROWS`] in the query's order.
async fn window_rows(conn: &mut AnyConnection, w: Window<'_>, sql: &str) -> Result<Vec<AnyRow>> {
    let limited = format!("{sql} LIMIT {MAX_FIGURE_ROWS}");
    Ok(sqlx::query(&limited).bind(w.owner).bind(w.from).bind(w.to).fetch_all(&mut *conn).await?)
}

pub async fn evaluations(conn: &mut AnyConnection, report_id: i64) -> Result<Vec<Evaluation>> {
    let rows = report_rows(
        conn,
        report_id,
        "SELECT e.customer_id, c.name, e.rating, e.remark FROM sales_report_evaluations e \
         JOIN customers c ON c.id = e.customer_id WHERE e.report_id = $1 ORDER BY e.id",
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Evaluation {
                customer_id: row.try_get(0)?,
                customer_name: row.try_get(1)?,
                rating: i32::try_from(row.try_get::<i64, _>(2)?).unwrap_or_default(),
                remark: row.try_get(3)?,
            })
        })
        .collect()
}

pub async fn competitors(conn: &mut AnyConnection, report_id: i64) -> Result<Vec<Competitor>> {
    let rows = report_rows(
        conn,
        report_id,
        "SELECT competitor, product, price, remark FROM sales_report_competitors WHERE report_id = $1 ORDER BY id",
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Competitor {
                competitor: row.try_get(0)?,
                product: row.try_get(1)?,
                price: row.try_get(2)?,
                remark: row.try_get(3)?,
            })
        })
        .collect()
}

/// A customer's office and name, if it exists.
pub async fn customer_office(conn: &mut AnyConnection, id: i64) -> Result<Option<(String, String)>> {
    let row =
        sqlx::query("SELECT office, name FROM customers WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).transpose()
}

pub async fn activities_done(conn: &mut AnyConnection, w: Window<'_>) -> Result<Vec<ActivityDone>> {
    let rows = window_rows(
        conn,
        w,
        "SELECT a.id, a.kind, a.subject, COALESCE(a.customer_id, 0), COALESCE(c.name, ''), a.outcome, a.done_at \
         FROM activities a LEFT JOIN customers c ON c.id = a.customer_id WHERE a.owner = $1 AND a.status = 'done' \
         AND a.done_at >= $2 AND a.done_at < $3 ORDER BY a.done_at, a.id",
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ActivityDone {
                activity_id: row.try_get(0)?,
                kind: row.try_get(1)?,
                subject: row.try_get(2)?,
                customer_id: row.try_get(3)?,
                customer_name: row.try_get(4)?,
                outcome: row.try_get(5)?,
                done_at: row.try_get(6)?,
            })
        })
        .collect()
}

pub async fn new_customers(conn: &mut AnyConnection, w: Window<'_>) -> Result<Vec<NewCustomer>> {
    let rows = window_rows(
        conn,
        w,
        "SELECT id, code, name, created_at FROM customers WHERE assigned_to = $1 AND created_at >= $2 \
         AND created_at < $3 ORDER BY created_at, id",
    )
    .await?;
    rows.iter()
        .map(|row| {
            Ok(NewCustomer {
                customer_id: row.try_get(0)?,
                code: row.try_get(1)?,
                name: row.try_get(2)?,
                created_at: row.try_get(3)?,
            })
        })
        .collect()
}

fn document(row: &AnyRow) -> Result<Document> {
    Ok(Document {
        id: row.try_get(0)?,
        number: row.try_get(1)?,
        customer_id: row.try_get(2)?,
        customer_name: row.try_get(3)?,
        total_net: row.try_get(4)?,
        total_vat: row.try_get(5)?,
        at: row.try_get(6)?,
    })
}

pub async fn quotes_sent(conn: &mut AnyConnection, w: Window<'_>) -> Result<Vec<Document>> {
    let rows = window_rows(
        conn,
        w,
        "SELECT q.id, q.number, q.customer_id, c.name, q.total_net, q.total_vat, q.sent_at FROM quotes q \
         JOIN customers c ON c.id = q.customer_id WHERE q.created_by = $1 AND q.sent_at >= $2 AND q.sent_at < $3 \
         AND q.sent_at > 0 ORDER BY q.sent_at, q.id",
    )
    .await?;
    rows.iter().map(document).collect()
}

/// Orders confirmed in the window and not cancelled since.
pub async fn orders_confirmed(conn: &mut AnyConnection, w: Window<'_>) -> Result<Vec<Document>> {
    let rows = window_rows(
        conn,
        w,
        "SELECT o.id, o.number, o.customer_id, c.name, o.total_net, o.total_vat, o.confirmed_at FROM orders o \
         JOIN customers c ON c.id = o.customer_id WHERE o.created_by = $1 AND o.confirmed_at >= $2 \
         AND o.confirmed_at < $3 AND o.confirmed_at > 0 AND o.status NOT IN ('cancelled', 'cancelling') \
         ORDER BY o.confirmed_at, o.id",
    )
    .await?;
    rows.iter().map(document).collect()
}

/// The customers a person looks after: id to name.
pub async fn customers_assigned(conn: &mut AnyConnection, owner: &str) -> Result<HashMap<i64, String>> {
    let rows =
        sqlx::query("SELECT id, name FROM customers WHERE assigned_to = $1").bind(owner).fetch_all(&mut *conn).await?;
    rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
}

/// Everyone of an office with a report of the period or work in its window: the roll-up's rows.
pub async fn people_of_office(
    conn: &mut AnyConnection,
    office: Office,
    kind: ReportKind,
    period: &str,
    from: i64,
    to: i64,
) -> Result<BTreeSet<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT owner FROM sales_reports WHERE office = $1 AND kind = $2 AND period = $3 \
         UNION SELECT owner FROM activities WHERE office = $1 AND status = 'done' AND done_at >= $4 AND done_at < $5 \
         UNION SELECT assigned_to FROM customers WHERE office = $1 AND created_at >= $4 AND created_at < $5 \
         UNION SELECT created_by FROM quotes WHERE office = $1 AND sent_at >= $4 AND sent_at < $5 \
         UNION SELECT created_by FROM orders WHERE office = $1 AND confirmed_at >= $4 AND confirmed_at < $5",
    )
    .bind(office.code())
    .bind(kind.as_str())
    .bind(period)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    Ok(names.into_iter().filter(|name| !name.is_empty()).collect())
}
