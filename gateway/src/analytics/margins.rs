//! Gross margins: `GET /api/v1/reports/products` (products ranked best or worst by revenue,
//! margin or units) and `GET /api/v1/reports/margins` (the same figures grouped by product,
//! brand, category, customer, salesperson or office), as JSON or CSV.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::margins_client::MarginsClient;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tonic::transport::Channel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, Unauthorized};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, day_text, office_from_text, office_text, wants_csv};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(products)).routes(routes!(margins))
}

/// The analytics margins client, on the channel the gateway already keeps to analytics.
fn margins_client(state: &AppState) -> Result<MarginsClient<Channel>, Problem> {
    Ok(MarginsClient::new(state.channel("analytics")?))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ProductsQuery {
    /// `revenue` (default), `margin` or `quantity`.
    pub rank_by: Option<String>,
    /// `best` (default: highest first) or `worst` (lowest first).
    pub order: Option<String>,
    /// `month` (default), `quarter` or `year`, in the local calendar (Asia/Ho_Chi_Minh).
    pub period: Option<String>,
    /// First period in that unit: `2026-11`, `2026-Q4` or `2026`. Default: `to`.
    pub from: Option<String>,
    /// Last period in that unit. Default: the current one. At most 36 periods.
    pub to: Option<String>,
    /// One office's sales (`HN`, `HCM`, `DL`); a sales manager always sees their own.
    pub office: Option<String>,
    /// One product category, e.g. `chemistry`.
    pub category: Option<String>,
    /// Products listed, 1–1000; default 20.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i32>,
    /// json (default) or csv.
    pub format: Option<String>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct MarginsQuery {
    /// `product` (default), `brand`, `category`, `customer`, `salesperson` or `office`.
    pub by: Option<String>,
    /// `month` (default), `quarter` or `year`, in the local calendar (Asia/Ho_Chi_Minh).
    pub period: Option<String>,
    /// First period in that unit. Default: `to`.
    pub from: Option<String>,
    /// Last period in that unit. Default: the current one. At most 36 periods.
    pub to: Option<String>,
    /// One office (`HN`, `HCM`, `DL`); a sales manager always sees their own.
    pub office: Option<String>,
    /// json (default) or csv.
    pub format: Option<String>,
}

/// One group's figures in VND without VAT, returns taken off.
#[derive(Serialize, ToSchema)]
pub struct MarginRowBody {
    /// Product id, brand, category, customer code, salesperson's username or office code
    /// (`all` for the total; `unknown` for what analytics has not been told yet).
    pub key: String,
    /// Product id, model, category and brand when grouped by product; otherwise null.
    pub product_id: Option<i64>,
    pub model_code: Option<String>,
    pub category: Option<String>,
    pub brand: Option<String>,
    /// Units shipped less units returned.
    pub quantity: i64,
    /// The order lines' net amounts for the units shipped, less returned net amounts.
    pub revenue: i64,
    /// Cost of goods issued at the moving average, less the cost of returned goods.
    pub cost: i64,
    /// revenue − cost.
    pub margin: i64,
    /// margin / revenue in basis points (toward zero; 2500 = 25%); null without revenue.
    pub margin_rate_bp: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MarginReportBody {
    /// Rankings: `revenue`, `margin` or `quantity`, and `best` or `worst`; null for groupings.
    pub rank_by: Option<String>,
    pub order: Option<String>,
    /// The grouping (`product` for rankings).
    pub by: String,
    /// `month`, `quarter` or `year`, the first and last period, and their first and last local
    /// dates `YYYY-MM-DD`.
    pub period: String,
    pub from: String,
    pub to: String,
    pub first_day: String,
    pub last_day: String,
    /// `VND`.
    pub currency: String,
    /// The office the figures are limited to; null for the whole company.
    pub office: Option<String>,
    /// The category a ranking is limited to; null for all.
    pub category: Option<String>,
    pub rows: Vec<MarginRowBody>,
    /// Every line of the span, not only the rows listed.
    pub total: MarginRowBody,
    /// Positions of the sales and accounting-warehouse feeds the figures include.
    pub sales_position: i64,
    pub accounting_position: i64,
}

fn row_body(row: &pb::MarginRow) -> MarginRowBody {
    let product = row.product_id != 0;
    let text = |s: &str| Some(s.to_owned()).filter(|_| product);
    MarginRowBody {
        key: row.key.clone(),
        product_id: Some(row.product_id).filter(|_| product),
        model_code: text(&row.model_code),
        category: text(&row.category),
        brand: text(&row.brand),
        quantity: row.quantity,
        revenue: row.revenue,
        cost: row.cost,
        margin: row.margin,
        margin_rate_bp: row.margin_rate_bp,
    }
}

fn report_body(answer: pb::MarginResponse) -> MarginReportBody {
    let some = |s: String| Some(s).filter(|s| !s.is_empty());
    MarginReportBody {
        rank_by: some(answer.rank_by),
        order: some(answer.order),
        by: answer.by,
        period: answer.period,
        from: answer.from,
        to: answer.to,
        first_day: day_text(answer.first_day.as_ref()),
        last_day: day_text(answer.last_day.as_ref()),
        currency: "VND".to_owned(),
        office: some(office_text(answer.office)),
        category: some(answer.category),
        rows: answer.rows.iter().map(row_body).collect(),
        total: row_body(&answer.total.unwrap_or_default()),
        sales_position: answer.sales_position,
        accounting_position: answer.accounting_position,
    }
}

const COLUMNS: [&str; 10] =
    ["key", "product_id", "model_code", "category", "brand", "quantity", "revenue", "cost", "margin", "margin_rate_bp"];

/// The listed rows, then the total as a row keyed `all`.
fn report_csv(body: &MarginReportBody, name: &str) -> Result<Response, Problem> {
    let mut sheet = CsvSheet::new(CsvLayout::Plain, &COLUMNS)?;
    for row in body.rows.iter().chain([&body.total]) {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        sheet.row([
            row.key.clone(),
            number(row.product_id),
            row.model_code.clone().unwrap_or_default(),
            row.category.clone().unwrap_or_default(),
            row.brand.clone().unwrap_or_default(),
            row.quantity.to_string(),
            row.revenue.to_string(),
            row.cost.to_string(),
            row.margin.to_string(),
            number(row.margin_rate_bp),
        ])?;
    }
    let headers = [
        (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}-{}-{}.csv\"", body.from, body.to)),
    ];
    Ok((headers, sheet.into_bytes()?).into_response())
}

/// Products ranked by revenue, gross margin or units over the periods, best (highest first) or
/// worst (lowest first): per product units, revenue, cost of goods issued (moving average at
/// issue), gross margin and margin rate. A shipped line counts on the local day its goods left
/// the warehouse, at its order line's net price; a return takes its revenue and cost back on the
/// day it came back. Kept up to date from the sales and accounting-warehouse feeds. A sales
/// manager sees their own office (asking for another is refused). CSV columns: key, product_id,
/// model_code, category, brand, quantity, revenue, cost, margin, margin_rate_bp; the last row is
/// the total (`all`).
#[utoipa::path(get, path = "/api/v1/reports/products", tag = "reports", params(ProductsQuery),
    responses((status = 200, description = "The ranking, or its CSV download",
            content((MarginReportBody = "application/json"), (String = "text/csv"))),
        BadRequest, Unauthorized, Forbidden))]
