//! One warranty case: what was found and decided, its return to the supplier, its timeline, and
//! for import-export the forms of the steps its state allows (diagnose, decide, send to the
//! supplier, receive back, close). A refused step shows the case again with the typed values and
//! each field's error beside it.

use askama::Template;
use atq_platform::caller::Action;
use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use serde::Deserialize;
use serde_json::{Value, json};

use super::open::whole_number;
use super::views::{SupplierReturn, WarrantyCase, coverage_reason, day, timeline_note};
use crate::UiState;
use crate::format;
use crate::i18n::Texts;
use crate::page::{Chrome, PageError, html};
use crate::pages::customers::{Choice, choices};
use crate::pages::forms::{FieldErrors, check_csrf};
use crate::session::Session;

pub const DECISIONS: [&str; 4] = ["repair_in_house", "repair_at_supplier", "exchange", "paid_repair"];
const WAREHOUSES: [&str; 3] = ["HN", "HCM", "DL"];
const REPLACEMENT_WARRANTIES: [&str; 2] = ["remaining", "new"];
const OUTCOMES: [&str; 3] = ["repaired", "replaced", "credited"];
/// Every field of every step form, for the errors that belong beside one.
const SHOWN: [&str; 12] = [
    "diagnosis",
    "decision",
    "quote_amount",
    "replacement_serial",
    "warehouse",
    "replacement_warranty",
    "note",
    "rma_number",
    "shipped_on",
    "outcome",
    "received_on",
    "resolution",
];

/// What any step form sends; each form fills its own fields.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    csrf: String,
    diagnosis: String,
    decision: String,
    quote_amount: String,
    replacement_serial: String,
    warehouse: String,
    replacement_warranty: String,
    note: String,
    rma_number: String,
    shipped_on: String,
    outcome: String,
    received_on: String,
    resolution: String,
}

/// The step forms the case's state allows.
#[derive(Default, Debug, PartialEq, Eq)]
pub struct Steps {
    pub diagnose: bool,
    pub decide: bool,
    pub ship: bool,
    pub receive: bool,
    pub close: bool,
}

/// Diagnosis and decision while the case is open; the unit goes to the supplier once, after a
/// decision to have it repaired there; closing waits until it is back.
pub fn steps(case: &WarrantyCase) -> Steps {
    let undecided = matches!(case.status.as_str(), "open" | "diagnosed");
    let to_ship = case.status == "decided" && case.decision == "repair_at_supplier" && case.supplier_return.is_none();
    Steps {
        diagnose: undecided,
        decide: undecided,
        ship: to_ship,
        receive: case.status == "at_supplier",
        close: undecided || case.status == "decided",
    }
}

pub struct TimelineRow {
    pub at: String,
    pub what: String,
    pub by: String,
    pub note: String,
}

pub struct SupplierReturnView {
    pub rma_number: String,
    pub shipped_on: String,
    pub received_on: String,
    pub outcome: String,
    pub turnaround_days: i32,
    pub replacement_serial: String,
}

fn supplier_return_view(r: &SupplierReturn, t: Texts) -> SupplierReturnView {
    SupplierReturnView {
        rma_number: r.rma_number.clone(),
        shipped_on: day(r.shipped_on.as_deref(), t),
        received_on: day(r.received_on.as_deref(), t),
        outcome: if r.outcome.is_empty() { String::new() } else { t.word("warranty_outcome", &r.outcome) },
        turnaround_days: r.turnaround_days,
        replacement_serial: r.replacement_serial.clone(),
    }
}

#[derive(Template)]
#[template(path = "warranty_case.html")]
struct CasePage {
    c: Chrome,
    case: WarrantyCase,
    status: String,
    /// The serial lookup of the case's unit.
    lookup_href: String,
    reason: String,
    shipped_on: String,
    ends_on: String,
    decision: String,
    quote: String,
    replacement_warranty: String,
    exchanged_on: String,
    supplier_return: Option<SupplierReturnView>,
    timeline: Vec<TimelineRow>,
    steps: Steps,
    decisions: Vec<Choice>,
    warehouses: Vec<Choice>,
    replacement_warranties: Vec<Choice>,
    outcomes: Vec<Choice>,
    form: StepForm,
    errors: FieldErrors,
    other_errors: String,
}

fn timeline(case: &WarrantyCase, t: Texts) -> Vec<TimelineRow> {
    case.timeline
        .iter()
        .map(|e| TimelineRow {
            at: format::time(&e.at, t.lang),
            what: t.word("warranty_step", &e.kind),
            by: e.by.clone(),
            note: timeline_note(&e.kind, &e.note, t),
        })
        .collect()
}

