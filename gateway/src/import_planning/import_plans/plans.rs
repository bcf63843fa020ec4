//! Import plans: submitted, listed and read with their milestones, coverage and changes.

use atq_platform::caller::Action;
use atq_platform::validation::Violations;
use atq_proto::importplanning::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::AuthUser;
use crate::json_body::JsonBody;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, Forbidden, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{ListBody, date_text, office_from_text, office_text, optional_date, page, record_response, rfc3339};

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MilestoneIn {
    /// YYYY-MM-DD: on site by then
    #[schema(required = true, format = Date)]
    pub needed_by: String,
    #[schema(required = true, minimum = 1, maximum = 1_000_000)]
    pub quantity: i64,
}

#[derive(Deserialize, Serialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct PlanLineIn {
    #[schema(required = true, minimum = 1)]
    pub line_no: i32,
    #[schema(required = true, minimum = 1)]
    pub product_id: i64,
    #[schema(required = true, min_items = 1, max_items = 24)]
    pub milestones: Vec<MilestoneIn>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct ImportPlanIn {
    /// The project contract or order (HD-2026-0003, DH-2026-0012); sending it again re-plans
    #[schema(required = true, min_length = 1)]
    pub source_ref: String,
    /// The order whose reservation already covers part of it
    pub order_ref: String,
    pub customer_id: i64,
    pub customer_name: String,
    /// HN, HCM or DL
    pub office: String,
    #[schema(required = true, min_items = 1, max_items = 500)]
    pub lines: Vec<PlanLineIn>,
}

