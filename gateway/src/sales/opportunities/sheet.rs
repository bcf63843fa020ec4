//! The opportunities' CSV download: every match, page by page, up to a bound.

use atq_proto::sales::v1 as pb;
use axum::response::Response;

use super::bodies::OpportunityBody;
use crate::problem::Problem;
use crate::rpc::CallContext;
use crate::wire::{CsvLayout, CsvSheet};

/// Opportunities, and as many pages of them, one CSV download holds at most.
const CSV_PAGES: usize = 20;

/// Every opportunity the request matches, 500 to a page, as `opportunities.csv`.
pub async fn download(ctx: &CallContext<'_>, mut message: pb::ListOpportunitiesRequest) -> Result<Response, Problem> {
    let mut sheet = CsvSheet::new(CsvLayout::Excel, &CSV_HEADER)?;
    for _ in 0..CSV_PAGES {
        let page = ctx
            .call(&ctx.state.opportunities, message.clone(), |mut c, r| async move { c.list_opportunities(r).await })
            .await?;
        for item in page.items {
            sheet.row(csv_row(OpportunityBody::from(item)))?;
        }
        if page.next_cursor.is_empty() {
            break;
        }
        message.page = Some(atq_proto::common::v1::PageRequest { limit: 500, cursor: page.next_cursor });
    }
    sheet.attachment("opportunities.csv")
}

const CSV_HEADER: [&str; 14] = [
    "id",
    "customer_code",
    "customer_name",
    "office",
    "title",
    "stage",
    "expected_value",
    "probability",
    "weighted_value",
    "expected_close_on",
    "owner",
    "lost_reason",
    "competitor",
    "closed_on",
];

fn csv_row(o: OpportunityBody) -> [String; 14] {
    [
        o.id.to_string(),
        o.customer_code,
        o.customer_name,
        o.office,
        o.title,
        o.stage,
        o.expected_value.to_string(),
        o.probability.to_string(),
        o.weighted_value.to_string(),
        o.expected_close_on,
        o.owner,
        o.lost_reason.unwrap_or_default(),
        o.competitor.unwrap_or_default(),
        o.closed_on.unwrap_or_default(),
    ]
}
