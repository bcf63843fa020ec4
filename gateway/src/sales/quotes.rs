//! `/api/v1/quotes`: prices offered to a customer, valid until a date; sent, accepted, rejected,
//! expired. An accepted quote becomes an order with `POST /api/v1/orders {"quote_id": ...}`.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    ListBody, day_text, enum_text, office_text, optional_id, page, rate_bp_from_text, rate_text, record_response,
    rfc3339, version_if_sent,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_quote, list_quotes))
        .routes(routes!(get_quote))
        .routes(routes!(send_quote))
        .routes(routes!(accept_quote))
        .routes(routes!(reject_quote))
}

#[derive(Serialize, ToSchema)]
pub struct QuoteLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub supplier_id: i64,
    pub quantity: i64,
    /// VND per unit before the discount, without VAT
    pub unit_price: i64,
    /// "0.05" = 5% off the unit price
    pub discount: String,
    /// The unit price less the discount, rounded half up to the đồng
    pub net_unit_price: i64,
    pub vat_rate: String,
    pub net_amount: i64,
    pub vat_amount: i64,
    pub gross_amount: i64,
    /// What promotion programmes took off the line, VND without VAT: net_amount is quantity x
    /// net_unit_price less this (a free or gift line's is its whole amount)
    pub promotion_discount: i64,
    /// The programmes that gave it, by name
    pub promotions: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QuoteBody {
    pub id: i64,
    /// "BG-2026-0001"
    pub number: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_group: String,
    pub office: String,
    /// draft, sent, accepted, rejected, expired (open and past valid_until)
    pub status: String,
    /// YYYY-MM-DD, the last day the prices hold
    pub valid_until: String,
    pub note: String,
    pub lines: Vec<QuoteLineBody>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    pub created_by: String,
    /// The customer's reason, when rejected
    pub decision_note: String,
    /// The order made from it
    pub order_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub sent_at: Option<String>,
    pub decided_at: Option<String>,
    /// The price sheet the default prices came from
    pub price_list: Option<String>,
    /// The opportunity it was made for; accepting the quote wins it
    pub opportunity_id: Option<i64>,
}

impl From<pb::Quote> for QuoteBody {
    fn from(q: pb::Quote) -> Self {
        QuoteBody {
            id: q.id,
            number: q.number,
            customer_id: q.customer_id,
            customer_code: q.customer_code,
            customer_name: q.customer_name,
            customer_group: enum_text::<pb::CustomerGroup>(q.customer_group),
            office: office_text(q.office),
            status: q.status,
            valid_until: day_text(q.valid_until.as_ref()),
            note: q.note,
            lines: q
                .lines
                .into_iter()
                .map(|l| QuoteLineBody {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    model_code: l.model_code,
                    product_name: l.product_name,
                    supplier_id: l.supplier_id,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    discount: rate_text(l.discount_bp),
                    net_unit_price: l.net_unit_price,
                    vat_rate: rate_text(l.vat_rate_bp),
                    net_amount: l.net_amount,
                    vat_amount: l.vat_amount,
                    gross_amount: l.net_amount + l.vat_amount,
                    promotion_discount: l.promotion_discount,
                    promotions: l.promotions,
                })
                .collect(),
            total_net: q.total_net,
            total_vat: q.total_vat,
            total_gross: q.total_gross,
            created_by: q.created_by,
            decision_note: q.decision_note,
            order_id: (q.order_id > 0).then_some(q.order_id),
            version: q.version,
            created_at: rfc3339(q.created_at.as_ref()),
            updated_at: rfc3339(q.updated_at.as_ref()),
            sent_at: q.sent_at.as_ref().map(|t| rfc3339(Some(t))),
            decided_at: q.decided_at.as_ref().map(|t| rfc3339(Some(t))),
            price_list: (!q.price_list.is_empty()).then_some(q.price_list),
            opportunity_id: (q.opportunity_id > 0).then_some(q.opportunity_id),
        }
    }
}

