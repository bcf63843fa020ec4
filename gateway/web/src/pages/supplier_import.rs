//! Suppliers imported from a spreadsheet (CSV or Excel): the check, the import and the template,
//! as every sheet import does them (`pages/sheet_import.rs`); this file says what sets suppliers
//! apart.

use atq_platform::caller::Action;
use axum::Router;

use crate::UiState;
use crate::i18n::Texts;
use crate::pages::sheet_import::{self, CreatedFields, SheetImport};

pub fn router() -> Router<UiState> {
    sheet_import::router(&SUPPLIERS)
}

/// Importing suppliers is for those who keep the catalog.
static SUPPLIERS: SheetImport = SheetImport {
    list_path: "/suppliers",
    page_path: "/suppliers/import",
    api_path: "/api/v1/imports/suppliers",
    permission: Action::WriteCatalog,
    section: "supplier_import",
    column_label,
    created: CreatedFields {
        code_field: "code",
        name_field: "name",
        code_label: "supplier_import.column_code",
        name_label: "supplier_import.column_name",
    },
};

/// A column's label: `supplier_import.column_<key>`, or the key when it is none of the file's.
fn column_label(column: &str, t: Texts) -> String {
    let key = format!("supplier_import.column_{column}");
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
        let checked = sheet_import::assert_labelled(&SUPPLIERS);
        let columns = ["code", "name", "country", "currency", "lead_time_days", "contact_name", "contact_email"];
        for column in columns.into_iter().chain(["contact_phone"]) {
            assert_ne!(column_label(column, Texts::new(Lang::Vi)), column, "{column}");
            assert_ne!(column_label(column, Texts::new(Lang::En)), column, "{column}");
        }
        assert!(checked > 15, "the labels were read: {checked}");
    }
}
