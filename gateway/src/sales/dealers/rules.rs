//! `/api/v1/dealer-tier-rules`: versions of the tier decision table. A version is never edited;
//! directors add a new one with the date it starts.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dealers;
use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Conflict, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, day_text, optional_date, record_response, rfc3339};

/// One row of the decision table: every threshold must hold for the tier.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct TierRuleBody {
    /// distributor, tier1 or tier2
    pub tier: String,
    /// Average yearly lab-equipment sales of the two years, VND
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub min_avg_lab_sales: i64,
    /// Growth of lab-equipment sales between the two years, basis points (-10000 to 100000)
    #[schema(minimum = -10_000, maximum = 100_000)]
    pub min_growth_bp: i64,
    /// Share of revenue from big brands, basis points
    #[schema(minimum = 0, maximum = 10_000)]
    pub min_big_brand_share_bp: i64,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub min_staff: i64,
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub min_shops: i64,
}

impl From<pb::TierRule> for TierRuleBody {
    fn from(r: pb::TierRule) -> Self {
        TierRuleBody {
            tier: r.tier,
            min_avg_lab_sales: r.min_avg_lab_sales,
            min_growth_bp: r.min_growth_bp,
            min_big_brand_share_bp: r.min_big_brand_share_bp,
            min_staff: r.min_staff,
            min_shops: r.min_shops,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RuleVersionBody {
    pub id: i64,
    pub name: String,
    /// YYYY-MM-DD: in force from this day until a later version starts
    pub effective_from: String,
    /// Highest tier first; the first tier whose every threshold holds wins
    pub rules: Vec<TierRuleBody>,
    pub created_by: String,
    pub created_at: String,
}

impl From<pb::TierRuleVersion> for RuleVersionBody {
    fn from(v: pb::TierRuleVersion) -> Self {
        RuleVersionBody {
            id: v.id,
            name: v.name,
            effective_from: day_text(v.effective_from.as_ref()),
            rules: v.rules.into_iter().map(TierRuleBody::from).collect(),
            created_by: v.created_by,
            created_at: rfc3339(v.created_at.as_ref()),
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateRuleVersionBody {
    pub name: String,
    /// YYYY-MM-DD, today or later: a new version never changes the past
    pub effective_from: String,
    /// One row for each of distributor, tier1 and tier2
    pub rules: Vec<TierRuleBody>,
}

/// Add a rule version (directors). Another version starting the same day is 409.
#[utoipa::path(post, path = "/api/v1/dealer-tier-rules", tag = "customers", request_body = CreateRuleVersionBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes a retry safe")),
    responses((status = 201, body = RuleVersionBody), BadRequest, Forbidden, Conflict))]
pub async fn create_rule_version(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateRuleVersionBody>,
) -> Result<Response, Problem> {
    caller.require(Action::DecideDealers)?;
    let mut v = Violations::new();
    if body.effective_from.trim().is_empty() {
        v.add("effective_from", "is required");
    }
    let effective_from = optional_date(&mut v, "effective_from", Some(&body.effective_from));
    v.finish()?;
    let rules = body
        .rules
        .into_iter()
        .map(|r| pb::TierRule {
            tier: r.tier,
            min_avg_lab_sales: r.min_avg_lab_sales,
            min_growth_bp: r.min_growth_bp,
            min_big_brand_share_bp: r.min_big_brand_share_bp,
            min_staff: r.min_staff,
            min_shops: r.min_shops,
        })
        .collect();
    let message = pb::CreateTierRuleVersionRequest { name: body.name, effective_from, rules };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let created =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.create_tier_rule_version(r).await }).await?;
    let location = format!("/api/v1/dealer-tier-rules/{}", created.id);
    Ok(record_response(StatusCode::CREATED, RuleVersionBody::from(created), 1, &location))
}

/// Every rule version, the latest start first.
#[utoipa::path(get, path = "/api/v1/dealer-tier-rules", tag = "customers",
    responses((status = 200, body = ListBody<RuleVersionBody>), Forbidden))]
pub async fn list_rule_versions(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::ListTierRuleVersionsRequest {};
    let list =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.list_tier_rule_versions(r).await }).await?;
    let items = list.items.into_iter().map(RuleVersionBody::from).collect();
    // Few versions are ever made: one page holds them all.
    Ok(axum::Json(ListBody::new(items, String::new())).into_response())
}

/// One rule version with its decision table.
#[utoipa::path(get, path = "/api/v1/dealer-tier-rules/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = RuleVersionBody), Forbidden, NotFound))]
pub async fn get_rule_version(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::WriteCustomers)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetTierRuleVersionRequest { id };
    let version =
        ctx.call(&dealers(&state)?, message, |mut c, r| async move { c.get_tier_rule_version(r).await }).await?;
    Ok(axum::Json(RuleVersionBody::from(version)).into_response())
}
