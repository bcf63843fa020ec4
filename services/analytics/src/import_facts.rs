//! What the import-export summary keeps from the import-planning feed beside the supplier orders'
//! dates (`supplier_facts`): each product's list price, what each supplier order is worth, and
//! the milestones of the import plans.
//!
//! A received order's lines whose product had a list price when the order was received are
//! valued twice: landed (quantity × landed unit cost) and at list price (quantity × list price);
//! lines of products without one are in neither, so the two compare like with like.

use atq_platform::business_time::date_from_proto;
use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Office, Tx, outbox};
use atq_proto::common::v1::LocalDate;
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as planning;
use prost::Message;

use crate::import_facts_store::{self, MilestoneFact, OrderValue};
use crate::product_facts::UNKNOWN;

pub struct ImportFacts;

#[tonic::async_trait]
impl Projection for ImportFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        // Each event carries the whole document as it stands: the newest position wins, so a
        // replay changes nothing.
        if outbox::is::<planning::ProductChanged>(event) {
            if let Some(product) = planning::ProductChanged::decode(event.payload.as_slice())?.product {
                import_facts_store::record_list_price(tx, product.id, product.list_price, event.position).await?;
            }
        } else if outbox::is::<planning::PurchaseOrderChanged>(event) {
            if let Some(order) = planning::PurchaseOrderChanged::decode(event.payload.as_slice())?.order {
                let value = order_value(tx, &order).await?;
                import_facts_store::record_order_value(tx, &value, event.position).await?;
            }
        } else if outbox::is::<planning::ImportPlanChanged>(event)
            && let Some(plan) = planning::ImportPlanChanged::decode(event.payload.as_slice())?.plan
        {
            import_facts_store::record_plan(tx, &plan.number, &milestones(&plan), event.position).await?;
        }
        Ok(())
    }
}

async fn order_value(tx: &mut Tx, order: &planning::PurchaseOrder) -> Result<OrderValue> {
    let (mut priced_landed, mut list_value) = (0i64, 0i64);
    if order.status == crate::supplier_facts::RECEIVED {
        for line in &order.lines {
            let list_price = import_facts_store::list_price(tx, line.product_id).await?;
            let landed = line.quantity.checked_mul(line.landed_unit_cost);
            let listed = line.quantity.checked_mul(list_price);
            // Bounded upstream; a line past the bound is left out rather than stop the feed.
            if let (true, Some(landed), Some(listed)) = (list_price > 0, landed, listed)
                && let (Some(a), Some(b)) = (priced_landed.checked_add(landed), list_value.checked_add(listed))
            {
                (priced_landed, list_value) = (a, b);
            }
        }
    }
    Ok(OrderValue {
        number: order.number.clone(),
        warehouse: Office::from_proto(order.warehouse).map(Office::code).unwrap_or(UNKNOWN).to_owned(),
        currency: order.currency.clone(),
        goods_value: order.goods_value,
        landed_total: order.landed_total,
        priced_landed,
        list_value,
    })
}

fn date_text(date: Option<&LocalDate>) -> String {
    date.and_then(|d| date_from_proto(d).ok()).map(|d| d.to_string()).unwrap_or_default()
}

fn milestones(plan: &planning::ImportPlan) -> Vec<MilestoneFact> {
    let office = Office::from_proto(plan.office).map(Office::code).unwrap_or(UNKNOWN);
    plan.lines
        .iter()
        .flat_map(|line| {
            line.milestones.iter().map(move |m| MilestoneFact {
                line_no: i64::from(line.line_no),
                milestone_no: i64::from(m.milestone_no),
                office: office.to_owned(),
                needed_by: date_text(m.needed_by.as_ref()),
                promise_date: date_text(m.promise_date.as_ref()),
                late: m.late,
                quantity: m.quantity,
            })
        })
        .collect()
}
