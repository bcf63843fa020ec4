//! Customer request rows; their timeline entries are in `timeline`.

mod timeline;
pub use timeline::{NewEvent, events, insert_event, last_event_at, status_marks};

use atq_platform::business_time::{local_date, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use chrono::Datelike;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::request::{NewRequest, Priority, RequestKind, RequestStatus};
use crate::request_sla::{Dues, Targets};

const COLUMNS: &str = "r.id, r.number, r.customer_id, c.code AS customer_code, c.name AS customer_name, r.contact_id, \
                       r.office, r.channel, r.kind, r.subject, r.description, r.order_id, r.contract_id, r.product_id, \
                       r.serial_number, r.priority, r.department, r.assignee, r.managers, r.status, r.received_at, \
                       r.first_response_at, r.resolved_at, r.first_response_warned_at, r.resolution_warned_at, \
                       r.first_response_target, r.resolution_target, r.created_by, r.version, r.created_at, \
                       r.updated_at";
const FROM: &str = "FROM service_requests r JOIN customers c ON c.id = r.customer_id";

/// A request as stored; the proto lacks its SLA clocks, which are computed when it is shown.
#[derive(Clone, Debug)]
pub struct RequestRow {
    pub id: i64,
    pub office: Office,
    pub kind: RequestKind,
    pub priority: Priority,
    pub status: RequestStatus,
    pub received_at: i64,
    pub first_response_at: i64,
    pub first_response_warned_at: i64,
    pub resolution_warned_at: i64,
    pub managers: Vec<String>,
    /// The working minutes it was given when opened (or when its priority last changed).
    pub targets: Targets,
    pub proto: pb::ServiceRequest,
}

fn optional_time(micros: i64) -> Option<prost_types::Timestamp> {
    (micros != 0).then(|| to_timestamp(micros))
}

fn from_row(row: &AnyRow) -> Result<RequestRow> {
    let office_code: String = row.try_get("office")?;
    let office = Office::parse(&office_code)
        .map_err(|_| Error::internal(anyhow::anyhow!("stored request has bad office {office_code:?}")))?;
    let kind = RequestKind::stored(&row.try_get::<String, _>("kind")?)?;
    let priority = Priority::stored(&row.try_get::<String, _>("priority")?)?;
    let status = RequestStatus::stored(&row.try_get::<String, _>("status")?)?;
    let (received_at, first_response_at): (i64, i64) = (row.try_get("received_at")?, row.try_get("first_response_at")?);
    let managers: String = row.try_get("managers")?;
    let proto = pb::ServiceRequest {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        customer_id: row.try_get("customer_id")?,
        customer_code: row.try_get("customer_code")?,
        customer_name: row.try_get("customer_name")?,
        contact_id: row.try_get("contact_id")?,
        office: office.to_proto() as i32,
        channel: row.try_get("channel")?,
        kind: kind.as_str().to_owned(),
        subject: row.try_get("subject")?,
        description: row.try_get("description")?,
        order_id: row.try_get("order_id")?,
        contract_id: row.try_get("contract_id")?,
        product_id: row.try_get("product_id")?,
        serial_number: row.try_get("serial_number")?,
        priority: priority.as_str().to_owned(),
        department: row.try_get("department")?,
        assignee: row.try_get("assignee")?,
        status: status.as_str().to_owned(),
        received_at: Some(to_timestamp(received_at)),
        first_response_at: optional_time(first_response_at),
        resolved_at: optional_time(row.try_get("resolved_at")?),
        created_by: row.try_get("created_by")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
        ..Default::default()
    };
    Ok(RequestRow {
        id: proto.id,
        office,
        kind,
        priority,
        status,
        received_at,
        first_response_at,
        first_response_warned_at: row.try_get("first_response_warned_at")?,
        resolution_warned_at: row.try_get("resolution_warned_at")?,
        managers: managers.split(',').filter(|name| !name.is_empty()).map(str::to_owned).collect(),
        targets: Targets {
            first_response: row.try_get("first_response_target")?,
            resolution: row.try_get("resolution_target")?,
        },
        proto,
    })
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<RequestRow>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE r.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(from_row).transpose()
}

/// Writes a new request numbered YC-<year>-<n> in the year it is recorded; returns its id.
pub async fn insert(
    tx: &mut Tx,
    new: &NewRequest,
    office: Office,
    (targets, dues): (Targets, Dues),
    by: &str,
) -> Result<i64> {
    let now = now_micros();
    let year = local_date(now).year();
    let number = format!("YC-{year}-{:04}", next_in_series(tx, &format!("request-{year}")).await?);
    let id = sqlx::query_scalar(
        "INSERT INTO service_requests (number, customer_id, contact_id, office, channel, kind, subject, description, \
         order_id, contract_id, product_id, serial_number, priority, department, assignee, managers, status, \
         received_at, first_response_at, resolved_at, clock_stopped_at, first_response_due_at, resolution_due_at, \
         first_response_warned_at, resolution_warned_at, first_response_target, resolution_target, created_by, version, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'new', $17, 0, 0, 0, $18, $19, \
         0, 0, $22, $23, $20, 1, $21, $21) RETURNING id",
    )
    .bind(number)
    .bind(new.customer_id)
    .bind(new.contact_id)
    .bind(office.code())
    .bind(new.channel.as_str())
    .bind(new.kind.as_str())
    .bind(&new.subject)
    .bind(&new.description)
    .bind(new.order_id)
    .bind(new.contract_id)
    .bind(new.product_id)
    .bind(&new.serial_number)
    .bind(new.priority.as_str())
    .bind(new.department.as_str())
    .bind(&new.assignee)
    .bind(new.managers_of(office).join(","))
    .bind(new.received_at)
    .bind(dues.first_response_due_at)
    .bind(dues.resolution_due_at)
    .bind(by)
    .bind(now)
    .bind(targets.first_response)
    .bind(targets.resolution)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The fields a change may set, as they are after it.
#[derive(Clone, Debug)]
pub struct RequestFields {
    pub subject: String,
    pub description: String,
    pub priority: Priority,
    pub department: String,
    pub assignee: String,
    pub contact_id: i64,
    pub order_id: i64,
    pub contract_id: i64,
    pub product_id: i64,
    pub serial_number: String,
    pub status: RequestStatus,
    pub first_response_at: i64,
    pub resolved_at: i64,
    pub targets: Targets,
}

/// Writes the request's new state if nobody changed it since it was read.
pub async fn update(tx: &mut Tx, row: &RequestRow, fields: &RequestFields, dues: Dues) -> Result<()> {
    let affected = sqlx::query(
        "UPDATE service_requests SET subject = $1, description = $2, priority = $3, department = $4, assignee = $5, \
         contact_id = $6, order_id = $7, contract_id = $8, product_id = $9, serial_number = $10, status = $11, \
         first_response_at = $12, resolved_at = $13, first_response_due_at = $14, resolution_due_at = $15, \
         clock_stopped_at = $16, first_response_target = $20, resolution_target = $21, version = version + 1, \
         updated_at = $17 WHERE id = $18 AND version = $19",
    )
    .bind(&fields.subject)
    .bind(&fields.description)
    .bind(fields.priority.as_str())
    .bind(&fields.department)
    .bind(&fields.assignee)
    .bind(fields.contact_id)
    .bind(fields.order_id)
    .bind(fields.contract_id)
    .bind(fields.product_id)
    .bind(&fields.serial_number)
    .bind(fields.status.as_str())
    .bind(fields.first_response_at)
    .bind(fields.resolved_at)
    .bind(dues.first_response_due_at)
    .bind(dues.resolution_due_at)
    .bind(dues.clock_stopped_at)
    .bind(now_micros())
    .bind(row.id)
    .bind(row.proto.version)
    .bind(fields.targets.first_response)
    .bind(fields.targets.resolution)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if affected == 1 {
        return Ok(());
    }
    let actual: i64 = sqlx::query_scalar("SELECT version FROM service_requests WHERE id = $1")
        .bind(row.id)
        .fetch_one(&mut **tx)
        .await?;
    Err(Error::StaleVersion { expected: row.proto.version, actual })
}

/// Keeps new due times after the calendar changed (not a change to the request: same version).
pub async fn set_dues(tx: &mut Tx, id: i64, dues: Dues) -> Result<()> {
    sqlx::query(
        "UPDATE service_requests SET first_response_due_at = $1, resolution_due_at = $2, clock_stopped_at = $3 \
         WHERE id = $4",
    )
    .bind(dues.first_response_due_at)
    .bind(dues.resolution_due_at)
    .bind(dues.clock_stopped_at)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Which breach warning went out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Breach {
    FirstResponse,
    Resolution,
}

/// Marks the warning as sent; false when it already was (by this call's twin, too).
pub async fn mark_warned(tx: &mut Tx, id: i64, breach: Breach) -> Result<bool> {
    let sql = match breach {
        Breach::FirstResponse => {
            "UPDATE service_requests SET first_response_warned_at = $1 WHERE id = $2 AND first_response_warned_at = 0"
        }
        Breach::Resolution => {
            "UPDATE service_requests SET resolution_warned_at = $1 WHERE id = $2 AND resolution_warned_at = 0"
        }
    };
    let affected = sqlx::query(sql).bind(now_micros()).bind(id).execute(&mut **tx).await?.rows_affected();
    Ok(affected == 1)
}

/// Open requests past a due time whose warning has not gone out, after `after_id` in id order:
/// unanswered past the first-response due time, or with the resolution clock running past its own.
pub async fn overdue(db: &Db, now: i64, after_id: i64, limit: i64) -> Result<Vec<RequestRow>> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE r.id > $1 AND r.status NOT IN ('resolved', 'closed') \
         AND ((r.first_response_warned_at = 0 AND r.first_response_at = 0 AND r.first_response_due_at < $2) \
         OR (r.resolution_warned_at = 0 AND r.clock_stopped_at = 0 AND r.resolution_due_at < $2)) \
         ORDER BY r.id LIMIT $3"
    );
    let rows = sqlx::query(&sql).bind(after_id).bind(now).bind(limit).fetch_all(db.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// Which requests a list shows; empty or 0 means any.
#[derive(Clone, Debug, Default)]
pub struct RequestFilter {
    pub office: Option<Office>,
    pub status: String,
    pub kind: String,
    pub department: String,
    pub assignee: String,
    pub customer_id: i64,
    pub breached: Option<bool>,
}

/// Breached: answered late or not answered by its due time; resolved late or still open past it.
const BREACHED: &str = "((CASE WHEN r.first_response_at <> 0 THEN r.first_response_at ELSE $8 END) \
                        > r.first_response_due_at OR (CASE WHEN r.clock_stopped_at <> 0 THEN r.clock_stopped_at \
                        ELSE $8 END) > r.resolution_due_at)";

/// A page of requests in id order.
pub async fn list(db: &Db, filter: &RequestFilter, page: Page, now: i64) -> Result<Vec<RequestRow>> {
    let breached = match filter.breached {
        None => String::new(),
        Some(true) => format!("AND {BREACHED}"),
        Some(false) => format!("AND NOT {BREACHED}"),
    };
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE ($1 = '' OR r.office = $1) AND ($2 = '' OR r.status = $2) \
         AND ($3 = '' OR r.kind = $3) AND ($4 = '' OR r.department = $4) AND ($5 = '' OR r.assignee = $5) \
         AND ($6 = 0 OR r.customer_id = $6) AND r.id > $7 AND $8 = $8 {breached} ORDER BY r.id LIMIT $9"
    );
    let rows = sqlx::query(&sql)
        .bind(filter.office.map(Office::code).unwrap_or(""))
        .bind(filter.status.as_str())
        .bind(filter.kind.as_str())
        .bind(filter.department.as_str())
        .bind(filter.assignee.as_str())
        .bind(filter.customer_id)
        .bind(page.after_id)
        .bind(now)
        .bind(page.fetch_limit())
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// The requests whose clocks may still move (every one not closed), for a calendar change.
pub async fn open_requests(tx: &mut Tx) -> Result<Vec<RequestRow>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} {FROM} WHERE r.status <> 'closed' ORDER BY r.id"))
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(from_row).collect()
}
