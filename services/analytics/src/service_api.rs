//! gRPC adapter for `atq.analytics.v1.ServiceReports`: checks the caller and the periods, limits
//! a sales manager to their office, then turns the service-and-care figures into messages.

use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::caller::{Action, authenticate};
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, InternalKey, Office, feed_consumer};
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::service_reports_server::{ServiceReports, ServiceReportsServer};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::periods::{self, Period, Unit};
use crate::service_report::{self, ALL, RequestFigures, ServiceReport};

pub struct ServiceReportsApi {
    pub db: Db,
}

/// The service, behind the same caller check as the other analytics services.
pub fn server(
    db: Db,
    key: InternalKey,
) -> InterceptedService<ServiceReportsServer<ServiceReportsApi>, impl tonic::service::Interceptor + Clone> {
    ServiceReportsServer::with_interceptor(ServiceReportsApi { db }, authenticate(key))
}

/// The office the figures are limited to: a sales manager's own (another is refused), else the
/// one asked for, else none.
fn office_of(v: &mut Violations, caller: &Caller, office: i32) -> Result<Option<Office>, Error> {
    let asked = if office == 0 { None } else { v.check("office", Office::from_proto(office)) };
    match (caller.territory(), asked) {
        (Some(own), Some(other)) if own != other => {
            Err(Error::PermissionDenied("a sales manager sees their own office only".to_owned()))
        }
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
    }
}

fn periods_of(v: &mut Violations, input: &pb::ServiceReportRequest) -> Option<(Unit, Vec<Period>)> {
    let unit = v.check("period", Unit::parse(&input.period))?;
    let text = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    match periods::span(unit, text(&input.from).as_deref(), text(&input.to).as_deref(), local_date(now_micros())) {
        Ok(span) => Some((unit, span)),
        Err(problems) => {
            problems.into_iter().for_each(|(field, message)| v.add(field, message));
            None
        }
    }
}

#[tonic::async_trait]
impl ServiceReports for ServiceReportsApi {
    async fn service_report(
        &self,
        request: Request<pb::ServiceReportRequest>,
    ) -> Result<Response<pb::ServiceReportResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let periods = periods_of(&mut v, &input);
        let office = office_of(&mut v, &caller, input.office)?;
        v.finish()?;
        let Some((unit, span)) = periods.filter(|(_, span)| !span.is_empty()) else {
            return Err(Status::internal("parameters missing after validation"));
        };
        // The cursors first: the figures then include at least what they say.
        let sales_position = feed_consumer::cursor(&self.db, crate::SALES_FEED).await?;
        let import_planning_position = feed_consumer::cursor(&self.db, crate::CATALOG_FEED).await?;
        let report = service_report::service_report(&self.db, &span, office, now_micros()).await?;
        let (first, last) = (span[0], span[span.len() - 1]);
        let mut answer = response(&report);
        answer.period = unit.as_str().to_owned();
        answer.from = first.to_string();
        answer.to = last.to_string();
        answer.first_day = Some(date_to_proto(first.first_day));
        answer.last_day = Some(date_to_proto(last.last_day()));
        answer.office = office.map_or(0, |o| o.to_proto() as i32);
        answer.sales_position = sales_position;
        answer.import_planning_position = import_planning_position;
        Ok(Response::new(answer))
    }
}

fn request_row(
    period: Period,
    (kind, department, office): (&str, &str, &str),
    f: &RequestFigures,
) -> pb::ServiceRequestRow {
    pb::ServiceRequestRow {
        period: period.to_string(),
        kind: kind.to_owned(),
        department: department.to_owned(),
        office: office.to_owned(),
        requests: f.requests,
        answered: f.answered,
        mean_first_response_minutes: f.mean_first_response_minutes(),
        mean_first_response_target_minutes: f.mean_first_response_target(),
        first_response_breached: f.first_response_breached,
        resolved: f.resolved,
        mean_resolution_minutes: f.mean_resolution_minutes(),
        mean_resolution_target_minutes: f.mean_resolution_target(),
        resolution_breached: f.resolution_breached,
        breached: f.breached,
        breach_rate_bp: f.breach_rate_bp(),
    }
}

fn response(report: &ServiceReport) -> pb::ServiceReportResponse {
    pb::ServiceReportResponse {
        requests: report
            .requests
            .iter()
            .map(|((period, kind, department, office), f)| request_row(*period, (kind, department, office), f))
            .collect(),
        request_totals: report.totals.iter().map(|(period, f)| request_row(*period, (ALL, ALL, ALL), f)).collect(),
        products: report
            .products
            .iter()
            .map(|((period, product_id), f)| pb::WarrantyProductRow {
                period: period.to_string(),
                product_id: *product_id,
                model_code: f.model_code.clone(),
                supplier_id: f.supplier_id,
                supplier_code: f.supplier_code.clone(),
                cases: f.cases,
                units_sold: f.units_sold,
                failure_rate_bp: f.failure_rate_bp(),
            })
            .collect(),
        suppliers: report
            .suppliers
            .iter()
            .map(|((period, supplier_id), f)| pb::WarrantySupplierRow {
                period: period.to_string(),
                supplier_id: *supplier_id,
                supplier_code: f.supplier_code.clone(),
                supplier_name: f.supplier_name.clone(),
                cases: f.cases,
                rmas_sent: f.rmas_sent,
                rmas_received: f.turnaround_days.len() as i64,
                median_turnaround_tenths: f.median_turnaround_tenths(),
                mean_turnaround_tenths: f.mean_turnaround_tenths(),
            })
            .collect(),
        method: service_report::METHOD.to_owned(),
        ..pb::ServiceReportResponse::default()
    }
}
