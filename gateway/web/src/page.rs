//! What every page shares: the chrome around it (header, menu for the person's role, language
//! switch), rendering, and how failures become pages. A handler returns `Result<_, PageError>`;
//! the session layer, which knows the language, turns the error into a page or a redirect.

use askama::Template;
use atq_platform::Role;
use atq_platform::caller::Action;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::api::ApiProblem;
use crate::assets;
use crate::i18n::Texts;
use crate::session::Session;

/// A menu entry: where it goes, its label's key, and whether it is the current section.
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// The menu, in the order of the company's four-step process, showing what the role may use.
const MENU: &[(&str, &str, Option<Action>)] = &[
    ("/", "nav.home", None),
    ("/customers", "nav.customers", Some(Action::ReadCustomers)),
    ("/leads", "leads.nav", Some(Action::WriteCustomers)),
    ("/dealers", "dealers.nav", Some(Action::WriteCustomers)),
    ("/activities", "nav.activities", Some(Action::WriteCustomers)),
    ("/opportunities", "opportunities.nav", Some(Action::WriteCustomers)),
    ("/targets", "targets.nav", Some(Action::ReadCustomers)),
    ("/campaigns", "campaigns.nav", Some(Action::WriteCustomers)),
    ("/promotions", "promotions.nav", Some(Action::ReadOrders)),
    ("/sales-reports", "sales_reports.nav", Some(Action::ReadCustomers)),
    ("/calendar", "nav.calendar", Some(Action::ReadCustomers)),
    ("/requests", "requests.nav", Some(Action::WriteRequests)),
    ("/quotes", "nav.quotes", Some(Action::ReadOrders)),
    ("/contracts", "nav.contracts", Some(Action::ReadOrders)),
    ("/orders", "nav.orders", Some(Action::ReadOrders)),
    ("/dispatch-orders", "nav.dispatch", Some(Action::ReadOrders)),
    ("/invoices", "nav.invoices", Some(Action::ReadAccounts)),
    ("/stock", "nav.stock", Some(Action::ReadStock)),
    ("/products", "nav.products", Some(Action::ReadCatalog)),
    ("/price-sheet", "nav.price_sheet", Some(Action::ReadCatalog)),
    ("/import-plans", "nav.import_plans", Some(Action::ReadOrders)),
    ("/warranty", "warranty.nav", Some(Action::ReadCustomers)),
    ("/returns", "nav.returns", Some(Action::ReadAccounts)),
    ("/bonus-schemes", "nav.bonuses", Some(Action::ReadAccounts)),
    ("/commissions", "nav.commissions", Some(Action::ReadAccounts)),
    ("/receivables", "nav.receivables", Some(Action::ReadAccounts)),
    ("/bank-statements", "nav.bank_statements", Some(Action::WriteAccounts)),
    ("/exchange-rates", "nav.exchange_rates", Some(Action::ReadCosts)),
    ("/reports", "nav.reports", Some(Action::ReadReports)),
    ("/users", "nav.users", Some(Action::ManageUsers)),
    ("/requests/sla-targets", "sla_targets.link", Some(Action::WriteCalendars)),
];

/// Sections a role does not work in are left out of its menu even where it may read them.
fn in_menu(role: Role, href: &str) -> bool {
    match href {
        "/quotes" => !matches!(role, Role::WarehouseKeeper | Role::Accountant | Role::ImportOfficer),
        // The catalog is kept by import-export and handled by the warehouse; others reach a
        // product from the stock and the price sheet.
        "/products" => matches!(role, Role::ImportOfficer | Role::WarehouseKeeper),
        "/price-sheet" => !matches!(role, Role::WarehouseKeeper | Role::Accountant),
        "/import-plans" => matches!(role, Role::ImportOfficer | Role::SalesManager | Role::Director | Role::Admin),
        // The company-wide aging is not for sales staff, who follow their customers' balances.
        "/receivables" => !role.is_office_scoped(),
        // Returns are accounting's; sales staff reach their customers' from the invoices.
        "/returns" => matches!(role, Role::Accountant | Role::Director | Role::Admin),
        "/contracts" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        "/activities" | "/calendar" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        "/opportunities" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        "/targets" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        "/campaigns" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        "/promotions" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        "/leads" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        "/sales-reports" => matches!(role, Role::SalesRep | Role::SalesManager | Role::Director),
        // Requests are answered by sales, import-export and accounting; the warehouse only reads them.
        "/requests" => !matches!(role, Role::WarehouseKeeper | Role::Admin),
        "/bank-statements" => matches!(role, Role::Accountant | Role::Director),
        // Import-export handles warranty; sales look their customers' units and cases up.
        "/warranty" => {
            matches!(role, Role::ImportOfficer | Role::Director | Role::Admin | Role::SalesRep | Role::SalesManager)
        }
        "/exchange-rates" => matches!(role, Role::ImportOfficer | Role::Accountant | Role::Director),
        // The administrator keeps the settings beside the users; the director reaches the SLA
        // targets from the requests, which the administrator does not see.
        "/requests/sla-targets" => role == Role::Admin,
        _ => true,
    }
}

