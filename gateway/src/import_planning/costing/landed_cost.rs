//! A landed-cost preview: what imported goods cost once freight, duty and charges are shared out.

use atq_platform::caller::Action;
use atq_platform::currency::rate_e4_text;
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{day_text, optional_date, rate_bp_from_text, rate_text};

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LandedLineIn {
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
    /// Per unit in the shipment currency's minor unit (cents, yen)
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub unit_price: i64,
    #[schema(minimum = 0, maximum = 1_000_000_000_i64)]
    pub unit_weight_grams: i64,
    /// "0.05"; from the HS code when absent
    pub duty_rate: Option<String>,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ChargeIn {
    /// freight, insurance, customs_fee, handling, domestic_transport, other
    #[schema(required = true, min_length = 1)]
    pub kind: String,
    /// In the charge currency's minor unit
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub amount: i64,
    #[schema(required = true, min_length = 1)]
    pub currency: String,
    /// value (default), quantity or weight
    pub allocation: String,
}

impl From<ChargeIn> for pb::LandedCostCharge {
    fn from(c: ChargeIn) -> Self {
        pb::LandedCostCharge { kind: c.kind, amount: c.amount, currency: c.currency, allocation: c.allocation }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct LandedCostIn {
    pub supplier_id: i64,
    /// The goods' currency; the supplier's when absent
    pub currency: String,
    /// YYYY-MM-DD: rates in force that day are used (today when absent)
    pub rate_date: Option<String>,
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub lines: Vec<LandedLineIn>,
    pub charges: Vec<ChargeIn>,
}

#[derive(Serialize, ToSchema)]
pub struct RateUsedBody {
    pub currency: String,
    pub rate: String,
    pub effective_on: String,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChargeShareBody {
    pub kind: String,
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LandedLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub hs_code: String,
    pub quantity: i64,
    /// VND from here on
    pub goods_value: i64,
    pub charges: Vec<ChargeShareBody>,
    /// Goods + freight + insurance (CIF): what duty is levied on
    pub customs_value: i64,
    pub duty_rate: String,
    pub import_duty: i64,
    pub landed_total: i64,
    pub landed_unit_cost: i64,
    pub import_vat_rate: String,
    /// Paid at the border and deducted later: not part of the cost
    pub import_vat: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ChargeBody {
    pub kind: String,
    pub amount: i64,
    pub currency: String,
    pub allocation: String,
    /// The lines' shares sum to exactly this
    pub amount_vnd: i64,
}

#[derive(Serialize, ToSchema)]
pub struct LandedCostBody {
    pub currency: String,
    pub rate_date: String,
    /// Every conversion says which rate and date it used
    pub rates: Vec<RateUsedBody>,
    pub lines: Vec<LandedLineBody>,
    pub charges: Vec<ChargeBody>,
    pub total_goods: i64,
    pub total_charges: i64,
    pub total_duty: i64,
    pub total_landed: i64,
    pub total_import_vat: i64,
}

impl From<LandedLineIn> for pb::LandedCostLine {
    fn from(l: LandedLineIn) -> Self {
        pb::LandedCostLine {
            product_id: l.product_id,
            quantity: l.quantity,
            unit_price: l.unit_price,
            unit_weight_grams: l.unit_weight_grams,
            duty_rate_bp: l.duty_rate.as_deref().map(rate_bp_from_text),
        }
    }
}

impl From<pb::LandedCostLineResult> for LandedLineBody {
    fn from(l: pb::LandedCostLineResult) -> Self {
        LandedLineBody {
            line_no: l.line_no,
            product_id: l.product_id,
            model_code: l.model_code,
            hs_code: l.hs_code,
            quantity: l.quantity,
            goods_value: l.goods_value,
            charges: l.charges.into_iter().map(|c| ChargeShareBody { kind: c.kind, amount: c.amount }).collect(),
            customs_value: l.customs_value,
            duty_rate: rate_text(l.duty_rate_bp),
            import_duty: l.import_duty,
            landed_total: l.landed_total,
            landed_unit_cost: l.landed_unit_cost,
            import_vat_rate: rate_text(l.import_vat_rate_bp),
            import_vat: l.import_vat,
        }
    }
}

impl From<pb::LandedCostResult> for LandedCostBody {
    fn from(r: pb::LandedCostResult) -> Self {
        LandedCostBody {
            currency: r.currency,
            rate_date: day_text(r.rate_date.as_ref()),
            rates: r
                .rates
                .into_iter()
                .map(|u| RateUsedBody {
                    currency: u.currency,
                    rate: rate_e4_text(u.rate_e4),
                    effective_on: day_text(u.effective_on.as_ref()),
                    source: u.source,
                })
                .collect(),
            lines: r.lines.into_iter().map(LandedLineBody::from).collect(),
            charges: r
                .charges
                .into_iter()
                .map(|c| ChargeBody {
                    kind: c.kind,
                    amount: c.amount,
                    currency: c.currency,
                    allocation: c.allocation,
                    amount_vnd: c.amount_vnd,
                })
                .collect(),
            total_goods: r.total_goods,
            total_charges: r.total_charges,
            total_duty: r.total_duty,
            total_landed: r.total_landed,
            total_import_vat: r.total_import_vat,
        }
    }
}

/// Compute the landed unit cost in VND per line of a shipment, without changing anything: goods
/// in the supplier's currency, each charge in its own currency split by value, quantity or weight
/// (shares sum exactly), duty by HS code on the customs value, import VAT shown apart.
#[utoipa::path(post, path = "/api/v1/landed-costs/preview", tag = "import costing", request_body = LandedCostIn,
    responses((status = 200, body = LandedCostBody), BadRequest, Forbidden))]
pub async fn preview_landed_cost(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    JsonBody(body): JsonBody<LandedCostIn>,
) -> Result<(StatusCode, axum::Json<LandedCostBody>), Problem> {
    caller.require(Action::ReadCosts)?;
    let mut v = Violations::new();
    let rate_date = optional_date(&mut v, "rate_date", body.rate_date.as_deref());
    v.finish()?;
    let message = pb::LandedCostRequest {
        supplier_id: body.supplier_id,
        currency: body.currency,
        rate_date,
        lines: body.lines.into_iter().map(pb::LandedCostLine::from).collect(),
        charges: body.charges.into_iter().map(pb::LandedCostCharge::from).collect(),
    };
    let ctx = CallContext::read(&state, &caller);
    let result = ctx.call(&state.costing, message, |mut c, r| async move { c.preview_landed_cost(r).await }).await?;
    Ok((StatusCode::OK, axum::Json(LandedCostBody::from(result))))
}
