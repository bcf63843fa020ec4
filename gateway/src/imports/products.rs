//! `POST /api/v1/imports/products`: catalog products from a CSV or XLSX file, every row checked by
//! the import-planning service's own create rules, all written in one transaction or none;
//! `dry_run=true` checks and writes nothing. `GET /api/v1/imports/products/template`: the file to
//! fill in.

use std::collections::HashSet;
use std::time::Duration;

use atq_platform::FieldError;
use atq_platform::caller::Action;
use atq_platform::search_text::fold;
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::product_imports_client::ProductImportsClient;
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
use crate::wire::{enum_from_text, rate_bp_from_text};

/// The file's columns: the API's field name and the Vietnamese header a template writes first.
pub const COLUMNS: [ColumnName; 13] = [
    ColumnName { key: "model_code", headers: &["Mã model", "Model", "Mã hàng", "Model code"] },
    ColumnName {
        key: "name_vi", headers: &["Tên tiếng Việt", "Tên hàng", "Tên sản phẩm", "Vietnamese name"]
    },
    ColumnName { key: "name_en", headers: &["Tên tiếng Anh", "English name"] },
    ColumnName { key: "category", headers: &["Nhóm hàng", "Lĩnh vực", "Category"] },
    ColumnName { key: "brand", headers: &["Hãng", "Thương hiệu", "Brand"] },
    ColumnName { key: "brand_class", headers: &["Phân loại hãng", "Loại hãng", "Brand class"] },
    ColumnName { key: "supplier", headers: &["Nhà cung cấp", "Supplier", "supplier_id"] },
    ColumnName { key: "unit", headers: &["Đơn vị tính", "Đơn vị", "Unit"] },
    ColumnName { key: "hs_code", headers: &["Mã HS", "HS code"] },
    ColumnName { key: "warranty_months", headers: &["Bảo hành (tháng)", "Bảo hành", "Warranty months"] },
    ColumnName { key: "serial_tracked", headers: &["Theo dõi số serial", "Theo dõi serial", "Serial tracked"] },
    ColumnName { key: "list_price", headers: &["Giá niêm yết", "Giá bán", "List price"] },
    ColumnName { key: "vat_rate", headers: &["Thuế suất VAT", "Thuế VAT", "VAT rate"] },
];
const REQUIRED: [&str; 10] = [
    "model_code",
    "name_vi",
    "category",
    "brand",
    "brand_class",
    "supplier",
    "unit",
    "hs_code",
    "list_price",
    "vat_rate",
];
/// One example row under the template's header, in the columns' order.
const EXAMPLE: [&str; 13] = [
    "Model 35SA",
    "Máy đo độ nhớt Fann 35SA",
    "Fann 35SA viscometer",
    "Hóa học",
    "Fann",
    "Hãng lớn",
    "Fann Instrument",
    "bộ",
    "9027.80.30",
    "12",
    "có",
    "285000000",
    "0.10",
];
/// A large import takes longer than a single call's default deadline.
const IMPORT_DEADLINE: Duration = Duration::from_secs(300);
/// A 20,000-row import is larger than the default 4 MiB message.
const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
pub struct CreatedProductBody {
    pub id: i64,
    pub model_code: String,
    pub name_vi: String,
}

#[derive(Serialize, ToSchema)]
pub struct ProductImportBody {
    pub dry_run: bool,
    pub rows_read: i32,
    pub rows_valid: i32,
    /// Every row error (column: model_code, name_vi, name_en, category, brand, brand_class,
    /// supplier, unit, hs_code, warranty_months, serial_tracked, list_price or vat_rate); with one,
    /// nothing is written.
    pub errors: Vec<RowErrorBody>,
    /// The products created, in row order; empty on a dry run.
    pub created: Vec<CreatedProductBody>,
    /// The products whose fields a row changed, in row order; empty on a dry run.
    pub updated: Vec<CreatedProductBody>,
    /// Rows that create a product, update one (its model code is in the catalog with other
    /// fields) and leave one as it is; on a dry run, what the import would do.
    pub created_count: i32,
    pub updated_count: i32,
    pub unchanged_count: i32,
    /// What each valid row does (or would do): create, update or unchanged.
    pub actions: Vec<RowActionBody>,
}

