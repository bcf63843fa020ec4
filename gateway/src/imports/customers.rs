//! `POST /api/v1/imports/customers`: customers from a CSV or XLSX file, every row checked by the
//! sales service's own create rules, all written in one transaction or none; `dry_run=true`
//! checks and writes nothing. `GET /api/v1/imports/customers/template`: the file to fill in.

use std::collections::HashMap;
use std::time::Duration;

use atq_platform::FieldError;
use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::content_type;
use super::sheet::{self, ColumnName, SheetRow};
use crate::auth::AuthUser;
use crate::json_body::read_body;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, PayloadTooLarge, Unprocessable};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{enum_from_text, office_from_text};

/// The file's columns: the API's field name and the Vietnamese header a template writes first.
pub const COLUMNS: [ColumnName; 12] = [
    ColumnName { key: "name", headers: &["Tên khách hàng", "Tên", "Customer name"] },
    ColumnName { key: "group", headers: &["Nhóm khách hàng", "Nhóm", "Customer group"] },
    ColumnName { key: "phone", headers: &["Điện thoại", "Số điện thoại", "Phone number"] },
    ColumnName { key: "email", headers: &["Email", "Thư điện tử"] },
    ColumnName { key: "address", headers: &["Địa chỉ"] },
    ColumnName { key: "office", headers: &["Văn phòng", "Chi nhánh"] },
    ColumnName { key: "tax_code", headers: &["Mã số thuế", "MST", "Tax code"] },
    ColumnName { key: "assigned_to", headers: &["Nhân viên phụ trách", "Phụ trách", "Assigned to"] },
    // The customer's primary contact, all four optional.
    ColumnName {
        key: "contact_name", headers: &["Người liên hệ", "Tên người liên hệ", "Contact name", "Contact"]
    },
    ColumnName {
        key: "contact_position",
        headers: &["Chức vụ", "Chức vụ người liên hệ", "Contact position", "Contact title", "Position", "Title"],
    },
    ColumnName {
        key: "contact_phone", headers: &["Điện thoại người liên hệ", "SĐT người liên hệ", "Contact phone"]
    },
    ColumnName { key: "contact_email", headers: &["Email người liên hệ", "Contact email"] },
];
const REQUIRED: [&str; 3] = ["name", "phone", "address"];
/// A large import takes longer than a single call's default deadline.
const IMPORT_DEADLINE: Duration = Duration::from_secs(300);

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ImportQuery {
    /// true: check every row and write nothing
    pub dry_run: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct RowErrorBody {
    /// The spreadsheet row (the header is row 1).
    pub row: i32,
    /// The field: name, group, phone, email, address, office, tax_code, assigned_to, or the
    /// contact's contact_name, contact_position, contact_phone or contact_email.
    pub column: String,
    /// In the caller's language.
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedBody {
    pub id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CustomerImportBody {
    pub dry_run: bool,
    pub rows_read: i32,
    pub rows_valid: i32,
    /// Every row error; with one, nothing is written.
    pub errors: Vec<RowErrorBody>,
    /// The customers created, in row order; empty on a dry run.
    pub created: Vec<CreatedBody>,
    /// The primary contacts created with them; 0 on a dry run.
    pub contacts_created: i32,
}

/// "Đại lý" and "dealer" are one group; a word the service does not know is sent as it is.
fn group_word(text: &str) -> String {
    match atq_platform::search_text::fold(text).as_str() {
        "ca nhan" => "individual".into(),
        "dai ly" => "dealer".into(),
        "cong trinh" | "du an" | "cong trinh du an" => "project".into(),
        _ => text.trim().to_ascii_lowercase(),
    }
}

pub(super) fn office_code(text: &str) -> String {
    match atq_platform::search_text::fold(text).as_str() {
        "ha noi" => "HN".into(),
        "ho chi minh" | "tp ho chi minh" | "tp. ho chi minh" | "tp.hcm" | "tp hcm" => "HCM".into(),
        "da lat" => "DL".into(),
        _ => text.trim().to_ascii_uppercase(),
    }
}

/// A number Excel kept as a number has lost its leading 0 ("912345678" for "0912345678").
fn leading_zero(text: String, digits: usize) -> String {
    if text.len() + 1 == digits && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0') {
        format!("0{text}")
    } else {
        text
    }
}

fn request_of(row: &SheetRow, at: &[Option<usize>]) -> pb::CreateCustomerRequest {
    let cell = |index: usize| sheet::cell(row, at[index]);
    pb::CreateCustomerRequest {
        name: cell(0),
        group: enum_from_text::<pb::CustomerGroup>(&group_word(&cell(1))),
        phone: leading_zero(cell(2), 10),
        email: cell(3),
        address: cell(4),
        office: office_from_text(&office_code(&cell(5))),
        tax_code: leading_zero(cell(6), 10),
        assigned_to: cell(7),
    }
}

/// The row's primary contact, when any of its cells is filled in.
fn contact_of(row: &SheetRow, at: &[Option<usize>]) -> Option<pb::CreateContactRequest> {
    let cell = |index: usize| sheet::cell(row, at[index]);
    let contact = pb::CreateContactRequest {
        name: cell(8),
        position: cell(9),
        phone: leading_zero(cell(10), 10),
        email: cell(11),
        is_primary: true,
        ..Default::default()
    };
    let blank = [&contact.name, &contact.position, &contact.phone, &contact.email].iter().all(|t| t.trim().is_empty());
    (!blank).then_some(contact)
}

/// The rows as the service takes them; a file without the required columns is a 400.
pub fn import_rows(content_type: &str, bytes: &[u8]) -> Result<Vec<pb::ImportCustomerRow>, Problem> {
    let sheet = sheet::read(content_type, bytes)?;
    let at = sheet::positions(&sheet.header, &COLUMNS, &REQUIRED)?;
    let rows = sheet.rows.iter().map(|row| pb::ImportCustomerRow {
        row: row.row,
        customer: Some(request_of(row, &at)),
        contact: contact_of(row, &at),
    });
    Ok(rows.collect())
}

/// Row errors for responsible employees who are no active user (as a single create checks).
async fn unknown_assignees(
    state: &AppState,
    rows: &[pb::ImportCustomerRow],
) -> Result<Vec<pb::ImportRowError>, Problem> {
    let mut known: HashMap<String, bool> = HashMap::new();
    let mut errors = Vec::new();
    for row in rows {
        let name = row.customer.as_ref().map(|c| c.assigned_to.trim().to_owned()).unwrap_or_default();
        if name.is_empty() {
            continue;
        }
        if !known.contains_key(&name) {
            let found = crate::users::find_active(&state.db, &name).await.map_err(atq_platform::Error::from)?;
            known.insert(name.clone(), found.is_some());
        }
        if known.get(&name) == Some(&false) {
            errors.push(pb::ImportRowError {
                row: row.row,
                column: "assigned_to".into(),
                message: "no active user has this username".into(),
            });
        }
    }
    Ok(errors)
}

/// Import customers from a CSV (UTF-8, UTF-16 with BOM, or Windows-1258) or XLSX file whose header
/// row names the columns in Vietnamese or English: name, group, phone, email, address, office,
/// tax_code, assigned_to, and the customer's primary contact, checked as an added contact is:
/// contact_name, contact_position, contact_phone, contact_email (all optional). A row whose phone
/// or tax code a customer already has is a row error.
/// `dry_run=true` answers every row error and writes nothing; otherwise all rows are created in
/// one transaction, or with any row error none (400 naming `rows[N].column`). Sales staff import
/// into their own office only. The same `Idempotency-Key` with the same file answers the first
/// result.
#[utoipa::path(post, path = "/api/v1/imports/customers", tag = "customers", params(ImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    request_body(description = "the file", content(
        (String = "text/csv"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses((status = 200, body = CustomerImportBody), BadRequest, Forbidden, PayloadTooLarge, Unprocessable))]
pub async fn import_customers(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let bytes = read_body(body, sheet::MAX_BYTES, sheet::MAX_BYTES_TEXT).await?;
    let rows = import_rows(&content_type(&headers), &bytes)?;
    let assignee_errors = unknown_assignees(&state, &rows).await?;
    let dry_run = query.dry_run.unwrap_or(false);
    // With an error found here, the service only checks, so that nothing is written.
    let message = pb::ImportCustomersRequest { rows, dry_run: dry_run || !assignee_errors.is_empty() };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let mut answer = ctx
        .call(&state.customer_imports, message, |mut c, mut r| async move {
            r.set_timeout(IMPORT_DEADLINE);
            c.import_customers(r).await
        })
        .await?;
    if !assignee_errors.is_empty() {
        let failed_rows: std::collections::HashSet<i32> = assignee_errors.iter().map(|e| e.row).collect();
        let newly_failed = failed_rows.iter().filter(|row| !answer.errors.iter().any(|e| e.row == **row)).count();
        answer.rows_valid -= i32::try_from(newly_failed).unwrap_or(0).min(answer.rows_valid);
        answer.errors.extend(assignee_errors);
        answer.errors.sort_by_key(|e| e.row);
        if !dry_run {
            let fields =
                answer.errors.iter().map(|e| FieldError::new(format!("rows[{}].{}", e.row, e.column), &e.message));
            return Err(Problem::invalid(fields.collect()));
        }
    }
    Ok(axum::Json(import_body(answer, &headers)).into_response())
}

fn import_body(answer: pb::ImportCustomersResponse, headers: &HeaderMap) -> CustomerImportBody {
    let english = crate::messages::prefers_english(headers);
    let message = |text: String| if english { text } else { crate::messages::in_vietnamese(&text) };
    CustomerImportBody {
        dry_run: answer.dry_run,
        rows_read: answer.rows_read,
        rows_valid: answer.rows_valid,
        errors: answer
            .errors
            .into_iter()
            .map(|e| RowErrorBody { row: e.row, column: e.column, message: message(e.message) })
            .collect(),
        created: answer.created.into_iter().map(|c| CreatedBody { id: c.id, code: c.code, name: c.name }).collect(),
        contacts_created: answer.contacts_created,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_headers_and_words_become_the_create_request() {
        let csv = "Tên khách hàng,Nhóm,Điện thoại,Địa chỉ,Văn phòng,MST\nCông ty An Phát,Đại lý,912345678,1 Lê Lợi,Hà Nội,101234567\n";
        let rows = import_rows("text/csv", csv.as_bytes()).unwrap();
        let customer = rows[0].customer.clone().unwrap();
        assert_eq!(rows[0].row, 2);
        assert_eq!((customer.name.as_str(), customer.phone.as_str()), ("Công ty An Phát", "0912345678"));
        assert_eq!(customer.group, pb::CustomerGroup::Dealer as i32);
        assert_eq!(customer.office, atq_proto::common::v1::Office::Hn as i32);
        assert_eq!(customer.tax_code, "0101234567");
    }

    #[test]
    fn a_row_carries_its_primary_contact_in_vietnamese_or_english_headers() {
        let vi = "Tên khách hàng,Điện thoại,Địa chỉ,Người liên hệ,Chức vụ,Điện thoại người liên hệ,Email người liên hệ\n\
                  An Phát,0912345678,1 Lê Lợi,Trần Thị Hoa,Kế toán trưởng,912000111,hoa@anphat.vn\n\
                  Bình Minh,0987654321,2 Lê Lợi,,,,\n";
        let rows = import_rows("text/csv", vi.as_bytes()).unwrap();
        let contact = rows[0].contact.clone().unwrap();
        assert_eq!((contact.name.as_str(), contact.position.as_str()), ("Trần Thị Hoa", "Kế toán trưởng"));
        assert_eq!(
            (contact.phone.as_str(), contact.email.as_str(), contact.is_primary),
            ("0912000111", "hoa@anphat.vn", true)
        );
        assert_eq!(rows[1].contact, None, "a row without a contact has none");
        let en =
            "name,phone,address,Contact name,Contact title,Contact email\nAn,0912345678,1 Lê Lợi,Hoa,CFO,hoa@x.vn\n";
        let contact = import_rows("text/csv", en.as_bytes()).unwrap()[0].contact.clone().unwrap();
        assert_eq!(
            (contact.name.as_str(), contact.position.as_str(), contact.email.as_str()),
            ("Hoa", "CFO", "hoa@x.vn")
        );
    }

    #[test]
    fn a_file_without_a_required_column_is_refused() {
        assert!(import_rows("text/csv", b"name,phone\nAn,0912345678\n").is_err());
    }
}
