//! `POST /api/v1/imports/suppliers`: suppliers from a CSV or XLSX file, every row checked by the
//! import-planning service's own create rules, the new ones written in one transaction or none
//! and those the catalog already has (by code, or by name) left as they are; `dry_run=true`
//! checks and writes nothing. `GET /api/v1/imports/suppliers/template`: the file to fill in.

use std::collections::HashSet;
use std::time::Duration;

use atq_platform::FieldError;
use atq_platform::caller::Action;
use atq_platform::search_text::fold;
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::supplier_imports_client::SupplierImportsClient;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tonic::transport::Channel;
use utoipa::ToSchema;

use super::content_type;
use super::customers::{ImportQuery, RowErrorBody};
use super::sheet::{self, ColumnName, SheetRow};
use super::{SheetTemplate, TemplateQuery};
use crate::auth::AuthUser;
use crate::json_body::read_body;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, PayloadTooLarge, Unprocessable};
use crate::rpc::CallContext;
use crate::state::AppState;

/// The file's columns: the API's field name and the Vietnamese header a template writes first.
pub const COLUMNS: [ColumnName; 8] = [
    ColumnName { key: "code", headers: &["Mã nhà cung cấp", "Mã NCC", "Supplier code"] },
    ColumnName { key: "name", headers: &["Tên nhà cung cấp", "Tên NCC", "Supplier name"] },
    ColumnName { key: "country", headers: &["Quốc gia", "Nước", "Country"] },
    ColumnName { key: "currency", headers: &["Tiền tệ", "Loại tiền", "Currency"] },
    ColumnName {
        key: "lead_time_days",
        headers: &["Thời gian giao hàng (ngày)", "Thời gian giao hàng", "Lead time days"],
    },
    ColumnName { key: "contact_name", headers: &["Người liên hệ", "Contact name"] },
    ColumnName { key: "contact_email", headers: &["Email liên hệ", "Email", "Contact email"] },
    ColumnName { key: "contact_phone", headers: &["Điện thoại liên hệ", "Điện thoại", "Contact phone"] },
];
const REQUIRED: [&str; 4] = ["name", "country", "currency", "lead_time_days"];
/// One example row under the template's header, in the columns' order.
const EXAMPLE: [&str; 8] =
    ["NCC101", "Fann Instrument Company", "US", "USD", "60", "John Miller", "sales@fann.com", "+1 281 871 4482"];
/// A large import takes longer than a single call's default deadline.
const IMPORT_DEADLINE: Duration = Duration::from_secs(300);
/// A 20,000-row import is larger than the default 4 MiB message.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct CreatedSupplierBody {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct PresentSupplierBody {
    /// The spreadsheet row.
    pub row: i32,
    pub id: i64,
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupplierImportBody {
    pub dry_run: bool,
    pub rows_read: i32,
    pub rows_valid: i32,
    /// Every row error (column: code, name, country, currency, lead_time_days, contact_name,
    /// contact_email or contact_phone); with one, nothing is written.
    pub errors: Vec<RowErrorBody>,
    /// The suppliers created, in row order; empty on a dry run.
    pub created: Vec<CreatedSupplierBody>,
    /// Rows whose supplier the catalog already has: left as it is.
    pub already_present: Vec<PresentSupplierBody>,
}

/// A country by its ISO code, or by its Vietnamese name for those ATQ buys from most.
fn country_code(text: &str) -> String {
    let code = match fold(text).as_str() {
        "my" | "hoa ky" => "US",
        "nhat" | "nhat ban" => "JP",
        "duc" => "DE",
        "phap" => "FR",
        "anh" => "GB",
        "y" => "IT",
        "trung quoc" => "CN",
        "han quoc" => "KR",
        "dai loan" => "TW",
        "singapore" => "SG",
        _ => return text.trim().to_ascii_uppercase(),
    };
    code.to_owned()
}

