//! Demo suppliers and products, entered through the catalog service by the import officer, each
//! under a fixed idempotency key so that loading twice adds nothing. School teaching sets carry
//! the reduced 5% VAT; other equipment 10%.

use std::collections::HashMap;

use anyhow::Context;
use atq_platform::{Caller, InternalKey, grpc_client};
use atq_proto::importplanning::v1::catalog_client::CatalogClient;
use atq_proto::importplanning::v1::{BrandClass, CreateProductRequest, CreateSupplierRequest, ProductCategory};
use tonic::transport::Channel;

/// name, country, currency, lead time (days), contact, email
const SUPPLIERS: &[(&str, &str, &str, i32, &str, &str)] = &[
    ("Cortest Inc.", "US", "USD", 56, "Export sales", "sales@cortest.example"),
    ("Fann Instrument", "FR", "EUR", 42, "Service export", "export@fann.example"),
    ("Checkline", "US", "USD", 35, "International sales", "intl@checkline.example"),
    ("Tokyo Keiki Inc.", "JP", "JPY", 49, "Overseas division", "overseas@tokyokeiki.example"),
    ("PHYWE Systeme GmbH", "DE", "EUR", 42, "Asia desk", "asia@phywe.example"),
    ("Feedback Instruments Ltd", "GB", "GBP", 60, "Export office", "export@feedback.example"),
    ("Lucas-Nülle GmbH", "DE", "EUR", 70, "Project sales", "projects@lucas-nuelle.example"),
    ("Hangzhou Lab Instruments Co., Ltd.", "CN", "CNY", 21, "Foreign trade", "trade@hzlab.example"),
    ("ED Co., Ltd.", "KR", "KRW", 30, "Overseas sales", "sales@ed.example"),
];

struct DemoProduct {
    model: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
    category: ProductCategory,
    brand: &'static str,
    class: BrandClass,
    /// Index into SUPPLIERS.
    supplier: usize,
    unit: &'static str,
    hs_code: &'static str,
    warranty_months: i32,
    serial_tracked: bool,
    list_price: i64,
    vat_rate_bp: i32,
}

use BrandClass::{Big, Small};
use ProductCategory::{Automation, Biology, Chemistry, Electrical, ElectronicsTelecom, Environment, It, Physics};

