//! Configuration: defaults, then an optional TOML file, then `ATQ_*` environment variables (for
//! example `ATQ_SALES_DATABASE_URL`, `ATQ_HTTP_ADDR`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use atq_platform::telemetry::LogFormat;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::{Figment, Provider};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Where the embedded SQLite files live when no database URL is given.
    pub data_dir: PathBuf,
    /// The gateway's HTTP address.
    pub http_addr: String,
    /// The gRPC address of a service started with `atq serve <service>`.
    pub grpc_addr: String,
    /// `/metrics` and `/healthz` of a service started with `atq serve <service>`.
    pub metrics_addr: String,
    pub log_format: LogFormat,
    /// Shared by the gateway and the services to sign caller identities. Required when they run
    /// in separate processes; `atq up` makes one when it is absent.
    pub internal_key: Option<String>,
    /// Signs people's access tokens. `atq up` keeps one in the data directory when absent.
    pub token_key: Option<String>,
    /// Creates the `admin` user with this password when no user exists.
    pub admin_password: Option<String>,
    /// Proxies in front of the gateway whose `X-Forwarded-For` is believed, as addresses and
    /// networks separated by commas (`10.0.0.0/8, fd00::/8`); none by default.
    pub trusted_proxies: String,
    pub sales_database_url: Option<String>,
    pub import_planning_database_url: Option<String>,
    pub accounting_warehouse_database_url: Option<String>,
    pub analytics_database_url: Option<String>,
    pub gateway_database_url: Option<String>,
    /// Where the services answer (`http://host:port`), for processes started separately.
    pub sales_addr: Option<String>,
    pub import_planning_addr: Option<String>,
    pub accounting_warehouse_addr: Option<String>,
    pub analytics_addr: Option<String>,
    /// How often `atq up` backs up the data directory into `<data_dir>/backups/` (`6h`, `30m`,
    /// `1d`), or `off`.
    pub backup_every: String,
    /// How many scheduled backups to keep; older ones are removed.
    pub backup_keep: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./data"),
            http_addr: "127.0.0.1:8080".into(),
            grpc_addr: "0.0.0.0:50051".into(),
            metrics_addr: "0.0.0.0:9090".into(),
            log_format: LogFormat::Text,
            internal_key: None,
            token_key: None,
            admin_password: None,
            trusted_proxies: String::new(),
            sales_database_url: None,
            import_planning_database_url: None,
            accounting_warehouse_database_url: None,
            analytics_database_url: None,
            gateway_database_url: None,
            sales_addr: None,
            import_planning_addr: None,
            accounting_warehouse_addr: None,
            analytics_addr: None,
            backup_every: "6h".into(),
            backup_keep: 28,
        }
    }
}

/// What precedes a field's upper-case name in the variable that sets it (`ATQ_HTTP_ADDR`).
pub const ENV_PREFIX: &str = "ATQ_";

impl Config {
    /// The keys a configuration file may set: the fields of `Config::default()` as figment
    /// serialises them, which are also what `ATQ_*` variables name.
    pub fn keys() -> Vec<String> {
        let defaults = Figment::from(Serialized::defaults(Config::default()));
        let data = defaults.data().unwrap_or_default();
        data.values().flat_map(|dict| dict.keys().cloned()).collect()
    }

    /// The environment variables the configuration reads: `ATQ_` and a key in upper case.
    pub fn env_variables() -> Vec<String> {
        Config::keys().iter().map(|key| format!("{ENV_PREFIX}{}", key.to_uppercase())).collect()
    }

    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file("atq.toml")),
        }
        figment.merge(Env::prefixed(ENV_PREFIX)).extract().context("bad configuration")
    }

    /// The database of a module: its configured URL, or its SQLite file in the data directory.
    pub fn database_url(&self, module: &str) -> String {
        let configured = match module {
            "sales" => &self.sales_database_url,
            "import-planning" => &self.import_planning_database_url,
            "accounting-warehouse" => &self.accounting_warehouse_database_url,
            "analytics" => &self.analytics_database_url,
            _ => &self.gateway_database_url,
        };
        configured
            .clone()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| atq_platform::Db::sqlite_url(&self.data_dir, module))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_a_key_and_an_environment_variable() {
        let keys = Config::keys();
        assert_eq!(keys.len(), 20, "{keys:?}");
        assert!(keys.contains(&"sales_database_url".to_owned()), "fields left unset are keys too: {keys:?}");
        assert!(Config::env_variables().contains(&"ATQ_HTTP_ADDR".to_owned()));
    }
}