/// A row as the service takes it, and the problems only this reading can see (a lead time that
/// is no number); such a cell is sent as zero, which the service refuses in its own words.
fn request_of(row: &SheetRow, at: &[Option<usize>]) -> (pb::ImportSupplierRow, Vec<FieldError>) {
    let cell = |index: usize| sheet::cell(row, at[index]);
    let mut problems = Vec::new();
    let lead_time_days = match super::products::whole_number(&cell(4)).map(i32::try_from) {
        Some(Ok(days)) => days,
        _ => {
            problems.push(FieldError::new("lead_time_days", "must be a whole number of days"));
            0
        }
    };
    let supplier = pb::CreateSupplierRequest {
        name: cell(1),
        country: country_code(&cell(2)),
        currency: cell(3).trim().to_ascii_uppercase(),
        lead_time_days,
        contact_name: cell(5),
        contact_email: cell(6),
        contact_phone: cell(7),
    };
    (pb::ImportSupplierRow { row: row.row, supplier: Some(supplier), code: cell(0) }, problems)
}

/// The rows as the service takes them and the reading's own row errors; a file without the
/// required columns is a 400.
pub fn import_rows(
    content_type: &str,
    bytes: &[u8],
) -> Result<(Vec<pb::ImportSupplierRow>, Vec<pb::SupplierImportRowError>), Problem> {
    let sheet = sheet::read(content_type, bytes)?;
    let at = sheet::positions(&sheet.header, &COLUMNS, &REQUIRED)?;
    let (mut rows, mut errors) = (Vec::with_capacity(sheet.rows.len()), Vec::new());
    for row in &sheet.rows {
        let (request, problems) = request_of(row, &at);
        let to_error = |p: FieldError| pb::SupplierImportRowError { row: row.row, column: p.field, message: p.message };
        errors.extend(problems.into_iter().map(to_error));
        rows.push(request);
    }
    Ok((rows, errors))
}

fn client(state: &AppState) -> Result<SupplierImportsClient<Channel>, Problem> {
    Ok(SupplierImportsClient::new(state.channel("import-planning")?)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES))
}

/// The reading's row errors added to the service's answer: the service's own word on a cell this
/// reading already refused is left out, and rows are counted once.
fn merge(answer: &mut pb::ImportSuppliersResponse, reading_errors: Vec<pb::SupplierImportRowError>) {
    let refused: HashSet<(i32, String)> = reading_errors.iter().map(|e| (e.row, e.column.clone())).collect();
    let failed_rows: HashSet<i32> = reading_errors.iter().map(|e| e.row).collect();
    let newly_failed = failed_rows.iter().filter(|row| !answer.errors.iter().any(|e| e.row == **row)).count();
    answer.errors.retain(|e| !refused.contains(&(e.row, e.column.clone())));
    answer.rows_valid -= i32::try_from(newly_failed).unwrap_or(0).min(answer.rows_valid);
    answer.errors.extend(reading_errors);
    answer.errors.sort_by_key(|e| e.row);
    answer.already_present.retain(|p| !failed_rows.contains(&p.row));
}

/// Import suppliers from a CSV (UTF-8, UTF-16 with BOM, or Windows-1258) or XLSX file whose header
/// row names the columns in Vietnamese or English: code (the old system's, kept; empty: the next
/// NCC number), name, country (ISO code), currency (ISO 4217), lead_time_days (1 to 365),
/// contact_name, contact_email, contact_phone. A supplier the catalog already has, by code (or by
/// name for a row without a code), is left as it is (`already_present`), so the same file imported
/// twice adds its suppliers once; a code the catalog has under another name is a row error.
/// `dry_run=true` answers every row error and writes nothing; otherwise all new suppliers are
/// created in one transaction, or with any row error none (400 naming `rows[N].column`).
#[utoipa::path(post, path = "/api/v1/imports/suppliers", tag = "catalog", params(ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    request_body(description = "the file", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = SupplierImportBody), BadRequest, Forbidden, PayloadTooLarge, Unprocessable))]
pub async fn import_suppliers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCatalog)?;
    let bytes = read_body(body, sheet::MAX_BYTES, sheet::MAX_BYTES_TEXT).await?;
    let (rows, reading_errors) = import_rows(&content_type(&headers), &bytes)?;
    let dry_run = query.dry_run.unwrap_or(false);
    // With an error found here, the service only checks, so that nothing is written.
    let message = pb::ImportSuppliersRequest { rows, dry_run: dry_run || !reading_errors.is_empty() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let mut answer = ctx
        .call(&client(&state)?, message, |mut c, mut r| async move {
            r.set_timeout(IMPORT_DEADLINE);
            c.import_suppliers(r).await
        })
        .await?;
    if !reading_errors.is_empty() {
        merge(&mut answer, reading_errors);
        if !dry_run {
            let fields =
                answer.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
            return Err(Problem::invalid(fields.collect()));
        }
    }
    Ok(axum::Json(import_body(answer, &headers)).into_response())
}

