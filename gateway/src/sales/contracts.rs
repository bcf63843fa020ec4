//! `/api/v1/contracts`: contracts with customers and the signed copies kept with them.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    ListBody, date_text, enum_text, expected_version, office_text, optional_date, optional_id, page, record_response,
    rfc3339,
};

/// The largest signed copy taken (the sales service checks it too).
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_contract, list_contracts))
        .routes(routes!(get_contract, update_contract))
        .routes(routes!(attach_file, list_files))
        .routes(routes!(download_file))
}

#[derive(Serialize, ToSchema)]
pub struct ContractFileBody {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    /// Where to download it
    pub href: String,
}

fn file_body(contract_id: i64, f: pb::ContractFile) -> ContractFileBody {
    ContractFileBody {
        href: format!("/api/v1/contracts/{contract_id}/files/{}", f.id),
        id: f.id,
        file_name: f.file_name,
        content_type: f.content_type,
        size: f.size,
        sha256: f.sha256,
        uploaded_by: f.uploaded_by,
        uploaded_at: rfc3339(f.uploaded_at.as_ref()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContractBody {
    pub id: i64,
    /// "HD-2026-0001"
    pub number: String,
    pub name: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_group: String,
    pub office: String,
    /// The employee (username) who answers for it
    pub responsible: String,
    /// YYYY-MM-DD
    pub made_on: Option<String>,
    /// YYYY-MM-DD; absent when open-ended
    pub ends_on: Option<String>,
    /// draft, signed, completed, cancelled
    pub status: String,
    /// VND with VAT; 0 when not stated
    pub value: i64,
    pub note: String,
    pub files: Vec<ContractFileBody>,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// The opportunity it closes; signing wins it
    pub opportunity_id: Option<i64>,
    /// sale, or dealer (the terms of a dealership, made when a dealer-opening request is approved)
    pub kind: String,
}

impl From<pb::Contract> for ContractBody {
    fn from(k: pb::Contract) -> Self {
        let id = k.id;
        ContractBody {
            id,
            number: k.number,
            name: k.name,
            customer_id: k.customer_id,
            customer_code: k.customer_code,
            customer_name: k.customer_name,
            customer_group: enum_text::<pb::CustomerGroup>(k.customer_group),
            office: office_text(k.office),
            responsible: k.responsible,
            made_on: date_text(k.made_on.as_ref()),
            ends_on: date_text(k.ends_on.as_ref()),
            status: k.status,
            value: k.value,
            note: k.note,
            files: k.files.into_iter().map(|f| file_body(id, f)).collect(),
            created_by: k.created_by,
            version: k.version,
            created_at: rfc3339(k.created_at.as_ref()),
            updated_at: rfc3339(k.updated_at.as_ref()),
            opportunity_id: (k.opportunity_id > 0).then_some(k.opportunity_id),
            kind: k.kind,
        }
    }
}

fn contract_response(status: StatusCode, contract: pb::Contract) -> Response {
    let (version, location) = (contract.version, format!("/api/v1/contracts/{}", contract.id));
    record_response(status, ContractBody::from(contract), version, &location)
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateContractBody {
    /// An open opportunity of the same customer, which signing the contract wins
    pub opportunity_id: Option<i64>,
    #[schema(required = true, min_length = 1)]
    pub name: String,
    #[schema(required = true, minimum = 1)]
    pub customer_id: i64,
    /// A username; the caller when absent
    pub responsible: String,
    /// YYYY-MM-DD; today when absent
    pub made_on: Option<String>,
    /// YYYY-MM-DD; open-ended when absent
    pub ends_on: Option<String>,
    /// VND with VAT
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub value: i64,
    pub note: String,
    /// sale (default) or dealer
    pub kind: String,
}

/// Checks that a named employee is one of our users.
async fn check_user(state: &AppState, field: &str, username: &str) -> Result<(), Problem> {
    crate::users::named_colleague(&state.db, field, username).await.map(|_| ())
}

/// Create a draft contract; it is numbered in the series of the year it was made.
#[utoipa::path(post, path = "/api/v1/contracts", tag = "contracts", request_body = CreateContractBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ContractBody), BadRequest, Forbidden))]
pub async fn create_contract(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateContractBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let mut v = Violations::new();
    let made_on = optional_date(&mut v, "made_on", body.made_on.as_deref());
    let ends_on = optional_date(&mut v, "ends_on", body.ends_on.as_deref());
    v.finish()?;
    check_user(&state, "responsible", &body.responsible).await?;
    let message = pb::CreateContractRequest {
        name: body.name,
        customer_id: body.customer_id,
        responsible: body.responsible.trim().to_owned(),
        made_on,
        ends_on,
        value: body.value,
        note: body.note,
        opportunity_id: body.opportunity_id.unwrap_or_default(),
        kind: body.kind,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let contract = ctx.call(&state.contracts, message, |mut c, r| async move { c.create_contract(r).await }).await?;
    Ok(contract_response(StatusCode::CREATED, contract))
}

/// One contract with its files and ETag.
#[utoipa::path(get, path = "/api/v1/contracts/{id}", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = ContractBody), NotFound))]
pub async fn get_contract(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let contract = ctx
        .call(&state.contracts, pb::GetContractRequest { id }, |mut c, r| async move { c.get_contract(r).await })
        .await?;
    Ok(contract_response(StatusCode::OK, contract))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateContractBody {
    pub name: Option<String>,
    pub responsible: Option<String>,
    /// YYYY-MM-DD
    pub ends_on: Option<String>,
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub value: Option<i64>,
    pub note: Option<String>,
    /// signed (needs a signed copy attached), completed, cancelled
    pub status: Option<String>,
    /// The version you read, when not sent as If-Match
    pub version: Option<i64>,
}

/// Change some fields or move the status on. Send `If-Match` (the ETag you read) or `version`.
#[utoipa::path(patch, path = "/api/v1/contracts/{id}", tag = "contracts", request_body = UpdateContractBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = ContractBody), BadRequest, NotFound,
        Conflict, PreconditionFailed, PreconditionRequired))]
pub async fn update_contract(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateContractBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let expected_version = expected_version(&headers, body.version)?;
    let mut v = Violations::new();
    let ends_on = optional_date(&mut v, "ends_on", body.ends_on.as_deref());
    v.finish()?;
    if let Some(responsible) = &body.responsible {
        check_user(&state, "responsible", responsible).await?;
    }
    let message = pb::UpdateContractRequest {
        id,
        expected_version,
        name: body.name,
        responsible: body.responsible.map(|r| r.trim().to_owned()),
        ends_on,
        value: body.value,
        note: body.note,
        status: body.status,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let contract = ctx.call(&state.contracts, message, |mut c, r| async move { c.update_contract(r).await }).await?;
    Ok(contract_response(StatusCode::OK, contract))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ContractQuery {
    pub customer_id: Option<String>,
    /// draft, signed, completed, cancelled
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Contracts (without their files); sales staff see their own office's.
#[utoipa::path(get, path = "/api/v1/contracts", tag = "contracts", params(ContractQuery),
    responses((status = 200, body = ListBody<ContractBody>), BadRequest))]
pub async fn list_contracts(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ContractQuery>,
) -> Result<axum::Json<ListBody<ContractBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let message = pb::ListContractsRequest {
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.contracts, message, |mut c, r| async move { c.list_contracts(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(ContractBody::from).collect(), page.next_cursor)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct FileQuery {
    /// The name to keep it under, e.g. "HD-2026-0001 ky.pdf"
    pub file_name: String,
}

/// Attach a signed copy or scan: the file itself as the body (application/pdf, image/jpeg or
/// image/png, at most 10 MiB) and its name in `?file_name=`. The same file sent twice is kept once.
#[utoipa::path(post, path = "/api/v1/contracts/{id}/files", tag = "contracts",
    request_body(content = Vec<u8>, content_type = "application/pdf"),
    params(("id" = i64, Path), FileQuery),
    responses((status = 201, body = ContractFileBody), BadRequest, NotFound,
        PayloadTooLarge))]
pub async fn attach_file(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<FileQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let body = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| Problem::too_large(format!("a file may be at most {} MiB", MAX_FILE_BYTES / (1024 * 1024))))?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let message =
        pb::AttachFileRequest { contract_id: id, file_name: query.file_name, content_type, content: body.to_vec() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let file = ctx.call(&state.contracts, message, |mut c, r| async move { c.attach_file(r).await }).await?;
    let location = format!("/api/v1/contracts/{id}/files/{}", file.id);
    let mut response = (StatusCode::CREATED, axum::Json(file_body(id, file))).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// The files kept with a contract.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/files", tag = "contracts", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ContractFileBody>), NotFound))]
pub async fn list_files(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<ContractFileBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let contract = ctx
        .call(&state.contracts, pb::GetContractRequest { id }, |mut c, r| async move { c.get_contract(r).await })
        .await?;
    Ok(axum::Json(contract.files.into_iter().map(|f| file_body(id, f)).collect()))
}

/// `attachment; filename="..."` with a UTF-8 `filename*` for Vietnamese names.
pub(crate) fn content_disposition(file_name: &str) -> String {
    let ascii: String =
        deunicode::deunicode(file_name).chars().filter(|c| !matches!(c, '"' | '\\') && !c.is_control()).collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Download a kept file as it was uploaded.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/files/{file_id}", tag = "contracts",
    params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), NotFound))]
pub async fn download_file(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetFileRequest { contract_id: id, file_id };
    let content = ctx.call(&state.contracts, message, |mut c, r| async move { c.get_file(r).await }).await?;
    let file = content.file.unwrap_or_default();
    let mut response = content.content.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, file.content_type.clone()),
        (header::CONTENT_DISPOSITION, content_disposition(&file.file_name)),
        (header::ETAG, format!("\"{}\"", file.sha256)),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_file_names_survive_the_download_header() {
        assert_eq!(
            content_disposition("Hợp đồng ký.pdf"),
            "attachment; filename=\"Hop dong ky.pdf\"; filename*=UTF-8''H%E1%BB%A3p%20%C4%91%E1%BB%93ng%20k%C3%BD.pdf"
        );
    }
}
