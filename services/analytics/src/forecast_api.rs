//! gRPC adapter for `atq.analytics.v1.Forecasts`: checks the caller, the horizon, the office and
//! the product, limits a sales manager to their office, then turns the forecast into messages.

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::{Action, authenticate};
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, InternalKey, Office, feed_consumer};
use atq_proto::analytics::v1 as pb;
use atq_proto::analytics::v1::forecasts_server::{Forecasts, ForecastsServer};
use chrono::NaiveDate;
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use crate::forecast_pipeline;
use crate::forecast_report::{self, Filter, Forecast, HORIZONS, Series};

pub struct ForecastsApi {
    pub db: Db,
}

/// The service, behind the same caller check as the other analytics services.
pub fn server(
    db: Db,
    key: InternalKey,
) -> InterceptedService<ForecastsServer<ForecastsApi>, impl tonic::service::Interceptor + Clone> {
    ForecastsServer::with_interceptor(ForecastsApi { db }, authenticate(key))
}

/// The horizon asked for (0: the shortest), into `v`'s problems when out of range.
fn horizon(v: &mut Violations, asked: i32) -> u32 {
    match u32::try_from(asked) {
        Ok(0) => *HORIZONS.start(),
        Ok(months) if HORIZONS.contains(&months) => months,
        _ => {
            v.add("horizon", format!("must be a whole number from {} to {}", HORIZONS.start(), HORIZONS.end()));
            *HORIZONS.start()
        }
    }
}

/// The office the figures are limited to: a sales manager's own (asking for another is
/// refused), otherwise the one asked for, if any.
fn office(v: &mut Violations, caller: &Caller, asked: i32) -> Result<Option<Office>, Error> {
    let asked = if asked == 0 { None } else { v.check("office", Office::from_proto(asked)) };
    match (caller.territory(), asked) {
        (Some(own), Some(other)) if own != other => {
            Err(Error::PermissionDenied("a sales manager sees their own office only".to_owned()))
        }
        (Some(own), _) => Ok(Some(own)),
        (None, asked) => Ok(asked),
    }
}

#[tonic::async_trait]
impl Forecasts for ForecastsApi {
    async fn revenue_forecast(
        &self,
        request: Request<pb::RevenueForecastRequest>,
    ) -> Result<Response<pb::ForecastResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let horizon = horizon(&mut v, input.horizon);
        let office = office(&mut v, &caller, input.office)?;
        let category = Some(input.category.trim()).filter(|c| !c.is_empty());
        if category.is_some_and(|c| c.chars().count() > 100) {
            v.add("category", "must be at most 100 characters");
        }
        v.finish()?;
        let positions = self.positions().await?;
        let filter = Filter { office: office.map(Office::code), category, product_id: None };
        let found = forecast_report::forecast(&self.db, local_date(now_micros()), horizon, filter, true).await?;
        let mut answer = response(horizon, &found, positions);
        answer.office = office.map_or(0, |o| o.to_proto() as i32);
        answer.category = category.unwrap_or_default().to_owned();
        answer.by_product.clear();
        let pipeline = forecast_pipeline::weighted_pipeline(&self.db, office.map(Office::code)).await?;
        answer.pipeline = pipeline
            .into_iter()
            .map(|m| pb::PipelineMonth {
                month: m.month,
                opportunities: m.opportunities,
                value: m.value,
                weighted: m.weighted,
            })
            .collect();
        Ok(Response::new(answer))
    }

    async fn demand_forecast(
        &self,
        request: Request<pb::DemandForecastRequest>,
    ) -> Result<Response<pb::ForecastResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadReports)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let horizon = horizon(&mut v, input.horizon);
        let office = office(&mut v, &caller, input.office)?;
        let product_id = match input.product_id {
            0 => None,
            id if id > 0 => Some(id),
            _ => {
                v.add("product_id", "must be more than zero");
                None
            }
        };
        v.finish()?;
        let positions = self.positions().await?;
        let filter = Filter { office: office.map(Office::code), category: None, product_id };
        let found = forecast_report::forecast(&self.db, local_date(now_micros()), horizon, filter, false).await?;
        let mut answer = response(horizon, &found, positions);
        answer.office = office.map_or(0, |o| o.to_proto() as i32);
        answer.product_id = product_id.unwrap_or_default();
        answer.by_office.clear();
        answer.by_category.clear();
        Ok(Response::new(answer))
    }
}

impl ForecastsApi {
    /// The cursors first: the history then includes at least what they say.
    async fn positions(&self) -> Result<(i64, i64), Error> {
        let sales = feed_consumer::cursor(&self.db, crate::SALES_FEED).await?;
        let accounting = feed_consumer::cursor(&self.db, crate::ACCOUNTING_FEED).await?;
        Ok((sales, accounting))
    }
}

fn month_text(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

fn series_to_proto(series: &Series, history: &[NaiveDate], ahead: &[NaiveDate]) -> pb::ForecastSeries {
    let points = |months: &[NaiveDate], values: &[i64]| -> Vec<pb::ForecastPoint> {
        months.iter().zip(values).map(|(m, v)| pb::ForecastPoint { month: month_text(*m), value: *v }).collect()
    };
    let test = &series.outlook.backtest;
    pb::ForecastSeries {
        key: series.key.clone(),
        method: series.outlook.method.as_str().to_owned(),
        history_months: i32::try_from(series.outlook.history_months).unwrap_or(i32::MAX),
        history: points(history, &series.history),
        forecast: points(ahead, &series.outlook.ahead),
        backtest: test
            .points
            .iter()
            .filter_map(|p| {
                Some(pb::BacktestPoint {
                    month: month_text(*history.get(p.index)?),
                    actual: p.actual,
                    forecast: p.forecast,
                    method: p.method.as_str().to_owned(),
                })
            })
            .collect(),
        mean_absolute_error: test.mean_absolute_error,
        mape_bp: test.mape_bp,
        model_code: series.model_code.clone(),
        category: series.category.clone(),
    }
}

fn response(horizon: u32, found: &Forecast, (sales, accounting): (i64, i64)) -> pb::ForecastResponse {
    let (history, ahead) = (&found.history_months, &found.forecast_months);
    let all = |list: &[Series]| list.iter().map(|s| series_to_proto(s, history, ahead)).collect();
    let month = |m: Option<&NaiveDate>| m.map(|m| month_text(*m)).unwrap_or_default();
    pb::ForecastResponse {
        horizon: i32::try_from(horizon).unwrap_or(i32::MAX),
        history_from: month(history.first()),
        history_to: month(history.last()),
        forecast_from: month(ahead.first()),
        total: Some(series_to_proto(&found.total, history, ahead)),
        by_office: all(&found.by_office),
        by_category: all(&found.by_category),
        by_product: all(&found.by_product),
        sales_position: sales,
        accounting_position: accounting,
        ..pb::ForecastResponse::default()
    }
}
