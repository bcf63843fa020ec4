//! A request's timeline: the entries written with each change (status, fields, comments), read a
//! page at a time, the latest entry's time, and the statuses each request entered, which its SLA
//! clocks are computed from.

use std::collections::HashMap;

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::db::id_list;
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Tx};
use atq_proto::sales::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::request::RequestStatus;
use crate::request_sla::StatusMark;

const EVENT: &str = "id, request_id, kind, field, from_value, to_value, body, actor, at, recorded_at";

/// A timeline entry ready to be written.
#[derive(Clone, Debug, Default)]
pub struct NewEvent {
    pub request_id: i64,
    pub kind: &'static str,
    pub field: String,
    pub from_value: String,
    pub to_value: String,
    pub body: String,
    pub actor: String,
    pub at: i64,
}

fn event_from_row(row: &AnyRow) -> Result<pb::ServiceRequestEvent> {
    Ok(pb::ServiceRequestEvent {
        id: row.try_get("id")?,
        request_id: row.try_get("request_id")?,
        kind: row.try_get("kind")?,
        field: row.try_get("field")?,
        from_value: row.try_get("from_value")?,
        to_value: row.try_get("to_value")?,
        body: row.try_get("body")?,
        actor: row.try_get("actor")?,
        at: Some(to_timestamp(row.try_get("at")?)),
        recorded_at: Some(to_timestamp(row.try_get("recorded_at")?)),
    })
}

pub async fn insert_event(tx: &mut Tx, event: &NewEvent) -> Result<pb::ServiceRequestEvent> {
    let row = sqlx::query(&format!(
        "INSERT INTO service_request_events (request_id, kind, field, from_value, to_value, body, actor, at, \
         recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {EVENT}"
    ))
    .bind(event.request_id)
    .bind(event.kind)
    .bind(&event.field)
    .bind(&event.from_value)
    .bind(&event.to_value)
    .bind(&event.body)
    .bind(&event.actor)
    .bind(event.at)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    event_from_row(&row)
}

/// A page of the request's timeline, oldest first.
pub async fn events(db: &Db, request_id: i64, page: Page) -> Result<Vec<pb::ServiceRequestEvent>> {
    let rows = sqlx::query(&format!(
        "SELECT {EVENT} FROM service_request_events WHERE request_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(request_id)
    .bind(page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// When the request's latest entry happened: a change recorded later may not go before it.
pub async fn last_event_at(conn: &mut AnyConnection, request_id: i64) -> Result<i64> {
    let at: Option<i64> = sqlx::query_scalar("SELECT MAX(at) FROM service_request_events WHERE request_id = $1")
        .bind(request_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(at.unwrap_or(0))
}

/// The statuses each request entered, in order.
pub async fn status_marks(conn: &mut AnyConnection, request_ids: &[i64]) -> Result<HashMap<i64, Vec<StatusMark>>> {
    let mut marks: HashMap<i64, Vec<StatusMark>> = HashMap::new();
    if request_ids.is_empty() {
        return Ok(marks);
    }
    let sql = format!(
        "SELECT request_id, to_value, at FROM service_request_events WHERE kind = 'status' AND request_id IN ({}) \
         ORDER BY request_id, id",
        id_list(request_ids)
    );
    for row in sqlx::query(&sql).fetch_all(&mut *conn).await? {
        let status = RequestStatus::stored(&row.try_get::<String, _>("to_value")?)?;
        let mark = StatusMark { at: row.try_get("at")?, status };
        marks.entry(row.try_get("request_id")?).or_default().push(mark);
    }
    Ok(marks)
}
