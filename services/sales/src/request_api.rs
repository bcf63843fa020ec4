//! gRPC adapter for `atq.sales.v1.ServiceRequests`: authorises, keeps sales staff to their
//! office's customers, and translates; the rules live in [`crate::request`],
//! [`crate::request_flow`] and [`crate::request_calendar`].

use atq_platform::business_time::now_micros;
use atq_platform::caller::{Action, Role};
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::service_requests_server::ServiceRequests;
use tonic::{Request, Response, Status};

use crate::activity_store::{self, LinkedTable};
use crate::request::{Department, NewRequest, RequestKind, RequestStatus};
use crate::request_store::{self, RequestFilter, RequestRow};
use crate::{
    customer_store, request_calendar, request_calendar_store, request_flow, request_sla_targets, request_sweep,
    request_warnings,
};

pub struct ServiceRequestApi {
    pub db: Db,
}

impl ServiceRequestApi {
    /// The request if the caller's territory holds it; "not found" otherwise, as everywhere.
    async fn visible(&self, caller: &Caller, id: i64) -> Result<(RequestRow, pb::ServiceRequest), Error> {
        let mut conn = self.db.pool().acquire().await?;
        match request_flow::found(&mut conn, id).await {
            Ok(found) if caller.sees_office(found.0.office) => Ok(found),
            Ok(_) | Err(Error::NotFound(_)) => Err(Error::NotFound(format!("request {id}"))),
            Err(other) => Err(other),
        }
    }

    /// The customer's office, when the customer is in the caller's territory and the contact
    /// (if any) is one of theirs.
    async fn customer_office(&self, caller: &Caller, customer_id: i64, contact_id: i64) -> Result<Office, Error> {
        let mut conn = self.db.pool().acquire().await?;
        let customer = customer_store::find(&mut *conn, customer_id)
            .await?
            .filter(|c| caller.sees_office(c.fields.office))
            .ok_or_else(|| Error::invalid("customer_id", "no customer in your territory has this id"))?;
        if contact_id > 0 {
            let owner = activity_store::customer_of(&mut conn, LinkedTable::Contacts, contact_id).await?;
            if owner != Some(customer_id) {
                return Err(Error::invalid("contact_id", "is not a contact of this customer"));
            }
        }
        Ok(customer.fields.office)
    }
}

fn one_of(v: &mut Violations, field: &str, text: &str, all: &[&str]) -> String {
    let text = text.trim();
    if !text.is_empty() && !all.contains(&text) {
        v.add(field, format!("must be one of {}", all.join(", ")));
    }
    text.to_owned()
}

fn filter_of(caller: &Caller, input: &pb::ListServiceRequestsRequest, v: &mut Violations) -> RequestFilter {
    let status = validation::status_filter(v, &input.status, RequestStatus::ALL);
    let kind = one_of(v, "kind", &input.kind, RequestKind::ALL);
    let department = one_of(v, "department", &input.department, Department::ALL);
    let breached = match input.breached.trim() {
        "" => None,
        "true" => Some(true),
        "false" => Some(false),
        _ => {
            v.add("breached", "must be true or false");
            None
        }
    };
    RequestFilter {
        office: caller.territory(),
        status,
        kind,
        department,
        assignee: input.assignee.trim().to_owned(),
        customer_id: input.customer_id.max(0),
        breached,
    }
}

