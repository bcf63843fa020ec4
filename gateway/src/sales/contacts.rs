//! `/api/v1/customers/{id}/contacts`, `/api/v1/contacts` and `/api/v1/customers/{id}/parties`:
//! a customer's contact persons and the parties (investor, contractor...) of a project customer.

use atq_platform::Caller;
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::contacts_client::ContactsClient;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tonic::transport::Channel;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound, PreconditionFailed, PreconditionRequired};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{
    CsvLayout, CsvSheet, ListBody, expected_version, office_text, page, record_response, rfc3339, wants_csv,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customer_contacts, create_contact))
        .routes(routes!(update_contact))
        .routes(routes!(search_contacts))
        .routes(routes!(list_parties, add_party))
        .routes(routes!(remove_party))
}

/// A download holds as many rows as one call may return, unless the caller asked for fewer.
pub(super) fn download_limit(csv: bool, limit: Option<&str>) -> Option<&str> {
    if csv && limit.is_none() { Some("500") } else { limit }
}

#[derive(Serialize, ToSchema)]
pub struct ContactBody {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's office: HN, HCM or DL
    pub office: String,
    pub name: String,
    pub position: String,
    pub phone: String,
    pub email: String,
    /// YYYY-MM-DD, or empty
    pub birthday: String,
    pub notes: String,
    pub is_primary: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::Contact> for ContactBody {
    fn from(c: pb::Contact) -> Self {
        ContactBody {
            id: c.id,
            customer_id: c.customer_id,
            customer_name: c.customer_name,
            office: office_text(c.office),
            name: c.name,
            position: c.position,
            phone: c.phone,
            email: c.email,
            birthday: c.birthday,
            notes: c.notes,
            is_primary: c.is_primary,
            active: c.active,
            version: c.version,
            created_at: rfc3339(c.created_at.as_ref()),
            updated_at: rfc3339(c.updated_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateContactBody {
    #[schema(required = true, min_length = 1)]
    pub name: String,
    pub position: String,
    /// 10 digits from 0, or +84; may be empty
    pub phone: String,
    pub email: String,
    /// YYYY-MM-DD, or empty
    pub birthday: String,
    pub notes: String,
    /// Makes this the customer's primary contact in place of the previous one.
    pub is_primary: bool,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateContactBody {
    pub name: Option<String>,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub birthday: Option<String>,
    pub notes: Option<String>,
    pub is_primary: Option<bool>,
    pub active: Option<bool>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct ContactQuery {
    /// Matches name, position, phone or email, ignoring case and diacritics.
    pub q: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    /// json (default) or csv
    pub format: Option<String>,
}

/// One of a customer's unpaged lists (its contacts, its project parties), read with the caller's rights.
async fn whole_list<M, R, F, Fut>(state: &AppState, caller: &Caller, message: M, method: F) -> Result<R, Problem>
where
    M: Clone,
    F: Fn(ContactsClient<Channel>, tonic::Request<M>) -> Fut,
    Fut: Future<Output = Result<tonic::Response<R>, tonic::Status>>,
{
    caller.require(Action::ReadCustomers)?;
    CallContext::read(state, caller).call(&state.contacts, message, method).await
}

/// A change to a customer's contacts or parties, under the request's idempotency key.
async fn change<M, R, F, Fut>(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    message: M,
    method: F,
) -> Result<R, Problem>
where
    M: Clone,
    F: Fn(ContactsClient<Channel>, tonic::Request<M>) -> Fut,
    Fut: Future<Output = Result<tonic::Response<R>, tonic::Status>>,
{
    caller.require(Action::WriteCustomers)?;
    CallContext::write(state, caller, headers)?.call(&state.contacts, message, method).await
}

fn contact_response(status: StatusCode, contact: pb::Contact) -> Response {
    let (version, location) = (contact.version, format!("/api/v1/contacts/{}", contact.id));
    record_response(status, ContactBody::from(contact), version, &location)
}

/// A customer's contact persons, the primary one first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/contacts", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = ListBody<ContactBody>), NotFound))]
pub async fn list_customer_contacts(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListBody<ContactBody>>, Problem> {
    let message = pb::ListCustomerContactsRequest { customer_id: id };
    let list = whole_list(&state, &caller, message, |mut c, r| async move { c.list_customer_contacts(r).await });
    Ok(axum::Json(ListBody::new(list.await?.items.into_iter().map(ContactBody::from).collect(), String::new())))
}

/// Add a contact person to a customer. The same `Idempotency-Key` returns the first contact.
#[utoipa::path(post, path = "/api/v1/customers/{id}/contacts", tag = "customers", request_body = CreateContactBody,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = ContactBody), BadRequest, Forbidden, NotFound))]
pub async fn create_contact(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateContactBody>,
) -> Result<Response, Problem> {
    let message = pb::CreateContactRequest {
        customer_id: id,
        name: body.name,
        position: body.position,
        phone: body.phone,
        email: body.email,
        birthday: body.birthday,
        notes: body.notes,
        is_primary: body.is_primary,
    };
    let contact = change(&state, &caller, &headers, message, |mut c, r| async move { c.create_contact(r).await });
    let contact = contact.await?;
    Ok(contact_response(StatusCode::CREATED, contact))
}

/// Change some fields of a contact. Send `If-Match` (the ETag you read) or `version`.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "customers", request_body = UpdateContactBody,
    params(("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag you read")),
    responses((status = 200, body = ContactBody), BadRequest, NotFound, PreconditionFailed, PreconditionRequired))]
pub async fn update_contact(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateContactBody>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let message = pb::UpdateContactRequest {
        id,
        expected_version: expected_version(&headers, body.version)?,
        name: body.name,
        position: body.position,
        phone: body.phone,
        email: body.email,
        birthday: body.birthday,
        notes: body.notes,
        is_primary: body.is_primary,
        active: body.active,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let contact = ctx.call(&state.contacts, message, |mut c, r| async move { c.update_contact(r).await }).await?;
    Ok(contact_response(StatusCode::OK, contact))
}

/// Contacts of every customer in the caller's territory, searched; `format=csv` downloads them.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "customers", params(ContactQuery),
    responses((status = 200, description = "The list; with `format=csv`, a CSV download (UTF-8 with BOM, for Excel)",
        content((ListBody<ContactBody> = "application/json"), (String = "text/csv"))),
        BadRequest))]
pub async fn search_contacts(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<ContactQuery>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadCustomers)?;
    let mut v = Violations::new();
    let csv = wants_csv(&mut v, query.format.as_deref());
    v.finish()?;
    let message = pb::SearchContactsRequest {
        q: query.q.unwrap_or_default(),
        page: page(download_limit(csv, query.limit.as_deref()), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let list = ctx.call(&state.contacts, message, |mut c, r| async move { c.search_contacts(r).await }).await?;
    let items: Vec<ContactBody> = list.items.into_iter().map(ContactBody::from).collect();
    if csv {
        return contacts_csv(&items);
    }
    Ok(axum::Json(ListBody::new(items, list.next_cursor)).into_response())
}

fn contacts_csv(items: &[ContactBody]) -> Result<Response, Problem> {
    let header = ["customer", "office", "name", "position", "phone", "email", "birthday", "primary"];
    let mut sheet = CsvSheet::new(CsvLayout::Excel, &header)?;
    for c in items {
        let primary = if c.is_primary { "yes" } else { "" };
        sheet.row([&c.customer_name, &c.office, &c.name, &c.position, &c.phone, &c.email, &c.birthday, primary])?;
    }
    sheet.attachment("contacts.csv")
}

#[derive(Serialize, ToSchema)]
pub struct PartyBody {
    pub id: i64,
    pub project_customer_id: i64,
    /// investor, contractor, consultant or other
    pub role: String,
    /// Set when the party is a customer record.
    pub party_customer_id: Option<i64>,
    /// Set when the party is a contact person.
    pub contact_id: Option<i64>,
    pub party_name: String,
    /// decision_maker, influencer or user
    pub influence: String,
    /// supporter, neutral, opponent or unknown
    pub stance: String,
    pub note: String,
    pub created_at: String,
}

impl From<pb::ProjectParty> for PartyBody {
    fn from(p: pb::ProjectParty) -> Self {
        PartyBody {
            id: p.id,
            project_customer_id: p.project_customer_id,
            role: p.role,
            party_customer_id: (p.party_customer_id > 0).then_some(p.party_customer_id),
            contact_id: (p.contact_id > 0).then_some(p.contact_id),
            party_name: p.party_name,
            influence: p.influence,
            stance: p.stance,
            note: p.note,
            created_at: rfc3339(p.created_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AddPartyBody {
    /// investor, contractor, consultant or other
    #[schema(required = true, min_length = 1)]
    pub role: String,
    /// A customer record as the party; give this or `contact_id`.
    pub party_customer_id: Option<i64>,
    /// A contact person as the party; give this or `party_customer_id`.
    pub contact_id: Option<i64>,
    /// decision_maker, influencer or user
    #[schema(required = true, min_length = 1)]
    pub influence: String,
    /// supporter, neutral, opponent or unknown (the default)
    pub stance: String,
    pub note: String,
}

/// The parties of a project customer: investor, contractor, consultants.
#[utoipa::path(get, path = "/api/v1/customers/{id}/parties", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = ListBody<PartyBody>), NotFound))]
pub async fn list_parties(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListBody<PartyBody>>, Problem> {
    let message = pb::ListProjectPartiesRequest { project_customer_id: id };
    let list = whole_list(&state, &caller, message, |mut c, r| async move { c.list_project_parties(r).await });
    Ok(axum::Json(ListBody::new(list.await?.items.into_iter().map(PartyBody::from).collect(), String::new())))
}

/// Name a customer or a contact as a party of a project customer.
#[utoipa::path(post, path = "/api/v1/customers/{id}/parties", tag = "customers", request_body = AddPartyBody,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = PartyBody), BadRequest, Forbidden, NotFound))]
pub async fn add_party(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<AddPartyBody>,
) -> Result<Response, Problem> {
    let message = pb::AddProjectPartyRequest {
        project_customer_id: id,
        role: body.role,
        party_customer_id: body.party_customer_id.unwrap_or_default(),
        contact_id: body.contact_id.unwrap_or_default(),
        influence: body.influence,
        stance: body.stance,
        note: body.note,
    };
    let party = change(&state, &caller, &headers, message, |mut c, r| async move { c.add_project_party(r).await });
    let party = party.await?;
    Ok((StatusCode::CREATED, axum::Json(PartyBody::from(party))).into_response())
}

/// Remove a party from a project customer.
#[utoipa::path(delete, path = "/api/v1/customers/{id}/parties/{party_id}", tag = "customers",
    params(("id" = i64, Path), ("party_id" = i64, Path)),
    responses((status = 204, description = "removed"), Forbidden, NotFound))]
pub async fn remove_party(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path((id, party_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    let message = pb::RemoveProjectPartyRequest { project_customer_id: id, party_id };
    change(&state, &caller, &headers, message, |mut c, r| async move { c.remove_project_party(r).await }).await?;
    Ok(StatusCode::NO_CONTENT)
}
