//! Saving and submitting a report from its page: the typed rows of evaluations and competitor
//! notes, sent as the API takes them, and the API's refusals shown on the rows they came from.

use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;

use super::{CompetitorRow, EvaluationRow, current_path, report_page};
use crate::UiState;
use crate::page::PageError;
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::Session;
use crate::views::sales_reports::SalesReport;

/// The form as typed; the row fields repeat once per row.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReportForm {
    csrf: String,
    version: i64,
    notes: String,
    eval_customer_id: Vec<String>,
    eval_rating: Vec<String>,
    eval_remark: Vec<String>,
    competitor: Vec<String>,
    product: Vec<String>,
    price: Vec<String>,
    competitor_remark: Vec<String>,
}

fn at(values: &[String], i: usize) -> String {
    values.get(i).map(|v| v.trim().to_owned()).unwrap_or_default()
}

/// The rows as typed, and the filled ones to send with the index of their row.
fn typed_rows(form: &ReportForm) -> (Vec<EvaluationRow>, Vec<CompetitorRow>) {
    let evaluations = (0..form.eval_customer_id.len())
        .map(|i| EvaluationRow {
            customer_id: at(&form.eval_customer_id, i),
            customer_name: String::new(),
            rating: at(&form.eval_rating, i),
            remark: at(&form.eval_remark, i),
            error: String::new(),
        })
        .filter(|r| !(r.customer_id.is_empty() && r.remark.is_empty()))
        .collect();
    let competitors = (0..form.competitor.len())
        .map(|i| CompetitorRow {
            competitor: at(&form.competitor, i),
            product: at(&form.product, i),
            price: at(&form.price, i).replace(['.', ',', ' '], ""),
            remark: at(&form.competitor_remark, i),
            error: String::new(),
        })
        .filter(|r| !(r.competitor.is_empty() && r.product.is_empty() && r.remark.is_empty()))
        .collect();
    (evaluations, competitors)
}

/// A typed price in VND; blank is 0 (unknown), and what is not a number -1, which the API refuses
/// beside the field.
fn price_of(typed: &str) -> i64 {
    if typed.is_empty() { 0 } else { typed.parse::<i64>().unwrap_or(-1) }
}

fn body_of(form: &ReportForm, evaluations: &[EvaluationRow], competitors: &[CompetitorRow]) -> serde_json::Value {
    serde_json::json!({
        "notes": form.notes,
        "evaluations": evaluations.iter().map(|e| serde_json::json!({
            "customer_id": e.customer_id.parse::<i64>().unwrap_or(0),
            "rating": e.rating.parse::<i32>().unwrap_or(0), "remark": e.remark,
        })).collect::<Vec<_>>(),
        "competitors": competitors.iter().map(|c| serde_json::json!({
            "competitor": c.competitor, "product": c.product,
            "price": price_of(&c.price),
            "remark": c.remark,
        })).collect::<Vec<_>>(),
    })
}

/// The API's errors of the rows it was sent, on those rows.
fn put_row_errors(errors: &FieldErrors, evaluations: &mut [EvaluationRow], competitors: &mut [CompetitorRow]) {
    let joined = |prefix: &str, i: usize, fields: &[&str]| {
        let messages: Vec<&str> =
            fields.iter().map(|f| errors.of(&format!("{prefix}[{i}].{f}"))).filter(|m| !m.is_empty()).collect();
        messages.join(" · ")
    };
    for (i, row) in evaluations.iter_mut().enumerate() {
        row.error = joined("evaluations", i, &["customer_id", "rating", "remark"]);
    }
    for (i, row) in competitors.iter_mut().enumerate() {
        row.error = joined("competitors", i, &["competitor", "product", "price", "remark"]);
    }
}

pub(super) async fn save(
    State(ui): State<UiState>,
    session: Session,
    Path((kind, period)): Path<(String, String)>,
    Form(form): Form<ReportForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let (mut evaluations, mut competitors) = typed_rows(&form);
    let body = body_of(&form, &evaluations, &competitors);
    let path = format!("/api/v1/sales-reports/{kind}/{period}");
    let headers: Vec<(&str, String)> =
        if form.version > 0 { vec![("if-match", format!("\"{}\"", form.version))] } else { Vec::new() };
    match ui.api.send(session.api_caller(), Method::PUT, &path, &body, &headers).await {
        Ok(_) => Ok(Redirect::to(&format!("/sales-reports/{kind}/{period}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            put_row_errors(&errors, &mut evaluations, &mut competitors);
            let mut report: SalesReport = ui.api.get(session.api_caller(), &current_path(&kind, &period)).await?;
            report.notes = form.notes;
            report_page(&ui, &session, report, Some((evaluations, competitors)), errors).await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SubmitForm {
    csrf: String,
    version: i64,
}

pub(super) async fn submit(
    State(ui): State<UiState>,
    session: Session,
    Path((kind, period)): Path<(String, String)>,
    Form(form): Form<SubmitForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let path = format!("/api/v1/sales-reports/{kind}/{period}/submit");
    let headers = [("if-match", format!("\"{}\"", form.version))];
    match ui.api.send(session.api_caller(), Method::POST, &path, &serde_json::json!({}), &headers).await {
        Ok(_) => Ok(Redirect::to(&format!("/sales-reports/{kind}/{period}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let report: SalesReport = ui.api.get(session.api_caller(), &current_path(&kind, &period)).await?;
            report_page(&ui, &session, report, None, errors).await
        }
    }
}
