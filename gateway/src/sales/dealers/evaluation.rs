//! How an evaluation reads on the wire: the decided tier, the figures it used, every condition
//! checked with its numbers, and the gaps to the next tier.

use atq_proto::sales::v1 as pb;
use serde::Serialize;
use utoipa::ToSchema;

use crate::wire::{date_text, day_text, rfc3339};

#[derive(Serialize, ToSchema)]
pub struct TierCheckBody {
    /// distributor, tier1 or tier2
    pub tier: String,
    /// avg_lab_sales, growth_bp, big_brand_share_bp, staff or shops
    pub condition: String,
    pub actual: i64,
    pub required: i64,
    pub passed: bool,
    /// How much is missing; 0 when passed
    pub shortfall: i64,
}

impl From<pb::TierCheck> for TierCheckBody {
    fn from(c: pb::TierCheck) -> Self {
        TierCheckBody {
            tier: c.tier,
            condition: c.condition,
            actual: c.actual,
            required: c.required,
            passed: c.passed,
            shortfall: c.shortfall,
        }
    }
}

/// The figures a tier was decided on.
#[derive(Serialize, ToSchema)]
pub struct FiguresBody {
    /// Average yearly lab-equipment sales of the two years, VND
    pub avg_lab_sales: i64,
    /// Growth of lab-equipment sales from the first year to the second, basis points
    pub growth_bp: i64,
    /// Share of revenue from big brands in the latest year, basis points
    pub big_brand_share_bp: i64,
    pub staff: i64,
    pub shops: i64,
}

/// Named apart in the OpenAPI document: another route's body has the same Rust name.
#[derive(Serialize, ToSchema)]
#[schema(as = DealerEvaluationBody)]
pub struct EvaluationBody {
    pub id: i64,
    pub rule_version_id: i64,
    pub rule_version_name: String,
    /// YYYY-MM-DD: the day whose rule version was used
    pub evaluated_on: String,
    /// distributor, tier1, tier2 or not_eligible
    pub decided_tier: String,
    pub figures: FiguresBody,
    /// Every condition of every tier, highest tier first
    pub checks: Vec<TierCheckBody>,
    /// The tier above the decided one; null for a distributor
    pub next_tier: Option<String>,
    /// The failed conditions of next_tier, with what is missing
    pub gaps: Vec<TierCheckBody>,
    pub evaluated_by: String,
    pub evaluated_at: String,
}

impl From<pb::TierEvaluation> for EvaluationBody {
    fn from(e: pb::TierEvaluation) -> Self {
        EvaluationBody {
            id: e.id,
            rule_version_id: e.rule_version_id,
            rule_version_name: e.rule_version_name,
            evaluated_on: day_text(e.evaluated_on.as_ref()),
            decided_tier: e.decided_tier,
            figures: FiguresBody {
                avg_lab_sales: e.avg_lab_sales,
                growth_bp: e.growth_bp,
                big_brand_share_bp: e.big_brand_share_bp,
                staff: e.staff,
                shops: e.shops,
            },
            checks: e.checks.into_iter().map(TierCheckBody::from).collect(),
            next_tier: (!e.next_tier.is_empty()).then_some(e.next_tier),
            gaps: e.gaps.into_iter().map(TierCheckBody::from).collect(),
            evaluated_by: e.evaluated_by,
            evaluated_at: rfc3339(e.evaluated_at.as_ref()),
        }
    }
}

/// One change of a customer's tier.
#[derive(Serialize, ToSchema)]
pub struct TierChangeBody {
    pub id: i64,
    /// distributor, tier1, tier2, or not_eligible when a re-evaluation took the tier away
    pub tier: String,
    /// YYYY-MM-DD
    pub from_date: Option<String>,
    pub application_id: Option<i64>,
    pub re_evaluation_id: Option<i64>,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: String,
}

impl From<pb::TierChange> for TierChangeBody {
    fn from(c: pb::TierChange) -> Self {
        TierChangeBody {
            id: c.id,
            tier: c.tier,
            from_date: date_text(c.from_date.as_ref()),
            application_id: (c.application_id > 0).then_some(c.application_id),
            re_evaluation_id: (c.re_evaluation_id > 0).then_some(c.re_evaluation_id),
            reason: c.reason,
            decided_by: c.decided_by,
            decided_at: rfc3339(c.decided_at.as_ref()),
        }
    }
}
