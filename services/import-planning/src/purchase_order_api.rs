//! gRPC adapter for `atq.importplanning.v1.PurchaseOrders`: supplier orders from draft to goods
//! received. Every step re-plans the order's products, so promises follow the supplier's dates.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use atq_platform::business_time::{add_days, date_from_proto, date_to_proto, local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::error::Result as PlatformResult;
use atq_platform::paging::Page;
use atq_platform::validation::{Violations, optional_text, status_filter};
use atq_platform::{Caller, Error, Office, Tx, grpc_client, idempotency, outbox};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::common::v1::LocalDate;
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::purchase_orders_server::PurchaseOrders;
use chrono::NaiveDate;
use tonic::{Request, Response, Status};

use crate::costing_api::landed_cost;
use crate::plan_store;
use crate::purchase_order_store::{self as store, NewLine, NewPurchaseOrder, Step};
use crate::replanning::Planning;
use crate::{product_store, supplier_store};

const MAX_LINES: usize = 500;
const MAX_QUANTITY: i64 = 1_000_000;
const MAX_UNIT_PRICE: i64 = 1_000_000_000_000;
pub const PURCHASE_ORDER_CHANGED: &str = "atq.importplanning.v1.PurchaseOrderChanged";

pub struct PurchaseOrdersApi {
    pub planning: Planning,
}

fn today() -> NaiveDate {
    local_date(now_micros())
}

fn optional_day(v: &mut Violations, field: &str, date: &Option<LocalDate>) -> Option<NaiveDate> {
    date.as_ref().and_then(|d| v.check(field, date_from_proto(d)))
}

async fn found(tx: &mut Tx, id: i64) -> PlatformResult<pb::PurchaseOrder> {
    store::find(tx, id, today()).await?.ok_or_else(|| Error::NotFound(format!("supplier order {id}")))
}

/// Re-plans the order's products and tells the feed: both in the step's transaction.
async fn after_step(planning: &Planning, tx: &mut Tx, order: &pb::PurchaseOrder) -> PlatformResult<()> {
    let products: BTreeSet<i64> = order.lines.iter().map(|l| l.product_id).collect();
    planning.run(tx, Some(products.into_iter().collect()), &HashMap::new()).await?;
    let event = pb::PurchaseOrderChanged { order: Some(order.clone()) };
    outbox::append(tx, planning.db.backend(), "purchase_order", &order.number, PURCHASE_ORDER_CHANGED, &event).await
}

impl PurchaseOrdersApi {
    /// The lines of a new order: as given, or the supplier's proposals (prices from the request
    /// or the last order of the product).
    async fn lines_of(
        &self,
        v: &mut Violations,
        input: &pb::CreatePurchaseOrderRequest,
    ) -> PlatformResult<(Vec<(i64, i64, i64)>, Option<NaiveDate>)> {
        if !input.from_proposals {
            return Ok((input.lines.iter().map(|l| (l.product_id, l.quantity, l.unit_price)).collect(), None));
        }
        let proposals = plan_store::proposals(self.planning.db.pool(), input.supplier_id).await?;
        let Some(group) = proposals.into_iter().next() else {
            v.add("from_proposals", "the plans propose nothing from this supplier");
            return Ok((Vec::new(), None));
        };
        let given: HashMap<i64, i64> = input.lines.iter().map(|l| (l.product_id, l.unit_price)).collect();
        let order_by = group.order_by.as_ref().and_then(|d| date_from_proto(d).ok());
        let quantities = proposed_quantities(vec![group]);
        for (i, line) in input.lines.iter().enumerate() {
            if !quantities.contains_key(&line.product_id) {
                v.add(format!("lines[{i}].product_id"), "is not among this supplier's proposals");
            }
        }
        let ids: Vec<i64> = quantities.keys().copied().collect();
        let last = store::last_prices(self.planning.db.pool(), input.supplier_id, &ids).await?;
        let lines = quantities
            .into_iter()
            .map(|(product_id, quantity)| {
                let price = given.get(&product_id).or(last.get(&product_id)).copied().unwrap_or(0);
                (product_id, quantity, price)
            })
            .collect();
        Ok((lines, order_by))
    }
}

/// Units proposed per product.
fn proposed_quantities(groups: Vec<pb::SupplierProposal>) -> BTreeMap<i64, i64> {
    let mut quantities = BTreeMap::new();
    for line in groups.iter().flat_map(|g| &g.lines) {
        *quantities.entry(line.product_id).or_insert(0) += line.quantity;
    }
    quantities
}

