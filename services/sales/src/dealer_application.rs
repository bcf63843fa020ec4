//! Dealer-opening requests (phiếu đề nghị mở đại lý): the prospect, its figures for the last two
//! years and the salesperson's proposal, checked here. The workflow (submit, evaluate, approve,
//! reject) is in [`crate::dealer_decision`].

use atq_platform::limits::{MAX_AMOUNT, MAX_QUANTITY};
use atq_platform::text_status;
use atq_platform::validation::{Violations, optional_text};
use atq_platform::{Caller, Error, Office};
use atq_proto::sales::v1 as pb;

use crate::contact::parse_notes;
use crate::customer::{CustomerFields, CustomerGroup, parse_address, parse_email, parse_name, parse_phone};
use crate::tier_rules::{DealerFigures, Tier};

text_status! {
    ApplicationStatus {
        Draft = "draft",
        Submitted = "submitted",
        Evaluated = "evaluated",
        Approved = "approved",
        Rejected = "rejected",
    }
}

const FULL_SHARE_BP: i64 = 10_000;

/// One year of the prospect's business results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct YearFigures {
    pub year: i32,
    pub revenue: i64,
    pub lab_sales: i64,
    pub big_brand_share_bp: i64,
    pub small_brand_share_bp: i64,
    pub staff: i64,
    pub shops: i64,
}

impl YearFigures {
    pub fn to_proto(&self) -> pb::YearFigures {
        pb::YearFigures {
            year: self.year,
            revenue: self.revenue,
            lab_sales: self.lab_sales,
            big_brand_share_bp: self.big_brand_share_bp,
            small_brand_share_bp: self.small_brand_share_bp,
            staff: self.staff,
            shops: self.shops,
        }
    }
}

/// A company not yet a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProspectFields {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub tax_code: String,
}

/// The fields of an application that the salesperson writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplicationFields {
    /// None for a new company: its customer record is made on approval.
    pub customer_id: Option<i64>,
    pub prospect: ProspectFields,
    pub office: Office,
    pub region: String,
    /// Two consecutive years, the earlier first.
    pub years: Vec<YearFigures>,
    pub proposed_tier: Tier,
    pub note: String,
}

fn within(v: &mut Violations, field: String, value: i64, max: i64) -> i64 {
    if !(0..=max).contains(&value) {
        v.add(field, format!("must be from 0 to {max}"));
    }
    value
}

/// Two consecutive past or current years, each consistent: lab sales within revenue, shares
/// adding up to at most 100%.
pub fn parse_years(v: &mut Violations, input: &[pb::YearFigures], this_year: i32) -> Vec<YearFigures> {
    if input.len() != 2 {
        v.add("years", "must give the figures of two consecutive years");
        return Vec::new();
    }
    let mut years: Vec<YearFigures> = Vec::with_capacity(2);
    for (index, figures) in input.iter().enumerate() {
        let field = |name: &str| format!("years[{index}].{name}");
        if !(1990..=this_year).contains(&figures.year) {
            v.add(field("year"), format!("must be from 1990 to {this_year}"));
        }
        let year = YearFigures {
            year: figures.year,
            revenue: within(v, field("revenue"), figures.revenue, MAX_AMOUNT),
            lab_sales: within(v, field("lab_sales"), figures.lab_sales, MAX_AMOUNT),
            big_brand_share_bp: within(v, field("big_brand_share_bp"), figures.big_brand_share_bp, FULL_SHARE_BP),
            small_brand_share_bp: within(v, field("small_brand_share_bp"), figures.small_brand_share_bp, FULL_SHARE_BP),
            staff: within(v, field("staff"), figures.staff, MAX_QUANTITY),
            shops: within(v, field("shops"), figures.shops, MAX_QUANTITY),
        };
        if year.lab_sales > year.revenue {
            v.add(field("lab_sales"), "must not be more than the revenue");
        }
        if year.big_brand_share_bp + year.small_brand_share_bp > FULL_SHARE_BP {
            v.add(field("small_brand_share_bp"), "big and small brands together must not pass 10000 basis points");
        }
        years.push(year);
    }
    years.sort_by_key(|year| year.year);
    if years[1].year != years[0].year + 1 {
        v.add("years", "must be two consecutive years");
    }
    years
}

fn parse_tier(v: &mut Violations, text: &str) -> Tier {
    v.check("proposed_tier", Tier::parse_wire(text)).unwrap_or(Tier::Tier2)
}

fn optional_tax_code(text: &str) -> Result<String, String> {
    if text.trim().is_empty() { Ok(String::new()) } else { crate::customer::parse_tax_code(text) }
}

/// A new company's data, checked now so that its approval cannot fail on it.
pub fn parse_prospect(v: &mut Violations, input: Option<&pb::Prospect>) -> ProspectFields {
    let empty = pb::Prospect::default();
    let input = input.unwrap_or(&empty);
    ProspectFields {
        name: v.check("prospect.name", parse_name(&input.name)).unwrap_or_default(),
        phone: v.check("prospect.phone", parse_phone(&input.phone)).unwrap_or_default(),
        email: v.check("prospect.email", parse_email(&input.email)).unwrap_or_default(),
        address: v.check("prospect.address", parse_address(&input.address)).unwrap_or_default(),
        tax_code: v.check("prospect.tax_code", optional_tax_code(&input.tax_code)).unwrap_or_default(),
    }
}

