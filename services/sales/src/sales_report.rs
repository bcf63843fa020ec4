//! Sales reports: a salesperson's daily report and weekly summary. A draft shows live figures and
//! takes notes, customer evaluations and competitor notes; submitting freezes the figures, after
//! which the report never changes. A rep reads and writes their own; a manager reads the office's.

use atq_platform::business_time::{
    add_days, date_to_proto, local_date, now_micros, parse_local_date, start_of_local_day, to_timestamp,
    within_business_range,
};
use atq_platform::caller::Role;
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Caller, Db, Error, Office, idempotency, text_status};
use atq_proto::sales::v1 as pb;
use chrono::{Datelike, NaiveDate, Weekday};
use sqlx::AnyConnection;

use crate::sales_report_figures::{self, Figures, Window};
use crate::sales_report_store::{self, ReportRow};
use crate::warehouse::Warehouse;

text_status! {
    ReportKind {
        Daily = "daily",
        Weekly = "weekly",
    }
}

text_status! {
    ReportStatus {
        Draft = "draft",
        Submitted = "submitted",
    }
}

pub const MAX_NOTES: usize = 8000;
pub const MAX_REMARK: usize = 1000;
pub const MAX_NAME: usize = 200;
pub const MAX_EVALUATIONS: usize = 100;
pub const MAX_COMPETITORS: usize = 50;
/// A competitor's price in VND, held to the system's bound of every amount.
pub const MAX_PRICE: i64 = atq_platform::limits::MAX_AMOUNT;

/// A day (`2026-12-01`) or an ISO week (`2026-W49`, Monday to Sunday), local dates included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    pub kind: ReportKind,
    pub text: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn parse(kind: ReportKind, text: &str) -> Result<Period, String> {
        let text = text.trim();
        let from = match kind {
            ReportKind::Daily => parse_local_date(text)?,
            ReportKind::Weekly => parse_iso_week(text).ok_or("must be an ISO week like 2026-W49")?,
        };
        within_business_range(from)?;
        let to = if kind == ReportKind::Daily { from } else { add_days(from, 6) };
        Ok(Period { kind, text: text.to_owned(), from, to })
    }

    /// The period holding a date: the date itself, or its ISO week.
    pub fn holding(kind: ReportKind, date: NaiveDate) -> Period {
        let text = match kind {
            ReportKind::Daily => date.format("%Y-%m-%d").to_string(),
            ReportKind::Weekly => format!("{}-W{:02}", date.iso_week().year(), date.iso_week().week()),
        };
        Period::parse(kind, &text).unwrap_or(Period { kind, text, from: date, to: date })
    }

    pub fn window<'a>(&self, owner: &'a str) -> Window<'a> {
        Window { owner, from: start_of_local_day(self.from), to: start_of_local_day(add_days(self.to, 1)) }
    }
}

/// Monday of `YYYY-Www`, exactly that shape.
fn parse_iso_week(text: &str) -> Option<NaiveDate> {
    let (year, week) = text.split_once("-W")?;
    if year.len() != 4 || week.len() != 2 || !(year.bytes().chain(week.bytes()).all(|b| b.is_ascii_digit())) {
        return None;
    }
    NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
}

