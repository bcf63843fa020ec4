//! Warranty: two units the demo sold come back under warranty. A microscope with a damaged
//! objective is exchanged from stock and its case closed; a tachometer that reads wrong is at its
//! supplier for repair under an RMA number, waiting to come back. Each case is found again by its
//! complaint and taken only from the state it is in, so loading twice adds nothing.

use anyhow::Context;
use atq_proto::accountingwarehouse::v1::ListSerialsRequest;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::common::v1::PageRequest;
use atq_proto::importplanning::v1::warranty_client::WarrantyClient;
use atq_proto::importplanning::v1::{
    CloseCaseRequest, DecideCaseRequest, DiagnoseCaseRequest, ListCasesRequest, OpenCaseRequest, ShipToSupplierRequest,
    WarrantyCase,
};
use tonic::transport::Channel;

use super::catalog::Catalog;
use super::stock::{WAREHOUSES, pick_serials};
use super::{Services, import_officer, warehouse_keeper};

/// How far a demo case goes after its diagnosis.
enum Outcome {
    /// Exchanged for a good unit from the delivering warehouse, then closed with this resolution.
    ExchangedAndClosed(&'static str),
    /// Sent to the supplier for repair under this RMA number; still there.
    AtSupplier(&'static str),
}

struct DemoCase {
    idempotency_key: &'static str,
    model: &'static str,
    complaint: &'static str,
    diagnosis: &'static str,
    outcome: Outcome,
}

const CASES: [DemoCase; 2] = [
    DemoCase {
        idempotency_key: "demo-warranty-1",
        model: "HL-MC100",
        complaint: "Kính hiển vi bị mờ ở vật kính 40x ngay khi mở hộp",
        diagnosis: "Vật kính 40x lệch tâm do va đập khi vận chuyển; không sửa được tại chỗ",
        outcome: Outcome::ExchangedAndClosed(
            "Đã đổi kính hiển vi mới cùng model cho khách, bảo hành theo thời hạn còn lại",
        ),
    },
    DemoCase {
        idempotency_key: "demo-warranty-2",
        model: "DT-2236",
        complaint: "Máy đo tốc độ vòng quay báo sai số lớn ở dải trên 10.000 vòng/phút",
        diagnosis: "Cảm biến quang hỏng, cần nhà sản xuất thay và hiệu chuẩn lại",
        outcome: Outcome::AtSupplier("RMA-CHK-26-0142"),
    },
];

type Client = WarrantyClient<Channel>;

pub async fn load(services: &Services, catalog: &Catalog) -> anyhow::Result<()> {
    let client = WarrantyClient::new(services.planning.clone());
    for demo in &CASES {
        let case = match existing_case(services, &client, demo.complaint).await? {
            Some(case) => case,
            None => open(services, &client, catalog, demo).await?,
        };
        advance(services, &client, demo, case).await.with_context(|| format!("demo warranty case {}", demo.model))?;
    }
    Ok(())
}

/// The demo case already opened for this complaint, if any.
async fn existing_case(services: &Services, client: &Client, complaint: &str) -> anyhow::Result<Option<WarrantyCase>> {
    let message =
        ListCasesRequest { page: Some(PageRequest { limit: 500, cursor: String::new() }), ..Default::default() };
    let listed = services
        .call(client, &import_officer(), None, message, |mut c, r| async move { c.list_cases(r).await })
        .await
        .context("demo warranty cases")?;
    Ok(listed.items.into_iter().find(|case| case.complaint == complaint))
}

/// The first unit of the model with a customer, by warehouse then serial number.
async fn sold_serial(services: &Services, product_id: i64) -> anyhow::Result<String> {
    let client = WarehouseClient::new(services.accounts.clone());
    for warehouse in WAREHOUSES {
        let message = ListSerialsRequest { product_id, warehouse: warehouse as i32 };
        let units = services
            .call(&client, &warehouse_keeper(), None, message, |mut c, r| async move { c.list_serials(r).await })
            .await
            .context("demo serials sold")?;
        let mut sold: Vec<String> =
            units.items.into_iter().filter(|u| u.status == "issued").map(|u| u.serial).collect();
        sold.sort();
        if let Some(serial) = sold.into_iter().next() {
            return Ok(serial);
        }
    }
    anyhow::bail!("the demo sold no unit of product {product_id}")
}

async fn open(
    services: &Services,
    client: &Client,
    catalog: &Catalog,
    demo: &DemoCase,
) -> anyhow::Result<WarrantyCase> {
    let product_id = catalog.item(demo.model)?.id;
    let serial = sold_serial(services, product_id).await?;
    let message = OpenCaseRequest { serial, product_id, complaint: demo.complaint.into(), ..Default::default() };
    let key = Some(demo.idempotency_key);
    services
        .call(client, &import_officer(), key, message, |mut c, r| async move { c.open_case(r).await })
        .await
        .with_context(|| format!("opening the demo warranty case on {}", demo.model))
}

/// Takes the case from its state to the demo's end: diagnosed, decided, then closed or sent away.
async fn advance(services: &Services, client: &Client, demo: &DemoCase, mut case: WarrantyCase) -> anyhow::Result<()> {
    let officer = import_officer();
    if case.status == "open" {
        let message = DiagnoseCaseRequest { id: case.id, diagnosis: demo.diagnosis.into() };
        case =
            services.call(client, &officer, None, message, |mut c, r| async move { c.diagnose_case(r).await }).await?;
    }
    if case.status == "diagnosed" {
        let message = decision(services, demo, &case).await?;
        case = services.call(client, &officer, None, message, |mut c, r| async move { c.decide_case(r).await }).await?;
    }
    if case.status != "decided" {
        return Ok(());
    }
    match demo.outcome {
        Outcome::ExchangedAndClosed(resolution) => {
            let message = CloseCaseRequest { id: case.id, resolution: resolution.into() };
            services.call(client, &officer, None, message, |mut c, r| async move { c.close_case(r).await }).await?;
        }
        Outcome::AtSupplier(rma_number) => {
            let message = ShipToSupplierRequest { id: case.id, rma_number: rma_number.into(), shipped_on: None };
            services
                .call(client, &officer, None, message, |mut c, r| async move { c.ship_to_supplier(r).await })
                .await?;
        }
    }
    Ok(())
}

/// An exchange takes the first good unit in the warehouse that delivered the faulty one.
async fn decision(services: &Services, demo: &DemoCase, case: &WarrantyCase) -> anyhow::Result<DecideCaseRequest> {
    let message = match demo.outcome {
        Outcome::ExchangedAndClosed(_) => {
            let replacement = pick_serials(services, case.product_id, case.office, 1).await?;
            DecideCaseRequest {
                id: case.id,
                decision: "exchange".into(),
                replacement_serial: replacement.into_iter().next().unwrap_or_default(),
                warehouse: case.office,
                replacement_warranty: "remaining".into(),
                ..Default::default()
            }
        }
        Outcome::AtSupplier(_) => {
            DecideCaseRequest { id: case.id, decision: "repair_at_supplier".into(), ..Default::default() }
        }
    };
    Ok(message)
}
