//! gRPC adapter for `atq.sales.v1.Targets`: authorises and translates; the rules live in
//! [`crate::target`] and [`crate::target_results`].

use atq_platform::business_time::now_micros;
use atq_platform::caller::{Action, Role};
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, idempotency};
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::targets_server::Targets;
use tonic::{Request, Response, Status};

use crate::target::{self, Period};
use crate::target_results::{self, ReportFilter};
use crate::target_store::{self, TargetFilter};

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 5000;

pub struct TargetApi {
    pub db: Db,
    pub catalog: CatalogReader,
}

fn may_write(caller: &Caller) -> Result<(), Error> {
    caller.require(Action::WriteCustomers)?;
    match caller.role {
        Role::SalesManager | Role::Director | Role::Admin => Ok(()),
        _ => Err(Error::PermissionDenied("only sales managers and directors set targets".into())),
    }
}

fn office_filter(v: &mut Violations, value: i32) -> Option<Office> {
    match value {
        0 => None,
        code => v.check("office", Office::from_proto(code)),
    }
}

#[tonic::async_trait]
impl Targets for TargetApi {
    async fn put_target(&self, request: Request<pb::PutTargetRequest>) -> Result<Response<pb::SalesTarget>, Status> {
        let caller = Caller::of(&request)?;
        may_write(&caller)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let parsed = target::parse_fields(&input.target.clone().unwrap_or_default(), &mut v);
        v.finish()?;
        let parsed = parsed.ok_or_else(|| Error::invalid("target", "is required"))?;
        Ok(Response::new(target::put(&self.db, &caller, key.as_deref(), &input, parsed).await?))
    }

    async fn list_targets(
        &self,
        request: Request<pb::ListTargetsRequest>,
    ) -> Result<Response<pb::ListTargetsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let office = office_filter(&mut v, input.office);
        if !input.period.trim().is_empty() {
            v.check("period", Period::parse(&input.period));
        }
        v.finish()?;
        let office = match (caller.territory(), office) {
            (Some(own), Some(asked)) if own != asked => {
                return Ok(Response::new(pb::ListTargetsResponse::default()));
            }
            (own, asked) => asked.or(own),
        };
        // A sales rep reads their own targets and their office's, not their colleagues'.
        let only_for = if caller.role == Role::SalesRep { caller.username.clone() } else { String::new() };
        let filter = TargetFilter {
            period: input.period.trim().to_owned(),
            office,
            owner: input.owner.trim().to_owned(),
            only_for,
        };
        let mut rows = target_store::list(&self.db, &filter, page).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        Ok(Response::new(pb::ListTargetsResponse { items: rows, next_cursor }))
    }

    async fn import_targets(
        &self,
        request: Request<pb::ImportTargetsRequest>,
    ) -> Result<Response<pb::ImportTargetsResponse>, Status> {
        let caller = Caller::of(&request)?;
        may_write(&caller)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        if input.rows.is_empty() || input.rows.len() > MAX_IMPORT_ROWS {
            return Err(Error::invalid("rows", format!("must be 1 to {MAX_IMPORT_ROWS} rows")).into());
        }
        Ok(Response::new(target::import(&self.db, &caller, key.as_deref(), &input).await?))
    }

    async fn get_target_report(
        &self,
        request: Request<pb::TargetReportRequest>,
    ) -> Result<Response<pb::TargetReport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let period = v.check("period", Period::parse(&input.period));
        let office = office_filter(&mut v, input.office);
        v.finish()?;
        let period = period.ok_or_else(|| Error::invalid("period", "is required"))?;
        let filter = ReportFilter { office, owner: input.owner.trim().to_owned() };
        let report = target_results::report(&self.db, &self.catalog, &caller, period, filter, now_micros()).await?;
        Ok(Response::new(report))
    }
}
