//! Confirmed sales orders from the sales feed, and the monthly sales report over them.
//!
//! An order counts in the local month (Asia/Ho_Chi_Minh) of its confirmation; a cancellation
//! takes it out again. Lines are kept by product id and put under a category and brand only when
//! the report is read, from the product projection of the import-planning feed, so the figures
//! are the same whichever feed analytics reads first.

use std::collections::BTreeMap;

use atq_platform::business_time::{local_date, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::events::v1::Event;
use atq_proto::sales::v1 as sales;
use chrono::{Datelike, Months, NaiveDate};
use prost::Message;

use crate::product_facts::UNKNOWN;

pub struct SalesFacts;

#[tonic::async_trait]
impl Projection for SalesFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        let occurred_at = event.occurred_at.as_ref().map(timestamp_micros).unwrap_or_default();
        match event.event_type.as_str() {
            "atq.sales.v1.OrderConfirmed" => {
                if let Some(order) = sales::OrderConfirmed::decode(event.payload.as_slice())?.order {
                    confirmed(tx, &order, event.position, occurred_at).await?;
                }
            }
            "atq.sales.v1.OrderCancelled" => {
                if let Some(order) = sales::OrderCancelled::decode(event.payload.as_slice())?.order {
                    cancelled(tx, &order, event.position, occurred_at).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The local month of an instant, as `YYYY-MM`.
pub fn local_month(micros: i64) -> String {
    local_date(micros).format("%Y-%m").to_string()
}

fn office_code(value: i32) -> &'static str {
    Office::from_proto(value).map(Office::code).unwrap_or(UNKNOWN)
}

/// The customer group as the REST API writes it. A value this service does not know is shown,
/// not refused: a refusal would stop the whole feed.
fn group_code(value: i32) -> &'static str {
    crate::customer_facts::group_code(value).unwrap_or(UNKNOWN)
}

async fn confirmed(tx: &mut Tx, order: &sales::Order, position: i64, occurred_at: i64) -> Result<()> {
    let confirmed_at = order.confirmed_at.as_ref().map(timestamp_micros).unwrap_or(occurred_at);
    let salesperson = order.created_by.trim();
    // Keyed by the order and guarded by the feed position, so a replayed or older event changes
    // nothing; a later confirmation (after a cancellation) counts the order again.
    let written = sqlx::query(
        "INSERT INTO sales_orders (order_id, number, office, customer_group, salesperson, confirmed_at, confirmed_on, \
         month, cancelled_at, total_net, total_vat, total_gross, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12) \
         ON CONFLICT (order_id) DO UPDATE SET number = excluded.number, office = excluded.office, \
         customer_group = excluded.customer_group, salesperson = excluded.salesperson, \
         confirmed_at = excluded.confirmed_at, confirmed_on = excluded.confirmed_on, month = excluded.month, \
         cancelled_at = 0, total_net = excluded.total_net, total_vat = excluded.total_vat, \
         total_gross = excluded.total_gross, position = excluded.position \
         WHERE sales_orders.position < excluded.position",
    )
    .bind(order.id)
    .bind(&order.number)
    .bind(office_code(order.office))
    .bind(group_code(order.customer_group))
    .bind(if salesperson.is_empty() { UNKNOWN } else { salesperson })
    .bind(confirmed_at)
    .bind(local_date(confirmed_at).to_string())
    .bind(local_month(confirmed_at))
    .bind(order.total_net)
    .bind(order.total_vat)
    .bind(order.total_gross)
    .bind(position)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if written == 0 {
        return Ok(());
    }
    sqlx::query("DELETE FROM sales_order_lines WHERE order_id = $1").bind(order.id).execute(&mut **tx).await?;
    for line in &order.lines {
        sqlx::query(
            "INSERT INTO sales_order_lines (order_id, line_no, product_id, quantity, net_amount, vat_amount) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(order.id)
        .bind(line.line_no)
        .bind(line.product_id)
        .bind(line.quantity)
        .bind(line.net_amount)
        .bind(line.vat_amount)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A cancelled order leaves the figures. An order cancelled before it was confirmed was never in
/// them: there is no row to change.
async fn cancelled(tx: &mut Tx, order: &sales::Order, position: i64, occurred_at: i64) -> Result<()> {
    let at = order.updated_at.as_ref().map(timestamp_micros).unwrap_or(occurred_at).max(1);
    sqlx::query("UPDATE sales_orders SET cancelled_at = $1, position = $2 WHERE order_id = $3 AND position < $2")
        .bind(at)
        .bind(position)
        .bind(order.id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Exact sums in VND.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Figures {
    pub net: i64,
    pub vat: i64,
    pub gross: i64,
    pub quantity: i64,
    pub orders: i64,
}

/// Figures being summed; counts an order once however many of its lines fall under it. Lines
/// arrive grouped by order, so a change of order id is a new order.
#[derive(Clone, Default)]
struct Tally {
    figures: Figures,
    last_order: Option<i64>,
}

impl Tally {
    fn add(&mut self, line: &LineRow) {
        self.figures.net += line.net;
        self.figures.vat += line.vat;
        self.figures.gross += line.net + line.vat;
        self.figures.quantity += line.quantity;
        if self.last_order != Some(line.order_id) {
            self.figures.orders += 1;
            self.last_order = Some(line.order_id);
        }
    }
}

/// The dimensions a summary breaks the figures down by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    Office,
    Category,
    Brand,
    CustomerGroup,
    Salesperson,
}

impl Dimension {
    pub const ALL: [Dimension; 5] =
        [Dimension::Office, Dimension::Category, Dimension::Brand, Dimension::CustomerGroup, Dimension::Salesperson];
}

/// The total and its breakdowns, each sorted by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub total: Figures,
    pub by: BTreeMap<Dimension, Vec<(String, Figures)>>,
}

impl Summary {
    pub fn breakdown(&self, dimension: Dimension) -> &[(String, Figures)] {
        self.by.get(&dimension).map(Vec::as_slice).unwrap_or_default()
    }
}

#[derive(Default)]
struct SummaryTally {
    total: Tally,
    by: BTreeMap<(Dimension, String), Tally>,
}

impl SummaryTally {
    fn add(&mut self, line: &LineRow) {
        self.total.add(line);
        for dimension in Dimension::ALL {
            let key = match dimension {
                Dimension::Office => &line.office,
                Dimension::Category => &line.category,
                Dimension::Brand => &line.brand,
                Dimension::CustomerGroup => &line.group,
                Dimension::Salesperson => &line.salesperson,
            };
            self.by.entry((dimension, key.clone())).or_default().add(line);
        }
    }

    fn finish(self) -> Summary {
        let mut by: BTreeMap<Dimension, Vec<(String, Figures)>> =
            Dimension::ALL.into_iter().map(|d| (d, Vec::new())).collect();
        // BTreeMap order: by dimension, then by key.
        for ((dimension, key), tally) in self.by {
            by.entry(dimension).or_default().push((key, tally.figures));
        }
        Summary { total: self.total.figures, by }
    }
}

struct LineRow {
    month: String,
    order_id: i64,
    office: String,
    group: String,
    salesperson: String,
    category: String,
    brand: String,
    quantity: i64,
    net: i64,
    vat: i64,
}

pub struct SalesReport {
    /// Every month from `from`'s to `to`'s, by its first day; months without sales are zero.
    pub months: Vec<(NaiveDate, Summary)>,
    /// The whole span.
    pub summary: Summary,
}

pub(crate) fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Sales confirmed between two local dates (inclusive) and not cancelled since, per local month
/// of confirmation, limited to one office when `office` is given.
pub async fn sales_by_month(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<SalesReport> {
    let mut sql = String::from(
        "SELECT o.month, o.order_id, o.office, o.customer_group, o.salesperson, p.category, p.brand, \
         l.quantity, l.net_amount, l.vat_amount \
         FROM sales_orders o JOIN sales_order_lines l ON l.order_id = o.order_id \
         LEFT JOIN product_facts p ON p.product_id = l.product_id \
         WHERE o.cancelled_at = 0 AND o.confirmed_on >= $1 AND o.confirmed_on <= $2",
    );
    if office.is_some() {
        sql.push_str(" AND o.office = $3");
    }
    // Grouped by order within each month, which the tallies rely on.
    sql.push_str(" ORDER BY o.month, o.order_id, l.line_no");
    type Row = (String, i64, String, String, String, Option<String>, Option<String>, i64, i64, i64);
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(from.to_string()).bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;

    let mut months: BTreeMap<NaiveDate, SummaryTally> = BTreeMap::new();
    let mut month = first_of_month(from);
    while month <= to {
        months.insert(month, SummaryTally::default());
        month = month
            .checked_add_months(Months::new(1))
            .ok_or_else(|| Error::internal(anyhow::anyhow!("month out of range")))?;
    }
    let mut whole = SummaryTally::default();
    for (month, order_id, office, group, salesperson, category, brand, quantity, net, vat) in rows {
        let line = LineRow {
            month,
            order_id,
            office,
            group,
            salesperson,
            category: category.unwrap_or_else(|| UNKNOWN.to_owned()),
            brand: brand.unwrap_or_else(|| UNKNOWN.to_owned()),
            quantity,
            net,
            vat,
        };
        let start = NaiveDate::parse_from_str(&format!("{}-01", line.month), "%Y-%m-%d").map_err(Error::internal)?;
        months.entry(start).or_default().add(&line);
        whole.add(&line);
    }
    Ok(SalesReport {
        months: months.into_iter().map(|(start, tally)| (start, tally.finish())).collect(),
        summary: whole.finish(),
    })
}

#[cfg(test)]
mod tests {
    use atq_platform::business_time::to_timestamp;
    use atq_platform::testing::fresh_database;
    use atq_proto::importplanning::v1 as catalog;
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::product_facts::ProductFacts;

    fn micros(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap().timestamp_micros()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_order_confirmed_after_local_midnight_counts_in_the_next_month() {
        // 2026-10-31 17:30 UTC is 2026-11-01 00:30 in Hà Nội; 16:59 UTC is still 23:59 on October 31.
        assert_eq!(local_month(micros(2026, 10, 31, 17, 30)), "2026-11");
        assert_eq!(local_month(micros(2026, 10, 31, 16, 59)), "2026-10");
        assert_eq!(local_month(micros(2026, 12, 31, 17, 0)), "2027-01");
    }

    fn line(line_no: i32, product_id: i64, quantity: i64, unit_price: i64) -> sales::OrderLine {
        let net_amount = quantity * unit_price;
        sales::OrderLine {
            line_no,
            product_id,
            quantity,
            unit_price,
            vat_rate_bp: 1000,
            net_amount,
            vat_amount: net_amount / 10,
            ..Default::default()
        }
    }

    fn order(
        id: i64,
        office: atq_proto::common::v1::Office,
        by: &str,
        at: i64,
        lines: Vec<sales::OrderLine>,
    ) -> sales::Order {
        let total_net = lines.iter().map(|l| l.net_amount).sum();
        let total_vat = lines.iter().map(|l| l.vat_amount).sum();
        sales::Order {
            id,
            number: format!("DH-2026-{id:04}"),
            customer_group: sales::CustomerGroup::Dealer as i32,
            office: office as i32,
            lines,
            total_net,
            total_vat,
            total_gross: total_net + total_vat,
            created_by: by.to_owned(),
            confirmed_at: Some(to_timestamp(at)),
            updated_at: Some(to_timestamp(at)),
            ..Default::default()
        }
    }

    fn event(position: i64, event_type: &str, payload: Vec<u8>) -> Event {
        Event { position, event_type: event_type.to_owned(), payload, ..Default::default() }
    }

    fn confirmed_event(position: i64, order: &sales::Order) -> Event {
        let payload = sales::OrderConfirmed { order: Some(order.clone()) }.encode_to_vec();
        event(position, "atq.sales.v1.OrderConfirmed", payload)
    }

    fn cancelled_event(position: i64, order: &sales::Order) -> Event {
        let payload = sales::OrderCancelled { order: Some(order.clone()) }.encode_to_vec();
        event(position, "atq.sales.v1.OrderCancelled", payload)
    }

    fn product_event(position: i64, id: i64, version: i64, category: catalog::ProductCategory, brand: &str) -> Event {
        let product = catalog::Product {
            id,
            model_code: format!("M-{id}"),
            category: category as i32,
            brand: brand.to_owned(),
            version,
            ..Default::default()
        };
        let payload = catalog::ProductChanged { product: Some(product), changed_by: "import".into() }.encode_to_vec();
        event(position, "atq.importplanning.v1.ProductChanged", payload)
    }

    async fn apply(db: &Db, projection: &dyn Projection, events: &[Event]) {
        let mut tx = db.begin().await.unwrap();
        for event in events {
            projection.apply(&mut tx, event).await.unwrap();
        }
        tx.commit().await.unwrap();
    }

    fn keys(summary: &Summary, dimension: Dimension) -> Vec<(&str, i64, i64)> {
        summary.breakdown(dimension).iter().map(|(k, f)| (k.as_str(), f.net, f.orders)).collect()
    }

    #[tokio::test]
    async fn lines_meet_their_products_whichever_feed_comes_first_and_cancellations_and_replays_change_nothing() {
        use atq_proto::common::v1::Office as O;
        let database = fresh_database("analytics-sales").await.unwrap();
        let db = crate::open_database(&database.url).await.unwrap();

        // Product 1 is described before any order, product 2 only after, product 3 never.
        apply(&db, &ProductFacts, &[product_event(1, 1, 1, catalog::ProductCategory::Physics, "Pasco")]).await;
        let hanoi = order(
            10,
            O::Hn,
            "sales.hn",
            micros(2026, 10, 31, 17, 30),
            vec![line(1, 1, 2, 1_000_000), line(2, 2, 1, 500_000)],
        );
        let saigon = order(11, O::Hcm, "sales.hcm", micros(2026, 10, 15, 3, 0), vec![line(1, 3, 4, 250_000)]);
        let dropped = order(12, O::Hn, "sales.hn", micros(2026, 11, 2, 3, 0), vec![line(1, 1, 1, 9_000_000)]);
        let events = [
            confirmed_event(1, &hanoi),
            confirmed_event(2, &saigon),
            confirmed_event(3, &dropped),
            cancelled_event(4, &dropped),
        ];
        apply(&db, &SalesFacts, &events).await;
        // A replay of the whole feed, as after a lost cursor: nothing changes.
        apply(&db, &SalesFacts, &events).await;
        apply(&db, &ProductFacts, &[product_event(2, 2, 1, catalog::ProductCategory::Chemistry, "Fann")]).await;
        // An older version of product 2 arriving late does not undo the newer one.
        apply(&db, &ProductFacts, &[product_event(3, 2, 2, catalog::ProductCategory::Biology, "Fann")]).await;
        apply(&db, &ProductFacts, &[product_event(4, 2, 1, catalog::ProductCategory::Chemistry, "Fann")]).await;

        let report = sales_by_month(&db, date(2026, 10, 1), date(2026, 12, 31), None).await.unwrap();
        let months: Vec<NaiveDate> = report.months.iter().map(|(m, _)| *m).collect();
        assert_eq!(months, [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]);
        let (october, november, december) = (&report.months[0].1, &report.months[1].1, &report.months[2].1);
        assert_eq!(october.total, Figures { net: 1_000_000, vat: 100_000, gross: 1_100_000, quantity: 4, orders: 1 });
        assert_eq!(november.total, Figures { net: 2_500_000, vat: 250_000, gross: 2_750_000, quantity: 3, orders: 1 });
        assert_eq!(december.total, Figures::default());
        assert!(december.breakdown(Dimension::Office).is_empty());
        assert_eq!(keys(november, Dimension::Category), [("biology", 500_000, 1), ("physics", 2_000_000, 1)]);
        assert_eq!(keys(november, Dimension::Brand), [("Fann", 500_000, 1), ("Pasco", 2_000_000, 1)]);
        assert_eq!(keys(october, Dimension::Category), [(UNKNOWN, 1_000_000, 1)]);
        assert_eq!(keys(&report.summary, Dimension::Office), [("HCM", 1_000_000, 1), ("HN", 2_500_000, 1)]);
        assert_eq!(
            keys(&report.summary, Dimension::Salesperson),
            [("sales.hcm", 1_000_000, 1), ("sales.hn", 2_500_000, 1)]
        );
        assert_eq!(keys(&report.summary, Dimension::CustomerGroup), [("dealer", 3_500_000, 2)]);
        assert_eq!(report.summary.total.orders, 2);

        let hanoi_only = sales_by_month(&db, date(2026, 10, 1), date(2026, 12, 31), Some(Office::HaNoi)).await.unwrap();
        assert_eq!(hanoi_only.summary.total.net, 2_500_000);
        // Partial months count only the days asked for.
        let from_the_second = sales_by_month(&db, date(2026, 11, 2), date(2026, 11, 30), None).await.unwrap();
        assert_eq!(from_the_second.summary.total, Figures::default());
        db.close().await;
    }
}
