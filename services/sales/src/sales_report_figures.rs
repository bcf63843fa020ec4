//! The figures of a salesperson's day or week: activities done, customers created and assigned to
//! them, quotes they sent, orders they confirmed (not cancelled) and, for a week, the debts of the
//! customers they look after as accounting has them. Kept as plain data so a submitted report
//! freezes exactly what was shown (JSON in `sales_reports.figures`).

use std::collections::{BTreeMap, HashMap};

use atq_platform::business_time::to_timestamp;
use atq_platform::limits::checked_sum;
use atq_platform::{Caller, Error, grpc_client};
use atq_proto::accountingwarehouse::v1 as accounting_pb;
use atq_proto::sales::v1 as pb;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

use crate::sales_report_store;
use crate::warehouse::Warehouse;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityDone {
    pub activity_id: i64,
    pub kind: String,
    pub subject: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub outcome: String,
    pub done_at: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCustomer {
    pub customer_id: i64,
    pub code: String,
    pub name: String,
    pub created_at: i64,
}

/// A quote sent or an order confirmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub total_net: i64,
    pub total_vat: i64,
    pub at: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Debt {
    pub customer_id: i64,
    pub customer_name: String,
    pub balance: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub activities_done: Vec<ActivityDone>,
    pub new_customers: Vec<NewCustomer>,
    pub quotes_sent: Vec<Document>,
    pub orders_confirmed: Vec<Document>,
    pub debts: Vec<Debt>,
}

/// Whose figures over which instants: `[from, to)` in UTC microseconds.
#[derive(Clone, Copy, Debug)]
pub struct Window<'a> {
    pub owner: &'a str,
    pub from: i64,
    pub to: i64,
}

fn overflow(what: &str) -> Error {
    Error::internal(anyhow::anyhow!("{what} overflows"))
}

impl Figures {
    pub fn sales_net(&self) -> Result<i64, Error> {
        checked_sum(self.orders_confirmed.iter().map(|o| o.total_net)).ok_or_else(|| overflow("the week's sales"))
    }

    pub fn sales_vat(&self) -> Result<i64, Error> {
        checked_sum(self.orders_confirmed.iter().map(|o| o.total_vat)).ok_or_else(|| overflow("the week's VAT"))
    }

    /// Activities done per kind, in kind order.
    pub fn by_kind(&self) -> Vec<pb::SalesReportKindCount> {
        let mut counts: BTreeMap<&str, i32> = BTreeMap::new();
        for activity in &self.activities_done {
            *counts.entry(activity.kind.as_str()).or_default() += 1;
        }
        counts.into_iter().map(|(kind, count)| pb::SalesReportKindCount { kind: kind.to_owned(), count }).collect()
    }

    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string(self).map_err(Error::internal)
    }

    pub fn from_json(text: &str) -> Result<Figures, Error> {
        serde_json::from_str(text).map_err(Error::internal)
    }

    pub fn to_proto(&self) -> Result<pb::SalesReportFigures, Error> {
        let (sales_net, sales_vat) = (self.sales_net()?, self.sales_vat()?);
        Ok(pb::SalesReportFigures {
            activities_done: self.activities_done.iter().map(activity_proto).collect(),
            activities_by_kind: self.by_kind(),
            new_customers: self
                .new_customers
                .iter()
                .map(|c| pb::SalesReportCustomer {
                    customer_id: c.customer_id,
                    code: c.code.clone(),
                    name: c.name.clone(),
                    created_at: Some(to_timestamp(c.created_at)),
                })
                .collect(),
            quotes_sent: self.quotes_sent.iter().map(document_proto).collect::<Result<_, _>>()?,
            orders_confirmed: self.orders_confirmed.iter().map(document_proto).collect::<Result<_, _>>()?,
            sales_net,
            sales_vat,
            sales_gross: sales_net.checked_add(sales_vat).ok_or_else(|| overflow("the sales"))?,
            debts: self
                .debts
                .iter()
                .map(|d| pb::SalesReportDebt {
                    customer_id: d.customer_id,
                    customer_name: d.customer_name.clone(),
                    balance: d.balance,
                })
                .collect(),
            debts_total: checked_sum(self.debts.iter().map(|d| d.balance)).ok_or_else(|| overflow("the debts"))?,
        })
    }
}

fn activity_proto(a: &ActivityDone) -> pb::SalesReportActivity {
    pb::SalesReportActivity {
        activity_id: a.activity_id,
        kind: a.kind.clone(),
        subject: a.subject.clone(),
        customer_id: a.customer_id,
        customer_name: a.customer_name.clone(),
        outcome: a.outcome.clone(),
        done_at: Some(to_timestamp(a.done_at)),
    }
}

fn document_proto(d: &Document) -> Result<pb::SalesReportDocument, Error> {
    Ok(pb::SalesReportDocument {
        id: d.id,
        number: d.number.clone(),
        customer_id: d.customer_id,
        customer_name: d.customer_name.clone(),
        total_net: d.total_net,
        total_vat: d.total_vat,
        total_gross: d.total_net.checked_add(d.total_vat).ok_or_else(|| overflow("a document's total"))?,
        at: Some(to_timestamp(d.at)),
    })
}

