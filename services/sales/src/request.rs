//! Customer requests: what a question, complaint or warranty claim must say, which department
//! owns it, the statuses it moves through, and who may record a change after the fact. The use
//! cases are in [`crate::request_flow`], the SLA clocks in [`crate::request_sla`].

use atq_platform::business_time::{EARLIEST_DATE, start_of_local_day, timestamp_micros};
use atq_platform::caller::Role;
use atq_platform::validation::{Violations, optional_text, required_text};
use atq_platform::{Caller, Error, Office, text_status};
use atq_proto::sales::v1 as pb;

use crate::discussion::comment_body;

text_status! {
    /// How the customer asked.
    Channel {
        Phone = "phone",
        Email = "email",
        Visit = "visit",
        Web = "web",
        Sms = "sms",
        Fax = "fax",
    }
}

text_status! {
    RequestKind {
        Price = "price",
        Quantity = "quantity",
        Quality = "quality",
        Warranty = "warranty",
        DiscountProgramme = "discount_programme",
        Bonus = "bonus",
        Debt = "debt",
        Policy = "policy",
        ContractChange = "contract_change",
        Delivery = "delivery",
        Other = "other",
    }
}

text_status! {
    Priority {
        Low = "low",
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
}

text_status! {
    Department {
        Sales = "sales",
        ImportExport = "import_export",
        Accounting = "accounting",
    }
}

text_status! {
    RequestStatus {
        New = "new",
        InProgress = "in_progress",
        WaitingCustomer = "waiting_customer",
        WaitingSupplier = "waiting_supplier",
        Resolved = "resolved",
        Closed = "closed",
        Reopened = "reopened",
    }
}

impl RequestKind {
    /// Import-export deals with the supplier on warranty and contract changes; accounting keeps
    /// the debts; sales answers everything else.
    pub fn department(self) -> Department {
        match self {
            RequestKind::Warranty | RequestKind::ContractChange => Department::ImportExport,
            RequestKind::Debt => Department::Accounting,
            _ => Department::Sales,
        }
    }
}

impl RequestStatus {
    /// The statuses a request may move to from this one.
    pub fn next(self) -> &'static [RequestStatus] {
        use RequestStatus::*;
        match self {
            New | Reopened => &[InProgress, WaitingCustomer, WaitingSupplier, Resolved],
            InProgress => &[WaitingCustomer, WaitingSupplier, Resolved],
            WaitingCustomer => &[InProgress, WaitingSupplier, Resolved],
            WaitingSupplier => &[InProgress, WaitingCustomer, Resolved],
            Resolved => &[Closed, Reopened],
            Closed => &[Reopened],
        }
    }

    /// The resolution clock does not run while the customer has to answer, nor once resolved.
    pub fn stops_clock(self) -> bool {
        matches!(self, RequestStatus::WaitingCustomer | RequestStatus::Resolved | RequestStatus::Closed)
    }
}

pub const MAX_SUBJECT: usize = 300;
const MAX_SERIAL: usize = 100;
const MAX_USERNAME: usize = 100;
/// More managers than this is not a company's list of sales managers.
const MAX_MANAGERS: usize = 200;
/// A phone's or a PC's clock may run a little ahead of the server's.
pub const CLOCK_SKEW_MICROS: i64 = 10 * 60 * 1_000_000;

fn one_of<T>(v: &mut Violations, field: &str, parsed: Option<T>, all: &[&str]) -> Option<T> {
    if parsed.is_none() {
        v.add(field, format!("must be one of {}", all.join(", ")));
    }
    parsed
}

/// A request's description: empty, or text that keeps its lines.
pub fn description(text: &str) -> Result<String, String> {
    if text.trim().is_empty() { Ok(String::new()) } else { comment_body(text) }
}

pub fn serial_number(text: &str) -> Result<String, String> {
    optional_text(text, MAX_SERIAL)
}

pub fn assignee(text: &str) -> Result<String, String> {
    optional_text(text, MAX_USERNAME)
}

