//! Faulty units sent back to the supplier under its warranty (RMA) and what comes back.
//!
//! Shipping a damaged unit takes it out of stock at the moving average against the supplier's
//! payable (Dr 331 / Cr 156), as a purchase return is booked: the supplier now owes the unit.
//! The unit back repaired, or a new unit in its place, reverses that at the same value
//! (Dr 156 / Cr 331) into good stock; a credit leaves the 331 debit standing as the credit note.

use atq_platform::error::Result;
use atq_platform::{Error, Office, Tx};

use crate::journal::Posting;
use crate::stock::Condition;
use crate::stock_store::{self, Place};
use crate::warranty_moves::{Kind, Made, MoveCommand};
use crate::warranty_moves_store as store;
use crate::{serial_store, stock_value};

/// What the supplier did with a unit sent back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Repaired,
    Replaced,
    Credited,
}

impl Outcome {
    pub fn parse(text: &str) -> Result<Outcome, String> {
        match text {
            "repaired" => Ok(Outcome::Repaired),
            "replaced" => Ok(Outcome::Replaced),
            "credited" => Ok(Outcome::Credited),
            _ => Err("must be repaired, replaced or credited".into()),
        }
    }
}

/// A damaged unit in stock leaves for the supplier; `reference` is the supplier's RMA number.
pub async fn ship(tx: &mut Tx, command: &MoveCommand, now: i64) -> Result<Made> {
    if command.reference.is_empty() {
        return Err(Error::invalid("reference", "the supplier's RMA number is required"));
    }
    let unit = store::unit(tx, command.product_id, &command.serial).await?;
    let Some((warehouse, condition, status)) = unit else {
        return Err(Error::invalid("serial", "no unit of this product has this serial number"));
    };
    if status != "in_stock" || condition != "damaged" {
        return Err(Error::invalid("serial", "is not in damaged stock"));
    }
    let warehouse = Office::parse(&warehouse).map_err(|m| Error::internal(anyhow::anyhow!(m)))?;
    let place = Place { product_id: command.product_id, warehouse, condition: Condition::Damaged };
    if !store::move_unit(tx, (&command.serial, "in_stock", Some(place)), (place, "at_supplier"), now).await? {
        return Err(Error::invalid("serial", "is not in damaged stock"));
    }
    if !stock_store::take(tx, place, 1).await? {
        return Err(Error::Conflict("the damaged units of this product in that warehouse are reserved".into()));
    }
    let unit_cost = stock_store::remove_value(tx, command.product_id, 1).await?;
    let postings = vec![Posting::debit("331", unit_cost), Posting::credit("156", unit_cost)];
    Ok(Made { place, quantity: -1, unit_cost, postings, sale: None })
}

/// The supplier's answer to a unit at the supplier; `reference` is the outcome and, when
/// replaced, `other_serial` the new unit.
pub async fn receive(tx: &mut Tx, command: &MoveCommand, now: i64) -> Result<Made> {
    let outcome = Outcome::parse(&command.reference).map_err(|m| Error::invalid("reference", m))?;
    let shipped = store::moves_naming(tx, command.product_id, &command.serial)
        .await?
        .into_iter()
        .map(|stored| stored.body)
        .rfind(|m| m.kind == Kind::ShippedToSupplier.as_str() && m.serial == command.serial);
    let Some(shipped) = shipped else {
        return Err(Error::invalid("serial", "was not sent to the supplier"));
    };
    let warehouse = Office::from_proto(shipped.warehouse).map_err(|m| Error::internal(anyhow::anyhow!(m)))?;
    let good = Place { product_id: command.product_id, warehouse, condition: Condition::Good };
    let at_supplier = Place { condition: Condition::Damaged, ..good };
    let (unit_back, leaves_as) = match outcome {
        Outcome::Repaired => (command.serial.clone(), (good, "in_stock")),
        Outcome::Replaced => (command.other_serial.clone(), (at_supplier, "replaced_by_supplier")),
        Outcome::Credited => (String::new(), (at_supplier, "credited")),
    };
    if outcome == Outcome::Replaced && (unit_back.is_empty() || unit_back == command.serial) {
        return Err(Error::invalid("other_serial", "the new unit's serial number is required"));
    }
    if !store::move_unit(tx, (&command.serial, "at_supplier", None), leaves_as, now).await? {
        return Err(Error::invalid("serial", "is not at the supplier"));
    }
    if outcome == Outcome::Credited {
        return Ok(Made {
            place: at_supplier,
            quantity: 0,
            unit_cost: shipped.unit_cost,
            postings: vec![],
            sale: None,
        });
    }
    if outcome == Outcome::Replaced {
        let refused = serial_store::receive_serials(tx, good, std::slice::from_ref(&unit_back), now).await?;
        if !refused.is_empty() {
            return Err(Error::invalid("other_serial", "this serial number is already in the company"));
        }
    }
    stock_store::add(tx, good, 1).await?;
    stock_value::take_in(tx, command.product_id, (1, shipped.unit_cost), "serial").await?;
    let postings = vec![Posting::debit("156", shipped.unit_cost), Posting::credit("331", shipped.unit_cost)];
    Ok(Made { place: good, quantity: 1, unit_cost: shipped.unit_cost, postings, sale: None })
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn outcomes_are_the_three_the_supplier_gives() {
        assert_eq!(Outcome::parse("repaired"), Ok(Outcome::Repaired));
        assert_eq!(Outcome::parse("credited"), Ok(Outcome::Credited));
        assert!(Outcome::parse("lost").is_err());
    }
}