/// What the database alone tells of the window (no debts).
pub async fn assemble(conn: &mut AnyConnection, window: Window<'_>) -> Result<Figures, Error> {
    Ok(Figures {
        activities_done: sales_report_store::activities_done(conn, window).await?,
        new_customers: sales_report_store::new_customers(conn, window).await?,
        quotes_sent: sales_report_store::quotes_sent(conn, window).await?,
        orders_confirmed: sales_report_store::orders_confirmed(conn, window).await?,
        debts: Vec::new(),
    })
}

/// The open balance of each customer the owner looks after, from one receivables-aging call
/// (accounting has no per-owner filter; the aging lists only customers with open items).
pub async fn debts(
    conn: &mut AnyConnection,
    warehouse: &Warehouse,
    caller: &Caller,
    owner: &str,
) -> Result<Vec<Debt>, Error> {
    let customers: HashMap<i64, String> = sales_report_store::customers_assigned(conn, owner).await?;
    if customers.is_empty() {
        return Ok(Vec::new());
    }
    let aging = grpc_client::with_retry(|| {
        let mut client = warehouse.accounting.clone();
        let request =
            grpc_client::request(accounting_pb::ReceivablesAgingRequest { as_of: None }, &warehouse.key, caller, None);
        async move { client.receivables_aging(request).await }
    })
    .await?
    .into_inner();
    Ok(aging
        .rows
        .into_iter()
        .filter(|row| row.total != 0)
        .filter_map(|row| {
            let name = customers.get(&row.customer_id)?;
            Some(Debt { customer_id: row.customer_id, customer_name: name.clone(), balance: row.total })
        })
        .collect())
}

/// One person's line of an office roll-up: submitted figures when there are, else live ones.
pub fn rollup_row(
    owner: &str,
    report_id: i64,
    submitted: bool,
    figures: &Figures,
) -> Result<pb::SalesReportRollupRow, Error> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let sales_net = figures.sales_net()?;
    Ok(pb::SalesReportRollupRow {
        owner: owner.to_owned(),
        submitted,
        report_id,
        activities_done: count(figures.activities_done.len()),
        new_customers: count(figures.new_customers.len()),
        quotes_sent: count(figures.quotes_sent.len()),
        orders_confirmed: count(figures.orders_confirmed.len()),
        sales_net,
        sales_gross: sales_net.checked_add(figures.sales_vat()?).ok_or_else(|| overflow("the sales"))?,
    })
}

/// The office's totals over its people's lines.
pub fn rollup_totals(rows: &[pb::SalesReportRollupRow]) -> Result<pb::SalesReportRollupRow, Error> {
    let sum = |f: fn(&pb::SalesReportRollupRow) -> i64| {
        checked_sum(rows.iter().map(f)).ok_or_else(|| overflow("the office's totals"))
    };
    let count = |f: fn(&pb::SalesReportRollupRow) -> i32| rows.iter().map(f).fold(0_i32, i32::saturating_add);
    Ok(pb::SalesReportRollupRow {
        owner: String::new(),
        submitted: rows.iter().all(|r| r.submitted),
        report_id: 0,
        activities_done: count(|r| r.activities_done),
        new_customers: count(|r| r.new_customers),
        quotes_sent: count(|r| r.quotes_sent),
        orders_confirmed: count(|r| r.orders_confirmed),
        sales_net: sum(|r| r.sales_net)?,
        sales_gross: sum(|r| r.sales_gross)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(net: i64, vat: i64) -> Document {
        Document { id: 1, number: "DH-1".into(), total_net: net, total_vat: vat, ..Default::default() }
    }

    #[test]
    fn sales_and_counts_add_up_and_survive_the_json_freeze() {
        let figures = Figures {
            activities_done: ["visit", "call", "visit"]
                .iter()
                .map(|kind| ActivityDone { kind: (*kind).into(), ..Default::default() })
                .collect(),
            orders_confirmed: vec![order(1_000_000, 100_000), order(500_000, 40_000)],
            debts: vec![Debt { customer_id: 7, customer_name: "Trường A".into(), balance: 1_100_000 }],
            ..Default::default()
        };
        let shown = figures.to_proto().unwrap();
        assert_eq!((shown.sales_net, shown.sales_vat, shown.sales_gross), (1_500_000, 140_000, 1_640_000));
        assert_eq!(shown.debts_total, 1_100_000);
        let kinds: Vec<_> = shown.activities_by_kind.iter().map(|k| (k.kind.as_str(), k.count)).collect();
        assert_eq!(kinds, [("call", 1), ("visit", 2)]);
        assert_eq!(Figures::from_json(&figures.to_json().unwrap()).unwrap(), figures);
    }

    #[test]
    fn an_overflowing_total_is_an_error_not_a_wrap() {
        let figures = Figures { orders_confirmed: vec![order(i64::MAX, 0), order(1, 0)], ..Default::default() };
        assert!(figures.to_proto().is_err());
    }
}
