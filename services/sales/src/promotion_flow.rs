//! Promotion programmes' life: made as drafts, edited while drafts, activated, ended. Sales
//! managers manage the programmes of their own office (every office: directors); everyone who
//! reads orders sees the programmes that cover their office.

use atq_platform::catalog::CatalogReader;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use sqlx::AnyConnection;

use crate::promotion::{Programme, PromotionStatus};
use crate::promotion_store::{self, PromotionRow};

/// Whether the caller's territory takes in every office the programme covers.
pub fn manages(caller: &Caller, programme: &Programme) -> bool {
    match caller.territory() {
        None => true,
        Some(own) => programme.offices == [own],
    }
}

/// Whether the programme covers the caller's office (or the caller sees every office).
pub fn sees(caller: &Caller, programme: &Programme) -> bool {
    match caller.territory() {
        None => true,
        Some(own) => programme.offices.is_empty() || programme.offices.contains(&own),
    }
}

pub async fn visible(conn: &mut AnyConnection, caller: &Caller, id: i64) -> Result<PromotionRow, Error> {
    promotion_store::find(conn, id)
        .await?
        .filter(|row| sees(caller, &row.programme))
        .ok_or_else(|| Error::NotFound(format!("promotion {id}")))
}

/// The products a programme gives away must be in the catalog; those it covers too.
pub async fn check_products(catalog: &CatalogReader, caller: &Caller, programme: &Programme) -> Result<(), Error> {
    if !manages(caller, programme) {
        return Err(Error::invalid("offices", "a programme you manage covers your own office only"));
    }
    let mut ids = programme.product_ids.clone();
    ids.extend(programme.free_product());
    let known = catalog.products(caller, &ids).await?;
    if let Some(free) = programme.free_product().filter(|id| !known.contains_key(id)) {
        return Err(Error::invalid("rule.free_product_id", format!("no product in the catalog has id {free}")));
    }
    if programme.product_ids.iter().any(|id| !known.contains_key(id)) {
        return Err(Error::invalid("product_ids", "some id is of no product in the catalog"));
    }
    Ok(())
}

/// Writes a new draft once per idempotency key.
pub async fn create(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    request: &pb::CreatePromotionRequest,
    programme: Programme,
) -> Result<pb::Promotion, Error> {
    let scope = format!("sales.CreatePromotion:{}", caller.username);
    let created = idempotency::run_once(db, &scope, key, request, move |tx| {
        let (programme, by) = (programme.clone(), caller.username.clone());
        Box::pin(async move {
            let id = promotion_store::insert(tx, &programme, &by).await?;
            let row = promotion_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("promotion {id}")))?;
            Ok(row.to_proto())
        })
    })
    .await?;
    tracing::info!(promotion = %created.code, "promotion created");
    Ok(created)
}

/// Rewrites a draft the caller manages.
pub async fn update(db: &Db, caller: &Caller, programme: Programme, expected: i64) -> Result<pb::Promotion, Error> {
    let mut tx = db.begin().await?;
    let row = visible(&mut tx, caller, programme.id).await?;
    ensure_manages(caller, &row)?;
    Error::unless_stale(expected, row.version)?;
    if row.status != PromotionStatus::Draft {
        return Err(Error::Conflict(format!(
            "promotion {} is {}; only a draft is edited",
            row.programme.code, row.status
        )));
    }
    if !promotion_store::update_draft(&mut tx, &programme, row.version).await? {
        return Err(Error::StaleVersion { expected: row.version, actual: row.version + 1 });
    }
    let saved =
        promotion_store::find(&mut tx, programme.id).await?.ok_or_else(|| Error::NotFound("promotion".into()))?;
    tx.commit().await?;
    Ok(saved.to_proto())
}

fn ensure_manages(caller: &Caller, row: &PromotionRow) -> Result<(), Error> {
    if manages(caller, &row.programme) {
        Ok(())
    } else {
        Err(Error::PermissionDenied(format!("promotion {} covers offices beyond yours", row.programme.code)))
    }
}

/// Moves a programme from `from` to `to`; repeating a done move answers the programme as is.
pub async fn advance(
    db: &Db,
    caller: &Caller,
    input: &pb::PromotionActionRequest,
    from: PromotionStatus,
    to: PromotionStatus,
) -> Result<pb::Promotion, Error> {
    let mut tx = db.begin().await?;
    let row = visible(&mut tx, caller, input.id).await?;
    ensure_manages(caller, &row)?;
    if row.status == to {
        return Ok(row.to_proto());
    }
    Error::unless_stale(input.expected_version, row.version)?;
    if row.status != from {
        return Err(Error::Conflict(format!(
            "promotion {} is {}; it cannot become {to}",
            row.programme.code, row.status
        )));
    }
    if !promotion_store::advance(&mut tx, row.programme.id, row.version, from, to).await? {
        return Err(Error::StaleVersion { expected: row.version, actual: row.version + 1 });
    }
    let moved = promotion_store::find(&mut tx, input.id).await?.ok_or_else(|| Error::NotFound("promotion".into()))?;
    tx.commit().await?;
    tracing::info!(promotion = %row.programme.code, status = %to, "promotion moved");
    Ok(moved.to_proto())
}
