//! The modules one `atq` process can run, as data: a name and how to start it.

use atq_platform::settings::ServiceSettings;
use atq_platform::{CancellationToken, InternalKey, Peers};
use futures::future::BoxFuture;
use tokio::net::TcpListener;

/// What a module is given to run.
pub struct ModuleContext {
    pub database_url: String,
    pub peers: Peers,
    pub internal_key: InternalKey,
    pub token_key: Vec<u8>,
    pub demo: bool,
    pub admin_password: Option<String>,
    /// The gateway's: proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: String,
    pub listener: TcpListener,
    pub shutdown: CancellationToken,
}

pub struct Module {
    pub name: &'static str,
    /// Speaks gRPC to its siblings (all but the gateway).
    pub grpc: bool,
    /// The modules it calls, and so the `ATQ_<MODULE>_ADDR` it needs when it runs alone:
    /// analytics reads the sales and import-planning event feeds; the gateway calls every service.
    pub calls: &'static [&'static str],
    pub run: fn(ModuleContext) -> BoxFuture<'static, anyhow::Result<()>>,
}

fn service_settings(ctx: &ModuleContext) -> ServiceSettings {
    ServiceSettings {
        database_url: ctx.database_url.clone(),
        peers: ctx.peers.clone(),
        internal_key: ctx.internal_key.clone(),
    }
}

/// The modules that serve gRPC, in the order `MODULES` lists them.
const SERVICES: &[&str] =
    &[atq_sales::NAME, atq_import_planning::NAME, atq_accounting_warehouse::NAME, atq_analytics::NAME];

pub const MODULES: &[Module] = &[
    Module {
        name: atq_sales::NAME,
        grpc: true,
        calls: &[],
        run: |ctx| Box::pin(async move { atq_sales::serve(service_settings(&ctx), ctx.listener, ctx.shutdown).await }),
    },
    Module {
        name: atq_import_planning::NAME,
        grpc: true,
        calls: &[],
        run: |ctx| {
            Box::pin(
                async move { atq_import_planning::serve(service_settings(&ctx), ctx.listener, ctx.shutdown).await },
            )
        },
    },
    Module {
        name: atq_accounting_warehouse::NAME,
        grpc: true,
        calls: &[],
        run: |ctx| {
            Box::pin(async move {
                atq_accounting_warehouse::serve(service_settings(&ctx), ctx.listener, ctx.shutdown).await
            })
        },
    },
    Module {
        name: atq_analytics::NAME,
        grpc: true,
        calls: &[atq_sales::NAME, atq_import_planning::NAME],
        run: |ctx| {
            Box::pin(async move { atq_analytics::serve(service_settings(&ctx), ctx.listener, ctx.shutdown).await })
        },
    },
    Module {
        name: atq_gateway::NAME,
        grpc: false,
        calls: SERVICES,
        run: |ctx| {
            Box::pin(async move {
                let settings = atq_gateway::GatewaySettings {
                    database_url: ctx.database_url,
                    peers: ctx.peers,
                    internal_key: ctx.internal_key,
                    token_key: ctx.token_key,
                    demo_users: ctx.demo,
                    admin_password: ctx.admin_password,
                    trusted_proxies: ctx.trusted_proxies,
                };
                let limits = atq_gateway::HttpLimits::default();
                atq_gateway::serve_with(settings, limits, ctx.listener, ctx.shutdown, atq_web::with_ui).await
            })
        },
    },
];

pub fn find(name: &str) -> Option<&'static Module> {
    MODULES.iter().find(|module| module.name == name)
}

pub fn names() -> String {
    MODULES.iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
}

/// Applies a module's migrations without serving.
pub async fn migrate(name: &str, database_url: &str) -> anyhow::Result<()> {
    let db = match name {
        atq_sales::NAME => atq_sales::open_database(database_url).await?,
        atq_import_planning::NAME => atq_import_planning::open_database(database_url).await?,
        atq_accounting_warehouse::NAME => atq_accounting_warehouse::open_database(database_url).await?,
        atq_analytics::NAME => atq_analytics::open_database(database_url).await?,
        atq_gateway::NAME => atq_gateway::open_database(database_url).await?,
        other => anyhow::bail!("unknown module {other}; expected one of {}", names()),
    };
    db.close().await;
    Ok(())
}
