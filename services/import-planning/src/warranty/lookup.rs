//! Looking a serial number up: the unit's product and warranty months from the catalog, its sale
//! and moves from the warehouse, its warranty cases from here, and its coverage today.

use atq_platform::business_time::{date_from_proto, date_to_proto, local_date, now_micros, timestamp_micros};
use atq_platform::error::Result;
use atq_platform::{Caller, Db, Error, Office};
use atq_proto::accountingwarehouse::v1 as wh;
use atq_proto::importplanning::v1 as pb;
use chrono::NaiveDate;

use super::coverage::{self, Coverage};
use super::store;
use super::units::Units;
use crate::product_store::{self, ProductRow};

/// A unit with what warranty knows of it.
pub struct Assessed {
    pub unit: wh::SerialUnitHistory,
    pub product: ProductRow,
    pub office: Option<Office>,
    pub cases: Vec<pb::WarrantyCase>,
    pub coverage: Coverage,
}

/// The one unit with this serial the caller may see, and its coverage on `day`. The contract's own
/// months, when given, stand in for the catalog's; otherwise a case that named them for this unit.
pub async fn assess(
    (units, db): (&Units, &Db),
    caller: &Caller,
    (serial, product_id): (&str, i64),
    (contract_months, day): (i64, NaiveDate),
) -> Result<Assessed> {
    let mut found = units.history(serial, product_id, caller).await?;
    if found.len() > 1 {
        return Err(Error::invalid(
            "product_id",
            "units of several products carry this serial number; name the product",
        ));
    }
    let unit = found.pop().ok_or_else(|| Error::NotFound(format!("serial {serial}")))?;
    let office = Office::from_proto(unit.warehouse).ok();
    if office.is_some_and(|office| !caller.sees_office(office)) {
        return Err(Error::NotFound(format!("serial {serial}")));
    }
    let product = product_store::find(db.pool(), unit.product_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("product {}", unit.product_id)))?;
    let mut conn = db.pool().acquire().await?;
    let cases = store::of_unit(&mut conn, unit.product_id, &unit.serial).await?;
    let months = match contract_months {
        0 => cases
            .iter()
            .rev()
            .find(|c| c.contract_warranty_months > 0)
            .map_or(product.fields.warranty_months, |c| i64::from(c.contract_warranty_months)),
        months => months,
    };
    let holder = coverage::holder(&unit, new_warranty_from(&unit, &cases));
    let coverage = coverage::assess(&holder, months, day);
    Ok(Assessed { unit, product, office, cases, coverage })
}

/// A replacement given a new warranty counts it from the day it went out.
fn new_warranty_from(unit: &wh::SerialUnitHistory, cases: &[pb::WarrantyCase]) -> Option<NaiveDate> {
    let case = cases.iter().rev().find(|c| c.replacement_serial == unit.serial && c.serial != unit.serial)?;
    if case.replacement_warranty != "new" {
        return None;
    }
    case.exchanged_on.as_ref().and_then(|d| date_from_proto(d).ok())
}

/// `GET /warranty/serials/{serial}`: the unit, its sale, warranty end, coverage and history.
pub async fn look_up(
    units: &Units,
    db: &Db,
    caller: &Caller,
    input: &pb::LookUpSerialRequest,
) -> Result<pb::SerialWarranty> {
    let today = local_date(now_micros());
    let serial = input.serial.trim();
    let a = assess((units, db), caller, (serial, input.product_id), (0, today)).await?;
    let sale = a.unit.sale.clone().or_else(|| a.unit.first_sale.clone()).unwrap_or_default();
    let mut history: Vec<(i64, pb::ServiceEvent)> = a
        .unit
        .events
        .iter()
        .map(|e| {
            let note = [e.customer_name.as_str(), e.order_ref.as_str(), e.case_ref.as_str(), e.note.as_str()]
                .iter()
                .filter(|part| !part.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" · ");
            let at = e.at.as_ref().map(timestamp_micros).unwrap_or_default();
            (at, event(&e.kind, at, &e.document_number, note))
        })
        .collect();
    for case in &a.cases {
        for entry in &case.timeline {
            let at = entry.at.as_ref().map(timestamp_micros).unwrap_or_default();
            history.push((at, event(&format!("case_{}", entry.kind), at, &case.number, entry.note.clone())));
        }
    }
    history.sort_by_key(|(at, _)| *at);
    Ok(pb::SerialWarranty {
        product_id: a.product.id,
        model_code: a.product.fields.model_code.clone(),
        product_name: a.product.fields.name_vi.clone(),
        serial: a.unit.serial.clone(),
        status: a.unit.status.clone(),
        customer_id: sale.customer_id,
        customer_name: sale.customer_name.clone(),
        order_number: sale.order_ref.clone(),
        dispatch_number: sale.dispatch_ref.clone(),
        shipped_on: sale.shipped_on,
        warranty_months: i32::try_from(a.coverage.months).unwrap_or_default(),
        warranty_ends_on: a.coverage.ends_on.map(date_to_proto),
        in_warranty: a.coverage.covered,
        coverage_reason: a.coverage.reason.clone(),
        replaces_serial: sale.replaces_serial.clone(),
        history: history.into_iter().map(|(_, e)| e).collect(),
        office: a.office.map(|o| o.to_proto() as i32).unwrap_or_default(),
        cases: a.cases,
    })
}

fn event(kind: &str, at: i64, document_number: &str, note: String) -> pb::ServiceEvent {
    pb::ServiceEvent {
        kind: kind.to_owned(),
        at: Some(atq_platform::business_time::to_timestamp(at)),
        date: Some(date_to_proto(local_date(at))),
        document_number: document_number.to_owned(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(serial: &str, replacement: &str, policy: &str) -> pb::WarrantyCase {
        pb::WarrantyCase {
            serial: serial.into(),
            replacement_serial: replacement.into(),
            replacement_warranty: policy.into(),
            exchanged_on: NaiveDate::from_ymd_opt(2026, 11, 20).map(date_to_proto),
            ..Default::default()
        }
    }

    #[test]
    fn only_a_replacement_given_a_new_warranty_counts_from_its_exchange() {
        let unit = wh::SerialUnitHistory { serial: "FN-003".into(), ..Default::default() };
        let exchanged = NaiveDate::from_ymd_opt(2026, 11, 20);
        assert_eq!(new_warranty_from(&unit, &[exchange("FN-001", "FN-003", "new")]), exchanged);
        assert_eq!(new_warranty_from(&unit, &[exchange("FN-001", "FN-003", "remaining")]), None);
        assert_eq!(
            new_warranty_from(&unit, &[exchange("FN-003", "FN-004", "new")]),
            None,
            "the faulty unit's own case"
        );
    }
}