#[rustfmt::skip]
const PRODUCTS: &[DemoProduct] = &[
    DemoProduct { model: "CLT-100", name_vi: "Máy thử tải trọng không đổi", name_en: "Constant load tester", category: Physics, brand: "Cortest", class: Big, supplier: 0, unit: "bộ", hs_code: "9024.80.10", warranty_months: 24, serial_tracked: true, list_price: 450_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "PR-1", name_vi: "Vòng thử ứng suất", name_en: "Proof ring", category: Physics, brand: "Cortest", class: Big, supplier: 0, unit: "cái", hs_code: "9024.80.10", warranty_months: 12, serial_tracked: true, list_price: 85_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "Model 35SA", name_vi: "Máy đo độ nhớt Fann 35", name_en: "Fann 35 viscometer", category: Chemistry, brand: "Fann", class: Big, supplier: 1, unit: "bộ", hs_code: "9027.80.30", warranty_months: 12, serial_tracked: true, list_price: 285_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "LPLT 300", name_vi: "Bộ lọc ép API", name_en: "API filter press", category: Chemistry, brand: "Fann", class: Big, supplier: 1, unit: "bộ", hs_code: "8421.29.90", warranty_months: 12, serial_tracked: false, list_price: 120_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "DT-2236", name_vi: "Máy đo tốc độ vòng quay", name_en: "Digital tachometer", category: Electrical, brand: "Checkline", class: Big, supplier: 2, unit: "cái", hs_code: "9029.20.00", warranty_months: 12, serial_tracked: true, list_price: 9_500_000, vat_rate_bp: 1000 },
    DemoProduct { model: "TI-007", name_vi: "Máy đo độ dày siêu âm", name_en: "Ultrasonic thickness gauge", category: Physics, brand: "Checkline", class: Big, supplier: 2, unit: "cái", hs_code: "9031.80.90", warranty_months: 12, serial_tracked: true, list_price: 38_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "UFL-30", name_vi: "Lưu lượng kế siêu âm", name_en: "Ultrasonic flowmeter", category: Environment, brand: "Tokyo Keiki", class: Big, supplier: 3, unit: "bộ", hs_code: "9026.10.30", warranty_months: 18, serial_tracked: true, list_price: 165_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "SQP-21", name_vi: "Bơm cánh gạt thủy lực", name_en: "Hydraulic vane pump", category: Automation, brand: "Tokyo Keiki", class: Big, supplier: 3, unit: "cái", hs_code: "8413.60.90", warranty_months: 12, serial_tracked: false, list_price: 42_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "P2130101", name_vi: "Bộ thí nghiệm định luật Ohm", name_en: "Ohm's law experiment set", category: Physics, brand: "PHYWE", class: Big, supplier: 4, unit: "bộ", hs_code: "9023.00.00", warranty_months: 12, serial_tracked: false, list_price: 24_500_000, vat_rate_bp: 500 },
    DemoProduct { model: "P2540101", name_vi: "Bộ thí nghiệm quang học cơ bản", name_en: "Basic optics kit", category: Physics, brand: "PHYWE", class: Big, supplier: 4, unit: "bộ", hs_code: "9023.00.00", warranty_months: 12, serial_tracked: false, list_price: 32_000_000, vat_rate_bp: 500 },
    DemoProduct { model: "EEC470", name_vi: "Hệ thống huấn luyện viễn thông số", name_en: "Digital telecoms trainer", category: ElectronicsTelecom, brand: "Feedback", class: Big, supplier: 5, unit: "hệ", hs_code: "9023.00.00", warranty_months: 24, serial_tracked: true, list_price: 210_000_000, vat_rate_bp: 500 },
    DemoProduct { model: "IMS 1", name_vi: "Hệ thống sản xuất linh hoạt IMS", name_en: "Industrial mechatronics system", category: Automation, brand: "Lucas-Nülle", class: Big, supplier: 6, unit: "hệ", hs_code: "9023.00.00", warranty_months: 24, serial_tracked: true, list_price: 780_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "HL-DS2000", name_vi: "Tủ sấy phòng thí nghiệm", name_en: "Laboratory drying oven", category: Chemistry, brand: "Hangzhou Lab", class: Small, supplier: 7, unit: "cái", hs_code: "8419.39.19", warranty_months: 12, serial_tracked: true, list_price: 18_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "HL-MC100", name_vi: "Kính hiển vi sinh học hai mắt", name_en: "Binocular biological microscope", category: Biology, brand: "Hangzhou Lab", class: Small, supplier: 7, unit: "cái", hs_code: "9011.80.00", warranty_months: 12, serial_tracked: true, list_price: 12_500_000, vat_rate_bp: 500 },
    DemoProduct { model: "HL-WQ5", name_vi: "Máy đo chất lượng nước đa chỉ tiêu", name_en: "Multi-parameter water quality meter", category: Environment, brand: "Hangzhou Lab", class: Small, supplier: 7, unit: "cái", hs_code: "9027.80.30", warranty_months: 12, serial_tracked: true, list_price: 68_000_000, vat_rate_bp: 1000 },
    DemoProduct { model: "ED-2960", name_vi: "Bộ thực hành vi xử lý", name_en: "Microprocessor trainer", category: It, brand: "ED", class: Small, supplier: 8, unit: "bộ", hs_code: "9023.00.00", warranty_months: 12, serial_tracked: true, list_price: 56_000_000, vat_rate_bp: 500 },
    DemoProduct { model: "ED-4200", name_vi: "Bộ thực hành điện tử cơ bản", name_en: "Basic electronics trainer", category: ElectronicsTelecom, brand: "ED", class: Small, supplier: 8, unit: "bộ", hs_code: "9023.00.00", warranty_months: 12, serial_tracked: false, list_price: 48_000_000, vat_rate_bp: 500 },
];

