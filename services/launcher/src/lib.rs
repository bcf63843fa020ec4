//! The `atq` launcher as a library: configuration, the module table, and the in-process system
//! that `atq up` and the end-to-end tests start.

pub mod backup;
pub mod cli;
pub mod config;
pub mod demo;
pub mod keys;
pub mod modules;
pub mod system;

pub use config::Config;
pub use system::System;
