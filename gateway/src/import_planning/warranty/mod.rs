//! `/api/v1/warranty/serials/{serial}` and `/api/v1/warranty-cases`: warranty by serial number and
//! the import-export department's warranty cases, from opening (coverage checked on the day)
//! through diagnosis, the decision (repair in house, at the supplier, exchange, paid repair), the
//! return to the supplier and back, to closing. Everyone who reads stock looks serials up; cases
//! are read like customers (sales staff see their office's) and handled by import-export.
//!
//! Opening takes an `Idempotency-Key`; the steps after it are safe to repeat by their state: a
//! step sent again once made answers the case as it stands, and its warehouse moves are keyed by
//! the case's number and the step.

mod bodies;

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::warranty_client::WarrantyClient;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tonic::transport::Channel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, office_from_text, optional_date, optional_id, page, record_response};

use self::bodies::{SerialWarrantyBody, WarrantyCaseBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(look_up_serial))
        .routes(routes!(open_case, list_cases))
        .routes(routes!(get_case))
        .routes(routes!(diagnose_case))
        .routes(routes!(decide_case))
        .routes(routes!(ship_to_supplier))
        .routes(routes!(receive_from_supplier))
        .routes(routes!(close_case))
}

/// The warranty service rides import planning's channel.
fn client(state: &AppState) -> Result<WarrantyClient<Channel>, Problem> {
    Ok(WarrantyClient::new(state.channel("import-planning")?))
}

fn case_response(status: StatusCode, case: pb::WarrantyCase) -> Response {
    let (location, version) = (format!("/api/v1/warranty-cases/{}", case.id), case.version);
    record_response(status, WarrantyCaseBody::from(case), version, &location)
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct SerialQuery {
    /// Needed only when units of several products carry the serial number.
    pub product_id: Option<String>,
}

/// A serial number looked up: product, customer, order, ship date, warranty months and end,
/// whether it is in warranty today (and why not), and the unit's whole service history.
#[utoipa::path(get, path = "/api/v1/warranty/serials/{serial}", tag = "warranty",
    params(("serial" = String, Path), SerialQuery),
    responses((status = 200, body = SerialWarrantyBody), BadRequest, Forbidden, NotFound))]
pub async fn look_up_serial(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(serial): Path<String>,
    Query(query): Query<SerialQuery>,
) -> Result<axum::Json<SerialWarrantyBody>, Problem> {
    caller.require(Action::ReadStock)?;
    let message =
        pb::LookUpSerialRequest { serial, product_id: optional_id("product_id", query.product_id.as_deref())? };
    let ctx = CallContext::read(&state, &caller);
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.look_up_serial(r).await }).await?;
    Ok(axum::Json(SerialWarrantyBody::from(found)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OpenCaseIn {
    #[schema(min_length = 1, max_length = 64)]
    pub serial: String,
    /// Needed only when units of several products carry the serial number.
    pub product_id: i64,
    /// The customer request the case comes from; 0 or absent when opened directly.
    pub request_id: i64,
    #[schema(min_length = 1, max_length = 2000)]
    pub complaint: String,
    /// The contract's own warranty months, when it promises other than the catalog.
    #[schema(minimum = 0, maximum = 120)]
    pub contract_warranty_months: i32,
}

/// Open a warranty case on a serial: its coverage is checked today (covered, or not and why).
/// The same `Idempotency-Key` with the same body returns the first case.
#[utoipa::path(post, path = "/api/v1/warranty-cases", tag = "warranty", request_body = OpenCaseIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = WarrantyCaseBody), BadRequest, Forbidden, NotFound))]
pub async fn open_case(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<OpenCaseIn>,
) -> Result<Response, Problem> {
    caller.require(Action::HandleWarranty)?;
    let message = pb::OpenCaseRequest {
        serial: body.serial,
        product_id: body.product_id,
        request_id: body.request_id,
        complaint: body.complaint,
        contract_warranty_months: body.contract_warranty_months,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let opened = ctx.call(&client(&state)?, message, |mut c, r| async move { c.open_case(r).await }).await?;
    Ok(case_response(StatusCode::CREATED, opened))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CaseQuery {
    /// open, diagnosed, decided, at_supplier, closed
    pub status: Option<String>,
    pub serial: Option<String>,
    pub customer_id: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Warranty cases, oldest first; of a status, a serial or a customer when named.
#[utoipa::path(get, path = "/api/v1/warranty-cases", tag = "warranty", params(CaseQuery),
    responses((status = 200, body = ListBody<WarrantyCaseBody>), BadRequest, Forbidden))]
pub async fn list_cases(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<CaseQuery>,
) -> Result<axum::Json<ListBody<WarrantyCaseBody>>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let message = pb::ListCasesRequest {
        status: query.status.unwrap_or_default(),
        serial: query.serial.unwrap_or_default(),
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_cases(r).await }).await?;
    Ok(axum::Json(ListBody::new(found.items.into_iter().map(WarrantyCaseBody::from).collect(), found.next_cursor)))
}

/// One warranty case with its timeline.
#[utoipa::path(get, path = "/api/v1/warranty-cases/{id}", tag = "warranty", params(("id" = i64, Path)),
    responses((status = 200, body = WarrantyCaseBody), Forbidden, NotFound))]
pub async fn get_case(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let found =
        ctx.call(&client(&state)?, pb::GetCaseRequest { id }, |mut c, r| async move { c.get_case(r).await }).await?;
    Ok(case_response(StatusCode::OK, found))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DiagnoseIn {
    #[schema(min_length = 1, max_length = 2000)]
    pub diagnosis: String,
}

/// Record what is wrong with the unit (again, before the decision, to correct it).
#[utoipa::path(post, path = "/api/v1/warranty-cases/{id}/diagnose", tag = "warranty", request_body = DiagnoseIn,
    params(("id" = i64, Path)),
    responses((status = 200, body = WarrantyCaseBody), BadRequest, Forbidden, NotFound, Conflict))]
