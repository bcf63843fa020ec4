//! Opening stock imported from a spreadsheet (CSV or Excel): the check, the import and the
//! template, as every sheet import does them (`pages/sheet_import.rs`); this file says what sets
//! opening stock apart. The import writes opening receipts, one per warehouse, listed by number.

use atq_platform::caller::Action;
use axum::Router;

use crate::UiState;
use crate::i18n::Texts;
use crate::pages::sheet_import::{self, CreatedFields, SheetImport};

pub fn router() -> Router<UiState> {
    sheet_import::router(&OPENING_STOCK)
}

/// Importing opening stock is for those who receive goods (warehouse keepers, directors, admins).
static OPENING_STOCK: SheetImport = SheetImport {
    list_path: "/stock",
    page_path: "/stock/opening-import",
    api_path: "/api/v1/imports/stock",
    permission: Action::WriteStock,
    section: "opening_stock_import",
    column_label,
    created: CreatedFields {
        code_field: "number",
        name_field: "warehouse",
        code_label: "opening_stock_import.receipt",
        name_label: "opening_stock_import.column_warehouse",
    },
};

/// A column's label: `opening_stock_import.column_<key>`, or the key when it is none of the file's.
fn column_label(column: &str, t: Texts) -> String {
    let key = format!("opening_stock_import.column_{column}");
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
        let checked = sheet_import::assert_labelled(&OPENING_STOCK);
        for column in ["warehouse", "model_code", "quantity", "unit_cost", "serials"] {
            assert_ne!(column_label(column, Texts::new(Lang::Vi)), column, "{column}");
            assert_ne!(column_label(column, Texts::new(Lang::En)), column, "{column}");
        }
        assert!(checked > 15, "the labels were read: {checked}");
    }
}
