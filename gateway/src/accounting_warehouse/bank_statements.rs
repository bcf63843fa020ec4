//! `/api/v1/bank-statements`: bank CSV exports matched to invoices, and the review list.

use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::{JsonBody, read_body};
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, day_text, page};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(import_statement)).routes(routes!(list_lines)).routes(routes!(match_line))
}

const MAX_STATEMENT: usize = 5 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct BankLineBody {
    /// 0 for a duplicate of a line imported before
    pub id: i64,
    pub booked_on: String,
    /// VND; negative for debits
    pub amount: i64,
    pub description: String,
    pub reference: String,
    /// matched, unmatched, duplicate, ignored
    pub status: String,
    pub invoice_number: String,
    pub payment_number: String,
}

impl From<pb::BankLine> for BankLineBody {
    fn from(l: pb::BankLine) -> Self {
        BankLineBody {
            id: l.id,
            booked_on: day_text(l.booked_on.as_ref()),
            amount: l.amount,
            description: l.description,
            reference: l.reference,
            status: l.status,
            invoice_number: l.invoice_number,
            payment_number: l.payment_number,
        }
    }
}

/// Named apart in the OpenAPI document: another route's body has the same Rust name.
#[derive(Serialize, ToSchema)]
#[schema(as = BankStatementImportBody)]
pub struct ImportBody {
    pub lines: Vec<BankLineBody>,
    pub matched: i32,
    pub unmatched: i32,
    pub duplicates: i32,
}

/// Import a bank statement: `text/csv` with the columns date, amount, description, reference.
/// Credits naming an invoice or order number pay it; the rest wait in the review list.
/// Importing the same statement again changes nothing.
#[utoipa::path(post, path = "/api/v1/bank-statements", tag = "accounting", request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportBody), BadRequest, Forbidden, PayloadTooLarge))]
pub async fn import_statement(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, axum::Json<ImportBody>), Problem> {
    caller.require(Action::WriteAccounts)?;
    let is_csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("text/plain"));
    if !is_csv {
        return Err(Problem::field("body", "send the statement as text/csv"));
    }
    let body = read_body(body, MAX_STATEMENT, "5 MiB").await?;
    let csv = String::from_utf8(body.to_vec()).map_err(|_| Problem::field("body", "must be UTF-8 text"))?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let imported = ctx
        .call(&state.accounting, pb::ImportBankStatementRequest { csv }, |mut c, r| async move {
            c.import_bank_statement(r).await
        })
        .await?;
    let body = ImportBody {
        lines: imported.lines.into_iter().map(BankLineBody::from).collect(),
        matched: imported.matched,
        unmatched: imported.unmatched,
        duplicates: imported.duplicates,
    };
    Ok((StatusCode::CREATED, axum::Json(body)))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct LinesQuery {
    /// unmatched (the review list), matched or ignored
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Imported bank lines, e.g. `?status=unmatched` for the review list.
#[utoipa::path(get, path = "/api/v1/bank-statements/lines", tag = "accounting", params(LinesQuery),
    responses((status = 200, body = ListBody<BankLineBody>), BadRequest))]
pub async fn list_lines(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<LinesQuery>,
) -> Result<axum::Json<ListBody<BankLineBody>>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let message = pb::ListBankLinesRequest {
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.accounting, message, |mut c, r| async move { c.list_bank_lines(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(BankLineBody::from).collect(), page.next_cursor)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MatchBody {
    #[schema(required = true, minimum = 1)]
    pub invoice_id: i64,
}

/// Match a line of the review list to an invoice: the payment is recorded against it.
#[utoipa::path(post, path = "/api/v1/bank-statements/lines/{id}/match", tag = "accounting", request_body = MatchBody,
    params(("id" = i64, Path)),
    responses((status = 200, body = BankLineBody), BadRequest, NotFound, Conflict))]
pub async fn match_line(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<MatchBody>,
) -> Result<axum::Json<BankLineBody>, Problem> {
    caller.require(Action::WriteAccounts)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let line = ctx
        .call(&state.accounting, pb::MatchBankLineRequest { id, invoice_id: body.invoice_id }, |mut c, r| async move {
            c.match_bank_line(r).await
        })
        .await?;
    Ok(axum::Json(BankLineBody::from(line)))
}
