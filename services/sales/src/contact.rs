//! A customer's contact persons and the parties of a project customer, with their rules: at most
//! one primary contact per customer, and a party is either a customer or a contact.

use atq_platform::business_time::LATEST_DATE;
use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Error, Tx};
use atq_proto::sales::v1 as pb;
use chrono::NaiveDate;

use crate::contact_store::{self, ContactRow};
use crate::customer::{CustomerGroup, parse_email, parse_name, parse_phone};
use crate::customer_store::{self, CustomerRow};

pub const PARTY_ROLES: &[&str] = &["investor", "contractor", "consultant", "other"];
pub const INFLUENCES: &[&str] = &["decision_maker", "influencer", "user"];
pub const STANCES: &[&str] = &["supporter", "neutral", "opponent", "unknown"];

/// The fields of a contact person that people edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactFields {
    pub name: String,
    pub position: String,
    pub phone: String,
    pub email: String,
    /// Local date YYYY-MM-DD, or empty.
    pub birthday: String,
    pub notes: String,
    pub is_primary: bool,
    pub active: bool,
}

pub fn parse_position(text: &str) -> Result<String, String> {
    validation::optional_text(text, 100)
}

pub fn parse_notes(text: &str) -> Result<String, String> {
    validation::optional_text(text, 2000)
}

/// A phone is optional for a contact, but a given one must be a Vietnamese number.
pub fn parse_optional_phone(text: &str) -> Result<String, String> {
    if text.trim().is_empty() { Ok(String::new()) } else { parse_phone(text) }
}

/// YYYY-MM-DD, or empty. Business dates start in 1990, birthdays long before: 1900 onwards.
pub fn parse_birthday(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a calendar date");
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) if text.len() == 10 && date >= earliest && date <= LATEST_DATE => Ok(date.to_string()),
        _ => Err("must be a date YYYY-MM-DD".into()),
    }
}

/// One of `allowed`, as typed; `what` names the list in the message.
pub fn one_of(text: &str, allowed: &[&str]) -> Result<String, String> {
    let value = text.trim();
    if allowed.contains(&value) { Ok(value.to_owned()) } else { Err(format!("must be one of {}", allowed.join(", "))) }
}

impl ContactFields {
    pub fn parse_new(input: &pb::CreateContactRequest) -> Result<ContactFields, Error> {
        let mut v = Violations::new();
        let fields = ContactFields {
            name: v.check("name", parse_name(&input.name)).unwrap_or_default(),
            position: v.check("position", parse_position(&input.position)).unwrap_or_default(),
            phone: v.check("phone", parse_optional_phone(&input.phone)).unwrap_or_default(),
            email: v.check("email", parse_email(&input.email)).unwrap_or_default(),
            birthday: v.check("birthday", parse_birthday(&input.birthday)).unwrap_or_default(),
            notes: v.check("notes", parse_notes(&input.notes)).unwrap_or_default(),
            is_primary: input.is_primary,
            active: true,
        };
        v.finish()?;
        Ok(fields)
    }

    /// Applies the set fields of an update request to a copy of these.
    pub fn patched(&self, input: &pb::UpdateContactRequest) -> Result<ContactFields, Error> {
        let mut v = Violations::new();
        let mut next = self.clone();
        let mut set =
            |field: &str, target: &mut String, value: &Option<String>, parse: fn(&str) -> Result<String, String>| {
                if let Some(text) = value {
                    *target = v.check(field, parse(text)).unwrap_or_default();
                }
            };
        set("name", &mut next.name, &input.name, parse_name);
        set("position", &mut next.position, &input.position, parse_position);
        set("phone", &mut next.phone, &input.phone, parse_optional_phone);
        set("email", &mut next.email, &input.email, parse_email);
        set("birthday", &mut next.birthday, &input.birthday, parse_birthday);
        set("notes", &mut next.notes, &input.notes, parse_notes);
        next.is_primary = input.is_primary.unwrap_or(self.is_primary);
        next.active = input.active.unwrap_or(self.active);
        // A contact who left the customer is no longer its primary one.
        next.is_primary &= next.active;
        v.finish()?;
        Ok(next)
    }
}

/// The customer with `id`, if it is inside the caller's territory.
pub async fn visible_customer(tx: &mut Tx, caller: &Caller, id: i64) -> Result<CustomerRow, Error> {
    customer_store::find(&mut **tx, id)
        .await?
        .filter(|row| caller.sees_office(row.fields.office))
        .ok_or_else(|| Error::NotFound(format!("customer {id}")))
}

/// The contact with `id`, if its customer is inside the caller's territory.
pub async fn visible_contact(tx: &mut Tx, caller: &Caller, id: i64) -> Result<ContactRow, Error> {
    contact_store::find(&mut **tx, id)
        .await?
        .filter(|row| caller.sees_office(row.office))
        .ok_or_else(|| Error::NotFound(format!("contact {id}")))
}

/// Adds a contact to a customer; a new primary contact takes the place of the previous one.
pub async fn create(
    tx: &mut Tx,
    caller: &Caller,
    customer_id: i64,
    fields: &ContactFields,
) -> Result<pb::Contact, Error> {
    let customer = visible_customer(tx, caller, customer_id).await?;
    if fields.is_primary {
        contact_store::clear_primary(tx, customer.id).await?;
    }
    Ok(contact_store::insert(tx, &customer, fields, caller).await?.to_proto())
}

