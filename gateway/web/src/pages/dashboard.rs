//! The directors' dashboard: each key figure today as a card with its number, what it compares
//! against and a link to its report; a figure whose service did not answer says so and the others
//! still show. Its figures also lead the home page of those who read reports.

use askama::Template;
use atq_platform::caller::Action;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;

use super::home::{Card, CardRow};
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::session::Session;

pub fn router() -> Router<UiState> {
    Router::new().route("/dashboard", get(dashboard))
}

const API: &str = "/api/v1/dashboard";

/// One section of `GET /api/v1/dashboard`.
#[derive(Deserialize)]
struct SectionView<T> {
    unavailable: bool,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default = "Option::default")]
    figures: Option<T>,
    page: String,
}

#[derive(Deserialize)]
struct PeriodView {
    net: i64,
}

#[derive(Deserialize)]
struct RevenueView {
    month_to_date: PeriodView,
    same_days_last_month: PeriodView,
    change_bp: Option<i64>,
    target: Option<i64>,
    achievement_bp: Option<i64>,
    target_unavailable: bool,
    target_page: String,
}

#[derive(Deserialize)]
struct CountView {
    count: i64,
    capped: bool,
}

#[derive(Deserialize)]
struct ReceivableView {
    amount: i64,
    customers: i64,
}

#[derive(Deserialize)]
struct ImportView {
    plans: i64,
    capped: bool,
}

#[derive(Deserialize)]
struct StatusCountView {
    status: String,
    count: i64,
}

#[derive(Deserialize)]
struct WarrantyView {
    count: i64,
    by_status: Vec<StatusCountView>,
    capped: bool,
}

#[derive(Deserialize)]
struct DashboardView {
    as_of: String,
    office: Option<String>,
    revenue: SectionView<RevenueView>,
    dispatch_awaiting: SectionView<CountView>,
    overdue_receivables: SectionView<ReceivableView>,
    late_imports: SectionView<ImportView>,
    requests_past_sla: SectionView<CountView>,
    warranty_open: SectionView<WarrantyView>,
}

/// A card of the page: the figure, the lines comparing it, and its report.
pub struct FigureCard {
    pub id: &'static str,
    pub title: &'static str,
    /// Empty when the figure is unavailable.
    pub value: String,
    pub lines: Vec<String>,
    /// Why there is no figure; empty when there is one.
    pub missing: String,
    pub alert: bool,
    pub page: String,
    /// A second report (the targets of the month) and its link's label; empty when none.
    pub more_label: String,
    pub more_page: String,
}

/// Basis points as a percentage with one decimal, in the language's notation.
fn percent(bp: i64, lang: Lang) -> String {
    let sign = if bp < 0 {
        "-"
    } else if bp > 0 {
        "+"
    } else {
        ""
    };
    let (whole, tenth) = (bp.unsigned_abs() / 100, bp.unsigned_abs() % 100 / 10);
    let mark = if lang == Lang::Vi { ',' } else { '.' };
    format!("{sign}{whole}{mark}{tenth}%")
}

fn share(bp: i64, lang: Lang) -> String {
    percent(bp, lang).trim_start_matches('+').to_owned()
}

fn count(value: i64, capped: bool, lang: Lang) -> String {
    format!("{}{}", format::number(value, lang), if capped { "+" } else { "" })
}

/// The card of a section: its figure from `shown`, or why it has none.
fn card<T>(
    t: Texts,
    (id, title): (&'static str, &'static str),
    section: SectionView<T>,
    shown: impl FnOnce(T) -> (String, Vec<String>, bool),
) -> FigureCard {
    let missing = match section.reason.as_deref() {
        Some("role") => t.get("dashboard.not_for_role").to_owned(),
        _ => t.get("dashboard.unavailable").to_owned(),
    };
    let mut card = FigureCard {
        id,
        title,
        value: String::new(),
        lines: Vec::new(),
        missing,
        alert: false,
        page: section.page,
        more_label: String::new(),
        more_page: String::new(),
    };
    if let Some(figures) = section.figures.filter(|_| !section.unavailable) {
        (card.value, card.lines, card.alert) = shown(figures);
        card.missing.clear();
    }
    card
}

