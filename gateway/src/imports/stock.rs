//! `POST /api/v1/imports/stock`: opening stock from a CSV or XLSX file (warehouse, model code,
//! quantity, unit cost, serial numbers), every row checked as a receipt line is and written as
//! opening receipts (debit 156 against capital 411) in one transaction or not at all; the same
//! rows a second time add nothing. `GET /api/v1/imports/stock/template`: the file to fill in.
//!
//! Serial numbers of a serial-tracked product go in one cell, separated by `;` (a comma, space or
//! line break separates as well): as many as the quantity.

use std::collections::HashMap;
use std::time::Duration;

use atq_platform::caller::Action;
use atq_platform::{FieldError, Office};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::stock_imports_client::StockImportsClient;
use atq_proto::common::v1::PageRequest;
use atq_proto::importplanning::v1 as catalog;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tonic::transport::Channel;
use utoipa::ToSchema;

use super::content_type;
use super::customers::{ImportQuery, RowErrorBody, office_code};
use super::products::whole_number;
use super::sheet::{self, ColumnName, SheetRow};
use super::{SheetTemplate, TemplateQuery};
use crate::auth::AuthUser;
use crate::json_body::read_body;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, PayloadTooLarge, Unprocessable};
use crate::rpc::CallContext;
use crate::state::AppState;

/// The file's columns: the API's field name and the Vietnamese header a template writes first.
pub const COLUMNS: [ColumnName; 5] = [
    ColumnName { key: "warehouse", headers: &["Kho", "Mã kho", "Warehouse"] },
    ColumnName { key: "model_code", headers: &["Mã model", "Model", "Mã hàng", "Model code"] },
    ColumnName { key: "quantity", headers: &["Số lượng", "SL", "Quantity"] },
    ColumnName { key: "unit_cost", headers: &["Đơn giá vốn", "Giá vốn", "Đơn giá", "Unit cost"] },
    ColumnName { key: "serials", headers: &["Số serial", "Serial", "Số sê-ri", "Serial numbers"] },
];
const REQUIRED: [&str; 4] = ["warehouse", "model_code", "quantity", "unit_cost"];
/// One example row under the template's header, in the columns' order.
const EXAMPLE: [&str; 5] = ["HN", "Model 35SA", "2", "180000000", "FN35-0001; FN35-0002"];
/// A large import takes longer than a single call's default deadline.
const IMPORT_DEADLINE: Duration = Duration::from_secs(300);
/// A 20,000-row import with serials is larger than the default 4 MiB message.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;
/// Products per catalog page while model codes are looked up.
const CATALOG_PAGE: u32 = 500;

