//! gRPC adapter for `atq.importplanning.v1.ImportPlans`: project schedules in, promises and
//! supplier-order proposals out.

use std::sync::Arc;

use atq_platform::caller::Action;
use atq_platform::{Caller, Error, Office, idempotency};
use atq_proto::importplanning::v1 as pb;
use atq_proto::importplanning::v1::import_plans_server::ImportPlans;
use tonic::{Request, Response, Status};

use crate::import_plan;
use crate::plan_store::{self, PlanStatus};
use crate::replanning::Planning;
use crate::sales::Sales;
use crate::status::StatusPage;
use crate::supply_terms;

pub struct ImportPlansApi {
    pub planning: Planning,
    pub sales: Sales,
}

/// Whether `caller` may see `plan`: sales staff see their own office's plans only.
fn sees(caller: &Caller, plan: &pb::ImportPlan) -> bool {
    match Office::from_proto(plan.office) {
        Ok(office) => caller.sees_office(office),
        Err(_) => caller.territory().is_none(),
    }
}

impl TryFrom<&pb::ListImportPlansRequest> for StatusPage {
    type Error = Error;

    fn try_from(input: &pb::ListImportPlansRequest) -> Result<Self, Error> {
        StatusPage::parse(&input.status, input.page.as_ref(), PlanStatus::ALL)
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
        let mut checked = import_plan::check(&self.planning.db, &input).await?;
        import_plan::bind_to_source(&self.sales, &caller, &mut checked).await?;
        let checked = Arc::new(checked);
        let scope = format!("importplanning.SubmitImportPlan:{}", caller.username);
        let planning = self.planning.clone();
        let plan = idempotency::run_once(&self.planning.db, &scope, key.as_deref(), &input, move |tx| {
            let (planning, checked) = (planning.clone(), checked.clone());
            Box::pin(async move {
                let id = import_plan::submit(&planning, tx, &checked).await?;
                import_plan::found(tx, id).await
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
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let id = request.into_inner().id;
        let mut conn = self.planning.db.pool().acquire().await.map_err(Error::from)?;
        let plan = plan_store::find(&mut conn, id)
            .await?
            .filter(|plan| sees(&caller, plan))
            .ok_or_else(|| Error::NotFound(format!("import plan {id}")))?;
        Ok(Response::new(plan))
    }

    async fn list_import_plans(
        &self,
        request: Request<pb::ListImportPlansRequest>,
    ) -> Result<Response<pb::ListImportPlansResponse>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadOrders)?;
        let filter = StatusPage::try_from(request.get_ref())?;
        let office = caller.territory();
        let mut items = plan_store::list(self.planning.db.pool(), &filter.status, office, filter.page).await?;
        let next_cursor = filter.page.finish(&mut items, |p| p.id);
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
        let products = supply_terms::check(&self.planning.db, &input.terms).await?;
        let mut tx = self.planning.db.begin().await.map_err(Error::from)?;
        supply_terms::set(&self.planning, &mut tx, &input.terms, products, &caller.username).await?;
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
