//! `/api/v1/holidays`: the public holidays SLA clocks skip, a year at a time. Tết and Giỗ Tổ
//! follow the lunar calendar, so an administrator or director enters each year's dates when the
//! government announces them; a new list moves the due times of every open request.

use atq_platform::business_time::{local_date, now_micros};
use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::requests::client;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::BadRequest;
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{date_text, optional_date};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_holidays)).routes(routes!(replace_holidays))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct HolidayBody {
    /// YYYY-MM-DD, within the year
    pub date: String,
    pub name_vi: String,
    /// The Vietnamese name when empty
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct HolidayYearBody {
    pub year: i32,
    /// Whether Saturday 08:00-12:00 is working time for SLA clocks.
    pub saturday_morning: bool,
    pub holidays: Vec<HolidayBody>,
}

impl From<pb::HolidayYear> for HolidayYearBody {
    fn from(y: pb::HolidayYear) -> Self {
        HolidayYearBody {
            year: y.year,
            saturday_morning: y.saturday_morning,
            holidays: y
                .holidays
                .into_iter()
                .map(|h| HolidayBody {
                    date: date_text(h.date.as_ref()).unwrap_or_default(),
                    name_vi: h.name_vi,
                    name_en: h.name_en,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct HolidayQuery {
    /// The year, 1990 to 2100; this year when absent
    pub year: Option<String>,
}

/// The public holidays of a year.
#[utoipa::path(get, path = "/api/v1/holidays", tag = "requests", params(HolidayQuery),
    responses((status = 200, body = HolidayYearBody), BadRequest))]
pub async fn list_holidays(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<HolidayQuery>,
) -> Result<Json<HolidayYearBody>, Problem> {
    caller.require(Action::ReadCustomers)?;
    let year = match query.year.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => local_date(now_micros()).year(),
        Some(text) => text.parse().map_err(|_| Problem::field("year", "must be from 1990 to 2100"))?,
    };
    let ctx = CallContext::read(&state, &caller);
    let message = pb::ListHolidaysRequest { year };
    let found = ctx.call(&client(&state)?, message, |mut c, r| async move { c.list_holidays(r).await }).await?;
    Ok(Json(found.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ReplaceHolidaysBody {
    /// The year's whole list (at most 60 days)
    pub holidays: Vec<HolidayBody>,
}

/// Replace a year's public holidays (administrators and directors).
#[utoipa::path(put, path = "/api/v1/holidays/{year}", tag = "requests", request_body = ReplaceHolidaysBody,
    params(("year" = i32, Path, minimum = 1990, maximum = 2100)),
    responses((status = 200, body = HolidayYearBody), BadRequest))]
pub async fn replace_holidays(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(year): Path<i32>,
    headers: axum::http::HeaderMap,
    JsonBody(body): JsonBody<ReplaceHolidaysBody>,
) -> Result<Json<HolidayYearBody>, Problem> {
    caller.require(Action::WriteCalendars)?;
    let mut v = Violations::new();
    let holidays = body
        .holidays
        .into_iter()
        .enumerate()
        .map(|(i, h)| pb::PublicHoliday {
            date: optional_date(&mut v, &format!("holidays[{i}].date"), Some(&h.date)),
            name_vi: h.name_vi,
            name_en: h.name_en,
        })
        .collect();
    v.finish()?;
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let replaced = ctx
        .call(&client(&state)?, pb::ReplaceHolidaysRequest { year, holidays }, |mut c, r| async move {
            c.replace_holidays(r).await
        })
        .await?;
    Ok(Json(replaced.into()))
}
