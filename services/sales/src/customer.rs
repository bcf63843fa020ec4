//! Customers as the sales department knows them, with the checks that keep bad values out.

use atq_platform::validation::{self, Violations};
use atq_platform::{Caller, Db, Error, Office, Tx};
use atq_proto::sales::v1 as pb;

use crate::customer_store;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerGroup {
    Individual,
    Dealer,
    Project,
}

const GROUPS: &str = "individual, dealer, project";

impl CustomerGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerGroup::Individual => "individual",
            CustomerGroup::Dealer => "dealer",
            CustomerGroup::Project => "project",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "individual" => Ok(CustomerGroup::Individual),
            "dealer" => Ok(CustomerGroup::Dealer),
            "project" => Ok(CustomerGroup::Project),
            _ => Err(format!("must be one of {GROUPS}")),
        }
    }

    pub fn from_proto(value: i32) -> Result<Self, String> {
        match pb::CustomerGroup::try_from(value) {
            Ok(pb::CustomerGroup::Individual) => Ok(CustomerGroup::Individual),
            Ok(pb::CustomerGroup::Dealer) => Ok(CustomerGroup::Dealer),
            Ok(pb::CustomerGroup::Project) => Ok(CustomerGroup::Project),
            _ => Err(format!("must be one of {GROUPS}")),
        }
    }

    pub fn to_proto(self) -> pb::CustomerGroup {
        match self {
            CustomerGroup::Individual => pb::CustomerGroup::Individual,
            CustomerGroup::Dealer => pb::CustomerGroup::Dealer,
            CustomerGroup::Project => pb::CustomerGroup::Project,
        }
    }
}

pub fn parse_name(text: &str) -> Result<String, String> {
    validation::required_text(text, 200)
}

/// Vietnamese numbers: 10 digits from 0 (mobile), 11 from 02 (landline with area code), or the
/// same after +84 instead of the 0. Stored in the national form, digits only.
pub fn parse_phone(text: &str) -> Result<String, String> {
    validation::phone_number(text)
}

/// Mã số thuế: 10 digits, or 10-3 for a branch.
pub fn parse_tax_code(text: &str) -> Result<String, String> {
    let code = text.trim();
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let valid = match code.split_once('-') {
        None => code.len() == 10 && all_digits(code),
        Some((main, branch)) => main.len() == 10 && branch.len() == 3 && all_digits(main) && all_digits(branch),
    };
    if valid { Ok(code.to_owned()) } else { Err("must be 10 digits, or 10 digits-3 digits for a branch".into()) }
}

pub fn parse_email(text: &str) -> Result<String, String> {
    validation::optional_email(text)
}

pub fn parse_address(text: &str) -> Result<String, String> {
    validation::required_text(text, 500)
}

pub fn parse_username(text: &str) -> Result<String, String> {
    let name = text.trim();
    let valid = name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid { Ok(name.to_owned()) } else { Err("must be a username (letters, digits, . _ -)".into()) }
}

/// The fields of a customer that people edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerFields {
    pub name: String,
    pub group: CustomerGroup,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub office: Office,
    pub tax_code: String,
    pub assigned_to: String,
}

impl CustomerFields {
    /// Checks a create request. Sales staff create in their own office, which is also the
    /// default office, and are the default responsible employee.
    pub fn parse_new(input: &pb::CreateCustomerRequest, caller: &Caller) -> Result<CustomerFields, Error> {
        let mut v = Violations::new();
        let name = v.check("name", parse_name(&input.name));
        let group = v.check("group", CustomerGroup::from_proto(input.group));
        let phone = v.check("phone", parse_phone(&input.phone));
        let email = v.check("email", parse_email(&input.email));
        let address = v.check("address", parse_address(&input.address));
        let office = match (input.office, caller.territory()) {
            (0, Some(own)) => Some(own),
            (value, _) => v.check("office", Office::from_proto(value)),
        };
        let tax_code = if input.tax_code.trim().is_empty() {
            Some(String::new())
        } else {
            v.check("tax_code", parse_tax_code(&input.tax_code))
        };
        let assigned_to = match input.assigned_to.trim() {
            "" if caller.role.is_office_scoped() => Some(caller.username.clone()),
            text => v.check("assigned_to", parse_username(text)),
        };
        v.finish()?;
        let fields = CustomerFields {
            name: name.unwrap_or_default(),
            group: group.unwrap_or(CustomerGroup::Individual),
            phone: phone.unwrap_or_default(),
            email: email.unwrap_or_default(),
            address: address.unwrap_or_default(),
            office: office.unwrap_or(Office::HaNoi),
            tax_code: tax_code.unwrap_or_default(),
            assigned_to: assigned_to.unwrap_or_default(),
        };
        if !caller.sees_office(fields.office) {
            return Err(Error::PermissionDenied(format!(
                "{} works for office {}, not {}",
                caller.username,
                caller.office.map(Office::code).unwrap_or("-"),
                fields.office.code()
            )));
        }
        Ok(fields)
    }