/// The step an action takes from the order's current status, with its dates.
fn step_for(v: &mut Violations, order: &pb::PurchaseOrder, input: &pb::AdvancePurchaseOrderRequest) -> Option<Step> {
    let on = optional_day(v, "on", &input.on).unwrap_or_else(today);
    let status = order.status.as_str();
    let from = |allowed: &[&str]| allowed.contains(&status);
    let refuse = |v: &mut Violations, what: &str| {
        v.add("action", format!("a {status} order cannot be {what}"));
        None
    };
    match input.action.trim() {
        "send" if from(&[store::DRAFT]) => {
            if let Some(line) = order.lines.iter().find(|l| l.unit_price <= 0) {
                v.add("action", format!("line {} has no unit price; set the supplier's price first", line.line_no));
                return None;
            }
            Some(Step { status: store::SENT, sent_on: Some(on), ..Step::default() })
        }
        "send" => refuse(v, "sent"),
        "confirm" if from(&[store::SENT, store::CONFIRMED]) => {
            let ship_date = optional_day(v, "ship_date", &input.ship_date);
            if input.ship_date.is_none() {
                v.add("ship_date", "is required: the supplier's confirmed ship date");
            }
            Some(Step { status: store::CONFIRMED, ship_date, ..Step::default() })
        }
        "confirm" => refuse(v, "confirmed"),
        "ship" if from(&[store::CONFIRMED, store::SHIPPED]) => {
            let arrival_date = optional_day(v, "arrival_date", &input.arrival_date);
            if input.arrival_date.is_none() {
                v.add("arrival_date", "is required: when the goods are expected at the warehouse");
            }
            Some(Step { status: store::SHIPPED, arrival_date, ..Step::default() })
        }
        "ship" => refuse(v, "shipped"),
        "clear" if from(&[store::SHIPPED]) => {
            Some(Step { status: store::CLEARED, cleared_on: Some(on), ..Step::default() })
        }
        "clear" => refuse(v, "cleared through customs"),
        "cancel" if from(&[store::DRAFT, store::SENT, store::CONFIRMED]) => {
            Some(Step { status: store::CANCELLED, ..Step::default() })
        }
        "cancel" => refuse(v, "cancelled"),
        _ => {
            v.add("action", "must be send, confirm, ship, clear or cancel");
            None
        }
    }
}

