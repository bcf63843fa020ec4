//! `/api/v1/price-lists`: the price quote sheet (bảng báo giá) — selling prices per product and
//! customer group, drafted from costs, compared with the published version, published; the
//! current sheet for everyone (sales quote from it), costs and margins only for those who may
//! read costs.

use std::collections::BTreeMap;

use atq_platform::business_time::{date_to_proto, parse_local_date};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::common::v1::LocalDate;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::{Problem, ProblemBody};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, csv_field, page, rate_text, record_response, rfc3339, version_if_sent};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_price_list, list_price_lists))
        .routes(routes!(current_price_list))
        .routes(routes!(get_price_list))
        .routes(routes!(price_list_changes))
        .routes(routes!(publish_price_list))
}

fn day_text(date: Option<&LocalDate>) -> String {
    crate::wire::date_text(date).unwrap_or_default()
}

/// "0.35" -> 3500, "1.5" -> 15000, "-0.1" -> -1000 (the service refuses it as negative).
fn margin_bp_from_text(text: &str) -> Result<i32, String> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 4 || !plain(whole) || fraction.len() > 4 || !plain(fraction) {
        return Err("must be a decimal fraction with up to 4 places, such as \"0.25\"".into());
    }
    let whole: i32 = whole.parse().map_err(|_| "is too large".to_owned())?;
    let fraction: i32 = format!("{fraction:0<4}").parse().unwrap_or_default();
    let bp = whole.saturating_mul(10_000).saturating_add(fraction);
    Ok(if negative { -bp } else { bp })
}

/// 3500 -> "0.35", 15000 -> "1.50".
fn margin_text(bp: i32) -> String {
    let (whole, fraction) = (bp / 10_000, bp % 10_000);
    let whole_text = rate_text(fraction);
    format!("{whole}{}", whole_text.trim_start_matches('0'))
}