    /// Applies the set fields of an update request to a copy of these.
    pub fn patched(&self, input: &pb::UpdateCustomerRequest) -> Result<CustomerFields, Error> {
        let mut v = Violations::new();
        let mut next = self.clone();
        if let Some(text) = &input.name {
            next.name = v.check("name", parse_name(text)).unwrap_or_default();
        }
        if let Some(value) = input.group {
            next.group = v.check("group", CustomerGroup::from_proto(value)).unwrap_or(self.group);
        }
        if let Some(text) = &input.phone {
            next.phone = v.check("phone", parse_phone(text)).unwrap_or_default();
        }
        if let Some(text) = &input.email {
            next.email = v.check("email", parse_email(text)).unwrap_or_default();
        }
        if let Some(text) = &input.address {
            next.address = v.check("address", parse_address(text)).unwrap_or_default();
        }
        if let Some(value) = input.office {
            next.office = v.check("office", Office::from_proto(value)).unwrap_or(self.office);
        }
        if let Some(text) = &input.tax_code {
            next.tax_code = if text.trim().is_empty() {
                String::new()
            } else {
                v.check("tax_code", parse_tax_code(text)).unwrap_or_default()
            };
        }
        if let Some(text) = &input.assigned_to {
            next.assigned_to = v.check("assigned_to", parse_username(text)).unwrap_or_default();
        }
        v.finish()?;
        Ok(next)
    }

    /// Field-by-field differences, as shown in the history.
    pub fn changes_from(&self, before: Option<&CustomerFields>) -> Vec<pb::FieldChange> {
        let pairs = |f: &CustomerFields| {
            [
                ("name", f.name.clone()),
                ("group", f.group.as_str().to_owned()),
                ("phone", f.phone.clone()),
                ("email", f.email.clone()),
                ("address", f.address.clone()),
                ("office", f.office.code().to_owned()),
                ("tax_code", f.tax_code.clone()),
                ("assigned_to", f.assigned_to.clone()),
            ]
        };
        let old = before.map(pairs);
        pairs(self)
            .into_iter()
            .enumerate()
            .filter_map(|(i, (field, new_value))| {
                let old_value = old.as_ref().map(|o| o[i].1.clone()).unwrap_or_default();
                (old.is_none() && !new_value.is_empty() || old.is_some() && old_value != new_value)
                    .then(|| pb::FieldChange { field: field.to_owned(), old_value, new_value })
            })
            .collect()
    }
}

/// Customers' owners are the managers' to assign: a sales rep keeps the ones they are given.
pub fn may_reassign(caller: &Caller) -> bool {
    !matches!(caller.role, atq_platform::Role::SalesRep)
}

/// Applies an update to the customer as it stands in `tx`, if the caller read that version and
/// keeps the customer in their territory.
pub async fn update(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    input: &pb::UpdateCustomerRequest,
) -> Result<pb::Customer, Error> {
    let current = customer_store::find(&mut **tx, input.id)
        .await?
        .filter(|row| caller.sees_office(row.fields.office))
        .ok_or_else(|| Error::NotFound(format!("customer {}", input.id)))?;
    if current.version != input.expected_version {
        return Err(Error::StaleVersion { expected: input.expected_version, actual: current.version });
    }
    let next = current.fields.patched(input)?;
    if next.assigned_to != current.fields.assigned_to && !may_reassign(caller) {
        return Err(Error::PermissionDenied(
            "only a sales manager or a director may change who is responsible for a customer".into(),
        ));
    }
    if !caller.sees_office(next.office) {
        return Err(Error::PermissionDenied("a customer cannot be moved outside your office".into()));
    }
    Ok(customer_store::update(tx, db, &current, next, caller).await?.to_proto())
}

