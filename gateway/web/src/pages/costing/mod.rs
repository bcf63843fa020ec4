//! Import costing for import-export and accounting: the exchange rates in force and one
//! currency's history, the form that enters a rate, and the landed-cost preview (`landed`).

mod landed;

use askama::Template;
use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::catalog::with_query;
use super::customers::Choice;
use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::i18n::{Lang, Texts};
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::{ExchangeRate, ExchangeRates};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/exchange-rates", get(rates).post(enter_rate))
        .route("/landed-cost", get(landed::blank_form).post(landed::preview))
}

/// The suppliers' currencies a rate may be entered for.
pub const CURRENCIES: [&str; 8] = ["USD", "EUR", "JPY", "GBP", "CHF", "CNY", "KRW", "SGD"];
/// The names under which the API reports errors of the one rate the form sends.
const RATE_FIELDS: [&str; 4] = ["currency", "effective_on", "rate", "source"];

/// Currency codes as options; a code is its own label.
pub fn currency_choices(codes: &[&'static str], current: &str) -> Vec<Choice> {
    codes.iter().map(|code| Choice { value: code, label: (*code).to_owned(), selected: *code == current }).collect()
}

fn known_currency(typed: &str) -> &'static str {
    CURRENCIES.iter().find(|c| **c == typed.trim()).copied().unwrap_or_default()
}

/// A decimal rate ("25380.5") with the language's separators.
pub fn rate_shown(rate: &str, lang: Lang) -> String {
    let (whole, fraction) = rate.split_once('.').unwrap_or((rate, ""));
    let Ok(whole) = whole.parse::<i64>() else { return rate.to_owned() };
    let whole = format::number(whole, lang);
    match (fraction.is_empty(), lang) {
        (true, _) => whole,
        (false, Lang::Vi) => format!("{whole},{fraction}"),
        (false, Lang::En) => format!("{whole}.{fraction}"),
    }
}

fn today() -> String {
    local_date(now_micros()).format("%Y-%m-%d").to_string()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RatesQuery {
    on: String,
    currency: String,
}

/// The rate form as typed.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RateForm {
    csrf: String,
    idempotency_key: String,
    currency: String,
    effective_on: String,
    rate: String,
    source: String,
}

pub struct RateRow {
    pub currency: String,
    pub effective_on: String,
    pub rate: String,
    pub source: String,
    pub entered_by: String,
}

fn rate_row(rate: ExchangeRate, t: Texts) -> RateRow {
    RateRow {
        effective_on: format::date(&rate.effective_on, t.lang),
        rate: rate_shown(&rate.rate, t.lang),
        currency: rate.currency,
        source: rate.source,
        entered_by: rate.entered_by,
    }
}

#[derive(Template)]
#[template(path = "exchange_rates.html")]
struct RatesPage {
    c: Chrome,
    on: String,
    on_shown: String,
    currency: &'static str,
    currencies: Vec<Choice>,
    in_force: Vec<RateRow>,
    history: Vec<RateRow>,
    may_write: bool,
    form: RateForm,
    form_currencies: Vec<Choice>,
    errors: FieldErrors,
    other_errors: String,
}

async fn read_rates(ui: &UiState, session: &Session, params: &[(&str, &str)]) -> Result<Vec<RateRow>, PageError> {
    let t = session.texts();
    let path = with_query("/api/v1/exchange-rates", params);
    let rates: ExchangeRates = ui.api.get(session.api_caller(), &path).await?;
    Ok(rates.items.into_iter().map(|r| rate_row(r, t)).collect())
}

async fn rates_page(
    ui: &UiState,
    session: &Session,
    query: RatesQuery,
    form: RateForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let on = if chrono::NaiveDate::parse_from_str(query.on.trim(), "%Y-%m-%d").is_ok() {
        query.on.trim().to_owned()
    } else {
        today()
    };
    let currency = known_currency(&query.currency);
    let in_force = read_rates(ui, session, &[("on", &on)]).await?;
    let history =
        if currency.is_empty() { Vec::new() } else { read_rates(ui, session, &[("currency", currency)]).await? };
    let shown: Vec<String> = RATE_FIELDS.iter().map(|f| format!("rates[0].{f}")).collect();
    let other_errors = errors.others(&shown.iter().map(String::as_str).collect::<Vec<_>>());
    let here = with_query("/exchange-rates", &[("on", &on), ("currency", currency)]);
    let c = Chrome::new(session, "/exchange-rates", t.get("costing.rates_title").to_owned(), &here);
    Ok(html(&RatesPage {
        c,
        on_shown: format::date(&on, t.lang),
        on,
        currency,
        currencies: currency_choices(&CURRENCIES, currency),
        in_force,
        history,
        may_write: session.caller.role.may(Action::WriteRates),
        form_currencies: currency_choices(&CURRENCIES, &form.currency),
        form,
        errors,
        other_errors,
    }))
}

async fn rates(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<RatesQuery>,
) -> Result<Response, PageError> {
    let form = RateForm {
        idempotency_key: new_idempotency_key(),
        currency: "USD".into(),
        effective_on: today(),
        ..Default::default()
    };
    rates_page(&ui, &session, query, form, FieldErrors::default()).await
}

async fn enter_rate(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<RateForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let (currency, effective_on) = (form.currency.trim().to_owned(), form.effective_on.trim().to_owned());
    let body = serde_json::json!({"rates": [{
        "currency": currency, "effective_on": effective_on, "rate": form.rate.trim(), "source": form.source.trim(),
    }]});
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/exchange-rates", &body, &headers).await {
        Ok(_) => {
            let back = with_query("/exchange-rates", &[("on", &effective_on), ("currency", &currency)]);
            Ok(Redirect::to(&back).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            // A corrected form is a new request.
            let form = RateForm { idempotency_key: new_idempotency_key(), ..form };
            let query = RatesQuery { on: String::new(), currency };
            rates_page(&ui, &session, query, form, errors).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_written_with_the_languages_separators() {
        assert_eq!(rate_shown("25380.5", Lang::Vi), "25.380,5");
        assert_eq!(rate_shown("25380.5", Lang::En), "25,380.5");
        assert_eq!(rate_shown("166", Lang::En), "166");
        assert_eq!(known_currency(" EUR "), "EUR");
        assert_eq!(known_currency("BTC"), "");
    }
}
