//! Customers: the list (searched as you type, without needing diacritics), a customer's record
//! with its contacts, its parties when it is a project, and its change history, and the form to
//! add or change one with errors beside each field. The contact and party forms are in `contacts`.

mod contacts;
mod import;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::discussion::{self, Draft, Subject, Talk};
use super::documents;
use super::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::UiState;
use crate::format;
use crate::page::{Chrome, PageError, html};
use crate::session::Session;
use crate::views::crm_contacts::Contact;
use crate::views::{Customer, ListOf, Revision};
use contacts::{CONTACT_FIELDS, ContactForm, INFLUENCES, PARTY_ROLES, STANCES, parties_panel};

pub fn router() -> Router<UiState> {
    Router::new()
        .route("/customers", get(list).post(create))
        .route("/customers/new", get(new_form))
        .route("/customers/{id}", get(show).post(update))
        .route("/customers/{id}/edit", get(edit_form))
        .route("/customers/{id}/contacts", post(contacts::save_contact))
        .route("/customers/{id}/parties", post(contacts::add_party))
        .route("/customers/{id}/parties/{party_id}/remove", post(contacts::remove_party))
        .merge(import::router())
}

pub const GROUPS: [&str; 3] = ["individual", "dealer", "project"];
pub const OFFICES: [&str; 3] = ["HN", "HCM", "DL"];

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    group: String,
    office: String,
    cursor: String,
}

pub struct CustomerRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub group: String,
    pub phone: String,
    pub office: String,
    pub purchases: i64,
    pub last_purchase: String,
}

#[derive(Template)]
#[template(path = "customers.html")]
struct ListPage {
    c: Chrome,
    q: String,
    groups: Vec<Choice>,
    offices: Vec<Choice>,
    rows: Vec<CustomerRow>,
    next_page: String,
    may_write: bool,
}

/// An option of a select: its value, its label, whether it is the current one.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