pub fn parse_kind(v: &mut Violations, text: &str) -> Option<ReportKind> {
    let kind = ReportKind::parse(text.trim());
    if kind.is_none() {
        v.add("kind", format!("must be one of {}", ReportKind::ALL.join(", ")));
    }
    kind
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub customer_id: i64,
    pub customer_name: String,
    pub rating: i32,
    pub remark: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Competitor {
    pub competitor: String,
    pub product: String,
    pub price: i64,
    pub remark: String,
}

/// What a save writes: the person's own words.
#[derive(Clone, Debug, Default)]
pub struct Content {
    pub notes: String,
    pub evaluations: Vec<Evaluation>,
    pub competitors: Vec<Competitor>,
}

impl Content {
    pub fn parse(input: &pb::SaveSalesReportRequest) -> Result<Content, Error> {
        let mut v = Violations::new();
        let notes = v.check("notes", optional_text(&input.notes, MAX_NOTES)).unwrap_or_default();
        if input.evaluations.len() > MAX_EVALUATIONS {
            v.add("evaluations", format!("must be at most {MAX_EVALUATIONS}"));
        }
        if input.competitors.len() > MAX_COMPETITORS {
            v.add("competitors", format!("must be at most {MAX_COMPETITORS}"));
        }
        let evaluations = input.evaluations.iter().enumerate().map(|(i, e)| evaluation(&mut v, i, e)).collect();
        let competitors = input.competitors.iter().enumerate().map(|(i, c)| competitor(&mut v, i, c)).collect();
        v.finish()?;
        Ok(Content { notes, evaluations, competitors })
    }
}

fn evaluation(v: &mut Violations, i: usize, e: &pb::SalesReportEvaluation) -> Evaluation {
    if e.customer_id <= 0 {
        v.add(format!("evaluations[{i}].customer_id"), "is required");
    }
    if !(1..=5).contains(&e.rating) {
        v.add(format!("evaluations[{i}].rating"), "must be from 1 to 5");
    }
    let remark = v.check(&format!("evaluations[{i}].remark"), optional_text(&e.remark, MAX_REMARK));
    Evaluation {
        customer_id: e.customer_id,
        customer_name: String::new(),
        rating: e.rating,
        remark: remark.unwrap_or_default(),
    }
}

fn competitor(v: &mut Violations, i: usize, c: &pb::SalesReportCompetitor) -> Competitor {
    let name = v.check(&format!("competitors[{i}].competitor"), required_text(&c.competitor, MAX_NAME));
    let product = v.check(&format!("competitors[{i}].product"), required_text(&c.product, MAX_NAME));
    if !(0..=MAX_PRICE).contains(&c.price) {
        v.add(format!("competitors[{i}].price"), format!("must be from 0 to {MAX_PRICE}"));
    }
    let remark = v.check(&format!("competitors[{i}].remark"), optional_text(&c.remark, MAX_REMARK));
    Competitor {
        competitor: name.unwrap_or_default(),
        product: product.unwrap_or_default(),
        price: c.price,
        remark: remark.unwrap_or_default(),
    }
}

/// A rep sees their own reports; a manager their office's; a director all.
pub fn may_read(caller: &Caller, report: &ReportRow) -> bool {
    caller.sees_office(report.office) && (caller.role != Role::SalesRep || report.owner == caller.username)
}

/// The office a person's own report belongs to.
pub fn own_office(caller: &Caller) -> Result<Office, Error> {
    caller.office.ok_or_else(|| Error::invalid("office", "a report belongs to a person with an office"))
}

/// Evaluations only of existing customers of the report's office; fills in their names.
pub async fn check_customers(conn: &mut AnyConnection, office: Office, content: &mut Content) -> Result<(), Error> {
    let mut v = Violations::new();
    for (i, e) in content.evaluations.iter_mut().enumerate() {
        match sales_report_store::customer_office(conn, e.customer_id).await? {
            Some((code, name)) if code == office.code() => e.customer_name = name,
            _ => v.add(format!("evaluations[{i}].customer_id"), "no customer of your office has this id"),
        }
    }
    v.finish()
}

/// The figures a report shows: frozen once submitted, else live (with debts for a week).
pub async fn figures_of(
    conn: &mut AnyConnection,
    warehouse: &Warehouse,
    caller: &Caller,
    report: Option<&ReportRow>,
    period: &Period,
    owner: &str,
) -> Result<Figures, Error> {
    if let Some(report) = report.filter(|r| r.status == ReportStatus::Submitted) {
        return Figures::from_json(&report.figures);
    }
    let mut figures = sales_report_figures::assemble(conn, period.window(owner)).await?;
    if period.kind == ReportKind::Weekly {
        figures.debts = sales_report_figures::debts(conn, warehouse, caller, owner).await?;
    }
    Ok(figures)
}

/// The report as shown; `report` is `None` for a draft never saved.
pub async fn to_proto(
    conn: &mut AnyConnection,
    report: Option<&ReportRow>,
    period: &Period,
    owner: &str,
    office: Office,
    figures: &Figures,
) -> Result<pb::SalesReport, Error> {
    let (evaluations, competitors) = match report {
        Some(r) => {
            (sales_report_store::evaluations(conn, r.id).await?, sales_report_store::competitors(conn, r.id).await?)
        }
        None => (Vec::new(), Vec::new()),
    };
    let time = |micros: i64| (micros != 0).then(|| to_timestamp(micros));
    Ok(pb::SalesReport {
        id: report.map(|r| r.id).unwrap_or(0),
        kind: period.kind.as_str().to_owned(),
        owner: owner.to_owned(),
        office: office.to_proto() as i32,
        period: period.text.clone(),
        from: Some(date_to_proto(period.from)),
        to: Some(date_to_proto(period.to)),
        status: report.map(|r| r.status).unwrap_or(ReportStatus::Draft).as_str().to_owned(),
        notes: report.map(|r| r.notes.clone()).unwrap_or_default(),
        figures: Some(figures.to_proto()?),
        evaluations: evaluations
            .into_iter()
            .map(|e| pb::SalesReportEvaluation {
                customer_id: e.customer_id,
                customer_name: e.customer_name,
                rating: e.rating,
                remark: e.remark,
            })
            .collect(),
        competitors: competitors
            .into_iter()
            .map(|c| pb::SalesReportCompetitor {
                competitor: c.competitor,
                product: c.product,
                price: c.price,
                remark: c.remark,
            })
            .collect(),
        submitted_at: report.and_then(|r| time(r.submitted_at)),
        version: report.map(|r| r.version).unwrap_or(0),
        created_at: report.and_then(|r| time(r.created_at)),
        updated_at: report.and_then(|r| time(r.updated_at)),
    })
}

/// A period that has not begun has nothing to report yet.
pub fn ensure_begun(period: &Period) -> Result<(), Error> {
    if period.from > local_date(now_micros()) {
        return Err(Error::invalid("period", "has not begun yet"));
    }
    Ok(())
}

fn ensure_draft(report: &ReportRow) -> Result<(), Error> {
    if report.status == ReportStatus::Submitted {
        return Err(Error::Conflict(format!(
            "the {} report {} is submitted and no longer changes",
            report.kind, report.period
        )));
    }
    Ok(())
}

/// Creates the caller's report on first save, else replaces a draft's content at the expected
/// version (required once the report exists).
pub async fn save(
    db: &Db,
    caller: &Caller,
    period: &Period,
    expected_version: i64,
    content: &Content,
) -> Result<ReportRow, Error> {
    let office = own_office(caller)?;
    let mut tx = db.begin().await?;
    let report = match sales_report_store::find_by_period(&mut tx, period.kind, &caller.username, &period.text).await? {
        Some(report) => {
            ensure_draft(&report)?;
            if expected_version <= 0 {
                return Err(Error::invalid(
                    "version",
                    "is required once the report exists (If-Match with the ETag read)",
                ));
            }
            Error::unless_stale(expected_version, report.version)?;
            report
        }
        None => {
            let id = sales_report_store::insert(&mut tx, period.kind, &caller.username, office, &period.text).await?;
            found(&mut tx, id).await?
        }
    };
    sales_report_store::write_content(&mut tx, &report, &content.notes, &content.evaluations, &content.competitors)
        .await?;
    let saved = found(&mut tx, report.id).await?;
    tx.commit().await?;
    tracing::info!(report = saved.id, kind = %saved.kind, period = %saved.period, "sales report saved");
    Ok(saved)
}

async fn found(conn: &mut AnyConnection, id: i64) -> Result<ReportRow, Error> {
    sales_report_store::find(conn, id).await?.ok_or_else(|| Error::NotFound(format!("sales report {id}")))
}

/// Freezes the figures given (assembled just before) into the caller's draft, once per key.
pub async fn submit(
    db: &Db,
    caller: &Caller,
    key: Option<&str>,
    input: &pb::SubmitSalesReportRequest,
    period: &Period,
    figures: &Figures,
) -> Result<i64, Error> {
    let office = own_office(caller)?;
    let frozen = figures.to_json()?;
    let scope = format!("sales.SubmitSalesReport:{}", caller.username);
    let (owner, expected_version) = (caller.username.clone(), input.expected_version);
    let submitted = idempotency::run_once(db, &scope, key, input, move |tx| {
        let (owner, frozen, period) = (owner.clone(), frozen.clone(), period.clone());
        Box::pin(async move {
            let report = match sales_report_store::find_by_period(tx, period.kind, &owner, &period.text).await? {
                Some(report) => report,
                None => {
                    let id = sales_report_store::insert(tx, period.kind, &owner, office, &period.text).await?;
                    found(tx, id).await?
                }
            };
            ensure_draft(&report)?;
            Error::unless_stale(expected_version, report.version)?;
            sales_report_store::submit(tx, &report, &frozen).await?;
            Ok(pb::GetSalesReportRequest { id: report.id })
        })
    })
    .await?;
    tracing::info!(report = submitted.id, kind = %period.kind, period = %period.text, "sales report submitted");
    Ok(submitted.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_is_its_iso_monday_to_sunday_and_a_day_is_itself() {
        let week = Period::parse(ReportKind::Weekly, "2026-W49").unwrap();
        assert_eq!((week.from.to_string(), week.to.to_string()), ("2026-11-30".into(), "2026-12-06".into()));
        let day = Period::parse(ReportKind::Daily, "2026-12-01").unwrap();
        assert_eq!((day.from, day.to), (day.from, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()));
        for bad in ["2026-W54", "2026-w49", "2026-W9", "26-W49", "2026-12-01"] {
            assert!(Period::parse(ReportKind::Weekly, bad).is_err(), "{bad}");
        }
        assert!(Period::parse(ReportKind::Daily, "2026-W49").is_err());
        let sunday = NaiveDate::from_ymd_opt(2027, 1, 3).unwrap();
        assert_eq!(Period::holding(ReportKind::Weekly, sunday).text, "2026-W53");
    }

    #[test]
    fn ratings_prices_and_names_are_bounded() {
        let input = pb::SaveSalesReportRequest {
            evaluations: vec![pb::SalesReportEvaluation { customer_id: 3, rating: 6, ..Default::default() }],
            competitors: vec![pb::SalesReportCompetitor {
                competitor: " ".into(),
                product: "Máy đo độ nhớt".into(),
                price: MAX_PRICE + 1,
                remark: String::new(),
            }],
            ..Default::default()
        };
        let Error::Invalid(fields) = Content::parse(&input).unwrap_err() else { panic!() };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["evaluations[0].rating", "competitors[0].competitor", "competitors[0].price"]);
    }
}
