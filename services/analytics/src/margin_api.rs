//! gRPC adapter for `atq.analytics.v1.Margins`: checks the caller, the words and the periods,
//! limits a sales manager to their office, then turns the margin figures into messages.

use atq_platform::business_time::{date_to_proto, local_date, now_micros};
use atq_platform::caller::{Action, authenticate};
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, InternalKey, Office, feed_consumer};
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::margins_server::{Margins, MarginsServer};
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::margin::{self, DEFAULT_LIMIT, Figures, Group, GroupBy, MAX_LIMIT, RankBy, Ranking};
use crate::periods::{self, Period, Unit};

pub struct MarginsApi {
    pub db: Db,
}

/// The service, behind the same caller check as the other analytics services.
pub fn server(
    db: Db,
    key: InternalKey,
) -> InterceptedService<MarginsServer<MarginsApi>, impl tonic::service::Interceptor + Clone> {
    MarginsServer::with_interceptor(MarginsApi { db }, authenticate(key))
}

/// What both calls share: the span of periods and the office the figures are limited to.
struct Scope {
    unit: Unit,
    first: Period,
    last: Period,
    office: Option<Office>,
}

/// Reads `period/from/to` and `office` into `v`'s problems; a sales manager asking for another
/// office is refused, and one asking for none gets their own.
fn scope(v: &mut Violations, caller: &Caller, input: (&str, &str, &str), office: i32) -> Result<Option<Scope>, Error> {
    let (period, from, to) = input;
    let unit = v.check("period", Unit::parse(period));
    let text = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    let span = unit.and_then(|unit| {
        match periods::span(unit, text(from).as_deref(), text(to).as_deref(), local_date(now_micros())) {
            Ok(span) => Some(span),
            Err(problems) => {
                problems.into_iter().for_each(|(field, message)| v.add(field, message));
                None
            }
        }
    });
    let asked = if office == 0 { None } else { v.check("office", Office::from_proto(office)) };
    let office = match (caller.territory(), asked) {
        (Some(own), Some(other)) if own != other => {
            return Err(Error::PermissionDenied("a sales manager sees their own office only".to_owned()));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    Ok(match (unit, span.as_deref()) {
        (Some(unit), Some([first, .., last])) => Some(Scope { unit, first: *first, last: *last, office }),
        (Some(unit), Some([only])) => Some(Scope { unit, first: *only, last: *only, office }),
        _ => None,
    })
}

#[tonic::async_trait]
impl Margins for MarginsApi {
    async fn product_ranking(
        &self,
        request: Request<pb::ProductRankingRequest>,
    ) -> Result<Response<pb::MarginResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let rank_by = v.check("rank_by", RankBy::parse(&input.rank_by));
        let ranking = v.check("order", Ranking::parse(&input.order));
        let limit = match input.limit {
            0 => DEFAULT_LIMIT,
            n if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                v.add("limit", format!("must be between 1 and {MAX_LIMIT}"));
                DEFAULT_LIMIT
            }
        };
        let scope = scope(&mut v, &caller, (&input.period, &input.from, &input.to), input.office)?;
        v.finish()?;
        let (Some(rank_by), Some(ranking), Some(scope)) = (rank_by, ranking, scope) else {
            return Err(Status::internal("parameters missing after validation"));
        };
        let category = Some(input.category.trim()).filter(|c| !c.is_empty());
        let positions = self.positions().await?;
        let span = (scope.first.first_day, scope.last.last_day());
        let report = margin::margins(&self.db, span, scope.office, category, GroupBy::Product).await?;
        let rows = margin::rank(report.groups, rank_by, ranking, usize::try_from(limit).unwrap_or(0));
        let mut answer = response(&scope, &rows, &report.total, positions);
        answer.rank_by = rank_by.as_str().to_owned();
        answer.order = ranking.as_str().to_owned();
        answer.by = GroupBy::Product.as_str().to_owned();
        answer.category = category.unwrap_or_default().to_owned();
        Ok(Response::new(answer))
    }

    async fn margin_breakdown(
        &self,
        request: Request<pb::MarginBreakdownRequest>,
    ) -> Result<Response<pb::MarginResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let by = v.check("by", GroupBy::parse(&input.by));
        let scope = scope(&mut v, &caller, (&input.period, &input.from, &input.to), input.office)?;
        v.finish()?;
        let (Some(by), Some(scope)) = (by, scope) else {
            return Err(Status::internal("parameters missing after validation"));
        };
        let positions = self.positions().await?;
        let span = (scope.first.first_day, scope.last.last_day());
        let report = margin::margins(&self.db, span, scope.office, None, by).await?;
        let mut answer = response(&scope, &report.groups, &report.total, positions);
        answer.by = by.as_str().to_owned();
        Ok(Response::new(answer))
    }
}

impl MarginsApi {
    /// The cursors first: the figures then include at least what they say.
    async fn positions(&self) -> Result<(i64, i64), Error> {
        let sales = feed_consumer::cursor(&self.db, crate::SALES_FEED).await?;
        let accounting = feed_consumer::cursor(&self.db, crate::ACCOUNTING_FEED).await?;
        Ok((sales, accounting))
    }
}

fn row_to_proto(group: &Group) -> pb::MarginRow {
    let mut row = figures_to_proto(&group.key, &group.figures);
    row.product_id = group.product_id;
    row.model_code.clone_from(&group.model_code);
    row.category.clone_from(&group.category);
    row.brand.clone_from(&group.brand);
    row
}

fn figures_to_proto(key: &str, figures: &Figures) -> pb::MarginRow {
    pb::MarginRow {
        key: key.to_owned(),
        quantity: figures.quantity,
        revenue: figures.revenue,
        cost: figures.cost,
        margin: figures.margin(),
        margin_rate_bp: figures.margin_rate_bp(),
        ..pb::MarginRow::default()
    }
}

fn response(scope: &Scope, rows: &[Group], total: &Figures, (sales, accounting): (i64, i64)) -> pb::MarginResponse {
    pb::MarginResponse {
        period: scope.unit.as_str().to_owned(),
        from: scope.first.to_string(),
        to: scope.last.to_string(),
        first_day: Some(date_to_proto(scope.first.first_day)),
        last_day: Some(date_to_proto(scope.last.last_day())),
        office: scope.office.map_or(0, |o| o.to_proto() as i32),
        rows: rows.iter().map(row_to_proto).collect(),
        total: Some(figures_to_proto("all", total)),
        sales_position: sales,
        accounting_position: accounting,
        ..pb::MarginResponse::default()
    }
}
