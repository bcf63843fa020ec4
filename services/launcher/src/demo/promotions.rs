//! One promotion programme running all year in Hà Nội (5% off chemistry equipment), activated by
//! the director once the other documents are in, and a quote that shows it on its line, so a
//! newcomer sees a promoted line without changing the figures of the demo's earlier documents.
//! Keys make a second load add nothing.

use anyhow::Context;
use atq_platform::business_time::{local_date, now_micros};
use atq_proto::common::v1::Office as WireOffice;
use atq_proto::sales::v1::promotions_client::PromotionsClient;
use atq_proto::sales::v1::quotes_client::QuotesClient;
use atq_proto::sales::v1::{
    CreatePromotionRequest, CreateQuoteLine, CreateQuoteRequest, PromotionActionRequest, PromotionFields, PromotionRule,
};
use chrono::Datelike;

use super::{Catalog, Customer, Services, director, seller_of};

pub async fn load(services: &Services, catalog: &Catalog, customers: &[Customer]) -> anyhow::Result<()> {
    let year = local_date(now_micros()).year();
    let fields = PromotionFields {
        code: format!("KM-HOA-{year}"),
        name: format!("Thiết bị hóa học {year}: giảm 5%"),
        starts_on: format!("{year}-01-01"),
        ends_on: format!("{year}-12-31"),
        offices: vec!["HN".into()],
        categories: vec!["chemistry".into()],
        rule: Some(PromotionRule { kind: "percent_off".into(), percent_bp: 500, ..Default::default() }),
        stackable: true,
        note: "Chương trình mẫu của công ty demo".into(),
        ..Default::default()
    };
    let client = PromotionsClient::new(services.sales.clone());
    let key = format!("demo-promotion-{year}");
    let message = CreatePromotionRequest { promotion: Some(fields) };
    let created = services
        .call(&client, &director(), Some(&key), message, |mut c, r| async move { c.create_promotion(r).await })
        .await
        .context("demo promotion")?;
    let action = PromotionActionRequest { id: created.id, expected_version: 0 };
    services
        .call(&client, &director(), None, action, |mut c, r| async move { c.activate_promotion(r).await })
        .await
        .context("activating the demo promotion")?;
    let Some(customer) = customers.iter().find(|c| c.office == WireOffice::Hn) else { return Ok(()) };
    let quote = CreateQuoteRequest {
        customer_id: customer.id,
        note: "Báo giá trong chương trình khuyến mãi".into(),
        lines: vec![CreateQuoteLine { product_id: catalog.item("HL-DS2000")?.id, quantity: 2, ..Default::default() }],
        ..Default::default()
    };
    let quotes = QuotesClient::new(services.sales.clone());
    let seller = seller_of(WireOffice::Hn);
    let key = format!("demo-promoted-quote-{year}");
    services
        .call(&quotes, &seller, Some(&key), quote, |mut c, r| async move { c.create_quote(r).await })
        .await
        .context("demo promoted quote")?;
    Ok(())
}
