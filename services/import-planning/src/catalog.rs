//! Suppliers and products as the import-export department keeps them: their fields with the
//! checks, and their creation and changes, each announced on the feed.

use atq_platform::currency::parse_currency;
use atq_platform::error::Result;
use atq_platform::validation::{Violations, optional_email, optional_text, required_text};
use atq_platform::{Backend, Error, Tx, outbox};
use atq_proto::importplanning::v1 as pb;

use crate::product_store::{self, ProductRow};
use crate::supplier_store::{self, SupplierRow};

/// Words used on the REST side and in the database, in the order of the wire enum.
pub const CATEGORIES: [(pb::ProductCategory, &str); 8] = [
    (pb::ProductCategory::Physics, "physics"),
    (pb::ProductCategory::Chemistry, "chemistry"),
    (pb::ProductCategory::Biology, "biology"),
    (pb::ProductCategory::Electrical, "electrical"),
    (pb::ProductCategory::ElectronicsTelecom, "electronics_telecom"),
    (pb::ProductCategory::It, "it"),
    (pb::ProductCategory::Automation, "automation"),
    (pb::ProductCategory::Environment, "environment"),
];

pub const BRAND_CLASSES: [(pb::BrandClass, &str); 2] = [(pb::BrandClass::Big, "big"), (pb::BrandClass::Small, "small")];

/// Output VAT rates on goods in Việt Nam, in basis points.
pub const VAT_RATES_BP: [i32; 3] = [1000, 800, 500];

pub fn category_word(value: i32) -> Option<&'static str> {
    CATEGORIES.iter().find(|(c, _)| *c as i32 == value).map(|(_, w)| *w)
}

pub fn category_from_word(word: &str) -> Option<pb::ProductCategory> {
    CATEGORIES.iter().find(|(_, w)| *w == word).map(|(c, _)| *c)
}

pub fn brand_class_word(value: i32) -> Option<&'static str> {
    BRAND_CLASSES.iter().find(|(c, _)| *c as i32 == value).map(|(_, w)| *w)
}

pub fn brand_class_from_word(word: &str) -> Option<pb::BrandClass> {
    BRAND_CLASSES.iter().find(|(_, w)| *w == word).map(|(c, _)| *c)
}

fn parse_category(value: i32) -> Result<&'static str, String> {
    category_word(value)
        .ok_or_else(|| format!("must be one of {}", CATEGORIES.iter().map(|(_, w)| *w).collect::<Vec<_>>().join(", ")))
}

fn parse_brand_class(value: i32) -> Result<&'static str, String> {
    brand_class_word(value).ok_or_else(|| "must be big or small".to_owned())
}

fn parse_country(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err("must be a two-letter ISO 3166 country code, e.g. US, FR, JP".into())
    }
}

fn parse_lead_time(days: i32) -> Result<i64, String> {
    if (1..=365).contains(&days) { Ok(i64::from(days)) } else { Err("must be 1 to 365 days".into()) }
}

/// HS/AHTN codes are written with dots ("9023.00.00"); six or eight digits are kept.
fn parse_hs_code(text: &str) -> Result<String, String> {
    let digits: String = text.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if (digits.len() == 6 || digits.len() == 8) && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err("must be a 6- or 8-digit HS code, e.g. 9023.00.00".into())
    }
}

fn parse_model_code(text: &str) -> Result<String, String> {
    let code = required_text(text, 64)?;
    if code.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        Ok(code)
    } else {
        Err("must be letters, digits and punctuation without accents".into())
    }
}

fn parse_warranty(months: i32) -> Result<i64, String> {
    if (0..=120).contains(&months) { Ok(i64::from(months)) } else { Err("must be 0 to 120 months".into()) }
}

fn parse_price(amount: i64) -> Result<i64, String> {
    if (0..=10_000_000_000_000).contains(&amount) {
        Ok(amount)
    } else {
        Err("must be 0 to 10,000 billion đồng".into())
    }
}

