//! gRPC adapter for `atq.analytics.v1.Summaries`: checks the caller and the periods, limits a
//! sales manager to their office, then turns the department summaries and customer values into
//! messages.

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros};
use atq_platform::caller::{Action, authenticate};
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, InternalKey, Office, feed_consumer};
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::summaries_server::{Summaries, SummariesServer};
use atq_proto::common::v1::LocalDate;
use chrono::NaiveDate;
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::customer_value::{self, Band, CustomerValue, ValueReport};
use crate::periods::{self, Unit};
use crate::summary::{self, Department, PeriodSummary};

pub struct SummariesApi {
    pub db: Db,
}

/// The service, behind the same caller check as the other analytics services.
pub fn server(
    db: Db,
    key: InternalKey,
) -> InterceptedService<SummariesServer<SummariesApi>, impl tonic::service::Interceptor + Clone> {
    SummariesServer::with_interceptor(SummariesApi { db }, authenticate(key))
}

#[tonic::async_trait]
impl Summaries for SummariesApi {
    async fn department_summary(
        &self,
        request: Request<pb::DepartmentSummaryRequest>,
    ) -> Result<Response<pb::DepartmentSummaryResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let department = v.check("department", Department::parse(&input.department));
        let unit = v.check("period", Unit::parse(&input.period));
        let today = local_date(now_micros());
        let span = unit.and_then(|unit| {
            let text = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
            match periods::span(unit, text(&input.from).as_deref(), text(&input.to).as_deref(), today) {
                Ok(span) => Some(span),
                Err(problems) => {
                    problems.into_iter().for_each(|(field, message)| v.add(field, message));
                    None
                }
            }
        });
        v.finish()?;
        let (Some(department), Some(unit), Some(span)) = (department, unit, span) else {
            return Err(Status::internal("parameters missing after validation"));
        };
        // Sales managers see their own office only.
        let office = caller.territory();
        // The cursors first: the figures then include at least what they say.
        let sales_position = feed_consumer::cursor(&self.db, crate::SALES_FEED).await?;
        let accounting_position = feed_consumer::cursor(&self.db, crate::ACCOUNTING_FEED).await?;
        let mut summaries = summary::department_summary(&self.db, department, &span, office).await?;
        // What goods cost only for those who may read costs.
        if !caller.role.may(Action::ReadCosts) {
            crate::summary_cells::hide_costs(&mut summaries);
        }
        Ok(Response::new(pb::DepartmentSummaryResponse {
            department: department.as_str().to_owned(),
            period: unit.as_str().to_owned(),
            periods: summaries.iter().map(period_to_proto).collect(),
            office: office.map_or(0, |o| o.to_proto() as i32),
            sales_position,
            accounting_position,
        }))
    }

    async fn customer_values(
        &self,
        request: Request<pb::CustomerValuesRequest>,
    ) -> Result<Response<pb::CustomerValuesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let as_of = checked_as_of(request.get_ref().as_of.as_ref())?;
        let sales_position = feed_consumer::cursor(&self.db, crate::SALES_FEED).await?;
        let report = customer_value::customer_values(&self.db, as_of).await?;
        let office = caller.territory();
        Ok(Response::new(report_to_proto(&report, office, sales_position, |_| true)))
    }

    async fn customer_value(
        &self,
        request: Request<pb::CustomerValueRequest>,
    ) -> Result<Response<pb::CustomerValuesResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let customer_id = request.get_ref().customer_id;
        let as_of = checked_as_of(request.get_ref().as_of.as_ref())?;
        let sales_position = feed_consumer::cursor(&self.db, crate::SALES_FEED).await?;
        // Scored among every active customer, so the scores match the list's.
        let report = customer_value::customer_values(&self.db, as_of).await?;
        let office = caller.territory();
        let answer = report_to_proto(&report, office, sales_position, |c| c.customer_id == customer_id);
        if answer.customers.is_empty() {
            // Also for a customer of another office: a manager learns nothing of it.
            return Err(Error::NotFound(format!("customer {customer_id} with counted orders")).into());
        }
        Ok(Response::new(answer))
    }
}

