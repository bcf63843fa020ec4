//! Demo import planning: supply terms for a few products and one project contract whose schedule
//! has two milestones, so the plans, the proposals and a late line show from the first minute.
//! Dates count from today; submitting again re-plans and changes nothing.

use std::collections::HashMap;

use anyhow::Context;
use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::{Caller, InternalKey, grpc_client};
use atq_proto::common::v1::PageRequest;
use atq_proto::importplanning::v1::catalog_client::CatalogClient;
use atq_proto::importplanning::v1::import_plans_client::ImportPlansClient;
use atq_proto::importplanning::v1::{
    ListProductsRequest, Milestone, PlanLineRequest, SetSupplyTermsRequest, SubmitImportPlanRequest, SupplyTerms,
};
use chrono::Days;
use tonic::transport::Channel;

/// model, minimum order, pack size, reorder point, buffer days
const TERMS: &[(&str, i64, i64, i64, i32)] =
    &[("P2130101", 5, 5, 0, 21), ("P2540101", 5, 5, 0, 21), ("HL-MC100", 10, 10, 10, 18), ("EEC470", 1, 1, 0, 14)];

/// The contract's schedule: model, then (days from today, units) per milestone.
const SCHEDULE: &[(&str, &[(u64, i64)])] =
    &[("P2130101", &[(75, 20), (150, 20)]), ("P2540101", &[(150, 10)]), ("EEC470", &[(30, 2)])];

/// The catalog's product ids by model code, read once.
async fn product_ids(
    client: &CatalogClient<Channel>,
    key: &InternalKey,
    caller: &Caller,
) -> anyhow::Result<HashMap<String, i64>> {
    let message =
        ListProductsRequest { page: Some(PageRequest { limit: 500, cursor: String::new() }), ..Default::default() };
    let reply = grpc_client::with_retry(|| {
        let mut client = client.clone();
        let request = grpc_client::request(message.clone(), key, caller, None);
        async move { client.list_products(request).await }
    })
    .await
    .context("demo products")?;
    Ok(reply.into_inner().items.into_iter().map(|p| (p.model_code, p.id)).collect())
}

fn id_of(ids: &HashMap<String, i64>, model: &str) -> anyhow::Result<i64> {
    ids.get(model).copied().with_context(|| format!("demo product {model} is not in the catalog"))
}

pub async fn load(channel: Channel, key: &InternalKey) -> anyhow::Result<()> {
    let catalog = CatalogClient::new(channel.clone());
    let plans = ImportPlansClient::new(channel);
    let officer = crate::demo::import_officer();
    let ids = product_ids(&catalog, key, &officer).await?;
    let mut terms = Vec::new();
    for (model, min_order_quantity, pack_size, reorder_point, buffer_days) in TERMS {
        terms.push(SupplyTerms {
            product_id: id_of(&ids, model)?,
            min_order_quantity: *min_order_quantity,
            pack_size: *pack_size,
            reorder_point: *reorder_point,
            reorder_quantity: 0,
            buffer_days: *buffer_days,
        });
    }
    let message = SetSupplyTermsRequest { terms };
    grpc_client::with_retry(|| {
        let mut client = plans.clone();
        let request = grpc_client::request(message.clone(), key, &officer, None);
        async move { client.set_supply_terms(request).await }
    })
    .await
    .context("demo supply terms")?;

    let today = local_date(now_micros());
    let mut lines = Vec::new();
    for (i, (model, milestones)) in SCHEDULE.iter().enumerate() {
        lines.push(PlanLineRequest {
            line_no: i as i32 + 1,
            product_id: id_of(&ids, model)?,
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
        source_ref: "HD-DEMO-0001".into(),
        order_ref: String::new(),
        customer_id: 0,
        customer_name: "Trường THPT Chuyên Lê Hồng Phong (demo)".into(),
        office: atq_proto::common::v1::Office::Hcm as i32,
        lines,
    };
    grpc_client::with_retry(|| {
        let mut client = plans.clone();
        let request = grpc_client::request(message.clone(), key, &officer, Some("demo-import-plan-1"));
        async move { client.submit_import_plan(request).await }
    })
    .await
    .context("demo import plan")?;
    Ok(())
}
