//! Exchange-rate and duty-rate rows.

use std::collections::BTreeMap;

use atq_platform::business_time::{date_to_proto, now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::{Db, Error, Tx};
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::landed_cost::Rate;

fn rate_from_row(row: &AnyRow) -> Result<pb::ExchangeRate> {
    let effective_on: String = row.try_get("effective_on")?;
    let date: NaiveDate = effective_on
        .parse()
        .map_err(|_| Error::internal(anyhow::anyhow!("stored rate has bad date {effective_on:?}")))?;
    Ok(pb::ExchangeRate {
        currency: row.try_get("currency")?,
        effective_on: Some(date_to_proto(date)),
        rate_e4: row.try_get("rate_e4")?,
        source: row.try_get("source")?,
        entered_by: row.try_get("entered_by")?,
        entered_at: Some(to_timestamp(row.try_get("entered_at")?)),
    })
}

const RATE: &str = "currency, effective_on, rate_e4, source, entered_by, entered_at";

pub enum Outcome {
    Created,
    Changed,
    Unchanged,
}

/// One rate per currency and day: a new value replaces the old (a correction), the same is a no-op.
/// Returns what happened and the rate as stored.
#[tracing::instrument(level = "debug", skip(tx, source, by))]
pub async fn upsert(
    tx: &mut Tx,
    currency: &str,
    on: NaiveDate,
    rate_e4: i64,
    source: &str,
    by: &str,
) -> Result<(Outcome, pb::ExchangeRate)> {
    let day = on.to_string();
    let existing = sqlx::query(&format!("SELECT {RATE} FROM exchange_rates WHERE currency = $1 AND effective_on = $2"))
        .bind(currency)
        .bind(&day)
        .fetch_optional(&mut **tx)
        .await?;
    let existing = existing.as_ref().map(rate_from_row).transpose()?;
    if let Some(stored) = &existing
        && stored.rate_e4 == rate_e4
        && (source.is_empty() || source == stored.source)
    {
        return Ok((Outcome::Unchanged, stored.clone()));
    }
    let now = now_micros();
    let sql = if existing.is_some() {
        "UPDATE exchange_rates SET rate_e4 = $3, source = $4, entered_by = $5, entered_at = $6 \
         WHERE currency = $1 AND effective_on = $2"
    } else {
        "INSERT INTO exchange_rates (currency, effective_on, rate_e4, source, entered_by, entered_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (currency, effective_on) DO NOTHING"
    };
    sqlx::query(sql).bind(currency).bind(&day).bind(rate_e4).bind(source).bind(by).bind(now).execute(&mut **tx).await?;
    let outcome = if existing.is_some() { Outcome::Changed } else { Outcome::Created };
    let stored = pb::ExchangeRate {
        currency: currency.to_owned(),
        effective_on: Some(date_to_proto(on)),
        rate_e4,
        source: source.to_owned(),
        entered_by: by.to_owned(),
        entered_at: Some(to_timestamp(now)),
    };
    Ok((outcome, stored))
}

/// The history of one currency (or all), newest first.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn history(db: &Db, currency: &str) -> Result<Vec<pb::ExchangeRate>> {
    let rows = sqlx::query(&format!(
        "SELECT {RATE} FROM exchange_rates WHERE ($1 = '' OR currency = $1) ORDER BY currency, effective_on DESC LIMIT 2000"
    ))
    .bind(currency)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(rate_from_row).collect()
}

/// The rate of each currency in force on `on`: its latest from that day or before.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn in_force(db: &Db, on: NaiveDate) -> Result<Vec<pb::ExchangeRate>> {
    let rows = sqlx::query(&format!(
        "SELECT {RATE} FROM exchange_rates r WHERE effective_on = (SELECT MAX(effective_on) FROM exchange_rates x \
         WHERE x.currency = r.currency AND x.effective_on <= $1) ORDER BY currency"
    ))
    .bind(on.to_string())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(rate_from_row).collect()
}

/// Rates in force on `on` as the landed-cost computation takes them.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn rates_for(db: &Db, on: NaiveDate) -> Result<BTreeMap<String, Rate>> {
    let mut rates = BTreeMap::new();
    for rate in in_force(db, on).await? {
        let effective_on =
            rate.effective_on.as_ref().and_then(|d| atq_platform::business_time::date_from_proto(d).ok()).unwrap_or(on);
        rates.insert(rate.currency.clone(), Rate { rate_e4: rate.rate_e4, effective_on, source: rate.source });
    }
    Ok(rates)
}

#[tracing::instrument(level = "debug", skip(tx, note))]
pub async fn set_duty(tx: &mut Tx, hs_prefix: &str, rate_bp: i64, note: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO duty_rates (hs_prefix, rate_bp, note) VALUES ($1, $2, $3) \
         ON CONFLICT (hs_prefix) DO UPDATE SET rate_bp = excluded.rate_bp, note = excluded.note",
    )
    .bind(hs_prefix)
    .bind(rate_bp)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn duty_rates(db: &Db) -> Result<Vec<pb::DutyRate>> {
    let rows: Vec<(String, i64, String)> =
        sqlx::query_as("SELECT hs_prefix, rate_bp, note FROM duty_rates ORDER BY hs_prefix")
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(hs_prefix, rate_bp, note)| pb::DutyRate { hs_prefix, rate_bp: rate_bp as i32, note })
        .collect())
}

/// The duty rate for an HS code: the longest prefix on file.
pub fn duty_for(rates: &[pb::DutyRate], hs_code: &str) -> Option<i64> {
    let digits = crate::rates::hs_digits(hs_code);
    rates
        .iter()
        .filter(|r| !r.hs_prefix.is_empty() && digits.starts_with(&r.hs_prefix))
        .max_by_key(|r| r.hs_prefix.len())
        .map(|r| i64::from(r.rate_bp))
}
