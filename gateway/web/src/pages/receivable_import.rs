//! Opening receivables imported from a spreadsheet (CSV or Excel), the invoices the old system
//! left open: the check, the import and the template, as every sheet import does them
//! (`pages/sheet_import.rs`); the invoices made join the invoice list.

use atq_platform::caller::Action;
use axum::Router;

use crate::UiState;
use crate::i18n::Texts;
use crate::pages::sheet_import::{self, CreatedFields, SheetImport};

pub fn router() -> Router<UiState> {
    sheet_import::router(&RECEIVABLES)
}

/// Importing opening receivables is for those who keep the accounts.
static RECEIVABLES: SheetImport = SheetImport {
    list_path: "/invoices",
    page_path: "/receivables/import",
    api_path: "/api/v1/imports/receivables",
    permission: Action::WriteAccounts,
    section: "receivable_import",
    column_label,
    created: CreatedFields {
        code_field: "invoice_number",
        name_field: "customer_name",
        code_label: "receivable_import.column_invoice_number",
        name_label: "receivable_import.customer_name",
    },
};

/// A column's label: `receivable_import.column_<key>`, or the key when it is none of the file's.
fn column_label(column: &str, t: Texts) -> String {
    let key = format!("receivable_import.column_{column}");
    let label = t.get(&key);
    if label == key { column.to_owned() } else { label.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// The labels this screen names are in both catalogs, and so is every column of the file.
    #[test]
    fn every_label_of_this_screen_is_in_both_catalogs() {
        let checked = sheet_import::assert_labelled(&RECEIVABLES);
        let columns = ["customer_code", "invoice_number", "invoice_date", "due_date", "amount", "paid"];
        for column in columns {
            assert_ne!(column_label(column, Texts::new(Lang::Vi)), column, "{column}");
            assert_ne!(column_label(column, Texts::new(Lang::En)), column, "{column}");
        }
        assert!(checked > 15, "the labels were read: {checked}");
    }
}