#[tonic::async_trait]
impl PurchaseOrders for PurchaseOrdersApi {
    async fn create_purchase_order(
        &self,
        request: Request<pb::CreatePurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WritePurchases)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let supplier = match input.supplier_id {
            id if id > 0 => supplier_store::find(self.planning.db.pool(), id).await?,
            _ => None,
        };
        if supplier.is_none() {
            v.add("supplier_id", "no supplier has this id");
        }
        let warehouse = match input.warehouse {
            0 => Some(Office::HoChiMinh),
            value => v.check("warehouse", Office::from_proto(value)),
        };
        let note = v.check("note", optional_text(&input.note, 1000));
        if !input.from_proposals && input.lines.is_empty() {
            v.add("lines", "at least one line is required (or from_proposals)");
        } else if input.lines.len() > MAX_LINES {
            return Err(Error::invalid("lines", format!("at most {MAX_LINES} lines")).into());
        }
        let (lines, order_by) = match &supplier {
            Some(_) => self.lines_of(&mut v, &input).await?,
            None => (Vec::new(), None),
        };
        let ids: Vec<i64> = lines.iter().map(|l| l.0).collect();
        let products: HashMap<i64, product_store::ProductRow> =
            product_store::find_many(&self.planning.db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
        let mut new_lines = Vec::new();
        for (i, (product_id, quantity, unit_price)) in lines.iter().enumerate() {
            let field = |name: &str| format!("lines[{i}].{name}");
            match products.get(product_id) {
                None => v.add(field("product_id"), "no product in the catalog has this id"),
                Some(p) if Some(p.fields.supplier_id) != supplier.as_ref().map(|s| s.id) => {
                    v.add(field("product_id"), "is bought from another supplier")
                }
                Some(p) => new_lines.push(NewLine {
                    product_id: *product_id,
                    model_code: p.fields.model_code.clone(),
                    quantity: *quantity,
                    unit_price: *unit_price,
                }),
            }
            if !(1..=MAX_QUANTITY).contains(quantity) {
                v.add(field("quantity"), format!("must be 1 to {MAX_QUANTITY}"));
            }
            if !(0..=MAX_UNIT_PRICE).contains(unit_price) {
                v.add(field("unit_price"), format!("must be 0 to {MAX_UNIT_PRICE}"));
            }
        }
        v.finish()?;
        let (Some(supplier), Some(warehouse), Some(note)) = (supplier, warehouse, note) else {
            return Err(Error::invalid("supplier_id", "is required").into());
        };
        let planning = self.planning.clone();
        let from_proposals = input.from_proposals;
        let scope = format!("importplanning.CreatePurchaseOrder:{}", caller.username);
        let by = caller.username.clone();
        let draft = Arc::new(NewPurchaseOrder {
            supplier_id: supplier.id,
            currency: supplier.fields.currency.clone(),
            warehouse,
            note,
            lead_time_days: supplier.fields.lead_time_days,
            buffer_days: 0,
            order_by,
            lines: new_lines,
        });
        let order = idempotency::run_once(&self.planning.db, &scope, key.as_deref(), &input, move |tx| {
            let (planning, draft, by) = (planning.clone(), draft.clone(), by.clone());
            Box::pin(async move {
                Planning::lock(tx).await?;
                if from_proposals {
                    // Two clerks ordering the same proposals: the second finds them ordered.
                    let now = proposed_quantities(plan_store::proposals(&mut **tx, draft.supplier_id).await?);
                    let taken: BTreeMap<i64, i64> = draft.lines.iter().map(|l| (l.product_id, l.quantity)).collect();
                    if now != taken {
                        return Err(Error::Conflict(
                            "the proposals changed meanwhile (another order took them); look at them again".into(),
                        ));
                    }
                }
                let ids: Vec<i64> = draft.lines.iter().map(|l| l.product_id).collect();
                let terms = plan_store::planner_terms(tx, Some(&ids)).await?;
                // The slowest route of its lines decides when the order is expected.
                let buffer = terms.values().map(|t| t.buffer_days).max().unwrap_or(plan_store::DEFAULT_BUFFER_DAYS);
                let draft = NewPurchaseOrder { buffer_days: buffer, ..(*draft).clone() };
                let id = store::insert(tx, &draft, &by).await?;
                let order = found(tx, id).await?;
                after_step(&planning, tx, &order).await?;
                Ok(order)
            })
        })
        .await?;
        tracing::info!(order = %order.number, supplier = %order.supplier_code, lines = order.lines.len(), "supplier order drafted");
        Ok(Response::new(order))
    }

    async fn get_purchase_order(
        &self,
        request: Request<pb::GetPurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let id = request.into_inner().id;
        let mut conn = self.planning.db.pool().acquire().await.map_err(Error::from)?;
        let order = store::find(&mut conn, id, today())
            .await?
            .ok_or_else(|| Error::NotFound(format!("supplier order {id}")))?;
        Ok(Response::new(order))
    }

