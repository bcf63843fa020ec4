//! Customers imported from a spreadsheet (CSV or Excel): the check, the import and the template,
//! as every sheet import does them (`pages/sheet_import.rs`); this file says what sets customers
//! apart.

use atq_platform::caller::Action;
use axum::Router;

use crate::UiState;
use crate::i18n::Texts;
use crate::pages::sheet_import::{self, CreatedFields, SheetImport};

pub fn router() -> Router<UiState> {
    sheet_import::router(&CUSTOMERS)
}

/// Importing customers is for those who may add them.
static CUSTOMERS: SheetImport = SheetImport {
    list_path: "/customers",
    page_path: "/customers/import",
    api_path: "/api/v1/imports/customers",
    permission: Action::WriteCustomers,
    section: "customer_import",
    column_label,
    created: CreatedFields {
        code_field: "code",
        name_field: "name",
        code_label: "customer_import.code",
        name_label: "customer_import.name",
    },
};

/// The API's column keys and the labels the customer form already gives them.
const COLUMN_LABELS: [(&str, &str); 12] = [
    ("name", "customers.name"),
    ("group", "customers.group"),
    ("phone", "customers.phone"),
    ("email", "customers.email"),
    ("address", "customers.address"),
    ("office", "customers.office"),
    ("tax_code", "customers.tax_code"),
    ("assigned_to", "customers.assigned_to"),
    ("contact_name", "customer_import.contact_name"),
    ("contact_position", "customer_import.contact_position"),
    ("contact_phone", "customer_import.contact_phone"),
    ("contact_email", "customer_import.contact_email"),
];

fn column_label(column: &str, t: Texts) -> String {
    match COLUMN_LABELS.iter().find(|(key, _)| *key == column) {
        Some((_, label)) => t.get(label).to_owned(),
        None => column.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_column_is_named_by_the_customer_form_label() {
        assert_eq!(column_label("phone", Texts::new(Lang::En)), "Phone");
        assert_eq!(column_label("row", Texts::new(Lang::En)), "row");
    }

    /// The labels these screens name are in both catalogs (the shared check reads a list of
    /// sources that these files are not on).
    #[test]
    fn every_label_of_these_screens_is_in_both_catalogs() {
        let sources = [
            include_str!("import.rs"),
            include_str!("../stock/transfers.rs"),
            include_str!("../stock/counts.rs"),
            include_str!("../../../templates/stock_transfer_form.html"),
            include_str!("../../../templates/stock_transfer.html"),
            include_str!("../../../templates/stock_count_form.html"),
            include_str!("../../../templates/stock_count.html"),
        ];
        let namespaces =
            ["customer_import", "transfers", "counts", "customers", "documents", "stock", "common", "quotes"];
        let mut checked = sheet_import::assert_labelled(&CUSTOMERS);
        for literal in sources.iter().flat_map(|source| source.split('"').skip(1).step_by(2)) {
            let Some((namespace, name)) = literal.split_once('.') else { continue };
            if !namespaces.contains(&namespace)
                || name.is_empty()
                || name == "html"
                || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                continue;
            }
            for lang in [Lang::Vi, Lang::En] {
                assert_ne!(Texts::new(lang).get(literal), literal, "{literal} in {lang:?}");
            }
            checked += 1;
        }
        assert!(checked > 50, "the sources were read: {checked}");
    }
}
