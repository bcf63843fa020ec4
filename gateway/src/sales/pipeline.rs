//! `GET /api/v1/reports/pipeline`: the opportunities' worth by stage, and each salesperson's and
//! office's forecast. Sales staff see their own office's.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::BadRequest;
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{office_from_text, optional_date};

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PipelineQuery {
    /// HN, HCM or DL
    pub office: Option<String>,
    /// A salesperson's username
    pub owner: Option<String>,
    /// YYYY-MM-DD, on the close date: the day won or lost, else the expected one
    pub close_from: Option<String>,
    pub close_to: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StageFiguresBody {
    pub stage: String,
    pub count: i64,
    /// VND
    pub value: i64,
    /// Sum of value × probability / 100, each rounded half up
    pub weighted_value: i64,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ForecastBody {
    /// The salesperson's username, or the office code
    pub key: String,
    pub open_count: i64,
    pub open_value: i64,
    pub weighted_forecast: i64,
    pub won_count: i64,
    pub won_value: i64,
    pub lost_count: i64,
    /// won / (won + lost) in basis points (6667 = 66.67%), rounded half up; 0 when none closed
    pub win_rate_bp: i32,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct PipelineBody {
    /// Every stage, in order, also when empty
    pub stages: Vec<StageFiguresBody>,
    pub owners: Vec<ForecastBody>,
    pub offices: Vec<ForecastBody>,
}

fn forecast(f: pb::ForecastFigures) -> ForecastBody {
    ForecastBody {
        key: f.key,
        open_count: f.open_count,
        open_value: f.open_value,
        weighted_forecast: f.weighted_forecast,
        won_count: f.won_count,
        won_value: f.won_value,
        lost_count: f.lost_count,
        win_rate_bp: f.win_rate_bp,
    }
}

/// The pipeline: by stage, by salesperson, by office.
#[utoipa::path(get, path = "/api/v1/reports/pipeline", tag = "opportunities", params(PipelineQuery),
    responses((status = 200, body = PipelineBody), BadRequest))]
pub async fn pipeline(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PipelineQuery>,
) -> Result<axum::Json<PipelineBody>, Problem> {
    caller.require(Action::WriteCustomers)?;
    let mut v = Violations::new();
    let close_from = optional_date(&mut v, "close_from", query.close_from.as_deref());
    let close_to = optional_date(&mut v, "close_to", query.close_to.as_deref());
    v.finish()?;
    let message = pb::PipelineRequest {
        office: query.office.as_deref().map(office_from_text).unwrap_or(0),
        owner: query.owner.unwrap_or_default(),
        close_from,
        close_to,
    };
    let ctx = CallContext::read(&state, &caller);
    let report = ctx.call(&state.opportunities, message, |mut c, r| async move { c.pipeline(r).await }).await?;
    Ok(axum::Json(PipelineBody {
        stages: report
            .stages
            .into_iter()
            .map(|s| StageFiguresBody {
                stage: s.stage,
                count: s.count,
                value: s.value,
                weighted_value: s.weighted_value,
            })
            .collect(),
        owners: report.owners.into_iter().map(forecast).collect(),
        offices: report.offices.into_iter().map(forecast).collect(),
    }))
}
