//! gRPC adapter for `atq.sales.v1.CalendarFeeds`: a person manages their own feed; only a sibling
//! service (the gateway serving the subscription address) reads a feed by its token.

use atq_platform::caller::{Action, Role};
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::calendar_feeds_server::CalendarFeeds;
use tonic::{Request, Response, Status};

use crate::calendar::{self, DateRange};

pub struct CalendarFeedApi {
    pub db: Db,
}

/// People with a calendar: everyone who may read customers, as themselves.
fn person(caller: &Caller) -> Result<(), Error> {
    caller.require(Action::ReadCustomers)?;
    if caller.role == Role::Service {
        return Err(Error::PermissionDenied("a calendar feed belongs to a person".into()));
    }
    Ok(())
}

#[tonic::async_trait]
impl CalendarFeeds for CalendarFeedApi {
    async fn get_my_calendar_feed(
        &self,
        request: Request<pb::GetMyCalendarFeedRequest>,
    ) -> Result<Response<pb::CalendarFeed>, Status> {
        let caller = Caller::of(&request)?;
        person(&caller)?;
        Ok(Response::new(calendar::my_feed(&self.db, &caller).await?))
    }

    async fn rotate_calendar_feed(
        &self,
        request: Request<pb::RotateCalendarFeedRequest>,
    ) -> Result<Response<pb::CalendarFeed>, Status> {
        let caller = Caller::of(&request)?;
        person(&caller)?;
        Ok(Response::new(calendar::rotate(&self.db, &caller).await?))
    }

    async fn revoke_calendar_feed(
        &self,
        request: Request<pb::RevokeCalendarFeedRequest>,
    ) -> Result<Response<pb::RevokeCalendarFeedResponse>, Status> {
        let caller = Caller::of(&request)?;
        person(&caller)?;
        let revoked = calendar::revoke(&self.db, &caller).await?;
        Ok(Response::new(pb::RevokeCalendarFeedResponse { revoked }))
    }

    async fn calendar_feed_by_token(
        &self,
        request: Request<pb::CalendarFeedByTokenRequest>,
    ) -> Result<Response<pb::CalendarFeedEvents>, Status> {
        let caller = Caller::of(&request)?;
        if caller.role != Role::Service {
            return Err(Error::PermissionDenied("only the gateway reads a feed by its token".into()).into());
        }
        let input = request.into_inner();
        let mut v = Violations::new();
        let range = match (&input.from, &input.to) {
            (None, None) => None,
            (from, to) => DateRange::parse_bounded(&mut v, from.as_ref(), to.as_ref()),
        };
        v.finish()?;
        Ok(Response::new(calendar::feed_events(&self.db, input.token.trim(), range).await?))
    }
}
