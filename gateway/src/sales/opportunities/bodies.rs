//! The opportunities' JSON bodies as served, and the products of interest as sent.

use atq_proto::sales::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::wire::{date_text, day_text, enum_text, office_text, rfc3339};

#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct OpportunityProductBody {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    /// Filled from the catalog
    pub model_code: String,
    pub product_name: String,
    /// 1 when absent
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct OpportunityBody {
    pub id: i64,
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_group: String,
    /// The customer's office: HN, HCM or DL
    pub office: String,
    pub title: String,
    /// prospecting, qualified, proposal, negotiation, won, lost
    pub stage: String,
    /// VND
    pub expected_value: i64,
    /// YYYY-MM-DD
    pub expected_close_on: String,
    /// Percent, 0 to 100
    pub probability: i32,
    /// expected_value × probability / 100, rounded half up
    pub weighted_value: i64,
    pub owner: String,
    /// price, competitor, budget, timing, no_decision, other (lost only)
    pub lost_reason: Option<String>,
    pub competitor: Option<String>,
    /// YYYY-MM-DD, when won or lost
    pub closed_on: Option<String>,
    pub products: Vec<OpportunityProductBody>,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn weighted(value: i64, probability: i32) -> i64 {
    let scaled = i128::from(value) * i128::from(probability);
    i64::try_from((scaled + 50) / 100).unwrap_or(i64::MAX)
}

impl From<pb::Opportunity> for OpportunityBody {
    fn from(o: pb::Opportunity) -> Self {
        let some = |text: String| (!text.is_empty()).then_some(text);
        OpportunityBody {
            id: o.id,
            customer_id: o.customer_id,
            customer_code: o.customer_code,
            customer_name: o.customer_name,
            customer_group: enum_text::<pb::CustomerGroup>(o.customer_group),
            office: office_text(o.office),
            title: o.title,
            stage: o.stage,
            weighted_value: weighted(o.expected_value, o.probability),
            expected_value: o.expected_value,
            expected_close_on: day_text(o.expected_close_on.as_ref()),
            probability: o.probability,
            owner: o.owner,
            lost_reason: some(o.lost_reason),
            competitor: some(o.competitor),
            closed_on: date_text(o.closed_on.as_ref()),
            products: o
                .products
                .into_iter()
                .map(|p| OpportunityProductBody {
                    product_id: p.product_id,
                    model_code: p.model_code,
                    product_name: p.product_name,
                    quantity: p.quantity,
                    note: p.note,
                })
                .collect(),
            created_by: o.created_by,
            version: o.version,
            created_at: rfc3339(o.created_at.as_ref()),
            updated_at: rfc3339(o.updated_at.as_ref()),
        }
    }
}

/// The products of interest as the service takes them.
pub fn product_inputs(items: Vec<OpportunityProductBody>) -> Vec<pb::OpportunityProductInput> {
    items
        .into_iter()
        .map(|p| pb::OpportunityProductInput { product_id: p.product_id, quantity: p.quantity, note: p.note })
        .collect()
}

#[derive(Serialize, ToSchema)]
pub struct StageChangeBody {
    /// Absent for the opening entry
    pub from_stage: Option<String>,
    pub to_stage: String,
    pub changed_by: String,
    pub changed_at: String,
    pub note: String,
}

impl From<pb::StageChange> for StageChangeBody {
    fn from(c: pb::StageChange) -> Self {
        StageChangeBody {
            from_stage: (!c.from_stage.is_empty()).then_some(c.from_stage),
            to_stage: c.to_stage,
            changed_by: c.changed_by,
            changed_at: rfc3339(c.changed_at.as_ref()),
            note: c.note,
        }
    }
}