#[derive(Serialize, ToSchema)]
pub struct RowActionBody {
    pub row: i32,
    pub model_code: String,
    /// create, update or unchanged
    pub action: String,
}

/// A category by its word (`chemistry`) or its Vietnamese name (`Hóa học`); anything else is sent
/// as it is, for the service to name the choices.
fn category_of(text: &str) -> i32 {
    let word = match fold(text).as_str() {
        "vat ly" => "physics",
        "hoa hoc" | "hoa" => "chemistry",
        "sinh hoc" => "biology",
        "dien" => "electrical",
        "dien tu vien thong" | "dien tu" => "electronics_telecom",
        "cong nghe thong tin" | "tin hoc" => "it",
        "tu dong hoa" => "automation",
        "moi truong" => "environment",
        _ => return enum_from_text::<pb::ProductCategory>(&text.trim().to_ascii_lowercase().replace(' ', "_")),
    };
    enum_from_text::<pb::ProductCategory>(word)
}

fn brand_class_of(text: &str) -> i32 {
    match fold(text).as_str() {
        "hang lon" | "lon" => pb::BrandClass::Big as i32,
        "hang nho" | "nho" => pb::BrandClass::Small as i32,
        _ => enum_from_text::<pb::BrandClass>(&text.trim().to_ascii_lowercase()),
    }
}

fn yes_or_no(text: &str) -> Result<bool, &'static str> {
    match fold(text).as_str() {
        "co" | "yes" | "true" | "1" | "x" => Ok(true),
        "" | "khong" | "no" | "false" | "0" => Ok(false),
        _ => Err("must be yes or no (có or không)"),
    }
}

/// Whole đồng as people write them: "285000000", "285.000.000", "285,000,000", "-5"; Excel's
/// own numbers arrive as digits.
pub(super) fn whole_number(text: &str) -> Option<i64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (sign, digits) = compact.strip_prefix('-').map_or((1, compact.as_str()), |rest| (-1, rest));
    let groups: Vec<&str> = digits.split(['.', ',']).collect();
    let grouped = groups.len() > 1 && groups[1..].iter().all(|g| g.len() == 3) && !groups[0].is_empty();
    let plain = if grouped { groups.concat() } else { digits.to_owned() };
    if plain.is_empty() || plain.len() > 18 || !plain.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    plain.parse::<i64>().ok().map(|n| sign * n)
}

/// "0.10", "10%" or "10" (a whole number is a percentage): basis points, or the catalog's
/// "unknown" for the service to refuse.
fn vat_rate_bp(text: &str) -> i32 {
    let text = text.trim();
    let percent = text.strip_suffix('%').unwrap_or(text).trim();
    match percent.parse::<i32>() {
        Ok(whole) if text.ends_with('%') || (1..=100).contains(&whole) => whole.saturating_mul(100),
        _ => rate_bp_from_text(text),
    }
}

/// A row as the service takes it, and the problems only this reading can see (a number that is
/// no number); such a cell is sent as zero.
fn request_of(row: &SheetRow, at: &[Option<usize>]) -> (pb::ImportProductRow, Vec<FieldError>) {
    let cell = |index: usize| sheet::cell(row, at[index]);
    let mut problems = Vec::new();
    let warranty_months = match cell(9).trim() {
        "" => 0,
        text => whole_number(text).and_then(|n| i32::try_from(n).ok()).unwrap_or_else(|| {
            problems.push(FieldError::new("warranty_months", "must be a whole number of months"));
            0
        }),
    };
    let serial_tracked = yes_or_no(&cell(10)).unwrap_or_else(|message| {
        problems.push(FieldError::new("serial_tracked", message));
        false
    });
    let list_price = whole_number(&cell(11)).unwrap_or_else(|| {
        problems.push(FieldError::new("list_price", "must be a whole number of đồng, e.g. 285000000"));
        0
    });
    let product = pb::CreateProductRequest {
        model_code: cell(0),
        name_vi: cell(1),
        name_en: cell(2),
        category: category_of(&cell(3)),
        brand: cell(4),
        brand_class: brand_class_of(&cell(5)),
        supplier_id: 0,
        unit: cell(7),
        hs_code: cell(8),
        warranty_months,
        serial_tracked,
        list_price,
        vat_rate_bp: vat_rate_bp(&cell(12)),
    };
    (pb::ImportProductRow { row: row.row, product: Some(product), supplier: cell(6) }, problems)
}

