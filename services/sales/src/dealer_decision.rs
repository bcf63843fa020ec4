//! A dealer application's way: draft -> submitted -> evaluated -> approved | rejected. Approval
//! makes the customer (a new company's record is created then) a dealer of the decided tier and
//! starts a row of its tier history. Each step runs in the caller's transaction.

use atq_platform::business_time::{local_date, now_micros, to_timestamp};
use atq_platform::validation::{optional_text, required_text};
use atq_platform::{Caller, Db, Error, Tx};
use atq_proto::sales::v1 as pb;
use chrono::Datelike;

use crate::customer::CustomerGroup;
use crate::dealer_application::{ApplicationFields, ApplicationStatus, YearFigures};
use crate::dealer_application_store::{self, ApplicationRow, Decision};
use crate::tier_rules::{self, Tier};
use crate::tier_rules_store::{self, EvaluationSubject, TierDecision};
use crate::{contract_store, customer_store};

/// The statuses in which a director may still decide, and an evaluation may be (re)made.
const OPEN: &[ApplicationStatus] = &[ApplicationStatus::Submitted, ApplicationStatus::Evaluated];

/// The current local year: the latest year whose figures an application may give.
pub fn this_year() -> i32 {
    local_date(now_micros()).year()
}

/// The application with `id`, if it is inside the caller's territory.
pub async fn visible(tx: &mut Tx, caller: &Caller, id: i64) -> Result<ApplicationRow, Error> {
    dealer_application_store::find(tx, id)
        .await?
        .filter(|row| caller.sees_office(row.fields.office))
        .ok_or_else(|| Error::NotFound(format!("dealer application {id}")))
}

/// The whole dealer file: the application with its latest evaluation.
pub async fn answer(conn: &mut sqlx::AnyConnection, row: &ApplicationRow) -> Result<pb::DealerApplication, Error> {
    let evaluation = match row.evaluation_id {
        Some(id) => tier_rules_store::find_evaluation(conn, id).await?.map(|e| e.to_proto()),
        None => None,
    };
    let f = &row.fields;
    let p = &f.prospect;
    Ok(pb::DealerApplication {
        id: row.id,
        number: row.number.clone(),
        customer_id: f.customer_id.unwrap_or_default(),
        customer_name: row.customer_name.clone(),
        prospect: Some(pb::Prospect {
            name: p.name.clone(),
            phone: p.phone.clone(),
            email: p.email.clone(),
            address: p.address.clone(),
            tax_code: p.tax_code.clone(),
        }),
        office: f.office.to_proto() as i32,
        region: f.region.clone(),
        years: f.years.iter().map(YearFigures::to_proto).collect(),
        proposed_tier: f.proposed_tier.as_str().into(),
        note: f.note.clone(),
        status: row.status.as_str().into(),
        evaluation,
        approved_tier: row.approved_tier.map(|t| t.as_str().to_owned()).unwrap_or_default(),
        decision_reason: row.decision_reason.clone(),
        contract_id: row.contract_id.unwrap_or_default(),
        decided_by: row.decided_by.clone(),
        decided_at: (row.decided_at > 0).then(|| to_timestamp(row.decided_at)),
        owner: row.owner.clone(),
        version: row.version,
        created_at: Some(to_timestamp(row.created_at)),
        updated_at: Some(to_timestamp(row.updated_at)),
    })
}

async fn reread(tx: &mut Tx, id: i64) -> Result<pb::DealerApplication, Error> {
    let row = dealer_application_store::find(tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("dealer application {id}")))?;
    answer(tx, &row).await
}

/// Records a new application; one for an existing customer takes the customer's office.
pub async fn create(
    tx: &mut Tx,
    caller: &Caller,
    mut fields: ApplicationFields,
) -> Result<pb::DealerApplication, Error> {
    if let Some(customer_id) = fields.customer_id {
        let customer = customer_store::find(&mut **tx, customer_id)
            .await?
            .filter(|row| caller.sees_office(row.fields.office))
            .ok_or_else(|| Error::NotFound(format!("customer {customer_id}")))?;
        fields.office = customer.fields.office;
    } else if !caller.sees_office(fields.office) {
        return Err(Error::PermissionDenied("a dealer application cannot be placed outside your office".into()));
    }
    let id = dealer_application_store::insert(tx, &fields, &caller.username).await?;
    reread(tx, id).await
}

