//! gRPC adapter for `atq.analytics.v1.Reports`.

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, feed_consumer};
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::reports_server::Reports;
use chrono::Days;
use tonic::{Request, Response, Status};

use crate::customer_facts::new_customers_by_week;

/// The longest period one report may cover.
const MAX_DAYS: i64 = 366 * 5;

pub struct ReportsApi {
    pub db: Db,
}

#[tonic::async_trait]
impl Reports for ReportsApi {
    async fn new_customers(
        &self,
        request: Request<pb::NewCustomersRequest>,
    ) -> Result<Response<pb::NewCustomersResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadReports)?;
        let input = request.into_inner();
        let today = local_date(now_micros());
        let mut v = Violations::new();
        let to = match &input.to {
            Some(date) => v.check("to", date_from_proto(date)),
            None => Some(today),
        };
        let from = match &input.from {
            Some(date) => v.check("from", date_from_proto(date)),
            None => to.and_then(|to| to.checked_sub_days(Days::new(12 * 7))),
        };
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                v.add("from", "must not be after to");
            } else if (to - from).num_days() > MAX_DAYS {
                v.add("from", "the period may cover at most five years");
            }
        }
        v.finish()?;
        let (Some(from), Some(to)) = (from, to) else {
            return Err(Status::internal("dates missing after validation"));
        };
        let rows = new_customers_by_week(&self.db, from, to)
            .await?
            .into_iter()
            .map(|row| pb::NewCustomersRow {
                week_start: Some(date_to_proto(row.week_start)),
                office: row.office.to_proto() as i32,
                group: row.group as i32,
                count: row.count,
            })
            .collect();
        let sales_position = feed_consumer::cursor(&self.db, crate::SALES_FEED).await?;
        Ok(Response::new(pb::NewCustomersResponse { rows, sales_position }))
    }
}
