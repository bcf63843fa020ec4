//! The use cases of customer requests: record one, change it, move its status, comment on it.
//! Every change is a timeline entry written in the same transaction as the change; the SLA due
//! times are kept up to date with it.

use atq_platform::business_time::{now_micros, timestamp_micros};
use atq_platform::caller::Role;
use atq_platform::validation::{Violations, required_text};
use atq_platform::{Caller, Db, Error, Office, Tx, idempotency};
use atq_proto::sales::v1 as pb;
use sqlx::AnyConnection;

use crate::discussion::comment_body;
use crate::request::{self, Department, NewRequest, Priority, RequestStatus};
use crate::request_calendar_store;
use crate::request_events;
use crate::request_sla::{self, SlaContext, StatusMark, clock_proto};
use crate::request_store::{self, NewEvent, RequestFields, RequestRow};

/// The request with its clocks as they stand at `now`.
pub fn shown(context: &SlaContext, row: &RequestRow, marks: &[StatusMark], now: i64) -> pb::ServiceRequest {
    let targets = row.targets;
    let clocks = request_sla::clocks(context, row.received_at, row.first_response_at, targets, marks, now);
    pb::ServiceRequest {
        first_response: Some(clock_proto(targets.first_response, clocks.first_response)),
        resolution: Some(clock_proto(targets.resolution, clocks.resolution)),
        sla_paused: clocks.paused,
        ..row.proto.clone()
    }
}

/// The request as found in `conn`, shown with its clocks.
pub async fn found(conn: &mut AnyConnection, id: i64) -> Result<(RequestRow, pb::ServiceRequest), Error> {
    let row = request_store::find(conn, id).await?.ok_or_else(|| Error::NotFound(format!("request {id}")))?;
    let context = request_calendar_store::context(conn).await?;
    let marks = request_store::status_marks(conn, &[id]).await?.remove(&id).unwrap_or_default();
    let view = shown(&context, &row, &marks, now_micros());
    Ok((row, view))
}

/// Writes the request and its first timeline entry once per idempotency key.
pub async fn create(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CreateServiceRequestRequest,
    new: NewRequest,
    office: Office,
) -> Result<pb::ServiceRequest, Error> {
    request::check_assignee_office(new.assignee_office, office)?;
    let scope = format!("sales.CreateServiceRequest:{}", caller.username);
    let by = caller.username.clone();
    let backend = db.backend();
    let created = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (new, by) = (new.clone(), by.clone());
        Box::pin(async move {
            let context = request_calendar_store::context(tx).await?;
            let targets = context.targets(new.kind, new.priority);
            let dues = request_sla::dues(&context, new.received_at, targets, &[]);
            let id = request_store::insert(tx, &new, office, (targets, dues), &by).await?;
            let event = NewEvent {
                request_id: id,
                kind: "created",
                to_value: RequestStatus::New.as_str().to_owned(),
                body: new.subject.clone(),
                actor: by,
                at: new.received_at,
                ..NewEvent::default()
            };
            request_store::insert_event(tx, &event).await?;
            let shown = found(tx, id).await?.1;
            request_events::opened(tx, backend, &shown).await?;
            Ok(shown)
        })
    })
    .await?;
    tracing::info!(request = created.id, kind = %created.kind, department = %created.department, "request recorded");
    Ok(created)
}

/// The fields as they are now, to be changed.
fn fields_of(row: &RequestRow) -> RequestFields {
    let p = &row.proto;
    RequestFields {
        subject: p.subject.clone(),
        description: p.description.clone(),
        priority: row.priority,
        department: p.department.clone(),
        assignee: p.assignee.clone(),
        contact_id: p.contact_id,
        order_id: p.order_id,
        contract_id: p.contract_id,
        product_id: p.product_id,
        serial_number: p.serial_number.clone(),
        status: row.status,
        first_response_at: row.first_response_at,
        resolved_at: p.resolved_at.as_ref().map(timestamp_micros).unwrap_or(0),
        targets: row.targets,
    }
}

/// A field an update changes: the timeline entry's kind, the field, its old and new text.
type FieldChange = (&'static str, &'static str, String, String);