fn parse_vat(bp: i32) -> Result<i64, String> {
    if VAT_RATES_BP.contains(&bp) { Ok(i64::from(bp)) } else { Err("must be 0.10, 0.08 or 0.05".into()) }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupplierFields {
    pub name: String,
    pub country: String,
    pub currency: String,
    pub lead_time_days: i64,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
}

impl SupplierFields {
    pub fn parse_new(input: &pb::CreateSupplierRequest) -> Result<SupplierFields, Error> {
        let mut v = Violations::new();
        let fields = SupplierFields {
            name: v.check("name", required_text(&input.name, 200)).unwrap_or_default(),
            country: v.check("country", parse_country(&input.country)).unwrap_or_default(),
            currency: v.check("currency", parse_currency(&input.currency)).unwrap_or_default(),
            lead_time_days: v.check("lead_time_days", parse_lead_time(input.lead_time_days)).unwrap_or_default(),
            contact_name: v.check("contact_name", optional_text(&input.contact_name, 200)).unwrap_or_default(),
            contact_email: v.check("contact_email", optional_email(&input.contact_email)).unwrap_or_default(),
            contact_phone: v.check("contact_phone", optional_text(&input.contact_phone, 40)).unwrap_or_default(),
        };
        v.finish()?;
        Ok(fields)
    }

    pub fn patched(&self, input: &pb::UpdateSupplierRequest) -> Result<SupplierFields, Error> {
        let mut v = Violations::new();
        let mut next = self.clone();
        patch(&mut v, &mut next.name, "name", input.name.as_deref().map(|t| required_text(t, 200)));
        patch(&mut v, &mut next.country, "country", input.country.as_deref().map(parse_country));
        patch(&mut v, &mut next.currency, "currency", input.currency.as_deref().map(parse_currency));
        patch(&mut v, &mut next.lead_time_days, "lead_time_days", input.lead_time_days.map(parse_lead_time));
        patch(
            &mut v,
            &mut next.contact_name,
            "contact_name",
            input.contact_name.as_deref().map(|t| optional_text(t, 200)),
        );
        patch(&mut v, &mut next.contact_email, "contact_email", input.contact_email.as_deref().map(optional_email));
        patch(
            &mut v,
            &mut next.contact_phone,
            "contact_phone",
            input.contact_phone.as_deref().map(|t| optional_text(t, 40)),
        );
        v.finish()?;
        Ok(next)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductFields {
    pub model_code: String,
    pub name_vi: String,
    pub name_en: String,
    pub category: &'static str,
    pub brand: String,
    pub brand_class: &'static str,
    pub supplier_id: i64,
    pub unit: String,
    pub hs_code: String,
    pub warranty_months: i64,
    pub serial_tracked: bool,
    pub list_price: i64,
    pub vat_rate_bp: i64,
}

impl ProductFields {
    pub fn parse_new(input: &pb::CreateProductRequest) -> Result<ProductFields, Error> {
        let mut v = Violations::new();
        let fields = ProductFields {
            model_code: v.check("model_code", parse_model_code(&input.model_code)).unwrap_or_default(),
            name_vi: v.check("name_vi", required_text(&input.name_vi, 300)).unwrap_or_default(),
            name_en: v.check("name_en", optional_text(&input.name_en, 300)).unwrap_or_default(),
            category: v.check("category", parse_category(input.category)).unwrap_or_default(),
            brand: v.check("brand", required_text(&input.brand, 100)).unwrap_or_default(),
            brand_class: v.check("brand_class", parse_brand_class(input.brand_class)).unwrap_or_default(),
            supplier_id: v.check("supplier_id", positive_id(input.supplier_id)).unwrap_or_default(),
            unit: v.check("unit", required_text(&input.unit, 20)).unwrap_or_default(),
            hs_code: v.check("hs_code", parse_hs_code(&input.hs_code)).unwrap_or_default(),
            warranty_months: v.check("warranty_months", parse_warranty(input.warranty_months)).unwrap_or_default(),
            serial_tracked: input.serial_tracked,
            list_price: v.check("list_price", parse_price(input.list_price)).unwrap_or_default(),
            vat_rate_bp: v.check("vat_rate", parse_vat(input.vat_rate_bp)).unwrap_or_default(),
        };
        v.finish()?;
        Ok(fields)
    }

    pub fn patched(&self, input: &pb::UpdateProductRequest) -> Result<ProductFields, Error> {
        let mut v = Violations::new();
        let mut next = self.clone();
        patch(&mut v, &mut next.model_code, "model_code", input.model_code.as_deref().map(parse_model_code));
        patch(&mut v, &mut next.name_vi, "name_vi", input.name_vi.as_deref().map(|t| required_text(t, 300)));
        patch(&mut v, &mut next.name_en, "name_en", input.name_en.as_deref().map(|t| optional_text(t, 300)));
        patch(&mut v, &mut next.category, "category", input.category.map(parse_category));
        patch(&mut v, &mut next.brand, "brand", input.brand.as_deref().map(|t| required_text(t, 100)));
        patch(&mut v, &mut next.brand_class, "brand_class", input.brand_class.map(parse_brand_class));
        patch(&mut v, &mut next.supplier_id, "supplier_id", input.supplier_id.map(positive_id));
        patch(&mut v, &mut next.unit, "unit", input.unit.as_deref().map(|t| required_text(t, 20)));
        patch(&mut v, &mut next.hs_code, "hs_code", input.hs_code.as_deref().map(parse_hs_code));
        patch(&mut v, &mut next.warranty_months, "warranty_months", input.warranty_months.map(parse_warranty));
        patch(&mut v, &mut next.serial_tracked, "serial_tracked", input.serial_tracked.map(Ok));
        patch(&mut v, &mut next.list_price, "list_price", input.list_price.map(parse_price));
        patch(&mut v, &mut next.vat_rate_bp, "vat_rate", input.vat_rate_bp.map(parse_vat));
        v.finish()?;
        Ok(next)
    }
}

fn positive_id(id: i64) -> Result<i64, String> {
    if id > 0 { Ok(id) } else { Err("is required".into()) }
}

/// Sets `slot` when the field was sent and is valid; records the problem when it is not.
fn patch<T>(v: &mut Violations, slot: &mut T, field: &str, sent: Option<Result<T, String>>) {
    if let Some(value) = sent.and_then(|parsed| v.check(field, parsed)) {
        *slot = value;
    }
}

/// A new supplier, stored under `code` (an import keeps the old system's) or the series' next,
/// and announced.
pub async fn create_supplier(
    tx: &mut Tx,
    backend: Backend,
    fields: &SupplierFields,
    code: Option<&str>,
    by: &str,
) -> Result<SupplierRow> {
    let row = supplier_store::insert(tx, fields, code).await?;
    record_supplier(tx, backend, &row, by).await?;
    Ok(row)
}

/// A supplier's fields patched at the version the caller read; announced when anything changed.
pub async fn update_supplier(
    tx: &mut Tx,
    backend: Backend,
    input: &pb::UpdateSupplierRequest,
    by: &str,
) -> Result<SupplierRow> {
    let current = supplier_store::find(&mut **tx, input.id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("supplier {}", input.id)))?;
    Error::unless_stale(input.expected_version, current.version)?;
    let next = current.fields.patched(input)?;
    if next == current.fields {
        return Ok(current);
    }
    let row = supplier_store::update(tx, &current, next).await?;
    record_supplier(tx, backend, &row, by).await?;
    Ok(row)
}

async fn record_supplier(tx: &mut Tx, backend: Backend, row: &SupplierRow, by: &str) -> Result<()> {
    let event = pb::SupplierChanged { supplier: Some(row.to_proto()), changed_by: by.to_owned() };
    outbox::record(tx, backend, "supplier", &row.id.to_string(), &event).await
}

/// A new product, stored and announced.
pub async fn create_product(tx: &mut Tx, backend: Backend, fields: &ProductFields, by: &str) -> Result<ProductRow> {
    let row = product_store::insert(tx, fields).await?;
    record_product(tx, backend, &row, by).await?;
    Ok(row)
}

/// A product's fields patched at the version the caller read; announced when anything changed.
pub async fn update_product(
    tx: &mut Tx,
    backend: Backend,
    input: &pb::UpdateProductRequest,
    by: &str,
) -> Result<ProductRow> {
    let current = product_store::find(&mut **tx, input.id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("product {}", input.id)))?;
    Error::unless_stale(input.expected_version, current.version)?;
    let next = current.fields.patched(input)?;
    if next == current.fields {
        return Ok(current);
    }
    let row = product_store::update(tx, &current, next).await?;
    record_product(tx, backend, &row, by).await?;
    Ok(row)
}

async fn record_product(tx: &mut Tx, backend: Backend, row: &ProductRow, by: &str) -> Result<()> {
    let event = pb::ProductChanged { product: Some(row.to_proto()), changed_by: by.to_owned() };
    outbox::record(tx, backend, "product", &row.id.to_string(), &event).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viscometer() -> pb::CreateProductRequest {
        pb::CreateProductRequest {
            model_code: "Model 35SA".into(),
            name_vi: "Máy đo độ nhớt Fann 35".into(),
            name_en: "Fann 35 viscometer".into(),
            category: pb::ProductCategory::Chemistry as i32,
            brand: "Fann".into(),
            brand_class: pb::BrandClass::Big as i32,
            supplier_id: 2,
            unit: "bộ".into(),
            hs_code: "9027.80.30".into(),
            warranty_months: 12,
            serial_tracked: true,
            list_price: 285_000_000,
            vat_rate_bp: 1000,
        }
    }

    #[test]
    fn a_product_is_checked_and_normalised() {
        let fields = ProductFields::parse_new(&viscometer()).unwrap();
        assert_eq!(fields.hs_code, "90278030");
        assert_eq!(fields.category, "chemistry");
        assert_eq!(fields.vat_rate_bp, 1000);
    }

    #[test]
    fn every_bad_product_field_is_named() {
        let bad = pb::CreateProductRequest {
            category: 0,
            supplier_id: 0,
            hs_code: "12".into(),
            vat_rate_bp: 900,
            list_price: -1,
            ..viscometer()
        };
        let Error::Invalid(fields) = ProductFields::parse_new(&bad).unwrap_err() else {
            panic!("expected field errors")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["category", "supplier_id", "hs_code", "list_price", "vat_rate"]);
    }

    #[test]
    fn a_patch_changes_only_what_was_sent() {
        let before = ProductFields::parse_new(&viscometer()).unwrap();
        let update = pb::UpdateProductRequest { list_price: Some(290_000_000), ..Default::default() };
        let after = before.patched(&update).unwrap();
        assert_eq!(after.list_price, 290_000_000);
        assert_eq!(after.model_code, before.model_code);
        let bad = pb::UpdateProductRequest { vat_rate_bp: Some(7), ..Default::default() };
        assert!(before.patched(&bad).is_err());
    }

    #[test]
    fn suppliers_need_a_known_currency_and_a_lead_time() {
        let input = pb::CreateSupplierRequest {
            name: "Fann Instrument".into(),
            country: "fr".into(),
            currency: "eur".into(),
            lead_time_days: 42,
            ..Default::default()
        };
        let fields = SupplierFields::parse_new(&input).unwrap();
        assert_eq!((fields.country.as_str(), fields.currency.as_str()), ("FR", "EUR"));
        let bad = pb::CreateSupplierRequest { currency: "XYZ".into(), lead_time_days: 0, ..input };
        assert!(SupplierFields::parse_new(&bad).is_err());
    }
}
