//! The system in a process of its own, for the fault tests to kill with SIGKILL and start again
//! on the same databases: `atq-fault-victim <data_dir> [<module>=<database url>]...`. It prints
//! `listening http://<address>` once the gateway listens, then runs until it is killed.

use anyhow::Context;
use atq_launcher::{Config, System};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let data_dir = args.next().context("usage: atq-fault-victim <data_dir> [<module>=<url>]...")?;
    let mut config = Config { http_addr: "127.0.0.1:0".into(), data_dir: data_dir.into(), ..Config::default() };
    for database in args {
        let (module, url) = database.split_once('=').context("a database is given as <module>=<url>")?;
        let slot = match module {
            "sales" => &mut config.sales_database_url,
            "import-planning" => &mut config.import_planning_database_url,
            "accounting-warehouse" => &mut config.accounting_warehouse_database_url,
            "analytics" => &mut config.analytics_database_url,
            "gateway" => &mut config.gateway_database_url,
            other => anyhow::bail!("unknown module {other}"),
        };
        *slot = Some(url.to_owned());
    }
    let system = System::start(config, true).await?;
    println!("listening http://{}", system.http_addr().context("the gateway's address")?);
    std::future::pending::<()>().await;
    Ok(())
}
