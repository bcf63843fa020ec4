//! A new order: typed lines, or an accepted quote's lines at its prices, optionally under a signed
//! contract of the same customer.

use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;

use super::{NewLine, NewOrder};
use crate::contract::ContractStatus;
use crate::customer_store::CustomerRow;
use crate::order_store;
use crate::quote::QuoteStatus;
use crate::{contract_store, quote_store};

/// Writes the order once per idempotency key (a retry gets the order made the first time).
pub async fn create(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CreateOrderRequest,
    mut order: NewOrder,
    customer: CustomerRow,
) -> Result<pb::Order, Error> {
    if order.quote_id > 0 {
        let quote = accepted_quote(db, caller, order.quote_id, order.customer_id).await?;
        order.lines = quote.proto.lines.iter().map(NewLine::from_quote).collect();
    }
    if order.contract_id > 0 {
        signed_contract(db, caller, order.contract_id, order.customer_id).await?;
    }
    let warehouse = order.warehouse.unwrap_or(customer.fields.office);
    let scope = format!("sales.CreateOrder:{}", caller.username);
    let by = caller.username.clone();
    let created = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (order, customer, by) = (order.clone(), customer.clone(), by.clone());
        Box::pin(async move {
            let id = order_store::insert(tx, &order, &customer, warehouse, &by).await?;
            crate::promotion_store::record_uses(tx, "order", id, &order.promotion_uses).await?;
            if order.quote_id > 0 {
                quote_store::link_order(tx, order.quote_id, id).await?;
            }
            let row = order_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("order {id}")))?;
            Ok(row.proto)
        })
    })
    .await?;
    tracing::info!(order = %created.number, lines = created.lines.len(), "order created");
    Ok(created)
}

/// The accepted quote of this customer that an order is made from. One already ordered is refused
/// when the order is written, so that a retry with the same idempotency key still gets its order.
async fn accepted_quote(db: &Db, caller: &Caller, id: i64, customer_id: i64) -> Result<quote_store::QuoteRow, Error> {
    let mut conn = db.pool().acquire().await?;
    let quote = quote_store::find(&mut conn, id)
        .await?
        .filter(|quote| caller.sees_office(quote.office))
        .ok_or_else(|| Error::invalid("quote_id", "no quote in your territory has this id"))?;
    if quote.customer_id != customer_id {
        return Err(Error::invalid("quote_id", "the quote is for another customer"));
    }
    if quote.status() != QuoteStatus::Accepted {
        return Err(Error::invalid(
            "quote_id",
            format!("the quote is {}; only an accepted quote makes an order", quote.status()),
        ));
    }
    Ok(quote)
}

/// An order under a contract needs the contract signed and with the same customer.
async fn signed_contract(db: &Db, caller: &Caller, id: i64, customer_id: i64) -> Result<(), Error> {
    let mut conn = db.pool().acquire().await?;
    let contract = contract_store::find(&mut conn, id)
        .await?
        .filter(|contract| caller.sees_office(contract.office))
        .ok_or_else(|| Error::invalid("contract_id", "no contract in your territory has this id"))?;
    if contract.customer_id != customer_id {
        return Err(Error::invalid("contract_id", "the contract is with another customer"));
    }
    if contract.status != ContractStatus::Signed {
        return Err(Error::invalid(
            "contract_id",
            format!("the contract is {}; orders fall under signed contracts", contract.status),
        ));
    }
    Ok(())
}
