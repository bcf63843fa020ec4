//! `GET /api/v1/dashboard`: the directors' key figures today, each with the report it comes from.
//! The gateway asks the services' existing methods at once, as the signed-in caller, so each
//! figure is scoped as its own report scopes it; a section whose service does not answer is
//! marked unavailable and the rest still show.

mod figures;

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{Forbidden, Unauthorized};
use crate::rpc::CallContext;
use crate::state::AppState;

use figures::{
    DispatchFigures, ImportFigures, Link, ReceivableFigures, RequestFigures, RevenueFigures, WarrantyFigures,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

/// One figure of the dashboard: its numbers, or why it has none, and where its report is.
#[derive(Serialize, ToSchema)]
pub struct Section<T> {
    /// True when the figure cannot be shown: `reason` says why.
    pub unavailable: bool,
    /// `service`: the service that keeps the figure did not answer; `role`: the caller's role
    /// does not see this figure (the company-wide aging is for accounting and the directors).
    pub reason: Option<String>,
    /// Absent when unavailable.
    pub figures: Option<T>,
    /// The REST path of the report or list behind the figure.
    pub api: String,
    /// The web page of that report or list.
    pub page: String,
}

impl<T> Section<T> {
    fn shown(figures: T, link: Link) -> Self {
        Section { unavailable: false, reason: None, figures: Some(figures), api: link.api, page: link.page }
    }

    fn missing(reason: &str, link: Link) -> Self {
        Section { unavailable: true, reason: Some(reason.to_owned()), figures: None, api: link.api, page: link.page }
    }

    /// The figures, or `service` unavailable when the call that fetches them failed.
    fn from_answer(answer: Result<T, Problem>, what: &str, link: Link) -> Self {
        match answer {
            Ok(figures) => Section::shown(figures, link),
            Err(problem) => {
                tracing::warn!(section = what, status = %problem.status, "dashboard figure unavailable");
                Section::missing("service", link)
            }
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DashboardBody {
    /// Today in Asia/Ho_Chi_Minh, `YYYY-MM-DD`: the day the figures are as of.
    pub as_of: String,
    /// The office the figures are limited to (a sales manager's own); null for the whole company.
    pub office: Option<String>,
    /// Net revenue of confirmed orders this local month to date, against the month's revenue
    /// target and the same days of last month.
    pub revenue: Section<RevenueFigures>,
    /// Dispatch orders waiting for the directors' decision.
    pub dispatch_awaiting: Section<DispatchFigures>,
    /// Receivables past their due date, today.
    pub overdue_receivables: Section<ReceivableFigures>,
    /// Import plans with a milestone that cannot make its date.
    pub late_imports: Section<ImportFigures>,
    /// Customer requests not resolved or closed whose SLA is breached.
    pub requests_past_sla: Section<RequestFigures>,
    /// Warranty cases not closed.
    pub warranty_open: Section<WarrantyFigures>,
}

/// The directors' key figures today: revenue month to date against the month's target and the
/// same days of last month, dispatch orders awaiting a decision, overdue receivables, import
/// plans with late milestones, open customer requests past their SLA and open warranty cases;
/// each with the REST path and web page of its report. A sales manager sees their own office's
/// figures; the company-wide overdue receivables are for accounting and the directors (for a
/// sales manager that section is unavailable with reason `role`). A section whose service does
/// not answer is unavailable with reason `service`; the others are still given. A count taken
/// from a list stops at 500 and says so with `capped`.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "reports",
    responses((status = 200, description = "The key figures", body = DashboardBody), Unauthorized, Forbidden))]
pub async fn dashboard(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<axum::Json<DashboardBody>, Problem> {
    caller.require(Action::ReadReports)?;
    let today = local_date(now_micros());
    let ctx = CallContext::read(&state, &caller);
    let company_wide = !caller.role.is_office_scoped();
    let (revenue, dispatch, receivables, imports, requests, warranty) = tokio::join!(
        figures::revenue(&ctx, today),
        figures::dispatch_awaiting(&ctx),
        figures::overdue_receivables(&ctx, company_wide),
        figures::late_imports(&ctx),
        figures::requests_past_sla(&ctx),
        figures::warranty_open(&ctx),
    );
    let links = figures::Links::for_month(today);
    let receivables = match receivables {
        None => Section::missing("role", links.receivables),
        Some(answer) => Section::from_answer(answer, "receivables", links.receivables),
    };
    Ok(axum::Json(DashboardBody {
        as_of: today.to_string(),
        office: caller.territory().map(|office| office.code().to_owned()),
        revenue: Section::from_answer(revenue, "revenue", links.revenue),
        dispatch_awaiting: Section::from_answer(dispatch, "dispatch", links.dispatch),
        overdue_receivables: receivables,
        late_imports: Section::from_answer(imports, "imports", links.imports),
        requests_past_sla: Section::from_answer(requests, "requests", links.requests),
        warranty_open: Section::from_answer(warranty, "warranty", links.warranty),
    }))
}
