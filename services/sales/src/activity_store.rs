//! Activity rows, the links they name, and the customers nobody has contacted lately.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::activity::{ActivityKind, ActivityStatus, NewActivity, Outcome};

const COLUMNS: &str = "a.id, a.kind, a.subject, COALESCE(a.customer_id, 0) AS customer_id, \
                       COALESCE(c.code, '') AS customer_code, COALESCE(c.name, '') AS customer_name, a.contact_id, \
                       a.opportunity_id, a.owner, a.office, a.planned_at, a.duration_minutes, a.status, a.done_at, \
                       a.outcome, a.notes, a.checked_in_at, a.latitude_e6, a.longitude_e6, a.cancel_reason, \
                       a.created_by, a.version, a.created_at, a.updated_at";
const FROM: &str = "FROM activities a LEFT JOIN customers c ON c.id = a.customer_id";
/// The most a calendar or a day plan shows at once.
const MAX_RANGE_ROWS: i64 = 2000;

#[derive(Clone, Debug)]
pub struct ActivityRow {
    pub id: i64,
    pub office: Office,
    pub status: ActivityStatus,
    pub planned_at: i64,
    pub proto: pb::Activity,
}

fn optional_time(micros: i64) -> Option<prost_types::Timestamp> {
    (micros != 0).then(|| to_timestamp(micros))
}

fn from_row(row: &AnyRow, now: i64) -> Result<ActivityRow> {
    let office_code: String = row.try_get("office")?;
    let office = Office::parse(&office_code)
        .map_err(|_| Error::internal(anyhow::anyhow!("stored activity has bad office {office_code:?}")))?;
    let status = ActivityStatus::stored(&row.try_get::<String, _>("status")?)?;
    let planned_at: i64 = row.try_get("planned_at")?;
    let latitude: Option<i64> = row.try_get("latitude_e6")?;
    let longitude: Option<i64> = row.try_get("longitude_e6")?;
    let proto = pb::Activity {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        customer_id: row.try_get("customer_id")?,
        customer_code: row.try_get("customer_code")?,
        customer_name: row.try_get("customer_name")?,
        contact_id: row.try_get("contact_id")?,
        opportunity_id: row.try_get("opportunity_id")?,
        owner: row.try_get("owner")?,
        office: office.to_proto() as i32,
        planned_at: Some(to_timestamp(planned_at)),
        duration_minutes: i32::try_from(row.try_get::<i64, _>("duration_minutes")?).unwrap_or_default(),
        status: status.as_str().to_owned(),
        overdue: status == ActivityStatus::Planned && planned_at < now,
        done_at: optional_time(row.try_get("done_at")?),
        outcome: row.try_get("outcome")?,
        notes: row.try_get("notes")?,
        checked_in_at: optional_time(row.try_get("checked_in_at")?),
        position: latitude
            .zip(longitude)
            .map(|(latitude_e6, longitude_e6)| pb::ActivityPosition { latitude_e6, longitude_e6 }),
        cancel_reason: row.try_get("cancel_reason")?,
        created_by: row.try_get("created_by")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
    };
    Ok(ActivityRow { id: proto.id, office, status, planned_at, proto })
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64, now: i64) -> Result<Option<ActivityRow>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE a.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(|row| from_row(row, now)).transpose()
}

/// The customer a contact or an opportunity belongs to, if it exists (`table` is one of ours).
pub async fn customer_of(conn: &mut AnyConnection, table: LinkedTable, id: i64) -> Result<Option<i64>> {
    let sql = match table {
        LinkedTable::Contacts => "SELECT customer_id FROM contacts WHERE id = $1",
        LinkedTable::Opportunities => "SELECT customer_id FROM opportunities WHERE id = $1",
    };
    Ok(sqlx::query_scalar(sql).bind(id).fetch_optional(&mut *conn).await?)
}

#[derive(Clone, Copy, Debug)]
pub enum LinkedTable {
    Contacts,
    Opportunities,
}