#[derive(Serialize, ToSchema)]
pub struct ImportedReceiptBody {
    /// The opening receipt's number (PN-YYYY-NNNN).
    pub number: String,
    /// HN, HCM or DL.
    pub warehouse: String,
    pub lines: i32,
    pub units: i64,
    /// VND at cost.
    pub value: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StockImportBody {
    pub dry_run: bool,
    pub rows_read: i32,
    pub rows_valid: i32,
    /// true: these rows were imported before; nothing more is added.
    pub already_imported: bool,
    /// Units and their value at cost (VND) the valid rows add, or would add on a dry run.
    pub units: i64,
    pub value: i64,
    /// Every row error (column: warehouse, model_code, quantity, unit_cost or serials); with one,
    /// nothing is written.
    pub errors: Vec<RowErrorBody>,
    /// The opening receipts written, one per warehouse; empty on a dry run.
    pub receipts: Vec<ImportedReceiptBody>,
}

/// A model code as the catalog compares them.
fn model_key(text: &str) -> String {
    text.trim().to_ascii_uppercase()
}

/// Serial numbers in one cell: `;`, `,`, spaces and line breaks separate them.
fn serials_of(text: &str) -> Vec<String> {
    text.split(|c: char| c == ';' || c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A row as the service takes it, or the problems only this reading can see.
fn request_of(
    row: &SheetRow,
    at: &[Option<usize>],
    products: &HashMap<String, i64>,
) -> Result<pb::ImportStockRow, Vec<FieldError>> {
    let cell = |index: usize| sheet::cell(row, at[index]);
    let mut problems = Vec::new();
    let warehouse = Office::parse(&office_code(&cell(0))).map(|o| o.to_proto() as i32).unwrap_or_else(|_| {
        problems.push(FieldError::new("warehouse", "must be one of HN, HCM, DL"));
        0
    });
    let model = cell(1);
    let product_id = match products.get(&model_key(&model)) {
        Some(id) => *id,
        None if model.trim().is_empty() => {
            problems.push(FieldError::new("model_code", "must not be empty"));
            0
        }
        None => {
            problems.push(FieldError::new(
                "model_code",
                "no product in the catalog has this model code; import the product first",
            ));
            0
        }
    };
    let quantity = whole_number(&cell(2)).unwrap_or_else(|| {
        problems.push(FieldError::new("quantity", "must be a whole number of units"));
        0
    });
    let unit_cost = whole_number(&cell(3)).unwrap_or_else(|| {
        problems.push(FieldError::new("unit_cost", "must be a whole number of đồng, e.g. 180000000"));
        0
    });
    if !problems.is_empty() {
        return Err(problems);
    }
    let serials = serials_of(&cell(4));
    Ok(pb::ImportStockRow { row: row.row, warehouse, product_id, quantity, unit_cost, serials })
}

/// The rows as the service takes them, the reading's own row errors and the number of rows read;
/// a file without the required columns is a 400.
pub fn import_rows(
    content_type: &str,
    bytes: &[u8],
    products: &HashMap<String, i64>,
) -> Result<(Vec<pb::ImportStockRow>, Vec<pb::StockImportRowError>, i32), Problem> {
    let sheet = sheet::read(content_type, bytes)?;
    let at = sheet::positions(&sheet.header, &COLUMNS, &REQUIRED)?;
    let (mut rows, mut errors) = (Vec::with_capacity(sheet.rows.len()), Vec::new());
    for row in &sheet.rows {
        match request_of(row, &at, products) {
            Ok(request) => rows.push(request),
            Err(problems) => errors.extend(problems.into_iter().map(|p| pb::StockImportRowError {
                row: row.row,
                column: p.field,
                message: p.message,
            })),
        }
    }
    Ok((rows, errors, i32::try_from(sheet.rows.len()).unwrap_or(i32::MAX)))
}

/// Every product's id by its model key, page by page from the catalog.
async fn product_ids(state: &AppState, ctx: &CallContext<'_>) -> Result<HashMap<String, i64>, Problem> {
    let mut found = HashMap::new();
    let mut cursor = String::new();
    loop {
        let page = Some(PageRequest { limit: CATALOG_PAGE, cursor: cursor.clone() });
        let message = catalog::ListProductsRequest { page, ..Default::default() };
        let answer = ctx.call(&state.catalog, message, |mut c, r| async move { c.list_products(r).await }).await?;
        found.extend(answer.items.into_iter().map(|p| (model_key(&p.model_code), p.id)));
        if answer.next_cursor.is_empty() {
            return Ok(found);
        }
        cursor = answer.next_cursor;
    }
}

fn client(state: &AppState) -> Result<StockImportsClient<Channel>, Problem> {
    Ok(StockImportsClient::new(state.channel("accounting-warehouse")?)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES))
}

/// The service's check of the rows this reading passed, or, with none, an answer of its own.
async fn check_or_import(
    state: &AppState,
    ctx: &CallContext<'_>,
    rows: Vec<pb::ImportStockRow>,
    dry_run: bool,
) -> Result<pb::ImportStockResponse, Problem> {
    if rows.is_empty() {
        return Ok(pb::ImportStockResponse { dry_run: true, ..Default::default() });
    }
    let message = pb::ImportStockRequest { rows, dry_run };
    ctx.call(&client(state)?, message, |mut c, mut r| async move {
        r.set_timeout(IMPORT_DEADLINE);
        c.import_stock(r).await
    })
    .await
}

/// Import opening stock from a CSV (UTF-8, UTF-16 with BOM, or Windows-1258) or XLSX file whose
/// header row names the columns in Vietnamese or English: warehouse (HN, HCM, DL), model_code (a
/// product in the catalog), quantity (1 to 10^6), unit_cost (VND, 0 to 10^15), serials (for a
/// serial-tracked product one per unit in one cell, separated by `;`; none otherwise; none in the
/// company already or on another row). The rows become opening receipts, one per warehouse (debit
/// 156 against capital 411). `dry_run=true` answers every row error and writes nothing; otherwise
/// all rows are written in one transaction, or with any row error none (400 naming
/// `rows[N].column`). The same rows imported again add nothing (`already_imported`).
#[utoipa::path(post, path = "/api/v1/imports/stock", tag = "stock", params(ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    request_body(description = "the file", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = StockImportBody), BadRequest, Forbidden, PayloadTooLarge, Unprocessable))]
pub async fn import_stock(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    caller.require(Action::WriteStock)?;
    let bytes = read_body(body, sheet::MAX_BYTES, sheet::MAX_BYTES_TEXT).await?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let products = product_ids(&state, &ctx).await?;
    let (rows, reading_errors, rows_read) = import_rows(&content_type(&headers), &bytes, &products)?;
    let dry_run = query.dry_run.unwrap_or(false);
    // With an error found here, the service only checks, so that nothing is written.
    let mut answer = check_or_import(&state, &ctx, rows, dry_run || !reading_errors.is_empty()).await?;
    answer.rows_read = rows_read;
    if !reading_errors.is_empty() {
        answer.errors.extend(reading_errors);
        answer.errors.sort_by_key(|e| e.row);
        if !dry_run {
            let fields =
                answer.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
            return Err(Problem::invalid(fields.collect()));
        }
    }
    answer.dry_run = dry_run;
    Ok(axum::Json(import_body(answer, &headers)).into_response())
}

/// A message in the caller's language; a list after the message's colon (serial numbers) is kept
/// as it is when the whole message has no translation.
fn translated(text: String, english: bool) -> String {
    if english {
        return text;
    }
    let whole = crate::messages::in_vietnamese(&text);
    if whole != text {
        return whole;
    }
    match text.split_once(": ") {
        Some((head, list)) => format!("{}: {list}", crate::messages::in_vietnamese(head)),
        None => text,
    }
}

fn import_body(answer: pb::ImportStockResponse, headers: &HeaderMap) -> StockImportBody {
    let english = crate::messages::prefers_english(headers);
    let errors = answer.errors.into_iter();
    let receipts = answer.receipts.into_iter().map(|r| ImportedReceiptBody {
        number: r.number,
        warehouse: crate::wire::office_text(r.warehouse),
        lines: r.lines,
        units: r.units,
        value: r.value,
    });
    StockImportBody {
        dry_run: answer.dry_run,
        rows_read: answer.rows_read,
        rows_valid: answer.rows_valid,
        already_imported: answer.already_imported,
        units: answer.units,
        value: answer.value,
        errors: errors
            .map(|e| RowErrorBody { row: e.row, column: e.column, message: translated(e.message, english) })
            .collect(),
        receipts: receipts.collect(),
    }
}

/// The opening stock import template: the header row in Vietnamese and one example row.
#[utoipa::path(get, path = "/api/v1/imports/stock/template", tag = "stock", params(TemplateQuery),
    responses((status = 200, description = "The template", content((String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), BadRequest, Forbidden))]
pub async fn stock_template(
    AuthUser(caller): AuthUser,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteStock)?;
    let headers: Vec<&'static str> = COLUMNS.iter().map(|c| c.headers[0]).collect();
    STOCK_TEMPLATE.answer(query.format.as_deref(), &headers, &EXAMPLE)
}

const STOCK_TEMPLATE: SheetTemplate = SheetTemplate {
    file_stem: "mau-nhap-ton-kho-dau-ky",
    sheet_name: "Ton dau ky",
    title: "Mẫu nhập tồn kho đầu kỳ",
    subject: "Một dòng cho mỗi sản phẩm ở mỗi kho",
};

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> HashMap<String, i64> {
        HashMap::from([("MODEL 35SA".to_owned(), 7)])
    }

