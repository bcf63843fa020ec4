//! Opportunity rows, their products of interest and their stage history.

use atq_platform::business_time::{date_to_proto, now_micros, stored_date, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Backend, Db, Error, Office, Tx, outbox, search_text};
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::customer::CustomerGroup;
use crate::customer_store::CustomerRow;
use crate::opportunity::{NewOpportunity, NewProduct, OpportunityChange, Stage, StageMove};

const HEAD: &str = "o.id, o.customer_id, c.code AS customer_code, c.name AS customer_name, c.customer_group, \
                    o.office, o.title, o.stage, o.expected_value, o.expected_close_on, o.probability, o.owner, \
                    o.lost_reason, o.competitor, o.closed_on, o.created_by, o.version, o.created_at, o.updated_at";
const FROM: &str = "FROM opportunities o JOIN customers c ON c.id = o.customer_id";

#[derive(Clone, Debug)]
pub struct OpportunityRow {
    pub id: i64,
    pub customer_id: i64,
    pub office: Office,
    pub stage: Stage,
    pub expected_close_on: NaiveDate,
    pub proto: pb::Opportunity,
}

fn corrupt(what: &str, value: &str) -> Error {
    Error::internal(anyhow::anyhow!("stored opportunity has bad {what} {value:?}"))
}

fn head_from_row(row: &AnyRow) -> Result<OpportunityRow> {
    let office_code: String = row.try_get("office")?;
    let office = Office::parse(&office_code).map_err(|_| corrupt("office", &office_code))?;
    let group: String = row.try_get("customer_group")?;
    let stage = Stage::stored(&row.try_get::<String, _>("stage")?)?;
    let close_text: String = row.try_get("expected_close_on")?;
    let expected_close_on =
        stored_date(&close_text, "opportunity")?.ok_or_else(|| corrupt("close date", &close_text))?;
    let proto = pb::Opportunity {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        customer_code: row.try_get("customer_code")?,
        customer_name: row.try_get("customer_name")?,
        customer_group: CustomerGroup::parse(&group).map(|g| g.to_proto() as i32).unwrap_or_default(),
        office: office.to_proto() as i32,
        title: row.try_get("title")?,
        stage: stage.as_str().to_owned(),
        expected_value: row.try_get("expected_value")?,
        expected_close_on: Some(date_to_proto(expected_close_on)),
        probability: row.try_get::<i64, _>("probability")? as i32,
        owner: row.try_get("owner")?,
        lost_reason: row.try_get("lost_reason")?,
        competitor: row.try_get("competitor")?,
        closed_on: stored_date(&row.try_get::<String, _>("closed_on")?, "opportunity")?.map(date_to_proto),
        products: Vec::new(),
        created_by: row.try_get("created_by")?,
        version: row.try_get("version")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
    };
    Ok(OpportunityRow { id: proto.id, customer_id: proto.customer_id, office, stage, expected_close_on, proto })
}

fn search_text_of(title: &str, customer_code: &str, customer_name: &str, competitor: &str) -> String {
    search_text::fold(&format!("{title} {customer_code} {customer_name} {competitor}"))
}

