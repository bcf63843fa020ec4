//! A customer's first order taken all the way: stock received, ordered, confirmed, dispatched,
//! approved, shipped and invoiced, for the tests that start from a shipped order.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::{Session, TestProducts, TestSystem, customer};

/// Stock (3 presses at 100,000; 2 viscometers at 250,000,000) and a project customer of HN.
pub async fn stock_and_customer(system: &TestSystem, products: &TestProducts) -> (Session, Value) {
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-FANN-1", "lines": [
            {"product_id": products.filter_press, "quantity": 3, "unit_cost": 100_000},
            {"product_id": products.viscometer, "quantity": 2, "unit_cost": 250_000_000, "serials": ["FN-001", "FN-002"]},
        ]}))
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    (rep, school)
}

pub async fn order_all(rep: &Session, customer_id: &Value, products: &TestProducts) -> String {
    let order = rep
        .post(
            "/api/v1/orders",
            json!({"customer_id": customer_id, "lines": [
                {"product_id": products.filter_press, "quantity": 3},
                {"product_id": products.viscometer, "quantity": 2},
            ]}),
        )
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    order.header("location").expect("the order's address").to_owned()
}

/// Orders, confirms, dispatches and ships everything to the customer; returns its invoice.
pub async fn ship_everything(
    system: &TestSystem,
    products: &TestProducts,
    rep: &Session,
    customer_id: &Value,
) -> Value {
    let order = order_all(rep, customer_id, products).await;
    assert_eq!(rep.post(&format!("{order}/confirm"), json!({})).await.body["status"], "confirmed");
    let dispatch = rep.post(&format!("{order}/dispatch-orders"), json!({})).await;
    let dispatch = dispatch.header("location").expect("the dispatch order's address").to_owned();
    system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    let keeper = system.login("warehouse").await;
    let ship = json!({"lines": [{"line_no": 2, "serials": ["FN-001", "FN-002"]}]});
    let shipped = keeper.post(&format!("{dispatch}/ship"), ship).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    let accountant = system.login("accountant").await;
    crate::the_only_invoice_of(&accountant, customer_id).await
}