pub async fn products(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ProductsQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let csv = wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let message = pb::ProductRankingRequest {
        rank_by: query.rank_by.unwrap_or_default(),
        period: query.period.unwrap_or_default(),
        from: query.from.unwrap_or_default(),
        to: query.to.unwrap_or_default(),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
        category: query.category.unwrap_or_default(),
        // Out of range is refused by analytics with the field named; 0 there means the default.
        limit: match query.limit {
            None => 0,
            Some(n) if n < 1 => -1,
            Some(n) => n,
        },
        order: query.order.unwrap_or_default(),
    };
    let ctx = CallContext::read(&state, &caller);
    let client = margins_client(&state)?;
    let answer = ctx.call(&client, message, |mut c, r| async move { c.product_ranking(r).await }).await?;
    let body = report_body(answer);
    if csv {
        return report_csv(&body, "products");
    }
    Ok(axum::Json(body).into_response())
}

/// Gross margins over the periods grouped by product, brand, category, customer (code),
/// salesperson or office: units, revenue, cost of goods issued (moving average at issue), margin
/// and margin rate, with the total; the same figures as `/api/v1/reports/products`. A sales
/// manager sees their own office. CSV as for products.
#[utoipa::path(get, path = "/api/v1/reports/margins", tag = "reports", params(MarginsQuery),
    responses((status = 200, description = "The margins, or their CSV download",
            content((MarginReportBody = "application/json"), (String = "text/csv"))),
        BadRequest, Unauthorized, Forbidden))]
pub async fn margins(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<MarginsQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadReports)?;
    let mut v = Violations::new();
    let csv = wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let message = pb::MarginBreakdownRequest {
        by: query.by.unwrap_or_default(),
        period: query.period.unwrap_or_default(),
        from: query.from.unwrap_or_default(),
        to: query.to.unwrap_or_default(),
        office: office_from_text(query.office.as_deref().unwrap_or_default()),
    };
    let ctx = CallContext::read(&state, &caller);
    let client = margins_client(&state)?;
    let answer = ctx.call(&client, message, |mut c, r| async move { c.margin_breakdown(r).await }).await?;
    let body = report_body(answer);
    if csv {
        return report_csv(&body, &format!("margins-{}", body.by));
    }
    Ok(axum::Json(body).into_response())
}
