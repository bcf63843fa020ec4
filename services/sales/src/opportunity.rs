//! Opportunities: a sale pursued with a customer through the stages prospecting, qualified,
//! proposal and negotiation to won or lost. Open stages move freely either way; a closed one is
//! reopened only by a manager or a director. Quotes and contracts move them too (see
//! [`propose_in`] and [`win_in`]), inside their own transaction.

use std::collections::HashMap;

use atq_platform::business_time::date_from_proto;
use atq_platform::limits;
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Caller, Db, Error, Role, Tx, idempotency, text_status};
use atq_proto::importplanning::v1::Product;
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::customer::parse_username;
use crate::customer_store::CustomerRow;
use crate::opportunity_store::{self, OpportunityRow};

mod stages;
pub use stages::{StageMove, change_stage, check_move, open_for, propose_in, win_in};

/// Products of interest one opportunity may list.
pub const MAX_PRODUCTS: usize = 50;

text_status! {
    Stage {
        Prospecting = "prospecting",
        Qualified = "qualified",
        Proposal = "proposal",
        Negotiation = "negotiation",
        Won = "won",
        Lost = "lost",
    }
}

text_status! {
    LostReason {
        Price = "price",
        Competitor = "competitor",
        Budget = "budget",
        Timing = "timing",
        NoDecision = "no_decision",
        Other = "other",
    }
}

impl Stage {
    pub const OPEN: [Stage; 4] = [Stage::Prospecting, Stage::Qualified, Stage::Proposal, Stage::Negotiation];

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Won | Stage::Lost)
    }

    /// The chance of winning a deal at this stage, in percent, unless someone judged otherwise.
    pub fn default_probability(self) -> i64 {
        match self {
            Stage::Prospecting => 10,
            Stage::Qualified => 25,
            Stage::Proposal => 50,
            Stage::Negotiation => 75,
            Stage::Won => 100,
            Stage::Lost => 0,
        }
    }
}

/// Reopening a decided deal changes the books of the pipeline: the managers' call.
pub fn may_reopen(role: Role) -> bool {
    matches!(role, Role::SalesManager | Role::Director | Role::Admin)
}

/// `value × probability / 100`, rounded half up to the đồng.
pub fn weighted(value: i64, probability: i64) -> i64 {
    let scaled = i128::from(value) * i128::from(probability);
    i64::try_from((scaled + 50) / 100).unwrap_or(i64::MAX)
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProduct {
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub quantity: i64,
    pub note: String,
}

#[derive(Clone, Debug)]
pub struct NewOpportunity {
    pub title: String,
    pub stage: Stage,
    pub expected_value: i64,
    pub expected_close_on: NaiveDate,
    pub probability: i64,
    pub owner: String,
    pub products: Vec<NewProduct>,
}

/// The editable fields after an update.
#[derive(Clone, Debug)]
pub struct OpportunityChange {
    pub title: String,
    pub expected_value: i64,
    pub expected_close_on: NaiveDate,
    pub probability: i64,
    pub owner: String,
    /// None: the products stay.
    pub products: Option<Vec<NewProduct>>,
}

/// The product ids a request names, to look up in the catalog.
pub fn product_ids(items: &[pb::OpportunityProductInput]) -> Vec<i64> {
    items.iter().map(|p| p.product_id).filter(|id| *id > 0).collect()
}

fn parse_products(
    v: &mut Violations,
    items: &[pb::OpportunityProductInput],
    catalog: &HashMap<i64, Product>,
) -> Vec<NewProduct> {
    if items.len() > MAX_PRODUCTS {
        v.add("products", format!("must be at most {MAX_PRODUCTS}"));
    }
    let mut products = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let quantity = if item.quantity == 0 { 1 } else { item.quantity };
        let quantity = v.check(&format!("products[{i}].quantity"), limits::quantity(quantity));
        let note = v.check(&format!("products[{i}].note"), optional_text(&item.note, 500));
        let Some(product) = catalog.get(&item.product_id) else {
            v.add(format!("products[{i}].product_id"), "no product in the catalog has this id");
            continue;
        };
        if let (Some(quantity), Some(note)) = (quantity, note) {
            products.push(NewProduct {
                product_id: product.id,
                model_code: product.model_code.clone(),
                product_name: product.name_vi.clone(),
                quantity,
                note,
            });
        }
    }
    products
}

fn parse_probability(v: &mut Violations, value: Option<i32>, stage: Stage) -> i64 {
    match value {
        None => stage.default_probability(),
        Some(_) if stage.is_closed() => {
            v.add("probability", "is fixed once the opportunity is won or lost");
            stage.default_probability()
        }
        Some(p) if (0..=100).contains(&p) => i64::from(p),
        Some(_) => {
            v.add("probability", "must be from 0 to 100");
            stage.default_probability()
        }
    }
}

fn parse_owner(v: &mut Violations, text: &str, caller: &Caller) -> String {
    if text.trim().is_empty() {
        return caller.username.clone();
    }
    v.check("owner", parse_username(text)).unwrap_or_default()
}

fn parse_close_date(v: &mut Violations, date: Option<&atq_proto::common::v1::LocalDate>) -> Option<NaiveDate> {
    match date {
        None => {
            v.add("expected_close_on", "is required");
            None
        }
        Some(date) => v.check("expected_close_on", date_from_proto(date)),
    }
}