/// A change as a fraction x 10,000 -> ("0.1018", "10.18").
fn change_texts(e4: i64) -> (String, String) {
    let sign = if e4 < 0 { "-" } else { "" };
    let abs = e4.unsigned_abs();
    (format!("{sign}{}.{:04}", abs / 10_000, abs % 10_000), format!("{sign}{}.{:02}", abs / 100, abs % 100))
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CostIn {
    pub product_id: i64,
    /// VND per unit
    pub unit_cost: i64,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PriceListIn {
    /// YYYY-MM-DD, local
    pub effective_on: String,
    /// Prices are rounded half up to a multiple of this, VND (e.g. 1000)
    pub rounding_step: i64,
    /// One margin on top of cost per customer group: `{"individual": "0.35", "dealer": "0.20",
    /// "project": "0.25"}`
    pub margins: BTreeMap<String, String>,
    /// Costs to use; for other products the warehouse's moving-average cost, else the list price
    pub costs: Vec<CostIn>,
    /// The products to price; the whole catalog when absent
    pub product_ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PriceLineBody {
    pub product_id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub brand: String,
    pub category: String,
    pub unit: String,
    pub customer_group: String,
    /// VND per unit; absent for callers who may not read costs
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<i64>,
    /// given, average_cost or list_price
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_basis: Option<String>,
    /// "0.35" on top of cost
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<String>,
    /// Without VAT, VND
    pub price_net: i64,
    pub vat_rate: String,
    /// With VAT, VND
    pub price_gross: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PriceListBody {
    pub id: i64,
    /// BBG-2026-001
    pub number: String,
    /// draft or published
    pub status: String,
    pub effective_on: String,
    /// The published version in force today
    pub current: bool,
    pub rounding_step: i64,
    /// Per customer group; absent for callers who may not read costs
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margins: Option<BTreeMap<String, String>>,
    pub lines: Vec<PriceLineBody>,
    pub created_by: String,
    pub created_at: String,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

impl From<pb::PriceList> for PriceListBody {
    fn from(l: pb::PriceList) -> Self {
        let shown = l.costs_shown;
        PriceListBody {
            id: l.id,
            number: l.number,
            status: l.status,
            effective_on: day_text(l.effective_on.as_ref()),
            current: l.current,
            rounding_step: l.rounding_step,
            margins: shown
                .then(|| l.margins.into_iter().map(|m| (m.customer_group, margin_text(m.margin_bp))).collect()),
            lines: l
                .lines
                .into_iter()
                .map(|x| PriceLineBody {
                    product_id: x.product_id,
                    model_code: x.model_code,
                    name_vi: x.name_vi,
                    brand: x.brand,
                    category: x.category,
                    unit: x.unit,
                    customer_group: x.customer_group,
                    unit_cost: shown.then_some(x.unit_cost),
                    cost_basis: shown.then_some(x.cost_basis),
                    margin: shown.then(|| margin_text(x.margin_bp)),
                    price_net: x.price_net,
                    vat_rate: rate_text(x.vat_rate_bp),
                    price_gross: x.price_gross,
                })
                .collect(),
            created_by: l.created_by,
            created_at: rfc3339(l.created_at.as_ref()),
            published_by: (!l.published_by.is_empty()).then_some(l.published_by),
            published_at: l.published_at.as_ref().map(|t| rfc3339(Some(t))),
            version: l.version,
            updated_at: rfc3339(l.updated_at.as_ref()),
        }
    }
}

fn list_response(status: StatusCode, list: pb::PriceList) -> Response {
    let (id, version) = (list.id, list.version);
    record_response(status, PriceListBody::from(list), version, &format!("/api/v1/price-lists/{id}"))
}

/// Draft a new version of the price sheet: for each product (all, or `product_ids`) and customer
/// group, cost x (1 + the group's margin) rounded half up to `rounding_step`, with and without
/// VAT. Each line says which cost it used: `given`, `average_cost` (the warehouse's moving
/// average) or `list_price`.
#[utoipa::path(post, path = "/api/v1/price-lists", tag = "import costing", request_body = PriceListIn,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = PriceListBody), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn create_price_list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<PriceListIn>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRates)?;
    let mut v = Violations::new();
    let effective_on = match body.effective_on.trim() {
        "" => {
            v.add("effective_on", "is required");
            None
        }
        text => v.check("effective_on", parse_local_date(text)).map(date_to_proto),
    };
    let mut margins = Vec::new();
    for (group, text) in &body.margins {
        if let Some(margin_bp) = v.check(&format!("margins.{group}"), margin_bp_from_text(text)) {
            margins.push(pb::GroupMargin { customer_group: group.clone(), margin_bp });
        }
    }
    v.finish()?;
    let message = pb::CreatePriceListRequest {
        effective_on,
        rounding_step: body.rounding_step,
        margins,
        costs: body
            .costs
            .into_iter()
            .map(|c| pb::ProductCost { product_id: c.product_id, unit_cost: c.unit_cost })
            .collect(),
        product_ids: body.product_ids,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let list = ctx.call(&state.price_lists, message, |mut c, r| async move { c.create_price_list(r).await }).await?;
    Ok(list_response(StatusCode::CREATED, list))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PriceListQuery {
    /// draft or published
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Price sheet versions (without their lines), oldest first.
#[utoipa::path(get, path = "/api/v1/price-lists", tag = "import costing", params(PriceListQuery),
    responses((status = 200, body = ListBody<PriceListBody>), (status = 400, body = ProblemBody), (status = 403, body = ProblemBody)))]
pub async fn list_price_lists(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PriceListQuery>,
) -> Result<axum::Json<ListBody<PriceListBody>>, Problem> {
    caller.require(Action::ReadCosts)?;
    let message = pb::ListPriceListsRequest {
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.price_lists, message, |mut c, r| async move { c.list_price_lists(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(PriceListBody::from).collect(), page.next_cursor)))
}

/// One version with its lines and ETag.
#[utoipa::path(get, path = "/api/v1/price-lists/{id}", tag = "import costing", params(("id" = i64, Path)),
    responses((status = 200, body = PriceListBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn get_price_list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCosts)?;
    let ctx = CallContext::read(&state, &caller);
    let list = ctx
        .call(&state.price_lists, pb::GetPriceListRequest { id }, |mut c, r| async move { c.get_price_list(r).await })
        .await?;
    Ok(list_response(StatusCode::OK, list))
}

#[derive(Serialize, ToSchema)]
pub struct PriceChangeBody {
    pub product_id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub customer_group: String,
    /// changed, unchanged, new or dropped
    pub change: String,
    /// Net prices, VND: old from the published version in force, new from this one
    pub old_price: Option<i64>,
    pub new_price: Option<i64>,
    pub difference: Option<i64>,
    /// difference / old price: "0.1018"
    pub change_rate: Option<String>,
    /// The same in percent: "10.18"
    pub percent_change: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PriceChangesBody {
    pub id: i64,
    pub number: String,
    /// The published version in force today that this one is compared with
    pub against_id: Option<i64>,
    pub against_number: Option<String>,
    pub items: Vec<PriceChangeBody>,
    /// Products priced here and not in the published version
    pub new_products: Vec<i64>,
    /// Products in the published version and not here
    pub dropped_products: Vec<i64>,
}

/// What this version changes against the published version in force today, per product and
/// customer group (net prices).
#[utoipa::path(get, path = "/api/v1/price-lists/{id}/changes", tag = "import costing", params(("id" = i64, Path)),
    responses((status = 200, body = PriceChangesBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn price_list_changes(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<PriceChangesBody>, Problem> {
    caller.require(Action::ReadCosts)?;
    let ctx = CallContext::read(&state, &caller);
    let c = ctx
        .call(&state.price_lists, pb::GetPriceListRequest { id }, |mut c, r| async move {
            c.get_price_list_changes(r).await
        })
        .await?;
    let items = c
        .items
        .into_iter()
        .map(|i| {
            let both = i.change == "changed" || i.change == "unchanged";
            let (rate, percent) = change_texts(i.change_e4);
            PriceChangeBody {
                product_id: i.product_id,
                model_code: i.model_code,
                name_vi: i.name_vi,
                customer_group: i.customer_group,
                old_price: (i.change != "new").then_some(i.old_price),
                new_price: (i.change != "dropped").then_some(i.new_price),
                difference: both.then_some(i.difference),
                change_rate: both.then_some(rate),
                percent_change: both.then_some(percent),
                change: i.change,
            }
        })
        .collect();
    Ok(axum::Json(PriceChangesBody {
        id: c.id,
        number: c.number,
        against_id: (c.against_id > 0).then_some(c.against_id),
        against_number: (!c.against_number.is_empty()).then_some(c.against_number),
        items,
        new_products: c.new_products,
        dropped_products: c.dropped_products,
    }))
}

/// Publish a draft: it becomes the current sheet from its effective date (the latest published
/// version in force wins). Publishing a published version changes nothing. `If-Match` optional.
#[utoipa::path(post, path = "/api/v1/price-lists/{id}/publish", tag = "import costing",
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = PriceListBody), (status = 403, body = ProblemBody), (status = 404, body = ProblemBody),
        (status = 412, body = ProblemBody)))]
pub async fn publish_price_list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::WriteRates)?;
    let expected = version_if_sent(&headers)?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let message = pb::PublishPriceListRequest { id, expected_version: expected };
    let list = ctx.call(&state.price_lists, message, |mut c, r| async move { c.publish_price_list(r).await }).await?;
    Ok(list_response(StatusCode::OK, list))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CurrentQuery {
    /// individual, dealer or project; every group when absent
    pub group: Option<String>,
    /// json (default), csv (UTF-8 with BOM, for Excel) or xlsx (an Excel workbook)
    pub format: Option<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

/// The price sheet in force today (the latest published version whose effective date has come),
/// for one customer group. Everyone may read it; cost, basis and margins only those who may read
/// costs. `?format=csv` or `?format=xlsx` downloads it for Excel, the same columns and rows in
/// both.
#[utoipa::path(get, path = "/api/v1/price-lists/current", tag = "import costing", params(CurrentQuery),
    responses((status = 200, body = PriceListBody), (status = 200, content_type = "text/csv", body = String),
        (status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            body = Vec<u8>, description = "With `format=xlsx`: one sheet, header row in Vietnamese, prices in VND"),
        (status = 400, body = ProblemBody), (status = 404, body = ProblemBody)))]
pub async fn current_price_list(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<CurrentQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCatalog)?;
    let format = match query.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(_) => return Err(Problem::field("format", "must be json, csv or xlsx")),
    };
    let group = query.group.unwrap_or_default();
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetCurrentPriceListRequest { customer_group: group.clone(), product_ids: Vec::new() };
    let list =
        ctx.call(&state.price_lists, message, |mut c, r| async move { c.get_current_price_list(r).await }).await?;
    if format == Format::Json {
        let (id, version) = (list.id, list.version);
        return Ok(record_response(
            StatusCode::OK,
            PriceListBody::from(list),
            version,
            &format!("/api/v1/price-lists/{id}"),
        ));
    }
    let group = group.trim();
    let name = if group.is_empty() { list.number.clone() } else { format!("{}-{group}", list.number) };
    let (content_type, extension, body) = match format {
        Format::Xlsx => (crate::xlsx::CONTENT_TYPE, "xlsx", sheet_xlsx(&list, group)?),
        Format::Csv | Format::Json => ("text/csv; charset=utf-8", "csv", sheet_csv(&list, group).into_bytes()),
    };
    let headers = [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"bang-bao-gia-{name}.{extension}\"")),
    ];
    Ok((headers, body).into_response())
}