    async fn list_purchase_orders(
        &self,
        request: Request<pb::ListPurchaseOrdersRequest>,
    ) -> Result<Response<pb::ListPurchaseOrdersResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCosts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let status = status_filter(&mut v, &input.status, &store::STATUSES);
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let mut items = store::list(self.planning.db.pool(), &status, input.supplier_id, page, today()).await?;
        let next_cursor = page.finish(&mut items, |o| o.id);
        Ok(Response::new(pb::ListPurchaseOrdersResponse { items, next_cursor }))
    }

    async fn advance_purchase_order(
        &self,
        request: Request<pb::AdvancePurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WritePurchases)?;
        let input = request.into_inner();
        let mut tx = self.planning.db.begin().await.map_err(Error::from)?;
        Planning::lock(&mut tx).await?;
        let order = found(&mut tx, input.id).await?;
        Error::unless_stale(input.expected_version, order.version)?;
        let mut v = Violations::new();
        let step = step_for(&mut v, &order, &input);
        v.finish()?;
        let Some(mut step) = step else { return Err(Error::invalid("action", "is required").into()) };
        if step.status == store::CONFIRMED {
            // The first confirmation is what the supplier promised: the on-time yardstick.
            if order.promised_on.is_none() {
                let buffer: i64 = sqlx::query_scalar("SELECT buffer_days FROM purchase_orders WHERE id = $1")
                    .bind(order.id)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(Error::from)?;
                step.promised_on = step.ship_date.map(|d| add_days(d, buffer));
            }
        }
        store::advance(&mut tx, order.id, order.version, &step).await?;
        let order = found(&mut tx, order.id).await?;
        after_step(&self.planning, &mut tx, &order).await?;
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(order = %order.number, status = %order.status, "supplier order advanced");
        Ok(Response::new(order))
    }

    async fn receive_purchase_order(
        &self,
        request: Request<pb::ReceivePurchaseOrderRequest>,
    ) -> Result<Response<pb::PurchaseOrder>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReceivePurchases)?;
        let input = request.into_inner();
        let order = self.costed(&input).await?;
        if order.status == store::RECEIVED {
            return Ok(Response::new(order));
        }
        // The warehouse receipt is keyed by the order's number, so a retry after a failure here
        // gets the same receipt back instead of a second one.
        let receipt = match self.take_in(&order).await {
            Ok(receipt) => receipt,
            Err(error) => {
                // The warehouse refused the goods as described (a serial it knows, say): the
                // order goes back to cleared so the clerk can correct and receive again.
                if matches!(error, Error::Invalid(_) | Error::Conflict(_)) {
                    self.back_to_cleared(&order).await?;
                }
                return Err(error.into());
            }
        };
        let mut tx = self.planning.db.begin().await.map_err(Error::from)?;
        Planning::lock(&mut tx).await?;
        let current = found(&mut tx, order.id).await?;
        let done = if current.status == store::RECEIVING {
            let step =
                Step { status: store::RECEIVED, receipt_number: Some(receipt.number.clone()), ..Step::default() };
            store::advance(&mut tx, current.id, current.version, &step).await?;
            let done = found(&mut tx, current.id).await?;
            after_step(&self.planning, &mut tx, &done).await?;
            done
        } else {
            current
        };
        tx.commit().await.map_err(Error::from)?;
        tracing::info!(order = %done.number, receipt = %done.receipt_number, landed = done.landed_total, "supplier order received");
        Ok(Response::new(done))
    }
}

impl PurchaseOrdersApi {
    /// The order with its landed cost recorded (receiving), or already received. Two clerks
    /// receiving at once: the loser of the version race finds it costed and carries on.
    async fn costed(&self, input: &pb::ReceivePurchaseOrderRequest) -> PlatformResult<pb::PurchaseOrder> {
        for attempt in 0..2 {
            let mut conn = self.planning.db.pool().acquire().await?;
            let order = store::find(&mut conn, input.id, today())
                .await?
                .ok_or_else(|| Error::NotFound(format!("supplier order {}", input.id)))?;
            drop(conn);
            match order.status.as_str() {
                store::RECEIVED | store::RECEIVING => return Ok(order),
                store::CLEARED => {
                    if attempt == 0 {
                        Error::unless_stale(input.expected_version, order.version)?;
                    }
                    match self.cost(&order, input).await {
                        Err(Error::StaleVersion { .. }) if attempt == 0 => continue,
                        outcome => return outcome,
                    }
                }
                other => {
                    return Err(Error::invalid(
                        "status",
                        format!("a {other} order cannot be received: clear customs first"),
                    ));
                }
            }
        }
        Err(Error::Conflict(format!("supplier order {} changed meanwhile, try again", input.id)))
    }

