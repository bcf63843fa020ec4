//! Sales orders from draft to delivered: confirmed by the salesperson (credit checked, stock
//! reserved), dispatch requested, approved by the director, shipped by the warehouse keeper with
//! the serial numbers picked, delivered. One order is refused for its customer's credit limit and
//! stays a draft. Each step is taken only from the state the record is in.

use anyhow::Context;
use atq_proto::sales::v1::dispatch_orders_client::DispatchOrdersClient;
use atq_proto::sales::v1::orders_client::OrdersClient;
use atq_proto::sales::v1::{
    Contract, CreateOrderLine, CreateOrderRequest, DispatchActionRequest, DispatchOrder, GetDispatchOrderRequest,
    GetOrderRequest, Order, OrderActionRequest, Quote, RequestDispatchRequest, ShipDispatchRequest, ShipLine,
};
use tonic::Code;

use super::{Catalog, Customer, Services, director, seller_of, stock, warehouse_keeper};

/// How far an order goes, in the order of its life.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fate {
    Draft,
    CreditRefused,
    Confirmed,
    DispatchRequested,
    Approved,
    Shipped,
    Delivered,
}

/// What the customer pays of a shipped order's invoice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pay {
    Nothing,
    Full,
    /// This share of the invoice, in percent.
    Part(i64),
    /// In full, by a bank transfer naming the invoice (matched from the bank statement).
    BankTransfer,
}

/// Where an order's lines come from: its own lines, an accepted quote or lines under a contract.
enum Source {
    Lines(&'static [(&'static str, i64)]),
    Quote(usize),
    Contract(usize, &'static [(&'static str, i64)]),
}

use Fate::{Approved, Confirmed, CreditRefused, Delivered, DispatchRequested, Draft, Shipped};
use Source::{Contract as UnderContract, Lines, Quote as FromQuote};

/// customer (index into the demo customers), lines, how far it goes, what is paid
#[rustfmt::skip]
const ORDERS: &[(usize, Source, Fate, Pay)] = &[
    (1, Lines(&[("P2130101", 2), ("HL-MC100", 2)]), Delivered, Pay::Full),
    (2, Lines(&[("DT-2236", 1)]), Shipped, Pay::BankTransfer),
    (4, Lines(&[("ED-4200", 2), ("HL-DS2000", 1)]), Shipped, Pay::Part(50)),
    (5, Lines(&[("HL-MC100", 1)]), Shipped, Pay::Nothing),
    (7, Lines(&[("DT-2236", 2), ("TI-007", 1)]), Delivered, Pay::Part(40)),
    (8, Lines(&[("HL-WQ5", 1)]), Shipped, Pay::Nothing),
    (0, UnderContract(0, &[("P2540101", 3)]), Approved, Pay::Nothing),
    (3, UnderContract(1, &[("EEC470", 1), ("ED-2960", 2)]), Shipped, Pay::Part(30)),
    (15, FromQuote(super::sales::ACCEPTED_QUOTE_WITH_ORDER), Confirmed, Pay::Nothing),
    (32, Lines(&[("Model 35SA", 1), ("LPLT 300", 1)]), DispatchRequested, Pay::Nothing),
    (49, Lines(&[("UFL-30", 1)]), Draft, Pay::Nothing),
    (50, Lines(&[("IMS 1", 1)]), CreditRefused, Pay::Nothing),
    (9, Lines(&[("HL-MC100", 1)]), Shipped, Pay::Full),
    (26, Lines(&[("DT-2236", 1)]), Shipped, Pay::Full),
    (43, Lines(&[("HL-MC100", 1)]), Shipped, Pay::Nothing),
    (6, UnderContract(2, &[("CLT-100", 1)]), Shipped, Pay::Nothing),
];

/// A shipment the accounting side invoices, and what its customer pays.
#[derive(Clone, Debug)]
pub struct Shipment {
    pub customer_id: i64,
    pub dispatch_number: String,
    pub pay: Pay,
}

fn lines_of(catalog: &Catalog, lines: &[(&str, i64)]) -> anyhow::Result<Vec<CreateOrderLine>> {
    lines
        .iter()
        .map(|(model, quantity)| {
            Ok(CreateOrderLine { product_id: catalog.item(model)?.id, quantity: *quantity, ..Default::default() })
        })
        .collect()
}

fn request_of(
    catalog: &Catalog,
    customer_id: i64,
    source: &Source,
    contracts: &[Contract],
    quotes: &[Quote],
) -> anyhow::Result<CreateOrderRequest> {
    let mut request = CreateOrderRequest { customer_id, ..Default::default() };
    match source {
        Lines(lines) => request.lines = lines_of(catalog, lines)?,
        FromQuote(index) => request.quote_id = quotes.get(*index).context("the demo quote")?.id,
        UnderContract(index, lines) => {
            request.contract_id = contracts.get(*index).context("the demo contract")?.id;
            request.lines = lines_of(catalog, lines)?;
        }
    }
    Ok(request)
}