fn revenue_card(t: Texts, section: SectionView<RevenueView>) -> FigureCard {
    let lang = t.lang;
    let target_page = section.figures.as_ref().map(|r| r.target_page.clone());
    let mut card = card(t, ("revenue", "dashboard.revenue"), section, |r| {
        let target = match (r.target, r.achievement_bp) {
            _ if r.target_unavailable => t.get("dashboard.target_unavailable").to_owned(),
            (Some(target), Some(bp)) => {
                format!(
                    "{} {} ({} {})",
                    t.get("dashboard.target"),
                    format::money(target, lang),
                    share(bp, lang),
                    t.get("dashboard.achieved")
                )
            }
            _ => t.get("dashboard.no_target").to_owned(),
        };
        let change = r.change_bp.map(|bp| format!(" ({})", percent(bp, lang))).unwrap_or_default();
        let last =
            format!("{} {}{change}", t.get("dashboard.last_month"), format::money(r.same_days_last_month.net, lang));
        let behind = r.achievement_bp.is_some_and(|bp| bp < 10_000) && r.change_bp.is_some_and(|bp| bp < 0);
        (format::money(r.month_to_date.net, lang), vec![target, last], behind)
    });
    if let Some(page) = target_page {
        (card.more_label, card.more_page) = (t.get("dashboard.target_report").to_owned(), page);
    }
    card
}

fn cards(t: Texts, view: DashboardView) -> Vec<FigureCard> {
    let lang = t.lang;
    let counted = |note: &'static str| {
        move |c: CountView| (count(c.count, c.capped, lang), vec![t.get(note).to_owned()], c.count > 0)
    };
    vec![
        revenue_card(t, view.revenue),
        card(t, ("dispatch", "dashboard.dispatch"), view.dispatch_awaiting, counted("dashboard.dispatch_note")),
        card(t, ("receivables", "dashboard.receivables"), view.overdue_receivables, |r| {
            let customers = format!("{} {}", format::number(r.customers, lang), t.get("dashboard.customers_owing"));
            (format::money(r.amount, lang), vec![customers], r.amount > 0)
        }),
        card(t, ("imports", "dashboard.imports"), view.late_imports, |i| {
            (count(i.plans, i.capped, lang), vec![t.get("dashboard.late_plans").to_owned()], i.plans > 0)
        }),
        card(t, ("requests", "dashboard.requests"), view.requests_past_sla, counted("dashboard.requests_note")),
        card(t, ("warranty", "dashboard.warranty"), view.warranty_open, |w| {
            let statuses = w.by_status.iter().filter(|s| s.count > 0);
            let lines = statuses.map(|s| format!("{}: {}", t.word("warranty_status", &s.status), s.count)).collect();
            (count(w.count, w.capped, lang), lines, false)
        }),
    ]
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    as_of: String,
    office: String,
    cards: Vec<FigureCard>,
    api: &'static str,
}

async fn dashboard(State(ui): State<UiState>, session: Session) -> Result<Response, PageError> {
    let t = session.texts();
    let view: DashboardView = ui.api.get(session.api_caller(), API).await?;
    let office = match view.office.as_deref() {
        Some(code) => t.word("office", code),
        None => t.get("dashboard.whole_company").to_owned(),
    };
    let as_of = format::date(&view.as_of, t.lang);
    let c = Chrome::new(&session, "/dashboard", t.get("dashboard.title").to_owned(), "/dashboard");
    Ok(html(&DashboardPage { c, as_of, office, cards: cards(t, view), api: API }))
}

/// The key figures as the first card of the home page, for those who read reports; none when the
/// dashboard cannot be read (the home page still shows the rest).
pub async fn home_card(ui: &UiState, session: &Session) -> Option<Card> {
    if !session.caller.role.may(Action::ReadReports) {
        return None;
    }
    let t = session.texts();
    let view: DashboardView = ui.api.get(session.api_caller(), API).await.ok()?;
    let rows = cards(t, view)
        .into_iter()
        .map(|card| CardRow {
            href: card.page,
            number: t.get(card.title).to_owned(),
            customer: card.lines.first().cloned().unwrap_or(card.missing),
            amount: card.value,
            status: String::new(),
        })
        .collect();
    Some(Card { title: "dashboard.title", list: "/dashboard", rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_written_in_each_language() {
        assert_eq!(percent(1250, Lang::Vi), "+12,5%");
        assert_eq!(percent(-33, Lang::En), "-0.3%");
        assert_eq!(percent(0, Lang::En), "0.0%");
        assert_eq!(share(10_000, Lang::En), "100.0%");
    }

    #[test]
    fn an_unavailable_section_says_why_instead_of_a_figure() {
        let t = Texts::new(Lang::En);
        let section: SectionView<CountView> = SectionView {
            unavailable: true,
            reason: Some("service".to_owned()),
            figures: None,
            page: "/dispatch-orders".to_owned(),
        };
        let shown = card(t, ("dispatch", "dashboard.dispatch"), section, |_| unreachable!("no figures"));
        assert!(shown.value.is_empty());
        assert_eq!(shown.missing, t.get("dashboard.unavailable"));
    }
}
