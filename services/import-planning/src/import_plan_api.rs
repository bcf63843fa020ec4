//! gRPC adapter for `atq.importplanning.v1.ImportPlans`: project schedules in, promises and
//! supplier-order proposals out.

use std::collections::{BTreeSet, HashMap};

use atq_platform::business_time::date_from_proto;
use atq_platform::caller::Action;
use atq_platform::error::Result as PlatformResult;
use atq_platform::paging::Page;
use atq_platform::validation::{Violations, document_ref, optional_text, status_filter};
use atq_platform::{Caller, Error, Office, Tx, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::import_plans_server::ImportPlans;
use tonic::{Request, Response, Status};

use crate::plan_store::{self, NewPlan, StoredMilestone};
use crate::product_store;
use crate::replanning::Planning;

const MAX_LINES: usize = 500;
const MAX_MILESTONES: usize = 24;
const MAX_QUANTITY: i64 = 1_000_000;
const MAX_TERMS: usize = 5_000;

pub struct ImportPlansApi {
    pub planning: Planning,
}

fn parse_ref(text: &str) -> Result<String, String> {
    document_ref(text, "the contract's or order's number")
}

/// A checked request: the plan's header and its milestones, numbered per line by date.
pub struct Checked {
    pub plan: NewPlan,
    pub milestones: Vec<StoredMilestone>,
}

pub async fn check(planning: &Planning, input: &pb::SubmitImportPlanRequest) -> PlatformResult<Checked> {
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
    let known: BTreeSet<i64> = product_store::find_many(&planning.db, &ids).await?.into_iter().map(|p| p.id).collect();
    let mut seen = BTreeSet::new();
    let mut milestones = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
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
        let mut dated = Vec::new();
        for (j, milestone) in line.milestones.iter().enumerate() {
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
    v.finish()?;
    let (Some(source_ref), Some(order_ref), Some(customer_name)) = (source_ref, order_ref, customer_name) else {
        return Err(Error::invalid("source_ref", "is required"));
    };
    let plan = NewPlan { source_ref, order_ref, customer_id: input.customer_id, customer_name, office };
    Ok(Checked { plan, milestones })
}

/// Makes or replaces the plan of a source and re-plans what it touches. Returns the plan's id.
pub async fn submit(planning: &Planning, tx: &mut Tx, checked: &Checked) -> PlatformResult<i64> {
    Planning::lock(tx).await?;
    let (plan_id, old) = match plan_store::header_by_source(tx, &checked.plan.source_ref).await? {
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
        planning.run(tx, Some(products.into_iter().collect()), &HashMap::new()).await?;
        return Ok(plan_id);
    }
    plan_store::replace_milestones(tx, plan_id, &milestones).await?;
    let before = HashMap::from([(plan_id, old)]);
    planning.run(tx, Some(products.into_iter().collect()), &before).await?;
    Ok(plan_id)
}

/// Joins an order to a contract's plan: what it holds counts for the plan, and sales hears of
/// the plan for this order (a new revision, even if no promise moved).
pub async fn join(planning: &Planning, tx: &mut Tx, plan_id: i64, order_ref: &str) -> PlatformResult<()> {
    Planning::lock(tx).await?;
    plan_store::attach_order(tx, plan_id, order_ref).await?;
    let milestones = plan_store::milestones_of_plan(tx, plan_id).await?;
    let products: BTreeSet<i64> = milestones.iter().map(|m| m.product_id).collect();
    let before = HashMap::from([(plan_id, milestones)]);
    planning.run(tx, Some(products.into_iter().collect()), &before).await?;
    Ok(())
}

/// An order of a contract's plan was cancelled: the plan goes on without what it held.
pub async fn leave(planning: &Planning, tx: &mut Tx, plan_id: i64, order_ref: &str) -> PlatformResult<()> {
    Planning::lock(tx).await?;
    plan_store::detach_order(tx, plan_id, order_ref).await?;
    let products: BTreeSet<i64> =
        plan_store::milestones_of_plan(tx, plan_id).await?.iter().map(|m| m.product_id).collect();
    planning.run(tx, Some(products.into_iter().collect()), &HashMap::new()).await?;
    Ok(())
}

/// Closes the plan of a source (its order was cancelled) and gives its supply to the others.
pub async fn close(planning: &Planning, tx: &mut Tx, source_ref: &str) -> PlatformResult<()> {
    Planning::lock(tx).await?;
    let Some(header) = plan_store::header_by_source(tx, source_ref).await? else { return Ok(()) };
    if header.status == plan_store::CLOSED {
        return Ok(());
    }
    let products: BTreeSet<i64> =
        plan_store::milestones_of_plan(tx, header.id).await?.iter().map(|m| m.product_id).collect();
    plan_store::close_plan(tx, header.id).await?;
    planning.run(tx, Some(products.into_iter().collect()), &HashMap::new()).await?;
    Ok(())
}

fn check_terms(v: &mut Violations, i: usize, terms: &pb::SupplyTerms) {
    let field = |name: &str| format!("terms[{i}].{name}");
    if !(1..=MAX_QUANTITY).contains(&terms.min_order_quantity) {
        v.add(field("min_order_quantity"), format!("must be 1 to {MAX_QUANTITY}"));
    }
    if !(1..=MAX_QUANTITY).contains(&terms.pack_size) {
        v.add(field("pack_size"), format!("must be 1 to {MAX_QUANTITY}"));
    }
    if !(0..=MAX_QUANTITY).contains(&terms.reorder_point) {
        v.add(field("reorder_point"), format!("must be 0 to {MAX_QUANTITY}"));
    }
    if !(0..=MAX_QUANTITY).contains(&terms.reorder_quantity) {
        v.add(field("reorder_quantity"), format!("must be 0 to {MAX_QUANTITY}"));
    }
    if !(0..=365).contains(&terms.buffer_days) {
        v.add(field("buffer_days"), "must be 0 to 365");
    }
}

#[tonic::async_trait]
impl ImportPlans for ImportPlansApi {
    async fn submit_import_plan(
        &self,
        request: Request<pb::SubmitImportPlanRequest>,
    ) -> Result<Response<pb::ImportPlan>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::PlanImports)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let checked = std::sync::Arc::new(check(&self.planning, &input).await?);
        let scope = format!("importplanning.SubmitImportPlan:{}", caller.username);
        let planning = self.planning.clone();
        let plan = idempotency::run_once(&self.planning.db, &scope, key.as_deref(), &input, move |tx| {
            let (planning, checked) = (planning.clone(), checked.clone());
            Box::pin(async move {
                let id = submit(&planning, tx, &checked).await?;
                plan_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("import plan {id}")))
            })
        })
        .await?;
        tracing::info!(plan = %plan.number, source = %plan.source_ref, status = %plan.status, "import plan submitted");
        Ok(Response::new(plan))
    }

    async fn get_import_plan(
        &self,
        request: Request<pb::GetImportPlanRequest>,
    ) -> Result<Response<pb::ImportPlan>, Status> {
        Caller::of(&request)?.require(Action::ReadOrders)?;
        let id = request.into_inner().id;
        let mut conn = self.planning.db.pool().acquire().await.map_err(Error::from)?;
        let plan =
            plan_store::find(&mut conn, id).await?.ok_or_else(|| Error::NotFound(format!("import plan {id}")))?;
        Ok(Response::new(plan))
    }

    async fn list_import_plans(
        &self,
        request: Request<pb::ListImportPlansRequest>,
    ) -> Result<Response<pb::ListImportPlansResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let status = status_filter(&mut v, &input.status, &plan_store::STATUSES);
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let mut items = plan_store::list(self.planning.db.pool(), &status, page).await?;
        let next_cursor = page.finish(&mut items, |p| p.id);
        Ok(Response::new(pb::ListImportPlansResponse { items, next_cursor }))
    }

    async fn list_proposals(
        &self,
        request: Request<pb::ListProposalsRequest>,
    ) -> Result<Response<pb::ListProposalsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadOrders)?;
        let input = request.into_inner();
        let items = plan_store::proposals(self.planning.db.pool(), input.supplier_id).await?;
        Ok(Response::new(pb::ListProposalsResponse { items }))
    }

    async fn set_supply_terms(
        &self,
        request: Request<pb::SetSupplyTermsRequest>,
    ) -> Result<Response<pb::ListSupplyTermsResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteCatalog)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        if input.terms.is_empty() {
            v.add("terms", "at least one product's terms are required");
        } else if input.terms.len() > MAX_TERMS {
            return Err(Error::invalid("terms", format!("at most {MAX_TERMS} at once")).into());
        }
        let ids: Vec<i64> = input.terms.iter().map(|t| t.product_id).collect();
        let known: BTreeSet<i64> =
            product_store::find_many(&self.planning.db, &ids).await?.into_iter().map(|p| p.id).collect();
        let mut seen = BTreeSet::new();
        for (i, terms) in input.terms.iter().enumerate() {
            if !known.contains(&terms.product_id) {
                v.add(format!("terms[{i}].product_id"), "no product in the catalog has this id");
            } else if !seen.insert(terms.product_id) {
                v.add(format!("terms[{i}].product_id"), "is given twice");
            }
            check_terms(&mut v, i, terms);
        }
        v.finish()?;
        let mut tx = self.planning.db.begin().await.map_err(Error::from)?;
        Planning::lock(&mut tx).await?;
        for terms in &input.terms {
            plan_store::set_terms(&mut tx, terms, &caller.username).await?;
        }
        // New pack sizes or buffers change what the plans call for.
        self.planning.run(&mut tx, Some(seen.into_iter().collect()), &HashMap::new()).await?;
        tx.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::ListSupplyTermsResponse { items: plan_store::all_terms(self.planning.db.pool()).await? }))
    }

    async fn list_supply_terms(
        &self,
        request: Request<pb::ListSupplyTermsRequest>,
    ) -> Result<Response<pb::ListSupplyTermsResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadCatalog)?;
        Ok(Response::new(pb::ListSupplyTermsResponse { items: plan_store::all_terms(self.planning.db.pool()).await? }))
    }
}
