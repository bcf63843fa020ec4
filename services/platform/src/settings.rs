//! What a service needs to start: its own database, where its siblings are, and the shared key.

use crate::caller::InternalKey;
use crate::peers::Peers;

#[derive(Clone, Debug)]
pub struct ServiceSettings {
    pub database_url: String,
    pub peers: Peers,
    pub internal_key: InternalKey,
}
