//! The analytics benchmark's history: a catalog, customers in three offices and three years of
//! confirmed orders, each shipped (goods issue at 70% of its net amount), invoiced and, nine
//! times in ten, paid a month later; one order in a hundred is cancelled. The warehouse receives
//! each shipped order's goods the hour before (a unit more of each line for one order in three, so
//! stock builds up) and announces both stock moves, as it does. Every event is built as its
//! producer would publish it, and the same seed gives the same history.

use atq_platform::business_time::{date_to_proto, start_of_local_day, to_timestamp};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::events::v1::Event;
use atq_proto::importplanning::v1 as catalog;
use atq_proto::sales::v1 as sales;
use chrono::{Days, NaiveDate};
use prost::{Message, Name};

pub const LINES_PER_ORDER: usize = 4;
const VAT_RATE_BP: i32 = 1_000;
const CATEGORIES: i32 = 8;
const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// What to build.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    pub lines: usize,
    pub customers: usize,
    pub products: usize,
    pub first_day: NaiveDate,
    pub days: u64,
}

/// Events of one feed, in feed order.
#[derive(Default)]
pub struct Feed {
    pub events: Vec<Event>,
}

impl Feed {
    fn push<M: Message + Name>(&mut self, message: &M, occurred_at: i64) {
        let position = i64::try_from(self.events.len()).unwrap_or(i64::MAX) + 1;
        self.events.push(Event {
            position,
            event_id: format!("bench-{}-{position}", M::NAME),
            event_type: M::full_name(),
            aggregate_type: M::NAME.to_owned(),
            aggregate_id: position.to_string(),
            occurred_at: Some(to_timestamp(occurred_at)),
            payload: message.encode_to_vec(),
            traceparent: String::new(),
        });
    }
}

/// The three feeds analytics follows, by its cursor names.
pub struct History {
    pub catalog: Feed,
    pub sales: Feed,
    pub accounting: Feed,
    pub orders: usize,
}

/// A small deterministic generator (64-bit LCG, high bits), enough to spread the history.
struct Draw(u64);

impl Draw {
    fn below(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.0 >> 33) % u64::try_from(bound.max(1)).unwrap_or(1)).unwrap_or(0)
    }
}

fn list_price(product: usize) -> i64 {
    // 1.5 to 250 million VND, in whole thousands.
    i64::try_from(1_500 + (product * 7_919) % 248_500).unwrap_or(1_500) * 1_000
}

fn product_changed(product: usize) -> catalog::ProductChanged {
    let id = i64::try_from(product).unwrap_or(0) + 1;
    catalog::ProductChanged {
        product: Some(catalog::Product {
            id,
            model_code: format!("BENCH-{id:05}"),
            name_vi: format!("Thiết bị {id}"),
            category: i32::try_from(product).unwrap_or(0) % CATEGORIES + 1,
            brand: format!("Brand {}", product % 40),
            list_price: list_price(product),
            vat_rate_bp: VAT_RATE_BP,
            version: 1,
            ..Default::default()
        }),
        changed_by: "bench".to_owned(),
    }
}

fn customer_created(customer: usize, created_at: i64) -> sales::CustomerCreated {
    let id = i64::try_from(customer).unwrap_or(0) + 1;
    sales::CustomerCreated {
        customer_id: id,
        code: format!("KH{id:05}"),
        group: i32::try_from(customer % 3).unwrap_or(0) + 1,
        office: i32::try_from(customer % 3).unwrap_or(0) + 1,
        created_by: "bench".to_owned(),
        created_at: Some(to_timestamp(created_at)),
    }
}

struct OrderDraft {
    order: sales::Order,
    confirmed_at: i64,
    day: NaiveDate,
}

