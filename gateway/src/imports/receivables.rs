//! `POST /api/v1/imports/receivables`: opening receivables from a CSV or XLSX file, the invoices
//! the old system left open, checked and written by the accounting-warehouse service (each an
//! invoice under its old number, debit 131 against capital 411) in one transaction or none;
//! `dry_run=true` checks and writes nothing. `GET /api/v1/imports/receivables/template`: the file.

use std::collections::HashSet;
use std::time::Duration;

use atq_platform::FieldError;
use atq_platform::business_time::date_to_proto;
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::receivable_imports_client::ReceivableImportsClient;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Days, NaiveDate};
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
pub const COLUMNS: [ColumnName; 6] = [
    ColumnName { key: "customer_code", headers: &["Mã khách hàng", "Mã KH", "Customer code"] },
    ColumnName { key: "invoice_number", headers: &["Số hóa đơn", "Số HĐ", "Invoice number"] },
    ColumnName { key: "invoice_date", headers: &["Ngày hóa đơn", "Ngày HĐ", "Invoice date"] },
    ColumnName { key: "due_date", headers: &["Hạn thanh toán", "Ngày đến hạn", "Due date"] },
    ColumnName { key: "amount", headers: &["Số tiền (gồm VAT)", "Số tiền", "Amount"] },
    ColumnName { key: "paid", headers: &["Đã thanh toán", "Đã trả", "Paid"] },
];
const REQUIRED: [&str; 5] = ["customer_code", "invoice_number", "invoice_date", "due_date", "amount"];
/// One example row under the template's header, in the columns' order.
const EXAMPLE: [&str; 6] = ["KH000001", "0001234", "15/01/2026", "14/02/2026", "110000000", "10000000"];
/// A large import takes longer than a single call's default deadline.
const IMPORT_DEADLINE: Duration = Duration::from_secs(300);
/// A 20,000-row import is larger than the default 4 MiB message.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
/// Day 0 of Excel's date numbers (as Excel counts, with its 1900 leap day).
const EXCEL_EPOCH: NaiveDate = NaiveDate::from_ymd_opt(1899, 12, 30).expect("a calendar date");

#[derive(Serialize, ToSchema)]
pub struct OpeningReceivableBody {
    /// The spreadsheet row.
    pub row: i32,
    /// The invoice's id.
    pub id: i64,
    pub invoice_number: String,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    /// VND with VAT.
    pub amount: i64,
    /// VND already paid.
    pub paid: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ReceivableImportBody {
    pub dry_run: bool,
    pub rows_read: i32,
    pub rows_valid: i32,
    /// Every row error (column: customer_code, invoice_number, invoice_date, due_date, amount or
    /// paid); with one, nothing is written.
    pub errors: Vec<RowErrorBody>,
    /// The invoices created, in row order; empty on a dry run.
    pub created: Vec<OpeningReceivableBody>,
    /// Rows whose old invoice number was imported before with the same figures: nothing written.
    pub already_present: Vec<OpeningReceivableBody>,
    /// VND the new rows add to receivables (amount less paid), or would add on a dry run.
    pub open_amount: i64,
}

/// A date as people and Excel write it: 15/01/2026, 15-01-2026, 15.01.2026, 2026-01-15, or the
/// day number Excel keeps a date cell as.
fn date_of(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Ok(serial) = text.parse::<f64>() {
        let days = serial.trunc();
        return ((1.0..=100_000.0).contains(&days)).then(|| EXCEL_EPOCH.checked_add_days(Days::new(days as u64)))?;
    }
    ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"].iter().find_map(|f| NaiveDate::parse_from_str(text, f).ok())
}

/// A row as the service takes it, and the problems only this reading can see (a date or a number
/// that is none); such a cell is sent empty or zero.
fn request_of(row: &SheetRow, at: &[Option<usize>]) -> (pb::ImportReceivableRow, Vec<FieldError>) {
    let cell = |index: usize| sheet::cell(row, at[index]);
    let mut problems = Vec::new();
    let mut date = |index: usize, field: &str| {
        let text = cell(index);
        if text.trim().is_empty() {
            return None;
        }
        let parsed = date_of(&text).map(date_to_proto);
        if parsed.is_none() {
            problems.push(FieldError::new(field, "must be a date like 15/01/2026 or 2026-01-15"));
        }
        parsed
    };
    let (invoice_date, due_date) = (date(2, "invoice_date"), date(3, "due_date"));
    let mut amount = |index: usize, field: &str| match cell(index).trim() {
        "" => 0,
        text => super::products::whole_number(text).unwrap_or_else(|| {
            problems.push(FieldError::new(field, "must be a whole number of đồng, e.g. 110000000"));
            0
        }),
    };
    let (amount, paid) = (amount(4, "amount"), amount(5, "paid"));
    let receivable = pb::ImportReceivableRow {
        row: row.row,
        customer_code: cell(0),
        invoice_number: cell(1),
        invoice_date,
        due_date,
        amount,
        paid,
    };
    (receivable, problems)
}

/// The rows as the service takes them and the reading's own row errors; a file without the
/// required columns is a 400.
pub fn import_rows(
    content_type: &str,
    bytes: &[u8],
) -> Result<(Vec<pb::ImportReceivableRow>, Vec<pb::ReceivableImportRowError>), Problem> {
    let sheet = sheet::read(content_type, bytes)?;
    let at = sheet::positions(&sheet.header, &COLUMNS, &REQUIRED)?;
    let (mut rows, mut errors) = (Vec::with_capacity(sheet.rows.len()), Vec::new());
    for row in &sheet.rows {
        let (request, problems) = request_of(row, &at);
        let to_error =
            |p: FieldError| pb::ReceivableImportRowError { row: row.row, column: p.field, message: p.message };
        errors.extend(problems.into_iter().map(to_error));
        rows.push(request);
    }
    Ok((rows, errors))
}

fn client(state: &AppState) -> Result<ReceivableImportsClient<Channel>, Problem> {
    Ok(ReceivableImportsClient::new(state.channel("accounting-warehouse")?)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES))
}

