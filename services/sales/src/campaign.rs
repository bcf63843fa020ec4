//! Care campaigns: what a campaign is (a kind, an occasion for holiday gifts, its offices, dates
//! and cost), the moves of its status and of its members', and its return on investment.

use atq_platform::business_time::parse_local_date;
use atq_platform::validation::{Violations, required_text};
use atq_platform::{Caller, Error, Office, text_status};
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

text_status! {
    CampaignKind {
        HolidayGift = "holiday_gift",
        Promotion = "promotion",
        SatisfactionCall = "satisfaction_call",
        Event = "event",
    }
}

text_status! {
    Occasion {
        CompanyAnniversary = "company_anniversary",
        Valentines = "valentines_14_2",
        WomensDay = "women_8_3",
        TeachersDay = "teachers_20_11",
        Tet = "tet",
    }
}

text_status! {
    CampaignStatus {
        Planned = "planned",
        Running = "running",
        Done = "done",
    }
}

text_status! {
    MemberStatus {
        Planned = "planned",
        Contacted = "contacted",
        GiftSent = "gift_sent",
        Responded = "responded",
        Bought = "bought",
    }
}

/// The most a campaign may cost, VND.
pub const MAX_COST: i64 = 1_000_000_000_000_000;
/// The longest results window, in days.
pub const MAX_RESULT_DAYS: i32 = 366;
const MAX_NAME: usize = 200;

/// A campaign as parsed, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCampaign {
    pub name: String,
    pub kind: CampaignKind,
    /// '' unless the kind is a holiday gift.
    pub occasion: String,
    pub offices: Vec<Office>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub cost: i64,
    pub status: CampaignStatus,
}

fn one_of<T>(v: &mut Violations, field: &str, parsed: Option<T>, all: &[&str]) -> Option<T> {
    if parsed.is_none() {
        v.add(field, format!("must be one of {}", all.join(", ")));
    }
    parsed
}

/// The occasion a kind takes: one of the holidays for a gift, none otherwise.
pub fn occasion_of(v: &mut Violations, kind: Option<CampaignKind>, text: &str) -> Option<String> {
    let text = text.trim();
    match kind {
        Some(CampaignKind::HolidayGift) => {
            one_of(v, "occasion", Occasion::parse(text), Occasion::ALL).map(|o| o.as_str().to_owned())
        }
        _ if !text.is_empty() => {
            v.add("occasion", "must be empty unless the kind is holiday_gift");
            None
        }
        _ => Some(String::new()),
    }
}

pub fn cost_of(v: &mut Violations, cost: i64) -> Option<i64> {
    if (0..=MAX_COST).contains(&cost) {
        Some(cost)
    } else {
        v.add("cost", format!("must be from 0 to {MAX_COST} VND"));
        None
    }
}

/// The dates in order: a campaign ends on or after the day it starts.
pub fn dates_of(v: &mut Violations, starts_on: &str, ends_on: &str) -> Option<(NaiveDate, NaiveDate)> {
    let starts = v.check("starts_on", parse_local_date(starts_on));
    let ends = v.check("ends_on", parse_local_date(ends_on));
    match (starts, ends) {
        (Some(starts), Some(ends)) if ends < starts => {
            v.add("ends_on", "must be on or after starts_on");
            None
        }
        (Some(starts), Some(ends)) => Some((starts, ends)),
        _ => None,
    }
}

fn offices_of(v: &mut Violations, codes: &[String]) -> Option<Vec<Office>> {
    let mut offices = Vec::new();
    for code in codes {
        let office = v.check("offices", Office::parse(code.trim()))?;
        if !offices.contains(&office) {
            offices.push(office);
        }
    }
    if offices.is_empty() {
        v.add("offices", "must name at least one office: HN, HCM or DL");
        return None;
    }
    Some(offices)
}

/// Parses a campaign, naming each bad field.
pub fn parse_fields(fields: &pb::CampaignFields) -> Result<NewCampaign, Error> {
    let mut v = Violations::new();
    let name = v.check("name", required_text(&fields.name, MAX_NAME));
    let kind = one_of(&mut v, "kind", CampaignKind::parse(fields.kind.trim()), CampaignKind::ALL);
    let occasion = occasion_of(&mut v, kind, &fields.occasion);
    let offices = offices_of(&mut v, &fields.offices);
    let dates = dates_of(&mut v, &fields.starts_on, &fields.ends_on);
    let cost = cost_of(&mut v, fields.cost);
    let status = match fields.status.trim() {
        "" => Some(CampaignStatus::Planned),
        text => one_of(&mut v, "status", CampaignStatus::parse(text), CampaignStatus::ALL),
    };
    v.finish()?;
    let missing = || Error::invalid("campaign", "is incomplete");
    let (starts_on, ends_on) = dates.ok_or_else(missing)?;
    Ok(NewCampaign {
        name: name.ok_or_else(missing)?,
        kind: kind.ok_or_else(missing)?,
        occasion: occasion.ok_or_else(missing)?,
        offices: offices.ok_or_else(missing)?,
        starts_on,
        ends_on,
        cost: cost.ok_or_else(missing)?,
        status: status.ok_or_else(missing)?,
    })
}

