//! Tier rule versions, evaluations with their checks, and tier history: one set of queries for
//! SQLite and PostgreSQL.

use atq_platform::Caller;
use atq_platform::business_time::{date_to_proto, now_micros, stored_date, to_timestamp};
use atq_platform::error::Result;
use atq_platform::{Error, Tx};
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::tier_rules::{DealerFigures, NOT_ELIGIBLE, NewRuleVersion, Tier, TierCheck, TierRule};

#[derive(Clone, Debug)]
pub struct RuleVersionRow {
    pub id: i64,
    pub name: String,
    pub effective_from: NaiveDate,
    pub rules: Vec<TierRule>,
    pub created_by: String,
    pub created_at: i64,
}

impl RuleVersionRow {
    pub fn to_proto(&self) -> pb::TierRuleVersion {
        pb::TierRuleVersion {
            id: self.id,
            name: self.name.clone(),
            effective_from: Some(date_to_proto(self.effective_from)),
            rules: self.rules.iter().map(TierRule::to_proto).collect(),
            created_by: self.created_by.clone(),
            created_at: Some(to_timestamp(self.created_at)),
        }
    }
}

fn date_of(row: &AnyRow, column: &str) -> Result<NaiveDate> {
    let text: String = row.try_get(column)?;
    stored_date(&text, column)?.ok_or_else(|| Error::internal(anyhow::anyhow!("stored {column} is empty")))
}

fn optional_tier(text: &str) -> Result<Option<Tier>> {
    if text == NOT_ELIGIBLE { Ok(None) } else { Tier::stored(text).map(Some) }
}

async fn rules_of<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, version_id: i64) -> Result<Vec<TierRule>> {
    let rows = sqlx::query(
        "SELECT tier, min_avg_lab_sales, min_growth_bp, min_big_brand_share_bp, min_staff, min_shops \
         FROM dealer_tier_rules WHERE version_id = $1 ORDER BY position",
    )
    .bind(version_id)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TierRule {
                tier: Tier::stored(&row.try_get::<String, _>("tier")?)?,
                min_avg_lab_sales: row.try_get("min_avg_lab_sales")?,
                min_growth_bp: row.try_get("min_growth_bp")?,
                min_big_brand_share_bp: row.try_get("min_big_brand_share_bp")?,
                min_staff: row.try_get("min_staff")?,
                min_shops: row.try_get("min_shops")?,
            })
        })
        .collect()
}

const VERSION_COLUMNS: &str = "id, name, effective_from, created_by, created_at";

async fn version_with_rules(tx: &mut sqlx::AnyConnection, row: &AnyRow) -> Result<RuleVersionRow> {
    let id: i64 = row.try_get("id")?;
    Ok(RuleVersionRow {
        id,
        name: row.try_get("name")?,
        effective_from: date_of(row, "effective_from")?,
        rules: rules_of(&mut *tx, id).await?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn find_version(tx: &mut sqlx::AnyConnection, id: i64) -> Result<Option<RuleVersionRow>> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM dealer_tier_rule_versions WHERE id = $1");
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await? else { return Ok(None) };
    version_with_rules(tx, &row).await.map(Some)
}

/// The version that started last on or before `day`.
pub async fn version_in_force(tx: &mut sqlx::AnyConnection, day: NaiveDate) -> Result<Option<RuleVersionRow>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM dealer_tier_rule_versions WHERE effective_from <= $1 \
         ORDER BY effective_from DESC LIMIT 1"
    );
    let Some(row) = sqlx::query(&sql).bind(day.to_string()).fetch_optional(&mut *tx).await? else { return Ok(None) };
    version_with_rules(tx, &row).await.map(Some)
}

/// Every version, the latest start first.
pub async fn list_versions(tx: &mut sqlx::AnyConnection) -> Result<Vec<RuleVersionRow>> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM dealer_tier_rule_versions ORDER BY effective_from DESC");
    let rows = sqlx::query(&sql).fetch_all(&mut *tx).await?;
    let mut versions = Vec::with_capacity(rows.len());
    for row in &rows {
        versions.push(version_with_rules(tx, row).await?);
    }
    Ok(versions)
}