pub fn choices(t: crate::i18n::Texts, kind: &str, words: &[&'static str], current: &str) -> Vec<Choice> {
    words.iter().map(|w| Choice { value: w, label: t.word(kind, w), selected: *w == current }).collect()
}

async fn list(
    State(ui): State<UiState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let t = session.texts();
    let filters = [("q", query.q.as_str()), ("group", &query.group), ("office", &query.office)];
    let set: Vec<(&str, &str)> = filters.iter().copied().filter(|(_, v)| !v.is_empty()).collect();
    let mut params = set.clone();
    params.push(("limit", "50"));
    if !query.cursor.is_empty() {
        params.push(("cursor", &query.cursor));
    }
    let api_path = format!("/api/v1/customers?{}", serde_urlencoded::to_string(&params).unwrap_or_default());
    let page: ListOf<Customer> = ui.api.get(session.api_caller(), &api_path).await?;
    let next_page = documents::next_page_link("/customers", &set, &page.next_cursor);
    let rows = page
        .items
        .into_iter()
        .map(|c| CustomerRow {
            id: c.id,
            code: c.code,
            name: c.name,
            group: t.word("group", &c.group),
            phone: c.phone,
            office: t.word("office", &c.office),
            purchases: c.purchase_count,
            last_purchase: c.last_purchase_on.map(|d| format::date(&d, t.lang)).unwrap_or_default(),
        })
        .collect();
    let c = Chrome::new(&session, "/customers", t.get("customers.title").to_owned(), "/customers");
    Ok(html(&ListPage {
        c,
        groups: choices(t, "group", &GROUPS, &query.group),
        offices: choices(t, "office", &OFFICES, &query.office),
        q: query.q,
        rows,
        next_page,
        may_write: session.caller.role.may(atq_platform::caller::Action::WriteCustomers),
    }))
}

#[derive(Template)]
#[template(path = "customer.html")]
struct ShowPage {
    c: Chrome,
    customer: Customer,
    group: String,
    office: String,
    last_purchase: String,
    history: Vec<HistoryRow>,
    may_write: bool,
    contacts: Vec<Contact>,
    contact_form: ContactForm,
    contact_errors: FieldErrors,
    contact_other_errors: String,
    contact_open: bool,
    parties: Option<PartiesPanel>,
    party_roles: Vec<Choice>,
    party_influences: Vec<Choice>,
    party_stances: Vec<Choice>,
    talk: Talk,
}

/// The parties of a project customer and what the form to add one offers.
pub struct PartiesPanel {
    pub rows: Vec<(i64, String, String, String, String, String)>,
    /// `c<id>` for a customer, `k<id>` for a contact, and the name shown.
    pub candidates: Vec<(String, String)>,
    pub error: String,
    /// The idempotency key of the add form.
    pub key: String,
}

pub struct HistoryRow {
    pub when: String,
    pub who: String,
    pub action: String,
    pub changes: Vec<(String, String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ShowQuery {
    /// The contact whose edit form is open.
    contact: i64,
}

async fn show(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    show_page(
        &ui,
        &session,
        id,
        Editing::Contact(query.contact),
        FieldErrors::default(),
        String::new(),
        Draft::default(),
    )
    .await
}

/// The page again with what was typed into its discussion or upload form.
pub(in crate::pages) async fn show_with(
    ui: &UiState,
    session: &Session,
    id: i64,
    draft: Draft,
) -> Result<Response, PageError> {
    show_page(ui, session, id, Editing::Contact(0), FieldErrors::default(), String::new(), draft).await
}

/// What the contact form on the customer's page holds.
enum Editing {
    /// The contact with this id (0: a new one).
    Contact(i64),
    /// The form as typed, after the API refused it.
    Typed(Box<ContactForm>),
}

async fn show_page(
    ui: &UiState,
    session: &Session,
    id: i64,
    editing: Editing,
    contact_errors: FieldErrors,
    party_error: String,
    draft: Draft,
) -> Result<Response, PageError> {
    let t = session.texts();
    let customer: Customer = ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}")).await?;
    let revisions: ListOf<Revision> =
        ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}/history")).await?;
    let contacts: ListOf<Contact> =
        ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}/contacts")).await?;
    let history = revisions
        .items
        .into_iter()
        .rev()
        .map(|r| HistoryRow {
            when: format::time(&r.changed_at, t.lang),
            who: r.changed_by,
            action: format!("{} {}", t.word("revision", &r.action), r.version),
            changes: r.changes.into_iter().map(|c| (t.word("field", &c.field), c.old_value, c.new_value)).collect(),
        })
        .collect();
    let contact_form = match editing {
        Editing::Contact(contact) => ContactForm::of(contacts.items.iter().find(|c| c.id == contact)),
        Editing::Typed(form) => ContactForm { idempotency_key: new_idempotency_key(), ..*form },
    };
    let parties = if customer.group == "project" {
        Some(parties_panel(ui, session, &customer, &contacts.items, party_error).await?)
    } else {
        None
    };
    let c = Chrome::new(session, "/customers", customer.name.clone(), &format!("/customers/{id}"));
    Ok(html(&ShowPage {
        c,
        group: t.word("group", &customer.group),
        office: t.word("office", &customer.office),
        last_purchase: customer.last_purchase_on.as_deref().map(|d| format::date(d, t.lang)).unwrap_or_default(),
        customer,
        history,
        may_write: session.caller.role.may(atq_platform::caller::Action::WriteCustomers),
        contacts: contacts.items,
        contact_other_errors: contact_errors.others(&CONTACT_FIELDS),
        contact_open: contact_form.contact_id != 0 || !contact_errors.others(&[]).is_empty(),
        contact_form,
        contact_errors,
        parties,
        party_roles: choices(t, "party_role", &PARTY_ROLES, ""),
        party_influences: choices(t, "party_influence", &INFLUENCES, ""),
        party_stances: choices(t, "party_stance", &STANCES, ""),
        talk: discussion::load(ui, session, Subject::Customer(id), draft).await?,
    }))
}

