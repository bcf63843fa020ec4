//! The JSON shapes of `/api/v1/campaigns`.

use atq_proto::sales::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::wire::rfc3339;

#[derive(Serialize, ToSchema)]
pub struct CampaignBody {
    pub id: i64,
    pub name: String,
    /// holiday_gift, promotion, satisfaction_call or event
    pub kind: String,
    /// For holiday_gift: company_anniversary, valentines_14_2, women_8_3, teachers_20_11 or tet;
    /// else empty.
    pub occasion: String,
    /// HN, HCM, DL
    pub offices: Vec<String>,
    /// YYYY-MM-DD
    pub starts_on: String,
    pub ends_on: String,
    /// VND
    pub cost: i64,
    /// planned, running or done
    pub status: String,
    pub member_count: i64,
    pub created_by: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<pb::Campaign> for CampaignBody {
    fn from(c: pb::Campaign) -> Self {
        CampaignBody {
            created_at: rfc3339(c.created_at.as_ref()),
            updated_at: rfc3339(c.updated_at.as_ref()),
            id: c.id,
            name: c.name,
            kind: c.kind,
            occasion: c.occasion,
            offices: c.offices,
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            cost: c.cost,
            status: c.status,
            member_count: c.member_count,
            created_by: c.created_by,
            version: c.version,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct CreateCampaignBody {
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub name: String,
    /// holiday_gift, promotion, satisfaction_call or event
    #[schema(required = true, min_length = 1)]
    pub kind: String,
    /// For holiday_gift: company_anniversary, valentines_14_2, women_8_3, teachers_20_11 or tet.
    pub occasion: String,
    /// HN, HCM, DL: at least one
    #[schema(required = true)]
    pub offices: Vec<String>,
    /// YYYY-MM-DD
    #[schema(required = true)]
    pub starts_on: String,
    /// YYYY-MM-DD, on or after starts_on
    #[schema(required = true)]
    pub ends_on: String,
    /// VND
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub cost: i64,
    /// planned (default), running or done
    pub status: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateCampaignBody {
    pub name: Option<String>,
    /// planned, running or done; never back
    pub status: Option<String>,
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub cost: Option<i64>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub occasion: Option<String>,
    /// The version read; alternatively send If-Match with the ETag.
    pub version: Option<i64>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentBody {
    /// individual, dealer or project
    pub group: String,
    /// One of the campaign's offices; empty: all of them you work in
    pub office: String,
    /// Customers who bought any of these products on a confirmed order (the sales service's
    /// order lines hold products, not categories)
    #[schema(max_items = 1000)]
    pub product_ids: Vec<i64>,
    /// YYYY-MM-DD: the last purchase was before this day
    pub last_purchase_before: String,
    /// YYYY-MM-DD: the last purchase was after this day
    pub last_purchase_after: String,
    /// 1-12: a contact's birthday is in this month
    #[schema(minimum = 0, maximum = 12)]
    pub birthday_month: i32,
}

#[derive(Serialize, ToSchema)]
pub struct SegmentAddedBody {
    /// Customers matching the segment
    pub matched: i64,
    /// Of those, the ones who were not members yet
    pub added: i64,
    pub member_count: i64,
}

impl From<pb::AddSegmentResponse> for SegmentAddedBody {
    fn from(r: pb::AddSegmentResponse) -> Self {
        SegmentAddedBody { matched: r.matched, added: r.added, member_count: r.member_count }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberBody {
    pub customer_id: i64,
    pub customer_code: String,
    pub customer_name: String,
    pub office: String,
    /// planned, contacted, gift_sent, responded or bought
    pub status: String,
    pub updated_by: String,
    pub updated_at: String,
}

impl From<pb::CampaignMember> for MemberBody {
    fn from(m: pb::CampaignMember) -> Self {
        MemberBody {
            updated_at: rfc3339(m.updated_at.as_ref()),
            customer_id: m.customer_id,
            customer_code: m.customer_code,
            customer_name: m.customer_name,
            office: m.office,
            status: m.status,
            updated_by: m.updated_by,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default, deny_unknown_fields)]
pub struct MemberStatusBody {
    /// contacted, gift_sent (holiday gifts), responded or bought: forward only
    #[schema(required = true, min_length = 1)]
    pub status: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusCountBody {
    pub status: String,
    pub count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ResultsBody {
    pub campaign_id: i64,
    pub days: i32,
    /// The first and last local days whose confirmed orders count
    pub window_from: String,
    pub window_to: String,
    pub member_count: i64,
    pub statuses: Vec<StatusCountBody>,
    pub buying_members: i64,
    pub order_count: i64,
    /// Members' confirmed orders in the window, net of VAT, VND
    pub revenue: i64,
    /// null: the sales service holds no cost of goods for orders, so none is invented
    pub gross_profit: Option<i64>,
    /// The campaign's cost, VND
    pub cost: i64,
    /// (basis − cost) / cost in basis points, rounded half up; null when the cost is 0
    pub roi_bp: Option<i64>,
    /// The basis of roi_bp: net_revenue (while gross_profit is null) or gross_profit
    pub roi_method: String,
}

impl From<pb::CampaignResults> for ResultsBody {
    fn from(r: pb::CampaignResults) -> Self {
        ResultsBody {
            campaign_id: r.campaign_id,
            days: r.days,
            window_from: r.window_from,
            window_to: r.window_to,
            member_count: r.member_count,
            statuses: r.statuses.into_iter().map(|s| StatusCountBody { status: s.status, count: s.count }).collect(),
            buying_members: r.buying_members,
            order_count: r.order_count,
            revenue: r.revenue,
            gross_profit: r.gross_profit,
            cost: r.cost,
            roi_bp: r.roi_bp,
            roi_method: r.roi_method,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReminderBody {
    /// follow_up (7 days after delivery) or birthday
    pub reason: String,
    pub customer_id: i64,
    /// 0 unless for one contact
    pub contact_id: i64,
    /// The planned call activity
    pub activity_id: i64,
    /// The salesperson it is planned for
    pub owner: String,
    /// false: an earlier run of the same date made it
    pub created: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RemindersBody {
    pub date: String,
    pub created: i64,
    pub reminders: Vec<ReminderBody>,
    /// Reasons not run, and why
    pub skipped: Vec<String>,
}

impl From<pb::RunRemindersResponse> for RemindersBody {
    fn from(r: pb::RunRemindersResponse) -> Self {
        let reminders = r
            .reminders
            .into_iter()
            .map(|m| ReminderBody {
                reason: m.reason,
                customer_id: m.customer_id,
                contact_id: m.contact_id,
                activity_id: m.activity_id,
                owner: m.owner,
                created: m.created,
            })
            .collect();
        RemindersBody { date: r.date, created: r.created, reminders, skipped: r.skipped }
    }
}
