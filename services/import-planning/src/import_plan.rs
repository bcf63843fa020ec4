//! Import plans: a project's schedule checked and stored as milestones, orders joining and
//! leaving a contract's plan, plans closed. Each change re-plans the products it touches, in the
//! caller's transaction.

use std::collections::{BTreeSet, HashMap};

use atq_platform::business_time::date_from_proto;
use atq_platform::error::Result;
use atq_platform::validation::{Violations, document_ref, optional_text};
use atq_platform::{Caller, Db, Error, Office, Tx};
use atq_proto::importplanning::v1 as pb;

use crate::plan_store::{self, NewPlan, PlanStatus, StoredMilestone};
use crate::product_store;
use crate::replanning::{Planning, Replans};
use crate::sales::Sales;

const MAX_LINES: usize = 500;
const MAX_MILESTONES: usize = 24;
pub(crate) const MAX_QUANTITY: i64 = 1_000_000;

fn parse_ref(text: &str) -> Result<String, String> {
    document_ref(text, "the contract's or order's number")
}

/// A checked request: the plan's header and its milestones, numbered per line by date.
pub struct Checked {
    pub plan: NewPlan,
    pub milestones: Vec<StoredMilestone>,
    /// The office the submitter works for when their territory limits them (sales staff): a plan
    /// of another office is not theirs to replace.
    pub territory: Option<Office>,
}

const NOT_IN_TERRITORY: &str = "no contract or order in your territory has this number";

/// Checks a plan request, naming every bad field at once (unknown products among them).
pub async fn check(db: &Db, input: &pb::SubmitImportPlanRequest) -> Result<Checked> {
    let mut v = Violations::new();
    let source_ref = v.check("source_ref", parse_ref(&input.source_ref));
    let order_ref = match input.order_ref.trim() {
        "" => Some(String::new()),
        text => v.check("order_ref", parse_ref(text)),
    };
    let customer_name = v.check("customer_name", optional_text(&input.customer_name, 200));
    let office = match input.office {
        0 => None,
        value => v.check("office", Office::from_proto(value)),
    };
    if input.lines.is_empty() {
        v.add("lines", "at least one line is required");
    } else if input.lines.len() > MAX_LINES {
        return Err(Error::invalid("lines", format!("at most {MAX_LINES} lines")));
    }
    let ids: Vec<i64> = input.lines.iter().map(|l| l.product_id).collect();
    let known: BTreeSet<i64> = product_store::find_many(db, &ids).await?.into_iter().map(|p| p.id).collect();
    let milestones = check_lines(&mut v, &input.lines, &known);
    v.finish()?;
    let (Some(source_ref), Some(order_ref), Some(customer_name)) = (source_ref, order_ref, customer_name) else {
        return Err(Error::invalid("source_ref", "is required"));
    };
    let plan = NewPlan { source_ref, order_ref, customer_id: input.customer_id, customer_name, office };
    Ok(Checked { plan, milestones, territory: None })
}

/// A plan submitted by a person serves a contract or order that person may see: it takes that
/// document's office and customer, and an order it names to attach must be one they may see too.
/// A number sales does not know at all is a plan made ahead of the document's entry: sales staff
/// make it for their own office. (Plans of confirmed project orders come from the sales feed.)
pub async fn bind_to_source(sales: &Sales, caller: &Caller, checked: &mut Checked) -> Result<()> {
    checked.territory = caller.territory();
    let plan = &mut checked.plan;
    let source = match sales.document(caller, &plan.source_ref).await? {
        Some(source) => Some(source),
        None if sales.document(&Caller::service(crate::NAME), &plan.source_ref).await?.is_some() => {
            return Err(Error::invalid("source_ref", NOT_IN_TERRITORY));
        }
        None => None,
    };
    let office = source.as_ref().map(|source| source.office).or(checked.territory);
    if let (Some(office), Some(given)) = (office, plan.office)
        && given != office
    {
        return Err(Error::invalid("office", format!("must be {} for {}", office.code(), plan.source_ref)));
    }
    plan.office = office.or(plan.office);
    if let Some(source) = source {
        plan.customer_id = source.customer_id;
        plan.customer_name = source.customer_name;
    }
    if !plan.order_ref.is_empty()
        && plan.order_ref != plan.source_ref
        && sales.order(caller, &plan.order_ref).await?.is_none()
    {
        return Err(Error::invalid("order_ref", "no order in your territory has this number"));
    }
    Ok(())
}

