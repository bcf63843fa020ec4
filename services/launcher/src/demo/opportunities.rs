//! The salespeople's pipeline: opportunities in every stage across the three offices, two lost
//! to a competitor or on price, and one won through a quote the customer accepted. Each is opened
//! once under a fixed key and moved only from the stage it is in, so a second load finds it done.

use anyhow::Context;
use atq_proto::common::v1::LocalDate;
use atq_proto::sales::v1::opportunities_client::OpportunitiesClient;
use atq_proto::sales::v1::quotes_client::QuotesClient;
use atq_proto::sales::v1::{
    ChangeStageRequest, CreateOpportunityRequest, CreateQuoteForOpportunityRequest, CreateQuoteLine,
    CreateQuoteRequest, GetQuoteRequest, Opportunity, OpportunityProductInput, QuoteActionRequest,
};

use super::{Catalog, Customer, Services, seller_of};

/// Where an opportunity ends up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Stays open in this stage.
    Open(&'static str),
    /// Lost for this reason, to this competitor.
    Lost(&'static str, &'static str),
    /// Won by the customer accepting a quote made from it.
    WonByQuote,
}

use Fate::{Lost, Open, WonByQuote};

/// The expected close date: year, month, day.
type CloseOn = (i32, i32, i32);
/// Products of interest: model, units.
type Products = &'static [(&'static str, i64)];

/// customer (index into the demo customers), title, expected value, expected close (y, m, d),
/// products of interest (model, units), fate
#[rustfmt::skip]
const OPPORTUNITIES: &[(usize, &str, i64, CloseOn, Products, Fate)] = &[
    (0, "Phòng thí nghiệm Hóa học năm học 2027-2028", 480_000_000, (2027, 3, 31), &[("P2130101", 6)], Open("qualified")),
    (3, "Thiết bị đo cho dự án Thủ Thiêm giai đoạn 2", 1_800_000_000, (2027, 5, 15), &[("EEC470", 4), ("TI-007", 4)], Open("negotiation")),
    (6, "Nâng cấp phòng phân tích nước", 350_000_000, (2027, 2, 28), &[("HL-WQ5", 3)], Open("prospecting")),
    (1, "Lô máy đo độ nhớt cho đại lý quý II", 520_000_000, (2027, 4, 10), &[("Model 35SA", 2)], Open("proposal")),
    (21, "Mở rộng xưởng thực hành cơ điện tử", 950_000_000, (2027, 1, 20), &[], Lost("price", "Hãng thiết bị Đức B")),
    (39, "Phòng thực hành điện tử viễn thông số 2", 600_000_000, (2027, 1, 31), &[("ED-2960", 5)], Lost("competitor", "Công ty Giáo cụ Sao Mai")),
    (4, "Thiết bị phòng STEM cho chuỗi cửa hàng", 270_000_000, (2027, 2, 15), &[("P2130101", 2)], WonByQuote),
];

fn products(catalog: &Catalog, items: &[(&str, i64)]) -> anyhow::Result<Vec<OpportunityProductInput>> {
    items
        .iter()
        .map(|(model, quantity)| {
            Ok(OpportunityProductInput {
                product_id: catalog.item(model)?.id,
                quantity: *quantity,
                note: String::new(),
            })
        })
        .collect()
}

/// Opens the demo opportunities and takes each to its fate.
pub async fn load(services: &Services, catalog: &Catalog, customers: &[Customer]) -> anyhow::Result<()> {
    let client = OpportunitiesClient::new(services.sales.clone());
    for (index, (customer_index, title, value, (year, month, day), items, fate)) in OPPORTUNITIES.iter().enumerate() {
        let customer = customers.get(*customer_index).with_context(|| format!("demo customer {customer_index}"))?;
        let seller = seller_of(customer.office);
        let stage = match fate {
            Open(stage) => *stage,
            Lost(..) => "prospecting",
            WonByQuote => "qualified",
        };
        let message = CreateOpportunityRequest {
            customer_id: customer.id,
            title: (*title).into(),
            expected_value: *value,
            expected_close_on: Some(LocalDate { year: *year, month: *month, day: *day }),
            products: products(catalog, items)?,
            stage: stage.into(),
            ..Default::default()
        };
        let key = format!("demo-opportunity-{}", index + 1);
        let opened = services
            .call(&client, &seller, Some(&key), message, |mut c, r| async move { c.create_opportunity(r).await })
            .await
            .with_context(|| format!("demo opportunity {}", index + 1))?;
        match fate {
            Lost(reason, competitor) => lose(services, &client, &seller, &opened, reason, competitor).await?,
            WonByQuote => win_by_quote(services, catalog, &seller, &opened, index).await?,
            Open(_) => {}
        }
    }
    Ok(())
}

async fn lose(
    services: &Services,
    client: &OpportunitiesClient<tonic::transport::Channel>,
    seller: &atq_platform::Caller,
    opened: &Opportunity,
    reason: &str,
    competitor: &str,
) -> anyhow::Result<()> {
    let get = atq_proto::sales::v1::GetOpportunityRequest { id: opened.id };
    let now = services.call(client, seller, None, get, |mut c, r| async move { c.get_opportunity(r).await }).await?;
    if now.stage == "lost" {
        return Ok(());
    }
    let message = ChangeStageRequest {
        id: now.id,
        expected_version: now.version,
        stage: "lost".into(),
        lost_reason: reason.into(),
        competitor: competitor.into(),
        note: "Khách đã chọn nhà cung cấp khác".into(),
    };
    services.call(client, seller, None, message, |mut c, r| async move { c.change_stage(r).await }).await?;
    Ok(())
}

/// A quote made from the opportunity (which moves it to proposal), sent and accepted (which wins it).
async fn win_by_quote(
    services: &Services,
    catalog: &Catalog,
    seller: &atq_platform::Caller,
    opened: &Opportunity,
    index: usize,
) -> anyhow::Result<()> {
    let client = QuotesClient::new(services.sales.clone());
    let lines = opened
        .products
        .iter()
        .map(|p| CreateQuoteLine { product_id: p.product_id, quantity: p.quantity, ..Default::default() })
        .collect::<Vec<_>>();
    let lines = if lines.is_empty() {
        vec![CreateQuoteLine { product_id: catalog.item("P2130101")?.id, quantity: 1, ..Default::default() }]
    } else {
        lines
    };
    let quote = CreateQuoteRequest {
        customer_id: opened.customer_id,
        note: "Báo giá theo cơ hội bán hàng".into(),
        lines,
        ..Default::default()
    };
    let message = CreateQuoteForOpportunityRequest { opportunity_id: opened.id, quote: Some(quote) };
    let key = format!("demo-opportunity-quote-{}", index + 1);
    let created = services
        .call(&client, seller, Some(&key), message, |mut c, r| async move { c.create_quote_for_opportunity(r).await })
        .await
        .with_context(|| format!("the quote of demo opportunity {}", index + 1))?;
    // A second load gets the quote as first made: read it as it stands now.
    let get = GetQuoteRequest { id: created.id };
    let mut quote = services.call(&client, seller, None, get, |mut c, r| async move { c.get_quote(r).await }).await?;
    let action = |id: i64| QuoteActionRequest { id, expected_version: 0, note: String::new() };
    if quote.status == "draft" {
        quote = services
            .call(&client, seller, None, action(quote.id), |mut c, r| async move { c.send_quote(r).await })
            .await?;
    }
    if quote.status == "sent" {
        services
            .call(&client, seller, None, action(quote.id), |mut c, r| async move { c.accept_quote(r).await })
            .await?;
    }
    Ok(())
}