/// The case's page; `form` and `errors` are a refused step's (empty when none).
async fn case_page(
    ui: &UiState,
    session: &Session,
    id: i64,
    form: StepForm,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let t = session.texts();
    let case: WarrantyCase = ui.api.get(session.api_caller(), &format!("/api/v1/warranty-cases/{id}")).await?;
    let may_handle = session.caller.role.may(Action::HandleWarranty);
    let title = format!("{} {}", t.get("warranty.case"), case.number);
    let word = |kind: &str, w: &str| if w.is_empty() { String::new() } else { t.word(kind, w) };
    Ok(html(&CasePage {
        c: Chrome::new(session, "/warranty", title, &format!("/warranty/cases/{id}")),
        status: t.word("warranty_status", &case.status),
        lookup_href: format!(
            "/warranty?{}",
            serde_urlencoded::to_string([("serial", &case.serial)]).unwrap_or_default()
        ),
        reason: coverage_reason(&case.coverage_reason, t),
        shipped_on: day(case.shipped_on.as_deref(), t),
        ends_on: day(case.warranty_ends_on.as_deref(), t),
        decision: word("warranty_decision", &case.decision),
        quote: if case.quote_amount > 0 { format::money(case.quote_amount, t.lang) } else { String::new() },
        replacement_warranty: word("warranty_term", &case.replacement_warranty),
        exchanged_on: day(case.exchanged_on.as_deref(), t),
        supplier_return: case.supplier_return.as_ref().map(|r| supplier_return_view(r, t)),
        timeline: timeline(&case, t),
        steps: if may_handle { steps(&case) } else { Steps::default() },
        decisions: choices(t, "warranty_decision", &DECISIONS, &form.decision),
        warehouses: choices(t, "office", &WAREHOUSES, &form.warehouse),
        replacement_warranties: choices(t, "warranty_term", &REPLACEMENT_WARRANTIES, &form.replacement_warranty),
        outcomes: choices(t, "warranty_outcome", &OUTCOMES, &form.outcome),
        other_errors: errors.others(&SHOWN),
        form,
        errors,
        case,
    }))
}

pub async fn show(State(ui): State<UiState>, session: Session, Path(id): Path<i64>) -> Result<Response, PageError> {
    case_page(&ui, &session, id, StepForm::default(), FieldErrors::default()).await
}

/// Sends one step; back to the case when done, the case with the refusal beside the fields if not.
/// The API makes a step sent twice harmless by the case's state, so no idempotency key is needed.
async fn step(
    ui: UiState,
    session: Session,
    (id, verb): (i64, &str),
    form: StepForm,
    body: Value,
) -> Result<Response, PageError> {
    check_csrf(&session, &form.csrf)?;
    let path = format!("/api/v1/warranty-cases/{id}/{verb}");
    match ui.api.send(session.api_caller(), Method::POST, &path, &body, &[]).await {
        Ok(_) => Ok(Redirect::to(&format!("/warranty/cases/{id}")).into_response()),
        Err(problem) => {
            let errors = FieldErrors::from_problem(problem, session.texts())?;
            case_page(&ui, &session, id, form, errors).await
        }
    }
}

/// An amount in đồng as people type it ("3.500.000", "3 500 000"): the separators go.
pub fn amount(typed: &str) -> Value {
    let digits: String = typed.chars().filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}')).collect();
    digits.parse::<i64>().map_or_else(|_| whole_number(typed), |n| json!(n))
}

fn decision_body(form: &StepForm) -> Value {
    let exchange = form.decision.trim() == "exchange";
    json!({
        "decision": form.decision.trim(),
        "quote_amount": amount(&form.quote_amount),
        "replacement_serial": form.replacement_serial.trim(),
        "warehouse": form.warehouse.trim(),
        // How the replacement is covered matters only for an exchange.
        "replacement_warranty": if exchange { form.replacement_warranty.trim() } else { "" },
        "note": form.note.trim(),
    })
}

pub async fn diagnose(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let body = json!({"diagnosis": form.diagnosis.trim()});
    step(ui, session, (id, "diagnose"), form, body).await
}

pub async fn decide(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let body = decision_body(&form);
    step(ui, session, (id, "decide"), form, body).await
}

pub async fn ship_to_supplier(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let body = json!({"rma_number": form.rma_number.trim(), "shipped_on": form.shipped_on.trim()});
    step(ui, session, (id, "supplier-return"), form, body).await
}

pub async fn receive_from_supplier(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let body = json!({
        "outcome": form.outcome.trim(),
        "received_on": form.received_on.trim(),
        "replacement_serial": form.replacement_serial.trim(),
    });
    step(ui, session, (id, "supplier-return/receive"), form, body).await
}

pub async fn close(
    State(ui): State<UiState>,
    session: Session,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let body = json!({"resolution": form.resolution.trim()});
    step(ui, session, (id, "close"), form, body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(status: &str, decision: &str) -> WarrantyCase {
        WarrantyCase { status: status.into(), decision: decision.into(), ..WarrantyCase::default() }
    }

    #[test]
    fn each_state_offers_only_its_next_steps() {
        let open = steps(&case("open", ""));
        assert!(open.diagnose && open.decide && open.close && !open.ship && !open.receive);
        let to_supplier = steps(&case("decided", "repair_at_supplier"));
        assert!(to_supplier.ship && to_supplier.close && !to_supplier.decide);
        let back =
            WarrantyCase { supplier_return: Some(SupplierReturn::default()), ..case("decided", "repair_at_supplier") };
        assert!(!steps(&back).ship && steps(&back).close);
        assert_eq!(steps(&case("at_supplier", "repair_at_supplier")), Steps { receive: true, ..Steps::default() });
        assert_eq!(steps(&case("closed", "exchange")), Steps::default());
    }

    #[test]
    fn amounts_are_read_with_their_thousands_separators() {
        assert_eq!(amount("3.500.000"), json!(3_500_000));
        assert_eq!(amount("3 500 000"), json!(3_500_000));
        assert_eq!(amount(""), json!(0));
        assert_eq!(amount("ba triệu"), json!("ba triệu"));
    }
}