#[tracing::instrument(level = "debug", skip(conn))]
pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<OpportunityRow>> {
    let head =
        sqlx::query(&format!("SELECT {HEAD} {FROM} WHERE o.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    let Some(head) = head else { return Ok(None) };
    let mut row = head_from_row(&head)?;
    let products = sqlx::query(
        "SELECT product_id, model_code, product_name, quantity, note FROM opportunity_products \
         WHERE opportunity_id = $1 ORDER BY line_no",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    row.proto.products = products
        .iter()
        .map(|p| {
            Ok(pb::OpportunityProduct {
                product_id: p.try_get("product_id")?,
                model_code: p.try_get("model_code")?,
                product_name: p.try_get("product_name")?,
                quantity: p.try_get("quantity")?,
                note: p.try_get("note")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(Some(row))
}

async fn write_products(tx: &mut Tx, id: i64, products: &[NewProduct]) -> Result<()> {
    sqlx::query("DELETE FROM opportunity_products WHERE opportunity_id = $1").bind(id).execute(&mut **tx).await?;
    for (i, product) in products.iter().enumerate() {
        sqlx::query(
            "INSERT INTO opportunity_products (opportunity_id, line_no, product_id, model_code, product_name, \
             quantity, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(i as i64 + 1)
        .bind(product.product_id)
        .bind(&product.model_code)
        .bind(&product.product_name)
        .bind(product.quantity)
        .bind(&product.note)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[tracing::instrument(level = "debug", skip_all, fields(customer_id = customer.id))]
pub async fn insert(tx: &mut Tx, new: &NewOpportunity, customer: &CustomerRow, by: &str) -> Result<i64> {
    let now = now_micros();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO opportunities (customer_id, office, title, stage, expected_value, expected_close_on, \
         probability, owner, lost_reason, competitor, closed_on, search_text, created_by, version, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', '', '', $9, $10, 1, $11, $11) RETURNING id",
    )
    .bind(customer.id)
    .bind(customer.fields.office.code())
    .bind(&new.title)
    .bind(new.stage.as_str())
    .bind(new.expected_value)
    .bind(new.expected_close_on.to_string())
    .bind(new.probability)
    .bind(&new.owner)
    .bind(search_text_of(&new.title, &customer.code, &customer.fields.name, ""))
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    write_products(tx, id, &new.products).await?;
    Ok(id)
}

fn changed_meanwhile(row: &OpportunityRow) -> Error {
    Error::Conflict(format!("opportunity {} changed meanwhile, read it again", row.id))
}

#[tracing::instrument(level = "debug", skip_all, fields(opportunity_id = row.id))]
pub async fn update(tx: &mut Tx, row: &OpportunityRow, change: &OpportunityChange) -> Result<()> {
    let p = &row.proto;
    let updated = sqlx::query(
        "UPDATE opportunities SET title = $1, expected_value = $2, expected_close_on = $3, probability = $4, \
         owner = $5, search_text = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    )
    .bind(&change.title)
    .bind(change.expected_value)
    .bind(change.expected_close_on.to_string())
    .bind(change.probability)
    .bind(&change.owner)
    .bind(search_text_of(&change.title, &p.customer_code, &p.customer_name, &p.competitor))
    .bind(now_micros())
    .bind(row.id)
    .bind(p.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Err(changed_meanwhile(row));
    }
    if let Some(products) = &change.products {
        write_products(tx, row.id, products).await?;
    }
    Ok(())
}

/// Sets the stage with its probability; closing sets closed_on, reopening clears the loss.
#[tracing::instrument(level = "debug", skip_all, fields(opportunity_id = row.id, to = %wanted.to))]
pub async fn move_stage(
    tx: &mut Tx,
    row: &OpportunityRow,
    wanted: &StageMove,
    closed_on: Option<NaiveDate>,
) -> Result<()> {
    let p = &row.proto;
    let reason = wanted.lost_reason.map(|r| r.as_str()).unwrap_or("");
    let moved = sqlx::query(
        "UPDATE opportunities SET stage = $1, probability = $2, lost_reason = $3, competitor = $4, closed_on = $5, \
         search_text = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    )
    .bind(wanted.to.as_str())
    .bind(wanted.to.default_probability())
    .bind(reason)
    .bind(&wanted.competitor)
    .bind(closed_on.map(|d| d.to_string()).unwrap_or_default())
    .bind(search_text_of(&p.title, &p.customer_code, &p.customer_name, &wanted.competitor))
    .bind(now_micros())
    .bind(row.id)
    .bind(p.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if moved == 1 { Ok(()) } else { Err(changed_meanwhile(row)) }
}

/// The history entry and the event of a stage taken (`from` None: opened); the last write of the move.
pub async fn record_stage(
    tx: &mut Tx,
    backend: Backend,
    row: &OpportunityRow,
    from: Option<Stage>,
    by: &str,
    note: &str,
) -> Result<()> {
    let now = now_micros();
    let from = from.map(Stage::as_str).unwrap_or("");
    sqlx::query(
        "INSERT INTO opportunity_stages (opportunity_id, from_stage, to_stage, changed_by, changed_at, note) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.id)
    .bind(from)
    .bind(row.stage.as_str())
    .bind(by)
    .bind(now)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    let event = pb::OpportunityStageChanged {
        opportunity_id: row.id,
        customer_id: row.customer_id,
        office: row.office.to_proto() as i32,
        owner: row.proto.owner.clone(),
        from_stage: from.to_owned(),
        to_stage: row.stage.as_str().to_owned(),
        expected_value: row.proto.expected_value,
        changed_at: Some(to_timestamp(now)),
        changed_by: by.to_owned(),
        expected_close_on: row.proto.expected_close_on,
        probability: row.proto.probability,
    };
    outbox::record(tx, backend, "opportunity", &row.id.to_string(), &event).await
}

#[tracing::instrument(level = "debug", skip(db))]
pub async fn history(db: &Db, id: i64) -> Result<Vec<pb::StageChange>> {
    let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
        "SELECT from_stage, to_stage, changed_by, changed_at, note FROM opportunity_stages \
         WHERE opportunity_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(from_stage, to_stage, changed_by, at, note)| pb::StageChange {
            from_stage,
            to_stage,
            changed_by,
            changed_at: Some(to_timestamp(at)),
            note,
        })
        .collect())
}

#[derive(Debug, Default)]
pub struct OpportunityFilter {
    pub query: String,
    pub stage: String,
    pub owner: String,
    pub office: Option<Office>,
    pub customer_id: i64,
    pub page: Option<Page>,
}

/// Opportunity heads (without products), by id; without a page, every match (for the pipeline).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(db: &Db, filter: &OpportunityFilter) -> Result<Vec<OpportunityRow>> {
    let pattern = if filter.query.trim().is_empty() { String::new() } else { search_text::like_pattern(&filter.query) };
    if pattern == "%%" {
        return Ok(Vec::new());
    }
    let (after_id, limit) = filter.page.map(|p| (p.after_id, p.fetch_limit())).unwrap_or((0, i64::MAX));
    let rows = sqlx::query(&format!(
        "SELECT {HEAD} {FROM} WHERE o.id > $1 AND ($2 = '' OR o.office = $2) AND ($3 = '' OR o.stage = $3) \
         AND ($4 = '' OR o.owner = $4) AND ($5 = 0 OR o.customer_id = $5) \
         AND ($6 = '' OR o.search_text LIKE $6 ESCAPE '\\') ORDER BY o.id LIMIT $7"
    ))
    .bind(after_id)
    .bind(filter.office.map(Office::code).unwrap_or(""))
    .bind(&filter.stage)
    .bind(&filter.owner)
    .bind(filter.customer_id)
    .bind(pattern)
    .bind(limit)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(head_from_row).collect()
}
