//! gRPC adapter for `atq.sales.v1.Activities`: authorises and translates; the rules live in
//! [`crate::activity`] and [`crate::calendar`].

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::{Action, Role};
use atq_platform::paging::Page;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::activities_server::Activities;
use tonic::{Request, Response, Status};

use crate::activity::{self, ActivityKind, NewActivity, STATUS_FILTERS};
use crate::activity_store::{self, ActivityFilter, ActivityRow, LinkedTable};
use crate::calendar::{self, DateRange};
use crate::customer_store;

pub struct ActivityApi {
    pub db: Db,
}

impl ActivityApi {
    async fn visible(&self, caller: &Caller, id: i64) -> Result<ActivityRow, Error> {
        let mut conn = self.db.pool().acquire().await?;
        activity_store::find(&mut conn, id, now_micros())
            .await?
            .filter(|activity| caller.sees_office(activity.office))
            .ok_or_else(|| Error::NotFound(format!("activity {id}")))
    }

    /// The customer the activity is about, from itself or from the contact or opportunity it
    /// names, all of which must agree and lie in the caller's territory.
    async fn linked_customer(&self, caller: &Caller, new: &NewActivity) -> Result<Option<Office>, Error> {
        let mut conn = self.db.pool().acquire().await?;
        let mut customer_id = new.customer_id;
        for (field, table, id) in [
            ("contact_id", LinkedTable::Contacts, new.contact_id),
            ("opportunity_id", LinkedTable::Opportunities, new.opportunity_id),
        ] {
            if id == 0 {
                continue;
            }
            let owner = activity_store::customer_of(&mut conn, table, id)
                .await?
                .ok_or_else(|| Error::invalid(field, "no such record"))?;
            if customer_id != 0 && owner != customer_id {
                return Err(Error::invalid(field, "belongs to another customer"));
            }
            customer_id = owner;
        }
        if customer_id == 0 {
            return Ok(None);
        }
        let customer = customer_store::find(&mut *conn, customer_id)
            .await?
            .filter(|c| caller.sees_office(c.fields.office))
            .ok_or_else(|| Error::invalid("customer_id", "no customer in your territory has this id"))?;
        Ok(Some(customer.fields.office))
    }
}

/// Whose activities a caller asks for: a sales rep their own unless they name a colleague of
/// their office (the office limit applies anyway).
fn owner_asked(caller: &Caller, owner: &str) -> Result<String, Error> {
    let owner = owner_filter(owner)?;
    Ok(if owner.is_empty() { caller.username.clone() } else { owner })
}

/// A username asked for in a filter: text a username could be (no control characters, which
/// PostgreSQL refuses in a parameter), or empty.
fn owner_filter(owner: &str) -> Result<String, Error> {
    validation::optional_text(owner, 200).map_err(|message| Error::invalid("owner", message))
}

