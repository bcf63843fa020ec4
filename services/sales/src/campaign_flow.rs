//! Campaign use cases: create once per idempotency key, read within the caller's territory
//! (another office's campaign is not found), change the fields a running campaign may change.

use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, idempotency};
use atq_proto::sales::v1 as pb;
use sqlx::AnyConnection;

use crate::campaign::{self, CampaignKind, CampaignStatus, NewCampaign};
use crate::campaign_store;

pub async fn create(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::CreateCampaignRequest,
    campaign: NewCampaign,
) -> Result<pb::Campaign, Error> {
    if !campaign::sees(caller, &campaign.offices) {
        return Err(Error::PermissionDenied("a campaign is made for the offices one works in".into()));
    }
    let scope = format!("sales.CreateCampaign:{}", caller.username);
    let by = caller.username.clone();
    let created = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (campaign, by) = (campaign.clone(), by.clone());
        Box::pin(async move {
            let id = campaign_store::insert(tx, &campaign, &by).await?;
            campaign_store::find(tx, id).await?.ok_or_else(|| Error::NotFound(format!("campaign {id}")))
        })
    })
    .await?;
    tracing::info!(campaign = created.id, kind = %created.kind, "campaign created");
    Ok(created)
}

/// The campaign if the caller sees it; another office's is not found.
pub async fn visible(conn: &mut AnyConnection, caller: &Caller, id: i64) -> Result<pb::Campaign, Error> {
    campaign_store::find(conn, id)
        .await?
        .filter(|found| campaign::sees(caller, &campaign_store::offices_of(found)))
        .ok_or_else(|| Error::NotFound(format!("campaign {id}")))
}

/// Applies the fields sent to the campaign read, naming each bad one.
fn changed(mut campaign: pb::Campaign, input: &pb::UpdateCampaignRequest) -> Result<pb::Campaign, Error> {
    let mut v = Violations::new();
    if let Some(name) = &input.name {
        campaign.name = campaign::name_of(&mut v, name).unwrap_or_default();
    }
    if let Some(status) = &input.status {
        let from = CampaignStatus::stored(&campaign.status)?;
        match CampaignStatus::parse(status.trim()) {
            Some(to) => {
                campaign::check_status_move(from, to)?;
                campaign.status = to.as_str().to_owned();
            }
            None => v.add("status", format!("must be one of {}", CampaignStatus::ALL.join(", "))),
        }
    }
    if let Some(cost) = input.cost {
        campaign.cost = campaign::cost_of(&mut v, cost).unwrap_or_default();
    }
    if let Some(occasion) = &input.occasion {
        let kind = CampaignKind::stored(&campaign.kind)?;
        campaign.occasion = campaign::occasion_of(&mut v, Some(kind), occasion).unwrap_or_default();
    }
    let starts_on = input.starts_on.clone().unwrap_or_else(|| campaign.starts_on.clone());
    let ends_on = input.ends_on.clone().unwrap_or_else(|| campaign.ends_on.clone());
    if let Some((starts, ends)) = campaign::dates_of(&mut v, &starts_on, &ends_on) {
        (campaign.starts_on, campaign.ends_on) = (starts.to_string(), ends.to_string());
    }
    v.finish()?;
    Ok(campaign)
}

/// Changes a campaign the caller sees, when the version they read is still current.
pub async fn update(db: &Db, caller: &Caller, input: &pb::UpdateCampaignRequest) -> Result<pb::Campaign, Error> {
    let mut tx = db.begin().await?;
    let current = visible(&mut tx, caller, input.id).await?;
    Error::unless_stale(input.expected_version, current.version)?;
    let campaign = changed(current, input)?;
    campaign_store::update(&mut tx, &campaign).await?;
    let written = visible(&mut tx, caller, input.id).await?;
    tx.commit().await?;
    tracing::info!(campaign = written.id, status = %written.status, "campaign changed");
    Ok(written)
}
