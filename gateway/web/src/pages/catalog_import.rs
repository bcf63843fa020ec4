//! Catalog products imported from a spreadsheet (CSV or Excel): the check, the import and the
//! template, as every sheet import does them (`pages/sheet_import.rs`); this file says what sets
//! products apart, and whether the products list offers the import.

use atq_platform::Role;
use atq_platform::caller::Action;
use axum::Router;

use crate::UiState;
use crate::i18n::Texts;
use crate::page::Chrome;
use crate::pages::sheet_import::{self, CreatedFields, SheetImport};

pub fn router() -> Router<UiState> {
    sheet_import::router(&PRODUCTS)
}

/// Importing products is for those who keep the catalog.
static PRODUCTS: SheetImport = SheetImport {
    list_path: "/products",
    page_path: "/products/import",
    api_path: "/api/v1/imports/products",
    permission: Action::WriteCatalog,
    section: "product_import",
    column_label,
    created: CreatedFields {
        code_field: "model_code",
        name_field: "name_vi",
        code_label: "product_import.column_model_code",
        name_label: "product_import.column_name_vi",
    },
};

/// The roles that may keep the catalog (`Action::WriteCatalog`).
const CATALOG_KEEPERS: [Role; 3] = [Role::ImportOfficer, Role::Director, Role::Admin];

/// Whether the products list offers the import: the page's chrome carries the caller's role as
/// its label, so the label is compared with those of the roles that keep the catalog.
pub fn offered_to(c: &Chrome) -> bool {
    CATALOG_KEEPERS.iter().any(|role| role.may(Action::WriteCatalog) && c.role == c.t.word("role", role.as_str()))
}

/// A column's label: `product_import.column_<key>`, or the key when it is none of the file's.
fn column_label(column: &str, t: Texts) -> String {
    let key = format!("product_import.column_{column}");
    let label = t.get(&key);
    if label == key { column.to_owned() } else { label.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_column_is_named_by_its_label_or_its_key() {
        assert_eq!(column_label("list_price", Texts::new(Lang::En)), "List price");
        assert_eq!(column_label("row", Texts::new(Lang::Vi)), "row");
    }

    /// The labels this screen names are in both catalogs, and so is every column of the file.
    #[test]
    fn every_label_of_this_screen_is_in_both_catalogs() {
        let checked = sheet_import::assert_labelled(&PRODUCTS);
        let columns = ["model_code", "name_vi", "name_en", "category", "brand", "brand_class", "supplier", "unit"];
        let more_columns = ["hs_code", "warranty_months", "serial_tracked", "list_price", "vat_rate"];
        for column in columns.into_iter().chain(more_columns) {
            assert_ne!(column_label(column, Texts::new(Lang::Vi)), column, "{column}");
            assert_ne!(column_label(column, Texts::new(Lang::En)), column, "{column}");
        }
        assert!(checked > 15, "the labels were read: {checked}");
    }

    /// Only the roles that keep the catalog are offered the import.
    #[test]
    fn the_catalog_keepers_are_those_who_may_write_the_catalog() {
        assert!(CATALOG_KEEPERS.iter().all(|role| role.may(PRODUCTS.permission)));
    }
}