/// A step allowed only in `allowed` statuses; `which` names them for the caller.
fn expect_status(row: &ApplicationRow, allowed: &[ApplicationStatus], doing: &str, which: &str) -> Result<(), Error> {
    if allowed.contains(&row.status) {
        return Ok(());
    }
    Err(Error::Conflict(format!("dealer application {} cannot be {doing}: only {which} can", row.number)))
}

/// `expected` 0 means the caller did not say which version it read.
fn check_version(expected: i64, row: &ApplicationRow) -> Result<(), Error> {
    if expected > 0 { Error::unless_stale(expected, row.version) } else { Ok(()) }
}

/// Edits a draft.
pub async fn update(
    tx: &mut Tx,
    caller: &Caller,
    input: &pb::UpdateDealerApplicationRequest,
) -> Result<pb::DealerApplication, Error> {
    let current = visible(tx, caller, input.id).await?;
    Error::unless_stale(input.expected_version, current.version)?;
    expect_status(&current, &[ApplicationStatus::Draft], "edited", "a draft")?;
    let next = current.fields.patched(input, this_year())?;
    dealer_application_store::update_fields(tx, &current, &next).await?;
    reread(tx, current.id).await
}

/// Hands a draft in for evaluation.
pub async fn submit(tx: &mut Tx, caller: &Caller, id: i64, expected: i64) -> Result<pb::DealerApplication, Error> {
    let current = visible(tx, caller, id).await?;
    check_version(expected, &current)?;
    expect_status(&current, &[ApplicationStatus::Draft], "submitted", "a draft")?;
    dealer_application_store::change_status(tx, &current, ApplicationStatus::Submitted, &decision_kept(&current))
        .await?;
    reread(tx, id).await
}

/// What a step that decides nothing keeps of earlier decisions.
fn decision_kept(row: &ApplicationRow) -> Decision {
    Decision {
        approved_tier: row.approved_tier,
        reason: row.decision_reason.clone(),
        contract_id: row.contract_id,
        decided_by: row.decided_by.clone(),
        ..Decision::default()
    }
}

/// Evaluates the application's figures with the rule version in force today and keeps the
/// result; evaluating again adds a newer evaluation and leaves the earlier ones as they were.
pub async fn evaluate(tx: &mut Tx, caller: &Caller, id: i64, expected: i64) -> Result<pb::DealerApplication, Error> {
    let current = visible(tx, caller, id).await?;
    check_version(expected, &current)?;
    expect_status(&current, OPEN, "evaluated", "a submitted or evaluated one")?;
    let subject = EvaluationSubject { customer_id: current.fields.customer_id.unwrap_or_default(), application_id: id };
    let evaluation = tier_rules::evaluate(tx, caller, subject, &current.fields.figures()).await?;
    let decision = Decision { evaluation_id: Some(evaluation.id), ..decision_kept(&current) };
    dealer_application_store::change_status(tx, &current, ApplicationStatus::Evaluated, &decision).await?;
    reread(tx, id).await
}

/// The customer the approval makes a dealer: created for a new company, regrouped otherwise.
async fn dealer_customer(tx: &mut Tx, db: &Db, caller: &Caller, row: &ApplicationRow) -> Result<i64, Error> {
    let Some(customer_id) = row.fields.customer_id else {
        let created = customer_store::insert(tx, db, &row.fields.as_customer(&row.owner), caller).await?;
        tier_rules_store::assign_customer(tx, row.id, created.id).await?;
        return Ok(created.id);
    };
    let current = customer_store::find(&mut **tx, customer_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("customer {customer_id}")))?;
    if current.fields.group != CustomerGroup::Dealer {
        let next = crate::customer::CustomerFields { group: CustomerGroup::Dealer, ..current.fields.clone() };
        customer_store::update(tx, db, &current, next, caller).await?;
    }
    Ok(customer_id)
}