/// One timeline entry per field the update changes, with the fields after it.
fn changes(
    row: &RequestRow,
    input: &pb::UpdateServiceRequestRequest,
) -> Result<(RequestFields, Vec<FieldChange>), Error> {
    let mut v = Violations::new();
    let mut after = fields_of(row);
    let mut entries = Vec::new();
    let mut text =
        |v: &mut Violations, field: &'static str, kind, new: Option<Result<String, String>>, old: &mut String| {
            if let Some(new) = new.and_then(|parsed| v.check(field, parsed))
                && new != *old
            {
                entries.push((kind, field, std::mem::replace(old, new.clone()), new));
            }
        };
    text(
        &mut v,
        "subject",
        "edited",
        input.subject.as_deref().map(|t| required_text(t, request::MAX_SUBJECT)),
        &mut after.subject,
    );
    text(
        &mut v,
        "description",
        "edited",
        input.description.as_deref().map(request::description),
        &mut after.description,
    );
    text(
        &mut v,
        "serial_number",
        "edited",
        input.serial_number.as_deref().map(request::serial_number),
        &mut after.serial_number,
    );
    text(&mut v, "assignee", "assigned", input.assignee.as_deref().map(request::assignee), &mut after.assignee);
    let department = input.department.as_deref().map(|t| {
        Department::parse(t.trim())
            .map(|d| d.as_str().to_owned())
            .ok_or_else(|| format!("must be one of {}", Department::ALL.join(", ")))
    });
    text(&mut v, "department", "department", department, &mut after.department);
    let mut priority = after.priority.as_str().to_owned();
    let asked = input.priority.as_deref().map(|t| {
        Priority::parse(t.trim())
            .map(|p| p.as_str().to_owned())
            .ok_or_else(|| format!("must be one of {}", Priority::ALL.join(", ")))
    });
    text(&mut v, "priority", "priority", asked, &mut priority);
    after.priority = Priority::parse(&priority).unwrap_or(after.priority);
    entries.extend(reference_changes(&mut v, input, &mut after));
    v.finish()?;
    Ok((after, entries))
}

/// The references (contact, order, contract, product) the update changes.
fn reference_changes(
    v: &mut Violations,
    input: &pb::UpdateServiceRequestRequest,
    after: &mut RequestFields,
) -> Vec<FieldChange> {
    let mut entries = Vec::new();
    for (field, asked, current) in [
        ("contact_id", input.contact_id, &mut after.contact_id),
        ("order_id", input.order_id, &mut after.order_id),
        ("contract_id", input.contract_id, &mut after.contract_id),
        ("product_id", input.product_id, &mut after.product_id),
    ] {
        match asked {
            Some(id) if id < 0 => v.add(field, "must be an id"),
            Some(id) if id != *current => {
                entries.push(("edited", field, current.to_string(), id.to_string()));
                *current = id;
            }
            _ => {}
        }
    }
    entries
}

/// Applies an update; each changed field becomes a timeline entry. A closed request does not change.
pub async fn update(
    db: &Db,
    caller: &Caller,
    row: &RequestRow,
    input: &pb::UpdateServiceRequestRequest,
) -> Result<pb::ServiceRequest, Error> {
    Error::unless_stale(input.expected_version, row.proto.version)?;
    if row.status == RequestStatus::Closed {
        return Err(Error::Conflict(format!("request {} is closed; reopen it to change it", row.proto.number)));
    }
    if input.assignee.is_some() {
        request::check_assignee_office(input.assignee_office, row.office)?;
    }
    let (after, entries) = changes(row, input)?;
    // The report follows department moves first, else the first field changed.
    let reported = entries.iter().find(|e| e.1 == "department").or(entries.first()).cloned();
    let mut tx = db.begin().await?;
    if !entries.is_empty() {
        let now = now_micros();
        for (kind, field, from_value, to_value) in entries {
            let event = NewEvent {
                request_id: row.id,
                kind,
                field: field.to_owned(),
                from_value,
                to_value,
                actor: caller.username.clone(),
                at: now,
                ..NewEvent::default()
            };
            request_store::insert_event(&mut tx, &event).await?;
        }
        save(&mut tx, row, &after).await?;
    }
    let (_, shown) = found(&mut tx, row.id).await?;
    if let Some((_, field, from_value, to_value)) = &reported {
        let change = request_events::Change { field, from_value, to_value, by: &caller.username, at: now_micros() };
        request_events::changed(&mut tx, db.backend(), &shown, change).await?;
    }
    tx.commit().await?;
    Ok(shown)
}

/// Writes the fields with due times recomputed from the statuses recorded so far. A new priority
/// takes that priority's targets as they stand now; otherwise the request keeps its own.
async fn save(tx: &mut Tx, row: &RequestRow, after: &RequestFields) -> Result<(), Error> {
    let context = request_calendar_store::context(tx).await?;
    let marks = request_store::status_marks(tx, &[row.id]).await?.remove(&row.id).unwrap_or_default();
    let mut after = after.clone();
    if after.priority != row.priority {
        after.targets = context.targets(row.kind, after.priority);
    }
    let dues = request_sla::dues(&context, row.received_at, after.targets, &marks);
    request_store::update(tx, row, &after, dues).await
}

/// When a status change happened: now, or earlier when a manager records it after the fact,
/// never before the request's latest entry.
async fn effective_at(
    tx: &mut Tx,
    caller: &Caller,
    row: &RequestRow,
    asked: Option<&prost_types::Timestamp>,
    now: i64,
) -> Result<i64, Error> {
    let Some(asked) = asked else { return Ok(now) };
    request::may_backdate(caller)?;
    let at = request::past_instant(asked, now).map_err(|message| Error::invalid("effective_at", message))?;
    if at < request_store::last_event_at(tx, row.id).await? {
        return Err(Error::invalid("effective_at", "must not be before the request's latest entry"));
    }
    Ok(at)
}

