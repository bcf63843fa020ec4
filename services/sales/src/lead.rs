//! Leads: prospects not yet customers, followed until they are qualified and converted into a
//! customer with a primary contact, or disqualified.

use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;

use crate::contact::{ContactFields, one_of, parse_notes, parse_optional_phone, parse_position};
use crate::customer::{
    CustomerFields, CustomerGroup, parse_address, parse_email, parse_name, parse_phone, parse_tax_code, parse_username,
};
use crate::lead_store::{self, LeadRow};
use crate::{contact_store, customer_store};

pub const SOURCES: &[&str] = &["referral", "website", "exhibition", "cold_call", "visit", "other"];
pub const STATUSES: &[&str] = &["new", "contacted", "qualified", "converted", "disqualified"];
/// The statuses a person sets by editing; conversion and disqualification have their own calls.
const OPEN_STATUSES: &[&str] = &["new", "contacted", "qualified"];

/// The fields of a lead that people edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadFields {
    pub name: String,
    pub company: String,
    pub contact_name: String,
    pub position: String,
    pub group: CustomerGroup,
    pub source: String,
    pub office: Office,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub tax_code: String,
    pub notes: String,
    pub owner: String,
}

fn optional_name(text: &str) -> Result<String, String> {
    validation::optional_text(text, 200)
}

fn optional_address(text: &str) -> Result<String, String> {
    validation::optional_text(text, 500)
}

fn optional_tax_code(text: &str) -> Result<String, String> {
    if text.trim().is_empty() { Ok(String::new()) } else { parse_tax_code(text) }
}

fn parse_source(text: &str) -> Result<String, String> {
    if text.trim().is_empty() { Ok("other".into()) } else { one_of(text, SOURCES) }
}

impl LeadFields {
    /// Checks a create request. Sales staff create in their own office and follow the lead
    /// themselves unless they name someone.
    pub fn parse_new(input: &pb::CreateLeadRequest, caller: &Caller) -> Result<LeadFields, Error> {
        let mut v = Violations::new();
        let group = match input.group {
            0 => Some(CustomerGroup::Individual),
            value => v.check("group", CustomerGroup::from_proto(value)),
        };
        let office = match (input.office, caller.territory()) {
            (0, Some(own)) => Some(own),
            (value, _) => v.check("office", Office::from_proto(value)),
        };
        let owner = match input.owner.trim() {
            "" => caller.username.clone(),
            text => v.check("owner", parse_username(text)).unwrap_or_default(),
        };
        let fields = LeadFields {
            name: v.check("name", parse_name(&input.name)).unwrap_or_default(),
            company: v.check("company", optional_name(&input.company)).unwrap_or_default(),
            contact_name: v.check("contact_name", optional_name(&input.contact_name)).unwrap_or_default(),
            position: v.check("position", parse_position(&input.position)).unwrap_or_default(),
            group: group.unwrap_or(CustomerGroup::Individual),
            source: v.check("source", parse_source(&input.source)).unwrap_or_default(),
            office: office.unwrap_or(Office::HaNoi),
            phone: v.check("phone", parse_optional_phone(&input.phone)).unwrap_or_default(),
            email: v.check("email", parse_email(&input.email)).unwrap_or_default(),
            address: v.check("address", optional_address(&input.address)).unwrap_or_default(),
            tax_code: v.check("tax_code", optional_tax_code(&input.tax_code)).unwrap_or_default(),
            notes: v.check("notes", parse_notes(&input.notes)).unwrap_or_default(),
            owner,
        };
        v.finish()?;
        if !caller.sees_office(fields.office) {
            return Err(Error::PermissionDenied("a lead cannot be placed outside your office".into()));
        }
        Ok(fields)
    }

