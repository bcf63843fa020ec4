//! The service-and-care page: requests per period as a chart, their SLA figures per period and
//! per kind, department and office, warranty cases and failure rates per product, and the
//! suppliers' RMA turnaround; each table downloadable as the API's CSV.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::chart::{Chart, Datum, columns};
use super::forecast::percent;
use super::query_of;
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::pages::documents;
use crate::pages::forms::FieldErrors;
use crate::session::Session;

pub fn router() -> Router<UiState> {
    Router::new().route("/reports/service", get(service_page)).route("/reports/service.csv", get(service_csv))
}

/// The selection as typed; blanks are the API's defaults (this month).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ServiceQuery {
    period: String,
    from: String,
    to: String,
    office: String,
    table: String,
}

impl ServiceQuery {
    fn unit(&self) -> &str {
        if self.period.trim().is_empty() { "month" } else { self.period.trim() }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        let mut params = vec![("period", self.unit().to_owned())];
        for (key, value) in [("from", &self.from), ("to", &self.to), ("office", &self.office)] {
            if !value.trim().is_empty() {
                params.push((key, value.trim().to_owned()));
            }
        }
        params
    }

    fn csv(&self, table: &str) -> String {
        let mut params = self.params();
        params.push(("table", table.to_owned()));
        query_of("/reports/service.csv", &params)
    }
}

#[derive(Deserialize)]
struct ServiceView {
    office: Option<String>,
    requests: Vec<RequestView>,
    request_totals: Vec<RequestView>,
    products: Vec<ProductView>,
    suppliers: Vec<SupplierView>,
}

#[derive(Deserialize)]
struct RequestView {
    period: String,
    kind: String,
    department: String,
    office: String,
    requests: i64,
    answered: i64,
    mean_first_response_minutes: Option<i64>,
    mean_first_response_target_minutes: Option<i64>,
    resolved: i64,
    mean_resolution_minutes: Option<i64>,
    mean_resolution_target_minutes: Option<i64>,
    breached: i64,
    breach_rate_bp: Option<i64>,
}

#[derive(Deserialize)]
struct ProductView {
    period: String,
    model_code: String,
    supplier_code: String,
    cases: i64,
    units_sold: i64,
    failure_rate_bp: Option<i64>,
}

#[derive(Deserialize)]
struct SupplierView {
    period: String,
    supplier_code: String,
    supplier_name: String,
    cases: i64,
    rmas_sent: i64,
    rmas_received: i64,
    median_turnaround_tenths: Option<i64>,
    mean_turnaround_tenths: Option<i64>,
}

/// One request row written out; `label` names the period, or the kind, department and office.
pub struct RequestRow {
    pub period: String,
    pub label: String,
    pub requests: String,
    pub answered: String,
    pub first_response: String,
    pub resolved: String,
    pub resolution: String,
    pub breached: String,
    pub breach_rate: String,
}

#[derive(Template)]
#[template(path = "service_report.html")]
struct ServicePage {
    c: Chrome,
    unit: String,
    from: String,
    to: String,
    offices: Vec<(String, String, bool)>,
    error: String,
    scope: String,
    chart: Option<Chart>,
    totals: Vec<RequestRow>,
    requests: Vec<RequestRow>,
    /// (period, model, supplier, cases, units sold, failure rate).
    products: Vec<[String; 6]>,
    /// (period, supplier, cases, sent, received, median days, mean days).
    suppliers: Vec<[String; 7]>,
    csv_requests: String,
    csv_products: String,
    csv_suppliers: String,
}

/// Working minutes against their target: `105 / 120`; `–` when none was counted.
fn against(minutes: Option<i64>, target: Option<i64>, lang: Lang) -> String {
    match (minutes, target) {
        (Some(m), Some(t)) => format!("{} / {}", format::number(m, lang), format::number(t, lang)),
        _ => "–".to_owned(),
    }
}

/// Tenths of a day as days with one decimal in the language's notation; `–` for none.
fn days(tenths: Option<i64>, lang: Lang) -> String {
    let Some(value) = tenths else { return "–".to_owned() };
    let (whole, tenth) = (value.unsigned_abs() / 10, value.unsigned_abs() % 10);
    let whole = format::number(i64::try_from(whole).unwrap_or(i64::MAX), lang);
    match lang {
        Lang::Vi => format!("{whole},{tenth}"),
        Lang::En => format!("{whole}.{tenth}"),
    }
}