/// The reading's row errors added to the service's answer: the service's own word on a cell this
/// reading already refused (a date it could not read is "required" there) is left out, and rows
/// are counted once.
fn merge(answer: &mut pb::ImportReceivablesResponse, reading_errors: Vec<pb::ReceivableImportRowError>) {
    let refused: HashSet<(i32, String)> = reading_errors.iter().map(|e| (e.row, e.column.clone())).collect();
    let failed_rows: HashSet<i32> = reading_errors.iter().map(|e| e.row).collect();
    let newly_failed = failed_rows.iter().filter(|row| !answer.errors.iter().any(|e| e.row == **row)).count();
    answer.errors.retain(|e| !refused.contains(&(e.row, e.column.clone())));
    answer.rows_valid -= i32::try_from(newly_failed).unwrap_or(0).min(answer.rows_valid);
    answer.errors.extend(reading_errors);
    answer.errors.sort_by_key(|e| e.row);
    answer.already_present.retain(|p| !failed_rows.contains(&p.row));
}

/// Import opening receivables, the invoices the old system left open, from a CSV (UTF-8, UTF-16
/// with BOM, or Windows-1258) or XLSX file whose header row names the columns in Vietnamese or
/// English: customer_code (a customer sales has), invoice_number (the old number, up to 40
/// characters), invoice_date (not in the future), due_date (not before it), amount (VND with VAT,
/// 1 to 10^15), paid (VND already paid, 0 to the amount). Each row becomes an invoice under its old
/// number, posted debit 131 against capital 411, with what was paid as a payment against it, so
/// balances, aging and the credit check count what is still owed. An old number imported before
/// with the same figures is left as it is (`already_present`); with other figures it is a row
/// error. `dry_run=true` answers every row error and writes nothing; otherwise all rows are
/// written in one transaction, or with any row error none (400 naming `rows[N].column`).
#[utoipa::path(post, path = "/api/v1/imports/receivables", tag = "accounting", params(ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    request_body(description = "the file", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ReceivableImportBody), BadRequest, Forbidden, PayloadTooLarge, Unprocessable))]
pub async fn import_receivables(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    caller.require(Action::WriteAccounts)?;
    let bytes = read_body(body, sheet::MAX_BYTES, sheet::MAX_BYTES_TEXT).await?;
    let (rows, reading_errors) = import_rows(&content_type(&headers), &bytes)?;
    let dry_run = query.dry_run.unwrap_or(false);
    // With an error found here, the service only checks, so that nothing is written.
    let message = pb::ImportReceivablesRequest { rows, dry_run: dry_run || !reading_errors.is_empty() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let mut answer = ctx
        .call(&client(&state)?, message, |mut c, mut r| async move {
            r.set_timeout(IMPORT_DEADLINE);
            c.import_receivables(r).await
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

fn receivable_body(r: pb::OpeningReceivable) -> OpeningReceivableBody {
    OpeningReceivableBody {
        row: r.row,
        id: r.invoice_id,
        invoice_number: r.invoice_number,
        customer_id: r.customer_id,
        customer_code: r.customer_code,
        customer_name: r.customer_name,
        amount: r.amount,
        paid: r.paid,
    }
}

fn import_body(answer: pb::ImportReceivablesResponse, headers: &HeaderMap) -> ReceivableImportBody {
    let english = crate::messages::prefers_english(headers);
    let message = |text: String| if english { text } else { crate::messages::in_vietnamese(&text) };
    ReceivableImportBody {
        dry_run: answer.dry_run,
        rows_read: answer.rows_read,
        rows_valid: answer.rows_valid,
        errors: answer
            .errors
            .into_iter()
            .map(|e| RowErrorBody { row: e.row, column: e.column, message: message(e.message) })
            .collect(),
        created: answer.created.into_iter().map(receivable_body).collect(),
        already_present: answer.already_present.into_iter().map(receivable_body).collect(),
        open_amount: answer.open_amount,
    }
}

/// The opening receivables template: the header row in Vietnamese and one example row.
#[utoipa::path(get, path = "/api/v1/imports/receivables/template", tag = "accounting", params(TemplateQuery),
    responses((status = 200, description = "The template", content((String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), BadRequest, Forbidden))]
pub async fn receivable_template(
    AuthUser(caller): AuthUser,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteAccounts)?;
    let headers: Vec<&'static str> = COLUMNS.iter().map(|c| c.headers[0]).collect();
    RECEIVABLE_TEMPLATE.answer(query.format.as_deref(), &headers, &EXAMPLE)
}

const RECEIVABLE_TEMPLATE: SheetTemplate = SheetTemplate {
    file_stem: "mau-nhap-cong-no-dau-ky",
    sheet_name: "Cong no dau ky",
    title: "Mẫu nhập công nợ phải thu đầu kỳ",
    subject: "Một dòng cho mỗi hóa đơn còn nợ",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_row_reads_back_as_the_request() {
        let header: Vec<&str> = COLUMNS.iter().map(|c| c.headers[0]).collect();
        let csv = format!("{}\n{}\n", header.join(","), EXAMPLE.join(","));
        let (rows, errors) = import_rows("text/csv", csv.as_bytes()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let row = &rows[0];
        assert_eq!((row.customer_code.as_str(), row.invoice_number.as_str()), ("KH000001", "0001234"));
        assert_eq!(row.invoice_date.as_ref().map(|d| (d.year, d.month, d.day)), Some((2026, 1, 15)));
        assert_eq!((row.amount, row.paid), (110_000_000, 10_000_000));
    }

    #[test]
    fn dates_are_read_as_people_and_excel_write_them() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 15);
        assert_eq!(date_of("15/01/2026"), day);
        assert_eq!(date_of("2026-01-15"), day);
        assert_eq!(date_of("15.1.2026"), day);
        assert_eq!(date_of("46037"), day, "Excel's day number");
        assert_eq!(date_of("31/02/2026"), None);
        assert_eq!(date_of("sáng mai"), None);
    }

    #[test]
    fn a_date_or_amount_that_is_none_is_a_row_error() {
        let csv = "Mã KH,Số HĐ,Ngày HĐ,Hạn thanh toán,Số tiền\nKH1,A1,32/01/2026,,một triệu\n";
        let (rows, errors) = import_rows("text/csv", csv.as_bytes()).unwrap();
        assert_eq!((rows[0].invoice_date.is_none(), rows[0].due_date.is_none(), rows[0].amount), (true, true, 0));
        let columns: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
        assert_eq!(columns, ["invoice_date", "amount"]);
    }
}