#[tonic::async_trait]
impl ServiceRequests for ServiceRequestApi {
    async fn create_service_request(
        &self,
        request: Request<pb::CreateServiceRequestRequest>,
    ) -> Result<Response<pb::ServiceRequest>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRequests)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let new = NewRequest::parse(&input, now_micros())?;
        let office = self.customer_office(&caller, new.customer_id, new.contact_id).await?;
        let created = request_flow::create(&self.db, &caller, key.as_deref(), &input, new, office).await?;
        Ok(Response::new(created))
    }

    async fn get_service_request(
        &self,
        request: Request<pb::GetServiceRequestRequest>,
    ) -> Result<Response<pb::ServiceRequest>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let found = self.visible(&caller, request.into_inner().id).await?;
        request_warnings::warn(&self.db, std::slice::from_ref(&found)).await?;
        Ok(Response::new(found.1))
    }

    async fn list_service_requests(
        &self,
        request: Request<pb::ListServiceRequestsRequest>,
    ) -> Result<Response<pb::ListServiceRequestsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let filter = filter_of(&caller, &input, &mut v);
        v.finish()?;
        let now = now_micros();
        let mut rows = request_store::list(&self.db, &filter, page, now).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let context = request_calendar_store::context(&mut conn).await?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let mut marks = request_store::status_marks(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<(RequestRow, pb::ServiceRequest)> = rows
            .into_iter()
            .map(|row| {
                let view = request_flow::shown(&context, &row, &marks.remove(&row.id).unwrap_or_default(), now);
                (row, view)
            })
            .collect();
        request_warnings::warn(&self.db, &shown).await?;
        Ok(Response::new(pb::ListServiceRequestsResponse {
            items: shown.into_iter().map(|(_, view)| view).collect(),
            next_cursor,
        }))
    }

    async fn update_service_request(
        &self,
        request: Request<pb::UpdateServiceRequestRequest>,
    ) -> Result<Response<pb::ServiceRequest>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRequests)?;
        let input = request.into_inner();
        let (row, _) = self.visible(&caller, input.id).await?;
        if let Some(contact_id) = input.contact_id.filter(|id| *id > 0) {
            self.customer_office(&caller, row.proto.customer_id, contact_id).await?;
        }
        Ok(Response::new(request_flow::update(&self.db, &caller, &row, &input).await?))
    }

    async fn change_service_request_status(
        &self,
        request: Request<pb::ChangeServiceRequestStatusRequest>,
    ) -> Result<Response<pb::ServiceRequest>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRequests)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        self.visible(&caller, input.id).await?;
        Ok(Response::new(request_flow::change_status(&self.db, &caller, key.as_deref(), &input).await?))
    }

    async fn add_service_request_comment(
        &self,
        request: Request<pb::AddServiceRequestCommentRequest>,
    ) -> Result<Response<pb::ServiceRequestEvent>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteRequests)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        self.visible(&caller, input.id).await?;
        Ok(Response::new(request_flow::add_comment(&self.db, &caller, key.as_deref(), &input).await?))
    }

    async fn list_service_request_events(
        &self,
        request: Request<pb::ListServiceRequestEventsRequest>,
    ) -> Result<Response<pb::ListServiceRequestEventsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        self.visible(&caller, input.id).await?;
        let mut items = request_store::events(&self.db, input.id, page).await?;
        let next_cursor = page.finish(&mut items, |event| event.id);
        Ok(Response::new(pb::ListServiceRequestEventsResponse { items, next_cursor }))
    }

    async fn list_holidays(
        &self,
        request: Request<pb::ListHolidaysRequest>,
    ) -> Result<Response<pb::HolidayYear>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let year = request_calendar::check_year(request.into_inner().year)?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        Ok(Response::new(request_calendar::year_of(&mut conn, year).await?))
    }

    async fn replace_holidays(
        &self,
        request: Request<pb::ReplaceHolidaysRequest>,
    ) -> Result<Response<pb::HolidayYear>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCalendars)?;
        Ok(Response::new(request_calendar::replace(&self.db, &caller.username, &request.into_inner()).await?))
    }

    async fn list_sla_targets(
        &self,
        request: Request<pb::ListSlaTargetsRequest>,
    ) -> Result<Response<pb::ListSlaTargetsResponse>, Status> {
        // Every signed-in colleague may know the service levels they work to.
        Caller::of(&request)?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        Ok(Response::new(pb::ListSlaTargetsResponse { items: request_sla_targets::list(&mut conn).await? }))
    }

    async fn update_sla_target(
        &self,
        request: Request<pb::UpdateSlaTargetRequest>,
    ) -> Result<Response<pb::SlaTarget>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCalendars)?;
        Ok(Response::new(request_sla_targets::update(&self.db, &caller, &request.into_inner()).await?))
    }

    async fn sweep_breaches(
        &self,
        request: Request<pb::SweepBreachesRequest>,
    ) -> Result<Response<pb::SweepBreachesResponse>, Status> {
        let caller = Caller::of(&request)?;
        if caller.role != Role::Service {
            return Err(Error::PermissionDenied("only the services sweep for SLA breaches".into()).into());
        }
        let warned = request_sweep::sweep(&self.db, now_micros()).await?;
        Ok(Response::new(pb::SweepBreachesResponse { warned }))
    }
}
