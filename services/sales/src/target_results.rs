//! Results against targets for a period: per person and per office, per metric, with the
//! achievement in basis points and, while the period runs, the share of it elapsed (for a pace).

use std::collections::{BTreeMap, HashMap};

use atq_platform::business_time::{date_to_proto, start_of_local_day};
use atq_platform::caller::Role;
use atq_platform::catalog::CatalogReader;
use atq_platform::{Caller, Db, Error, Office};
use atq_proto::sales::v1 as pb;

use crate::target::{Metric, Period, TargetScope, achievement_bp, category_word};
use crate::target_store::{self, Tally};

/// What a report covers beyond the period: an office, a salesperson (empty: any).
pub struct ReportFilter {
    pub office: Option<Office>,
    pub owner: String,
}

/// The line a target belongs on: (office, scope, owner, metric, category), in the report's order.
type LineKey = (String, u8, String, usize, String);

fn metric_rank(metric: &str) -> usize {
    Metric::ALL.iter().position(|m| *m == metric).unwrap_or(Metric::ALL.len())
}

/// Whether the caller sees a target: a sales rep their own and their office's, a manager their
/// office's, everyone else all.
fn sees(caller: &Caller, target: &pb::SalesTarget) -> bool {
    let office = Office::from_proto(target.office).ok();
    let in_territory = office.is_some_and(|office| caller.sees_office(office));
    match caller.role {
        Role::SalesRep => {
            in_territory && (target.scope == TargetScope::Office.as_str() || target.owner == caller.username)
        }
        _ => in_territory,
    }
}

pub async fn report(
    db: &Db,
    catalog: &CatalogReader,
    caller: &Caller,
    period: Period,
    filter: ReportFilter,
    now: i64,
) -> Result<pb::TargetReport, Error> {
    let (from, to) = (start_of_local_day(period.first_day), start_of_local_day(period.end));
    let elapsed_bp = if now <= from {
        0
    } else if now >= to {
        10_000
    } else {
        (now - from) * 10_000 / (to - from)
    };
    let mut report = pb::TargetReport {
        period: period.text.clone(),
        first_day: Some(date_to_proto(period.first_day)),
        last_day: Some(date_to_proto(period.end.pred_opt().unwrap_or(period.end))),
        running: from <= now && now < to,
        elapsed_bp,
        lines: Vec::new(),
    };
    let office = match (caller.territory(), filter.office) {
        (Some(own), Some(asked)) if own != asked => return Ok(report),
        (own, asked) => asked.or(own),
    };
    let targets = target_store::of_period(db, &period.text, office).await?;
    let mut lines = lines_of(caller, &targets, &filter.owner);
    let mut results = Results { db, catalog, caller, from, to, tallies: HashMap::new(), categories: HashMap::new() };
    for line in lines.values_mut() {
        line.result = results.of(line).await?;
        line.achievement_bp = line.target.and_then(|target| achievement_bp(line.result, target));
    }
    report.lines = lines.into_values().collect();
    Ok(report)
}

/// The report's lines: each visible target, and an office line wherever the office's people have
/// targets the office itself has not.
fn lines_of(caller: &Caller, targets: &[pb::SalesTarget], owner: &str) -> BTreeMap<LineKey, pb::TargetReportLine> {
    let office_code =
        |t: &pb::SalesTarget| Office::from_proto(t.office).map(Office::code).unwrap_or_default().to_owned();
    let mut lines = BTreeMap::new();
    for target in targets {
        let is_person = target.scope == TargetScope::Person.as_str();
        let office_key = (office_code(target), 0, String::new(), metric_rank(&target.metric), target.category.clone());
        let office_line = lines.entry(office_key).or_insert_with(|| pb::TargetReportLine {
            scope: TargetScope::Office.as_str().to_owned(),
            office: target.office,
            metric: target.metric.clone(),
            category: target.category.clone(),
            ..Default::default()
        });
        if is_person {
            office_line.people_target = office_line.people_target.saturating_add(target.target);
        } else {
            office_line.target = Some(target.target);
        }
        if is_person && sees(caller, target) && (owner.is_empty() || target.owner == owner) {
            let key =
                (office_code(target), 1, target.owner.clone(), metric_rank(&target.metric), target.category.clone());
            lines.insert(
                key,
                pb::TargetReportLine {
                    scope: target.scope.clone(),
                    owner: target.owner.clone(),
                    office: target.office,
                    metric: target.metric.clone(),
                    category: target.category.clone(),
                    target: Some(target.target),
                    ..Default::default()
                },
            );
        }
    }
    // Office lines are shown to whoever sees the office, unless one salesperson was asked for.
    lines.retain(|(_, scope, _, _, _), line| {
        *scope == 1
            || (owner.is_empty() && Office::from_proto(line.office).is_ok_and(|office| caller.sees_office(office)))
    });
    lines
}

