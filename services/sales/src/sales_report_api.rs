//! gRPC adapter for `atq.sales.v1.SalesReports`: authorises and translates; the rules live in
//! [`crate::sales_report`] and the figures in [`crate::sales_report_figures`].

use atq_platform::caller::{Action, Role};
use atq_platform::paging::Page;
use atq_platform::settings::ServiceSettings;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, grpc_client, idempotency};
use atq_proto::accountingwarehouse::v1::accounting_client::AccountingClient;
use atq_proto::accountingwarehouse::v1::warehouse_client::WarehouseClient;
use atq_proto::sales::v1 as pb;
use atq_proto::sales::v1::sales_reports_server::SalesReports;
use tonic::{Request, Response, Status};

use crate::sales_report::{self, Content, Period, ReportStatus};
use crate::sales_report_figures::{self, Figures};
use crate::sales_report_store::{self, ReportFilter, ReportRow};
use crate::warehouse::Warehouse;

pub struct SalesReportApi {
    pub db: Db,
    pub warehouse: Warehouse,
}

impl SalesReportApi {
    /// The service with its own client of accounting (for the debts of a weekly summary).
    pub fn new(db: Db, settings: &ServiceSettings) -> anyhow::Result<SalesReportApi> {
        let channel = grpc_client::channel(&settings.peers.accounting_warehouse)?;
        let warehouse = Warehouse {
            warehouse: WarehouseClient::new(channel.clone()),
            accounting: AccountingClient::new(channel),
            key: settings.internal_key.clone(),
        };
        Ok(SalesReportApi { db, warehouse })
    }
}

fn period_of(v: &mut Violations, kind: &str, period: &str) -> Option<Period> {
    let kind = sales_report::parse_kind(v, kind)?;
    v.check("period", Period::parse(kind, period))
}

fn parsed_period(kind: &str, period: &str) -> Result<Period, Error> {
    let mut v = Violations::new();
    let parsed = period_of(&mut v, kind, period);
    v.finish()?;
    parsed.ok_or_else(|| Error::invalid("period", "is required"))
}

impl SalesReportApi {
    /// The report as shown to `caller` with its figures (live for a draft).
    async fn shown(&self, caller: &Caller, report: &ReportRow) -> Result<pb::SalesReport, Error> {
        let period = Period::parse(report.kind, &report.period).map_err(|m| Error::internal(anyhow::anyhow!(m)))?;
        let mut conn = self.db.pool().acquire().await?;
        let figures =
            sales_report::figures_of(&mut conn, &self.warehouse, caller, Some(report), &period, &report.owner).await?;
        sales_report::to_proto(&mut conn, Some(report), &period, &report.owner, report.office, &figures).await
    }

    async fn own(&self, caller: &Caller, period: &Period) -> Result<Option<ReportRow>, Error> {
        let mut conn = self.db.pool().acquire().await?;
        sales_report_store::find_by_period(&mut conn, period.kind, &caller.username, &period.text).await
    }

    /// The office a roll-up covers: a manager's own; a director names one.
    fn rollup_office(caller: &Caller, asked: i32) -> Result<Office, Error> {
        if !matches!(caller.role, Role::SalesManager | Role::Director | Role::Admin) {
            return Err(Error::PermissionDenied("the roll-up is for managers and directors".into()));
        }
        let asked = match asked {
            0 => None,
            code => Some(Office::from_proto(code).map_err(|m| Error::invalid("office", m))?),
        };
        match (caller.territory(), asked) {
            (Some(own), Some(other)) if own != other => Err(Error::NotFound("the roll-up of another office".into())),
            (Some(own), _) => Ok(own),
            (None, Some(office)) => Ok(office),
            (None, None) => caller.office.ok_or_else(|| Error::invalid("office", "is required")),
        }
    }
}