/// The rows as the service takes them and the reading's own row errors; a file without the
/// required columns is a 400.
pub fn import_rows(
    content_type: &str,
    bytes: &[u8],
) -> Result<(Vec<pb::ImportProductRow>, Vec<pb::ProductImportRowError>), Problem> {
    let sheet = sheet::read(content_type, bytes)?;
    let at = sheet::positions(&sheet.header, &COLUMNS, &REQUIRED)?;
    let (mut rows, mut errors) = (Vec::with_capacity(sheet.rows.len()), Vec::new());
    for row in &sheet.rows {
        let (request, problems) = request_of(row, &at);
        let to_error = |p: FieldError| pb::ProductImportRowError { row: row.row, column: p.field, message: p.message };
        errors.extend(problems.into_iter().map(to_error));
        rows.push(request);
    }
    Ok((rows, errors))
}

fn client(state: &AppState) -> Result<ProductImportsClient<Channel>, Problem> {
    Ok(ProductImportsClient::new(state.channel("import-planning")?)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES))
}

/// The reading's row errors added to the service's answer, rows counted once.
fn merge(answer: &mut pb::ImportProductsResponse, reading_errors: Vec<pb::ProductImportRowError>) {
    let failed_rows: HashSet<i32> = reading_errors.iter().map(|e| e.row).collect();
    let newly_failed = failed_rows.iter().filter(|row| !answer.errors.iter().any(|e| e.row == **row)).count();
    answer.rows_valid -= i32::try_from(newly_failed).unwrap_or(0).min(answer.rows_valid);
    answer.errors.extend(reading_errors);
    answer.errors.sort_by_key(|e| e.row);
    answer.actions.retain(|a| !failed_rows.contains(&a.row));
    answer.unchanged = count_of(&answer.actions, "unchanged");
}

fn count_of(actions: &[pb::ProductImportRowAction], action: &str) -> i32 {
    i32::try_from(actions.iter().filter(|a| a.action == action).count()).unwrap_or(i32::MAX)
}

