//! The command line of the `atq` binary. It lives in the library so that what reads the command
//! line from outside (the deployment files' test) asks clap itself, through
//! `clap::CommandFactory`, which commands and options exist.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The name of the binary, as `[[bin]]` in the launcher's Cargo.toml builds it.
pub const BINARY: &str = "atq";

#[derive(Parser)]
#[command(name = BINARY, version, about = "ATQ integrated enterprise system")]
pub struct Cli {
    /// TOML configuration file (default: ./atq.toml when present).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Log lines as text or json.
    #[arg(long, global = true, value_parser = ["text", "json"])]
    pub log_format: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run every service and the gateway in this process.
    Up {
        /// Where the SQLite files live.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The gateway's address.
        #[arg(long)]
        http: Option<String>,
        /// Load demo users (password `demo`) and demo data once.
        #[arg(long)]
        demo: bool,
        /// Back up the data directory into <data-dir>/backups this often (`6h`, `30m`, `1d`, `off`).
        #[arg(long)]
        backup_every: Option<String>,
        /// How many scheduled backups to keep.
        #[arg(long)]
        backup_keep: Option<usize>,
    },
    /// Run one module: sales, import-planning, accounting-warehouse, analytics or gateway.
    Serve {
        module: String,
        /// Listen address (default: grpc_addr for services, http_addr for the gateway).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply migrations of the named modules (default: all) and exit.
    Migrate { modules: Vec<String> },
    /// Back up every database of a data directory, while the system runs, into one archive.
    Backup {
        /// The data directory of the system to back up.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// The archive to write (`.tar.gz`).
        #[arg(long)]
        to: PathBuf,
    },
    /// Restore an archive into an empty data directory, checked; or `--check` databases in place.
    Restore {
        /// The archive `atq backup` wrote.
        #[arg(long, required_unless_present = "check", conflicts_with = "check")]
        from: Option<PathBuf>,
        /// The data directory to restore into (it must be empty), or to check.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Check the databases the configuration names (feeds, schema, the books) and exit.
        #[arg(long)]
        check: bool,
    },
    /// Manage the people who sign in (the first administrator of a new install).
    User {
        #[command(subcommand)]
        action: UserCommand,
    },
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user and print a temporary password, to be changed at the first sign-in.
    Add {
        /// Letters, digits, `.`, `_`, `-`.
        username: String,
        /// The person's full name.
        #[arg(long)]
        name: String,
        /// sales_rep, sales_manager, import_officer, accountant, warehouse_keeper, director or admin.
        #[arg(long)]
        role: String,
        /// HN, HCM or DL (required for sales staff).
        #[arg(long, default_value = "")]
        office: String,
        /// The data directory of the system (SQLite); a server database comes from the configuration.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
}