fn quote_response(status: StatusCode, quote: pb::Quote) -> Response {
    let (version, location) = (quote.version, format!("/api/v1/quotes/{}", quote.id));
    record_response(status, QuoteBody::from(quote), version, &location)
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateQuoteLineBody {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// VND per unit without VAT; when absent, the customer group's price on the sheet in force,
    /// else the list price
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub unit_price: Option<i64>,
    /// "0.05" = 5% off; none when absent
    pub discount: Option<String>,
    /// "0.10", "0.08" or "0.05"; the product's rate when absent
    pub vat_rate: Option<String>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateQuoteBody {
    #[schema(required = true, minimum = 1)]
    pub customer_id: i64,
    /// An open opportunity of the same customer; one in prospecting or qualified moves to proposal
    pub opportunity_id: Option<i64>,
    /// YYYY-MM-DD; 30 days from today when absent
    pub valid_until: Option<String>,
    pub note: String,
    #[schema(required = true, min_items = 1, max_items = 200)]
    pub lines: Vec<CreateQuoteLineBody>,
}

/// Create a draft quote; prices default to the published price sheet for the customer's group (else
/// the list price), VAT rates to the catalog's.
#[utoipa::path(post, path = "/api/v1/quotes", tag = "quotes", request_body = CreateQuoteBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = QuoteBody), BadRequest, Forbidden))]
pub async fn create_quote(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateQuoteBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let mut v = Violations::new();
    let valid_until = crate::wire::optional_date(&mut v, "valid_until", body.valid_until.as_deref());
    let lines = body
        .lines
        .into_iter()
        .map(|line| pb::CreateQuoteLine {
            product_id: line.product_id,
            quantity: line.quantity,
            unit_price: line.unit_price,
            discount_bp: line.discount.as_deref().map(rate_bp_from_text).unwrap_or(0),
            vat_rate_bp: line.vat_rate.as_deref().map(rate_bp_from_text),
        })
        .collect();
    v.finish()?;
    let message = pb::CreateQuoteRequest { customer_id: body.customer_id, valid_until, note: body.note, lines };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let quote = match body.opportunity_id {
        None => ctx.call(&state.quotes, message, |mut c, r| async move { c.create_quote(r).await }).await?,
        Some(opportunity_id) => {
            let message = pb::CreateQuoteForOpportunityRequest { opportunity_id, quote: Some(message) };
            ctx.call(&state.quotes, message, |mut c, r| async move { c.create_quote_for_opportunity(r).await }).await?
        }
    };
    Ok(quote_response(StatusCode::CREATED, quote))
}

/// One quote with its lines and ETag.
#[utoipa::path(get, path = "/api/v1/quotes/{id}", tag = "quotes", params(("id" = i64, Path)),
    responses((status = 200, body = QuoteBody), NotFound))]
pub async fn get_quote(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let quote =
        ctx.call(&state.quotes, pb::GetQuoteRequest { id }, |mut c, r| async move { c.get_quote(r).await }).await?;
    Ok(quote_response(StatusCode::OK, quote))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct QuoteQuery {
    pub customer_id: Option<String>,
    /// The quotes made for this opportunity
    pub opportunity_id: Option<String>,
    /// draft, sent, accepted, rejected, expired
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Quotes (without their lines); sales staff see their own office's.
#[utoipa::path(get, path = "/api/v1/quotes", tag = "quotes", params(QuoteQuery),
    responses((status = 200, body = ListBody<QuoteBody>), BadRequest))]
pub async fn list_quotes(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<QuoteQuery>,
) -> Result<axum::Json<ListBody<QuoteBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let message = pb::ListQuotesRequest {
        customer_id: optional_id("customer_id", query.customer_id.as_deref())?,
        opportunity_id: optional_id("opportunity_id", query.opportunity_id.as_deref())?,
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.quotes, message, |mut c, r| async move { c.list_quotes(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(QuoteBody::from).collect(), page.next_cursor)))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct QuoteDecisionBody {
    /// The customer's reason, when rejecting
    pub note: String,
}

fn action(id: i64, headers: &HeaderMap, body: &[u8]) -> Result<pb::QuoteActionRequest, Problem> {
    let expected_version = version_if_sent(headers)?;
    let note = if body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        serde_json::from_slice::<QuoteDecisionBody>(body).map_err(|e| Problem::field("body", &e.to_string()))?.note
    };
    Ok(pb::QuoteActionRequest { id, expected_version, note })
}

/// Which move a decision route makes.
#[derive(Clone, Copy)]
enum Decision {
    Send,
    Accept,
    Reject,
}

async fn decide(
    state: AppState,
    caller: atq_platform::Caller,
    id: i64,
    headers: HeaderMap,
    body: &[u8],
    decision: Decision,
) -> Result<Response, Problem> {
    caller.require(Action::WriteOrders)?;
    let message = action(id, &headers, body)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let quote = ctx
        .call(&state.quotes, message, |mut c, r| async move {
            match decision {
                Decision::Send => c.send_quote(r).await,
                Decision::Accept => c.accept_quote(r).await,
                Decision::Reject => c.reject_quote(r).await,
            }
        })
        .await?;
    Ok(quote_response(StatusCode::OK, quote))
}

/// Mark the quote sent to the customer. Repeating it changes nothing.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/send", tag = "quotes", request_body(content = QuoteDecisionBody, description = "optional, empty"),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = QuoteBody), NotFound, Conflict, PreconditionFailed))]
pub async fn send_quote(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    decide(state, caller, id, headers, &body, Decision::Send).await
}

/// The customer accepted: the quote can now become an order. An expired quote is refused (409).
#[utoipa::path(post, path = "/api/v1/quotes/{id}/accept", tag = "quotes", request_body(content = QuoteDecisionBody, description = "optional, empty"),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = QuoteBody), NotFound, Conflict, PreconditionFailed))]
pub async fn accept_quote(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    decide(state, caller, id, headers, &body, Decision::Accept).await
}

/// The customer declined, with their reason in `note`.
#[utoipa::path(post, path = "/api/v1/quotes/{id}/reject", tag = "quotes", request_body(content = QuoteDecisionBody, description = "optional"),
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = QuoteBody), NotFound, Conflict, PreconditionFailed))]
pub async fn reject_quote(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    decide(state, caller, id, headers, &body, Decision::Reject).await
}