/// The assignee must be able to see the request: someone kept to another office cannot.
pub fn check_assignee_office(assignee_office: i32, office: Office) -> Result<(), Error> {
    match Office::from_proto(assignee_office) {
        Ok(theirs) if theirs != office => Err(Error::invalid("assignee", "cannot see records of this office")),
        _ => Ok(()),
    }
}

/// An instant someone says a thing happened: not in the future, not before the company's records.
pub fn past_instant(ts: &prost_types::Timestamp, now: i64) -> Result<i64, String> {
    let micros = timestamp_micros(ts);
    if micros > now + CLOCK_SKEW_MICROS {
        Err("must not be in the future".into())
    } else if micros < start_of_local_day(EARLIEST_DATE) {
        Err(format!("must not be before {EARLIEST_DATE}"))
    } else {
        Ok(micros)
    }
}

/// Managers and directors may record a status change after the fact; it moves SLA clocks.
pub fn may_backdate(caller: &Caller) -> Result<(), Error> {
    if matches!(caller.role, Role::SalesManager | Role::Director | Role::Admin) {
        Ok(())
    } else {
        Err(Error::PermissionDenied("only a manager records a status change after the fact".into()))
    }
}

#[derive(Clone, Debug)]
pub struct NewRequest {
    pub customer_id: i64,
    pub contact_id: i64,
    pub channel: Channel,
    pub kind: RequestKind,
    pub subject: String,
    pub description: String,
    pub order_id: i64,
    pub contract_id: i64,
    pub product_id: i64,
    pub serial_number: String,
    pub priority: Priority,
    pub department: Department,
    pub assignee: String,
    pub assignee_office: i32,
    pub received_at: i64,
    /// The sales managers and the office each works in.
    pub managers: Vec<(String, i32)>,
}

/// The customer is required; the other references are optional ids.
fn check_references(v: &mut Violations, input: &pb::CreateServiceRequestRequest) {
    if input.customer_id <= 0 {
        v.add("customer_id", "is required");
    }
    for (field, id) in [
        ("contact_id", input.contact_id),
        ("order_id", input.order_id),
        ("contract_id", input.contract_id),
        ("product_id", input.product_id),
    ] {
        if id < 0 {
            v.add(field, "must be an id");
        }
    }
}

impl NewRequest {
    /// The managers of `office`, who are told when the SLA is breached.
    pub fn managers_of(&self, office: Office) -> Vec<String> {
        let code = office.to_proto() as i32;
        self.managers.iter().filter(|(_, theirs)| *theirs == code).map(|(name, _)| name.clone()).collect()
    }

