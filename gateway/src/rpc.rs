//! One way to call a service from a route: deadline, caller token, trace context, idempotency key
//! and retries come from the platform; errors become problems.

use std::future::Future;

use atq_platform::{Caller, grpc_client};
use axum::http::HeaderMap;
use tonic::{Request, Response, Status};

use crate::problem::Problem;
use crate::state::AppState;

pub struct CallContext<'a> {
    pub state: &'a AppState,
    pub caller: &'a Caller,
    pub idempotency_key: Option<String>,
}

impl<'a> CallContext<'a> {
    pub fn read(state: &'a AppState, caller: &'a Caller) -> Self {
        CallContext { state, caller, idempotency_key: None }
    }

    /// For mutations: the client's `Idempotency-Key`, or a fresh one so that the gateway's own
    /// retries are still safe.
    pub fn write(state: &'a AppState, caller: &'a Caller, headers: &HeaderMap) -> Result<Self, Problem> {
        let key = match headers.get("idempotency-key") {
            None => uuid::Uuid::new_v4().to_string(),
            Some(value) => {
                let key = value.to_str().map(str::trim).unwrap_or_default();
                if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
                    return Err(Problem::field("Idempotency-Key", "must be 1 to 200 visible ASCII characters"));
                }
                key.to_owned()
            }
        };
        Ok(CallContext { state, caller, idempotency_key: Some(key) })
    }

    pub async fn call<C, M, R, F, Fut>(&self, client: &C, message: M, method: F) -> Result<R, Problem>
    where
        C: Clone,
        M: Clone,
        F: Fn(C, Request<M>) -> Fut,
        Fut: Future<Output = Result<Response<R>, Status>>,
    {
        grpc_client::with_retry(|| {
            let request = grpc_client::request(
                message.clone(),
                &self.state.internal_key,
                self.caller,
                self.idempotency_key.as_deref(),
            );
            method(client.clone(), request)
        })
        .await
        .map(Response::into_inner)
        .map_err(Problem::from)
    }
}
