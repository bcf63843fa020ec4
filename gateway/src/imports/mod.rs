//! `/api/v1/imports/...`: records brought in from spreadsheets (CSV or XLSX), with a dry run that
//! checks every row and writes nothing, and the template to fill in.

pub mod customers;
pub mod products;
pub mod receivables;
pub mod sheet;
pub mod stock;
pub mod suppliers;
pub mod tcvn3;

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

/// The upload's content type in lower case (`text/csv`, the XLSX type), which tells the sheet
/// reader how to read the body; empty when the client sent none.
fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase()
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customers::import_customers))
        .routes(routes!(customer_template))
        .routes(routes!(products::import_products))
        .routes(routes!(products::product_template))
        .routes(routes!(stock::import_stock))
        .routes(routes!(stock::stock_template))
        .routes(routes!(suppliers::import_suppliers))
        .routes(routes!(suppliers::supplier_template))
        .routes(routes!(receivables::import_receivables))
        .routes(routes!(receivables::receivable_template))
}

/// One example row under the template's header, in the columns' order.
const EXAMPLE: [&str; 12] = [
    "Công ty TNHH Thiết bị Khoa học An Phát",
    "Đại lý",
    "024 3825 1234",
    "lienhe@anphat.vn",
    "12 Tràng Tiền, Hoàn Kiếm, Hà Nội",
    "HN",
    "0109876543",
    "",
    "Trần Thị Hoa",
    "Kế toán trưởng",
    "0912 000 111",
    "hoa.tran@anphat.vn",
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
    CUSTOMER_TEMPLATE.answer(query.format.as_deref(), &headers, &EXAMPLE)
}

const CUSTOMER_TEMPLATE: SheetTemplate = SheetTemplate {
    file_stem: "mau-nhap-khach-hang",
    sheet_name: "Khach hang",
    title: "Mẫu nhập khách hàng",
    subject: "Một dòng cho mỗi khách hàng",
};

/// An import's template file: a header row in Vietnamese and one example row, as CSV (laid out
/// for Excel) or XLSX; what sets one import's file apart is named here.
pub struct SheetTemplate {
    /// The downloaded file's name without its extension.
    pub file_stem: &'static str,
    /// The XLSX sheet's name (Excel forbids some characters; kept plain ASCII).
    pub sheet_name: &'static str,
    pub title: &'static str,
    pub subject: &'static str,
}

impl SheetTemplate {
    /// The template in the asked `format` (csv when none is asked).
    pub fn answer(
        &self,
        format: Option<&str>,
        headers: &[&'static str],
        example: &[&str],
    ) -> Result<Response, Problem> {
        match format.map(str::trim).unwrap_or("csv") {
            "" | "csv" => {
                let mut sheet = CsvSheet::new(CsvLayout::Excel, headers)?;
                sheet.row(example)?;
                sheet.attachment(&format!("{}.csv", self.file_stem))
            }
            "xlsx" => self.xlsx(headers, example),
            _ => Err(Problem::field("format", "must be csv or xlsx")),
        }
    }

    fn xlsx(&self, headers: &[&'static str], example: &[&str]) -> Result<Response, Problem> {
        let columns: Vec<Column> = headers.iter().map(|&header| Column { header, kind: Kind::Text }).collect();
        let rows = vec![example.iter().map(|text| Cell::Text((*text).to_owned())).collect()];
        let table = Table {
            sheet_name: self.sheet_name,
            title: self.title,
            subject: self.subject,
            columns: &columns,
            rows: &rows,
        };
        let bytes = crate::xlsx::workbook_bytes(&table).map_err(|e| {
            Problem::from(atq_platform::Error::Internal(anyhow::Error::new(e).context("writing the import template")))
        })?;
        let headers = [
            (header::CONTENT_TYPE, crate::xlsx::CONTENT_TYPE.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.xlsx\"", self.file_stem)),
        ];
        Ok((StatusCode::OK, headers, bytes).into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disposition(answer: &Response) -> &str {
        answer.headers().get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    #[test]
    fn the_template_is_named_by_its_import_in_either_format() {
        let headers = ["ten", "dien_thoai"];
        let csv = CUSTOMER_TEMPLATE.answer(None, &headers, &["An Phát", "024"]).unwrap();
        assert_eq!(disposition(&csv), "attachment; filename=\"mau-nhap-khach-hang.csv\"");
        let xlsx = CUSTOMER_TEMPLATE.answer(Some(" xlsx "), &headers, &["An Phát", "024"]).unwrap();
        assert_eq!(disposition(&xlsx), "attachment; filename=\"mau-nhap-khach-hang.xlsx\"");
        let content_type = xlsx.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        assert_eq!(content_type, Some(crate::xlsx::CONTENT_TYPE));
        let refused = CUSTOMER_TEMPLATE.answer(Some("pdf"), &headers, &[]).unwrap_err();
        assert_eq!((refused.status, refused.errors[0].field.as_str()), (StatusCode::BAD_REQUEST, "format"));
    }
}