impl ApplicationFields {
    /// Checks a create request. For an existing customer the office is the customer's, filled in
    /// by the use case; a new company goes to the caller's office unless one is named.
    pub fn parse_new(
        input: &pb::CreateDealerApplicationRequest,
        caller: &Caller,
        this_year: i32,
    ) -> Result<ApplicationFields, Error> {
        let mut v = Violations::new();
        let customer_id = (input.customer_id != 0).then_some(input.customer_id);
        let prospect = match customer_id {
            Some(_) => ProspectFields::default(),
            None => parse_prospect(&mut v, input.prospect.as_ref()),
        };
        let office = match (input.office, caller.territory()) {
            (0, Some(own)) => Some(own),
            (0, None) if customer_id.is_some() => Some(Office::HaNoi),
            (value, _) => v.check("office", Office::from_proto(value)),
        };
        let fields = ApplicationFields {
            customer_id,
            prospect,
            office: office.unwrap_or(Office::HaNoi),
            region: v.check("region", optional_text(&input.region, 200)).unwrap_or_default(),
            years: parse_years(&mut v, &input.years, this_year),
            proposed_tier: parse_tier(&mut v, &input.proposed_tier),
            note: v.check("note", parse_notes(&input.note)).unwrap_or_default(),
        };
        v.finish()?;
        Ok(fields)
    }

    /// Applies the set fields of an update request to a copy of these.
    pub fn patched(
        &self,
        input: &pb::UpdateDealerApplicationRequest,
        this_year: i32,
    ) -> Result<ApplicationFields, Error> {
        let mut v = Violations::new();
        let mut next = self.clone();
        if let Some(region) = &input.region {
            next.region = v.check("region", optional_text(region, 200)).unwrap_or_default();
        }
        if let Some(tier) = &input.proposed_tier {
            next.proposed_tier = parse_tier(&mut v, tier);
        }
        if let Some(note) = &input.note {
            next.note = v.check("note", parse_notes(note)).unwrap_or_default();
        }
        if let Some(prospect) = &input.prospect {
            if self.customer_id.is_some() {
                v.add("prospect", "an application for an existing customer has no prospect data");
            }
            next.prospect = parse_prospect(&mut v, Some(prospect));
        }
        if !input.years.is_empty() {
            next.years = parse_years(&mut v, &input.years, this_year);
        }
        v.finish()?;
        Ok(next)
    }

    /// The figures a tier is decided on: both years' lab sales, the latest year's other figures.
    pub fn figures(&self) -> DealerFigures {
        let (first, latest) = match self.years.as_slice() {
            [first, latest] => (*first, *latest),
            _ => (YearFigures::default(), YearFigures::default()),
        };
        DealerFigures::from_sales(
            first.lab_sales,
            latest.lab_sales,
            latest.big_brand_share_bp,
            latest.staff,
            latest.shops,
        )
    }

    /// The customer a new company becomes on approval: a dealer, followed by `owner`.
    pub fn as_customer(&self, owner: &str) -> CustomerFields {
        CustomerFields {
            name: self.prospect.name.clone(),
            group: CustomerGroup::Dealer,
            phone: self.prospect.phone.clone(),
            email: self.prospect.email.clone(),
            address: self.prospect.address.clone(),
            office: self.office,
            tax_code: self.prospect.tax_code.clone(),
            assigned_to: owner.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use atq_platform::Role;

    use super::*;

    fn rep() -> Caller {
        Caller { username: "sales.hn".into(), role: Role::SalesRep, office: Some(Office::HaNoi) }
    }

    fn year(year: i32, lab_sales: i64) -> pb::YearFigures {
        pb::YearFigures {
            year,
            revenue: lab_sales * 2,
            lab_sales,
            big_brand_share_bp: 4000,
            small_brand_share_bp: 6000,
            staff: 12,
            shops: 2,
        }
    }

    fn request() -> pb::CreateDealerApplicationRequest {
        pb::CreateDealerApplicationRequest {
            prospect: Some(pb::Prospect {
                name: "Công ty TNHH Thiết bị Minh Long".into(),
                phone: "0912 345 678".into(),
                address: "12 Lê Lợi, Đà Lạt".into(),
                ..Default::default()
            }),
            years: vec![year(2025, 8_000_000_000), year(2024, 6_000_000_000)],
            proposed_tier: "tier1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_company_goes_to_the_reps_office_with_its_years_in_order() {
        let fields = ApplicationFields::parse_new(&request(), &rep(), 2026).unwrap();
        assert_eq!((fields.office, fields.customer_id), (Office::HaNoi, None));
        assert_eq!(fields.years.iter().map(|y| y.year).collect::<Vec<_>>(), [2024, 2025]);
        assert_eq!(fields.figures().avg_lab_sales, 7_000_000_000);
        assert_eq!(fields.as_customer("sales.hn").group, CustomerGroup::Dealer);
    }

    #[test]
    fn years_must_be_two_consistent_consecutive_past_years() {
        let mut input = request();
        input.years[0].year = 2027;
        input.years[1].lab_sales = input.years[1].revenue + 1;
        input.years[1].big_brand_share_bp = 5000;
        let Error::Invalid(errors) = ApplicationFields::parse_new(&input, &rep(), 2026).unwrap_err() else {
            panic!("field errors")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["years[0].year", "years[1].lab_sales", "years[1].small_brand_share_bp", "years"]);
    }

    #[test]
    fn a_new_company_needs_its_name_phone_and_address() {
        let mut input = request();
        input.prospect = None;
        let Error::Invalid(errors) = ApplicationFields::parse_new(&input, &rep(), 2026).unwrap_err() else {
            panic!("field errors")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["prospect.name", "prospect.phone", "prospect.address"]);
    }
}
