//! The salespeople's paperwork: contracts with project customers (most signed, each with its
//! signed copy) and quotes in every state. Each record is created once under a fixed key, then
//! moved on only from the state it is in, so a second load finds it done.

use anyhow::Context;
use atq_proto::sales::v1::contracts_client::ContractsClient;
use atq_proto::sales::v1::quotes_client::QuotesClient;
use atq_proto::sales::v1::{
    AttachFileRequest, Contract, CreateContractRequest, CreateQuoteLine, CreateQuoteRequest, GetContractRequest,
    GetQuoteRequest, Quote, QuoteActionRequest, UpdateContractRequest,
};

use super::{Catalog, Customer, Services, seller_of};

/// customer (index into the demo customers), name, value with VAT, signed
const CONTRACTS: &[(usize, &str, i64, bool)] = &[
    (0, "Cung cấp thiết bị thí nghiệm Vật lý năm học 2026-2027", 650_000_000, true),
    (3, "Gói thầu thiết bị phòng học STEM, Trường THPT Thủ Thiêm", 1_200_000_000, true),
    (6, "Thiết bị đo lường cho phòng thí nghiệm phân tích", 900_000_000, true),
    (39, "Thiết bị phòng thực hành Vật lý và Điện tử viễn thông", 1_450_000_000, true),
    (21, "Hệ thống thực hành cơ điện tử cho xưởng trường", 2_100_000_000, false),
];

/// Where a quote ends up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteFate {
    Draft,
    Sent,
    Accepted,
    Rejected(&'static str),
}

use QuoteFate::{Accepted, Draft, Rejected, Sent};

/// A quote's lines: model, units, discount in basis points.
type QuoteLines = &'static [(&'static str, i64, i32)];

/// customer (index into the demo customers), lines, fate
#[rustfmt::skip]
const QUOTES: &[(usize, QuoteLines, QuoteFate)] = &[
    (15, &[("P2130101", 4, 0)], Accepted),
    (16, &[("HL-WQ5", 2, 300)], Sent),
    (33, &[("Model 35SA", 1, 0)], Rejected("Khách chọn nhà cung cấp khác do giá thấp hơn")),
    (27, &[("HL-MC100", 1, 0)], Draft),
    (38, &[("EEC470", 2, 500), ("ED-2960", 4, 500)], Accepted),
    (51, &[("TI-007", 2, 500)], Sent),
    (44, &[("DT-2236", 1, 0)], Rejected("Khách hoãn mua sang năm sau")),
    (22, &[("IMS 1", 1, 300)], Sent),
    (1, &[("ED-4200", 3, 200), ("P2540101", 2, 200)], Sent),
];

/// The quote an order of the demo is made from: index into QUOTES.
pub const ACCEPTED_QUOTE_WITH_ORDER: usize = 0;

fn customer(customers: &[Customer], index: usize) -> anyhow::Result<&Customer> {
    customers.get(index).with_context(|| format!("demo customer {index}"))
}

/// A one-page PDF standing in for the scanned signed contract.
fn signed_copy(number: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n% Ban hop dong da ky {number}\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n\
         2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n\
         trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

/// The demo contracts in CONTRACTS order, as they now stand.
pub async fn contracts(services: &Services, customers: &[Customer]) -> anyhow::Result<Vec<Contract>> {
    let client = ContractsClient::new(services.sales.clone());
    let mut made = Vec::new();
    for (index, (customer_index, name, value, signed)) in CONTRACTS.iter().enumerate() {
        let customer = customer(customers, *customer_index)?;
        let seller = seller_of(customer.office);
        let message = CreateContractRequest {
            name: (*name).into(),
            customer_id: customer.id,
            value: *value,
            note: "Hợp đồng mẫu".into(),
            ..Default::default()
        };
        let key = format!("demo-contract-{}", index + 1);
        let created = services
            .call(&client, &seller, Some(&key), message, |mut c, r| async move { c.create_contract(r).await })
            .await
            .with_context(|| format!("demo contract {name}"))?;
        let get = GetContractRequest { id: created.id };
        let mut contract =
            services.call(&client, &seller, None, get, |mut c, r| async move { c.get_contract(r).await }).await?;
        if *signed && contract.status == "draft" {
            let file = AttachFileRequest {
                contract_id: contract.id,
                file_name: format!("{}-ban-ky.pdf", contract.number),
                content_type: "application/pdf".into(),
                content: signed_copy(&contract.number),
            };
            services
                .call(&client, &seller, None, file, |mut c, r| async move { c.attach_file(r).await })
                .await
                .with_context(|| format!("signed copy of {}", contract.number))?;
            let sign = UpdateContractRequest { id: contract.id, status: Some("signed".into()), ..Default::default() };
            contract = services
                .call(&client, &seller, None, sign, |mut c, r| async move { c.update_contract(r).await })
                .await
                .with_context(|| format!("signing {}", contract.number))?;
        }
        made.push(contract);
    }
    Ok(made)
}

/// The demo quotes in QUOTES order, as they now stand.
pub async fn quotes(services: &Services, catalog: &Catalog, customers: &[Customer]) -> anyhow::Result<Vec<Quote>> {
    let client = QuotesClient::new(services.sales.clone());
    let mut made = Vec::new();
    for (index, (customer_index, lines, fate)) in QUOTES.iter().enumerate() {
        let customer = customer(customers, *customer_index)?;
        let seller = seller_of(customer.office);
        let mut quote_lines = Vec::new();
        for (model, quantity, discount_bp) in lines.iter() {
            quote_lines.push(CreateQuoteLine {
                product_id: catalog.item(model)?.id,
                quantity: *quantity,
                discount_bp: *discount_bp,
                ..Default::default()
            });
        }
        let message = CreateQuoteRequest {
            customer_id: customer.id,
            valid_until: None,
            note: "Giá đã bao gồm vận chuyển và lắp đặt".into(),
            lines: quote_lines,
        };
        let key = format!("demo-quote-{}", index + 1);
        let created = services
            .call(&client, &seller, Some(&key), message, |mut c, r| async move { c.create_quote(r).await })
            .await
            .with_context(|| format!("demo quote {}", index + 1))?;
        let get = GetQuoteRequest { id: created.id };
        let mut quote =
            services.call(&client, &seller, None, get, |mut c, r| async move { c.get_quote(r).await }).await?;
        let action = |note: &str| QuoteActionRequest { id: quote.id, expected_version: 0, note: note.into() };
        if *fate != Draft && quote.status == "draft" {
            quote = services
                .call(&client, &seller, None, action(""), |mut c, r| async move { c.send_quote(r).await })
                .await
                .with_context(|| format!("sending {}", quote.number))?;
        }
        let action = |note: &str| QuoteActionRequest { id: quote.id, expected_version: 0, note: note.into() };
        match fate {
            Accepted if quote.status == "sent" => {
                quote = services
                    .call(&client, &seller, None, action(""), |mut c, r| async move { c.accept_quote(r).await })
                    .await
                    .with_context(|| format!("accepting {}", quote.number))?;
            }
            Rejected(note) if quote.status == "sent" => {
                quote = services
                    .call(&client, &seller, None, action(note), |mut c, r| async move { c.reject_quote(r).await })
                    .await
                    .with_context(|| format!("rejecting {}", quote.number))?;
            }
            _ => {}
        }
        made.push(quote);
    }
    Ok(made)
}
