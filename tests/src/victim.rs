//! The system in a process of its own (`atq-fault-victim`), for the tests that kill it with
//! SIGKILL mid-write and start it again on the same databases.

use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::{ServerDatabase, TestSystem, english_client};

const MODULES: [&str; 5] = ["sales", "import-planning", "accounting-warehouse", "analytics", "gateway"];

/// The databases the victim runs on across its lives: SQLite files in a data directory, or one
/// new database per module on a PostgreSQL server (dropped by [`VictimDatabases::drop`]).
pub struct VictimDatabases {
    data_dir: tempfile::TempDir,
    urls: Vec<String>,
    server: Vec<ServerDatabase>,
}

/// One life of the victim: the process and the system it serves, reached over HTTP.
pub struct Victim {
    process: Child,
    pub system: TestSystem,
}

impl VictimDatabases {
    pub async fn new(postgres: Option<&str>) -> anyhow::Result<VictimDatabases> {
        let data_dir = tempfile::Builder::new().prefix("atq-victim-").tempdir()?;
        let (mut urls, mut server) = (Vec::new(), Vec::new());
        if let Some(postgres) = postgres {
            for module in MODULES {
                let database = ServerDatabase::create(postgres, module).await?;
                urls.push(format!("{module}={}", database.url));
                server.push(database);
            }
        }
        Ok(VictimDatabases { data_dir, urls, server })
    }

    /// Starts the victim (`program` is the test's `env!("CARGO_BIN_EXE_atq-fault-victim")`) and
    /// waits until it is ready.
    pub async fn spawn(&self, program: &str) -> anyhow::Result<Victim> {
        let mut process = Command::new(program)
            .arg(self.data_dir.path())
            .args(&self.urls)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {program}"))?;
        let stdout = process.stdout.take().context("the victim's output")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await? {
                if let Some(base) = line.strip_prefix("listening ") {
                    return anyhow::Ok(base.to_owned());
                }
            }
            anyhow::bail!("the victim ended before it listened")
        })
        .await
        .context("the victim did not listen within 60 s")??;
        let system = TestSystem {
            system: None,
            base,
            http: english_client(),
            databases: Vec::new(),
            _scratch: Vec::new(),
            server_databases: Vec::new(),
            _data_dir: None,
        };
        system.wait_until_ready().await?;
        Ok(Victim { process, system })
    }

    pub async fn drop(self) {
        for database in self.server {
            if let Err(error) = database.drop().await {
                eprintln!("could not drop a victim's database: {error:#}");
            }
        }
    }
}

impl Victim {
    /// SIGKILL: no shutdown, no flush, whatever was in flight is cut.
    pub async fn kill(mut self) {
        let _ = self.process.kill().await;
    }
}