impl NewOpportunity {
    pub fn parse(
        input: &pb::CreateOpportunityRequest,
        caller: &Caller,
        catalog: &HashMap<i64, Product>,
    ) -> Result<NewOpportunity, Error> {
        let mut v = Violations::new();
        if input.customer_id <= 0 {
            v.add("customer_id", "is required");
        }
        let title = v.check("title", required_text(&input.title, 300)).unwrap_or_default();
        let stage = match input.stage.trim() {
            "" => Stage::Prospecting,
            text => match Stage::parse(text).filter(|s| !s.is_closed()) {
                Some(stage) => stage,
                None => {
                    v.add("stage", format!("must be one of {}", Stage::ALL[..4].join(", ")));
                    Stage::Prospecting
                }
            },
        };
        let expected_value = v.check("expected_value", limits::amount(input.expected_value)).unwrap_or_default();
        let expected_close_on = parse_close_date(&mut v, input.expected_close_on.as_ref());
        let probability = parse_probability(&mut v, input.probability, stage);
        let owner = parse_owner(&mut v, &input.owner, caller);
        let products = parse_products(&mut v, &input.products, catalog);
        v.finish()?;
        let expected_close_on = expected_close_on.ok_or_else(|| Error::invalid("expected_close_on", "is required"))?;
        Ok(NewOpportunity { title, stage, expected_value, expected_close_on, probability, owner, products })
    }
}

/// The update applied to what was read, checked field by field.
pub fn change_of(
    row: &OpportunityRow,
    input: &pb::UpdateOpportunityRequest,
    caller: &Caller,
    catalog: &HashMap<i64, Product>,
) -> Result<OpportunityChange, Error> {
    let current = &row.proto;
    let mut v = Violations::new();
    let title = match &input.title {
        Some(text) => v.check("title", required_text(text, 300)).unwrap_or_default(),
        None => current.title.clone(),
    };
    let expected_value = match input.expected_value {
        Some(value) => v.check("expected_value", limits::amount(value)).unwrap_or_default(),
        None => current.expected_value,
    };
    let expected_close_on = match &input.expected_close_on {
        Some(date) => v.check("expected_close_on", date_from_proto(date)),
        None => Some(row.expected_close_on),
    };
    let probability = match input.probability {
        Some(_) => parse_probability(&mut v, input.probability, row.stage),
        None => i64::from(current.probability),
    };
    let owner = match &input.owner {
        Some(text) => parse_owner(&mut v, text, caller),
        None => current.owner.clone(),
    };
    let products = input.products.as_ref().map(|p| parse_products(&mut v, &p.items, catalog));
    v.finish()?;
    let expected_close_on = expected_close_on.unwrap_or(row.expected_close_on);
    Ok(OpportunityChange { title, expected_value, expected_close_on, probability, owner, products })
}

/// Writes the opportunity once per idempotency key (a retry gets the one made the first time).
pub async fn create(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CreateOpportunityRequest,
    new: NewOpportunity,
    customer: CustomerRow,
) -> Result<pb::Opportunity, Error> {
    let scope = format!("sales.CreateOpportunity:{}", caller.username);
    let (by, backend) = (caller.username.clone(), db.backend());
    let created = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (new, customer, by) = (new.clone(), customer.clone(), by.clone());
        Box::pin(async move {
            let id = opportunity_store::insert(tx, &new, &customer, &by).await?;
            let row =
                opportunity_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("opportunity {id}")))?;
            opportunity_store::record_stage(tx, backend, &row, None, &by, "").await?;
            Ok(row.proto)
        })
    })
    .await?;
    tracing::info!(opportunity = created.id, stage = %created.stage, "opportunity created");
    Ok(created)
}

/// Applies an update to the opportunity as it was read (refused if it changed meanwhile).
pub async fn update(db: &Db, row: &OpportunityRow, change: &OpportunityChange) -> Result<pb::Opportunity, Error> {
    let mut tx = db.begin().await?;
    opportunity_store::update(&mut tx, row, change).await?;
    let updated = found(&mut tx, row.id).await?;
    tx.commit().await?;
    Ok(updated.proto)
}

async fn found(tx: &mut Tx, id: i64) -> Result<OpportunityRow, Error> {
    opportunity_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("opportunity {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_values_round_half_up_per_opportunity() {
        assert_eq!(weighted(1_000_000, 25), 250_000);
        assert_eq!(weighted(333, 50), 167); // 166.5 -> 167
        assert_eq!(weighted(333, 10), 33); // 33.3 -> 33
        assert_eq!(weighted(limits::MAX_AMOUNT, 100), limits::MAX_AMOUNT);
    }

    #[test]
    fn probabilities_default_by_stage_and_are_fixed_when_closed() {
        let mut v = Violations::new();
        assert_eq!(parse_probability(&mut v, None, Stage::Proposal), 50);
        assert_eq!(parse_probability(&mut v, Some(60), Stage::Proposal), 60);
        assert!(v.is_empty());
        parse_probability(&mut v, Some(101), Stage::Qualified);
        parse_probability(&mut v, Some(90), Stage::Won);
        let Err(Error::Invalid(fields)) = v.finish() else { panic!("field errors") };
        assert_eq!(fields.len(), 2);
        assert!(may_reopen(Role::SalesManager) && may_reopen(Role::Director) && !may_reopen(Role::SalesRep));
    }
}