pub async fn insert(tx: &mut Tx, activity: &NewActivity, office: Office, by: &str) -> Result<i64> {
    let now = now_micros();
    let id = sqlx::query_scalar(
        "INSERT INTO activities (kind, subject, customer_id, contact_id, opportunity_id, owner, office, planned_at, \
         duration_minutes, status, done_at, outcome, notes, checked_in_at, latitude_e6, longitude_e6, cancel_reason, \
         created_by, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, '', $11, 0, NULL, NULL, '', $12, 1, $13, $13) RETURNING id",
    )
    .bind(activity.kind.as_str())
    .bind(&activity.subject)
    .bind((activity.customer_id > 0).then_some(activity.customer_id))
    .bind(activity.contact_id)
    .bind(activity.opportunity_id)
    .bind(&activity.owner)
    .bind(office.code())
    .bind(activity.planned_at)
    .bind(i64::from(activity.duration_minutes))
    .bind(ActivityStatus::Planned.as_str())
    .bind(&activity.notes)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A planned activity's fields after an update.
pub struct ActivityChange {
    pub subject: String,
    pub planned_at: i64,
    pub duration_minutes: i32,
    pub notes: String,
    pub owner: String,
}

/// How an activity was done.
#[derive(Clone, Debug)]
pub struct Completion {
    pub outcome: Outcome,
    pub notes: String,
    pub checked_in_at: i64,
    pub position: Option<(i64, i64)>,
    pub done_at: i64,
}

/// Refuses the write when the row moved on since it was read.
async fn written_once(tx: &mut Tx, affected: u64, activity: &ActivityRow) -> Result<()> {
    if affected == 1 {
        return Ok(());
    }
    let actual: i64 = sqlx::query_scalar("SELECT version FROM activities WHERE id = $1")
        .bind(activity.id)
        .fetch_one(&mut **tx)
        .await?;
    Err(Error::StaleVersion { expected: activity.proto.version, actual })
}

pub async fn update(tx: &mut Tx, activity: &ActivityRow, change: &ActivityChange) -> Result<()> {
    let affected = sqlx::query(
        "UPDATE activities SET subject = $1, planned_at = $2, duration_minutes = $3, notes = $4, owner = $5, \
         version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8 AND status = 'planned'",
    )
    .bind(&change.subject)
    .bind(change.planned_at)
    .bind(i64::from(change.duration_minutes))
    .bind(&change.notes)
    .bind(&change.owner)
    .bind(now_micros())
    .bind(activity.id)
    .bind(activity.proto.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    written_once(tx, affected, activity).await
}

pub async fn complete(tx: &mut Tx, activity: &ActivityRow, done: &Completion) -> Result<()> {
    let (latitude, longitude) = done.position.unzip();
    let notes = if done.notes.is_empty() { activity.proto.notes.clone() } else { done.notes.clone() };
    let affected = sqlx::query(
        "UPDATE activities SET status = 'done', done_at = $1, outcome = $2, notes = $3, checked_in_at = $4, \
         latitude_e6 = $5, longitude_e6 = $6, version = version + 1, updated_at = $1 \
         WHERE id = $7 AND version = $8 AND status = 'planned'",
    )
    .bind(done.done_at)
    .bind(done.outcome.as_str())
    .bind(notes)
    .bind(done.checked_in_at)
    .bind(latitude)
    .bind(longitude)
    .bind(activity.id)
    .bind(activity.proto.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    written_once(tx, affected, activity).await
}

pub async fn cancel(tx: &mut Tx, activity: &ActivityRow, reason: &str) -> Result<()> {
    let affected = sqlx::query(
        "UPDATE activities SET status = 'cancelled', cancel_reason = $1, version = version + 1, updated_at = $2 \
         WHERE id = $3 AND version = $4 AND status = 'planned'",
    )
    .bind(reason)
    .bind(now_micros())
    .bind(activity.id)
    .bind(activity.proto.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    written_once(tx, affected, activity).await
}

/// Which activities a list, a day plan or a calendar shows; empty or 0 means any.
#[derive(Clone, Debug, Default)]
pub struct ActivityFilter {
    pub owner: String,
    pub office: Option<Office>,
    /// planned_at in [from, to) (UTC micros); 0 for open ends.
    pub from: i64,
    pub to: i64,
    /// A stored status, or `overdue`.
    pub status: String,
    pub kind: Option<ActivityKind>,
    pub customer_id: i64,
    pub opportunity_id: i64,
}

const WHERE: &str = "($1 = '' OR a.owner = $1) AND ($2 = '' OR a.office = $2) AND ($3 = 0 OR a.planned_at >= $3) \
                     AND ($4 = 0 OR a.planned_at < $4) AND ($5 = '' OR a.status = $5) AND ($6 = '' OR a.kind = $6) \
                     AND ($7 = 0 OR a.customer_id = $7) AND ($8 = 0 OR a.opportunity_id = $8) \
                     AND ($9 = 0 OR a.planned_at < $9)";

fn bind_filter<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    filter: &'q ActivityFilter,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let overdue = filter.status == "overdue";
    let status = if overdue { ActivityStatus::Planned.as_str() } else { filter.status.as_str() };
    query
        .bind(filter.owner.as_str())
        .bind(filter.office.map(Office::code).unwrap_or(""))
        .bind(filter.from)
        .bind(filter.to)
        .bind(status)
        .bind(filter.kind.map(ActivityKind::as_str).unwrap_or(""))
        .bind(filter.customer_id)
        .bind(filter.opportunity_id)
        .bind(if overdue { now } else { 0 })
}

/// A page of activities in id order.
pub async fn list(db: &Db, filter: &ActivityFilter, page: Page, now: i64) -> Result<Vec<ActivityRow>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE {WHERE} AND a.id > $10 ORDER BY a.id LIMIT $11");
    let rows = bind_filter(sqlx::query(&sql), filter, now)
        .bind(page.after_id)
        .bind(page.fetch_limit())
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(|row| from_row(row, now)).collect()
}

/// Activities of a time range in the order they happen (a day plan, a calendar, a feed).
pub async fn in_time_order(db: &Db, filter: &ActivityFilter, now: i64) -> Result<Vec<ActivityRow>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE {WHERE} ORDER BY a.planned_at, a.id LIMIT {MAX_RANGE_ROWS}");
    let rows = bind_filter(sqlx::query(&sql), filter, now).fetch_all(db.pool()).await?;
    rows.iter().map(|row| from_row(row, now)).collect()
}

/// Customers whose last done activity is before `cutoff` (or who have none), oldest first.
pub async fn uncontacted(
    db: &Db,
    assigned_to: &str,
    office: Option<Office>,
    cutoff: i64,
) -> Result<Vec<pb::UncontactedCustomer>> {
    let rows = sqlx::query(
        "SELECT t.id, t.code, t.name, t.assigned_to, t.office, t.last_done FROM (\
         SELECT c.id, c.code, c.name, c.assigned_to, c.office, COALESCE((SELECT MAX(a.done_at) FROM activities a \
         WHERE a.customer_id = c.id AND a.status = 'done'), 0) AS last_done FROM customers c \
         WHERE ($1 = '' OR c.assigned_to = $1) AND ($2 = '' OR c.office = $2)) t \
         WHERE t.last_done < $3 ORDER BY t.last_done, t.id LIMIT 500",
    )
    .bind(assigned_to)
    .bind(office.map(Office::code).unwrap_or(""))
    .bind(cutoff)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let office: String = row.try_get("office")?;
            Ok(pb::UncontactedCustomer {
                customer_id: row.try_get("id")?,
                code: row.try_get("code")?,
                name: row.try_get("name")?,
                assigned_to: row.try_get("assigned_to")?,
                office: Office::parse(&office).map(|o| o.to_proto() as i32).unwrap_or_default(),
                last_done_at: optional_time(row.try_get("last_done")?),
            })
        })
        .collect()
}
