//! Printable documents: `GET /api/v1/{invoices,returns,orders,quotes,dispatch-orders}/{id}/pdf`, in Vietnamese
//! unless `?lang=en` or the caller's `Accept-Language` asks for English. Each reads the record as
//! its JSON route does (same action, same office check) and lays it out with `atq_documents`.

mod adjustment;
mod bonus_statement;
mod contract;
mod dispatch;
mod goods_issue;
mod invoice;
mod order;
mod quote;

use atq_documents::{CompanyHeader, Language, Party};
use atq_proto::importplanning::v1 as catalog_pb;
use atq_proto::sales::v1 as sales_pb;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::Problem;
use crate::rpc::CallContext;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invoice::invoice_pdf))
        .routes(routes!(quote::quote_pdf))
        .routes(routes!(dispatch::dispatch_order_pdf))
        .routes(routes!(adjustment::return_pdf))
        .routes(routes!(order::order_pdf))
        .routes(routes!(goods_issue::goods_issue_pdf))
        .routes(routes!(contract::contract_pdf))
        .routes(routes!(bonus_statement::bonus_statement_pdf))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PrintQuery {
    /// vi (the default) or en
    pub lang: Option<String>,
}

/// The language asked for: `?lang=`, else the one `Accept-Language` prefers, else Vietnamese.
fn language(query: &PrintQuery, headers: &HeaderMap) -> Result<Language, Problem> {
    match query.lang.as_deref().map(str::trim) {
        Some("vi") => return Ok(Language::Vi),
        Some("en") => return Ok(Language::En),
        Some("") | None => {}
        Some(_) => return Err(Problem::field("lang", "must be vi or en")),
    }
    Ok(if crate::messages::prefers_english(headers) { Language::En } else { Language::Vi })
}

/// The seller printed at the top of every document.
fn company() -> CompanyHeader {
    CompanyHeader {
        name: "CÔNG TY CỔ PHẦN ATQ".into(),
        address: "Hà Nội, Việt Nam".into(),
        tax_code: String::new(),
        phone: String::new(),
    }
}

/// The customer as a party of the document, from the sales department's record.
async fn customer_party(state: &AppState, ctx: &CallContext<'_>, id: i64, label: &str) -> Result<Party, Problem> {
    let customer = ctx
        .call(&state.customers, sales_pb::GetCustomerRequest { id }, |mut c, r| async move { c.get_customer(r).await })
        .await?;
    Ok(Party {
        label: label.into(),
        name: customer.name,
        code: customer.code,
        address: customer.address,
        tax_code: customer.tax_code,
        phone: customer.phone,
    })
}

/// Products' names (in the document's language) and units, by id, in one call.
async fn product_names(
    state: &AppState,
    ctx: &CallContext<'_>,
    ids: Vec<i64>,
    language: Language,
) -> Result<std::collections::HashMap<i64, (String, String)>, Problem> {
    let answer = ctx
        .call(&state.catalog, catalog_pb::GetProductsRequest { ids }, |mut c, r| async move { c.get_products(r).await })
        .await?;
    Ok(answer
        .items
        .into_iter()
        .map(|p| {
            let name = match language {
                Language::En if !p.name_en.is_empty() => p.name_en,
                _ => p.name_vi,
            };
            (p.id, (name, p.unit))
        })
        .collect())
}

fn pdf_response(bytes: Result<Vec<u8>, atq_documents::DocumentError>, file_name: &str) -> Result<Response, Problem> {
    let bytes = bytes.map_err(|error| Problem::from(atq_platform::Error::internal(error)))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    // Numbers are letters, digits and dashes, so the name needs no quoting beyond this.
    let safe: String =
        file_name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{safe}.pdf\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
