//! gRPC adapter for `atq.analytics.v1.Reports`: checks the caller and the period, then turns the
//! reports of the `*_facts` modules into messages.

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, feed_consumer};
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::reports_server::Reports;
use atq_proto::common::v1::LocalDate;
use chrono::{Days, Months, NaiveDate};
use tonic::{Request, Response, Status};

use crate::customer_facts::new_customers_by_week;
use crate::sales_facts::{Dimension, Figures, Summary, first_of_month, sales_by_month};
use crate::supplier_facts::{Performance, supplier_performance};

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
        let mut v = Violations::new();
        let period = twelve_weeks(&mut v, input.from.as_ref(), input.to.as_ref());
        v.finish()?;
        let Some((from, to)) = period else {
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

    async fn sales_report(
        &self,
        request: Request<pb::SalesReportRequest>,
    ) -> Result<Response<pb::SalesReportResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        match pb::ReportPeriod::try_from(input.period) {
            Ok(pb::ReportPeriod::Unspecified | pb::ReportPeriod::Month) => {}
            Err(_) => v.add("period", "must be month"),
        }
        let period = twelve_months(&mut v, input.from.as_ref(), input.to.as_ref());
        v.finish()?;
        let Some((from, to)) = period else {
            return Err(Status::internal("dates missing after validation"));
        };
        // Sales staff see their own office's sales only.
        let office = caller.territory();
        let report = sales_by_month(&self.db, from, to, office).await?;
        let periods = report
            .months
            .iter()
            .map(|(start, summary)| pb::SalesPeriodRow {
                start: Some(date_to_proto(*start)),
                summary: Some(summary_to_proto(summary)),
            })
            .collect();
        Ok(Response::new(pb::SalesReportResponse {
            period: pb::ReportPeriod::Month as i32,
            from: Some(date_to_proto(from)),
            to: Some(date_to_proto(to)),
            periods,
            summary: Some(summary_to_proto(&report.summary)),
            office: office.map_or(0, |o| o.to_proto() as i32),
            sales_position: feed_consumer::cursor(&self.db, crate::SALES_FEED).await?,
            catalog_position: feed_consumer::cursor(&self.db, crate::CATALOG_FEED).await?,
        }))
    }

    async fn supplier_performance(
        &self,
        request: Request<pb::SupplierPerformanceRequest>,
    ) -> Result<Response<pb::SupplierPerformanceResponse>, Status> {
        // Suppliers belong to no office, so every reader of reports sees them all.
        Caller::of(&request)?.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let period = twelve_months(&mut v, input.from.as_ref(), input.to.as_ref());
        v.finish()?;
        let Some((from, to)) = period else {
            return Err(Status::internal("dates missing after validation"));
        };
        let today = local_date(now_micros());
        // The cursor first: the figures then include at least what it says.
        let import_planning_position = feed_consumer::cursor(&self.db, crate::CATALOG_FEED).await?;
        let report = supplier_performance(&self.db, from, to, today).await?;
        Ok(Response::new(pb::SupplierPerformanceResponse {
            from: Some(date_to_proto(from)),
            to: Some(date_to_proto(to)),
            as_of: Some(date_to_proto(today)),
            rows: report.suppliers.iter().map(performance_to_proto).collect(),
            total: Some(performance_to_proto(&report.total)),
            import_planning_position,
        }))
    }
}

fn performance_to_proto(p: &Performance) -> pb::SupplierPerformanceRow {
    pb::SupplierPerformanceRow {
        supplier_id: p.supplier_id,
        supplier_code: p.supplier_code.clone(),
        supplier_name: p.supplier_name.clone(),
        orders_received: p.orders_received,
        units_received: p.units_received,
        average_lead_time_tenths: p.average_lead_time_tenths(),
        max_lead_time_days: p.max_lead_time_days,
        orders_promised: p.orders_promised,
        orders_on_time: p.orders_on_time,
        on_time_rate_bp: p.on_time_rate_bp(),
        orders_late: p.orders_late,
        average_delay_tenths: p.average_delay_tenths(),
        open_orders: p.open_orders,
        open_orders_overdue: p.open_orders_overdue,
    }
}

/// A period of months, by default the twelve through the current one: from the first day of the
/// month eleven months before `to`'s, to the last day of this month.
fn twelve_months(
    v: &mut Violations,
    from: Option<&LocalDate>,
    to: Option<&LocalDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    let this_month = last_of_month(local_date(now_micros()));
    period(v, from, to, this_month, |to| first_of_month(to).checked_sub_months(Months::new(11)))
}

/// A period of weeks, by default the twelve weeks up to today.
fn twelve_weeks(
    v: &mut Violations,
    from: Option<&LocalDate>,
    to: Option<&LocalDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    let today = Some(local_date(now_micros()));
    period(v, from, to, today, |to| to.checked_sub_days(Days::new(12 * 7)))
}

/// The dates asked for, or `default_to` and the start `default_from` gives for the end.
fn period(
    v: &mut Violations,
    from: Option<&LocalDate>,
    to: Option<&LocalDate>,
    default_to: Option<NaiveDate>,
    default_from: impl FnOnce(NaiveDate) -> Option<NaiveDate>,
) -> Option<(NaiveDate, NaiveDate)> {
    let to = match to {
        Some(date) => v.check("to", date_from_proto(date)),
        None => default_to,
    };
    let from = match from {
        Some(date) => v.check("from", date_from_proto(date)),
        None => to.and_then(default_from),
    };
    checked_span(v, from?, to?)
}

/// The period, with a violation named `from` when it runs backwards or longer than [`MAX_DAYS`].
fn checked_span(v: &mut Violations, from: NaiveDate, to: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    if from > to {
        v.add("from", "must not be after to");
    } else if (to - from).num_days() > MAX_DAYS {
        v.add("from", "the period may cover at most five years");
    }
    Some((from, to))
}

fn last_of_month(date: NaiveDate) -> Option<NaiveDate> {
    first_of_month(date).checked_add_months(Months::new(1))?.checked_sub_days(Days::new(1))
}

fn figures_to_proto(figures: &Figures) -> pb::SalesFigures {
    pb::SalesFigures {
        net: figures.net,
        vat: figures.vat,
        gross: figures.gross,
        quantity: figures.quantity,
        orders: figures.orders,
    }
}

fn summary_to_proto(summary: &Summary) -> pb::SalesSummary {
    let rows = |dimension: Dimension| -> Vec<pb::SalesBreakdownRow> {
        summary
            .breakdown(dimension)
            .iter()
            .map(|(key, figures)| pb::SalesBreakdownRow { key: key.clone(), figures: Some(figures_to_proto(figures)) })
            .collect()
    };
    pb::SalesSummary {
        total: Some(figures_to_proto(&summary.total)),
        by_office: rows(Dimension::Office),
        by_category: rows(Dimension::Category),
        by_brand: rows(Dimension::Brand),
        by_customer_group: rows(Dimension::CustomerGroup),
        by_salesperson: rows(Dimension::Salesperson),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_ends_on_its_last_day() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(last_of_month(date(2028, 2, 10)), Some(date(2028, 2, 29)));
        assert_eq!(last_of_month(date(2026, 12, 31)), Some(date(2026, 12, 31)));
        assert_eq!(first_of_month(date(2026, 11, 30)), date(2026, 11, 1));
    }
}