fn request_row(r: &RequestView, total: bool, t: Texts) -> RequestRow {
    let label = if total {
        t.get("service_report.all").to_owned()
    } else {
        format!(
            "{} · {} · {}",
            t.word("request_kind", &r.kind),
            t.word("department", &r.department),
            t.word("office", &r.office)
        )
    };
    RequestRow {
        period: r.period.clone(),
        label,
        requests: format::number(r.requests, t.lang),
        answered: format::number(r.answered, t.lang),
        first_response: against(r.mean_first_response_minutes, r.mean_first_response_target_minutes, t.lang),
        resolved: format::number(r.resolved, t.lang),
        resolution: against(r.mean_resolution_minutes, r.mean_resolution_target_minutes, t.lang),
        breached: format::number(r.breached, t.lang),
        breach_rate: percent(r.breach_rate_bp, t.lang),
    }
}

/// Requests per period as columns; a period with a breach is marked.
fn requests_chart(totals: &[RequestView], t: Texts) -> Chart {
    let data: Vec<Datum> = totals
        .iter()
        .map(|r| Datum {
            label: r.period.clone(),
            amount: r.requests,
            shown: format::number(r.requests, t.lang),
            alert: r.breached > 0,
        })
        .collect();
    columns(t.get("service_report.chart").to_owned(), &data)
}

fn page_of(c: Chrome, query: &ServiceQuery, view: Option<ServiceView>, error: String, t: Texts) -> ServicePage {
    let view = view.as_ref();
    ServicePage {
        c,
        unit: query.unit().to_owned(),
        from: query.from.clone(),
        to: query.to.clone(),
        offices: ["HN", "HCM", "DL"].map(|o| (o.to_owned(), t.word("office", o), query.office.trim() == o)).to_vec(),
        error,
        scope: view.and_then(|v| v.office.as_deref()).map(|o| t.word("office", o)).unwrap_or_default(),
        chart: view.map(|v| requests_chart(&v.request_totals, t)),
        totals: view.map(|v| v.request_totals.iter().map(|r| request_row(r, true, t)).collect()).unwrap_or_default(),
        requests: view.map(|v| v.requests.iter().map(|r| request_row(r, false, t)).collect()).unwrap_or_default(),
        products: view
            .map(|v| {
                v.products
                    .iter()
                    .map(|p| {
                        [
                            p.period.clone(),
                            p.model_code.clone(),
                            p.supplier_code.clone(),
                            format::number(p.cases, t.lang),
                            format::number(p.units_sold, t.lang),
                            percent(p.failure_rate_bp, t.lang),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default(),
        suppliers: view
            .map(|v| {
                v.suppliers
                    .iter()
                    .map(|s| {
                        [
                            s.period.clone(),
                            format!("{} {}", s.supplier_code, s.supplier_name).trim().to_owned(),
                            format::number(s.cases, t.lang),
                            format::number(s.rmas_sent, t.lang),
                            format::number(s.rmas_received, t.lang),
                            days(s.median_turnaround_tenths, t.lang),
                            days(s.mean_turnaround_tenths, t.lang),
                        ]
                    })
                    .collect()
            })
            .unwrap_or_default(),
        csv_requests: query.csv("requests"),
        csv_products: query.csv("products"),
        csv_suppliers: query.csv("suppliers"),
    }
}

async fn service_page(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ServiceQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let path = query_of("/api/v1/reports/service", &query.params());
    let (view, error) = match ui.api.get::<ServiceView>(session.api_caller(), &path).await {
        Ok(view) => (Some(view), String::new()),
        Err(problem) => (None, FieldErrors::from_problem(problem, t)?.others(&[])),
    };
    let c = Chrome::new(&session, "/reports", t.get("service_report.title").to_owned(), "/reports/service");
    Ok(html(&page_of(c, &query, view, error, t)))
}

async fn service_csv(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ServiceQuery>,
) -> Result<Response, PageError> {
    let mut params = query.params();
    params.push(("table", query.table.trim().to_owned()));
    params.push(("format", "csv".to_owned()));
    documents::printed(&ui, &session, &query_of("/api/v1/reports/service", &params)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_and_days_read_in_each_language() {
        assert_eq!(against(Some(105), Some(120), Lang::En), "105 / 120");
        assert_eq!(against(None, Some(120), Lang::Vi), "–");
        assert_eq!(days(Some(225), Lang::Vi), "22,5");
        assert_eq!(days(Some(30), Lang::En), "3.0");
        assert_eq!(days(None, Lang::En), "–");
    }
}
