//! `atq up` runs everything in one process; `atq serve <module>` runs one (containers,
//! Kubernetes); `atq migrate` brings databases up to date.

use anyhow::Context;
use atq_launcher::cli::{Cli, Command, UserCommand};
use atq_launcher::{Config, System, backup, demo, keys, modules};
use atq_platform::telemetry::{self, LogFormat};
use atq_platform::{CancellationToken, InternalKey, Peers};
use clap::Parser;
use tokio::net::TcpListener;

fn main() -> anyhow::Result<()> {
    give_large_blocks_back();
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run_cli())
}

/// glibc raises its mmap threshold each time a mapped block is freed, up to 32 MiB, after which
/// blocks of that size come from the heap and stay with the process: every password hash (19 MiB
/// of working memory) grew the process by that much, for good (599 MiB after 10,000 sign-ins).
/// A fixed threshold stops the rise, so large blocks are mapped and returned when freed (74 MiB
/// after the same sign-ins). Set before any thread starts, as `mallopt` requires.
#[allow(unsafe_code)]
fn give_large_blocks_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a parameter of the allocator; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

async fn run_cli() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(format) = cli.log_format.as_deref() {
        config.log_format = if format == "json" { LogFormat::Json } else { LogFormat::Text };
    }
    let process_name = match &cli.command {
        Command::Serve { module, .. } => format!("atq-{module}"),
        _ => "atq".to_owned(),
    };
    telemetry::init(config.log_format, &process_name)?;
    atq_platform::metrics::install();
    let outcome = run(cli.command, config).await;
    telemetry::shutdown();
    outcome
}

async fn run(command: Command, mut config: Config) -> anyhow::Result<()> {
    match command {
        Command::Up { data_dir, http, demo, backup_every, backup_keep } => {
            if let Some(dir) = data_dir {
                config.data_dir = dir;
            }
            config.backup_every = backup_every.unwrap_or(config.backup_every);
            config.backup_keep = backup_keep.unwrap_or(config.backup_keep);
            if let Some(http) = http {
                config.http_addr = http;
            }
            up(config, demo).await
        }
        Command::Serve { module, listen } => serve(config, &module, listen).await,
        Command::Migrate { modules: names } => {
            let names =
                if names.is_empty() { modules::MODULES.iter().map(|m| m.name.to_owned()).collect() } else { names };
            for name in names {
                modules::migrate(&name, &config.database_url(&name)).await?;
                tracing::info!(module = %name, "migrated");
            }
            Ok(())
        }
        Command::Backup { data_dir, to } => backup::commands::backup(config, data_dir, &to).await,
        Command::Restore { from, data_dir, check } => backup::commands::restore(config, from, data_dir, check).await,
        Command::User { action: UserCommand::Add { username, name, role, office, data_dir } } => {
            if let Some(dir) = data_dir {
                config.data_dir = dir;
            }
            let db = atq_gateway::open_database(&config.database_url(atq_gateway::NAME)).await?;
            let added = atq_gateway::users::add_from_command_line(&db, &username, &name, &role, &office).await;
            db.close().await;
            let temporary = added?;
            println!("added {username}; temporary password (to change at the first sign-in): {temporary}");
            Ok(())
        }
    }
}

async fn up(config: Config, demo: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let backups = backup::schedule::ScheduledBackups::start(&config)?;
    let system = System::start(config, demo).await?;
    if demo {
        demo::load(system.peers(), system.internal_key()).await?;
    }
    if let Some(address) = system.http_addr() {
        wait_until_ready(address).await?;
        tracing::info!(%address, startup_ms = started.elapsed().as_millis() as u64, "atq is up: http://{address}/api/openapi.json");
    }
    let outcome = system.run_until(shutdown_signal()).await;
    backups.stop().await;
    outcome
}

/// "Up" means answering: waits until the gateway's `/readyz` says its database and every service
/// answer their health checks, so whoever reads the log line can use the system at once.
async fn wait_until_ready(address: std::net::SocketAddr) -> anyhow::Result<()> {
    let url = format!("http://{address}/readyz");
    let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(3)).build()?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match client.get(&url).send().await {
            Ok(response) if response.status().is_success() => return Ok(()),
            outcome if std::time::Instant::now() >= deadline => {
                let why = match outcome {
                    Ok(response) => format!("it answers {}", response.status()),
                    Err(error) => error.to_string(),
                };
                anyhow::bail!("the system is not ready after 60 s ({url}: {why})");
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
}

async fn serve(config: Config, name: &str, listen: Option<String>) -> anyhow::Result<()> {
    // Replicas of a module run as separate processes: their feeds must hear each other's events.
    atq_platform::outbox_wake::listen_across_processes();
    let module =
        modules::find(name).with_context(|| format!("unknown module {name}; expected one of {}", modules::names()))?;
    let address =
        listen.unwrap_or_else(|| if module.grpc { config.grpc_addr.clone() } else { config.http_addr.clone() });
    let listener = TcpListener::bind(&address).await.with_context(|| format!("cannot listen on {address}"))?;
    let internal_key = config
        .internal_key
        .as_deref()
        .filter(|key| !key.is_empty())
        .map(InternalKey::new)
        .context("ATQ_INTERNAL_KEY is required when modules run in separate processes")?;
    keys::check("ATQ_INTERNAL_KEY", config.internal_key.as_deref().unwrap_or_default(), false)?;
    let token_key = match (module.grpc, config.token_key.as_deref()) {
        (true, _) => Vec::new(),
        (false, Some(key)) if !key.is_empty() => {
            keys::check("ATQ_TOKEN_KEY", key, false)?;
            key.as_bytes().to_vec()
        }
        (false, _) => anyhow::bail!("ATQ_TOKEN_KEY is required to run the gateway on its own"),
    };
    let peer = |addr: &Option<String>, what: &str| addr.clone().unwrap_or_else(|| format!("http://{what}:50051"));
    let peers = Peers {
        sales: peer(&config.sales_addr, "sales"),
        import_planning: peer(&config.import_planning_addr, "import-planning"),
        accounting_warehouse: peer(&config.accounting_warehouse_addr, "accounting-warehouse"),
        analytics: peer(&config.analytics_addr, "analytics"),
    };
    let shutdown = CancellationToken::new();
    let context = modules::ModuleContext {
        database_url: config.database_url(name),
        peers,
        internal_key,
        token_key,
        demo: false,
        admin_password: config.admin_password.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
        listener,
        shutdown: shutdown.clone(),
    };
    let mut task = tokio::spawn((module.run)(context));
    if module.grpc {
        let metrics_listener = TcpListener::bind(&config.metrics_addr)
            .await
            .with_context(|| format!("cannot listen on {} for metrics", config.metrics_addr))?;
        tokio::spawn(serve_metrics(metrics_listener, shutdown.clone()));
    }
    tokio::select! {
        outcome = &mut task => return outcome.context("module panicked")?,
        _ = shutdown_signal() => shutdown.cancel(),
    }
    task.await.context("module panicked")?
}

/// A service's own `/metrics` and `/healthz` when it runs alone (in `up`, the gateway serves the
/// metrics of the whole process).
async fn serve_metrics(listener: TcpListener, shutdown: CancellationToken) {
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(|| async { atq_platform::metrics::render() }))
        .route("/healthz", axum::routing::get(|| async { "ok\n" }));
    if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await {
        tracing::error!(error = %error, "metrics listener failed");
    }
}

/// Ctrl-C or SIGTERM (what Kubernetes sends before it kills a pod).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
