//! Demo import planning: supply terms for a few products, the schedules of three signed project
//! contracts (one of which cannot make its first date), and supplier orders at every stage before
//! arrival, so the plans, the proposals and a late line show from the first minute. Dates count
//! from today; a plan submitted again for its contract re-plans it and adds nothing.

use anyhow::Context;
use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::importplanning::v1::import_plans_client::ImportPlansClient;
use atq_proto::importplanning::v1::purchase_orders_client::PurchaseOrdersClient;
use atq_proto::importplanning::v1::{
    AdvancePurchaseOrderRequest, CreatePurchaseOrderLine, CreatePurchaseOrderRequest, GetPurchaseOrderRequest,
    Milestone, PlanLineRequest, SetSupplyTermsRequest, SubmitImportPlanRequest, SupplyTerms,
};
use atq_proto::sales::v1::Contract;
use chrono::Days;

use super::{Catalog, Customer, Services, import_officer};

/// model, minimum order, pack size, reorder point, buffer days
const TERMS: &[(&str, i64, i64, i64, i32)] =
    &[("P2130101", 5, 5, 0, 21), ("P2540101", 5, 5, 0, 21), ("HL-MC100", 10, 10, 10, 18), ("EEC470", 1, 1, 0, 14)];

/// A contract's schedule: model, then (days from today, units) per milestone.
type Schedule = &'static [(&'static str, &'static [(u64, i64)])];

/// contract (index into the demo contracts), schedule. The first cannot have six trainers in 30
/// days: two are in stock, two on order, and their supplier needs 60 days for more.
const PLANS: &[(usize, Schedule)] = &[
    (3, &[("P2130101", &[(75, 20), (150, 20)]), ("P2540101", &[(150, 10)]), ("EEC470", &[(30, 6)])]),
    (0, &[("P2130101", &[(100, 10)]), ("HL-MC100", &[(60, 15)])]),
    (2, &[("UFL-30", &[(120, 2)]), ("HL-WQ5", &[(90, 3)])]),
];

/// How far a supplier order has gone.
const STAGES: &[&str] = &["draft", "sent", "confirmed", "shipped"];

/// A supplier order's lines: model, units, unit price in the supplier currency's minor unit.
type PurchaseLines = &'static [(&'static str, i64, i64)];

/// lines, stage reached
#[rustfmt::skip]
const PURCHASE_ORDERS: &[(PurchaseLines, &str)] = &[
    (&[("EEC470", 2, 520_000)], "sent"),
    (&[("P2130101", 20, 52_000), ("P2540101", 10, 68_000)], "confirmed"),
    (&[("HL-MC100", 20, 180_000)], "shipped"),
    (&[("PR-1", 2, 190_000)], "draft"),
];

pub async fn load(
    services: &Services,
    catalog: &Catalog,
    customers: &[Customer],
    contracts: &[Contract],
) -> anyhow::Result<()> {
    supply_terms(services, catalog).await?;
    let client = ImportPlansClient::new(services.planning.clone());
    let today = local_date(now_micros());
    for (contract_index, schedule) in PLANS {
        let contract = contracts.get(*contract_index).context("the demo contract of a plan")?;
        let customer = customers.iter().find(|c| c.id == contract.customer_id).context("the plan's customer")?;
        let mut lines = Vec::new();
        for (i, (model, milestones)) in schedule.iter().enumerate() {
            lines.push(PlanLineRequest {
                line_no: i as i32 + 1,
                product_id: catalog.item(model)?.id,
                milestones: milestones
                    .iter()
                    .map(|(days, quantity)| Milestone {
                        needed_by: Some(date_to_proto(today + Days::new(*days))),
                        quantity: *quantity,
                    })
                    .collect(),
            });
        }
        let message = SubmitImportPlanRequest {
            source_ref: contract.number.clone(),
            order_ref: String::new(),
            customer_id: customer.id,
            customer_name: customer.name.clone(),
            office: customer.office as i32,
            lines,
        };
        services
            .call(&client, &import_officer(), None, message, |mut c, r| async move { c.submit_import_plan(r).await })
            .await
            .with_context(|| format!("the import plan of {}", contract.number))?;
    }
    purchase_orders(services, catalog).await
}

async fn supply_terms(services: &Services, catalog: &Catalog) -> anyhow::Result<()> {
    let client = ImportPlansClient::new(services.planning.clone());
    let mut terms = Vec::new();
    for (model, min_order_quantity, pack_size, reorder_point, buffer_days) in TERMS {
        terms.push(SupplyTerms {
            product_id: catalog.item(model)?.id,
            min_order_quantity: *min_order_quantity,
            pack_size: *pack_size,
            reorder_point: *reorder_point,
            reorder_quantity: 0,
            buffer_days: *buffer_days,
        });
    }
    let message = SetSupplyTermsRequest { terms };
    services
        .call(&client, &import_officer(), None, message, |mut c, r| async move { c.set_supply_terms(r).await })
        .await
        .context("demo supply terms")?;
    Ok(())
}

async fn purchase_orders(services: &Services, catalog: &Catalog) -> anyhow::Result<()> {
    let client = PurchaseOrdersClient::new(services.planning.clone());
    let officer = import_officer();
    for (index, (lines, stage)) in PURCHASE_ORDERS.iter().enumerate() {
        let mut order_lines = Vec::new();
        let mut supplier_id = 0;
        for (model, quantity, unit_price) in lines.iter() {
            let item = catalog.item(model)?;
            supplier_id = item.supplier_id;
            order_lines.push(CreatePurchaseOrderLine {
                product_id: item.id,
                quantity: *quantity,
                unit_price: *unit_price,
            });
        }
        let message = CreatePurchaseOrderRequest {
            supplier_id,
            warehouse: WireOffice::Hcm as i32,
            note: "Đơn mua hàng mẫu".into(),
            lines: order_lines,
            from_proposals: false,
        };
        let key = format!("demo-purchase-order-{}", index + 1);
        let created = services
            .call(&client, &officer, Some(&key), message, |mut c, r| async move { c.create_purchase_order(r).await })
            .await
            .with_context(|| format!("demo supplier order {}", index + 1))?;
        let get = GetPurchaseOrderRequest { id: created.id };
        let order = services
            .call(&client, &officer, None, get, |mut c, r| async move { c.get_purchase_order(r).await })
            .await?;
        advance(services, &client, order.id, &order.status, stage).await?;
    }
    Ok(())
}

/// Moves a supplier order on, step by step, from `status` to `stage`.
async fn advance(
    services: &Services,
    client: &PurchaseOrdersClient<tonic::transport::Channel>,
    id: i64,
    status: &str,
    stage: &str,
) -> anyhow::Result<()> {
    let rank = |s: &str| STAGES.iter().position(|stage| *stage == s);
    let (Some(from), Some(to)) = (rank(status), rank(stage)) else { return Ok(()) };
    let today = local_date(now_micros());
    for next in from + 1..=to {
        let mut message = AdvancePurchaseOrderRequest { id, ..Default::default() };
        match STAGES.get(next).copied().unwrap_or_default() {
            "sent" => message.action = "send".into(),
            "confirmed" => {
                message.action = "confirm".into();
                message.ship_date = Some(date_to_proto(today + Days::new(21)));
            }
            _ => {
                message.action = "ship".into();
                message.arrival_date = Some(date_to_proto(today + Days::new(30)));
            }
        }
        services
            .call(client, &import_officer(), None, message, |mut c, r| async move { c.advance_purchase_order(r).await })
            .await
            .with_context(|| format!("advancing a demo supplier order to {}", STAGES.get(next).unwrap_or(&"")))?;
    }
    Ok(())
}
