//! Every report of the analytics service, asked as a director (all offices) at each period over
//! the benchmark's history, `runs` times each: p50, p99 and p50 against the baseline scan.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Context;
use atq_platform::business_time::date_to_proto;
use atq_platform::{Caller, InternalKey, Role, grpc_client};
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::forecasts_client::ForecastsClient;
use atq_proto::analytics::v1::margins_client::MarginsClient;
use atq_proto::analytics::v1::reports_client::ReportsClient;
use atq_proto::analytics::v1::summaries_client::SummariesClient;
use chrono::NaiveDate;
use tonic::transport::Channel;

use super::{ms, percentile};

/// The periods each period-taking report is asked for: the last month, quarter and year of the
/// history, as the REST API writes them.
const PERIODS: [(&str, &str); 3] = [("month", "2026-11"), ("quarter", "2026-Q3"), ("year", "2025")];

fn date(year: i32, month: u32, day: u32) -> Option<atq_proto::common::v1::LocalDate> {
    NaiveDate::from_ymd_opt(year, month, day).map(date_to_proto)
}

struct Clients {
    reports: ReportsClient<Channel>,
    summaries: SummariesClient<Channel>,
    margins: MarginsClient<Channel>,
    forecasts: ForecastsClient<Channel>,
    key: InternalKey,
    director: Caller,
}

/// Times `runs` calls of one report and prints its line; answers its p99.
async fn time<F, Fut, R>(name: &str, runs: usize, baseline: Duration, mut call: F) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<tonic::Response<R>, tonic::Status>>,
{
    call().await.with_context(|| format!("{name}: first call"))?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        call().await.with_context(|| name.to_owned())?;
        times.push(started.elapsed());
    }
    times.sort();
    let (p50, p99) = (percentile(&times, 50), percentile(&times, 99));
    println!(
        "{name:<44} p50 {:>8.2} ms  p99 {:>8.2} ms  {:>6.2}x baseline",
        ms(p50),
        ms(p99),
        p50.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
    );
    Ok(p99)
}

impl Clients {
    fn request<M>(&self, message: M) -> tonic::Request<M> {
        grpc_client::request(message, &self.key, &self.director, None)
    }
}

async fn period_reports(clients: &Clients, runs: usize, baseline: Duration) -> anyhow::Result<Duration> {
    let mut slowest = Duration::ZERO;
    for (period, value) in PERIODS {
        for department in ["sales", "accounting-warehouse"] {
            let message = pb::DepartmentSummaryRequest {
                department: department.to_owned(),
                period: period.to_owned(),
                from: value.to_owned(),
                to: value.to_owned(),
            };
            let name = format!("summary {department} {period} {value}");
            let p99 = time(&name, runs, baseline, || {
                let mut client = clients.summaries.clone();
                let request = clients.request(message.clone());
                async move { client.department_summary(request).await }
            })
            .await?;
            slowest = slowest.max(p99);
        }
        for rank_by in ["revenue", "margin", "quantity"] {
            let message = pb::ProductRankingRequest {
                rank_by: rank_by.to_owned(),
                period: period.to_owned(),
                from: value.to_owned(),
                to: value.to_owned(),
                limit: 20,
                order: "best".to_owned(),
                ..Default::default()
            };
            let name = format!("products by {rank_by} {period} {value}");
            let p99 = time(&name, runs, baseline, || {
                let mut client = clients.margins.clone();
                let request = clients.request(message.clone());
                async move { client.product_ranking(request).await }
            })
            .await?;
            slowest = slowest.max(p99);
        }
        for by in ["product", "customer", "salesperson", "office"] {
            let message = pb::MarginBreakdownRequest {
                by: by.to_owned(),
                period: period.to_owned(),
                from: value.to_owned(),
                to: value.to_owned(),
                ..Default::default()
            };
            let name = format!("margins by {by} {period} {value}");
            let p99 = time(&name, runs, baseline, || {
                let mut client = clients.margins.clone();
                let request = clients.request(message.clone());
                async move { client.margin_breakdown(request).await }
            })
            .await?;
            slowest = slowest.max(p99);
        }
    }
    Ok(slowest)
}

async fn other_reports(clients: &Clients, runs: usize, baseline: Duration) -> anyhow::Result<Duration> {
    let sales = pb::SalesReportRequest {
        period: pb::ReportPeriod::Month as i32,
        from: date(2025, 12, 1),
        to: date(2026, 11, 30),
    };
    let mut slowest = time("sales report, 12 months", runs, baseline, || {
        let mut client = clients.reports.clone();
        let request = clients.request(sales);
        async move { client.sales_report(request).await }
    })
    .await?;
    let new_customers = pb::NewCustomersRequest { from: date(2026, 9, 7), to: date(2026, 11, 29) };
    slowest = slowest.max(
        time("new customers, 12 weeks", runs, baseline, || {
            let mut client = clients.reports.clone();
            let request = clients.request(new_customers);
            async move { client.new_customers(request).await }
        })
        .await?,
    );
    let values = pb::CustomerValuesRequest { as_of: date(2026, 11, 30) };
    slowest = slowest.max(
        time("customer values (RFM), every customer", runs, baseline, || {
            let mut client = clients.summaries.clone();
            let request = clients.request(values);
            async move { client.customer_values(request).await }
        })
        .await?,
    );
    let one = pb::CustomerValueRequest { customer_id: 7, as_of: date(2026, 11, 30) };
    slowest = slowest.max(
        time("one customer's value", runs, baseline, || {
            let mut client = clients.summaries.clone();
            let request = clients.request(one);
            async move { client.customer_value(request).await }
        })
        .await?,
    );
    let forecast = pb::RevenueForecastRequest { horizon: 6, ..Default::default() };
    slowest = slowest.max(
        time("revenue forecast, 6 months", runs, baseline, || {
            let mut client = clients.forecasts.clone();
            let request = clients.request(forecast.clone());
            async move { client.revenue_forecast(request).await }
        })
        .await?,
    );
    let demand = pb::DemandForecastRequest { horizon: 6, product_id: 11, ..Default::default() };
    slowest = slowest.max(
        time("demand forecast, one product", runs, baseline, || {
            let mut client = clients.forecasts.clone();
            let request = clients.request(demand);
            async move { client.demand_forecast(request).await }
        })
        .await?,
    );
    Ok(slowest)
}

/// Every report; answers the slowest p99.
pub async fn run_all(address: &str, key: &InternalKey, runs: usize, baseline: Duration) -> anyhow::Result<Duration> {
    let channel = grpc_client::channel(address)?;
    let clients = Clients {
        reports: ReportsClient::new(channel.clone()),
        summaries: SummariesClient::new(channel.clone()),
        margins: MarginsClient::new(channel.clone()),
        forecasts: ForecastsClient::new(channel),
        key: key.clone(),
        director: Caller { username: "bench-director".to_owned(), role: Role::Director, office: None },
    };
    let periods = period_reports(&clients, runs, baseline).await?;
    let others = other_reports(&clients, runs, baseline).await?;
    Ok(periods.max(others))
}
