//! Demo data: a company that lives. Everything is created through the services' own gRPC APIs
//! (so every rule holds and the feeds carry it), as the employee who would do it, each record
//! under a fixed idempotency key and each step taken only from the state it starts from: loading
//! twice adds nothing. The data is fixed, so every load asks for the same records.

mod activities;
mod bonuses;
mod catalog;
mod commissions;
mod costing;
mod crm_contacts;
mod customers;
mod dealers;
mod discussion;
mod money;
mod opportunities;
mod orders;
mod planning;
mod prices;
mod promotions;
mod returns;
mod sales;
mod sales_reports;
mod service_requests;
mod stock;
mod targets;
mod warranty;

use std::time::{Duration, Instant};

use atq_platform::{Caller, InternalKey, Office, Peers, Role, grpc_client};
use atq_proto::common::v1::Office as WireOffice;
use tonic::transport::Channel;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use catalog::Catalog;
use customers::Customer;

/// The services' channels and the key that lets the demo speak for the employees.
pub(crate) struct Services {
    pub key: InternalKey,
    pub sales: Channel,
    pub planning: Channel,
    pub accounts: Channel,
}

impl Services {
    /// One call as `caller`, retried while the callee is unavailable; the reply's message.
    pub async fn call<C, M, R, F, Fut>(
        &self,
        client: &C,
        caller: &Caller,
        idempotency_key: Option<&str>,
        message: M,
        method: F,
    ) -> Result<R, tonic::Status>
    where
        C: Clone,
        M: Clone,
        F: Fn(C, tonic::Request<M>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<R>, tonic::Status>>,
    {
        let reply = grpc_client::with_retry(|| {
            let request = grpc_client::request(message.clone(), &self.key, caller, idempotency_key);
            method(client.clone(), request)
        })
        .await?;
        Ok(reply.into_inner())
    }
}

fn employee(username: &str, role: Role, office: Option<Office>) -> Caller {
    Caller { username: username.into(), role, office }
}

/// The import-export department's officer, who keeps the catalog, rates, prices and plans.
pub(crate) fn import_officer() -> Caller {
    employee("import", Role::ImportOfficer, Some(Office::HaNoi))
}

pub(crate) fn director() -> Caller {
    employee("director", Role::Director, None)
}

pub(crate) fn accountant() -> Caller {
    employee("accountant", Role::Accountant, Some(Office::HaNoi))
}

pub(crate) fn warehouse_keeper() -> Caller {
    employee("warehouse", Role::WarehouseKeeper, Some(Office::HaNoi))
}

/// The salesperson of an office, who enters its customers, quotes, contracts and orders.
pub(crate) fn seller_of(office: WireOffice) -> Caller {
    match office {
        WireOffice::Hcm => employee("sales.hcm", Role::SalesRep, Some(Office::HoChiMinh)),
        WireOffice::Dl => employee("sales.dl", Role::SalesRep, Some(Office::DaLat)),
        _ => employee("sales.hn", Role::SalesRep, Some(Office::HaNoi)),
    }
}

/// Waits for each service to be serving, then creates whatever of the demo company is missing.
pub async fn load(peers: &Peers, key: &InternalKey) -> anyhow::Result<()> {
    let started = Instant::now();
    let services = Services {
        key: key.clone(),
        sales: grpc_client::channel(&peers.sales)?,
        planning: grpc_client::channel(&peers.import_planning)?,
        accounts: grpc_client::channel(&peers.accounting_warehouse)?,
    };
    for channel in [&services.planning, &services.sales, &services.accounts] {
        wait_until_serving(HealthClient::new(channel.clone())).await?;
    }
    // Independent services and number series load side by side; each series is still filled in
    // a fixed order, so the numbers come out the same every time.
    let (catalog, customers) = tokio::try_join!(
        async {
            let catalog = catalog::load(services.planning.clone(), key).await?;
            costing::load(services.planning.clone(), key).await?;
            anyhow::Ok(catalog)
        },
        customers::load(services.sales.clone(), key),
    )?;
    let ((), (), (), contracts) = tokio::try_join!(
        money::set_credit_terms(&services, &customers),
        stock::load(&services, &catalog),
        prices::load(&services, &catalog),
        sales::contracts(&services, &customers),
    )?;
    // Contract plans come before the orders, so the project orders under them join them.
    let (quotes, ()) = tokio::try_join!(
        sales::quotes(&services, &catalog, &customers),
        planning::load(&services, &catalog, &customers, &contracts),
    )?;
    let shipped = orders::load(&services, &catalog, &customers, &contracts, &quotes).await?;
    money::load(&services, &shipped).await?;
    returns::load(&services, &catalog, &shipped).await?;
    warranty::load(&services, &catalog).await?;
    crm_contacts::load(&services, &customers).await?;
    opportunities::load(&services, &catalog, &customers).await?;
    discussion::load(&services, &customers).await?;
    activities::load(&services, &customers).await?;
    sales_reports::load(&services, &customers).await?;
    targets::load(&services).await?;
    dealers::load(&services, &customers).await?;
    bonuses::load(&services).await?;
    commissions::load(&services).await?;
    service_requests::load(&services, &customers).await?;
    promotions::load(&services, &catalog, &customers).await?;
    tracing::info!(
        customers = customers.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo company loaded"
    );
    Ok(())
}

async fn wait_until_serving(mut health: HealthClient<Channel>) -> anyhow::Result<()> {
    for _ in 0..300 {
        let mut request = tonic::Request::new(HealthCheckRequest { service: String::new() });
        request.set_timeout(Duration::from_secs(1));
        if let Ok(response) = health.check(request).await
            && response.get_ref().status == ServingStatus::Serving as i32
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("a service did not become ready within 30 seconds")
}
