//! Campaign rows, their members and the tallies of their results. A campaign's offices are kept
//! between commas (',HN,HCM,') so one LIKE tells whether it runs in an office.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::paging::Page;
use atq_platform::{Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::campaign::{MemberStatus, NewCampaign};

const COLUMNS: &str = "c.id, c.name, c.kind, c.occasion, c.offices, c.starts_on, c.ends_on, c.cost, c.status, \
     c.created_by, c.version, c.created_at, c.updated_at, \
     (SELECT COUNT(*) FROM campaign_members m WHERE m.campaign_id = c.id) AS member_count";

/// ',HN,HCM,' for the offices given.
pub fn offices_text(offices: &[Office]) -> String {
    offices.iter().fold(",".to_owned(), |text, office| format!("{text}{},", office.code()))
}

/// The offices of a stored campaign.
pub fn offices_of(campaign: &pb::Campaign) -> Vec<Office> {
    campaign.offices.iter().filter_map(|code| Office::parse(code).ok()).collect()
}

fn from_row(row: &AnyRow) -> Result<pb::Campaign> {
    let offices: String = row.try_get("offices")?;
    Ok(pb::Campaign {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        kind: row.try_get("kind")?,
        occasion: row.try_get("occasion")?,
        offices: offices.split(',').filter(|code| !code.is_empty()).map(str::to_owned).collect(),
        starts_on: row.try_get("starts_on")?,
        ends_on: row.try_get("ends_on")?,
        cost: row.try_get("cost")?,
        status: row.try_get("status")?,
        created_by: row.try_get("created_by")?,
        version: row.try_get("version")?,
        member_count: row.try_get("member_count")?,
        created_at: Some(to_timestamp(row.try_get("created_at")?)),
        updated_at: Some(to_timestamp(row.try_get("updated_at")?)),
    })
}

pub async fn insert(tx: &mut Tx, campaign: &NewCampaign, by: &str) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO campaigns (name, kind, occasion, offices, starts_on, ends_on, cost, status, created_by, version, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
    )
    .bind(&campaign.name)
    .bind(campaign.kind.as_str())
    .bind(&campaign.occasion)
    .bind(offices_text(&campaign.offices))
    .bind(campaign.starts_on.to_string())
    .bind(campaign.ends_on.to_string())
    .bind(campaign.cost)
    .bind(campaign.status.as_str())
    .bind(by)
    .bind(now_micros())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::Campaign>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM campaigns c WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Writes the campaign's changeable fields when its version is still `campaign.version`.
pub async fn update(tx: &mut Tx, campaign: &pb::Campaign) -> Result<()> {
    let written = sqlx::query(
        "UPDATE campaigns SET name = $1, status = $2, cost = $3, starts_on = $4, ends_on = $5, occasion = $6, \
         version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    )
    .bind(&campaign.name)
    .bind(&campaign.status)
    .bind(campaign.cost)
    .bind(&campaign.starts_on)
    .bind(&campaign.ends_on)
    .bind(&campaign.occasion)
    .bind(now_micros())
    .bind(campaign.id)
    .bind(campaign.version)
    .execute(&mut **tx)
    .await?;
    if written.rows_affected() == 1 {
        return Ok(());
    }
    let actual: i64 = sqlx::query_scalar("SELECT version FROM campaigns WHERE id = $1")
        .bind(campaign.id)
        .fetch_one(&mut **tx)
        .await?;
    Err(Error::StaleVersion { expected: campaign.version, actual })
}

/// A page of campaigns in id order: of a status and running in an office, if named.
pub async fn list(db: &Db, status: &str, office: Option<Office>, page: Page) -> Result<Vec<pb::Campaign>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM campaigns c WHERE ($1 = '' OR c.status = $1) AND ($2 = '' OR c.offices LIKE $2) \
         AND c.id > $3 ORDER BY c.id LIMIT $4"
    ))
    .bind(status)
    .bind(office.map(|o| format!("%,{},%", o.code())).unwrap_or_default())
    .bind(page.after_id)
    .bind(page.fetch_limit())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(from_row).collect()
}

/// Which customers a segment takes; empty texts mean any.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Segment {
    pub group: String,
    /// ',HN,' ... the offices the customers may be in.
    pub offices: String,
    /// ',12,40,' the products bought on confirmed orders; '' any.
    pub product_ids: String,
    pub last_purchase_before: String,
    pub last_purchase_after: String,
    /// '11' a contact's birthday month; '' any.
    pub birthday_month: String,
}

const SEGMENT: &str = "SELECT c.id FROM customers c WHERE ($1 = '' OR c.customer_group = $1) \
     AND $2 LIKE '%,' || c.office || ',%' \
     AND ($3 = '' OR EXISTS (SELECT 1 FROM order_lines l JOIN orders o ON o.id = l.order_id \
         WHERE o.customer_id = c.id AND o.status IN ('confirmed', 'completed') \
         AND $3 LIKE '%,' || CAST(l.product_id AS TEXT) || ',%')) \
     AND ($4 = '' OR (c.last_purchase_on <> '' AND c.last_purchase_on < $4)) \
     AND ($5 = '' OR c.last_purchase_on > $5) \
     AND ($6 = '' OR EXISTS (SELECT 1 FROM contacts k WHERE k.customer_id = c.id AND k.active = 1 \
         AND SUBSTR(k.birthday, 6, 2) = $6)) \
     ORDER BY c.id";