pub async fn diagnose_case(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DiagnoseIn>,
) -> Result<Response, Problem> {
    caller.require(Action::HandleWarranty)?;
    let message = pb::DiagnoseCaseRequest { id, diagnosis: body.diagnosis };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let done = ctx.call(&client(&state)?, message, |mut c, r| async move { c.diagnose_case(r).await }).await?;
    Ok(case_response(StatusCode::OK, done))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DecideIn {
    /// repair_in_house, repair_at_supplier, exchange or paid_repair (the only one out of warranty)
    pub decision: String,
    /// paid_repair: the quote, VND
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub quote_amount: i64,
    /// exchange: a good unit of the product in stock
    #[schema(max_length = 64)]
    pub replacement_serial: String,
    /// exchange: HN, HCM or DL; default the office that delivered the unit
    pub warehouse: String,
    /// exchange: remaining (default: the rest of the original's warranty) or new
    pub replacement_warranty: String,
    #[schema(max_length = 2000)]
    pub note: String,
}

/// Decide the case. An exchange issues the replacement from stock and takes the faulty unit back
/// as damaged, at once. Out of warranty only a paid repair, with its quote, is allowed.
#[utoipa::path(post, path = "/api/v1/warranty-cases/{id}/decide", tag = "warranty", request_body = DecideIn,
    params(("id" = i64, Path)),
    responses((status = 200, body = WarrantyCaseBody), BadRequest, Forbidden, NotFound, Conflict))]
pub async fn decide_case(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<DecideIn>,
) -> Result<Response, Problem> {
    caller.require(Action::HandleWarranty)?;
    let warehouse = office_from_text(&body.warehouse);
    let message = pb::DecideCaseRequest {
        id,
        decision: body.decision,
        quote_amount: body.quote_amount,
        replacement_serial: body.replacement_serial,
        warehouse,
        replacement_warranty: body.replacement_warranty,
        note: body.note,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let done = ctx.call(&client(&state)?, message, |mut c, r| async move { c.decide_case(r).await }).await?;
    Ok(case_response(StatusCode::OK, done))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SupplierReturnIn {
    /// The supplier's RMA number
    #[schema(min_length = 1, max_length = 64)]
    pub rma_number: String,
    /// YYYY-MM-DD; today when absent
    pub shipped_on: String,
}

/// Send the faulty unit to the supplier (case decided repair_at_supplier): it comes back from the
/// customer as damaged and leaves stock for the supplier.
#[utoipa::path(post, path = "/api/v1/warranty-cases/{id}/supplier-return", tag = "warranty",
    request_body = SupplierReturnIn, params(("id" = i64, Path)),
    responses((status = 200, body = WarrantyCaseBody), BadRequest, Forbidden, NotFound, Conflict))]
pub async fn ship_to_supplier(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SupplierReturnIn>,
) -> Result<Response, Problem> {
    caller.require(Action::HandleWarranty)?;
    let mut v = Violations::new();
    let shipped_on = optional_date(&mut v, "shipped_on", Some(&body.shipped_on));
    v.finish()?;
    let message = pb::ShipToSupplierRequest { id, rma_number: body.rma_number, shipped_on };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let done = ctx.call(&client(&state)?, message, |mut c, r| async move { c.ship_to_supplier(r).await }).await?;
    Ok(case_response(StatusCode::OK, done))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SupplierReceiptIn {
    /// repaired, replaced or credited
    pub outcome: String,
    /// YYYY-MM-DD; today when absent
    pub received_on: String,
    /// replaced: the supplier's new unit
    #[schema(max_length = 64)]
    pub replacement_serial: String,
}

/// The supplier's answer: the unit back repaired or a new one (into good stock and on to the
/// customer), or a credit; the turnaround in days is recorded.
#[utoipa::path(post, path = "/api/v1/warranty-cases/{id}/supplier-return/receive", tag = "warranty",
    request_body = SupplierReceiptIn, params(("id" = i64, Path)),
    responses((status = 200, body = WarrantyCaseBody), BadRequest, Forbidden, NotFound, Conflict))]
pub async fn receive_from_supplier(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SupplierReceiptIn>,
) -> Result<Response, Problem> {
    caller.require(Action::HandleWarranty)?;
    let mut v = Violations::new();
    let received_on = optional_date(&mut v, "received_on", Some(&body.received_on));
    v.finish()?;
    let message = pb::ReceiveFromSupplierRequest {
        id,
        outcome: body.outcome,
        received_on,
        replacement_serial: body.replacement_serial,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let done = ctx.call(&client(&state)?, message, |mut c, r| async move { c.receive_from_supplier(r).await }).await?;
    Ok(case_response(StatusCode::OK, done))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CloseIn {
    #[schema(min_length = 1, max_length = 2000)]
    pub resolution: String,
}

/// Close the case with what was done (not while the unit is at the supplier).
#[utoipa::path(post, path = "/api/v1/warranty-cases/{id}/close", tag = "warranty", request_body = CloseIn,
    params(("id" = i64, Path)),
    responses((status = 200, body = WarrantyCaseBody), BadRequest, Forbidden, NotFound, Conflict))]
pub async fn close_case(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CloseIn>,
) -> Result<Response, Problem> {
    caller.require(Action::HandleWarranty)?;
    let message = pb::CloseCaseRequest { id, resolution: body.resolution };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let done = ctx.call(&client(&state)?, message, |mut c, r| async move { c.close_case(r).await }).await?;
    Ok(case_response(StatusCode::OK, done))
}
