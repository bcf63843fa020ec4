//! The sheet in force today, as JSON or downloaded for Excel (CSV or a workbook).

use atq_platform::caller::Action;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet, day_text, rate_text, record_response};

use super::PriceListBody;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct CurrentQuery {
    /// A customer group (individual, dealer or project) or a dealer tier (distributor, tier1 or
    /// tier2; no lines when the sheet does not price that tier); every column when absent
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
    responses((status = 200, description = "JSON by default; with `format=csv` UTF-8 CSV; with `format=xlsx` one \
            sheet, header row in Vietnamese, prices in VND",
        content((PriceListBody = "application/json"), (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        BadRequest, NotFound))]
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
        Format::Csv | Format::Json => ("text/csv; charset=utf-8", "csv", sheet_csv(&list, group)?),
    };
    let headers = [
        (header::CONTENT_TYPE, content_type.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"bang-bao-gia-{name}.{extension}\"")),
    ];
    Ok((headers, body).into_response())
}

/// Without a group the sheet holds every group, so each row says which.
fn sheet_csv(list: &pb::PriceList, group: &str) -> Result<Vec<u8>, Problem> {
    let all_groups = group.is_empty();
    let columns = ["model_code", "name_vi", "brand", "category", "unit", "price_net", "vat_rate", "price_gross"];
    let header: Vec<&str> = all_groups.then_some("customer_group").into_iter().chain(columns).collect();
    let mut sheet = CsvSheet::new(CsvLayout::Excel, &header)?;
    for line in &list.lines {
        let fields = [
            line.model_code.clone(),
            line.name_vi.clone(),
            line.brand.clone(),
            line.category.clone(),
            line.unit.clone(),
            line.price_net.to_string(),
            rate_text(line.vat_rate_bp),
            line.price_gross.to_string(),
        ];
        sheet.row(all_groups.then(|| line.customer_group.clone()).into_iter().chain(fields))?;
    }
    sheet.into_bytes()
}

/// The CSV's columns and rows as a workbook, headed in Vietnamese for the people who open it.
fn sheet_xlsx(list: &pb::PriceList, group: &str) -> Result<Vec<u8>, Problem> {
    use crate::xlsx::{Cell, Column, Kind, Table};
    let all_groups = group.is_empty();
    let group_column = Column { header: "Nhóm khách hàng / hạng đại lý", kind: Kind::Text };
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
    let who =
        if all_groups { "mọi nhóm khách hàng và hạng đại lý".to_owned() } else { format!("cột {group}") };
    let subject = format!("Giá cho {who}, hiệu lực từ {}", day_text(list.effective_on.as_ref()));
    let table = Table { sheet_name: "Bang bao gia", title: &title, subject: &subject, columns: &columns, rows: &rows };
    crate::xlsx::workbook_bytes(&table).map_err(|e| {
        Problem::from(atq_platform::Error::Internal(anyhow::Error::new(e).context("writing the price sheet workbook")))
    })
}