/// A start date already taken by another version is a conflict.
pub async fn insert_version(tx: &mut Tx, version: &NewRuleVersion, caller: &Caller) -> Result<RuleVersionRow> {
    let effective_from = version.effective_from.to_string();
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM dealer_tier_rule_versions WHERE effective_from = $1")
        .bind(&effective_from)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(id) = taken {
        return Err(Error::Conflict(format!("rule version {id} already starts on {effective_from}")));
    }
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO dealer_tier_rule_versions (name, effective_from, created_by, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(&version.name)
    .bind(&effective_from)
    .bind(&caller.username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (position, rule) in (1_i64..).zip(&version.rules) {
        sqlx::query(
            "INSERT INTO dealer_tier_rules (version_id, position, tier, min_avg_lab_sales, min_growth_bp, \
             min_big_brand_share_bp, min_staff, min_shops) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(position)
        .bind(rule.tier.as_str())
        .bind(rule.min_avg_lab_sales)
        .bind(rule.min_growth_bp)
        .bind(rule.min_big_brand_share_bp)
        .bind(rule.min_staff)
        .bind(rule.min_shops)
        .execute(&mut **tx)
        .await?;
    }
    Ok(RuleVersionRow {
        id,
        name: version.name.clone(),
        effective_from: version.effective_from,
        rules: version.rules.clone(),
        created_by: caller.username.clone(),
        created_at: now,
    })
}

/// What an evaluation is about: a customer (0 for a prospect) and the application, if any.
#[derive(Clone, Copy, Debug)]
pub struct EvaluationSubject {
    pub customer_id: i64,
    pub application_id: i64,
}

#[derive(Clone, Debug)]
pub struct EvaluationRow {
    pub id: i64,
    pub rule_version_id: i64,
    pub rule_version_name: String,
    pub evaluated_on: NaiveDate,
    pub decided: Option<Tier>,
    pub figures: DealerFigures,
    pub checks: Vec<TierCheck>,
    pub evaluated_by: String,
    pub evaluated_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_evaluation(
    tx: &mut Tx,
    subject: EvaluationSubject,
    version: &RuleVersionRow,
    evaluated_on: NaiveDate,
    decided: Option<Tier>,
    figures: &DealerFigures,
    checks: &[TierCheck],
    caller: &Caller,
) -> Result<EvaluationRow> {
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO dealer_evaluations (customer_id, application_id, rule_version_id, evaluated_on, decided_tier, \
         avg_lab_sales, growth_bp, big_brand_share_bp, staff, shops, evaluated_by, evaluated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind((subject.customer_id > 0).then_some(subject.customer_id))
    .bind((subject.application_id > 0).then_some(subject.application_id))
    .bind(version.id)
    .bind(evaluated_on.to_string())
    .bind(Tier::text_of(decided))
    .bind(figures.avg_lab_sales)
    .bind(figures.growth_bp)
    .bind(figures.big_brand_share_bp)
    .bind(figures.staff)
    .bind(figures.shops)
    .bind(&caller.username)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for (position, check) in (1_i64..).zip(checks) {
        sqlx::query(
            "INSERT INTO dealer_evaluation_checks (evaluation_id, position, tier, condition_name, actual, required, \
             passed) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(position)
        .bind(check.tier.as_str())
        .bind(&check.condition)
        .bind(check.actual)
        .bind(check.required)
        .bind(i64::from(check.passed))
        .execute(&mut **tx)
        .await?;
    }
    Ok(EvaluationRow {
        id,
        rule_version_id: version.id,
        rule_version_name: version.name.clone(),
        evaluated_on,
        decided,
        figures: *figures,
        checks: checks.to_vec(),
        evaluated_by: caller.username.clone(),
        evaluated_at: now,
    })
}

const EVALUATION_SELECT: &str = "SELECT e.id, e.rule_version_id, v.name AS rule_version_name, e.evaluated_on, \
     e.decided_tier, e.avg_lab_sales, e.growth_bp, e.big_brand_share_bp, e.staff, e.shops, e.evaluated_by, \
     e.evaluated_at FROM dealer_evaluations e JOIN dealer_tier_rule_versions v ON v.id = e.rule_version_id";

async fn evaluation_from(tx: &mut sqlx::AnyConnection, row: &AnyRow) -> Result<EvaluationRow> {
    let id: i64 = row.try_get("id")?;
    let checks = sqlx::query(
        "SELECT tier, condition_name, actual, required, passed FROM dealer_evaluation_checks \
         WHERE evaluation_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    let checks = checks
        .iter()
        .map(|check| {
            Ok(TierCheck {
                tier: Tier::stored(&check.try_get::<String, _>("tier")?)?,
                condition: check.try_get("condition_name")?,
                actual: check.try_get("actual")?,
                required: check.try_get("required")?,
                passed: check.try_get::<i64, _>("passed")? == 1,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(EvaluationRow {
        id,
        rule_version_id: row.try_get("rule_version_id")?,
        rule_version_name: row.try_get("rule_version_name")?,
        evaluated_on: date_of(row, "evaluated_on")?,
        decided: optional_tier(&row.try_get::<String, _>("decided_tier")?)?,
        figures: DealerFigures {
            avg_lab_sales: row.try_get("avg_lab_sales")?,
            growth_bp: row.try_get("growth_bp")?,
            big_brand_share_bp: row.try_get("big_brand_share_bp")?,
            staff: row.try_get("staff")?,
            shops: row.try_get("shops")?,
        },
        checks,
        evaluated_by: row.try_get("evaluated_by")?,
        evaluated_at: row.try_get("evaluated_at")?,
    })
}

pub async fn find_evaluation(tx: &mut sqlx::AnyConnection, id: i64) -> Result<Option<EvaluationRow>> {
    let sql = format!("{EVALUATION_SELECT} WHERE e.id = $1");
    let Some(row) = sqlx::query(&sql).bind(id).fetch_optional(&mut *tx).await? else { return Ok(None) };
    evaluation_from(tx, &row).await.map(Some)
}

/// The newest evaluation of a customer, from an application or a re-evaluation.
pub async fn latest_evaluation_of(tx: &mut sqlx::AnyConnection, customer_id: i64) -> Result<Option<EvaluationRow>> {
    let sql = format!("{EVALUATION_SELECT} WHERE e.customer_id = $1 ORDER BY e.id DESC LIMIT 1");
    let Some(row) = sqlx::query(&sql).bind(customer_id).fetch_optional(&mut *tx).await? else { return Ok(None) };
    evaluation_from(tx, &row).await.map(Some)
}

/// Links a prospect's evaluations to the customer its approval created.
pub async fn assign_customer(tx: &mut Tx, application_id: i64, customer_id: i64) -> Result<()> {
    sqlx::query("UPDATE dealer_evaluations SET customer_id = $1 WHERE application_id = $2")
        .bind(customer_id)
        .bind(application_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What decided a tier change: an application or a re-evaluation.
pub struct TierDecision<'a> {
    pub customer_id: i64,
    /// None when a re-evaluation takes every tier away.
    pub tier: Option<Tier>,
    pub from_date: NaiveDate,
    pub application_id: Option<i64>,
    pub re_evaluation_id: Option<i64>,
    pub reason: &'a str,
    pub decided_by: &'a str,
}

pub async fn insert_history(tx: &mut Tx, decision: &TierDecision<'_>) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO dealer_tier_history (customer_id, tier, from_date, application_id, re_evaluation_id, reason, \
         decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(decision.customer_id)
    .bind(Tier::text_of(decision.tier))
    .bind(decision.from_date.to_string())
    .bind(decision.application_id)
    .bind(decision.re_evaluation_id)
    .bind(decision.reason)
    .bind(decision.decided_by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A customer's tier changes, newest first.
pub async fn history_of<'e, E: sqlx::Executor<'e, Database = Any>>(
    executor: E,
    customer_id: i64,
) -> Result<Vec<pb::TierChange>> {
    let rows = sqlx::query(
        "SELECT id, customer_id, tier, from_date, application_id, re_evaluation_id, reason, decided_by, decided_at \
         FROM dealer_tier_history WHERE customer_id = $1 ORDER BY id DESC",
    )
    .bind(customer_id)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(pb::TierChange {
                id: row.try_get("id")?,
                customer_id: row.try_get("customer_id")?,
                tier: row.try_get("tier")?,
                from_date: Some(date_to_proto(date_of(row, "from_date")?)),
                application_id: row.try_get::<Option<i64>, _>("application_id")?.unwrap_or_default(),
                re_evaluation_id: row.try_get::<Option<i64>, _>("re_evaluation_id")?.unwrap_or_default(),
                reason: row.try_get("reason")?,
                decided_by: row.try_get("decided_by")?,
                decided_at: Some(to_timestamp(row.try_get("decided_at")?)),
            })
        })
        .collect()
}

/// Every dealer's current tier (its newest history row, unless that took its tier away).
pub async fn current_tiers(tx: &mut sqlx::AnyConnection) -> Result<Vec<(i64, Tier)>> {
    let rows = sqlx::query(
        "SELECT h.customer_id, h.tier FROM dealer_tier_history h WHERE h.id = \
         (SELECT MAX(n.id) FROM dealer_tier_history n WHERE n.customer_id = h.customer_id) ORDER BY h.customer_id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let mut tiers = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(tier) = optional_tier(&row.try_get::<String, _>("tier")?)? {
            tiers.push((row.try_get("customer_id")?, tier));
        }
    }
    Ok(tiers)
}