    pub fn parse(input: &pb::CreateServiceRequestRequest, now: i64) -> Result<NewRequest, Error> {
        let mut v = Violations::new();
        check_references(&mut v, input);
        let channel = one_of(&mut v, "channel", Channel::parse(input.channel.trim()), Channel::ALL);
        let kind = one_of(&mut v, "kind", RequestKind::parse(input.kind.trim()), RequestKind::ALL);
        let subject = v.check("subject", required_text(&input.subject, MAX_SUBJECT)).unwrap_or_default();
        let description = v.check("description", description(&input.description)).unwrap_or_default();
        let serial_number = v.check("serial_number", serial_number(&input.serial_number)).unwrap_or_default();
        let priority = match input.priority.trim() {
            "" => Some(Priority::Normal),
            text => one_of(&mut v, "priority", Priority::parse(text), Priority::ALL),
        };
        let department = match input.department.trim() {
            "" => None,
            text => one_of(&mut v, "department", Department::parse(text), Department::ALL),
        };
        let assignee = v.check("assignee", assignee(&input.assignee)).unwrap_or_default();
        let received_at = match &input.received_at {
            Some(ts) => v.check("received_at", past_instant(ts, now)).unwrap_or(now),
            None => now,
        };
        let mut managers: Vec<(String, i32)> = Vec::new();
        for manager in &input.managers {
            let name = manager.username.trim();
            if !name.is_empty() && !managers.iter().any(|(known, _)| known == name) {
                managers.push((name.to_owned(), manager.office));
            }
        }
        managers.truncate(MAX_MANAGERS);
        v.finish()?;
        let (Some(channel), Some(kind), Some(priority)) = (channel, kind, priority) else {
            return Err(Error::invalid("kind", "is required"));
        };
        Ok(NewRequest {
            customer_id: input.customer_id,
            contact_id: input.contact_id,
            channel,
            kind,
            subject,
            description,
            order_id: input.order_id,
            contract_id: input.contract_id,
            product_id: input.product_id,
            serial_number,
            priority,
            department: department.unwrap_or(kind.department()),
            assignee,
            assignee_office: input.assignee_office,
            received_at,
            managers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost_types::Timestamp;

    fn complaint() -> pb::CreateServiceRequestRequest {
        pb::CreateServiceRequestRequest {
            customer_id: 7,
            channel: "phone".into(),
            kind: "quality".into(),
            subject: "Máy đo pH báo sai".into(),
            ..Default::default()
        }
    }

    #[test]
    fn each_kind_goes_to_its_department_unless_one_is_named() {
        let now = 1_800_000_000_000_000;
        assert_eq!(NewRequest::parse(&complaint(), now).unwrap().department, Department::Sales);
        for (kind, department) in [
            ("warranty", Department::ImportExport),
            ("contract_change", Department::ImportExport),
            ("debt", Department::Accounting),
            ("price", Department::Sales),
        ] {
            let input = pb::CreateServiceRequestRequest { kind: kind.into(), ..complaint() };
            assert_eq!(NewRequest::parse(&input, now).unwrap().department, department, "{kind}");
        }
        let named = pb::CreateServiceRequestRequest { department: "accounting".into(), ..complaint() };
        assert_eq!(NewRequest::parse(&named, now).unwrap().department, Department::Accounting);
        assert_eq!(NewRequest::parse(&complaint(), now).unwrap().priority, Priority::Normal);
        let manager =
            |name: &str, office: Office| pb::Mention { username: name.into(), office: office.to_proto() as i32 };
        let managed = pb::CreateServiceRequestRequest {
            managers: vec![manager("manager.hn", Office::HaNoi), manager("manager.hcm", Office::HoChiMinh)],
            ..complaint()
        };
        assert_eq!(NewRequest::parse(&managed, now).unwrap().managers_of(Office::HaNoi), ["manager.hn"]);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let input = pb::CreateServiceRequestRequest {
            channel: "pigeon".into(),
            kind: "gossip".into(),
            priority: "asap".into(),
            contact_id: -1,
            received_at: Some(Timestamp { seconds: 4_000_000_000, nanos: 0 }),
            ..Default::default()
        };
        let Error::Invalid(fields) = NewRequest::parse(&input, 1_800_000_000_000_000).unwrap_err() else { panic!() };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["customer_id", "contact_id", "channel", "kind", "subject", "priority", "received_at"]);
    }

    #[test]
    fn statuses_move_only_along_the_allowed_transitions() {
        use RequestStatus::*;
        assert!(New.next().contains(&InProgress) && New.next().contains(&Resolved));
        assert!(!New.next().contains(&Closed), "a request is resolved before it is closed");
        assert_eq!(Resolved.next(), [Closed, Reopened]);
        assert_eq!(Closed.next(), [Reopened]);
        assert!(!WaitingCustomer.next().contains(&WaitingCustomer) && !InProgress.next().contains(&InProgress));
        assert!(WaitingCustomer.stops_clock() && Resolved.stops_clock() && !WaitingSupplier.stops_clock());
    }

    #[test]
    fn only_managers_backdate_and_an_assignee_must_see_the_office() {
        let caller = |role| Caller { username: "x".into(), role, office: Some(Office::HaNoi) };
        assert!(may_backdate(&caller(Role::SalesManager)).is_ok());
        assert!(matches!(may_backdate(&caller(Role::SalesRep)), Err(Error::PermissionDenied(_))));
        assert!(check_assignee_office(Office::HaNoi.to_proto() as i32, Office::HaNoi).is_ok());
        assert!(check_assignee_office(0, Office::HaNoi).is_ok());
        assert!(check_assignee_office(Office::HoChiMinh.to_proto() as i32, Office::HaNoi).is_err());
    }
}
