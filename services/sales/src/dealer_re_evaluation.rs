//! Yearly re-evaluation of existing dealers: each dealer's confirmed orders of the year and the
//! year before, with its last declared brand mix, staff and shops, are evaluated with the rule
//! version in force; a tier different from the current one becomes a proposal (upgrade or
//! downgrade) that a director confirms into the tier history.

use atq_platform::business_time::{local_date, now_micros, start_of_local_day, to_timestamp};
use atq_platform::{Caller, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::dealer_decision::this_year;
use crate::dealer_re_evaluation_store::{self as store, NewProposal, ReEvaluationRow};
use crate::tier_rules::{self, DealerFigures, Tier};
use crate::tier_rules_store::{self, EvaluationSubject, TierDecision};

pub const STATUSES: &[&str] = &["proposed", "confirmed"];

/// Whether the proposal moves the dealer up or down.
pub fn direction(current: Tier, proposed: Option<Tier>) -> &'static str {
    if Tier::rank(proposed) > Tier::rank(Some(current)) { "upgrade" } else { "downgrade" }
}

fn start_of_year(year: i32) -> Result<i64, Error> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| Error::invalid("year", "must be a year"))?;
    Ok(start_of_local_day(first))
}

pub fn parse_year(year: i32) -> Result<i32, Error> {
    let latest = this_year();
    if (1991..=latest).contains(&year) {
        Ok(year)
    } else {
        Err(Error::invalid("year", format!("must be from 1991 to {latest}")))
    }
}

pub async fn answer(tx: &mut Tx, row: &ReEvaluationRow) -> Result<pb::ReEvaluation, Error> {
    let evaluation = tier_rules_store::find_evaluation(tx, row.evaluation_id).await?;
    Ok(pb::ReEvaluation {
        id: row.id,
        year: row.year,
        customer_id: row.customer_id,
        customer_name: row.customer_name.clone(),
        current_tier: row.current_tier.as_str().into(),
        proposed_tier: Tier::text_of(row.proposed_tier).into(),
        direction: direction(row.current_tier, row.proposed_tier).into(),
        status: row.status.clone(),
        evaluation: evaluation.map(|e| e.to_proto()),
        previous_year_sales: row.previous_year_sales,
        year_sales: row.year_sales,
        confirmed_by: row.confirmed_by.clone(),
        confirmed_at: (row.confirmed_at > 0).then(|| to_timestamp(row.confirmed_at)),
        created_at: Some(to_timestamp(row.created_at)),
    })
}

/// Evaluates every dealer not yet re-evaluated for `year` and answers the year's proposals. A
/// dealer whose tier holds gets an evaluation (its latest) but no proposal.
pub async fn run(tx: &mut Tx, caller: &Caller, year: i32) -> Result<Vec<pb::ReEvaluation>, Error> {
    let year = parse_year(year)?;
    let (previous_from, from, until) = (start_of_year(year - 1)?, start_of_year(year)?, start_of_year(year + 1)?);
    for (customer_id, current) in tier_rules_store::current_tiers(tx).await? {
        if store::exists(tx, year, customer_id).await? {
            continue;
        }
        let previous_year_sales = store::order_sales(tx, customer_id, previous_from, from).await?;
        let year_sales = store::order_sales(tx, customer_id, from, until).await?;
        let (big_brand_share_bp, staff, shops) = store::declared_figures(tx, customer_id).await?;
        let figures = DealerFigures::from_sales(previous_year_sales, year_sales, big_brand_share_bp, staff, shops);
        let subject = EvaluationSubject { customer_id, application_id: 0 };
        let evaluation = tier_rules::evaluate(tx, caller, subject, &figures).await?;
        if evaluation.decided == Some(current) {
            continue;
        }
        let proposal = NewProposal {
            year,
            customer_id,
            current_tier: current,
            proposed_tier: evaluation.decided,
            evaluation_id: evaluation.id,
            previous_year_sales,
            year_sales,
        };
        store::insert(tx, &proposal).await?;
    }
    list(tx, caller, year, "").await
}

/// The proposals inside the caller's territory.
pub async fn list(tx: &mut Tx, caller: &Caller, year: i32, status: &str) -> Result<Vec<pb::ReEvaluation>, Error> {
    let office = caller.territory().map(Office::code).unwrap_or("");
    let rows = store::list(tx, year, status, office).await?;
    let mut answers = Vec::with_capacity(rows.len());
    for row in &rows {
        answers.push(answer(tx, row).await?);
    }
    Ok(answers)
}

/// A director's confirmation: the proposed tier (or no tier at all) starts today.
pub async fn confirm(tx: &mut Tx, caller: &Caller, id: i64) -> Result<pb::ReEvaluation, Error> {
    let row = store::find(tx, id)
        .await?
        .filter(|row| Office::parse(&row.office).is_ok_and(|office| caller.sees_office(office)))
        .ok_or_else(|| Error::NotFound(format!("re-evaluation {id}")))?;
    let current = tier_rules_store::current_tiers(tx)
        .await?
        .into_iter()
        .find_map(|(customer_id, tier)| (customer_id == row.customer_id).then_some(tier));
    if current != Some(row.current_tier) {
        return Err(Error::Conflict(format!(
            "the dealer's tier changed since re-evaluation {id} was proposed; run the re-evaluation again"
        )));
    }
    if !store::confirm(tx, id, &caller.username).await? {
        return Err(Error::Conflict(format!("re-evaluation {id} is already confirmed")));
    }
    let reason = format!("re-evaluation {}", row.year);
    let decision = TierDecision {
        customer_id: row.customer_id,
        tier: row.proposed_tier,
        from_date: local_date(now_micros()),
        application_id: None,
        re_evaluation_id: Some(id),
        reason: &reason,
        decided_by: &caller.username,
    };
    tier_rules_store::insert_history(tx, &decision).await?;
    let confirmed = store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("re-evaluation {id}")))?;
    answer(tx, &confirmed).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_higher_tier_is_an_upgrade_and_losing_every_tier_a_downgrade() {
        assert_eq!(direction(Tier::Tier1, Some(Tier::Distributor)), "upgrade");
        assert_eq!(direction(Tier::Tier1, Some(Tier::Tier2)), "downgrade");
        assert_eq!(direction(Tier::Tier2, None), "downgrade");
    }
}