#[cfg(test)]
mod tests {
    use atq_platform::Role;

    use super::*;

    fn rep(office: Office) -> Caller {
        Caller { username: "sales.hn".into(), role: Role::SalesRep, office: Some(office) }
    }

    fn valid_request() -> pb::CreateCustomerRequest {
        pb::CreateCustomerRequest {
            name: " Nguyễn  Văn Đức ".into(),
            group: pb::CustomerGroup::Individual as i32,
            phone: "+84 912 345 678".into(),
            email: "duc@example.vn".into(),
            address: "12 Hàng Bài, Hoàn Kiếm, Hà Nội".into(),
            office: 0,
            tax_code: String::new(),
            assigned_to: String::new(),
        }
    }

    #[test]
    fn phones_are_stored_in_national_form() {
        assert_eq!(parse_phone("+84912345678"), Ok("0912345678".into()));
        assert_eq!(parse_phone("0912.345.678"), Ok("0912345678".into()));
        assert_eq!(parse_phone("024 3825 1234"), Ok("02438251234".into()));
        for bad in ["912345678", "09123456789", "+8491234567", "0912a45678", "", "+1 555 0100"] {
            assert!(parse_phone(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn tax_codes_are_ten_digits_or_a_branch() {
        assert!(parse_tax_code("0101234567").is_ok());
        assert!(parse_tax_code("0101234567-001").is_ok());
        for bad in ["010123456", "0101234567-01", "01012345678", "abcdefghij", "0101234567-0a1"] {
            assert!(parse_tax_code(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn a_rep_creates_in_their_own_office_by_default_and_is_responsible() {
        let fields = CustomerFields::parse_new(&valid_request(), &rep(Office::HoChiMinh)).unwrap();
        assert_eq!(fields.office, Office::HoChiMinh);
        assert_eq!(fields.assigned_to, "sales.hn");
        assert_eq!(fields.name, "Nguyễn Văn Đức");
        assert_eq!(fields.phone, "0912345678");
    }

    #[test]
    fn a_rep_may_not_create_in_another_office() {
        let mut request = valid_request();
        request.office = atq_proto::common::v1::Office::Dl as i32;
        let error = CustomerFields::parse_new(&request, &rep(Office::HaNoi)).unwrap_err();
        assert!(matches!(error, Error::PermissionDenied(_)));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let request = pb::CreateCustomerRequest {
            name: "  ".into(),
            group: 0,
            phone: "123".into(),
            email: "not-an-email".into(),
            address: String::new(),
            office: 9,
            tax_code: "12".into(),
            assigned_to: String::new(),
        };
        let director = Caller { username: "director".into(), role: Role::Director, office: None };
        let Error::Invalid(fields) = CustomerFields::parse_new(&request, &director).unwrap_err() else {
            panic!("expected field errors");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["name", "group", "phone", "email", "address", "office", "tax_code"]);
    }

    #[test]
    fn only_managers_and_directors_reassign_owners() {
        assert!(!may_reassign(&rep(Office::HaNoi)));
        let manager = Caller { username: "manager.hn".into(), role: Role::SalesManager, office: Some(Office::HaNoi) };
        assert!(may_reassign(&manager));
    }

    #[test]
    fn changes_list_only_what_differs() {
        let before = CustomerFields::parse_new(&valid_request(), &rep(Office::HaNoi)).unwrap();
        let update = pb::UpdateCustomerRequest {
            phone: Some("0987654321".into()),
            name: Some(before.name.clone()),
            ..Default::default()
        };
        let after = before.patched(&update).unwrap();
        let changes = after.changes_from(Some(&before));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "phone");
        assert_eq!(changes[0].old_value, "0912345678");
    }
}
