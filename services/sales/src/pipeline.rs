//! The pipeline report: what the opportunities are worth by stage, and each salesperson's and
//! office's forecast. Weighted values are rounded per opportunity, then summed exactly.

use std::collections::BTreeMap;

use atq_platform::Error;
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::opportunity::{Stage, weighted};
use crate::opportunity_store::OpportunityRow;

/// The date an opportunity counts on: the day it closed, else the day it is expected to.
fn close_date(row: &OpportunityRow) -> NaiveDate {
    row.proto
        .closed_on
        .as_ref()
        .and_then(|d| atq_platform::business_time::date_from_proto(d).ok())
        .unwrap_or(row.expected_close_on)
}

#[derive(Default)]
struct Sums {
    count: i64,
    value: i128,
    weighted: i128,
}

#[derive(Default)]
struct Forecast {
    open_count: i64,
    open_value: i128,
    weighted: i128,
    won_count: i64,
    won_value: i128,
    lost_count: i64,
}

fn exact(sum: i128) -> Result<i64, Error> {
    i64::try_from(sum).map_err(|_| Error::Conflict("the pipeline's total is too large to report".into()))
}

impl Forecast {
    fn add(&mut self, row: &OpportunityRow) {
        let value = i128::from(row.proto.expected_value);
        match row.stage {
            Stage::Won => {
                self.won_count += 1;
                self.won_value += value;
            }
            Stage::Lost => self.lost_count += 1,
            _ => {
                self.open_count += 1;
                self.open_value += value;
                self.weighted += i128::from(weighted(row.proto.expected_value, i64::from(row.proto.probability)));
            }
        }
    }

    fn figures(&self, key: String) -> Result<pb::ForecastFigures, Error> {
        Ok(pb::ForecastFigures {
            key,
            open_count: self.open_count,
            open_value: exact(self.open_value)?,
            weighted_forecast: exact(self.weighted)?,
            won_count: self.won_count,
            won_value: exact(self.won_value)?,
            lost_count: self.lost_count,
            win_rate_bp: win_rate_bp(self.won_count, self.lost_count),
        })
    }
}

/// won / (won + lost) in basis points, rounded half up; 0 when nothing closed.
pub fn win_rate_bp(won: i64, lost: i64) -> i32 {
    let closed = won + lost;
    if closed == 0 { 0 } else { ((won * 10_000 * 2 + closed) / (closed * 2)) as i32 }
}

/// The report over `rows` whose close date lies within `from..=to` (either end open).
pub fn report(
    rows: &[OpportunityRow],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<pb::PipelineReport, Error> {
    let mut stages: BTreeMap<usize, Sums> = BTreeMap::new();
    let mut owners: BTreeMap<String, Forecast> = BTreeMap::new();
    let mut offices: BTreeMap<&str, Forecast> = BTreeMap::new();
    let within = |row: &&OpportunityRow| {
        let date = close_date(row);
        from.is_none_or(|f| date >= f) && to.is_none_or(|t| date <= t)
    };
    for row in rows.iter().filter(within) {
        let order = Stage::ALL.iter().position(|s| *s == row.stage.as_str()).unwrap_or_default();
        let sums = stages.entry(order).or_default();
        sums.count += 1;
        sums.value += i128::from(row.proto.expected_value);
        sums.weighted += i128::from(weighted(row.proto.expected_value, i64::from(row.proto.probability)));
        owners.entry(row.proto.owner.clone()).or_default().add(row);
        offices.entry(row.office.code()).or_default().add(row);
    }
    let stages = Stage::ALL
        .iter()
        .enumerate()
        .map(|(order, stage)| {
            let sums = stages.remove(&order).unwrap_or_default();
            Ok(pb::StageFigures {
                stage: (*stage).to_owned(),
                count: sums.count,
                value: exact(sums.value)?,
                weighted_value: exact(sums.weighted)?,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(pb::PipelineReport {
        stages,
        owners: owners.into_iter().map(|(owner, f)| f.figures(owner)).collect::<Result<_, _>>()?,
        offices: offices.into_iter().map(|(office, f)| f.figures(office.to_owned())).collect::<Result<_, _>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn win_rates_are_basis_points_rounded_half_up() {
        assert_eq!(win_rate_bp(0, 0), 0);
        assert_eq!(win_rate_bp(1, 1), 5_000);
        assert_eq!(win_rate_bp(1, 2), 3_333);
        assert_eq!(win_rate_bp(2, 1), 6_667);
        assert_eq!(win_rate_bp(3, 0), 10_000);
    }
}
