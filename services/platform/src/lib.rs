//! What every ATQ process stands on: storage on SQLite or PostgreSQL, the transactional outbox and
//! its feed, idempotency records, gapless numbering, the error table shared by gRPC and HTTP,
//! caller identity between services, and telemetry.

pub mod allocation;
pub mod business_time;
pub mod caller;
pub mod catalog;
pub mod currency;
pub mod db;
pub mod error;
pub mod feed_consumer;
pub mod grpc_client;
pub mod grpc_server;
pub mod idempotency;
pub mod limits;
pub mod log_writer;
pub mod metrics;
pub mod migrations;
pub mod numbering;
pub mod office;
pub mod outbox;
pub mod outbox_wake;
pub mod paging;
pub mod peers;
pub mod search_text;
pub mod settings;
pub mod status;
pub mod telemetry;
pub mod testing;
pub mod validation;
pub mod write_gate;

pub use caller::{Caller, InternalKey, Role};
pub use db::{Backend, Db, Tx};
pub use error::{Error, ErrorCode, FieldError, Result};
pub use office::Office;
pub use peers::Peers;
pub use tokio_util::sync::CancellationToken;

/// For [`text_status!`]: the crates that use it need not name anyhow themselves.
#[doc(hidden)]
pub use anyhow as __anyhow;
