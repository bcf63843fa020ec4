//! gRPC adapter for `atq.accountingwarehouse.v1.Commissions`.
//!
//! Who may: plans are the directors' (director, admin); accruals move the books, so they are
//! accounting's (WriteAccounts). A statement: a sales rep reads their own, a sales manager those
//! of their office's staff, accounting and directors everyone's. The gateway names the person
//! with their role and office (it keeps the staff); the products' categories are asked of the
//! catalog before the transaction opens.

use atq_platform::caller::Action;
use atq_platform::catalog::CatalogReader;
use atq_platform::paging::Page;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Role, idempotency};
use atq_proto::accountingwarehouse::v1 as pb;
use atq_proto::accountingwarehouse::v1::commissions_server::Commissions;
use tonic::{Request, Response, Status};

use crate::commission_rules::{self, NewPlan};
use crate::commission_store;
use crate::commissions::{self, Categories, Pricer};

pub struct CommissionsApi {
    pub db: Db,
    pub catalog: CatalogReader,
}

/// Plans say what sales staff are paid: a decision of the directors.
fn require_director(caller: &Caller) -> Result<(), Error> {
    if matches!(caller.role, Role::Director | Role::Admin) {
        Ok(())
    } else {
        Err(Error::PermissionDenied("only directors keep commission plans".into()))
    }
}

/// Whether the caller may read this person's statement.
fn may_read(caller: &Caller, staff: &pb::StaffMember) -> bool {
    match caller.role {
        Role::SalesRep => caller.username == staff.username,
        Role::SalesManager => {
            caller.username == staff.username || caller.office.is_some_and(|o| o.code() == staff.office)
        }
        _ => true,
    }
}

impl CommissionsApi {
    /// The categories of the products a month's shares name.
    async fn categories(&self, caller: &Caller, month: &str) -> Result<Categories, Error> {
        let (month, _) = commissions::month_of(month)?;
        let ids = {
            let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
            commission_store::products_of_month(&mut conn, &month).await?
        };
        let mut categories = Categories::new();
        for batch in ids.chunks(200) {
            let products = self.catalog.products(caller, batch).await?;
            for (id, product) in products {
                categories.insert(id, commission_rules::category_word(product.category).to_owned());
            }
        }
        Ok(categories)
    }

    async fn all_plans(&self) -> Result<Vec<pb::CommissionPlan>, Error> {
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        commission_store::list_plans(&mut conn, 0, i64::MAX).await
    }
}

#[tonic::async_trait]
impl Commissions for CommissionsApi {
    async fn create_commission_plan(
        &self,
        request: Request<pb::CreateCommissionPlanRequest>,
    ) -> Result<Response<pb::CommissionPlan>, Status> {
        let caller = Caller::of(&request)?;
        require_director(&caller)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let plan = NewPlan::try_from(&input)?;
        let scope = format!("commissions.CreateCommissionPlan:{}", caller.username);
        let created = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (caller, plan) = (caller.clone(), plan.clone());
            Box::pin(async move { commissions::create_plan(tx, &caller, plan).await })
        })
        .await?;
        Ok(Response::new(created))
    }

    async fn add_commission_plan_version(
        &self,
        request: Request<pb::AddCommissionPlanVersionRequest>,
    ) -> Result<Response<pb::CommissionPlan>, Status> {
        let caller = Caller::of(&request)?;
        require_director(&caller)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let terms = commission_rules::check_terms(input.terms.as_ref(), "", &mut v);
        v.finish()?;
        let terms = terms.ok_or_else(|| Error::invalid("terms", "is required"))?;
        let scope = format!("commissions.AddCommissionPlanVersion:{}", caller.username);
        let plan_id = input.plan_id;
        let plan = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (caller, terms) = (caller.clone(), terms.clone());
            Box::pin(async move { commissions::add_version(tx, &caller, plan_id, terms).await })
        })
        .await?;
        Ok(Response::new(plan))
    }

    async fn get_commission_plan(
        &self,
        request: Request<pb::GetCommissionPlanRequest>,
    ) -> Result<Response<pb::CommissionPlan>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        let id = request.into_inner().id;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let plan = commission_store::find_plan(&mut conn, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("commission plan {id}")))?;
        Ok(Response::new(plan))
    }

    async fn list_commission_plans(
        &self,
        request: Request<pb::ListCommissionPlansRequest>,
    ) -> Result<Response<pb::ListCommissionPlansResponse>, Status> {
        Caller::of(&request)?.require(Action::ReadAccounts)?;
        let input = request.into_inner();
        let mut v = Violations::new();
        let page = Page::parse(input.page.as_ref(), &mut v);
        v.finish()?;
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        let mut items = commission_store::list_plans(&mut conn, page.after_id, page.fetch_limit()).await?;
        let next_cursor = page.finish(&mut items, |item| item.id);
        Ok(Response::new(pb::ListCommissionPlansResponse { items, next_cursor }))
    }

    async fn get_commission_statement(
        &self,
        request: Request<pb::GetCommissionStatementRequest>,
    ) -> Result<Response<pb::CommissionStatement>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::ReadAccounts)?;
        let input = request.into_inner();
        let staff = input.salesperson.unwrap_or_default();
        if staff.username.trim().is_empty() {
            return Err(Error::invalid("salesperson", "is required").into());
        }
        if !may_read(&caller, &staff) {
            return Err(Error::PermissionDenied("another person's commission statement".into()).into());
        }
        let categories = self.categories(&caller, &input.month).await?;
        let plans = self.all_plans().await?;
        let pricer = Pricer { plans: &plans, categories: &categories };
        let mut conn = self.db.pool().acquire().await.map_err(Error::from)?;
        Ok(Response::new(commissions::statement(&mut conn, &pricer, &staff, &input.month).await?))
    }

    async fn run_commission_accrual(
        &self,
        request: Request<pb::RunCommissionAccrualRequest>,
    ) -> Result<Response<pb::CommissionAccrualRun>, Status> {
        let caller = Caller::of(&request)?;
        caller.require(Action::WriteAccounts)?;
        let key = idempotency::key_of(&request)?;
        let input = request.into_inner();
        let categories = self.categories(&caller, &input.month).await?;
        let plans = self.all_plans().await?;
        let scope = format!("commissions.RunCommissionAccrual:{}", caller.username);
        let (month, staff) = (input.month.clone(), input.staff.clone());
        let run = idempotency::run_once(&self.db, &scope, key.as_deref(), &input, move |tx| {
            let (caller, month, staff) = (caller.clone(), month.clone(), staff.clone());
            let (plans, categories) = (plans.clone(), categories.clone());
            Box::pin(async move {
                let pricer = Pricer { plans: &plans, categories: &categories };
                commissions::run_accrual(tx, &caller, &pricer, &month, &staff).await
            })
        })
        .await?;
        Ok(Response::new(run))
    }
}
