//! The form of a new dealer-opening request: an existing customer or a new company's data, the
//! figures of the last two years, the proposed tier and the salesperson's note. The API names an
//! error of a year's figure `years[i].field`, which is also the input's name here.

use askama::Template;
use atq_platform::business_time::{local_date, now_micros};
use axum::Form;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;

use super::views::Application;
use super::{Choice, OFFICES, TIERS, choices};
use crate::UiState;
use crate::page::{Chrome, PageError, html};
use crate::pages::forms::{FieldErrors, check_csrf, new_idempotency_key};
use crate::session::Session;

/// The figures of one year, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct YearInput {
    pub year: String,
    pub revenue: String,
    pub lab_sales: String,
    pub big_brand_share_bp: String,
    pub small_brand_share_bp: String,
    pub staff: String,
    pub shops: String,
}

/// A typed number: empty is 0, anything not a whole number -1, which the API refuses by field.
fn number(text: &str) -> i64 {
    let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '.' && *c != ',').collect();
    if digits.is_empty() { 0 } else { digits.parse().unwrap_or(-1) }
}

impl YearInput {
    fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "year": number(&self.year), "revenue": number(&self.revenue), "lab_sales": number(&self.lab_sales),
            "big_brand_share_bp": number(&self.big_brand_share_bp),
            "small_brand_share_bp": number(&self.small_brand_share_bp),
            "staff": number(&self.staff), "shops": number(&self.shops),
        })
    }
}

/// What the form holds, as typed; the two years arrive as `years[0].revenue`, `years[1].staff`...
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ApplicationForm {
    csrf: String,
    idempotency_key: String,
    customer_id: String,
    name: String,
    phone: String,
    email: String,
    address: String,
    tax_code: String,
    office: String,
    region: String,
    proposed_tier: String,
    note: String,
    #[serde(flatten)]
    years: std::collections::HashMap<String, String>,
}

/// The names of one year's inputs, which are also the API's field names for their errors.
pub const YEAR_FIELDS: [&str; 7] =
    ["year", "revenue", "lab_sales", "big_brand_share_bp", "small_brand_share_bp", "staff", "shops"];

/// The labels of [`YEAR_FIELDS`], in the same order.
const YEAR_LABELS: [&str; 7] = [
    "dealers.year",
    "dealers.revenue",
    "dealers.lab_sales",
    "dealers.big_share_bp",
    "dealers.small_share_bp",
    "dealers.staff",
    "dealers.shops",
];

impl ApplicationForm {
    pub fn year(&self, index: usize) -> YearInput {
        let value = |field: &str| self.years.get(&format!("years[{index}].{field}")).cloned().unwrap_or_default();
        YearInput {
            year: value("year"),
            revenue: value("revenue"),
            lab_sales: value("lab_sales"),
            big_brand_share_bp: value("big_brand_share_bp"),
            small_brand_share_bp: value("small_brand_share_bp"),
            staff: value("staff"),
            shops: value("shops"),
        }
    }

    fn body(&self) -> serde_json::Value {
        let years: Vec<serde_json::Value> = (0..2).map(|i| self.year(i).body()).collect();
        let mut body = serde_json::json!({
            "office": self.office, "region": self.region, "years": years,
            "proposed_tier": self.proposed_tier, "note": self.note,
        });
        match self.customer_id.trim() {
            "" => {
                body["prospect"] = serde_json::json!({"name": self.name, "phone": self.phone, "email": self.email,
                    "address": self.address, "tax_code": self.tax_code});
            }
            id => body["customer_id"] = number(id).into(),
        }
        body
    }
}

/// One year's row of inputs with its errors.
pub struct YearRow {
    pub index: usize,
    pub input: YearInput,
    pub errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "dealer_form.html")]
struct FormPage {
    c: Chrome,
    form: ApplicationForm,
    years: Vec<YearRow>,
    errors: FieldErrors,
    other_errors: String,
    offices: Vec<Choice>,
    tiers: Vec<Choice>,
}

const FORM_FIELDS: [&str; 14] = [
    "customer_id",
    "prospect.name",
    "prospect.phone",
    "prospect.email",
    "prospect.address",
    "prospect.tax_code",
    "office",
    "region",
    "proposed_tier",
    "note",
    "years",
    "years[0].year",
    "years[1].year",
    "prospect",
];

fn form_page(session: &Session, form: ApplicationForm, errors: FieldErrors) -> Response {
    let t = session.texts();
    let c = Chrome::new(session, "/dealers", t.get("dealers.new").to_owned(), "/dealers/new");
    let years = (0..2)
        .map(|index| YearRow {
            index,
            input: form.year(index),
            errors: YEAR_FIELDS
                .iter()
                .zip(YEAR_LABELS)
                .filter_map(|(field, label)| {
                    let message = errors.of(&format!("years[{index}].{field}"));
                    (!message.is_empty()).then(|| format!("{}: {message}", t.get(label)))
                })
                .collect(),
        })
        .collect();
    let year_fields: Vec<String> =
        (0..2).flat_map(|i| YEAR_FIELDS.iter().map(move |f| format!("years[{i}].{f}"))).collect();
    let mut shown: Vec<&str> = FORM_FIELDS.to_vec();
    shown.extend(year_fields.iter().map(String::as_str));
    let other_errors = errors.others(&shown);
    let offices = choices(t, "office", &OFFICES, &form.office);
    let tiers = choices(t, "tier", &TIERS, &form.proposed_tier);
    html(&FormPage { c, form, years, errors, other_errors, offices, tiers })
}

pub async fn new_form(session: Session) -> Response {
    let this_year = local_date(now_micros()).year();
    let mut years = std::collections::HashMap::new();
    years.insert("years[0].year".to_owned(), (this_year - 2).to_string());
    years.insert("years[1].year".to_owned(), (this_year - 1).to_string());
    let form = ApplicationForm {
        idempotency_key: new_idempotency_key(),
        office: session.caller.office.map(|o| o.code().to_owned()).unwrap_or_default(),
        proposed_tier: "tier2".into(),
        years,
        ..Default::default()
    };
    form_page(&session, form, FieldErrors::default())
}

pub async fn create(
    State(ui): State<UiState>,
    session: Session,
    Form(form): Form<ApplicationForm>,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let headers = [("idempotency-key", form.idempotency_key.clone())];
    let path = "/api/v1/dealer-applications";
    match ui.api.send(session.api_caller(), Method::POST, path, &form.body(), &headers).await {
        Ok(answer) => {
            let created: Application = answer.json()?;
            Ok(Redirect::to(&format!("/dealers/{}", created.id)).into_response())
        }
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            // A corrected form is a new request: it gets a key of its own.
            let form = ApplicationForm { idempotency_key: new_idempotency_key(), ..form };
            Ok(form_page(&session, form, errors))
        }
    }
}