fn order_draft(draw: &mut Draw, shape: &Shape, index: usize) -> OrderDraft {
    let customer = draw.below(shape.customers);
    let day =
        shape.first_day + Days::new(u64::try_from(draw.below(usize::try_from(shape.days).unwrap_or(1))).unwrap_or(0));
    let confirmed_at = start_of_local_day(day) + 9 * MICROS_PER_HOUR;
    let id = i64::try_from(index).unwrap_or(0) + 1;
    let lines: Vec<sales::OrderLine> = (0..LINES_PER_ORDER)
        .map(|n| {
            let product = draw.below(shape.products);
            let quantity = i64::try_from(draw.below(5)).unwrap_or(0) + 1;
            let unit_price = list_price(product);
            let net_amount = quantity * unit_price;
            sales::OrderLine {
                line_no: i32::try_from(n).unwrap_or(0) + 1,
                product_id: i64::try_from(product).unwrap_or(0) + 1,
                quantity,
                unit_price,
                vat_rate_bp: VAT_RATE_BP,
                net_amount,
                vat_amount: net_amount / 10,
                ..Default::default()
            }
        })
        .collect();
    let total_net: i64 = lines.iter().map(|line| line.net_amount).sum();
    let total_vat: i64 = lines.iter().map(|line| line.vat_amount).sum();
    let office = i32::try_from(customer % 3).unwrap_or(0) + 1;
    let order = sales::Order {
        id,
        number: format!("DH-{id:07}"),
        customer_id: i64::try_from(customer).unwrap_or(0) + 1,
        customer_group: office,
        office,
        warehouse: office,
        status: "confirmed".to_owned(),
        lines,
        total_net,
        total_vat,
        total_gross: total_net + total_vat,
        created_by: format!("sales{}", customer % 12),
        version: 2,
        confirmed_at: Some(to_timestamp(confirmed_at)),
        ..Default::default()
    };
    OrderDraft { order, confirmed_at, day }
}

fn goods_issued(draft: &OrderDraft) -> wh::GoodsIssued {
    let order = &draft.order;
    let lines = order
        .lines
        .iter()
        .map(|line| wh::IssuedLine {
            line_no: line.line_no,
            product_id: line.product_id,
            quantity: line.quantity,
            serials: Vec::new(),
            cost_amount: line.net_amount / 10 * 7,
        })
        .collect::<Vec<_>>();
    wh::GoodsIssued {
        issue: Some(wh::GoodsIssue {
            number: format!("PX-{:07}", order.id),
            dispatch_ref: format!("LX-{:07}", order.id),
            order_ref: order.number.clone(),
            warehouse: order.warehouse,
            total_cost: lines.iter().map(|line| line.cost_amount).sum(),
            lines,
            created_by: "bench".to_owned(),
            created_at: Some(to_timestamp(draft.confirmed_at + 24 * MICROS_PER_HOUR)),
        }),
    }
}

/// The stock moves of an order's receipt (`receipt`) or goods issue (`issue`), at 70% of the list
/// price as the goods issue costs them.
fn stock_moved(draft: &OrderDraft, document_type: &str) -> wh::StockMoved {
    let order = &draft.order;
    let (prefix, sign, extra) =
        if document_type == "receipt" { ("PN", 1, i64::from(order.id % 3 == 0)) } else { ("PX", -1, 0) };
    let moves = order
        .lines
        .iter()
        .map(|line| wh::StockMove {
            product_id: line.product_id,
            warehouse: order.warehouse,
            condition: wh::Condition::Good as i32,
            quantity: sign * (line.quantity + extra),
            unit_cost: Some(line.unit_price / 10 * 7),
        })
        .collect();
    wh::StockMoved {
        document_type: document_type.to_owned(),
        document_number: format!("{prefix}-{:07}", order.id),
        moves,
        moved_by: "bench".to_owned(),
    }
}

