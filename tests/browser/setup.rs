//! What the scenario starts from, put in through the REST API as the e2e tests do: the demo
//! catalog and customers, and serial-numbered stock of one demo product in the Hà Nội warehouse.

use anyhow::Context;
use atq_tests::{Session, TestSystem, customer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The demo product sold in the scenario: the Fann 35 viscometer, tracked by serial number.
const PRODUCT_MODEL: &str = "Model 35SA";
pub const WAREHOUSE: &str = "HN";
const SERIALS: [&str; 2] = ["F35-HN-0001", "F35-HN-0002"];

pub struct Facts {
    pub product_id: i64,
    pub product_name: String,
}

pub async fn prepare(system: &mut TestSystem) -> anyhow::Result<Facts> {
    let (peers, key) = (system.system().peers().clone(), system.system().internal_key().clone());
    atq_launcher::demo::load(&peers, &key).await.context("loading the demo data")?;
    let keeper = system.try_login("warehouse").await?;
    let product = demo_product(&keeper).await?;
    let product_id = product["id"].as_i64().context("the product's id")?;
    let receipt = json!({"warehouse": WAREHOUSE, "kind": "opening", "lines": [
        {"product_id": product_id, "quantity": SERIALS.len(), "unit_cost": 210_000_000, "serials": SERIALS},
    ]});
    let received = call(&keeper, Method::POST, "/api/v1/stock/receipts", Some(receipt)).await?;
    anyhow::ensure!(received.0 == StatusCode::CREATED, "the opening receipt: {} {}", received.0, received.1);
    let rep = system.try_login("sales.hn").await?;
    ensure_a_nguyen_van_in_hanoi(&rep).await?;
    let product_name = product["name_vi"].as_str().unwrap_or(PRODUCT_MODEL).to_owned();
    Ok(Facts { product_id, product_name })
}

async fn demo_product(session: &Session) -> anyhow::Result<Value> {
    let (status, body) = call(session, Method::GET, "/api/v1/products?q=Model%2035SA", None).await?;
    anyhow::ensure!(status == StatusCode::OK, "searching the catalog: {status} {body}");
    let items = body["items"].as_array().cloned().unwrap_or_default();
    let product = items
        .into_iter()
        .find(|p| p["model_code"] == PRODUCT_MODEL)
        .with_context(|| format!("the demo catalog has no {PRODUCT_MODEL}: {body}"))?;
    anyhow::ensure!(product["serial_tracked"] == true, "{PRODUCT_MODEL} is not tracked by serial: {product}");
    Ok(product)
}

/// The demo has Nguyễn Văn Đức in Hà Nội; should it ever go, the scenario adds him.
async fn ensure_a_nguyen_van_in_hanoi(rep: &Session) -> anyhow::Result<()> {
    let (status, body) = call(rep, Method::GET, "/api/v1/customers?q=nguyen%20van&office=HN", None).await?;
    anyhow::ensure!(status == StatusCode::OK, "searching customers: {status} {body}");
    let found = body["items"]
        .as_array()
        .is_some_and(|items| items.iter().any(|c| c["name"].as_str().is_some_and(|name| name.contains("Nguyễn Văn"))));
    if !found {
        let body = customer("Nguyễn Văn Đức", "individual", "HN");
        let (status, created) = call(rep, Method::POST, "/api/v1/customers", Some(body)).await?;
        anyhow::ensure!(status == StatusCode::CREATED, "adding Nguyễn Văn Đức: {status} {created}");
    }
    Ok(())
}

/// The order the rep's UI made, read back for its number (to find its invoice by).
pub async fn order_number(system: &TestSystem, order_id: i64) -> anyhow::Result<String> {
    let rep = system.try_login("sales.hn").await?;
    let (status, body) = call(&rep, Method::GET, &format!("/api/v1/orders/{order_id}"), None).await?;
    anyhow::ensure!(status == StatusCode::OK, "reading order {order_id}: {status} {body}");
    Ok(body["number"].as_str().context("the order's number")?.to_owned())
}

async fn call(
    session: &Session,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<(StatusCode, Value)> {
    let reply = session.try_send(method, path, body, &[]).await?;
    Ok((reply.status, reply.body))
}