/// Applies an update to the contact as it stands in `tx`, if the caller read that version.
pub async fn update(tx: &mut Tx, caller: &Caller, input: &pb::UpdateContactRequest) -> Result<pb::Contact, Error> {
    let current = visible_contact(tx, caller, input.id).await?;
    Error::unless_stale(input.expected_version, current.version)?;
    let next = current.fields.patched(input)?;
    if next == current.fields {
        return Ok(current.to_proto());
    }
    if next.is_primary && !current.fields.is_primary {
        contact_store::clear_primary(tx, current.customer_id).await?;
    }
    Ok(contact_store::update(tx, &current, &next).await?.to_proto())
}

/// A checked party of a project: exactly one of a customer and a contact.
#[derive(Clone, Debug)]
pub struct NewParty {
    pub role: String,
    pub party_customer_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub influence: String,
    pub stance: String,
    pub note: String,
}

impl NewParty {
    pub fn parse(input: &pb::AddProjectPartyRequest) -> Result<NewParty, Error> {
        let mut v = Violations::new();
        let role = v.check("role", one_of(&input.role, PARTY_ROLES)).unwrap_or_default();
        let influence = v.check("influence", one_of(&input.influence, INFLUENCES)).unwrap_or_default();
        let stance = match input.stance.trim() {
            "" => "unknown".to_owned(),
            text => v.check("stance", one_of(text, STANCES)).unwrap_or_default(),
        };
        let note = v.check("note", parse_notes(&input.note)).unwrap_or_default();
        let (party_customer_id, contact_id) = match (input.party_customer_id, input.contact_id) {
            (customer, 0) if customer > 0 => (Some(customer), None),
            (0, contact) if contact > 0 => (None, Some(contact)),
            _ => {
                v.add("party_customer_id", "give either a customer or a contact, not both");
                (None, None)
            }
        };
        v.finish()?;
        Ok(NewParty { role, party_customer_id, contact_id, influence, stance, note })
    }
}

/// Names a customer or a contact as a party of a project customer.
pub async fn add_party(
    tx: &mut Tx,
    caller: &Caller,
    project_id: i64,
    party: &NewParty,
) -> Result<pb::ProjectParty, Error> {
    let project = visible_customer(tx, caller, project_id).await?;
    if project.fields.group != CustomerGroup::Project {
        return Err(Error::invalid("project_customer_id", "only a project customer has parties"));
    }
    let name = match (party.party_customer_id, party.contact_id) {
        (Some(id), _) if id == project.id => {
            return Err(Error::invalid("party_customer_id", "a project cannot be its own party"));
        }
        (Some(id), _) => {
            let found = visible_customer(tx, caller, id).await;
            found
                .map_err(|_| Error::invalid("party_customer_id", "no customer in your territory has this id"))?
                .fields
                .name
        }
        (None, Some(id)) => {
            let found = visible_contact(tx, caller, id).await;
            found.map_err(|_| Error::invalid("contact_id", "no contact in your territory has this id"))?.fields.name
        }
        (None, None) => return Err(Error::invalid("party_customer_id", "is required")),
    };
    contact_store::insert_party(tx, project.id, party, &name, caller).await
}

/// Removes a party from a project customer.
pub async fn remove_party(tx: &mut Tx, caller: &Caller, project_id: i64, party_id: i64) -> Result<(), Error> {
    let project = visible_customer(tx, caller, project_id).await?;
    if contact_store::delete_party(tx, project.id, party_id).await? {
        Ok(())
    } else {
        Err(Error::NotFound(format!("party {party_id} of customer {project_id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> pb::CreateContactRequest {
        pb::CreateContactRequest {
            customer_id: 1,
            name: " Trần  Thị Hoa ".into(),
            position: "Kế toán trưởng".into(),
            phone: "+84 912 000 111".into(),
            birthday: "1985-03-05".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_contact_is_stored_in_canonical_form() {
        let fields = ContactFields::parse_new(&request()).unwrap();
        assert_eq!(fields.name, "Trần Thị Hoa");
        assert_eq!(fields.phone, "0912000111");
        assert_eq!(fields.birthday, "1985-03-05");
        assert!(fields.active && !fields.is_primary);
    }

    #[test]
    fn a_contact_made_inactive_is_no_longer_primary() {
        let mut fields = ContactFields::parse_new(&request()).unwrap();
        fields.is_primary = true;
        let next = fields.patched(&pb::UpdateContactRequest { active: Some(false), ..Default::default() }).unwrap();
        assert!(!next.is_primary && !next.active);
    }

    #[test]
    fn a_party_names_exactly_one_of_a_customer_and_a_contact() {
        let both = pb::AddProjectPartyRequest {
            role: "investor".into(),
            party_customer_id: 3,
            contact_id: 4,
            influence: "decision_maker".into(),
            ..Default::default()
        };
        let Error::Invalid(fields) = NewParty::parse(&both).unwrap_err() else { panic!("expected field errors") };
        assert_eq!(fields[0].field, "party_customer_id");
        let one = pb::AddProjectPartyRequest { contact_id: 0, ..both };
        let party = NewParty::parse(&one).unwrap();
        assert_eq!((party.party_customer_id, party.contact_id, party.stance.as_str()), (Some(3), None, "unknown"));
    }
}
