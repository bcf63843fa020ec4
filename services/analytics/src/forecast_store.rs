//! What the forecasts read: confirmed sales less returns per local month, office, category and
//! product, summed by the database from analytics' own tables.

use std::collections::BTreeMap;

use atq_platform::error::Result;
use atq_platform::{Db, Error, Tx};
use chrono::NaiveDate;

use crate::product_facts::UNKNOWN;
use crate::sales_facts::rollup;

/// Units and net VND of one product in one office and month; returns are negative.
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub office: String,
    pub category: String,
    pub product_id: i64,
    pub model_code: String,
    pub quantity: i64,
    pub net: i64,
}

type Row = (String, String, Option<String>, i64, Option<String>, i64, i64);

fn month_row((month, office, category, product_id, model_code, quantity, net): Row) -> MonthRow {
    MonthRow {
        month,
        office,
        category: category.unwrap_or_else(|| UNKNOWN.to_owned()),
        product_id,
        model_code: model_code.unwrap_or_default(),
        quantity,
        net,
    }
}

/// Sales of orders confirmed between two local dates (inclusive) and not cancelled, by the
/// month of confirmation, less returns by the month they came back: the same figures as the
/// sales report. Whole months come from the monthly rollup, with category and model joined now,
/// of one office (code) and one product when given; the days of a month asked in part from the
/// fact lines, of every office and product.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn monthly_sales(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    (office, product_id): (Option<&str>, Option<i64>),
) -> Result<Vec<MonthRow>> {
    let split = rollup::split(from, to);
    let mut rows = Vec::new();
    for (first, last) in split.days {
        rows.extend(lines_by_month(db, first, last).await?);
    }
    let Some((first, last)) = &split.months else {
        return Ok(rows);
    };
    let products: BTreeMap<i64, (String, String)> =
        sqlx::query_as::<_, (i64, String, String)>("SELECT product_id, category, model_code FROM product_facts")
            .fetch_all(db.pool())
            .await?
            .into_iter()
            .map(|(id, category, model)| (id, (category, model)))
            .collect();
    let product = product_id.map(|id| id.to_string());
    for row in rollup::read(db, (first, last), &[rollup::PRODUCT], (office, product.as_deref())).await? {
        let product_id: i64 = row.key.parse().map_err(Error::internal)?;
        let (category, model_code) = products.get(&product_id).cloned().unzip();
        rows.push(month_row((
            row.month,
            row.office,
            category,
            product_id,
            model_code,
            row.cell.quantity,
            row.cell.net,
        )));
    }
    Ok(rows)
}

/// [`monthly_sales`] per category instead of per product (`product_id` 0): what the revenue
/// forecast needs, read from the category rollup, a few hundred rows where the product rollup has
/// one per product and month.
pub async fn monthly_sales_by_category(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    office: Option<&str>,
) -> Result<Vec<MonthRow>> {
    let split = rollup::split(from, to);
    let mut rows = Vec::new();
    for (first, last) in split.days {
        rows.extend(lines_by_month(db, first, last).await?);
    }
    if let Some((first, last)) = &split.months {
        for row in rollup::read(db, (first, last), &[rollup::CATEGORY], (office, None)).await? {
            rows.push(month_row((row.month, row.office, Some(row.key), 0, None, row.cell.quantity, row.cell.net)));
        }
    }
    Ok(rows)
}

/// `monthly_sales` summed from the fact lines.
pub(crate) async fn lines_by_month(db: &Db, from: NaiveDate, to: NaiveDate) -> Result<Vec<MonthRow>> {
    let sold = "SELECT o.month, o.office, p.category, l.product_id, p.model_code, \
                CAST(SUM(l.quantity) AS BIGINT), CAST(SUM(l.net_amount) AS BIGINT) \
                FROM sales_orders o JOIN sales_order_lines l ON l.order_id = o.order_id \
                LEFT JOIN product_facts p ON p.product_id = l.product_id \
                WHERE o.cancelled_at = 0 AND o.confirmed_on >= $1 AND o.confirmed_on <= $2 \
                GROUP BY o.month, o.office, p.category, l.product_id, p.model_code";
    let returned = "SELECT r.month, r.office, p.category, r.product_id, p.model_code, \
                    CAST(-SUM(r.quantity) AS BIGINT), CAST(-SUM(r.net_amount) AS BIGINT) \
                    FROM sales_return_lines r LEFT JOIN product_facts p ON p.product_id = r.product_id \
                    WHERE r.returned_on >= $1 AND r.returned_on <= $2 \
                    GROUP BY r.month, r.office, p.category, r.product_id, p.model_code";
    let mut rows = Vec::new();
    for sql in [sold, returned] {
        let found =
            sqlx::query_as::<_, Row>(sql).bind(from.to_string()).bind(to.to_string()).fetch_all(db.pool()).await?;
        rows.extend(found.into_iter().map(month_row));
    }
    Ok(rows)
}

/// An opportunity as its last stage change left it.
pub struct OpportunityFact<'a> {
    pub opportunity_id: i64,
    pub office: &'a str,
    pub stage: &'a str,
    pub expected_value: i64,
    /// ISO date, '' when the event carried none.
    pub expected_close_on: String,
    pub probability: i64,
    pub position: i64,
}

/// Keeps an opportunity's stage change unless the table has a later event of it.
#[tracing::instrument(level = "debug", skip_all, fields(opportunity_id = fact.opportunity_id, position = fact.position))]
pub async fn record_opportunity(tx: &mut Tx, fact: &OpportunityFact<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO opportunity_facts (opportunity_id, office, stage, expected_value, expected_close_on, \
         probability, position) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (opportunity_id) DO UPDATE SET office = excluded.office, stage = excluded.stage, \
         expected_value = excluded.expected_value, expected_close_on = excluded.expected_close_on, \
         probability = excluded.probability, position = excluded.position \
         WHERE opportunity_facts.position < excluded.position",
    )
    .bind(fact.opportunity_id)
    .bind(fact.office)
    .bind(fact.stage)
    .bind(fact.expected_value)
    .bind(&fact.expected_close_on)
    .bind(fact.probability)
    .bind(fact.position)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An open opportunity: its expected close date (ISO, or ''), value and probability.
pub struct OpenOpportunity {
    pub expected_close_on: String,
    pub expected_value: i64,
    pub probability: i64,
}

/// Opportunities in one of `stages`, of one office when given.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn open_opportunities(db: &Db, stages: &[&str], office: Option<&str>) -> Result<Vec<OpenOpportunity>> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT office, stage, expected_close_on, expected_value, probability FROM opportunity_facts \
         ORDER BY expected_close_on, opportunity_id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter(|(o, stage, ..)| stages.contains(&stage.as_str()) && office.is_none_or(|wanted| wanted == o))
        .map(|(_, _, expected_close_on, expected_value, probability)| OpenOpportunity {
            expected_close_on,
            expected_value,
            probability,
        })
        .collect())
}