/// A demo product as later steps need it.
#[derive(Clone, Copy, Debug)]
pub struct Item {
    pub id: i64,
    pub supplier_id: i64,
    pub serial_tracked: bool,
    pub list_price: i64,
}

/// The demo catalog by model code.
pub struct Catalog(HashMap<&'static str, Item>);

impl Catalog {
    pub fn item(&self, model: &str) -> anyhow::Result<Item> {
        self.0.get(model).copied().with_context(|| format!("demo product {model} is not in the catalog"))
    }

    pub fn is_serial_tracked(&self, product_id: i64) -> bool {
        self.0.values().any(|item| item.id == product_id && item.serial_tracked)
    }

    /// Every demo product with its model code, in the catalog's order.
    pub fn items(&self) -> Vec<(&'static str, Item)> {
        PRODUCTS.iter().filter_map(|p| self.0.get(p.model).map(|item| (p.model, *item))).collect()
    }
}

/// The demo suppliers' ids, in SUPPLIERS order.
async fn suppliers(client: &CatalogClient<Channel>, key: &InternalKey, officer: &Caller) -> anyhow::Result<Vec<i64>> {
    let mut supplier_ids = Vec::with_capacity(SUPPLIERS.len());
    for (index, (name, country, currency, lead_time_days, contact_name, contact_email)) in SUPPLIERS.iter().enumerate()
    {
        let message = CreateSupplierRequest {
            name: (*name).into(),
            country: (*country).into(),
            currency: (*currency).into(),
            lead_time_days: *lead_time_days,
            contact_name: (*contact_name).into(),
            contact_email: (*contact_email).into(),
            contact_phone: String::new(),
        };
        let key_text = format!("demo-supplier-{}", index + 1);
        let supplier = grpc_client::with_retry(|| {
            let mut client = client.clone();
            let request = grpc_client::request(message.clone(), key, officer, Some(&key_text));
            async move { client.create_supplier(request).await }
        })
        .await
        .with_context(|| format!("demo supplier {name}"))?;
        supplier_ids.push(supplier.into_inner().id);
    }
    Ok(supplier_ids)
}

pub async fn load(channel: Channel, key: &InternalKey) -> anyhow::Result<Catalog> {
    let client = CatalogClient::new(channel);
    let officer = crate::demo::import_officer();
    let supplier_ids = suppliers(&client, key, &officer).await?;
    let mut items = HashMap::new();
    for (index, product) in PRODUCTS.iter().enumerate() {
        let message = CreateProductRequest {
            model_code: product.model.into(),
            name_vi: product.name_vi.into(),
            name_en: product.name_en.into(),
            category: product.category as i32,
            brand: product.brand.into(),
            brand_class: product.class as i32,
            supplier_id: *supplier_ids.get(product.supplier).context("demo product's supplier")?,
            unit: product.unit.into(),
            hs_code: product.hs_code.into(),
            warranty_months: product.warranty_months,
            serial_tracked: product.serial_tracked,
            list_price: product.list_price,
            vat_rate_bp: product.vat_rate_bp,
        };
        let key_text = format!("demo-product-{}", index + 1);
        let created = grpc_client::with_retry(|| {
            let mut client = client.clone();
            let request = grpc_client::request(message.clone(), key, &officer, Some(&key_text));
            async move { client.create_product(request).await }
        })
        .await
        .with_context(|| format!("demo product {}", product.model))?
        .into_inner();
        let item = Item {
            id: created.id,
            supplier_id: created.supplier_id,
            serial_tracked: created.serial_tracked,
            list_price: created.list_price,
        };
        items.insert(product.model, item);
    }
    Ok(Catalog(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_product_names_a_demo_supplier() {
        assert!(PRODUCTS.iter().all(|p| p.supplier < SUPPLIERS.len()));
    }
}
