//! The breach sweep: warnings go out when a request falls past a due time, not only when someone
//! reads it. Every replica sweeps on its own interval; the conditional mark in
//! [`crate::request_warnings::warn`] lets exactly one of them write each warning.

use std::time::Duration;

use atq_platform::business_time::now_micros;
use atq_platform::{CancellationToken, Db, Error};
use atq_proto::sales::v1 as pb;

use crate::request_store::{self, RequestRow};
use crate::{request_calendar_store, request_flow, request_warnings};

/// Seconds between sweeps; 0 turns the periodic sweep off (the internal call still sweeps).
pub const EVERY_ENV: &str = "ATQ_SALES_BREACH_SWEEP_SECONDS";
/// A breach is told within a minute of its due time.
const DEFAULT_EVERY: Duration = Duration::from_secs(60);
/// Requests read at a time, so a backlog does not hold one large result in memory.
const BATCH: i64 = 200;

/// The interval `setting` asks for (the value of [`EVERY_ENV`]), `None` when the sweep is off.
pub fn every(setting: Option<&str>) -> Result<Option<Duration>, String> {
    match setting.map(str::trim).filter(|text| !text.is_empty()) {
        None => Ok(Some(DEFAULT_EVERY)),
        Some(text) => match text.parse::<u64>() {
            Ok(0) => Ok(None),
            Ok(seconds) if seconds <= 86_400 => Ok(Some(Duration::from_secs(seconds))),
            _ => Err(format!("{EVERY_ENV} must be 0 (off) to 86400 seconds, not {text:?}")),
        },
    }
}

/// Warns for every open request past a due time at `now`; returns how many warnings this sweep
/// sent (those another sweep sent first are not counted).
pub async fn sweep(db: &Db, now: i64) -> Result<i64, Error> {
    let mut conn = db.pool().acquire().await?;
    let context = request_calendar_store::context(&mut conn).await?;
    drop(conn);
    let (mut after_id, mut warned) = (0, 0);
    loop {
        let rows = request_store::overdue(db, now, after_id, BATCH).await?;
        let Some(last) = rows.last() else { break };
        after_id = last.id;
        let full = rows.len() as i64 == BATCH;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        let mut conn = db.pool().acquire().await?;
        let mut marks = request_store::status_marks(&mut conn, &ids).await?;
        drop(conn);
        let shown: Vec<(RequestRow, pb::ServiceRequest)> = rows
            .into_iter()
            .map(|row| {
                let view = request_flow::shown(&context, &row, &marks.remove(&row.id).unwrap_or_default(), now);
                (row, view)
            })
            .collect();
        warned += request_warnings::warn(db, &shown).await?;
        if !full {
            break;
        }
    }
    if warned > 0 {
        tracing::info!(warned, "SLA breach sweep");
    }
    Ok(warned)
}

/// Sweeps every `every` until `shutdown`; a failed sweep is logged and the next one tries again.
pub async fn run(db: Db, every: Duration, shutdown: CancellationToken) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticks.tick() => {
                if let Err(error) = sweep(&db, now_micros()).await {
                    tracing::warn!(%error, "SLA breach sweep failed; the next one tries again");
                }
            }
        }
    }
}

/// Starts the periodic sweep as [`EVERY_ENV`] says, unless it is off.
pub fn start(db: &Db, shutdown: &CancellationToken) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    let setting = std::env::var(EVERY_ENV).ok();
    let every = every(setting.as_deref()).map_err(anyhow::Error::msg)?;
    Ok(every.map(|every| tokio::spawn(run(db.clone(), every, shutdown.clone()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interval_defaults_to_a_minute_and_zero_turns_it_off() {
        assert_eq!(every(None), Ok(Some(Duration::from_secs(60))));
        assert_eq!(every(Some(" ")), Ok(Some(Duration::from_secs(60))));
        assert_eq!(every(Some("15")), Ok(Some(Duration::from_secs(15))));
        assert_eq!(every(Some("0")), Ok(None));
        assert!(every(Some("-1")).is_err() && every(Some("a minute")).is_err() && every(Some("86401")).is_err());
    }
}