/// The period's tallies, read once per metric, and the catalog's categories of the products sold.
struct Results<'a> {
    db: &'a Db,
    catalog: &'a CatalogReader,
    caller: &'a Caller,
    from: i64,
    to: i64,
    tallies: HashMap<&'static str, Vec<Tally>>,
    categories: HashMap<i64, String>,
}

impl Results<'_> {
    async fn of(&mut self, line: &pb::TargetReportLine) -> Result<i64, Error> {
        let metric = Metric::stored(&line.metric)?;
        if !self.tallies.contains_key(metric.as_str()) {
            let tallies = target_store::tallies(self.db, metric, self.from, self.to).await?;
            if metric == Metric::CategoryRevenue {
                self.learn_categories(&tallies).await?;
            }
            self.tallies.insert(metric.as_str(), tallies);
        }
        let office = Office::from_proto(line.office).map(Office::code).unwrap_or_default();
        let counts = |t: &&Tally| {
            let whose =
                if line.scope == TargetScope::Person.as_str() { t.person == line.owner } else { t.office == office };
            whose && (metric != Metric::CategoryRevenue || self.categories.get(&t.product_id) == Some(&line.category))
        };
        let tallies = self.tallies.get(metric.as_str()).map(Vec::as_slice).unwrap_or_default();
        tallies
            .iter()
            .filter(counts)
            .try_fold(0_i64, |sum, t| sum.checked_add(t.amount))
            .ok_or_else(|| Error::internal(anyhow::anyhow!("a target result overflows")))
    }

    /// One batched catalog call for every product sold in the period.
    async fn learn_categories(&mut self, tallies: &[Tally]) -> Result<(), Error> {
        let mut ids: Vec<i64> = tallies.iter().map(|t| t.product_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let products = self.catalog.products(self.caller, &ids).await?;
        self.categories =
            products.into_iter().filter_map(|(id, product)| Some((id, category_word(product.category)?))).collect();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(scope: &str, owner: &str, office: Office, metric: &str, value: i64) -> pb::SalesTarget {
        pb::SalesTarget {
            scope: scope.into(),
            owner: owner.into(),
            office: office.to_proto() as i32,
            metric: metric.into(),
            target: value,
            ..Default::default()
        }
    }

    #[test]
    fn a_rep_sees_their_own_lines_and_their_office_with_its_people_total() {
        let targets = [
            target("person", "sales.hn", Office::HaNoi, "revenue", 100),
            target("person", "sales.hn2", Office::HaNoi, "revenue", 50),
            target("person", "sales.hcm", Office::HoChiMinh, "revenue", 70),
        ];
        let rep = Caller { username: "sales.hn".into(), role: Role::SalesRep, office: Some(Office::HaNoi) };
        let lines: Vec<_> = lines_of(&rep, &targets, "").into_values().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[0].scope.as_str(), lines[0].target, lines[0].people_target), ("office", None, 150));
        assert_eq!((lines[1].owner.as_str(), lines[1].target), ("sales.hn", Some(100)));
        let director = Caller { username: "director".into(), role: Role::Director, office: None };
        assert_eq!(lines_of(&director, &targets, "").len(), 5);
    }
}
