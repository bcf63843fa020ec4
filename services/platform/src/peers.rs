//! Where the sibling services answer. In `atq up` these are loopback ports chosen at start; in a
//! cluster, service names from the environment.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Peers {
    pub sales: String,
    pub import_planning: String,
    pub accounting_warehouse: String,
    pub analytics: String,
}