/// The lines' milestones, numbered per line by date; `known` holds the catalog's product ids.
fn check_lines(v: &mut Violations, lines: &[pb::PlanLineRequest], known: &BTreeSet<i64>) -> Vec<StoredMilestone> {
    let mut seen = BTreeSet::new();
    let mut milestones = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].{name}");
        if line.line_no <= 0 || !seen.insert(line.line_no) {
            v.add(field("line_no"), "must be a positive number, once per plan");
        }
        if !known.contains(&line.product_id) {
            v.add(field("product_id"), "no product in the catalog has this id");
        }
        if line.milestones.is_empty() {
            v.add(field("milestones"), "at least one milestone is required");
        } else if line.milestones.len() > MAX_MILESTONES {
            v.add(field("milestones"), format!("at most {MAX_MILESTONES} per line"));
        }
        let mut dated = check_milestones(v, i, &line.milestones);
        dated.sort();
        for (j, (needed_by, quantity)) in dated.into_iter().enumerate() {
            milestones.push(StoredMilestone {
                plan_id: 0,
                line_no: line.line_no,
                milestone_no: j as i32 + 1,
                product_id: line.product_id,
                needed_by,
                quantity,
                promise_date: None,
                late: false,
                reason: String::new(),
                coverage: Vec::new(),
            });
        }
    }
    milestones
}

/// Line `i`'s milestones as (needed-by date, quantity), those with a date.
fn check_milestones(v: &mut Violations, i: usize, milestones: &[pb::Milestone]) -> Vec<(chrono::NaiveDate, i64)> {
    let mut dated = Vec::new();
    for (j, milestone) in milestones.iter().enumerate() {
        let field = |name: &str| format!("lines[{i}].milestones[{j}].{name}");
        let needed_by = match &milestone.needed_by {
            Some(date) => v.check(&field("needed_by"), date_from_proto(date)),
            None => {
                v.add(field("needed_by"), "is required");
                None
            }
        };
        if !(1..=MAX_QUANTITY).contains(&milestone.quantity) {
            v.add(field("quantity"), format!("must be 1 to {MAX_QUANTITY}"));
        }
        if let Some(needed_by) = needed_by {
            dated.push((needed_by, milestone.quantity));
        }
    }
    dated
}

/// Makes or replaces the plan of a source and re-plans what it touches. Returns the plan's id.
pub async fn submit(planning: &Planning, tx: &mut Tx, checked: &Checked) -> Result<i64> {
    let (plan_id, replans) = store(tx, checked).await?;
    planning.run_deferred(tx, replans).await?;
    Ok(plan_id)
}

/// Makes or replaces the plan of a source; returns its id and the re-plan it calls for.
async fn store(tx: &mut Tx, checked: &Checked) -> Result<(i64, Replans)> {
    Planning::lock(tx).await?;
    let (plan_id, old) = match plan_store::header_by_source(tx, &checked.plan.source_ref).await? {
        Some(header) if checked.territory.is_some_and(|office| header.office != Some(office)) => {
            return Err(Error::invalid("source_ref", NOT_IN_TERRITORY));
        }
        Some(header) => {
            plan_store::update_plan(tx, header.id, &checked.plan).await?;
            (header.id, plan_store::milestones_of_plan(tx, header.id).await?)
        }
        None => (plan_store::insert_plan(tx, &checked.plan).await?, Vec::new()),
    };
    if !checked.plan.order_ref.is_empty() {
        plan_store::attach_order(tx, plan_id, &checked.plan.order_ref).await?;
    }
    let milestones: Vec<StoredMilestone> =
        checked.milestones.iter().map(|m| StoredMilestone { plan_id, ..m.clone() }).collect();
    let unchanged = old.len() == milestones.len()
        && old.iter().zip(&milestones).all(|(a, b)| {
            (a.line_no, a.milestone_no, a.product_id, a.needed_by, a.quantity)
                == (b.line_no, b.milestone_no, b.product_id, b.needed_by, b.quantity)
        });
    let mut products: BTreeSet<i64> = old.iter().map(|m| m.product_id).collect();
    products.extend(milestones.iter().map(|m| m.product_id));
    if unchanged && !old.is_empty() {
        // The same schedule again (a retry, or a re-sent order): promises stand unless stock or
        // supplier orders moved, which a re-plan of its products finds.
        return Ok((plan_id, Replans { products, before: HashMap::new() }));
    }
    plan_store::replace_milestones(tx, plan_id, &milestones).await?;
    Ok((plan_id, Replans { products, before: HashMap::from([(plan_id, old)]) }))
}