    #[test]
    fn the_template_row_reads_back_as_the_service_row() {
        let header: Vec<&str> = COLUMNS.iter().map(|c| c.headers[0]).collect();
        let csv = format!("{}\n{}\n", header.join(","), EXAMPLE.join(","));
        let (rows, errors, read) = import_rows("text/csv", csv.as_bytes(), &catalog()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(read, 1);
        let row = &rows[0];
        assert_eq!((row.row, row.product_id, row.quantity, row.unit_cost), (2, 7, 2, 180_000_000));
        assert_eq!(row.warehouse, atq_proto::common::v1::Office::Hn as i32);
        assert_eq!(row.serials, ["FN35-0001", "FN35-0002"]);
    }

    #[test]
    fn an_unknown_warehouse_or_model_and_text_for_numbers_are_row_errors() {
        let csv = "Kho,Mã model,Số lượng,Đơn giá vốn\nSài Gòn,X-1,hai,?\nHồ Chí Minh,model 35sa,1,1.250.000\n";
        let (rows, errors, read) = import_rows("text/csv", csv.as_bytes(), &catalog()).unwrap();
        let columns: Vec<(i32, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(columns, [(2, "warehouse"), (2, "model_code"), (2, "quantity"), (2, "unit_cost")]);
        assert_eq!((read, rows.len(), rows[0].unit_cost, rows[0].product_id), (2, 1, 1_250_000, 7));
    }

    #[test]
    fn serials_split_on_semicolons_commas_spaces_and_line_breaks() {
        assert_eq!(serials_of("A1; A2,A3\nA4  A5;"), ["A1", "A2", "A3", "A4", "A5"]);
        assert!(serials_of("  ").is_empty());
    }
}
