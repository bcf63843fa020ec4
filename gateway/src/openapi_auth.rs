//! What every signed-in operation can answer, stated once for the whole document: 401 without a
//! valid token (the answer carries `WWW-Authenticate: Bearer`) and 403 for a role the operation
//! does not allow. Operations open to everyone declare `security(())` and are left as they are.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{ContentBuilder, OpenApi, PathItem, Ref, RefOr, Response, ResponseBuilder};

const UNAUTHORIZED: &str = "Not signed in: no valid token, or wrong credentials.";
const FORBIDDEN: &str = "Signed in, but this role or office may not do this.";

/// Adds 401 and 403 problem responses to every operation that needs a token.
pub fn add_auth_responses(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        for operation in operations(item).filter(|operation| !is_public(operation)) {
            for (status, description) in [("401", UNAUTHORIZED), ("403", FORBIDDEN)] {
                operation.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
            }
        }
    }
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