#[derive(Serialize, ToSchema)]
pub struct CoverageBody {
    /// reserved, stock, purchase_order or proposal
    pub source: String,
    /// The supplier order's number
    pub reference: Option<String>,
    pub quantity: i64,
    pub available_on: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MilestoneBody {
    pub milestone_no: i32,
    pub needed_by: Option<String>,
    pub quantity: i64,
    /// When every unit can be ready
    pub promise_date: Option<String>,
    pub late: bool,
    /// Why it cannot make its date
    pub reason: Option<String>,
    pub coverage: Vec<CoverageBody>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanLineBody {
    pub line_no: i32,
    pub product_id: i64,
    pub model_code: String,
    pub supplier_id: i64,
    pub milestones: Vec<MilestoneBody>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanChangeBody {
    pub line_no: i32,
    pub milestone_no: i32,
    pub product_id: i64,
    /// added, removed or moved
    pub change: String,
    pub old_needed_by: Option<String>,
    pub new_needed_by: Option<String>,
    pub old_promise_date: Option<String>,
    pub new_promise_date: Option<String>,
    pub was_late: bool,
    pub late: bool,
    pub old_quantity: i64,
    pub new_quantity: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ImportPlanBody {
    pub id: i64,
    /// KH-2026-0001
    pub number: String,
    pub source_ref: String,
    pub order_ref: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    pub office: Option<String>,
    /// open (all on time), late (some milestone cannot make its date) or closed
    pub status: String,
    pub lines: Vec<PlanLineBody>,
    /// Bumped by every re-plan that moved a promise
    pub revision: i64,
    /// What the latest re-plan moved
    pub changes: Vec<PlanChangeBody>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::PlannedMilestone> for MilestoneBody {
    fn from(m: pb::PlannedMilestone) -> Self {
        MilestoneBody {
            milestone_no: m.milestone_no,
            needed_by: date_text(m.needed_by.as_ref()),
            quantity: m.quantity,
            promise_date: date_text(m.promise_date.as_ref()),
            late: m.late,
            reason: (!m.reason.is_empty()).then_some(m.reason),
            coverage: m
                .coverage
                .into_iter()
                .map(|c| CoverageBody {
                    source: c.source,
                    reference: (!c.reference.is_empty()).then_some(c.reference),
                    quantity: c.quantity,
                    available_on: date_text(c.available_on.as_ref()),
                })
                .collect(),
        }
    }
}

impl From<pb::PlanChange> for PlanChangeBody {
    fn from(c: pb::PlanChange) -> Self {
        PlanChangeBody {
            line_no: c.line_no,
            milestone_no: c.milestone_no,
            product_id: c.product_id,
            change: c.change,
            old_needed_by: date_text(c.old_needed_by.as_ref()),
            new_needed_by: date_text(c.new_needed_by.as_ref()),
            old_promise_date: date_text(c.old_promise_date.as_ref()),
            new_promise_date: date_text(c.new_promise_date.as_ref()),
            was_late: c.was_late,
            late: c.late,
            old_quantity: c.old_quantity,
            new_quantity: c.new_quantity,
        }
    }
}

impl From<pb::ImportPlan> for ImportPlanBody {
    fn from(p: pb::ImportPlan) -> Self {
        ImportPlanBody {
            id: p.id,
            number: p.number,
            source_ref: p.source_ref,
            order_ref: (!p.order_ref.is_empty()).then_some(p.order_ref),
            customer_id: p.customer_id,
            customer_name: p.customer_name,
            office: (p.office != 0).then(|| office_text(p.office)),
            status: p.status,
            lines: p
                .lines
                .into_iter()
                .map(|l| PlanLineBody {
                    line_no: l.line_no,
                    product_id: l.product_id,
                    model_code: l.model_code,
                    supplier_id: l.supplier_id,
                    milestones: l.milestones.into_iter().map(MilestoneBody::from).collect(),
                })
                .collect(),
            revision: p.revision,
            changes: p.changes.into_iter().map(PlanChangeBody::from).collect(),
            created_at: rfc3339(p.created_at.as_ref()),
            updated_at: rfc3339(p.updated_at.as_ref()),
        }
    }
}

fn plan_response(status: StatusCode, plan: pb::ImportPlan) -> Response {
    let (id, revision) = (plan.id, plan.revision);
    record_response(status, ImportPlanBody::from(plan), revision, &format!("/api/v1/import-plans/{id}"))
}

/// Plan a project's imports from its construction schedule: each line's milestones are netted,
/// in date order with every other plan, against free stock, what the order already holds and
/// supplier orders on the way; what is short is proposed to the supplier with an order-by date
/// (needed-by − lead time − customs/transport buffer, MOQ and pack size respected). Answers a
/// promise date per milestone and the ones that cannot make their date, with the reason. Sending
/// the same source again re-plans it; `changes` says what moved.
#[utoipa::path(post, path = "/api/v1/import-plans", tag = "import planning", request_body = ImportPlanIn,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = ImportPlanBody), BadRequest, Forbidden))]
pub async fn submit_import_plan(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    headers: HeaderMap,
    JsonBody(body): JsonBody<ImportPlanIn>,
) -> Result<Response, Problem> {
    caller.require(Action::PlanImports)?;
    let mut v = Violations::new();
    let office = office_from_text(&body.office);
    let mut lines = Vec::new();
    for (i, line) in body.lines.into_iter().enumerate() {
        let mut milestones = Vec::new();
        for (j, m) in line.milestones.into_iter().enumerate() {
            let field = format!("lines[{i}].milestones[{j}].needed_by");
            let needed_by = optional_date(&mut v, &field, Some(&m.needed_by));
            if m.needed_by.trim().is_empty() {
                v.add(field, "is required");
            }
            milestones.push(pb::Milestone { needed_by, quantity: m.quantity });
        }
        lines.push(pb::PlanLineRequest { line_no: line.line_no, product_id: line.product_id, milestones });
    }
    v.finish()?;
    let message = pb::SubmitImportPlanRequest {
        source_ref: body.source_ref,
        order_ref: body.order_ref,
        customer_id: body.customer_id,
        customer_name: body.customer_name,
        office,
        lines,
    };
    let ctx = CallContext::write(&state, &caller, &headers)?;
    let plan = ctx.call(&state.import_plans, message, |mut c, r| async move { c.submit_import_plan(r).await }).await?;
    Ok(plan_response(StatusCode::OK, plan))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
pub struct PlanQuery {
    /// open, late or closed
    pub status: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// Import plans (without their lines), oldest first.
#[utoipa::path(get, path = "/api/v1/import-plans", tag = "import planning", params(PlanQuery),
    responses((status = 200, body = ListBody<ImportPlanBody>), BadRequest, Forbidden))]
pub async fn list_import_plans(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Query(query): Query<PlanQuery>,
) -> Result<axum::Json<ListBody<ImportPlanBody>>, Problem> {
    caller.require(Action::ReadOrders)?;
    let message = pb::ListImportPlansRequest {
        status: query.status.unwrap_or_default(),
        page: page(query.limit.as_deref(), query.cursor)?,
    };
    let ctx = CallContext::read(&state, &caller);
    let page = ctx.call(&state.import_plans, message, |mut c, r| async move { c.list_import_plans(r).await }).await?;
    Ok(axum::Json(ListBody::new(page.items.into_iter().map(ImportPlanBody::from).collect(), page.next_cursor)))
}

/// One plan with its milestones, promises and what the latest re-plan moved.
#[utoipa::path(get, path = "/api/v1/import-plans/{id}", tag = "import planning", params(("id" = i64, Path)),
    responses((status = 200, body = ImportPlanBody), Forbidden, NotFound))]
pub async fn get_import_plan(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let ctx = CallContext::read(&state, &caller);
    let message = pb::GetImportPlanRequest { id };
    let plan = ctx.call(&state.import_plans, message, |mut c, r| async move { c.get_import_plan(r).await }).await?;
    Ok(plan_response(StatusCode::OK, plan))
}