/// Moves the request along an allowed transition, once per idempotency key.
pub async fn change_status(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::ChangeServiceRequestStatusRequest,
) -> Result<pb::ServiceRequest, Error> {
    let (next, note) = status_input(input)?;
    let scope = format!("sales.ChangeServiceRequestStatus:{}", caller.username);
    let (id, expected_version) = (input.id, input.expected_version);
    let backend = db.backend();
    let changed = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (caller, note, asked_at) = (caller.clone(), note.clone(), input.effective_at);
        Box::pin(async move {
            let row = movable(tx, id, expected_version, next).await?;
            let at = effective_at(tx, &caller, &row, asked_at.as_ref(), now_micros()).await?;
            let event = status_event(&row, next, note, &caller, at);
            // The entry goes in first: the due times are recomputed from the statuses recorded.
            request_store::insert_event(tx, &event).await?;
            save(tx, &row, &moved_fields(&row, next, at, &caller)).await?;
            let shown = found(tx, row.id).await?.1;
            let (from_value, to_value) = (event.from_value.as_str(), event.to_value.as_str());
            let change = request_events::Change { field: "status", from_value, to_value, by: &event.actor, at };
            request_events::changed(tx, backend, &shown, change).await?;
            Ok(shown)
        })
    })
    .await?;
    tracing::info!(request = changed.id, status = %changed.status, "request status changed");
    Ok(changed)
}

/// The status asked for and the note that goes with it, checked together.
fn status_input(input: &pb::ChangeServiceRequestStatusRequest) -> Result<(RequestStatus, String), Error> {
    let mut v = Violations::new();
    let next = v.check(
        "status",
        RequestStatus::parse(input.status.trim())
            .ok_or_else(|| format!("must be one of {}", RequestStatus::ALL.join(", "))),
    );
    let note = v.check("note", request::description(&input.note)).unwrap_or_default();
    v.finish()?;
    let Some(next) = next else { return Err(Error::invalid("status", "is required")) };
    Ok((next, note))
}

/// The request, still at the version the caller saw and in a status that may become `next`.
async fn movable(tx: &mut Tx, id: i64, expected_version: i64, next: RequestStatus) -> Result<RequestRow, Error> {
    let (row, _) = found(tx, id).await?;
    Error::unless_stale(expected_version, row.proto.version)?;
    if !row.status.next().contains(&next) {
        return Err(Error::Conflict(format!(
            "request {} is {}; it cannot become {next}",
            row.proto.number, row.status
        )));
    }
    Ok(row)
}

/// The request's fields once it is `next` at `at`: any move by staff (not the service account)
/// is the first response if there was none; resolving stamps the time and reopening clears it.
fn moved_fields(row: &RequestRow, next: RequestStatus, at: i64, caller: &Caller) -> RequestFields {
    let mut after = fields_of(row);
    after.status = next;
    if after.first_response_at == 0 && caller.role != Role::Service {
        after.first_response_at = at;
    }
    match next {
        RequestStatus::Resolved => after.resolved_at = at,
        RequestStatus::Reopened => after.resolved_at = 0,
        _ => {}
    }
    after
}

/// The timeline entry of the move, with the note.
fn status_event(row: &RequestRow, next: RequestStatus, note: String, caller: &Caller, at: i64) -> NewEvent {
    NewEvent {
        request_id: row.id,
        kind: "status",
        field: "status".into(),
        from_value: row.status.as_str().to_owned(),
        to_value: next.as_str().to_owned(),
        body: note,
        actor: caller.username.clone(),
        at,
    }
}

/// Adds a comment to the timeline; the first one from staff is the first response.
pub async fn add_comment(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::AddServiceRequestCommentRequest,
) -> Result<pb::ServiceRequestEvent, Error> {
    let body = comment_body(&input.body).map_err(|message| Error::invalid("body", message))?;
    let scope = format!("sales.AddServiceRequestComment:{}", caller.username);
    let id = input.id;
    let backend = db.backend();
    let added = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (caller, body) = (caller.clone(), body.clone());
        Box::pin(async move {
            let (row, _) = found(tx, id).await?;
            let now = now_micros();
            let event = NewEvent {
                request_id: row.id,
                kind: "comment",
                body,
                actor: caller.username.clone(),
                at: now.max(request_store::last_event_at(tx, row.id).await?),
                ..NewEvent::default()
            };
            let added = request_store::insert_event(tx, &event).await?;
            if row.first_response_at == 0 && caller.role != Role::Service {
                let mut after = fields_of(&row);
                after.first_response_at = event.at;
                save(tx, &row, &after).await?;
                let shown = found(tx, row.id).await?.1;
                let change = request_events::Change {
                    field: "first_response",
                    from_value: "",
                    to_value: "comment",
                    by: &caller.username,
                    at: event.at,
                };
                request_events::changed(tx, backend, &shown, change).await?;
            }
            Ok(added)
        })
    })
    .await?;
    tracing::info!(request = input.id, event = added.id, "request comment added");
    Ok(added)
}
