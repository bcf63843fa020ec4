//! The directors' summary page: one department per month, quarter or year, each figure beside
//! the period before and the same period a year earlier, with the API's CSV and XLSX downloads.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::query_of;
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::pages::documents;
use crate::pages::forms::FieldErrors;
use crate::session::Session;

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/reports/summary", get(summary_page))
        .route("/reports/summary.csv", get(summary_csv))
        .route("/reports/summary.xlsx", get(summary_xlsx))
}

/// The selection as typed; blank department and unit are sales by month.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SummaryQuery {
    department: String,
    period: String,
    from: String,
    to: String,
}

impl SummaryQuery {
    fn department(&self) -> &str {
        if self.department.trim().is_empty() { "sales" } else { self.department.trim() }
    }

    fn unit(&self) -> &str {
        if self.period.trim().is_empty() { "month" } else { self.period.trim() }
    }

    fn params(&self) -> Vec<(&'static str, String)> {
        vec![
            ("department", self.department().to_owned()),
            ("period", self.unit().to_owned()),
            ("from", self.from.trim().to_owned()),
            ("to", self.to.trim().to_owned()),
        ]
    }
}

#[derive(Deserialize)]
struct SummaryView {
    office: Option<String>,
    periods: Vec<PeriodView>,
}

#[derive(Deserialize)]
struct PeriodView {
    name: String,
    from: String,
    to: String,
    previous: String,
    year_ago: String,
    sections: Vec<SectionView>,
}

#[derive(Deserialize)]
struct SectionView {
    name: String,
    rows: Vec<RowView>,
}

#[derive(Deserialize)]
struct RowView {
    key: String,
    measures: Vec<MeasureView>,
}

#[derive(Deserialize)]
struct MeasureView {
    name: String,
    current: i64,
    previous: i64,
    year_ago: i64,
    change_previous_bp: Option<i64>,
    change_year_ago_bp: Option<i64>,
}

pub struct LineRow {
    pub label: String,
    pub current: String,
    pub previous: String,
    pub change_previous: String,
    pub year_ago: String,
    pub change_year_ago: String,
}

pub struct SectionBlock {
    pub title: String,
    pub rows: Vec<LineRow>,
}

pub struct PeriodBlock {
    pub title: String,
    pub previous: String,
    pub year_ago: String,
    pub sections: Vec<SectionBlock>,
}

#[derive(Template)]
#[template(path = "report_summary.html")]
struct SummaryPage {
    c: Chrome,
    department: String,
    unit: String,
    from: String,
    to: String,
    error: String,
    office: String,
    periods: Vec<PeriodBlock>,
    csv: String,
    xlsx: String,
}

/// A change in basis points as a signed percentage in the language's notation; `–` without a
/// base to compare with.
fn percent(bp: Option<i64>, lang: Lang) -> String {
    let Some(bp) = bp else { return "–".to_owned() };
    let sign = if bp < 0 { "−" } else { "+" };
    let (whole, hundredths) = (bp.unsigned_abs() / 100, bp.unsigned_abs() % 100);
    match lang {
        Lang::Vi => format!("{sign}{whole},{hundredths:02} %"),
        Lang::En => format!("{sign}{whole}.{hundredths:02}%"),
    }
}

/// Money measures in đồng, `_tenths` in days with one decimal, `_bp` as a percentage; the others
/// are counts (a supplier currency's goods value too: its minor unit is no đồng).
fn amount(measure: &str, value: i64, lang: Lang) -> String {
    const MONEY: [&str; 17] = [
        "net",
        "vat",
        "gross",
        "invoiced_net",
        "invoiced_vat",
        "invoiced_gross",
        "collected",
        "closing_receivables",
        "overdue",
        "credit_sales",
        "open_amount",
        "value",
        "surplus_value",
        "shortage_value",
        "landed_value",
        "priced_landed_value",
        "list_value",
    ];
    if MONEY.contains(&measure) {
        format::money(value, lang)
    } else if measure.ends_with("_tenths") {
        tenths(value, lang)
    } else if measure.ends_with("_bp") {
        percent(Some(value), lang).trim_start_matches('+').to_owned()
    } else {
        format::number(value, lang)
    }
}

/// Tenths of a day as days with one decimal in the language's notation.
fn tenths(value: i64, lang: Lang) -> String {
    let sign = if value < 0 { "−" } else { "" };
    let (whole, tenth) = (value.unsigned_abs() / 10, value.unsigned_abs() % 10);
    let whole = format::number(i64::try_from(whole).unwrap_or(i64::MAX), lang);
    match lang {
        Lang::Vi => format!("{sign}{whole},{tenth}"),
        Lang::En => format!("{sign}{whole}.{tenth}"),
    }
}