/// The stored plan, as the caller sees it.
pub async fn found(tx: &mut Tx, id: i64) -> Result<pb::ImportPlan> {
    plan_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("import plan {id}")))
}

/// A confirmed project order: joins its contract's open plan when the contract was planned, or
/// becomes a plan of its own. An order the catalog no longer knows is passed over (and logged):
/// it cannot be planned, and must not stall the feed. The re-plan it calls for is returned, not
/// run: the feed runs those of a whole batch at once.
pub async fn order_confirmed(
    planning: &Planning,
    tx: &mut Tx,
    contract_number: &str,
    request: &pb::SubmitImportPlanRequest,
) -> Result<Replans> {
    if let Some(plan_id) = contract_plan(tx, contract_number).await? {
        return attach(tx, plan_id, &request.order_ref).await;
    }
    match check(&planning.db, request).await {
        Ok(checked) => Ok(store(tx, &checked).await?.1),
        Err(Error::Invalid(violations)) => {
            tracing::warn!(order = %request.order_ref, ?violations, "project order not planned");
            Ok(Replans::default())
        }
        Err(error) => Err(error),
    }
}

/// The open plan of a contract, if the contract was planned.
async fn contract_plan(tx: &mut Tx, contract_number: &str) -> Result<Option<i64>> {
    if contract_number.is_empty() {
        return Ok(None);
    }
    Ok(plan_store::header_by_source(tx, contract_number)
        .await?
        .filter(|header| header.status != PlanStatus::Closed)
        .map(|header| header.id))
}

/// A cancelled project order: closes its own plan, or leaves the contract's it joined.
pub async fn order_cancelled(planning: &Planning, tx: &mut Tx, order_number: &str) -> Result<()> {
    let Some(plan_id) = plan_store::plan_of_order(tx, order_number).await? else { return Ok(()) };
    match plan_store::header_by_source(tx, order_number).await? {
        Some(own) if own.id == plan_id => close(planning, tx, order_number).await,
        _ => leave(planning, tx, plan_id, order_number).await,
    }
}

/// Joins an order to a contract's plan: what it holds counts for the plan, and sales hears of
/// the plan for this order (a new revision, even if no promise moved).
pub async fn join(planning: &Planning, tx: &mut Tx, plan_id: i64, order_ref: &str) -> Result<()> {
    let replans = attach(tx, plan_id, order_ref).await?;
    planning.run_deferred(tx, replans).await?;
    Ok(())
}

/// Attaches an order to a plan; the re-plan that calls for.
async fn attach(tx: &mut Tx, plan_id: i64, order_ref: &str) -> Result<Replans> {
    Planning::lock(tx).await?;
    plan_store::attach_order(tx, plan_id, order_ref).await?;
    let milestones = plan_store::milestones_of_plan(tx, plan_id).await?;
    let products: BTreeSet<i64> = milestones.iter().map(|m| m.product_id).collect();
    Ok(Replans { products, before: HashMap::from([(plan_id, milestones)]) })
}

/// An order of a contract's plan was cancelled: the plan goes on without what it held.
pub async fn leave(planning: &Planning, tx: &mut Tx, plan_id: i64, order_ref: &str) -> Result<()> {
    Planning::lock(tx).await?;
    plan_store::detach_order(tx, plan_id, order_ref).await?;
    let products: BTreeSet<i64> =
        plan_store::milestones_of_plan(tx, plan_id).await?.iter().map(|m| m.product_id).collect();
    planning.run_for(tx, products).await?;
    Ok(())
}

/// Closes the plan of a source (its order was cancelled) and gives its supply to the others.
pub async fn close(planning: &Planning, tx: &mut Tx, source_ref: &str) -> Result<()> {
    Planning::lock(tx).await?;
    let Some(header) = plan_store::header_by_source(tx, source_ref).await? else { return Ok(()) };
    if header.status == PlanStatus::Closed {
        return Ok(());
    }
    let products: BTreeSet<i64> =
        plan_store::milestones_of_plan(tx, header.id).await?.iter().map(|m| m.product_id).collect();
    plan_store::close_plan(tx, header.id).await?;
    planning.run_for(tx, products).await?;
    Ok(())
}
