//! The pipeline board: a column per stage with its count, value and weighted value, the open
//! opportunities as cards, and each salesperson's forecast.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{Card, STAGES, card};
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, OFFICES, choices};
use crate::session::Session;
use crate::views::ListOf;
use crate::views::opportunities::{Opportunity, Pipeline};

/// Cards a column shows; the list page has the rest.
const CARDS_PER_STAGE: usize = 20;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BoardQuery {
    office: String,
}

pub struct Column {
    pub stage: String,
    pub label: String,
    pub count: i64,
    pub value: String,
    pub weighted: String,
    pub cards: Vec<Card>,
}

pub struct OwnerRow {
    pub owner: String,
    pub open_count: i64,
    pub open_value: String,
    pub forecast: String,
    pub won: String,
    pub lost_count: i64,
    /// "66,67 %"
    pub win_rate: String,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct BoardPage {
    c: Chrome,
    offices: Vec<Choice>,
    columns: Vec<Column>,
    owners: Vec<OwnerRow>,
}

fn win_rate(bp: i32, lang: crate::Lang) -> String {
    let (whole, hundredths) = (bp / 100, bp % 100);
    match lang {
        crate::Lang::Vi => format!("{whole},{hundredths:02} %"),
        crate::Lang::En => format!("{whole}.{hundredths:02}%"),
    }
}

pub async fn board(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let office = query.office.trim();
    let filter = if office.is_empty() { String::new() } else { format!("office={office}&") };
    let report: Pipeline = ui.api.get(session.api_caller(), &format!("/api/v1/reports/pipeline?{filter}")).await?;
    let mut columns = Vec::new();
    for figures in report.stages.into_iter().filter(|s| STAGES.contains(&s.stage.as_str())) {
        let path = format!("/api/v1/opportunities?{filter}stage={}&limit={CARDS_PER_STAGE}", figures.stage);
        let listed: ListOf<Opportunity> = ui.api.get(session.api_caller(), &path).await?;
        columns.push(Column {
            label: t.word("opp_stage", &figures.stage),
            count: figures.count,
            value: format::money(figures.value, t.lang),
            weighted: format::money(figures.weighted_value, t.lang),
            cards: listed.items.iter().map(|o| card(o, t)).collect(),
            stage: figures.stage,
        });
    }
    let owners = report
        .owners
        .into_iter()
        .map(|f| OwnerRow {
            owner: f.key,
            open_count: f.open_count,
            open_value: format::money(f.open_value, t.lang),
            forecast: format::money(f.weighted_forecast, t.lang),
            won: format!("{} ({})", format::money(f.won_value, t.lang), f.won_count),
            lost_count: f.lost_count,
            win_rate: win_rate(f.win_rate_bp, t.lang),
        })
        .collect();
    let c =
        Chrome::new(&session, "/opportunities", t.get("opportunities.pipeline").to_owned(), "/opportunities/pipeline");
    Ok(html(&BoardPage { c, offices: choices(t, "office", &OFFICES, office), columns, owners }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_rates_are_shown_as_percentages_with_two_decimals() {
        assert_eq!(win_rate(6_667, crate::Lang::Vi), "66,67 %");
        assert_eq!(win_rate(10_000, crate::Lang::En), "100.00%");
        assert_eq!(win_rate(5, crate::Lang::En), "0.05%");
    }
}