    async fn back_to_cleared(&self, order: &pb::PurchaseOrder) -> PlatformResult<()> {
        let mut tx = self.planning.db.begin().await?;
        let step = Step { status: store::CLEARED, ..Step::default() };
        store::advance(&mut tx, order.id, order.version, &step).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Computes the landed cost at the receipt day's rates and records it (status receiving).
    async fn cost(
        &self,
        order: &pb::PurchaseOrder,
        input: &pb::ReceivePurchaseOrderRequest,
    ) -> PlatformResult<pb::PurchaseOrder> {
        let mut v = Violations::new();
        let received_on = optional_day(&mut v, "received_on", &input.received_on).unwrap_or_else(today);
        let by_line: HashMap<i32, &pb::ReceiveLine> = input.lines.iter().map(|l| (l.line_no, l)).collect();
        let ids: Vec<i64> = order.lines.iter().map(|l| l.product_id).collect();
        let products: HashMap<i64, product_store::ProductRow> =
            product_store::find_many(&self.planning.db, &ids).await?.into_iter().map(|p| (p.id, p)).collect();
        let mut seen = std::collections::BTreeSet::new();
        for (i, line) in input.lines.iter().enumerate() {
            let field = |name: &str| format!("lines[{i}].{name}");
            let Some(ordered) = order.lines.iter().find(|l| l.line_no == line.line_no) else {
                v.add(field("line_no"), "the order has no such line");
                continue;
            };
            if !seen.insert(line.line_no) {
                v.add(field("line_no"), "is given twice");
            }
            if line.unit_weight_grams < 0 {
                v.add(field("unit_weight_grams"), "must not be negative");
            }
            let tracked = products.get(&ordered.product_id).is_some_and(|p| p.fields.serial_tracked);
            match (tracked, line.serials.len() as i64) {
                (false, 0) => {}
                (false, _) => v.add(field("serials"), format!("{} is not serial-tracked", ordered.model_code)),
                (true, n) if n != ordered.quantity => v.add(
                    field("serials"),
                    format!(
                        "{} is serial-tracked: give one serial per unit ({})",
                        ordered.model_code, ordered.quantity
                    ),
                ),
                (true, _) => {
                    let distinct: std::collections::BTreeSet<&str> = line.serials.iter().map(|s| s.trim()).collect();
                    if distinct.len() != line.serials.len() || distinct.contains("") {
                        v.add(field("serials"), "must be distinct and not blank");
                    }
                }
            }
        }
        for ordered in &order.lines {
            let tracked = products.get(&ordered.product_id).is_some_and(|p| p.fields.serial_tracked);
            if tracked && !by_line.contains_key(&ordered.line_no) {
                v.add(
                    "lines",
                    format!(
                        "line {} ({}) is serial-tracked: its serials are required",
                        ordered.line_no, ordered.model_code
                    ),
                );
            }
        }
        v.finish()?;
        let request = pb::LandedCostRequest {
            supplier_id: order.supplier_id,
            currency: order.currency.clone(),
            rate_date: Some(date_to_proto(received_on)),
            lines: order
                .lines
                .iter()
                .map(|l| pb::LandedCostLine {
                    product_id: l.product_id,
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    unit_weight_grams: by_line.get(&l.line_no).map(|r| r.unit_weight_grams).unwrap_or_default(),
                    duty_rate_bp: None,
                })
                .collect(),
            charges: input.charges.clone(),
        };
        let costed = landed_cost(&self.planning.db, &request).await?;
        let mut tx = self.planning.db.begin().await?;
        for (line, cost) in order.lines.iter().zip(&costed.lines) {
            let serials = by_line.get(&line.line_no).map(|r| r.serials.as_slice()).unwrap_or_default();
            store::set_line_receipt(&mut tx, order.id, line.line_no, cost.landed_unit_cost, serials).await?;
        }
        let step = Step {
            status: store::RECEIVING,
            received_on: Some(received_on),
            landed_total: Some(costed.total_landed),
            ..Step::default()
        };
        store::advance(&mut tx, order.id, order.version, &step).await?;
        let costed_order = found(&mut tx, order.id).await?;
        tx.commit().await?;
        Ok(costed_order)
    }

    /// The warehouse receipt at landed cost; waiting project orders get the goods first there.
    async fn take_in(&self, order: &pb::PurchaseOrder) -> PlatformResult<wh::Receipt> {
        let caller = Caller::service(crate::NAME);
        let message = wh::CreateReceiptRequest {
            warehouse: order.warehouse,
            kind: "purchase".into(),
            reference: order.number.clone(),
            note: format!("{} {}", order.supplier_code, order.supplier_name),
            lines: order
                .lines
                .iter()
                .map(|l| wh::ReceiptLine {
                    product_id: l.product_id,
                    quantity: l.quantity,
                    condition: wh::Condition::Good as i32,
                    unit_cost: l.landed_unit_cost,
                    serials: l.serials.clone(),
                })
                .collect(),
        };
        let key = format!("purchase-receipt:{}", order.number);
        let receipt = grpc_client::with_retry(|| {
            let mut client = self.planning.warehouse.clone();
            let request = grpc_client::request(message.clone(), &self.planning.key, &caller, Some(&key));
            async move { client.create_receipt(request).await }
        })
        .await?;
        Ok(receipt.into_inner())
    }
}
