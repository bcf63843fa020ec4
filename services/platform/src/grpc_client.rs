//! Calling a sibling: lazy channels, a deadline on every call, the caller's identity and trace
//! context in metadata, and retries on `UNAVAILABLE` (safe because mutating calls carry an
//! idempotency key).

use std::future::Future;
use std::time::Duration;

use tonic::metadata::MetadataValue;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Status};

use crate::caller::{CALLER_METADATA_KEY, Caller, InternalKey};
use crate::idempotency::IDEMPOTENCY_METADATA_KEY;

pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(10);
const ATTEMPTS: u32 = 3;

/// A channel that connects on first use and reconnects by itself.
pub fn channel(address: &str) -> anyhow::Result<Channel> {
    Ok(Endpoint::from_shared(address.to_owned())?
        .connect_timeout(Duration::from_secs(3))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_while_idle(true)
        .connect_lazy())
}

pub fn attach_caller<T>(request: &mut Request<T>, key: &InternalKey, caller: &Caller) {
    if let Ok(token) = MetadataValue::try_from(key.mint(caller)) {
        request.metadata_mut().insert(CALLER_METADATA_KEY, token);
    }
    crate::telemetry::inject_into_metadata(request.metadata_mut());
}

/// A unary request with a deadline, the caller and, for mutations, the idempotency key.
pub fn request<T>(message: T, key: &InternalKey, caller: &Caller, idempotency_key: Option<&str>) -> Request<T> {
    let mut request = Request::new(message);
    request.set_timeout(DEFAULT_DEADLINE);
    attach_caller(&mut request, key, caller);
    if let Some(value) = idempotency_key.and_then(|k| MetadataValue::try_from(k).ok()) {
        request.metadata_mut().insert(IDEMPOTENCY_METADATA_KEY, value);
    }
    request
}

/// Retries a call while the callee is unavailable, with growing pauses.
pub async fn with_retry<T, F, Fut>(mut call: F) -> Result<T, Status>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Status>>,
{
    let mut pause = Duration::from_millis(50);
    let mut attempt = 1;
    loop {
        match call().await {
            Err(status) if status.code() == Code::Unavailable && attempt < ATTEMPTS => {
                tracing::debug!(attempt, message = status.message(), "callee unavailable, retrying");
                tokio::time::sleep(pause).await;
                pause *= 4;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn unavailable_is_retried_and_other_errors_are_not() {
        let calls = AtomicU32::new(0);
        let outcome: Result<(), Status> = with_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Status::unavailable("down"))
        })
        .await;
        assert_eq!(outcome.unwrap_err().code(), Code::Unavailable);
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);

        let calls = AtomicU32::new(0);
        let outcome: Result<(), Status> = with_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Status::invalid_argument("bad"))
        })
        .await;
        assert_eq!(outcome.unwrap_err().code(), Code::InvalidArgument);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
