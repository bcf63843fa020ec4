//! What operations answer whatever their handler does, stated once for the whole document:
//! - 401 without a valid token (the answer carries `WWW-Authenticate: Bearer`) and 403 for a role
//!   the operation does not allow, on every operation that needs a token (operations open to
//!   everyone declare `security(())`);
//! - 400 and 404 on every operation with a path parameter: a path id that is not a number in range
//!   is refused before the handler, and a well-formed one may name nothing (or nothing the caller
//!   may see);
//! - 400 on every operation with query parameters (a malformed or repeated parameter);
//! - 422 on every operation that takes an `Idempotency-Key` (the key was used for another request);
//! - 413 on every operation with a request body (the body is over the size limit), and 404 (a
//!   record the body names — a customer, an invoice, a product — does not exist or is not the
//!   caller's to see).
//!
//! A handler's own description of a status wins; these are only added where it has none.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, PathItem, Ref, RefOr, Response, ResponseBuilder};

const UNAUTHORIZED: &str = "Not signed in: no valid token, or wrong credentials.";
const FORBIDDEN: &str = "Signed in, but this role or office may not do this.";
const BAD_PATH: &str = "A path or query parameter is malformed, out of range or repeated.";
const NOT_FOUND: &str = "Nothing with this id, or nothing the caller's office may see.";
const KEY_REUSED: &str = "The Idempotency-Key was already used with a different request.";
const TOO_LARGE: &str = "The request body is over the size limit.";
const NAMED_NOT_FOUND: &str = "A record the body names does not exist, or the caller's office may not see it.";

/// Adds the shared problem responses (see the module's description) to every operation.
pub fn add_common_responses(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        for operation in operations(item) {
            for (status, description) in common_answers(operation) {
                operation.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
            }
        }
    }
}

/// The statuses `operation` can answer before or beside its handler, with their descriptions.
fn common_answers(operation: &Operation) -> Vec<(&'static str, &'static str)> {
    let takes = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| std::mem::discriminant(&p.parameter_in) == std::mem::discriminant(&place))
    };
    let takes_key = operation
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p.parameter_in, ParameterIn::Header) && p.name.eq_ignore_ascii_case("idempotency-key"));
    let mut answers = Vec::new();
    if !is_public(operation) {
        answers.extend([("401", UNAUTHORIZED), ("403", FORBIDDEN)]);
    }
    if takes(ParameterIn::Path) {
        answers.extend([("400", BAD_PATH), ("404", NOT_FOUND)]);
    } else if takes(ParameterIn::Query) {
        answers.push(("400", BAD_PATH));
    }
    if takes_key {
        answers.push(("422", KEY_REUSED));
    }
    if operation.request_body.is_some() {
        answers.extend([("413", TOO_LARGE), ("404", NAMED_NOT_FOUND)]);
    }
    answers
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch]
        .into_iter()
        .filter_map(Option::as_mut)
}

/// An operation whose only security requirement is the empty one (`security(())`).
fn is_public(operation: &Operation) -> bool {
    operation.security.as_ref().is_some_and(|requirements| {
        requirements
            .iter()
            .all(|requirement| serde_json::to_value(requirement).is_ok_and(|v| v == serde_json::json!({})))
    })
}

fn problem(description: &str) -> RefOr<Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ProblemBody"))).build();
    ResponseBuilder::new().description(description).content("application/problem+json", content).build().into()
}