/// What the form holds, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct CustomerForm {
    csrf: String,
    idempotency_key: String,
    version: i64,
    name: String,
    group: String,
    phone: String,
    email: String,
    address: String,
    office: String,
    tax_code: String,
    /// The salesperson responsible; only managers and directors see and change it.
    assigned_to: String,
}

#[derive(Template)]
#[template(path = "customer_form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    form: CustomerForm,
    errors: FieldErrors,
    other_errors: String,
    groups: Vec<Choice>,
    offices: Vec<Choice>,
    may_reassign: bool,
}

const FORM_FIELDS: [&str; 8] = ["name", "group", "phone", "email", "address", "office", "tax_code", "assigned_to"];

/// Who is responsible goes with the form only when the form showed it (a rep's does not).
fn with_owner(mut body: serde_json::Value, form: &CustomerForm) -> serde_json::Value {
    if !form.assigned_to.trim().is_empty() {
        body["assigned_to"] = form.assigned_to.clone().into();
    }
    body
}

fn form_page(session: &Session, action: String, form: CustomerForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let title = if form.version == 0 { t.get("customers.new") } else { t.get("customers.edit") };
    let c = Chrome::new(session, "/customers", title.to_owned(), &action);
    let other_errors = errors.others(&FORM_FIELDS);
    let groups = choices(t, "group", &GROUPS, &form.group);
    let offices = choices(t, "office", &OFFICES, &form.office);
    let may_reassign = !matches!(session.caller.role, atq_platform::Role::SalesRep);
    html(&FormPage { c, action, form, other_errors, groups, offices, errors, may_reassign })
}

async fn new_form(session: Session) -> Response {
    let office = session.caller.office.map(|o| o.code().to_owned()).unwrap_or_default();
    let form = CustomerForm {
        idempotency_key: new_idempotency_key(),
        office,
        group: "individual".into(),
        ..Default::default()
    };
    form_page(&session, "/customers".into(), form, FieldErrors::default())
}

async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<CustomerForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({
        "name": form.name, "group": form.group, "phone": form.phone, "email": form.email,
        "address": form.address, "office": form.office, "tax_code": form.tax_code,
    });
    let body = with_owner(body, &form);
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    match ui.api.send(session.api_caller(), Method::POST, "/api/v1/customers", &body, &headers).await {
        Ok(answer) => {
            let created: Customer = answer.json()?;
            Ok(Redirect::to(&format!("/customers/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            // A corrected form is a new request: it gets a key of its own.
            let form = CustomerForm { idempotency_key: new_idempotency_key(), ..form };
            let page = form_page(&session, "/customers".into(), form, errors);
            Ok(page)
        }
    }
}

async fn edit_form(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    let c: Customer = ui.api.get(session.api_caller(), &format!("/api/v1/customers/{id}")).await?;
    let form = CustomerForm {
        csrf: String::new(),
        idempotency_key: String::new(),
        version: c.version,
        name: c.name,
        group: c.group,
        phone: c.phone,
        email: c.email,
        address: c.address,
        office: c.office,
        tax_code: c.tax_code,
        assigned_to: c.assigned_to,
    };
    Ok(form_page(&session, format!("/customers/{id}"), form, FieldErrors::default()))
}

async fn update(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<CustomerForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let body = serde_json::json!({
        "name": form.name, "group": form.group, "phone": form.phone, "email": form.email,
        "address": form.address, "office": form.office, "tax_code": form.tax_code, "version": form.version,
    });
    let body = with_owner(body, &form);
    match ui.api.send(session.api_caller(), Method::PATCH, &format!("/api/v1/customers/{id}"), &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            let page = form_page(&session, format!("/customers/{id}"), form, errors);
            Ok(page)
        }
    }
}