fn invoice_issued(draft: &OrderDraft) -> wh::InvoiceIssued {
    let order = &draft.order;
    let issue_date = draft.day + Days::new(1);
    wh::InvoiceIssued {
        invoice: Some(wh::Invoice {
            id: order.id,
            number: format!("HD-{:07}", order.id),
            series: "C26TAA".to_owned(),
            sequence: order.id,
            customer_id: order.customer_id,
            order_number: order.number.clone(),
            dispatch_number: format!("LX-{:07}", order.id),
            issue_date: Some(date_to_proto(issue_date)),
            due_date: Some(date_to_proto(issue_date + Days::new(30))),
            lines: order
                .lines
                .iter()
                .map(|line| wh::InvoiceLine {
                    line_no: line.line_no,
                    product_id: line.product_id,
                    quantity: line.quantity,
                    unit_price: line.unit_price,
                    vat_rate_bp: line.vat_rate_bp,
                    net_amount: line.net_amount,
                    vat_amount: line.vat_amount,
                    ..Default::default()
                })
                .collect(),
            total_net: order.total_net,
            total_vat: order.total_vat,
            total_gross: order.total_gross,
            open_amount: order.total_gross,
            status: "open".to_owned(),
            created_at: Some(to_timestamp(start_of_local_day(issue_date) + 10 * MICROS_PER_HOUR)),
            ..Default::default()
        }),
    }
}

fn payment_recorded(draft: &OrderDraft) -> wh::PaymentRecorded {
    let order = &draft.order;
    let received_on = draft.day + Days::new(31);
    wh::PaymentRecorded {
        payment: Some(wh::Payment {
            id: order.id,
            number: format!("PT-{:07}", order.id),
            customer_id: order.customer_id,
            amount: order.total_gross,
            received_on: Some(date_to_proto(received_on)),
            method: "bank_transfer".to_owned(),
            allocations: vec![wh::PaymentAllocation {
                invoice_id: order.id,
                invoice_number: format!("HD-{:07}", order.id),
                amount: order.total_gross,
            }],
            created_by: "bench".to_owned(),
            created_at: Some(to_timestamp(start_of_local_day(received_on) + 10 * MICROS_PER_HOUR)),
            ..Default::default()
        }),
    }
}

/// The whole history, orders in the order they were confirmed.
pub fn build(shape: &Shape) -> History {
    let mut draw = Draw(0x00A7_0A7A_2026);
    let start = start_of_local_day(shape.first_day);
    let mut history =
        History { catalog: Feed::default(), sales: Feed::default(), accounting: Feed::default(), orders: 0 };
    for product in 0..shape.products {
        history.catalog.push(&product_changed(product), start);
    }
    for customer in 0..shape.customers {
        history.sales.push(&customer_created(customer, start), start);
    }
    let orders = shape.lines.div_ceil(LINES_PER_ORDER);
    let mut drafts: Vec<OrderDraft> = (0..orders).map(|index| order_draft(&mut draw, shape, index)).collect();
    drafts.sort_by_key(|draft| (draft.confirmed_at, draft.order.id));
    for draft in &drafts {
        history.sales.push(&sales::OrderConfirmed { order: Some(draft.order.clone()) }, draft.confirmed_at);
        if draft.order.id % 100 == 0 {
            let mut cancelled = draft.order.clone();
            cancelled.status = "cancelled".to_owned();
            cancelled.updated_at = Some(to_timestamp(draft.confirmed_at + MICROS_PER_HOUR));
            history.sales.push(&sales::OrderCancelled { order: Some(cancelled) }, draft.confirmed_at + MICROS_PER_HOUR);
            continue;
        }
        history.accounting.push(&stock_moved(draft, "receipt"), draft.confirmed_at + 23 * MICROS_PER_HOUR);
        history.accounting.push(&goods_issued(draft), draft.confirmed_at + 24 * MICROS_PER_HOUR);
        history.accounting.push(&stock_moved(draft, "issue"), draft.confirmed_at + 24 * MICROS_PER_HOUR);
        history.accounting.push(&invoice_issued(draft), draft.confirmed_at + 25 * MICROS_PER_HOUR);
    }
    // Payments arrive a month after their invoices: in the feed after everything issued before.
    for draft in drafts.iter().filter(|draft| draft.order.id % 100 != 0 && draft.order.id % 10 != 3) {
        history.accounting.push(&payment_recorded(draft), draft.confirmed_at + 31 * 24 * MICROS_PER_HOUR);
    }
    history.orders = orders;
    history
}
