//! The weighted pipeline beside the revenue forecast: each open opportunity's expected value times
//! its probability, summed per local month of its expected close date.
//!
//! Opportunities come from the sales feed's `OpportunityStageChanged`, which carries the value,
//! the expected close date and the probability as they stood at each stage change: a value or a
//! date edited without a change of stage shows at the next change.

use std::collections::BTreeMap;

use atq_platform::business_time::date_from_proto;
use atq_platform::error::Result;
use atq_platform::feed_consumer::Projection;
use atq_platform::{Db, Error, Office, Tx, outbox};
use atq_proto::events::v1::Event;
use atq_proto::sales::v1 as sales;
use prost::Message;

use crate::forecast::divide_rounded;
use crate::forecast_store::{self, OpportunityFact};
use crate::product_facts::UNKNOWN;

/// The stages of an opportunity still pursued; won and lost are closed.
pub const OPEN_STAGES: [&str; 4] = ["prospecting", "qualified", "proposal", "negotiation"];

pub struct OpportunityFacts;

#[tonic::async_trait]
impl Projection for OpportunityFacts {
    async fn apply(&self, tx: &mut Tx, event: &Event) -> Result<()> {
        if !outbox::is::<sales::OpportunityStageChanged>(event) {
            return Ok(());
        }
        let changed = sales::OpportunityStageChanged::decode(event.payload.as_slice())?;
        // A date the feed cannot have written is kept as none, not refused: a refusal would stop
        // the whole feed.
        let close = changed.expected_close_on.as_ref().and_then(|d| date_from_proto(d).ok());
        let fact = OpportunityFact {
            opportunity_id: changed.opportunity_id,
            office: Office::from_proto(changed.office).map(Office::code).unwrap_or(UNKNOWN),
            stage: &changed.to_stage,
            expected_value: changed.expected_value,
            expected_close_on: close.map(|d| d.to_string()).unwrap_or_default(),
            probability: i64::from(changed.probability.clamp(0, 100)),
            position: event.position,
        };
        forecast_store::record_opportunity(tx, &fact).await
    }
}

/// The open opportunities expected to close in one month.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipelineMonth {
    /// `YYYY-MM`, or `none` for opportunities without an expected close date.
    pub month: String,
    pub opportunities: i64,
    /// Their expected values, VND.
    pub value: i64,
    /// Σ value × probability / 100, each opportunity's rounded half away from zero to the đồng.
    pub weighted: i64,
}

fn overflow() -> Error {
    Error::internal(anyhow::anyhow!("the weighted pipeline overflows"))
}

/// The open pipeline per expected close month (months in order; an overdue month is kept), of
/// one office when given.
pub async fn weighted_pipeline(db: &Db, office: Option<&str>) -> Result<Vec<PipelineMonth>> {
    let open = forecast_store::open_opportunities(db, &OPEN_STAGES, office).await?;
    let mut months: BTreeMap<String, PipelineMonth> = BTreeMap::new();
    for one in open {
        let month = one.expected_close_on.get(..7).unwrap_or("none").to_owned();
        let weighted =
            divide_rounded(i128::from(one.expected_value) * i128::from(one.probability), 100).ok_or_else(overflow)?;
        let entry = months.entry(month.clone()).or_insert_with(|| PipelineMonth { month, ..PipelineMonth::default() });
        entry.opportunities = entry.opportunities.checked_add(1).ok_or_else(overflow)?;
        entry.value = entry.value.checked_add(one.expected_value).ok_or_else(overflow)?;
        entry.weighted = entry.weighted.checked_add(weighted).ok_or_else(overflow)?;
    }
    Ok(months.into_values().collect())
}