pub fn name_of(v: &mut Violations, text: &str) -> Option<String> {
    v.check("name", required_text(text, MAX_NAME))
}

/// Whether the caller sees a campaign: it runs in an office of their territory (everyone else
/// sees every campaign).
pub fn sees(caller: &Caller, offices: &[Office]) -> bool {
    offices.iter().any(|office| caller.sees_office(*office))
}

/// A campaign moves planned → running → done; a step may be skipped, none undone.
pub fn check_status_move(from: CampaignStatus, to: CampaignStatus) -> Result<(), Error> {
    if rank(CampaignStatus::ALL, to.as_str()) < rank(CampaignStatus::ALL, from.as_str()) {
        return Err(Error::Conflict("a campaign's status only moves forward: planned, running, done".into()));
    }
    Ok(())
}

/// A member moves forward through planned, contacted, gift_sent, responded, bought; a step may
/// be skipped (a satisfaction call sends no gift), none undone or repeated.
pub fn check_member_move(from: MemberStatus, to: MemberStatus) -> Result<(), Error> {
    if rank(MemberStatus::ALL, to.as_str()) <= rank(MemberStatus::ALL, from.as_str()) {
        return Err(Error::Conflict(
            "a member's status only moves forward: planned, contacted, gift_sent, responded, bought".into(),
        ));
    }
    Ok(())
}

fn rank(all: &[&str], status: &str) -> usize {
    all.iter().position(|s| *s == status).unwrap_or(0)
}

/// (basis − cost) / cost in basis points, rounded half up; None without a cost above 0.
pub fn roi_bp(basis: i64, cost: i64) -> Option<i64> {
    if cost <= 0 {
        return None;
    }
    let (gain, cost) = (i128::from(basis) - i128::from(cost), i128::from(cost));
    let rounded = (gain * 20_000 + cost).div_euclid(2 * cost);
    Some(i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> pb::CampaignFields {
        pb::CampaignFields {
            name: "Quà 20/11".into(),
            kind: "holiday_gift".into(),
            occasion: "teachers_20_11".into(),
            offices: vec!["HN".into(), "HN".into()],
            starts_on: "2026-11-10".into(),
            ends_on: "2026-11-20".into(),
            cost: 5_000_000,
            status: String::new(),
        }
    }

    #[test]
    fn a_holiday_gift_names_its_occasion_and_offices_once() {
        let campaign = parse_fields(&fields()).unwrap();
        assert_eq!(campaign.offices, vec![Office::HaNoi]);
        assert_eq!((campaign.occasion.as_str(), campaign.status), ("teachers_20_11", CampaignStatus::Planned));
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = pb::CampaignFields {
            name: " ".into(),
            kind: "promotion".into(),
            occasion: "tet".into(),
            offices: vec![],
            starts_on: "2026-11-20".into(),
            ends_on: "2026-11-10".into(),
            cost: MAX_COST + 1,
            status: "paused".into(),
        };
        let Err(Error::Invalid(errors)) = parse_fields(&bad) else { panic!("bad fields were taken") };
        let named: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(named, ["name", "occasion", "offices", "ends_on", "cost", "status"]);
    }

    #[test]
    fn members_only_move_forward() {
        assert!(check_member_move(MemberStatus::Planned, MemberStatus::GiftSent).is_ok());
        assert!(check_member_move(MemberStatus::GiftSent, MemberStatus::Contacted).is_err());
        assert!(check_member_move(MemberStatus::Bought, MemberStatus::Bought).is_err());
        assert!(check_status_move(CampaignStatus::Done, CampaignStatus::Running).is_err());
        assert!(check_status_move(CampaignStatus::Running, CampaignStatus::Running).is_ok());
    }

    #[test]
    fn roi_is_in_basis_points_rounded_half_up() {
        assert_eq!(roi_bp(30_000_000, 5_000_000), Some(50_000));
        assert_eq!(roi_bp(0, 3), Some(-10_000));
        assert_eq!(roi_bp(4, 3), Some(3333));
        assert_eq!(roi_bp(5, 3), Some(6667));
        assert_eq!(roi_bp(1, 0), None);
    }
}
