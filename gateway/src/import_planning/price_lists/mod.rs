//! `/api/v1/price-lists`: the price quote sheet (bảng báo giá) — selling prices per product and
//! customer group, drafted from costs, compared with the published version, published; the
//! current sheet for everyone (sales quote from it), costs and margins only for those who may
//! read costs.

mod changes;
mod drafts;
mod sheet;

use std::collections::BTreeMap;

use atq_proto::importplanning::v1 as pb;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;
use crate::wire::{day_text, rate_text, record_response, rfc3339};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(drafts::create_price_list, drafts::list_price_lists))
        .routes(routes!(sheet::current_price_list))
        .routes(routes!(drafts::get_price_list))
        .routes(routes!(changes::price_list_changes))
        .routes(routes!(drafts::publish_price_list))
}

/// "0.35" -> 3500, "1.5" -> 15000, "-0.1" -> -1000 (the service refuses it as negative).
fn margin_bp_from_text(text: &str) -> Result<i32, String> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 4 || !plain(whole) || fraction.len() > 4 || !plain(fraction) {
        return Err("must be a decimal fraction with up to 4 places, such as \"0.25\"".into());
    }
    let whole: i32 = whole.parse().map_err(|_| "is too large".to_owned())?;
    let fraction: i32 = format!("{fraction:0<4}").parse().unwrap_or_default();
    let bp = whole.saturating_mul(10_000).saturating_add(fraction);
    Ok(if negative { -bp } else { bp })
}

/// 3500 -> "0.35", 15000 -> "1.50".
fn margin_text(bp: i32) -> String {
    let (whole, fraction) = (bp / 10_000, bp % 10_000);
    let whole_text = rate_text(fraction);
    format!("{whole}{}", whole_text.trim_start_matches('0'))
}

/// A change as a fraction x 10,000 -> ("0.1018", "10.18").
fn change_texts(e4: i64) -> (String, String) {
    let sign = if e4 < 0 { "-" } else { "" };
    let abs = e4.unsigned_abs();
    (format!("{sign}{}.{:04}", abs / 10_000, abs % 10_000), format!("{sign}{}.{:02}", abs / 100, abs % 100))
}

#[derive(Serialize, ToSchema)]
pub struct PriceLineBody {
    pub product_id: i64,
    pub model_code: String,
    pub name_vi: String,
    pub brand: String,
    pub category: String,
    pub unit: String,
    pub customer_group: String,
    /// VND per unit; absent for callers who may not read costs
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<i64>,
    /// given, average_cost or list_price
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_basis: Option<String>,
    /// "0.35" on top of cost
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margin: Option<String>,
    /// Without VAT, VND
    pub price_net: i64,
    pub vat_rate: String,
    /// With VAT, VND
    pub price_gross: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PriceListBody {
    pub id: i64,
    /// BBG-2026-001
    pub number: String,
    /// draft or published
    pub status: String,
    pub effective_on: String,
    /// The published version in force today
    pub current: bool,
    pub rounding_step: i64,
    /// Per customer group; absent for callers who may not read costs
    #[serde(skip_serializing_if = "Option::is_none")]
    pub margins: Option<BTreeMap<String, String>>,
    pub lines: Vec<PriceLineBody>,
    pub created_by: String,
    pub created_at: String,
    pub published_by: Option<String>,
    pub published_at: Option<String>,
    pub version: i64,
    pub updated_at: String,
}

impl From<pb::PriceList> for PriceListBody {
    fn from(l: pb::PriceList) -> Self {
        let shown = l.costs_shown;
        PriceListBody {
            id: l.id,
            number: l.number,
            status: l.status,
            effective_on: day_text(l.effective_on.as_ref()),
            current: l.current,
            rounding_step: l.rounding_step,
            margins: shown
                .then(|| l.margins.into_iter().map(|m| (m.customer_group, margin_text(m.margin_bp))).collect()),
            lines: l
                .lines
                .into_iter()
                .map(|x| PriceLineBody {
                    product_id: x.product_id,
                    model_code: x.model_code,
                    name_vi: x.name_vi,
                    brand: x.brand,
                    category: x.category,
                    unit: x.unit,
                    customer_group: x.customer_group,
                    unit_cost: shown.then_some(x.unit_cost),
                    cost_basis: shown.then_some(x.cost_basis),
                    margin: shown.then(|| margin_text(x.margin_bp)),
                    price_net: x.price_net,
                    vat_rate: rate_text(x.vat_rate_bp),
                    price_gross: x.price_gross,
                })
                .collect(),
            created_by: l.created_by,
            created_at: rfc3339(l.created_at.as_ref()),
            published_by: (!l.published_by.is_empty()).then_some(l.published_by),
            published_at: l.published_at.as_ref().map(|t| rfc3339(Some(t))),
            version: l.version,
            updated_at: rfc3339(l.updated_at.as_ref()),
        }
    }
}

fn list_response(status: StatusCode, list: pb::PriceList) -> Response {
    let (id, version) = (list.id, list.version);
    record_response(status, PriceListBody::from(list), version, &format!("/api/v1/price-lists/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_travel_as_decimal_text() {
        assert_eq!(margin_bp_from_text("0.35"), Ok(3500));
        assert_eq!(margin_bp_from_text("1.5"), Ok(15_000));
        assert_eq!(margin_bp_from_text("-0.1"), Ok(-1000));
        assert_eq!(margin_bp_from_text("0"), Ok(0));
        assert!(margin_bp_from_text("abc").is_err());
        assert!(margin_bp_from_text("0.12345").is_err());
        assert_eq!(margin_text(3500), "0.35");
        assert_eq!(margin_text(2000), "0.20");
        assert_eq!(margin_text(15_000), "1.50");
        assert_eq!(margin_text(1234), "0.1234");
        assert_eq!(change_texts(1018), ("0.1018".to_owned(), "10.18".to_owned()));
        assert_eq!(change_texts(-924), ("-0.0924".to_owned(), "-9.24".to_owned()));
    }
}
