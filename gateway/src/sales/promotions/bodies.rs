//! The JSON shapes of `/api/v1/promotions`.

use atq_proto::sales::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::wire::rfc3339;
use crate::wire::{rate_bp_from_text, rate_text};

/// What a programme gives; the numbers a kind does not use are 0 (or "0.00").
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct RuleBody {
    /// percent_off, amount_off, buy_x_get_y, gift or order_threshold
    #[schema(required = true, min_length = 1)]
    pub kind: String,
    /// percent_off, or order_threshold taking a share off: "0.05" = 5%, above 0 and below 1
    pub percent: String,
    /// amount_off: VND off each unit; order_threshold taking an amount off: VND off the order
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub amount: i64,
    /// buy_x_get_y: every this many units bought...
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub buy_quantity: i64,
    /// ...give this many free; gift: units given per document
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub free_quantity: i64,
    /// buy_x_get_y: the product given (0: the one bought); gift: the product given
    #[schema(minimum = 0)]
    pub free_product_id: i64,
    /// order_threshold and gift: the net (VND, before promotions) the covered lines must reach
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub min_order_net: i64,
}

impl From<pb::PromotionRule> for RuleBody {
    fn from(r: pb::PromotionRule) -> Self {
        RuleBody {
            kind: r.kind,
            percent: rate_text(r.percent_bp),
            amount: r.amount,
            buy_quantity: r.buy_quantity,
            free_quantity: r.free_quantity,
            free_product_id: r.free_product_id,
            min_order_net: r.min_order_net,
        }
    }
}

impl RuleBody {
    fn into_proto(self) -> pb::PromotionRule {
        let percent = self.percent.trim();
        pb::PromotionRule {
            percent_bp: if percent.is_empty() { 0 } else { rate_bp_from_text(percent) },
            kind: self.kind,
            amount: self.amount,
            buy_quantity: self.buy_quantity,
            free_quantity: self.free_quantity,
            free_product_id: self.free_product_id,
            min_order_net: self.min_order_net,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PromotionBody {
    pub id: i64,
    /// "KM-TET-2027"
    pub code: String,
    pub name: String,
    /// YYYY-MM-DD, both included
    pub starts_on: String,
    pub ends_on: String,
    /// HN, HCM, DL; empty: every office
    pub offices: Vec<String>,
    /// individual, dealer, project; with tiers, a customer in either is covered; both empty: all
    pub customer_groups: Vec<String>,
    /// distributor, tier1, tier2
    pub tiers: Vec<String>,
    /// Products covered, or products of these categories; both empty: every product
    pub product_ids: Vec<i64>,
    pub categories: Vec<String>,
    pub rule: RuleBody,
    /// false: never combined with another programme on a line; the line takes whichever is worth
    /// more, this one alone or the stackable ones together
    pub stackable: bool,
    /// draft, active or ended
    pub status: String,
    pub note: String,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::Promotion> for PromotionBody {
    fn from(p: pb::Promotion) -> Self {
        PromotionBody {
            created_at: rfc3339(p.created_at.as_ref()),
            updated_at: rfc3339(p.updated_at.as_ref()),
            rule: RuleBody::from(p.rule.unwrap_or_default()),
            id: p.id,
            code: p.code,
            name: p.name,
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            offices: p.offices,
            customer_groups: p.customer_groups,
            tiers: p.tiers,
            product_ids: p.product_ids,
            categories: p.categories,
            stackable: p.stackable,
            status: p.status,
            note: p.note,
            created_by: p.created_by,
            version: p.version,
        }
    }
}

/// A programme as typed; a draft is replaced whole by the same shape.
#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PromotionFieldsBody {
    /// 2 to 30 letters, digits or dashes, unique
    #[schema(required = true, min_length = 2, max_length = 30)]
    pub code: String,
    #[schema(required = true, min_length = 1, max_length = 120)]
    pub name: String,
    /// YYYY-MM-DD
    #[schema(required = true)]
    pub starts_on: String,
    /// YYYY-MM-DD, on or after starts_on, within two years of it
    #[schema(required = true)]
    pub ends_on: String,
    /// HN, HCM, DL; empty: every office (sales managers: their own office only)
    #[schema(max_items = 3)]
    pub offices: Vec<String>,
    #[schema(max_items = 3)]
    pub customer_groups: Vec<String>,
    #[schema(max_items = 3)]
    pub tiers: Vec<String>,
    #[schema(max_items = 200)]
    pub product_ids: Vec<i64>,
    /// The catalog's category words: physics, chemistry, biology, electrical,
    /// electronics_telecom, it, automation, environment
    #[schema(max_items = 8)]
    pub categories: Vec<String>,
    #[schema(required = true)]
    pub rule: RuleBody,
    pub stackable: bool,
    #[schema(max_length = 2000)]
    pub note: String,
    /// For a replace: the version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

impl PromotionFieldsBody {
    pub fn into_proto(self) -> pb::PromotionFields {
        pb::PromotionFields {
            code: self.code,
            name: self.name,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            offices: self.offices,
            customer_groups: self.customer_groups,
            tiers: self.tiers,
            product_ids: self.product_ids,
            categories: self.categories,
            rule: Some(self.rule.into_proto()),
            stackable: self.stackable,
            note: self.note,
        }
    }
}

/// One programme's figures at one office over confirmed orders (not cancelled).
#[derive(Serialize, ToSchema)]
pub struct PromotionReportRowBody {
    pub promotion_id: i64,
    pub code: String,
    pub name: String,
    pub office: String,
    pub orders: i64,
    /// Net (after every discount) of the lines the programme touched, VND
    pub revenue: i64,
    /// What it took off those lines, VND
    pub discount: i64,
    /// The free and gift goods it gave, at their price, VND
    pub gift_value: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PromotionReportBody {
    /// YYYY-MM-DD: orders made on these days, both included
    pub from: String,
    pub to: String,
    pub rows: Vec<PromotionReportRowBody>,
}

impl From<pb::PromotionReport> for PromotionReportBody {
    fn from(r: pb::PromotionReport) -> Self {
        let rows = r
            .rows
            .into_iter()
            .map(|row| PromotionReportRowBody {
                promotion_id: row.promotion_id,
                code: row.code,
                name: row.name,
                office: row.office,
                orders: row.orders,
                revenue: row.revenue,
                discount: row.discount,
                gift_value: row.gift_value,
            })
            .collect();
        PromotionReportBody { from: r.from, to: r.to, rows }
    }
}
