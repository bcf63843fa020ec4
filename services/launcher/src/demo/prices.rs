//! The price sheet sales quotes from: drafted by the import officer from the demo's landed costs
//! with a margin per customer group and per dealer tier, then published, in force from today. A sheet already there
//! (from an earlier load, perhaps on another day) is kept: only a draft left unpublished is
//! finished.

use anyhow::Context;
use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_proto::common::v1::PageRequest;
use atq_proto::importplanning::v1::price_lists_client::PriceListsClient;
use atq_proto::importplanning::v1::{
    CreatePriceListRequest, GroupMargin, ListPriceListsRequest, ProductCost, PublishPriceListRequest,
};

use super::{Catalog, Services, import_officer, stock};

/// Margin on cost per customer group, then per dealer tier (a distributor buys cheapest), basis
/// points.
const MARGINS: &[(&str, i32)] = &[
    ("individual", 4_500),
    ("dealer", 2_500),
    ("project", 3_200),
    ("distributor", 1_500),
    ("tier1", 2_000),
    ("tier2", 2_300),
];

/// Prices end in whole ten-thousands of đồng.
const ROUNDING_STEP: i64 = 10_000;

pub async fn load(services: &Services, catalog: &Catalog) -> anyhow::Result<()> {
    let client = PriceListsClient::new(services.planning.clone());
    let officer = import_officer();
    let message =
        ListPriceListsRequest { status: String::new(), page: Some(PageRequest { limit: 50, cursor: String::new() }) };
    let existing = services
        .call(&client, &officer, None, message, |mut c, r| async move { c.list_price_lists(r).await })
        .await
        .context("demo price lists")?
        .items;
    if existing.iter().any(|list| list.status == "published") {
        return Ok(());
    }
    let draft = match existing.into_iter().find(|list| list.status == "draft") {
        Some(draft) => draft,
        None => {
            let message = CreatePriceListRequest {
                effective_on: Some(date_to_proto(local_date(now_micros()))),
                rounding_step: ROUNDING_STEP,
                margins: MARGINS
                    .iter()
                    .map(|(group, margin_bp)| GroupMargin { customer_group: (*group).into(), margin_bp: *margin_bp })
                    .collect(),
                costs: catalog
                    .items()
                    .into_iter()
                    .map(|(_, item)| ProductCost { product_id: item.id, unit_cost: stock::unit_cost(item.list_price) })
                    .collect(),
                product_ids: Vec::new(),
            };
            services
                .call(&client, &officer, Some("demo-price-list-1"), message, |mut c, r| async move {
                    c.create_price_list(r).await
                })
                .await
                .context("demo price list draft")?
        }
    };
    let message = PublishPriceListRequest { id: draft.id, expected_version: 0 };
    services
        .call(&client, &officer, None, message, |mut c, r| async move { c.publish_price_list(r).await })
        .await
        .context("publishing the demo price list")?;
    Ok(())
}