    /// Applies the set fields of an update request to a copy of these.
    pub fn patched(&self, input: &pb::UpdateLeadRequest) -> Result<LeadFields, Error> {
        let mut v = Violations::new();
        let mut next = self.clone();
        let mut set =
            |field: &str, target: &mut String, value: &Option<String>, parse: fn(&str) -> Result<String, String>| {
                if let Some(text) = value {
                    *target = v.check(field, parse(text)).unwrap_or_default();
                }
            };
        set("name", &mut next.name, &input.name, parse_name);
        set("company", &mut next.company, &input.company, optional_name);
        set("contact_name", &mut next.contact_name, &input.contact_name, optional_name);
        set("position", &mut next.position, &input.position, parse_position);
        set("source", &mut next.source, &input.source, parse_source);
        set("phone", &mut next.phone, &input.phone, parse_optional_phone);
        set("email", &mut next.email, &input.email, parse_email);
        set("address", &mut next.address, &input.address, optional_address);
        set("tax_code", &mut next.tax_code, &input.tax_code, optional_tax_code);
        set("notes", &mut next.notes, &input.notes, parse_notes);
        set("owner", &mut next.owner, &input.owner, parse_username);
        if let Some(value) = input.group {
            next.group = v.check("group", CustomerGroup::from_proto(value)).unwrap_or(self.group);
        }
        if let Some(value) = input.office {
            next.office = v.check("office", Office::from_proto(value)).unwrap_or(self.office);
        }
        v.finish()?;
        Ok(next)
    }

    /// The customer this lead becomes: the company when there is one, else the person. Fields a
    /// customer needs and the lead lacks are reported against the lead's fields.
    pub fn as_customer(&self) -> Result<CustomerFields, Error> {
        let mut v = Violations::new();
        let needs = |what: &str| format!("the lead needs {what} before it becomes a customer");
        if self.phone.is_empty() {
            v.add("phone", needs("a phone number"));
        }
        if self.address.is_empty() {
            v.add("address", needs("an address"));
        }
        let name = if self.company.is_empty() { &self.name } else { &self.company };
        v.finish()?;
        Ok(CustomerFields {
            name: parse_name(name).map_err(|message| Error::invalid("name", message))?,
            group: self.group,
            phone: parse_phone(&self.phone).map_err(|message| Error::invalid("phone", message))?,
            email: self.email.clone(),
            address: parse_address(&self.address).map_err(|message| Error::invalid("address", message))?,
            office: self.office,
            tax_code: self.tax_code.clone(),
            assigned_to: self.owner.clone(),
        })
    }

    /// The customer's primary contact: the lead's contact person, or the lead itself.
    pub fn as_contact(&self) -> ContactFields {
        let name = if self.contact_name.is_empty() { &self.name } else { &self.contact_name };
        ContactFields {
            name: name.clone(),
            position: self.position.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
            birthday: String::new(),
            notes: String::new(),
            is_primary: true,
            active: true,
        }
    }
}

/// The lead with `id`, if it is inside the caller's territory.
pub async fn visible(tx: &mut Tx, caller: &Caller, id: i64) -> Result<LeadRow, Error> {
    lead_store::find(&mut **tx, id)
        .await?
        .filter(|row| caller.sees_office(row.fields.office))
        .ok_or_else(|| Error::NotFound(format!("lead {id}")))
}

fn refuse_if_closed(lead: &LeadRow) -> Result<(), Error> {
    match lead.status.as_str() {
        "converted" => Err(Error::Conflict(format!(
            "lead {} was already converted to customer {}",
            lead.id, lead.converted_customer_id
        ))),
        _ => Ok(()),
    }
}

