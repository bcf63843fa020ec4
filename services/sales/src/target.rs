//! Sales targets: what a target names (a person or an office, a local month, quarter or year, a
//! metric), who may set it, and the writes: one target at a time or a whole spreadsheet, all rows
//! or none.

use atq_platform::caller::Role;
use atq_platform::validation::{Violations, required_text};
use atq_platform::{Caller, Db, Error, Office, idempotency, text_status};
use atq_proto::importplanning::v1::ProductCategory;
use atq_proto::sales::v1 as pb;
use chrono::{Datelike, NaiveDate};

use crate::target_store::{self, TargetKey};

text_status! {
    TargetScope {
        Person = "person",
        Office = "office",
    }
}

text_status! {
    Metric {
        Revenue = "revenue",
        NewCustomers = "new_customers",
        Visits = "visits",
        CategoryRevenue = "category_revenue",
    }
}

impl Metric {
    /// The most a target may be: VND for revenue, a count otherwise.
    pub fn max_target(self) -> i64 {
        match self {
            Metric::Revenue | Metric::CategoryRevenue => 1_000_000_000_000_000,
            Metric::NewCustomers | Metric::Visits => 1_000_000,
        }
    }
}

/// The product categories of the catalog, as the words the API uses ("electronics_telecom").
pub fn category_word(value: i32) -> Option<String> {
    let category = ProductCategory::try_from(value).ok().filter(|c| *c != ProductCategory::Unspecified)?;
    Some(category.as_str_name().trim_start_matches("PRODUCT_CATEGORY_").to_ascii_lowercase())
}

fn category_words() -> Vec<String> {
    (1..=8).filter_map(category_word).collect()
}

/// A local month, quarter or year: its text and its first and last days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub text: String,
    pub first_day: NaiveDate,
    /// The day after the last one.
    pub end: NaiveDate,
}

const PERIOD_SHAPE: &str = "must be a month 2026-11, a quarter 2026-Q4 or a year 2026";

impl Period {
    pub fn parse(text: &str) -> Result<Period, String> {
        let text = text.trim();
        let year_of = |t: &str| -> Result<i32, String> {
            let year = (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse::<i32>().ok())
                .flatten()
                .ok_or(PERIOD_SHAPE)?;
            if (2000..=2100).contains(&year) { Ok(year) } else { Err("must be a year from 2000 to 2100".into()) }
        };
        let (year, first_month, months) = match (text.get(..4), text.get(4..)) {
            (Some(y), Some("")) => (year_of(y)?, 1, 12),
            (Some(y), Some(rest)) if rest.len() == 3 && rest.starts_with("-Q") => match &rest[2..] {
                q @ ("1" | "2" | "3" | "4") => (year_of(y)?, (q.parse::<u32>().unwrap_or(1) - 1) * 3 + 1, 3),
                _ => return Err(PERIOD_SHAPE.into()),
            },
            (Some(y), Some(rest)) if rest.len() == 3 && rest.starts_with('-') => match rest[1..].parse::<u32>() {
                Ok(month) if (1..=12).contains(&month) && rest[1..].bytes().all(|b| b.is_ascii_digit()) => {
                    (year_of(y)?, month, 1)
                }
                _ => return Err(PERIOD_SHAPE.into()),
            },
            _ => return Err(PERIOD_SHAPE.into()),
        };
        let first_day = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or(PERIOD_SHAPE)?;
        let end = first_day.checked_add_months(chrono::Months::new(months)).ok_or(PERIOD_SHAPE)?;
        Ok(Period { text: text.to_owned(), first_day, end })
    }

    /// The quarter holding `date`, as "2026-Q4".
    pub fn quarter_of(date: NaiveDate) -> String {
        format!("{}-Q{}", date.year(), (date.month() - 1) / 3 + 1)
    }
}

/// result / target in basis points, rounded half up; None without a target above 0.
pub fn achievement_bp(result: i64, target: i64) -> Option<i64> {
    if target <= 0 {
        return None;
    }
    let scaled = i128::from(result.max(0)) * 10_000;
    let rounded = (scaled * 2 + i128::from(target)) / (2 * i128::from(target));
    Some(i64::try_from(rounded).unwrap_or(i64::MAX))
}

/// A target as parsed, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTarget {
    pub key: TargetKey,
    pub target: i64,
}