/// Without a group the sheet holds every group, so each row says which.
fn sheet_csv(list: &pb::PriceList, group: &str) -> String {
    let all_groups = group.is_empty();
    let mut text = String::from("\u{feff}");
    if all_groups {
        text.push_str("customer_group,");
    }
    text.push_str("model_code,name_vi,brand,category,unit,price_net,vat_rate,price_gross\r\n");
    for line in &list.lines {
        if all_groups {
            text.push_str(&line.customer_group);
            text.push(',');
        }
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{}\r\n",
            csv_field(&line.model_code),
            csv_field(&line.name_vi),
            csv_field(&line.brand),
            csv_field(&line.category),
            csv_field(&line.unit),
            line.price_net,
            rate_text(line.vat_rate_bp),
            line.price_gross
        ));
    }
    text
}

/// The CSV's columns and rows as a workbook, headed in Vietnamese for the people who open it.
fn sheet_xlsx(list: &pb::PriceList, group: &str) -> Result<Vec<u8>, Problem> {
    use crate::xlsx::{Cell, Column, Kind, Table};
    let all_groups = group.is_empty();
    let group_column = Column { header: "Nhóm khách hàng", kind: Kind::Text };
    let columns: Vec<Column> = all_groups
        .then_some(group_column)
        .into_iter()
        .chain([
            Column { header: "Mã model", kind: Kind::Text },
            Column { header: "Tên hàng", kind: Kind::Text },
            Column { header: "Hãng", kind: Kind::Text },
            Column { header: "Loại", kind: Kind::Text },
            Column { header: "Đơn vị", kind: Kind::Text },
            Column { header: "Giá chưa VAT (VND)", kind: Kind::Money },
            Column { header: "Thuế suất VAT", kind: Kind::Fraction },
            Column { header: "Giá có VAT (VND)", kind: Kind::Money },
        ])
        .collect();
    let rows: Vec<Vec<Cell>> = list
        .lines
        .iter()
        .map(|line| {
            all_groups
                .then(|| Cell::Text(line.customer_group.clone()))
                .into_iter()
                .chain([
                    Cell::Text(line.model_code.clone()),
                    Cell::Text(line.name_vi.clone()),
                    Cell::Text(line.brand.clone()),
                    Cell::Text(line.category.clone()),
                    Cell::Text(line.unit.clone()),
                    Cell::Integer(line.price_net),
                    // Clamped as rate_text clamps it, so both exports show the same rate.
                    Cell::Number(f64::from(line.vat_rate_bp.clamp(0, 9999)) / 10_000.0),
                    Cell::Integer(line.price_gross),
                ])
                .collect()
        })
        .collect();
    let title = format!("Bảng báo giá {}", list.number);
    let who = if all_groups { "mọi nhóm khách hàng".to_owned() } else { format!("nhóm khách hàng {group}") };
    let subject = format!("Giá cho {who}, hiệu lực từ {}", day_text(list.effective_on.as_ref()));
    let table = Table { sheet_name: "Bang bao gia", title: &title, subject: &subject, columns: &columns, rows: &rows };
    crate::xlsx::workbook_bytes(&table).map_err(|e| {
        Problem::from(atq_platform::Error::Internal(anyhow::Error::new(e).context("writing the price sheet workbook")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_travel_as_decimal_text() {
        assert_eq!(margin_bp_from_text("0.35"), Ok(3500));
        assert_eq!(margin_bp_from_text("1.5"), Ok(15_000));
        assert_eq!(margin_bp_from_text("-0.1"), Ok(-1000));
        assert_eq!(margin_bp_from_text("0"), Ok(0));
        assert!(margin_bp_from_text("abc").is_err());
        assert!(margin_bp_from_text("0.12345").is_err());
        assert_eq!(margin_text(3500), "0.35");
        assert_eq!(margin_text(2000), "0.20");
        assert_eq!(margin_text(15_000), "1.50");
        assert_eq!(margin_text(1234), "0.1234");
        assert_eq!(change_texts(1018), ("0.1018".to_owned(), "10.18".to_owned()));
        assert_eq!(change_texts(-924), ("-0.0924".to_owned(), "-9.24".to_owned()));
    }
}