fn key_label(section: &str, key: &str, t: Texts) -> String {
    match (section, key) {
        (_, "all") => t.get("summary.all").to_owned(),
        ("by_office" | "slow_moving_stock" | "damaged_stock" | "stocktakes" | "milestones_by_office", _) => {
            t.word("office", key)
        }
        ("by_customer_group", _) => t.word("group", key),
        ("by_kind", _) => t.word("request_kind", key),
        ("by_department", _) => t.word("department", key),
        ("receivables_aging", _) => t.word("summary.bucket", key),
        ("stock_by_warehouse", _) => match key.split_once('/') {
            Some((office, condition)) => format!("{} · {}", t.word("office", office), t.word("condition", condition)),
            None => key.to_owned(),
        },
        _ => key.to_owned(),
    }
}

fn period_block(period: &PeriodView, t: Texts) -> PeriodBlock {
    let sections = period
        .sections
        .iter()
        .map(|section| SectionBlock {
            title: t.word("summary.section", &section.name),
            rows: section
                .rows
                .iter()
                .flat_map(|row| {
                    let key = key_label(&section.name, &row.key, t);
                    row.measures.iter().map(move |m| LineRow {
                        label: format!("{key} · {}", t.word("summary.measure", &m.name)),
                        current: amount(&m.name, m.current, t.lang),
                        previous: amount(&m.name, m.previous, t.lang),
                        change_previous: percent(m.change_previous_bp, t.lang),
                        year_ago: amount(&m.name, m.year_ago, t.lang),
                        change_year_ago: percent(m.change_year_ago_bp, t.lang),
                    })
                })
                .collect(),
        })
        .collect();
    PeriodBlock {
        title: format!(
            "{} ({} – {})",
            period.name,
            format::date(&period.from, t.lang),
            format::date(&period.to, t.lang)
        ),
        previous: period.previous.clone(),
        year_ago: period.year_ago.clone(),
        sections,
    }
}

async fn summary_page(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SummaryQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let path = query_of("/api/v1/reports/summary", &query.params());
    let answer = ui.api.get::<SummaryView>(session.api_caller(), &path).await;
    let (summary, error) = match answer {
        Ok(summary) => (Some(summary), String::new()),
        Err(problem) => (None, FieldErrors::from_problem(problem, t)?.others(&[])),
    };
    let c = Chrome::new(&session, "/reports", t.get("summary.title").to_owned(), "/reports/summary");
    let office = summary.as_ref().and_then(|s| s.office.as_deref()).map(|o| t.word("office", o)).unwrap_or_default();
    let page = SummaryPage {
        c,
        department: query.department().to_owned(),
        unit: query.unit().to_owned(),
        error,
        office,
        periods: summary.map(|s| s.periods.iter().map(|p| period_block(p, t)).collect()).unwrap_or_default(),
        csv: query_of("/reports/summary.csv", &query.params()),
        xlsx: query_of("/reports/summary.xlsx", &query.params()),
        from: query.from,
        to: query.to,
    };
    Ok(html(&page))
}

async fn download(ui: &UiState, session: &Session, query: &SummaryQuery, format: &str) -> Result<Response, PageError> {
    let mut params = query.params();
    params.push(("format", format.to_owned()));
    documents::printed(ui, session, &query_of("/api/v1/reports/summary", &params)).await
}

async fn summary_csv(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SummaryQuery>,
) -> Result<Response, PageError> {
    download(&ui, &session, &query, "csv").await
}

async fn summary_xlsx(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<SummaryQuery>,
) -> Result<Response, PageError> {
    download(&ui, &session, &query, "xlsx").await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_percentages_in_each_language() {
        assert_eq!(percent(Some(1_234), Lang::Vi), "+12,34 %");
        assert_eq!(percent(Some(-5), Lang::En), "−0.05%");
        assert_eq!(percent(None, Lang::En), "–");
        assert_eq!(amount("orders", 1_200, Lang::En), format::number(1_200, Lang::En));
        assert_eq!(amount("collected", 1_200, Lang::En), format::money(1_200, Lang::En));
        assert_eq!(amount("value", 1_200, Lang::Vi), format::money(1_200, Lang::Vi));
        assert_eq!(amount("goods_value", 1_200, Lang::En), format::number(1_200, Lang::En));
        assert_eq!(amount("dso_tenths", 103, Lang::Vi), "10,3");
        assert_eq!(amount("lead_time_mean_tenths", 410, Lang::En), "41.0");
        assert_eq!(amount("on_time_rate_bp", 5_000, Lang::En), "50.00%");
        assert_eq!(amount("landed_vs_list_bp", 11_500, Lang::Vi), "115,00 %");
    }
}
