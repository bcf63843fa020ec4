//! The contacts and the project parties of a customer's page: the contact form (add or change
//! one) and adding or removing a party; a refused form shows the customer's page again with the
//! errors beside it.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{Editing, PartiesPanel, show_page};
use crate::UiState;
use crate::page::PageError;
use crate::pages::discussion::Draft;
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;
use crate::views::crm_contacts::{Contact, Party};
use crate::views::{Customer, ListOf};

/// The contact form of the customer's page: a new contact (id 0) or the one being edited.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ContactForm {
    pub(super) csrf: String,
    pub(super) idempotency_key: String,
    pub(super) contact_id: i64,
    pub(super) version: i64,
    pub(super) name: String,
    pub(super) position: String,
    pub(super) phone: String,
    pub(super) email: String,
    pub(super) birthday: String,
    pub(super) notes: String,
    pub(super) is_primary: String,
    pub(super) active: String,
}

impl ContactForm {
    pub(super) fn of(contact: Option<&Contact>) -> ContactForm {
        let flag = |on: bool| if on { "true".to_owned() } else { String::new() };
        match contact {
            None => ContactForm { idempotency_key: new_idempotency_key(), active: flag(true), ..Default::default() },
            Some(c) => ContactForm {
                contact_id: c.id,
                version: c.version,
                name: c.name.clone(),
                position: c.position.clone(),
                phone: c.phone.clone(),
                email: c.email.clone(),
                birthday: c.birthday.clone(),
                notes: c.notes.clone(),
                is_primary: flag(c.is_primary),
                active: flag(c.active),
                ..Default::default()
            },
        }
    }
}

/// Adds a contact, or changes the one the form names.
pub(super) async fn save_contact(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<ContactForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let mut body = serde_json::json!({
        "name": form.name, "position": form.position, "phone": form.phone, "email": form.email,
        "birthday": form.birthday, "notes": form.notes, "is_primary": form.is_primary == "true",
    });
    let sent = if form.contact_id == 0 {
        let headers = [("idempotency-key", form.idempotency_key.clone())];
        let path = format!("/api/v1/customers/{id}/contacts");
        ui.api.send(session.api_caller(), Method::POST, &path, &body, &headers).await
    } else {
        body["version"] = form.version.into();
        body["active"] = (form.active == "true").into();
        let path = format!("/api/v1/contacts/{}", form.contact_id);
        ui.api.send(session.api_caller(), Method::PATCH, &path, &body, &[]).await
    };
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}#contacts")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            show_page(&ui, &session, id, Editing::Typed(Box::new(form)), errors, String::new(), Draft::default()).await
        }
    }
}

pub(super) const CONTACT_FIELDS: [&str; 6] = ["name", "position", "phone", "email", "birthday", "notes"];
pub(super) const PARTY_ROLES: [&str; 4] = ["investor", "contractor", "consultant", "other"];
pub(super) const INFLUENCES: [&str; 3] = ["decision_maker", "influencer", "user"];
pub(super) const STANCES: [&str; 4] = ["unknown", "supporter", "neutral", "opponent"];

/// The project's parties, and as candidates the other customers of the territory and the
/// project's own contacts.
pub(super) async fn parties_panel(
    ui: &UiState,
    session: &Session,
    project: &Customer,
    contacts: &[Contact],
    error: String,
) -> Result<PartiesPanel, PageError> {
    let t = session.texts();
    let path = format!("/api/v1/customers/{}/parties", project.id);
    let parties: ListOf<Party> = ui.api.get(session.api_caller(), &path).await?;
    let customers: ListOf<Customer> = ui.api.get(session.api_caller(), "/api/v1/customers?limit=500").await?;
    let rows = parties
        .items
        .into_iter()
        .map(|p| {
            let words = (t.word("party_role", &p.role), t.word("party_influence", &p.influence));
            (p.id, words.0, p.party_name, words.1, t.word("party_stance", &p.stance), p.note)
        })
        .collect();
    let own_contacts = contacts.iter().filter(|k| k.active).map(|k| (format!("k{}", k.id), k.name.clone()));
    let others = customers.items.into_iter().filter(|c| c.id != project.id).map(|c| (format!("c{}", c.id), c.name));
    Ok(PartiesPanel { rows, candidates: own_contacts.chain(others).collect(), error, key: new_idempotency_key() })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PartyForm {
    csrf: String,
    idempotency_key: String,
    party: String,
    role: String,
    influence: String,
    stance: String,
    note: String,
}

pub(super) async fn add_party(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<PartyForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let party_id = |prefix: char| form.party.strip_prefix(prefix).and_then(|n| n.parse::<i64>().ok());
    let body = serde_json::json!({
        "role": form.role, "party_customer_id": party_id('c'), "contact_id": party_id('k'),
        "influence": form.influence, "stance": form.stance, "note": form.note,
    });
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    let path = format!("/api/v1/customers/{id}/parties");
    after_party_change(&ui, &session, id, ui.api.send(session.api_caller(), Method::POST, &path, &body, &headers).await)
        .await
}

pub(super) async fn remove_party(
    State(ui): State<UiState>,
    session: Session,
    Path((id, party_id)): Path<(i64, i64)>,
    Form(form): Form<PartyForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let path = format!("/api/v1/customers/{id}/parties/{party_id}");
    let sent = ui.api.call(session.api_caller(), Method::DELETE, &path, None, &[]).await;
    after_party_change(&ui, &session, id, sent).await
}

async fn after_party_change(
    ui: &UiState,
    session: &Session,
    id: i64,
    sent: Result<crate::api::Answer, crate::api::ApiProblem>,
) -> Result<Response, PageError> {
    match sent {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}#parties")).into_response()),
        Err(problem) => {
            let error = FieldErrors::from_problem(problem, session.texts())?.others(&[]);
            show_page(ui, session, id, Editing::Contact(0), FieldErrors::default(), error, Draft::default()).await
        }
    }
}
