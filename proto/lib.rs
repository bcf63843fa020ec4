//! Generated wire types and gRPC stubs. Wire types stop at each service's edge, where they are
//! turned into checked domain types.

#![allow(clippy::all, clippy::pedantic, clippy::unwrap_used)]

pub mod atq {
    pub mod common {
        pub mod v1 {
            tonic::include_proto!("atq.common.v1");
        }
    }
    pub mod events {
        pub mod v1 {
            tonic::include_proto!("atq.events.v1");
        }
    }
    pub mod sales {
        pub mod v1 {
            tonic::include_proto!("atq.sales.v1");
        }
    }
    pub mod importplanning {
        pub mod v1 {
            tonic::include_proto!("atq.importplanning.v1");
        }
    }
    pub mod accountingwarehouse {
        pub mod v1 {
            tonic::include_proto!("atq.accountingwarehouse.v1");
        }
    }
    pub mod analytics {
        pub mod v1 {
            tonic::include_proto!("atq.analytics.v1");
        }
    }
}

pub use atq::{accountingwarehouse, analytics, common, events, importplanning, sales};

/// Encoded descriptors of every ATQ proto, for gRPC reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/atq_descriptor.bin"));