/// A dealer contract named by the approval must be the customer's own.
async fn check_contract(tx: &mut Tx, row: &ApplicationRow, contract_id: i64) -> Result<Option<i64>, Error> {
    if contract_id == 0 {
        return Ok(None);
    }
    let Some(customer_id) = row.fields.customer_id else {
        return Err(Error::invalid("contract_id", "a new company has no contract yet; attach it after approval"));
    };
    match contract_store::find(tx, contract_id).await? {
        Some(contract) if contract.customer_id == customer_id && contract.proto.kind == "dealer" => {
            Ok(Some(contract_id))
        }
        _ => Err(Error::invalid("contract_id", "must be a dealer contract of this customer")),
    }
}

/// A director's approval of an evaluated application at `tier`; a tier other than the evaluated
/// one needs a reason.
pub async fn approve(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    input: &pb::ApproveDealerApplicationRequest,
) -> Result<pb::DealerApplication, Error> {
    let tier = Tier::parse_wire(&input.tier).map_err(|message| Error::invalid("tier", message))?;
    let reason = optional_text(&input.reason, 500).map_err(|message| Error::invalid("reason", message))?;
    let current = visible(tx, caller, input.id).await?;
    check_version(input.expected_version, &current)?;
    expect_status(&current, &[ApplicationStatus::Evaluated], "approved", "an evaluated one")?;
    let evaluated = match current.evaluation_id {
        Some(id) => tier_rules_store::find_evaluation(tx, id).await?.and_then(|e| e.decided),
        None => None,
    };
    if evaluated != Some(tier) && reason.is_empty() {
        return Err(Error::invalid("reason", "is required to approve a tier other than the evaluated one"));
    }
    let contract_id = check_contract(tx, &current, input.contract_id).await?;
    let customer_id = dealer_customer(tx, db, caller, &current).await?;
    let contract_id = match contract_id {
        Some(id) => Some(id),
        None => Some(crate::dealer_contract::create(tx, &current, customer_id, tier, &caller.username).await?),
    };
    let today = local_date(now_micros());
    let history = TierDecision {
        customer_id,
        tier: Some(tier),
        from_date: today,
        application_id: Some(current.id),
        re_evaluation_id: None,
        reason: &reason,
        decided_by: &caller.username,
    };
    tier_rules_store::insert_history(tx, &history).await?;
    let decision = Decision {
        customer_id: Some(customer_id),
        evaluation_id: current.evaluation_id,
        approved_tier: Some(tier),
        reason,
        contract_id,
        decided_by: caller.username.clone(),
    };
    dealer_application_store::change_status(tx, &current, ApplicationStatus::Approved, &decision).await?;
    reread(tx, current.id).await
}

/// A director's rejection, always with the reason.
pub async fn reject(
    tx: &mut Tx,
    caller: &Caller,
    input: &pb::RejectDealerApplicationRequest,
) -> Result<pb::DealerApplication, Error> {
    let reason = required_text(&input.reason, 500).map_err(|message| Error::invalid("reason", message))?;
    let current = visible(tx, caller, input.id).await?;
    check_version(input.expected_version, &current)?;
    expect_status(&current, OPEN, "rejected", "a submitted or evaluated one")?;
    let decision = Decision {
        evaluation_id: current.evaluation_id,
        reason,
        decided_by: caller.username.clone(),
        ..Decision::default()
    };
    dealer_application_store::change_status(tx, &current, ApplicationStatus::Rejected, &decision).await?;
    reread(tx, current.id).await
}

/// A customer's current tier, its history and its latest evaluation.
pub async fn customer_tier(tx: &mut Tx, caller: &Caller, customer_id: i64) -> Result<pb::CustomerTier, Error> {
    customer_store::find(&mut **tx, customer_id)
        .await?
        .filter(|row| caller.sees_office(row.fields.office))
        .ok_or_else(|| Error::NotFound(format!("customer {customer_id}")))?;
    let history = tier_rules_store::history_of(&mut **tx, customer_id).await?;
    let latest = tier_rules_store::latest_evaluation_of(tx, customer_id).await?;
    Ok(pb::CustomerTier {
        customer_id,
        tier: history
            .first()
            .map(|change| change.tier.clone())
            .filter(|tier| tier != crate::tier_rules::NOT_ELIGIBLE)
            .unwrap_or_default(),
        history,
        latest_evaluation: latest.map(|evaluation| evaluation.to_proto()),
    })
}