#[tonic::async_trait]
impl SalesReports for SalesReportApi {
    async fn get_current_sales_report(
        &self,
        request: Request<pb::CurrentSalesReportRequest>,
    ) -> Result<Response<pb::SalesReport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let period = parsed_period(&input.kind, &input.period)?;
        let office = sales_report::own_office(&caller)?;
        match self.own(&caller, &period).await? {
            Some(report) => Ok(Response::new(self.shown(&caller, &report).await?)),
            None => {
                let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
                let figures =
                    sales_report::figures_of(&mut conn, &self.warehouse, &caller, None, &period, &caller.username)
                        .await?;
                let draft =
                    sales_report::to_proto(&mut conn, None, &period, &caller.username, office, &figures).await?;
                Ok(Response::new(draft))
            }
        }
    }

    async fn save_sales_report(
        &self,
        request: Request<pb::SaveSalesReportRequest>,
    ) -> Result<Response<pb::SalesReport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let period = period_of(&mut v, &input.kind, &input.period);
        let content = Content::parse(&input);
        if let Err(Error::Invalid(fields)) = &content {
            fields.iter().for_each(|f| v.add(f.field.clone(), f.message.clone()));
        }
        v.finish()?;
        let (Some(period), Ok(mut content)) = (period, content) else {
            return Err(Error::invalid("period", "is required").into());
        };
        sales_report::ensure_begun(&period)?;
        let office = sales_report::own_office(&caller)?;
        {
            let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
            sales_report::check_customers(&mut conn, office, &mut content).await?;
        }
        let saved = sales_report::save(&self.db, &caller, &period, input.expected_version, &content).await?;
        Ok(Response::new(self.shown(&caller, &saved).await?))
    }

    async fn submit_sales_report(
        &self,
        request: Request<pb::SubmitSalesReportRequest>,
    ) -> Result<Response<pb::SalesReport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCustomers)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let period = parsed_period(&input.kind, &input.period)?;
        sales_report::ensure_begun(&period)?;
        let existing = self.own(&caller, &period).await?;
        let figures = match &existing {
            Some(report) if report.status == ReportStatus::Submitted => Figures::default(),
            _ => {
                let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
                sales_report::figures_of(&mut conn, &self.warehouse, &caller, None, &period, &caller.username).await?
            }
        };
        let id = sales_report::submit(&self.db, &caller, key.as_deref(), &input, &period, &figures).await?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let report = sales_report_store::find(&mut conn, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("sales report {id}")))?;
        drop(conn);
        Ok(Response::new(self.shown(&caller, &report).await?))
    }

    async fn get_sales_report(
        &self,
        request: Request<pb::GetSalesReportRequest>,
    ) -> Result<Response<pb::SalesReport>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let id = request.into_inner().id;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let report = sales_report_store::find(&mut conn, id)
            .await?
            .filter(|r| sales_report::may_read(&caller, r))
            .ok_or_else(|| Error::NotFound(format!("sales report {id}")))?;
        drop(conn);
        Ok(Response::new(self.shown(&caller, &report).await?))
    }

    async fn list_sales_reports(
        &self,
        request: Request<pb::ListSalesReportsRequest>,
    ) -> Result<Response<pb::ListSalesReportsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        let kind = match input.kind.trim() {
            "" => None,
            text => sales_report::parse_kind(&mut v, text),
        };
        let asked_office = match input.office {
            0 => None,
            code => v.check("office", Office::from_proto(code)),
        };
        v.finish()?;
        let owner = input.owner.trim();
        let outside = asked_office.is_some_and(|o| !caller.sees_office(o))
            || (caller.role == Role::SalesRep && !owner.is_empty() && owner != caller.username);
        if outside {
            return Ok(Response::new(pb::ListSalesReportsResponse::default()));
        }
        let filter = ReportFilter {
            kind,
            owner: if caller.role == Role::SalesRep { caller.username.clone() } else { owner.to_owned() },
            period: input.period.trim().to_owned(),
            office: caller.territory().or(asked_office),
        };
        let mut rows = sales_report_store::list(&self.db, &filter, page).await?;
        let next_cursor = page.finish(&mut rows, |row| row.id);
        let mut items = Vec::with_capacity(rows.len());
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        for row in &rows {
            // A list shows a draft's live figures without asking accounting for each one's debts.
            let period = Period::parse(row.kind, &row.period).map_err(|m| Error::internal(anyhow::anyhow!(m)))?;
            let figures = match row.status {
                ReportStatus::Submitted => Figures::from_json(&row.figures)?,
                ReportStatus::Draft => sales_report_figures::assemble(&mut conn, period.window(&row.owner)).await?,
            };
            items.push(sales_report::to_proto(&mut conn, Some(row), &period, &row.owner, row.office, &figures).await?);
        }
        Ok(Response::new(pb::ListSalesReportsResponse { items, next_cursor }))
    }

    async fn get_sales_report_rollup(
        &self,
        request: Request<pb::SalesReportRollupRequest>,
    ) -> Result<Response<pb::SalesReportRollup>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadCustomers)?;
        let input = request.into_inner();
        let period = parsed_period(&input.kind, &input.period)?;
        let office = Self::rollup_office(&caller, input.office)?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let window = period.window("");
        let people =
            sales_report_store::people_of_office(&mut conn, office, period.kind, &period.text, window.from, window.to)
                .await?;
        let mut rows = Vec::with_capacity(people.len());
        for owner in &people {
            let report = sales_report_store::find_by_period(&mut conn, period.kind, owner, &period.text)
                .await?
                .filter(|r| r.office == office);
            let submitted = report.as_ref().filter(|r| r.status == ReportStatus::Submitted);
            let figures = match submitted {
                Some(r) => Figures::from_json(&r.figures)?,
                None => sales_report_figures::assemble(&mut conn, period.window(owner)).await?,
            };
            let id = report.as_ref().map(|r| r.id).unwrap_or(0);
            rows.push(sales_report_figures::rollup_row(owner, id, submitted.is_some(), &figures)?);
        }
        let totals = sales_report_figures::rollup_totals(&rows)?;
        Ok(Response::new(pb::SalesReportRollup {
            kind: period.kind.as_str().to_owned(),
            period: period.text,
            office: office.to_proto() as i32,
            rows,
            totals: Some(totals),
        }))
    }
}