pub struct Chrome {
    pub t: Texts,
    pub title: String,
    pub user: String,
    pub role: String,
    pub office: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub here: String,
    pub stylesheet: &'static str,
    pub script: &'static str,
}

impl Chrome {
    /// The chrome of a signed-in page in `section` (a menu href), titled by the label `title_key`.
    pub fn new(session: &Session, section: &str, title: String, here: &str) -> Chrome {
        let t = session.texts();
        let role = session.caller.role;
        let nav = MENU
            .iter()
            .filter(|(href, _, action)| action.is_none_or(|a| role.may(a)) && in_menu(role, href))
            .map(|(href, label, _)| NavItem { href, label, active: *href == section })
            .collect();
        Chrome {
            t,
            title,
            user: if session.display_name.is_empty() {
                session.caller.username.clone()
            } else {
                session.display_name.clone()
            },
            role: t.word("role", role.as_str()),
            office: session.caller.office.map(|o| t.word("office", o.code())).unwrap_or_default(),
            csrf: session.csrf.clone(),
            nav,
            lang: t.lang.code(),
            other_lang: match t.lang {
                crate::Lang::Vi => "en",
                crate::Lang::En => "vi",
            },
            here: here.to_owned(),
            stylesheet: assets::STYLESHEET,
            script: assets::SCRIPT,
        }
    }

    /// The chrome of a page shown before signing in.
    pub fn anonymous(t: Texts, title: String) -> Chrome {
        Chrome {
            t,
            title,
            user: String::new(),
            role: String::new(),
            office: String::new(),
            csrf: String::new(),
            nav: Vec::new(),
            lang: t.lang.code(),
            other_lang: if t.lang == crate::Lang::Vi { "en" } else { "vi" },
            here: "/login".into(),
            stylesheet: assets::STYLESHEET,
            script: assets::SCRIPT,
        }
    }
}

/// A rendered template as a page.
pub fn html(template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => Html(body).into_response(),
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// What went wrong on a page, shown by [`render_failure`] in the person's language.
#[derive(Debug)]
pub enum PageError {
    /// Not signed in, or the session ended.
    SignIn,
    /// The API refused or failed; its problem is shown.
    Api(ApiProblem),
    /// A form came without this session's CSRF value.
    Forged,
}

impl From<ApiProblem> for PageError {
    fn from(problem: ApiProblem) -> Self {
        if problem.is_sign_in() { PageError::SignIn } else { PageError::Api(problem) }
    }
}

/// Carried on the response to the session layer, which renders it.
#[derive(Clone, Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub detail: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let failure = match self {
            PageError::SignIn => return Redirect::to("/login").into_response(),
            PageError::Forged => Failure { status: StatusCode::FORBIDDEN, detail: "error.forged".into() },
            PageError::Api(problem) => Failure {
                status: StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                detail: if problem.detail.is_empty() { problem.title } else { problem.detail },
            },
        };
        let mut response = failure.status.into_response();
        response.extensions_mut().insert(failure);
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: Chrome,
    status: u16,
    heading: String,
    detail: String,
}

/// The page for a failure, in the session's language.
pub fn render_failure(session: Option<&Session>, t: Texts, failure: &Failure) -> Response {
    let heading_key = match failure.status.as_u16() {
        403 => "error.forbidden",
        404 => "error.not_found",
        409 | 412 | 422 => "error.conflict",
        502..=504 => "error.unavailable",
        400..=499 => "error.bad_request",
        _ => "error.internal",
    };
    let detail = if failure.detail.starts_with("error.") {
        t.get(&failure.detail).to_owned()
    } else {
        t.message(&failure.detail)
    };
    let heading = t.get(heading_key).to_owned();
    let c = match session {
        Some(session) => Chrome::new(session, "", heading.clone(), "/"),
        None => Chrome::anonymous(t, heading.clone()),
    };
    let mut response = html(&ErrorPage { c, status: failure.status.as_u16(), heading, detail });
    *response.status_mut() = failure.status;
    response
}

/// When the person's own session cannot be checked (the gateway's database is down).
pub fn unavailable(t: Texts) -> Response {
    render_failure(None, t, &Failure { status: StatusCode::SERVICE_UNAVAILABLE, detail: "error.try_again".into() })
}
