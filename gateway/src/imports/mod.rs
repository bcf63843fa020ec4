//! `/api/v1/imports/...`: records brought in from spreadsheets (CSV or XLSX), with a dry run that
//! checks every row and writes nothing, and the template to fill in.

pub mod customers;
pub mod sheet;

use atq_platform::caller::Action;
use axum::extract::Query;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::BadRequest;
use crate::state::AppState;
use crate::wire::{CsvLayout, CsvSheet};
use crate::xlsx::{Cell, Column, Kind, Table};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(customers::import_customers)).routes(routes!(customer_template))
}

/// One example row under the template's header, in the columns' order.
const EXAMPLE: [&str; 8] = [
    "Công ty TNHH Thiết bị Khoa học An Phát",
    "Đại lý",
    "024 3825 1234",
    "lienhe@anphat.vn",
    "12 Tràng Tiền, Hoàn Kiếm, Hà Nội",
    "HN",
    "0109876543",
    "",
];

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct TemplateQuery {
    /// csv (default) or xlsx
    pub format: Option<String>,
}

/// The customer import template: the header row in Vietnamese and one example row.
#[utoipa::path(get, path = "/api/v1/imports/customers/template", tag = "customers", params(TemplateQuery),
    responses((status = 200, description = "The template", content((String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), BadRequest))]
pub async fn customer_template(
    AuthUser(caller): AuthUser,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let headers: Vec<&'static str> = customers::COLUMNS.iter().map(|c| c.headers[0]).collect();
    match query.format.as_deref().map(str::trim).unwrap_or("csv") {
        "" | "csv" => {
            let mut sheet = CsvSheet::new(CsvLayout::Excel, &headers)?;
            sheet.row(EXAMPLE)?;
            sheet.attachment("mau-nhap-khach-hang.csv")
        }
        "xlsx" => template_xlsx(&headers),
        _ => Err(Problem::field("format", "must be csv or xlsx")),
    }
}

fn template_xlsx(headers: &[&'static str]) -> Result<Response, Problem> {
    let columns: Vec<Column> = headers.iter().map(|&header| Column { header, kind: Kind::Text }).collect();
    let rows = vec![EXAMPLE.iter().map(|text| Cell::Text((*text).to_owned())).collect()];
    let table = Table {
        sheet_name: "Khach hang",
        title: "Mẫu nhập khách hàng",
        subject: "Một dòng cho mỗi khách hàng",
        columns: &columns,
        rows: &rows,
    };
    let bytes = crate::xlsx::workbook_bytes(&table).map_err(|e| {
        Problem::from(atq_platform::Error::Internal(anyhow::Error::new(e).context("writing the import template")))
    })?;
    let headers = [
        (header::CONTENT_TYPE, crate::xlsx::CONTENT_TYPE.to_owned()),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"mau-nhap-khach-hang.xlsx\"".to_owned()),
    ];
    Ok((StatusCode::OK, headers, bytes).into_response())
}