/// Takes every demo order as far as its fate; returns the shipments to be invoiced.
pub async fn load(
    services: &Services,
    catalog: &Catalog,
    customers: &[Customer],
    contracts: &[Contract],
    quotes: &[Quote],
) -> anyhow::Result<Vec<Shipment>> {
    let client = OrdersClient::new(services.sales.clone());
    let mut shipments = Vec::new();
    for (index, (customer_index, source, fate, pay)) in ORDERS.iter().enumerate() {
        let customer = customers.get(*customer_index).context("demo customer of an order")?;
        let seller = seller_of(customer.office);
        let message = request_of(catalog, customer.id, source, contracts, quotes)?;
        let key = format!("demo-order-{}", index + 1);
        let created = services
            .call(&client, &seller, Some(&key), message, |mut c, r| async move { c.create_order(r).await })
            .await
            .with_context(|| format!("demo order {} of {}", index + 1, customer.name))?;
        let get = GetOrderRequest { id: created.id };
        let order = services.call(&client, &seller, None, get, |mut c, r| async move { c.get_order(r).await }).await?;
        if *fate == CreditRefused {
            refused_for_credit(services, &client, &order).await?;
            continue;
        }
        if *fate < Confirmed {
            continue;
        }
        if order.status == "draft" {
            let confirm = OrderActionRequest { id: order.id, ..Default::default() };
            services
                .call(&client, &seller, None, confirm, |mut c, r| async move { c.confirm_order(r).await })
                .await
                .with_context(|| format!("confirming {}", order.number))?;
        }
        if *fate < DispatchRequested {
            continue;
        }
        let dispatch = dispatch(services, catalog, &order, index, *fate).await?;
        if *fate >= Shipped {
            shipments.push(Shipment { customer_id: customer.id, dispatch_number: dispatch.number, pay: *pay });
        }
    }
    Ok(shipments)
}

/// Tries to confirm an order over its customer's credit limit: the refusal leaves it a draft.
async fn refused_for_credit(
    services: &Services,
    client: &OrdersClient<tonic::transport::Channel>,
    order: &Order,
) -> anyhow::Result<()> {
    if order.status != "draft" {
        return Ok(());
    }
    let seller = seller_of(order.office());
    let confirm = OrderActionRequest { id: order.id, ..Default::default() };
    match services.call(client, &seller, None, confirm, |mut c, r| async move { c.confirm_order(r).await }).await {
        Err(status) if status.code() == Code::FailedPrecondition => Ok(()),
        Err(status) => Err(status).with_context(|| format!("confirming {}", order.number)),
        Ok(_) => {
            tracing::warn!(order = %order.number, "the demo order meant to pass the credit limit was confirmed");
            Ok(())
        }
    }
}

/// Requests, approves, ships and delivers the order's dispatch as far as `fate`.
async fn dispatch(
    services: &Services,
    catalog: &Catalog,
    order: &Order,
    index: usize,
    fate: Fate,
) -> anyhow::Result<DispatchOrder> {
    let client = DispatchOrdersClient::new(services.sales.clone());
    let seller = seller_of(order.office());
    let message = RequestDispatchRequest { order_id: order.id, ..Default::default() };
    let key = format!("demo-dispatch-{}", index + 1);
    let requested = services
        .call(&client, &seller, Some(&key), message, |mut c, r| async move { c.request_dispatch(r).await })
        .await
        .with_context(|| format!("dispatch of {}", order.number))?;
    let get = GetDispatchOrderRequest { id: requested.id };
    let mut dispatch =
        services.call(&client, &seller, None, get, |mut c, r| async move { c.get_dispatch_order(r).await }).await?;
    let decide = |id: i64| DispatchActionRequest { id, expected_version: 0, note: String::new() };
    if fate >= Approved && dispatch.status == "requested" {
        dispatch = services
            .call(
                &client,
                &director(),
                None,
                decide(dispatch.id),
                |mut c, r| async move { c.approve_dispatch(r).await },
            )
            .await
            .with_context(|| format!("approving {}", dispatch.number))?;
    }
    if fate >= Shipped && matches!(dispatch.status.as_str(), "approved" | "shipping") {
        let mut lines = Vec::new();
        for line in &dispatch.lines {
            if catalog.is_serial_tracked(line.product_id) {
                let serials = stock::pick_serials(services, line.product_id, dispatch.warehouse, line.quantity).await?;
                lines.push(ShipLine { line_no: line.line_no, serials });
            }
        }
        let ship = ShipDispatchRequest { id: dispatch.id, expected_version: 0, lines };
        dispatch = services
            .call(&client, &warehouse_keeper(), None, ship, |mut c, r| async move { c.ship_dispatch(r).await })
            .await
            .with_context(|| format!("shipping {}", dispatch.number))?;
    }
    if fate >= Delivered && dispatch.status == "shipped" {
        dispatch = services
            .call(&client, &warehouse_keeper(), None, decide(dispatch.id), |mut c, r| async move {
                c.deliver_dispatch(r).await
            })
            .await
            .with_context(|| format!("delivering {}", dispatch.number))?;
    }
    Ok(dispatch)
}