fn import_body(answer: pb::ImportSuppliersResponse, headers: &HeaderMap) -> SupplierImportBody {
    let english = crate::messages::prefers_english(headers);
    let message = |text: String| if english { text } else { crate::messages::in_vietnamese(&text) };
    SupplierImportBody {
        dry_run: answer.dry_run,
        rows_read: answer.rows_read,
        rows_valid: answer.rows_valid,
        errors: answer
            .errors
            .into_iter()
            .map(|e| RowErrorBody { row: e.row, column: e.column, message: message(e.message) })
            .collect(),
        created: answer
            .created
            .into_iter()
            .map(|s| CreatedSupplierBody { id: s.id, code: s.code, name: s.name })
            .collect(),
        already_present: answer
            .already_present
            .into_iter()
            .map(|p| PresentSupplierBody { row: p.row, id: p.id, code: p.code })
            .collect(),
    }
}

/// The supplier import template: the header row in Vietnamese and one example row.
#[utoipa::path(get, path = "/api/v1/imports/suppliers/template", tag = "catalog", params(TemplateQuery),
    responses((status = 200, description = "The template", content((String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), BadRequest, Forbidden))]
pub async fn supplier_template(
    AuthUser(caller): AuthUser,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCatalog)?;
    let headers: Vec<&'static str> = COLUMNS.iter().map(|c| c.headers[0]).collect();
    SUPPLIER_TEMPLATE.answer(query.format.as_deref(), &headers, &EXAMPLE)
}

const SUPPLIER_TEMPLATE: SheetTemplate = SheetTemplate {
    file_stem: "mau-nhap-nha-cung-cap",
    sheet_name: "Nha cung cap",
    title: "Mẫu nhập nhà cung cấp",
    subject: "Một dòng cho mỗi nhà cung cấp",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_row_reads_back_as_the_create_request() {
        let header: Vec<&str> = COLUMNS.iter().map(|c| c.headers[0]).collect();
        let csv = format!("{}\n{}\n", header.join(","), EXAMPLE.join(","));
        let (rows, errors) = import_rows("text/csv", csv.as_bytes()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let supplier = rows[0].supplier.clone().unwrap();
        assert_eq!((rows[0].row, rows[0].code.as_str()), (2, "NCC101"));
        assert_eq!((supplier.country.as_str(), supplier.currency.as_str(), supplier.lead_time_days), ("US", "USD", 60));
    }

    #[test]
    fn vietnamese_country_names_and_a_lead_time_that_is_no_number() {
        let csv = "Tên nhà cung cấp,Quốc gia,Tiền tệ,Thời gian giao hàng\nTokyo Keiki,Nhật Bản,jpy,hai tháng\n";
        let (rows, errors) = import_rows("text/csv", csv.as_bytes()).unwrap();
        assert_eq!(rows[0].supplier.as_ref().map(|s| s.country.as_str()), Some("JP"));
        let columns: Vec<(i32, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(columns, [(2, "lead_time_days")]);
        assert!(import_rows("text/csv", b"name,country\nA,US\n").is_err());
    }
}
