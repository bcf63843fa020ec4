//! Every module in one process (`atq up`), each on its own loopback port and talking real gRPC,
//! as the end-to-end tests and a single-machine install run it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context;
use atq_platform::{CancellationToken, InternalKey, Peers};
use futures::FutureExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::keys;
use crate::modules::{self, MODULES, ModuleContext};

struct RunningModule {
    address: SocketAddr,
    shutdown: CancellationToken,
    task: JoinHandle<anyhow::Result<()>>,
}

pub struct System {
    config: Config,
    demo: bool,
    peers: Peers,
    internal_key: InternalKey,
    token_key: Vec<u8>,
    shutdown: CancellationToken,
    running: BTreeMap<&'static str, RunningModule>,
}

impl System {
    /// Binds every module's port first (so siblings know where to call), then starts them all.
    pub async fn start(config: Config, demo: bool) -> anyhow::Result<System> {
        let needs_data_dir = MODULES.iter().any(|m| config.database_url(m.name).starts_with("sqlite:"));
        if needs_data_dir {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("cannot create data directory {}", config.data_dir.display()))?;
        }
        let mut listeners = BTreeMap::new();
        for module in MODULES {
            let address = if module.grpc { "127.0.0.1:0" } else { config.http_addr.as_str() };
            let listener = TcpListener::bind(address)
                .await
                .with_context(|| format!("{}: cannot listen on {address}", module.name))?;
            listeners.insert(module.name, listener);
        }
        let url = |name: &str| {
            listeners.get(name).and_then(|l| l.local_addr().ok()).map(|a| format!("http://{a}")).unwrap_or_default()
        };
        let peers = Peers {
            sales: url(atq_sales::NAME),
            import_planning: url(atq_import_planning::NAME),
            accounting_warehouse: url(atq_accounting_warehouse::NAME),
            analytics: url(atq_analytics::NAME),
        };
        if let Some(key) = config.internal_key.as_deref() {
            keys::check("ATQ_INTERNAL_KEY", key, demo)?;
        }
        let internal_key = config.internal_key.as_deref().map(InternalKey::new).unwrap_or_else(InternalKey::random);
        let token_key = match config.token_key.as_deref() {
            Some(key) if !key.is_empty() => {
                keys::check("ATQ_TOKEN_KEY", key, demo)?;
                key.as_bytes().to_vec()
            }
            _ if needs_data_dir => kept_token_key(&config.data_dir)?,
            _ => uuid::Uuid::new_v4().as_bytes().to_vec(),
        };
        let mut system = System {
            config,
            demo,
            peers,
            internal_key,
            token_key,
            shutdown: CancellationToken::new(),
            running: BTreeMap::new(),
        };
        for (name, listener) in listeners {
            system.launch(name, listener)?;
        }
        Ok(system)
    }

    fn launch(&mut self, name: &'static str, listener: TcpListener) -> anyhow::Result<()> {
        let module = modules::find(name).with_context(|| format!("unknown module {name}"))?;
        let address = listener.local_addr()?;
        let shutdown = self.shutdown.child_token();
        let context = ModuleContext {
            database_url: self.config.database_url(name),
            peers: self.peers.clone(),
            internal_key: self.internal_key.clone(),
            token_key: self.token_key.clone(),
            demo: self.demo,
            admin_password: self.config.admin_password.clone(),
            trusted_proxies: self.config.trusted_proxies.clone(),
            listener,
            shutdown: shutdown.clone(),
        };
        let task = tokio::spawn((module.run)(context));
        self.running.insert(name, RunningModule { address, shutdown, task });
        Ok(())
    }

    pub fn http_addr(&self) -> Option<SocketAddr> {
        self.running.get(atq_gateway::NAME).map(|m| m.address)
    }

    pub fn peers(&self) -> &Peers {
        &self.peers
    }

    pub fn internal_key(&self) -> &InternalKey {
        &self.internal_key
    }

    /// Stops one module, letting it finish in-flight work.
    pub async fn stop_module(&mut self, name: &str) -> anyhow::Result<()> {
        let module = self.running.remove(name).with_context(|| format!("{name} is not running"))?;
        module.shutdown.cancel();
        module.task.await.context("module task panicked")?
    }

    /// Starts a stopped module again on the address it had, so its siblings find it.
    pub async fn restart_module(&mut self, name: &'static str, address: SocketAddr) -> anyhow::Result<()> {
        let listener =
            TcpListener::bind(address).await.with_context(|| format!("{name}: cannot listen on {address}"))?;
        self.launch(name, listener)
    }

    pub fn module_address(&self, name: &str) -> Option<SocketAddr> {
        self.running.get(name).map(|m| m.address)
    }

    /// Runs until `stop` resolves or a module ends by itself; a module that ends early stops the
    /// whole process, which then reports which one it was.
    pub async fn run_until(mut self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        let names: Vec<&'static str> = self.running.keys().copied().collect();
        let tasks: Vec<_> = self.running.values_mut().map(|m| (&mut m.task).boxed()).collect();
        let early_exit = tokio::select! {
            _ = stop => None,
            (outcome, index, _) = futures::future::select_all(tasks) => Some((names[index], outcome)),
        };
        let failure = early_exit.map(|(name, outcome)| {
            let reason = match outcome {
                Ok(Ok(())) => "stopped unexpectedly".to_owned(),
                Ok(Err(error)) => format!("{error:#}"),
                Err(panic) => format!("panicked: {panic}"),
            };
            self.running.remove(name);
            anyhow::anyhow!("module {name} failed: {reason}")
        });
        if let Some(error) = &failure {
            tracing::error!(error = %error, "stopping every module");
        }
        self.stop().await?;
        failure.map_or(Ok(()), Err)
    }

    /// Stops every module and waits for each to finish in-flight work.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.shutdown.cancel();
        let mut first_error = None;
        for (name, module) in std::mem::take(&mut self.running) {
            match module.task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => {
                    first_error.get_or_insert(anyhow::anyhow!("module {name} failed while stopping: {error:#}"));
                }
                Err(panic) => {
                    first_error.get_or_insert(anyhow::anyhow!("module {name} panicked: {panic}"));
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// The token key of a single-machine install, kept beside the data so sign-ins survive restarts.
fn kept_token_key(data_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join("token.key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        keys::restrict(&path)?;
        return Ok(existing.trim().as_bytes().to_vec());
    }
    let key: String = (0..2).map(|_| uuid::Uuid::new_v4().simple().to_string()).collect();
    keys::write_private(&path, &key)?;
    Ok(key.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_short_token_key_stops_the_start_outside_the_demo() {
        let folder = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: folder.path().to_owned(),
            http_addr: "127.0.0.1:0".into(),
            token_key: Some("a".into()),
            ..Config::default()
        };
        let error = System::start(config, false).await.err().expect("a one-byte key is refused");
        assert!(error.to_string().contains("ATQ_TOKEN_KEY"), "{error}");
    }
}