/// Parses one target, naming each bad column (the spreadsheet's column names).
pub fn parse_fields(fields: &pb::TargetFields, v: &mut Violations) -> Option<NewTarget> {
    let period = v.check("period", Period::parse(&fields.period));
    let scope = v.check(
        "scope",
        TargetScope::parse(fields.scope.trim())
            .ok_or_else(|| format!("must be one of {}", TargetScope::ALL.join(", "))),
    );
    let office = v.check("office", Office::parse(fields.office.trim()));
    let owner = match scope {
        Some(TargetScope::Person) => person_owner(fields, office, v),
        _ if !fields.owner.trim().is_empty() => {
            v.add("owner", "must be empty for an office target");
            None
        }
        _ => Some(String::new()),
    };
    let metric = v.check(
        "metric",
        Metric::parse(fields.metric.trim()).ok_or_else(|| format!("must be one of {}", Metric::ALL.join(", "))),
    );
    let category = category_of(fields.category.trim(), metric, v);
    let target = metric.and_then(|metric| v.check("target", target_value(&fields.target, metric)));
    Some(NewTarget {
        key: TargetKey {
            scope: scope?,
            owner: owner?,
            office: office?,
            period: period?.text,
            metric: metric?,
            category: category?,
        },
        target: target?,
    })
}

fn person_owner(fields: &pb::TargetFields, office: Option<Office>, v: &mut Violations) -> Option<String> {
    let owner = v.check("owner", required_text(&fields.owner, 100))?;
    match Office::parse(fields.owner_office.trim()) {
        Err(_) => v.add("owner", "no active user has this username"),
        Ok(works_in) if Some(works_in) != office && office.is_some() => {
            v.add("owner", format!("works in office {}", works_in.code()));
        }
        Ok(_) => return Some(owner),
    }
    None
}

fn category_of(text: &str, metric: Option<Metric>, v: &mut Violations) -> Option<String> {
    match metric {
        Some(Metric::CategoryRevenue) if category_words().iter().any(|w| w == text) => Some(text.to_owned()),
        Some(Metric::CategoryRevenue) => {
            v.add("category", format!("must be one of {}", category_words().join(", ")));
            None
        }
        _ if !text.is_empty() => {
            v.add("category", "must be empty unless the metric is category_revenue");
            None
        }
        _ => Some(String::new()),
    }
}

fn target_value(text: &str, metric: Metric) -> Result<i64, String> {
    let max = metric.max_target();
    let digits: String = text.trim().chars().filter(|c| !matches!(c, '.' | ',' | ' ')).collect();
    match digits.parse::<i64>() {
        Ok(value) if (0..=max).contains(&value) && !digits.starts_with('+') => Ok(value),
        _ => Err(format!("must be a whole number from 0 to {max}")),
    }
}

/// Sales managers set targets for their own office and its people; directors for everyone.
pub fn may_set(caller: &Caller, office: Office) -> Result<(), Error> {
    match caller.role {
        Role::Director | Role::Admin => Ok(()),
        Role::SalesManager if caller.office == Some(office) => Ok(()),
        Role::SalesManager => Err(Error::PermissionDenied("a sales manager sets targets only for their office".into())),
        _ => Err(Error::PermissionDenied("only sales managers and directors set targets".into())),
    }
}

/// Sets one target (creating or replacing it) once per idempotency key.
pub async fn put(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::PutTargetRequest,
    target: NewTarget,
) -> Result<pb::SalesTarget, Error> {
    may_set(caller, target.key.office)?;
    let scope = format!("sales.PutTarget:{}", caller.username);
    let (by, expected_version) = (caller.username.clone(), input.expected_version);
    let written = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (target, by) = (target.clone(), by.clone());
        Box::pin(async move {
            if expected_version != 0 {
                let current = target_store::find_by_key(tx, &target.key).await?;
                Error::unless_stale(expected_version, current.map_or(0, |t| t.version))?;
            }
            target_store::upsert(tx, &target, &by).await
        })
    })
    .await?;
    tracing::info!(target = written.id, period = %written.period, metric = %written.metric, "sales target set");
    Ok(written)
}

