//! Dealer application rows and their yearly figures: one set of queries for SQLite and PostgreSQL.

use atq_platform::business_time::now_micros;
use atq_platform::error::Result;
use atq_platform::numbering::next_in_series;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::dealer_application::{ApplicationFields, ApplicationStatus, ProspectFields, YearFigures};
use crate::tier_rules::Tier;

const SELECT: &str = "SELECT a.id, a.number, a.customer_id, COALESCE(c.name, a.prospect_name) AS customer_name, \
     a.prospect_name, a.prospect_phone, a.prospect_email, a.prospect_address, a.prospect_tax_code, a.office, \
     a.region, a.proposed_tier, a.note, a.status, a.evaluation_id, a.approved_tier, a.decision_reason, \
     a.contract_id, a.decided_by, a.decided_at, a.owner, a.version, a.created_at, a.updated_at \
     FROM dealer_applications a LEFT JOIN customers c ON c.id = a.customer_id";

#[derive(Clone, Debug)]
pub struct ApplicationRow {
    pub id: i64,
    pub number: String,
    pub customer_name: String,
    pub fields: ApplicationFields,
    pub status: ApplicationStatus,
    pub evaluation_id: Option<i64>,
    pub approved_tier: Option<Tier>,
    pub decision_reason: String,
    pub contract_id: Option<i64>,
    pub decided_by: String,
    pub decided_at: i64,
    pub owner: String,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a state change writes besides the status.
#[derive(Clone, Debug, Default)]
pub struct Decision {
    pub customer_id: Option<i64>,
    pub evaluation_id: Option<i64>,
    pub approved_tier: Option<Tier>,
    pub reason: String,
    pub contract_id: Option<i64>,
    pub decided_by: String,
}

async fn years_of<'e, E: sqlx::Executor<'e, Database = Any>>(executor: E, id: i64) -> Result<Vec<YearFigures>> {
    let rows = sqlx::query(
        "SELECT year, revenue, lab_sales, big_brand_share_bp, small_brand_share_bp, staff, shops \
         FROM dealer_application_years WHERE application_id = $1 ORDER BY year",
    )
    .bind(id)
    .fetch_all(executor)
    .await?;
    rows.iter()
        .map(|row| {
            let year: i64 = row.try_get("year")?;
            Ok(YearFigures {
                year: i32::try_from(year).map_err(Error::internal)?,
                revenue: row.try_get("revenue")?,
                lab_sales: row.try_get("lab_sales")?,
                big_brand_share_bp: row.try_get("big_brand_share_bp")?,
                small_brand_share_bp: row.try_get("small_brand_share_bp")?,
                staff: row.try_get("staff")?,
                shops: row.try_get("shops")?,
            })
        })
        .collect()
}

fn from_row(row: &AnyRow, years: Vec<YearFigures>) -> Result<ApplicationRow> {
    let office: String = row.try_get("office")?;
    let approved: String = row.try_get("approved_tier")?;
    Ok(ApplicationRow {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        customer_name: row.try_get("customer_name")?,
        fields: ApplicationFields {
            customer_id: row.try_get("customer_id")?,
            prospect: ProspectFields {
                name: row.try_get("prospect_name")?,
                phone: row.try_get("prospect_phone")?,
                email: row.try_get("prospect_email")?,
                address: row.try_get("prospect_address")?,
                tax_code: row.try_get("prospect_tax_code")?,
            },
            office: Office::parse(&office)
                .map_err(|_| Error::internal(anyhow::anyhow!("stored application has bad office {office:?}")))?,
            region: row.try_get("region")?,
            years,
            proposed_tier: Tier::stored(&row.try_get::<String, _>("proposed_tier")?)?,
            note: row.try_get("note")?,
        },
        status: ApplicationStatus::stored(&row.try_get::<String, _>("status")?)?,
        evaluation_id: row.try_get("evaluation_id")?,
        approved_tier: if approved.is_empty() { None } else { Some(Tier::stored(&approved)?) },
        decision_reason: row.try_get("decision_reason")?,
        contract_id: row.try_get("contract_id")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        owner: row.try_get("owner")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn find(tx: &mut sqlx::AnyConnection, id: i64) -> Result<Option<ApplicationRow>> {
    let Some(row) = sqlx::query(&format!("{SELECT} WHERE a.id = $1")).bind(id).fetch_optional(&mut *tx).await? else {
        return Ok(None);
    };
    let years = years_of(&mut *tx, id).await?;
    from_row(&row, years).map(Some)
}

async fn write_years(tx: &mut Tx, id: i64, years: &[YearFigures]) -> Result<()> {
    sqlx::query("DELETE FROM dealer_application_years WHERE application_id = $1").bind(id).execute(&mut **tx).await?;
    for year in years {
        sqlx::query(
            "INSERT INTO dealer_application_years (application_id, year, revenue, lab_sales, big_brand_share_bp, \
             small_brand_share_bp, staff, shops) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i64::from(year.year))
        .bind(year.revenue)
        .bind(year.lab_sales)
        .bind(year.big_brand_share_bp)
        .bind(year.small_brand_share_bp)
        .bind(year.staff)
        .bind(year.shops)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn insert(tx: &mut Tx, fields: &ApplicationFields, owner: &str) -> Result<i64> {
    let number = format!("DNDL-{:06}", next_in_series(tx, "dealer_application").await?);
    let now = now_micros();
    let p = &fields.prospect;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO dealer_applications (number, customer_id, prospect_name, prospect_phone, prospect_email, \
         prospect_address, prospect_tax_code, office, region, proposed_tier, note, status, approved_tier, \
         decision_reason, decided_by, decided_at, owner, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', '', '', '', 0, $12, 1, $13, $13) RETURNING id",
    )
    .bind(&number)
    .bind(fields.customer_id)
    .bind(&p.name)
    .bind(&p.phone)
    .bind(&p.email)
    .bind(&p.address)
    .bind(&p.tax_code)
    .bind(fields.office.code())
    .bind(&fields.region)
    .bind(fields.proposed_tier.as_str())
    .bind(&fields.note)
    .bind(owner)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    write_years(tx, id, &fields.years).await?;
    Ok(id)
}

async fn stale_unless_one(tx: &mut Tx, current: &ApplicationRow, updated: u64) -> Result<()> {
    if updated == 1 {
        return Ok(());
    }
    let actual = find(tx, current.id).await?.map(|row| row.version).unwrap_or_default();
    Err(Error::StaleVersion { expected: current.version, actual })
}

/// Writes edited fields over `current` if nobody changed it since it was read.
pub async fn update_fields(tx: &mut Tx, current: &ApplicationRow, next: &ApplicationFields) -> Result<()> {
    let p = &next.prospect;
    let updated = sqlx::query(
        "UPDATE dealer_applications SET prospect_name = $1, prospect_phone = $2, prospect_email = $3, \
         prospect_address = $4, prospect_tax_code = $5, region = $6, proposed_tier = $7, note = $8, \
         version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11",
    )
    .bind(&p.name)
    .bind(&p.phone)
    .bind(&p.email)
    .bind(&p.address)
    .bind(&p.tax_code)
    .bind(&next.region)
    .bind(next.proposed_tier.as_str())
    .bind(&next.note)
    .bind(now_micros())
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    stale_unless_one(tx, current, updated).await?;
    write_years(tx, current.id, &next.years).await
}

/// Moves the application to `status` with what the step decided; unset parts stay as they are.
pub async fn change_status(
    tx: &mut Tx,
    current: &ApplicationRow,
    status: ApplicationStatus,
    decision: &Decision,
) -> Result<()> {
    let now = now_micros();
    let decided_at = if decision.decided_by.is_empty() { current.decided_at } else { now };
    let updated = sqlx::query(
        "UPDATE dealer_applications SET status = $1, customer_id = $2, evaluation_id = $3, approved_tier = $4, \
         decision_reason = $5, contract_id = $6, decided_by = $7, decided_at = $8, version = version + 1, \
         updated_at = $9 WHERE id = $10 AND version = $11",
    )
    .bind(status.as_str())
    .bind(decision.customer_id.or(current.fields.customer_id))
    .bind(decision.evaluation_id.or(current.evaluation_id))
    .bind(decision.approved_tier.map(Tier::as_str).unwrap_or(""))
    .bind(&decision.reason)
    .bind(decision.contract_id)
    .bind(&decision.decided_by)
    .bind(decided_at)
    .bind(now)
    .bind(current.id)
    .bind(current.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    stale_unless_one(tx, current, updated).await
}

pub struct ApplicationFilter {
    /// Empty for every status.
    pub status: String,
    pub office: Option<Office>,
    pub customer_id: i64,
    pub page: Page,
}

pub async fn list(db: &Db, filter: &ApplicationFilter) -> Result<Vec<ApplicationRow>> {
    let mut conn = db.pool().acquire().await?;
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE a.id > $1 AND ($2 = '' OR a.office = $2) AND ($3 = 0 OR a.customer_id = $3) \
         AND ($4 = '' OR a.status = $4) ORDER BY a.id LIMIT $5"
    ))
    .bind(filter.page.after_id)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(filter.customer_id)
    .bind(&filter.status)
    .bind(filter.page.fetch_limit())
    .fetch_all(&mut *conn)
    .await?;
    let mut applications = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        applications.push(from_row(row, years_of(&mut *conn, id).await?)?);
    }
    Ok(applications)
}