/// Edits a lead; its status may move between new, contacted and qualified (a disqualified
/// lead is reopened this way), never to converted.
pub async fn update(tx: &mut Tx, caller: &Caller, input: &pb::UpdateLeadRequest) -> Result<pb::Lead, Error> {
    let current = visible(tx, caller, input.id).await?;
    Error::unless_stale(input.expected_version, current.version)?;
    refuse_if_closed(&current)?;
    let next = current.fields.patched(input)?;
    if !caller.sees_office(next.office) {
        return Err(Error::PermissionDenied("a lead cannot be moved outside your office".into()));
    }
    let status = match input.status.as_deref() {
        None => current.status.clone(),
        Some(text) => one_of(text, OPEN_STATUSES).map_err(|message| Error::invalid("status", message))?,
    };
    let reason = if status == "disqualified" { current.disqualify_reason.clone() } else { String::new() };
    Ok(lead_store::update(tx, &current, &next, &status, &reason).await?.to_proto())
}

/// Marks a lead as not worth following, with the reason.
pub async fn disqualify(tx: &mut Tx, caller: &Caller, input: &pb::DisqualifyLeadRequest) -> Result<pb::Lead, Error> {
    let reason = validation::required_text(&input.reason, 500).map_err(|message| Error::invalid("reason", message))?;
    let current = visible(tx, caller, input.id).await?;
    Error::unless_stale(input.expected_version, current.version)?;
    refuse_if_closed(&current)?;
    Ok(lead_store::update(tx, &current, &current.fields, "disqualified", &reason).await?.to_proto())
}

/// Turns the lead into a customer (code KH..., revision "created", event) and its primary
/// contact, all in `tx`. A converted lead answers with the customer it became, as a conflict.
pub async fn convert(tx: &mut Tx, db: &Db, caller: &Caller, id: i64) -> Result<pb::ConvertLeadResponse, Error> {
    let lead = visible(tx, caller, id).await?;
    refuse_if_closed(&lead)?;
    if lead.status == "disqualified" {
        return Err(Error::Conflict(format!("lead {id} is disqualified; reopen it before converting it")));
    }
    let customer = customer_store::insert(tx, db, &lead.fields.as_customer()?, caller).await?;
    let contact = contact_store::insert(tx, &customer, &lead.fields.as_contact(), caller).await?;
    let converted = lead_store::mark_converted(tx, &lead, customer.id, contact.id).await?;
    Ok(pb::ConvertLeadResponse { customer_id: customer.id, contact_id: contact.id, lead: Some(converted.to_proto()) })
}

#[cfg(test)]
mod tests {
    use atq_platform::Role;

    use super::*;

    fn rep() -> Caller {
        Caller { username: "sales.hcm".into(), role: Role::SalesRep, office: Some(Office::HoChiMinh) }
    }

    fn request() -> pb::CreateLeadRequest {
        pb::CreateLeadRequest {
            name: "Anh Phúc".into(),
            company: "Công ty Xây dựng Phúc Thịnh".into(),
            contact_name: "Lê Văn Phúc".into(),
            phone: "0903 111 222".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_rep_follows_their_own_lead_in_their_office() {
        let fields = LeadFields::parse_new(&request(), &rep()).unwrap();
        assert_eq!(
            (fields.office, fields.owner.as_str(), fields.source.as_str()),
            (Office::HoChiMinh, "sales.hcm", "other")
        );
        assert_eq!(fields.phone, "0903111222");
    }

    #[test]
    fn a_lead_without_an_address_cannot_become_a_customer() {
        let fields = LeadFields::parse_new(&request(), &rep()).unwrap();
        let Error::Invalid(errors) = fields.as_customer().unwrap_err() else { panic!("expected field errors") };
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "address");
    }

    #[test]
    fn the_company_becomes_the_customer_and_the_person_its_primary_contact() {
        let mut fields = LeadFields::parse_new(&request(), &rep()).unwrap();
        fields.address = "15 Nguyễn Huệ, Quận 1".into();
        let customer = fields.as_customer().unwrap();
        assert_eq!(
            (customer.name.as_str(), customer.assigned_to.as_str()),
            ("Công ty Xây dựng Phúc Thịnh", "sales.hcm")
        );
        let contact = fields.as_contact();
        assert_eq!(contact.name, "Lê Văn Phúc");
        assert!(contact.is_primary);
    }
}