/// Checks every row; when none is wrong and this is no dry run, writes them all in one
/// transaction (replayed for the same idempotency key).
pub async fn import(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::ImportTargetsRequest,
) -> Result<pb::ImportTargetsResponse, Error> {
    let mut errors = Vec::new();
    let mut targets = Vec::new();
    for row in &input.rows {
        let mut v = Violations::new();
        let parsed = parse_fields(&row.fields.clone().unwrap_or_default(), &mut v);
        if let Some(target) = &parsed
            && let Err(error) = may_set(caller, target.key.office)
        {
            v.add("office", error.to_string());
        }
        match (v.finish(), parsed) {
            (Ok(()), Some(target)) => targets.push((row.row, target)),
            (Err(Error::Invalid(fields)), _) => errors.extend(fields.into_iter().map(|f| pb::ImportRowError {
                row: row.row,
                column: f.field,
                message: f.message,
            })),
            (Err(other), _) => return Err(other),
            (Ok(()), None) => {}
        }
    }
    duplicates(&targets, &mut errors);
    errors.sort_by_key(|e| e.row);
    let targets: Vec<NewTarget> = targets.into_iter().map(|(_, target)| target).collect();
    if !errors.is_empty() || input.dry_run {
        let mut conn = db.pool().acquire().await?;
        let mut preview = Vec::new();
        for target in targets.iter().filter(|_| errors.is_empty()) {
            preview.push(target_store::preview(&mut conn, target, &caller.username).await?);
        }
        return Ok(pb::ImportTargetsResponse { dry_run: input.dry_run, targets: preview, errors });
    }
    let scope = format!("sales.ImportTargets:{}", caller.username);
    let by = caller.username.clone();
    let written = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (targets, by) = (targets.clone(), by.clone());
        Box::pin(async move {
            let mut written = Vec::with_capacity(targets.len());
            for target in &targets {
                written.push(target_store::upsert(tx, target, &by).await?);
            }
            Ok(pb::ImportTargetsResponse { dry_run: false, targets: written, errors: Vec::new() })
        })
    })
    .await?;
    tracing::info!(rows = written.targets.len(), "sales targets imported");
    Ok(written)
}

/// Two rows setting the same target would leave the sheet's meaning to its row order.
fn duplicates(targets: &[(i32, NewTarget)], errors: &mut Vec<pb::ImportRowError>) {
    for (index, (row, target)) in targets.iter().enumerate() {
        if targets[..index].iter().any(|(_, earlier)| earlier.key == target.key) {
            errors.push(pb::ImportRowError {
                row: *row,
                column: "target".into(),
                message: "repeats the target of an earlier row".into(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_local_months_quarters_and_years() {
        let q4 = Period::parse("2026-Q4").unwrap();
        assert_eq!((q4.first_day.to_string(), q4.end.to_string()), ("2026-10-01".into(), "2027-01-01".into()));
        let november = Period::parse("2026-11").unwrap();
        assert_eq!(
            (november.first_day.to_string(), november.end.to_string()),
            ("2026-11-01".into(), "2026-12-01".into())
        );
        assert_eq!(Period::parse("2026").unwrap().end.to_string(), "2027-01-01");
        for bad in ["2026-Q5", "2026-13", "2026-1", "26", "2026-Q", "abcd", "1999"] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Period::quarter_of(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), "2026-Q4");
    }

    #[test]
    fn achievement_is_in_basis_points_rounded_half_up() {
        assert_eq!(achievement_bp(1, 3), Some(3333));
        assert_eq!(achievement_bp(2, 3), Some(6667));
        assert_eq!(achievement_bp(1, 20_000), Some(1));
        assert_eq!(achievement_bp(1, 20_001), Some(0));
        assert_eq!(achievement_bp(150, 100), Some(15_000));
        assert_eq!(achievement_bp(5, 0), None);
    }

    #[test]
    fn a_row_names_every_bad_column() {
        let fields = pb::TargetFields {
            period: "2026-Q9".into(),
            scope: "person".into(),
            owner: "nobody".into(),
            office: "HN".into(),
            metric: "visits".into(),
            category: "physics".into(),
            target: "2000000".into(),
            owner_office: String::new(),
        };
        let mut v = Violations::new();
        assert!(parse_fields(&fields, &mut v).is_none());
        let Err(Error::Invalid(errors)) = v.finish() else { panic!() };
        let columns: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(columns, ["period", "owner", "category", "target"]);
    }

    #[test]
    fn categories_are_the_catalog_words() {
        assert_eq!(category_word(5).as_deref(), Some("electronics_telecom"));
        assert_eq!(category_word(0), None);
        assert_eq!(category_words().len(), 8);
    }
}
