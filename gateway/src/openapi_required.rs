//! Keeps the `required` lists of the request bodies in the OpenAPI document. The body structs take
//! every field with a default (so that a missing field gets a field-level problem instead of a
//! parse error); without `#[schema(required = true)]` the document would mark nothing as required
//! and clients could not tell what they must send.

use std::collections::BTreeSet;

use serde_json::Value;

/// The JSON document as served at `/api/openapi.json`.
fn document() -> Value {
    let (_, openapi) = super::api_document();
    serde_json::to_value(&openapi).expect("the document serializes")
}

/// The component schema a `$ref` names.
fn component<'d>(document: &'d Value, reference: &str) -> &'d Value {
    let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("not a schema: {reference}"));
    &document["components"]["schemas"][name]
}

/// The schema of `method path`'s JSON request body.
fn body_schema<'d>(document: &'d Value, method: &str, path: &str) -> &'d Value {
    let schema = &document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
    let reference = schema["$ref"].as_str().unwrap_or_else(|| panic!("{method} {path} has no JSON body schema"));
    component(document, reference)
}

/// The schema of the items of `schema`'s array property `property`.
fn item_schema<'d>(document: &'d Value, schema: &'d Value, property: &str) -> &'d Value {
    let items = &schema["properties"][property]["items"];
    let reference = items["$ref"].as_str().unwrap_or_else(|| panic!("{property} does not list a schema"));
    component(document, reference)
}

fn required(schema: &Value) -> BTreeSet<&str> {
    schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

#[test]
fn creating_an_order_needs_a_customer_and_each_line_a_product_and_quantity() {
    let document = document();
    let order = body_schema(&document, "post", "/api/v1/orders");
    // Lines may be left out when the order is made from a quote.
    assert_eq!(required(order), set(&["customer_id"]));
    assert_eq!(order["properties"]["customer_id"]["minimum"], 1);
    let line = item_schema(&document, order, "lines");
    assert_eq!(required(line), set(&["product_id", "quantity"]));
}

#[test]
fn creating_a_customer_needs_its_name_group_phone_and_address() {
    let document = document();
    let customer = body_schema(&document, "post", "/api/v1/customers");
    assert_eq!(required(customer), set(&["address", "group", "name", "phone"]));
    assert_eq!(customer["properties"]["name"]["minLength"], 1);
}

#[test]
fn a_payment_needs_a_customer_and_an_amount() {
    let document = document();
    let payment = body_schema(&document, "post", "/api/v1/payments");
    assert_eq!(required(payment), set(&["amount", "customer_id"]));
    assert_eq!(payment["properties"]["amount"]["minimum"], 1);
}

#[test]
fn a_quote_needs_a_customer_and_at_least_one_line() {
    let document = document();
    let quote = body_schema(&document, "post", "/api/v1/quotes");
    assert_eq!(required(quote), set(&["customer_id", "lines"]));
    assert_eq!(quote["properties"]["lines"]["minItems"], 1);
    let line = item_schema(&document, quote, "lines");
    assert_eq!(required(line), set(&["product_id", "quantity"]));
}

#[test]
fn a_stock_receipt_needs_its_warehouse_kind_and_lines() {
    let document = document();
    let receipt = body_schema(&document, "post", "/api/v1/stock/receipts");
    assert_eq!(required(receipt), set(&["kind", "lines", "warehouse"]));
    let line = item_schema(&document, receipt, "lines");
    assert_eq!(required(line), set(&["product_id", "quantity"]));
}

#[test]
fn a_date_that_must_be_sent_is_documented_as_a_date() {
    let document = document();
    let opportunity = body_schema(&document, "post", "/api/v1/opportunities");
    assert!(required(opportunity).contains("expected_close_on"));
    assert_eq!(opportunity["properties"]["expected_close_on"]["format"], "date");
    assert_eq!(opportunity["properties"]["expected_close_on"]["type"], "string");
}
