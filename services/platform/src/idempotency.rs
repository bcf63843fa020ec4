//! Safe retries. A mutating call may carry an idempotency key; the first response is stored in the
//! same transaction as the change, and a retry with the same key and the same request gets that
//! response back instead of a second change. The same key with another request is refused.

use futures::future::BoxFuture;
use prost::Message;
use sha2::{Digest, Sha256};

use crate::business_time::now_micros;
use crate::db::{Db, Tx};
use crate::error::{Error, Result};

pub const IDEMPOTENCY_METADATA_KEY: &str = "idempotency-key";
const MAX_KEY_LEN: usize = 200;

/// The key a request carries in its metadata, if any.
pub fn key_of<T>(request: &tonic::Request<T>) -> Result<Option<String>> {
    let Some(value) = request.metadata().get(IDEMPOTENCY_METADATA_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().map_err(|_| Error::invalid("idempotency_key", "must be printable ASCII"))?.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(Error::invalid("idempotency_key", format!("must be 1 to {MAX_KEY_LEN} characters")));
    }
    Ok(Some(key.to_owned()))
}

/// Runs `work` in a transaction, at most once per (scope, key).
///
/// `scope` names the operation and the caller, so two users' keys never collide.
pub async fn run_once<Req, Resp, F>(db: &Db, scope: &str, key: Option<&str>, request: &Req, work: F) -> Result<Resp>
where
    Req: Message,
    Resp: Message + Default,
    F: for<'t> Fn(&'t mut Tx) -> BoxFuture<'t, Result<Resp>>,
{
    let request_hash = hex_sha256(&request.encode_to_vec());
    // Two attempts: if a concurrent twin commits the same key first, the second pass replays it.
    for _ in 0..2 {
        let mut tx = db.begin().await?;
        if let Some(key) = key
            && let Some(saved) = lookup(&mut tx, scope, key, &request_hash).await?
        {
            return Ok(saved);
        }
        let response = work(&mut tx).await?;
        if let Some(key) = key {
            let stored = sqlx::query(
                "INSERT INTO idempotency_keys (scope, idem_key, request_hash, response, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(scope)
            .bind(key)
            .bind(&request_hash)
            .bind(response.encode_to_vec())
            .bind(now_micros())
            .execute(&mut *tx)
            .await;
            match stored.map_err(Error::from) {
                Ok(_) => {}
                Err(Error::Conflict(_)) => continue,
                Err(other) => return Err(other),
            }
        }
        tx.commit().await?;
        return Ok(response);
    }
    Err(Error::Unavailable("a concurrent request with the same idempotency key is in progress".into()))
}

async fn lookup<Resp: Message + Default>(
    tx: &mut Tx,
    scope: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Resp>> {
    let row: Option<(String, Vec<u8>)> =
        sqlx::query_as("SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND idem_key = $2")
            .bind(scope)
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
    match row {
        None => Ok(None),
        Some((hash, _)) if hash != request_hash => Err(Error::IdempotencyKeyReused),
        Some((_, response)) => Ok(Some(Resp::decode(response.as_slice())?)),
    }
}

/// Lower-case hex SHA-256: request fingerprints, file digests.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