#[tonic::async_trait]
impl Activities for ActivityApi {
    async fn create_activity(
        &self,
        request: Request<pb::CreateActivityRequest>,
    ) -> Result<Response<pb::Activity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let mut new = NewActivity::parse(&input, &caller)?;
        let customer_office = self.linked_customer(&caller, &new).await?;
        let office = match customer_office.or(new.office).or(caller.office) {
            Some(office) if caller.sees_office(office) => office,
            Some(_) => return Err(Error::invalid("office", "must be your own office").into()),
            None => return Err(Error::invalid("office", "is required for an activity with no customer").into()),
        };
        if new.customer_id == 0 && customer_office.is_some() {
            let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
            let linked = if new.opportunity_id != 0 { LinkedTable::Opportunities } else { LinkedTable::Contacts };
            let id = new.opportunity_id.max(new.contact_id);
            new.customer_id = activity_store::customer_of(&mut conn, linked, id).await?.unwrap_or_default();
        }
        Ok(Response::new(activity::create(&self.db, &caller, key.as_deref(), &input, new, office).await?))
    }

    async fn get_activity(&self, request: Request<pb::GetActivityRequest>) -> Result<Response<pb::Activity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        Ok(Response::new(self.visible(&caller, request.into_inner().id).await?.proto))
    }

    async fn list_activities(
        &self,
        request: Request<pb::ListActivitiesRequest>,
    ) -> Result<Response<pb::ListActivitiesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let status = validation::status_filter(&mut v, &input.status, STATUS_FILTERS);
        let kind = match input.kind.trim() {
            "" => None,
            text => v.check(
                "kind",
                ActivityKind::parse(text).ok_or_else(|| format!("must be one of {}", ActivityKind::ALL.join(", "))),
            ),
        };
        let range = DateRange::parse_open(&mut v, input.from.as_ref(), input.to.as_ref());
        v.finish()?;
        let filter = ActivityFilter {
            owner: owner_filter(&input.owner)?,
            office: caller.territory(),
            from: range.from_micros(),
            to: range.to_micros(),
            status,
            kind,
            customer_id: input.customer_id.max(0),
            opportunity_id: input.opportunity_id.max(0),
        };
        let mut rows = activity_store::list(&self.db, &filter, page, now_micros()).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListActivitiesResponse {
            items: rows.into_iter().map(|r| r.proto).collect(),
            next_cursor,
        }))
    }

    async fn update_activity(
        &self,
        request: Request<pb::UpdateActivityRequest>,
    ) -> Result<Response<pb::Activity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let activity = self.visible(&caller, input.id).await?;
        activity::may_plan_for(&caller, &activity.proto.owner)?;
        Ok(Response::new(activity::update(&self.db, &activity, &input, &caller).await?))
    }

    async fn complete_activity(
        &self,
        request: Request<pb::CompleteActivityRequest>,
    ) -> Result<Response<pb::Activity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let activity = self.visible(&caller, input.id).await?;
        activity::may_plan_for(&caller, &activity.proto.owner)?;
        Ok(Response::new(activity::complete(&self.db, &caller, key.as_deref(), &input).await?))
    }

    async fn cancel_activity(
        &self,
        request: Request<pb::CancelActivityRequest>,
    ) -> Result<Response<pb::Activity>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let activity = self.visible(&caller, input.id).await?;
        activity::may_plan_for(&caller, &activity.proto.owner)?;
        Ok(Response::new(activity::cancel(&self.db, &caller, key.as_deref(), &input).await?))
    }

    async fn get_day_plan(&self, request: Request<pb::DayPlanRequest>) -> Result<Response<pb::DayPlan>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let date = match input.date.as_ref() {
            Some(date) => v.check("date", atq_platform::business_time::date_from_proto(date)),
            None => Some(local_date(now_micros())),
        };
        v.finish()?;
        let date = date.unwrap_or_else(|| local_date(now_micros()));
        let owner = owner_asked(&caller, &input.owner)?;
        let plan = calendar::day_plan(&self.db, &caller, &owner, date).await?;
        Ok(Response::new(plan))
    }

    async fn get_calendar(&self, request: Request<pb::CalendarRequest>) -> Result<Response<pb::CalendarView>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let range = DateRange::parse_bounded(&mut v, input.from.as_ref(), input.to.as_ref());
        let scope = v.check("scope", calendar::Scope::parse(&input.scope));
        v.finish()?;
        let (Some(range), Some(scope)) = (range, scope) else {
            return Err(Error::invalid("from", "is required").into());
        };
        Ok(Response::new(calendar::view(&self.db, &caller, scope, range).await?))
    }

    async fn list_uncontacted_customers(
        &self,
        request: Request<pb::UncontactedCustomersRequest>,
    ) -> Result<Response<pb::UncontactedCustomersResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        if !(1..=3650).contains(&input.days) {
            return Err(Error::invalid("days", "must be from 1 to 3650").into());
        }
        let owner = match owner_filter(&input.owner)?.as_str() {
            "" if caller.role == Role::SalesRep => caller.username.clone(),
            owner => owner.to_owned(),
        };
        let cutoff = now_micros() - i64::from(input.days) * 86_400_000_000;
        let items = activity_store::uncontacted(&self.db, &owner, caller.territory(), cutoff).await?;
        Ok(Response::new(pb::UncontactedCustomersResponse { items }))
    }
}
