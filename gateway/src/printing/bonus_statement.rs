//! The customer's bonus statement (bảng kê thưởng doanh số) as PDF.

use atq_documents::{BonusFigures, BonusPaidLine, BonusRateStep, BonusStatementDoc};
use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::bonuses_client::BonusesClient;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;

use super::invoice::vietnamese_date;
use super::{PrintQuery, company, customer_party, language, pdf_response};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::day_text;

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct BonusPrintQuery {
    /// "2026-Q4" or "2026"
    #[param(required = true)]
    pub period: Option<String>,
    /// vi (the default) or en
    pub lang: Option<String>,
}

/// The statement's figures as the document prints them.
fn document(statement: pb::BonusStatement, customer: atq_documents::Party) -> BonusStatementDoc {
    let date = |d: Option<&atq_proto::common::v1::LocalDate>| vietnamese_date(&day_text(d));
    let (scheme_name, steps) = match statement.scheme {
        Some(scheme) => (
            scheme.name,
            scheme.steps.iter().map(|s| BonusRateStep { threshold: s.threshold, rate_bp: s.rate_bp }).collect(),
        ),
        None => (String::new(), Vec::new()),
    };
    let lines = statement
        .lines
        .iter()
        .map(|l| BonusPaidLine {
            payment_number: l.payment_number.clone(),
            received_on: date(l.received_on.as_ref()),
            invoice_number: l.invoice_number.clone(),
            invoice_date: date(l.invoice_date.as_ref()),
            allocated: l.allocated,
            net: l.net,
        })
        .collect();
    BonusStatementDoc {
        company: company(),
        date: local_date(now_micros()).format("%d/%m/%Y").to_string(),
        period: statement.period,
        period_from: date(statement.period_start.as_ref()),
        period_to: date(statement.period_end.as_ref()),
        customer,
        scheme_name,
        steps,
        lines,
        figures: BonusFigures {
            paid_gross: statement.paid_gross,
            paid_net: statement.paid_net,
            threshold_reached: statement.threshold_reached,
            rate_bp: statement.rate_bp,
            earned: statement.earned,
            accrued: statement.accrued,
            settled: statement.settled,
            clawed_back: statement.clawed_back,
            payable: statement.payable,
        },
    }
}

/// A customer's bonus statement for a quarter or a year as a printable PDF: every payment and the
/// invoice it paid that counted, the scheme's rates and the step reached, the bonus earned,
/// accrued, settled and still owed. Whoever reads the statement prints it.
#[utoipa::path(get, path = "/api/v1/customers/{id}/bonus-statement/pdf", tag = "accounting",
    params(("id" = i64, Path), BonusPrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, Forbidden, NotFound))]
pub async fn bonus_statement_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<BonusPrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadAccounts)?;
    let language = language(&PrintQuery { lang: query.lang }, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let client = BonusesClient::new(state.channel("accounting-warehouse")?);
    let message = pb::GetBonusStatementRequest { customer_id: id, period: query.period.unwrap_or_default() };
    let statement = ctx.call(&client, message, |mut c, r| async move { c.get_bonus_statement(r).await }).await?;
    let customer = customer_party(&state, &ctx, statement.customer_id, "").await?;
    let file_name = format!("TDS-{}-{}", customer.code, statement.period);
    pdf_response(atq_documents::bonus_statement_pdf(&document(statement, customer), language), &file_name)
}
