//! A campaign's members: added from a segment of customers (a customer is a member once), moved
//! forward through their statuses, and the results their orders give.

use atq_platform::business_time::{add_days, parse_local_date, start_of_local_day};
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office};
use atq_proto::sales::v1 as pb;

use crate::campaign::{self, CampaignKind, MemberStatus};
use crate::campaign_flow::visible;
use crate::campaign_store::{self, Segment, offices_text};

/// Parses a segment's filters, keeping it to the campaign's offices and the caller's territory.
pub fn segment_of(input: &pb::AddSegmentRequest, campaign: &pb::Campaign, caller: &Caller) -> Result<Segment, Error> {
    let mut v = Violations::new();
    let group = match input.group.trim() {
        "" => String::new(),
        g @ ("individual" | "dealer" | "project") => g.to_owned(),
        _ => {
            v.add("group", "must be one of individual, dealer, project");
            String::new()
        }
    };
    let mut offices: Vec<Office> = campaign_store::offices_of(campaign);
    offices.retain(|office| caller.sees_office(*office));
    if !input.office.trim().is_empty() {
        match Office::parse(input.office.trim()) {
            Ok(asked) if offices.contains(&asked) => offices = vec![asked],
            Ok(_) => v.add("office", "must be an office of the campaign that you work in"),
            Err(message) => v.add("office", message),
        }
    }
    if input.product_ids.iter().any(|id| *id <= 0) || input.product_ids.len() > 1000 {
        v.add("product_ids", "must be up to 1000 product ids");
    }
    let mut date = |field: &str, text: &str| match text.trim() {
        "" => String::new(),
        text => v.check(field, parse_local_date(text)).map(|d| d.to_string()).unwrap_or_default(),
    };
    let last_purchase_before = date("last_purchase_before", &input.last_purchase_before);
    let last_purchase_after = date("last_purchase_after", &input.last_purchase_after);
    if !(0..=12).contains(&input.birthday_month) {
        v.add("birthday_month", "must be a month from 1 to 12, or 0 for any");
    }
    v.finish()?;
    let product_ids = match input.product_ids.as_slice() {
        [] => String::new(),
        ids => ids.iter().fold(",".to_owned(), |text, id| format!("{text}{id},")),
    };
    Ok(Segment {
        group,
        offices: offices_text(&offices),
        product_ids,
        last_purchase_before,
        last_purchase_after,
        birthday_month: match input.birthday_month {
            0 => String::new(),
            month => format!("{month:02}"),
        },
    })
}

pub async fn add_segment(
    db: &Db,
    caller: &Caller,
    input: &pb::AddSegmentRequest,
) -> Result<pb::AddSegmentResponse, Error> {
    let mut tx = db.begin().await?;
    let campaign = visible(&mut tx, caller, input.campaign_id).await?;
    let segment = segment_of(input, &campaign, caller)?;
    let (matched, added) = campaign_store::add_segment(&mut tx, campaign.id, &segment, &caller.username).await?;
    let member_count = visible(&mut tx, caller, campaign.id).await?.member_count;
    tx.commit().await?;
    tracing::info!(campaign = campaign.id, matched, added, "campaign segment added");
    Ok(pb::AddSegmentResponse { matched, added, member_count })
}

/// Moves a member forward; gift_sent only for a holiday gift. A member in another office than
/// the caller's is not found.
pub async fn set_status(
    db: &Db,
    caller: &Caller,
    input: &pb::SetMemberStatusRequest,
) -> Result<pb::CampaignMember, Error> {
    let to = MemberStatus::parse(input.status.trim())
        .ok_or_else(|| Error::invalid("status", format!("must be one of {}", MemberStatus::ALL.join(", "))))?;
    let mut tx = db.begin().await?;
    let campaign = visible(&mut tx, caller, input.campaign_id).await?;
    if to == MemberStatus::GiftSent && campaign.kind != CampaignKind::HolidayGift.as_str() {
        return Err(Error::invalid("status", "gift_sent is only for a holiday_gift campaign"));
    }
    let not_found = || Error::NotFound(format!("member {} of campaign {}", input.customer_id, campaign.id));
    let member = campaign_store::find_member(&mut tx, campaign.id, input.customer_id)
        .await?
        .filter(|m| Office::parse(&m.office).is_ok_and(|office| caller.sees_office(office)))
        .ok_or_else(not_found)?;
    campaign::check_member_move(MemberStatus::stored(&member.status)?, to)?;
    campaign_store::set_member_status(&mut tx, &member, campaign.id, to, &caller.username).await?;
    let written = campaign_store::find_member(&mut tx, campaign.id, input.customer_id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(written)
}

/// Members' confirmed orders within `days` from the campaign's start. The sales service holds no
/// cost of goods for an order, so gross profit is absent and the ROI is on net revenue.
pub async fn results(
    db: &Db,
    caller: &Caller,
    input: &pb::CampaignResultsRequest,
) -> Result<pb::CampaignResults, Error> {
    if !(1..=campaign::MAX_RESULT_DAYS).contains(&input.days) {
        return Err(Error::invalid("days", format!("must be from 1 to {}", campaign::MAX_RESULT_DAYS)));
    }
    let mut conn = db.pool().acquire().await?;
    let campaign = visible(&mut conn, caller, input.campaign_id).await?;
    drop(conn);
    let starts_on = parse_local_date(&campaign.starts_on)
        .map_err(|m| Error::internal(anyhow::anyhow!("stored campaign date {m}")))?;
    let end = add_days(starts_on, i64::from(input.days));
    let tally =
        campaign_store::member_orders(db, campaign.id, start_of_local_day(starts_on), start_of_local_day(end)).await?;
    let counts = campaign_store::status_counts(db, campaign.id).await?;
    let statuses = MemberStatus::ALL
        .iter()
        .map(|status| pb::MemberStatusCount {
            status: (*status).to_owned(),
            count: counts.iter().find(|(s, _)| s == status).map_or(0, |(_, n)| *n),
        })
        .collect();
    Ok(pb::CampaignResults {
        campaign_id: campaign.id,
        days: input.days,
        window_from: starts_on.to_string(),
        window_to: add_days(end, -1).to_string(),
        member_count: campaign.member_count,
        statuses,
        buying_members: tally.buyers,
        order_count: tally.orders,
        revenue: tally.net,
        gross_profit: None,
        cost: campaign.cost,
        roi_bp: campaign::roi_bp(tally.net, campaign.cost),
        roi_method: "net_revenue".to_owned(),
    })
}
