//! What the pages' forms share: the CSRF check, an idempotency key per rendered form (so a
//! double click or a resubmitted page creates one record), and field errors by field.

use std::collections::HashMap;

use crate::api::ApiProblem;
use crate::i18n::Texts;
use crate::page::PageError;
use crate::session::Session;

/// Refuses a form that does not carry the session's CSRF value.
pub fn check_csrf(session: &Session, sent: &str) -> Result<(), PageError> {
    if session.csrf_matches(sent) { Ok(()) } else { Err(PageError::Forged) }
}

/// A key for one rendered form; resubmitting the same form sends the same key.
pub fn new_idempotency_key() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Field errors of a refused form, translated, by field; what is not about a field goes under
/// `""` and shows above the form.
#[derive(Default)]
pub struct FieldErrors(HashMap<String, String>);

impl FieldErrors {
    /// The API's problem as errors to show beside the fields, or the problem itself when it is not
    /// a refusal of the input (then the page shows it as an error page).
    pub fn from_problem(problem: ApiProblem, t: Texts) -> Result<FieldErrors, PageError> {
        if !matches!(problem.status, 400 | 409 | 412 | 422) {
            return Err(PageError::from(problem));
        }
        let mut errors = HashMap::new();
        for error in &problem.errors {
            errors.entry(error.field.clone()).or_insert_with(|| t.message(&error.message));
        }
        if problem.errors.is_empty() {
            errors.insert(
                String::new(),
                t.message(if problem.detail.is_empty() { &problem.title } else { &problem.detail }),
            );
        }
        Ok(FieldErrors(errors))
    }

    /// The error for `field`, empty when there is none (templates test `is_empty`).
    pub fn of(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }

    /// Errors for fields the form does not show, joined, for the top of the form.
    pub fn others(&self, shown: &[&str]) -> String {
        let mut others: Vec<&str> =
            self.0.iter().filter(|(field, _)| !shown.contains(&field.as_str())).map(|(_, m)| m.as_str()).collect();
        others.sort_unstable();
        others.join(" · ")
    }
}

/// The names under which the API may report errors of the line it received at `index`:
/// the line as a whole, then each of `fields`.
pub fn line_error_fields(index: usize, fields: &[&str]) -> Vec<String> {
    std::iter::once(format!("lines[{index}]")).chain(fields.iter().map(|f| format!("lines[{index}].{f}"))).collect()
}

/// The API names line errors by the lines it was sent, the page shows them on the rows they came
/// from: `sent_rows` holds, for each line sent, the index of its row; `error_of` the row's message.
pub fn put_line_errors<R>(
    errors: &FieldErrors,
    sent_rows: impl Iterator<Item = usize>,
    fields: &[&str],
    rows: &mut [R],
    error_of: impl Fn(&mut R) -> &mut String,
) {
    for (sent_index, row_index) in sent_rows.enumerate() {
        let messages: Vec<&str> =
            line_error_fields(sent_index, fields).iter().map(|f| errors.of(f)).filter(|m| !m.is_empty()).collect();
        if let Some(row) = rows.get_mut(row_index) {
            *error_of(row) = messages.join(" · ");
        }
    }
}