/// Adds the segment's customers not yet members; answers (matched, added).
pub async fn add_segment(tx: &mut Tx, campaign_id: i64, segment: &Segment, by: &str) -> Result<(i64, i64)> {
    let matching: Vec<i64> = sqlx::query_scalar(SEGMENT)
        .bind(&segment.group)
        .bind(&segment.offices)
        .bind(&segment.product_ids)
        .bind(&segment.last_purchase_before)
        .bind(&segment.last_purchase_after)
        .bind(&segment.birthday_month)
        .fetch_all(&mut **tx)
        .await?;
    let now = now_micros();
    let mut added = 0_i64;
    for customer_id in &matching {
        // A customer already a member stays as they are.
        let written = sqlx::query(
            "INSERT INTO campaign_members (campaign_id, customer_id, status, added_by, added_at, updated_by, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $4, $5) ON CONFLICT (campaign_id, customer_id) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(customer_id)
        .bind(MemberStatus::Planned.as_str())
        .bind(by)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        added += i64::try_from(written.rows_affected()).unwrap_or(0);
    }
    Ok((i64::try_from(matching.len()).unwrap_or(i64::MAX), added))
}

const MEMBER_COLUMNS: &str = "m.customer_id, c.code, c.name, c.office, m.status, m.updated_by, m.updated_at";

fn member_from_row(row: &AnyRow) -> Result<pb::CampaignMember> {
    Ok(pb::CampaignMember {
        customer_id: row.try_get(0)?,
        customer_code: row.try_get(1)?,
        customer_name: row.try_get(2)?,
        office: row.try_get(3)?,
        status: row.try_get(4)?,
        updated_by: row.try_get(5)?,
        updated_at: Some(to_timestamp(row.try_get(6)?)),
    })
}

/// The members of a campaign whose customers are in an office, if named, by customer id.
pub async fn members(db: &Db, campaign_id: i64, office: Option<Office>) -> Result<Vec<pb::CampaignMember>> {
    let rows = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM campaign_members m JOIN customers c ON c.id = m.customer_id \
         WHERE m.campaign_id = $1 AND ($2 = '' OR c.office = $2) ORDER BY m.customer_id"
    ))
    .bind(campaign_id)
    .bind(office.map(Office::code).unwrap_or(""))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(member_from_row).collect()
}

pub async fn find_member(tx: &mut Tx, campaign_id: i64, customer_id: i64) -> Result<Option<pb::CampaignMember>> {
    let row = sqlx::query(&format!(
        "SELECT {MEMBER_COLUMNS} FROM campaign_members m JOIN customers c ON c.id = m.customer_id \
         WHERE m.campaign_id = $1 AND m.customer_id = $2"
    ))
    .bind(campaign_id)
    .bind(customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(member_from_row).transpose()
}

/// Moves a member from `from` to `to`; refused (stale) when someone moved them meanwhile.
pub async fn set_member_status(
    tx: &mut Tx,
    member: &pb::CampaignMember,
    campaign_id: i64,
    to: MemberStatus,
    by: &str,
) -> Result<()> {
    let written = sqlx::query(
        "UPDATE campaign_members SET status = $1, updated_by = $2, updated_at = $3 \
         WHERE campaign_id = $4 AND customer_id = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(by)
    .bind(now_micros())
    .bind(campaign_id)
    .bind(member.customer_id)
    .bind(&member.status)
    .execute(&mut **tx)
    .await?;
    if written.rows_affected() == 1 {
        Ok(())
    } else {
        Err(Error::Conflict("the member's status changed meanwhile; read it again".into()))
    }
}

/// Members per status.
pub async fn status_counts(db: &Db, campaign_id: i64) -> Result<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM campaign_members WHERE campaign_id = $1 GROUP BY status ORDER BY status",
    )
    .bind(campaign_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows)
}

/// Members' orders confirmed (and not cancelled) between two instants (UTC micros, end
/// excluded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderTally {
    pub orders: i64,
    pub buyers: i64,
    pub net: i64,
}

pub async fn member_orders(db: &Db, campaign_id: i64, from: i64, to: i64) -> Result<OrderTally> {
    let row = sqlx::query(
        "SELECT COUNT(*), COUNT(DISTINCT o.customer_id), CAST(COALESCE(SUM(o.total_net), 0) AS BIGINT) \
         FROM orders o JOIN campaign_members m ON m.customer_id = o.customer_id AND m.campaign_id = $1 \
         WHERE o.status IN ('confirmed', 'completed') AND o.confirmed_at >= $2 AND o.confirmed_at < $3",
    )
    .bind(campaign_id)
    .bind(from)
    .bind(to)
    .fetch_one(db.pool())
    .await?;
    Ok(OrderTally { orders: row.try_get(0)?, buyers: row.try_get(1)?, net: row.try_get(2)? })
}