fn checked_as_of(date: Option<&LocalDate>) -> Result<NaiveDate, Status> {
    let mut v = Violations::new();
    let as_of = match date {
        Some(date) => v.check("as_of", date_from_proto(date)),
        None => Some(local_date(now_micros())),
    };
    v.finish()?;
    as_of.ok_or_else(|| Status::internal("as_of missing after validation"))
}

fn period_to_proto(summary: &PeriodSummary) -> pb::SummaryPeriod {
    let period = summary.period;
    pb::SummaryPeriod {
        name: period.to_string(),
        first_day: Some(date_to_proto(period.first_day)),
        last_day: Some(date_to_proto(period.last_day())),
        previous: period.previous().to_string(),
        year_ago: period.year_ago().to_string(),
        sections: summary
            .sections
            .iter()
            .map(|section| pb::SummarySection {
                name: section.name.to_owned(),
                rows: section
                    .rows
                    .iter()
                    .map(|row| pb::SummaryRow {
                        key: row.key.clone(),
                        measures: row
                            .measures
                            .iter()
                            .map(|m| pb::SummaryMeasure {
                                name: m.name.to_owned(),
                                current: m.current,
                                previous: m.previous,
                                year_ago: m.year_ago,
                                change_previous: m.change_previous(),
                                change_previous_bp: m.change_previous_bp(),
                                change_year_ago: m.change_year_ago(),
                                change_year_ago_bp: m.change_year_ago_bp(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The customers the caller may see (their office's, for a sales manager) that `keep` keeps.
fn report_to_proto(
    report: &ValueReport,
    office: Option<Office>,
    sales_position: i64,
    keep: impl Fn(&CustomerValue) -> bool,
) -> pb::CustomerValuesResponse {
    let bands = |bands: &[Band]| -> Vec<pb::ScoreBand> {
        bands.iter().map(|b| pb::ScoreBand { score: i32::from(b.score), min: b.min, max: b.max }).collect()
    };
    pb::CustomerValuesResponse {
        as_of: Some(date_to_proto(report.as_of)),
        customers: report
            .customers
            .iter()
            .filter(|c| office.is_none_or(|o| o.code() == c.office) && keep(c))
            .map(value_to_proto)
            .collect(),
        recency_bands: bands(&report.bands[0]),
        frequency_bands: bands(&report.bands[1]),
        monetary_bands: bands(&report.bands[2]),
        company_revenue: report.company_revenue,
        scoring_method: customer_value::SCORING_METHOD.to_owned(),
        segment_rules: customer_value::SEGMENT_RULES.to_owned(),
        lifetime_value_method: customer_value::LIFETIME_VALUE_METHOD.to_owned(),
        office: office.map_or(0, |o| o.to_proto() as i32),
        sales_position,
    }
}

fn value_to_proto(c: &CustomerValue) -> pb::CustomerValue {
    pb::CustomerValue {
        customer_id: c.customer_id,
        code: c.code.clone(),
        office: Office::parse(&c.office).map_or(0, |o| o.to_proto() as i32),
        customer_group: c.group.clone(),
        first_purchase: Some(date_to_proto(c.first_purchase)),
        last_purchase: Some(date_to_proto(c.last_purchase)),
        orders: c.orders,
        revenue: c.revenue,
        average_order: c.average_order,
        mean_days_between_orders_tenths: c.mean_days_between_orders_tenths,
        days_since_last_order: c.days_since_last_order,
        recency_score: i32::from(c.scores[0]),
        frequency_score: i32::from(c.scores[1]),
        monetary_score: i32::from(c.scores[2]),
        segment: c.segment.as_str().to_owned(),
        lifetime_value: c.lifetime_value,
        share_bp: c.share_bp,
        at_risk: c.at_risk,
    }
}