/// Import catalog products from a CSV (UTF-8, UTF-16 with BOM, or Windows-1258) or XLSX file whose
/// header row names the columns in Vietnamese or English: model_code, name_vi, name_en, category,
/// brand, brand_class, supplier (id, code or name), unit, hs_code, warranty_months,
/// serial_tracked, list_price (VND, 0 to 10^13), vat_rate. A row whose model code the catalog
/// already has updates that product when a field differs (`update`) and leaves it when none does
/// (`unchanged`), so the same file imported again adds and changes nothing. `dry_run=true`
/// answers every row error and what each row would do, and writes nothing; otherwise all rows are
/// written in one transaction, or with any row error none (400 naming `rows[N].column`).
#[utoipa::path(post, path = "/api/v1/imports/products", tag = "catalog", params(ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    request_body(description = "the file", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = ProductImportBody), BadRequest, Forbidden, PayloadTooLarge, Unprocessable))]
pub async fn import_products(
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
    let message = pb::ImportProductsRequest { rows, dry_run: dry_run || !reading_errors.is_empty() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let mut answer = ctx
        .call(&client(&state)?, message, |mut c, mut r| async move {
            r.set_timeout(IMPORT_DEADLINE);
            c.import_products(r).await
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

fn import_body(answer: pb::ImportProductsResponse, headers: &HeaderMap) -> ProductImportBody {
    let english = crate::messages::prefers_english(headers);
    let message = |text: String| if english { text } else { crate::messages::in_vietnamese(&text) };
    let errors = answer.errors.into_iter();
    ProductImportBody {
        dry_run: answer.dry_run,
        rows_read: answer.rows_read,
        rows_valid: answer.rows_valid,
        errors: errors.map(|e| RowErrorBody { row: e.row, column: e.column, message: message(e.message) }).collect(),
        created_count: count_of(&answer.actions, "create"),
        updated_count: count_of(&answer.actions, "update"),
        unchanged_count: answer.unchanged,
        created: answer.created.into_iter().map(product_body).collect(),
        updated: answer.updated.into_iter().map(product_body).collect(),
        actions: answer
            .actions
            .into_iter()
            .map(|a| RowActionBody { row: a.row, model_code: a.model_code, action: a.action })
            .collect(),
    }
}

fn product_body(p: pb::Product) -> CreatedProductBody {
    CreatedProductBody { id: p.id, model_code: p.model_code, name_vi: p.name_vi }
}

/// The product import template: the header row in Vietnamese and one example row.
#[utoipa::path(get, path = "/api/v1/imports/products/template", tag = "catalog", params(TemplateQuery),
    responses((status = 200, description = "The template", content((String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))), BadRequest, Forbidden))]
pub async fn product_template(
    AuthUser(caller): AuthUser,
    Query(query): Query<TemplateQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCatalog)?;
    let headers: Vec<&'static str> = COLUMNS.iter().map(|c| c.headers[0]).collect();
    PRODUCT_TEMPLATE.answer(query.format.as_deref(), &headers, &EXAMPLE)
}

const PRODUCT_TEMPLATE: SheetTemplate = SheetTemplate {
    file_stem: "mau-nhap-san-pham",
    sheet_name: "San pham",
    title: "Mẫu nhập sản phẩm",
    subject: "Một dòng cho mỗi sản phẩm",
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
        let product = rows[0].product.clone().unwrap();
        assert_eq!((rows[0].row, rows[0].supplier.as_str()), (2, "Fann Instrument"));
        assert_eq!(product.category, pb::ProductCategory::Chemistry as i32);
        assert_eq!(product.brand_class, pb::BrandClass::Big as i32);
        assert_eq!((product.list_price, product.vat_rate_bp, product.warranty_months), (285_000_000, 1000, 12));
        assert!(product.serial_tracked);
    }

    #[test]
    fn numbers_are_read_as_people_write_them_and_other_text_is_a_row_error() {
        assert_eq!(whole_number("285.000.000"), Some(285_000_000));
        assert_eq!(whole_number("1,250,000"), Some(1_250_000));
        assert_eq!(whole_number("-5"), Some(-5));
        assert_eq!(whole_number("12.5"), None);
        assert_eq!(whole_number("abc"), None);
        assert_eq!(
            (vat_rate_bp("10%"), vat_rate_bp("8"), vat_rate_bp("0.05"), vat_rate_bp("0.1")),
            (1000, 800, 500, 1000)
        );
        let csv = "model_code,name_vi,category,brand,brand_class,supplier,unit,hs_code,list_price,vat_rate,serial_tracked\n\
                   A1,Bộ thí nghiệm,Vật lý,Leybold,small,1,bộ,9023.00.00,giá liên hệ,0.10,có lẽ\n";
        let (rows, errors) = import_rows("text/csv", csv.as_bytes()).unwrap();
        assert_eq!(rows[0].product.as_ref().map(|p| p.category), Some(pb::ProductCategory::Physics as i32));
        let columns: Vec<(i32, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert_eq!(columns, [(2, "serial_tracked"), (2, "list_price")]);
    }

    #[test]
    fn a_file_without_a_required_column_is_refused() {
        assert!(import_rows("text/csv", b"model_code,name_vi\nA1,X\n").is_err());
    }
}
