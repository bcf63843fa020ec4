//! The role x operation x office policy as one table: for every operation the API serves (method
//! and path template, exactly as in the OpenAPI document), what the caller must be allowed to do
//! and whether the object its path names belongs to an office.
//!
//! The table is authoritative: [`enforce`] runs in front of every API route and refuses, with the
//! same `403` problem a handler's own check gives, a role the table does not allow. Handlers keep
//! their finer checks (a credit override, who may read costs); services check again, and keep
//! sales staff to their own office's records, which the middleware cannot see. The authorization
//! matrix test (`tests/e2e/authorization_matrix.rs`) is generated from [`rules`].

mod table;

use std::collections::HashMap;
use std::sync::LazyLock;

use atq_platform::caller::Action;
use atq_platform::{ErrorCode, Role};
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{AuthUser, VerifiedCaller};
use crate::problem::Problem;
use crate::state::AppState;

pub const GET: &str = "GET";
pub const POST: &str = "POST";
pub const PUT: &str = "PUT";
pub const PATCH: &str = "PATCH";
pub const DELETE: &str = "DELETE";

/// What the caller of an operation must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Anyone, without a token: signing in and out, and the calendar feed whose address is its
    /// own credential.
    Open,
    /// Any signed-in person, whatever the role: their own profile, password and notifications.
    SignedIn,
    /// A signed-in person whose role may do this ([`Role::may`]).
    Do(Action),
}

/// Whose object the path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Nothing, or something the whole company shares (products, suppliers, users, plans).
    Company,
    /// A customer or something that hangs on one: sales staff of another office are answered
    /// `404`, as if it did not exist, so they cannot learn which ids are taken.
    Office,
}

/// One operation's row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Upper case, as on the wire.
    pub method: &'static str,
    /// The template as routed and documented (`/api/v1/orders/{id}`).
    pub path: &'static str,
    pub need: Need,
    pub scope: Scope,
}

const fn rule(method: &'static str, path: &'static str, need: Need, scope: Scope) -> Rule {
    Rule { method, path, need, scope }
}

impl Rule {
    /// Whether a signed-in person of `role` passes this row (the office is the services' part).
    pub fn allows(&self, role: Role) -> bool {
        match self.need {
            Need::Open | Need::SignedIn => true,
            Need::Do(action) => role.may(action),
        }
    }

    /// The action the row names, if it names one.
    pub fn action(&self) -> Option<Action> {
        match self.need {
            Need::Do(action) => Some(action),
            Need::Open | Need::SignedIn => None,
        }
    }
}

/// Every row, in path order.
pub fn rules() -> &'static [Rule] {
    table::RULES
}

static BY_OPERATION: LazyLock<HashMap<(&'static str, &'static str), &'static Rule>> =
    LazyLock::new(|| table::RULES.iter().map(|rule| ((rule.method, rule.path), rule)).collect());

/// The row of `method` (upper case) on the path template `path`.
pub fn rule_for(method: &str, path: &str) -> Option<&'static Rule> {
    BY_OPERATION.get(&(method, path)).copied()
}

/// Whether some row names the path template, with whatever method.
fn is_known_path(path: &str) -> bool {
    table::RULES.iter().any(|rule| rule.path == path)
}

/// The middleware in front of every API route: finds the operation's row and refuses a caller
/// the row does not allow, before the handler reads the path or the body.
pub async fn enforce(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(path) = request.extensions().get::<MatchedPath>().map(|matched| matched.as_str().to_owned()) else {
        return next.run(request).await;
    };
    // HEAD is answered by the GET handler.
    let method = if request.method() == Method::HEAD { GET } else { request.method().as_str() };
    let Some(rule) = rule_for(method, &path) else {
        if is_known_path(&path) {
            // A method the path does not serve: the router answers 405 with `Allow`.
            return next.run(request).await;
        }
        // Fail closed: a route nobody wrote a row for is nobody's to call.
        tracing::error!(%method, %path, "no access rule for this operation");
        return Problem::new(ErrorCode::PermissionDenied, "this operation has no access rule").into_response();
    };
    if rule.need == Need::Open {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    // The same extractor the handlers use: the same 401, and the same 403 while a temporary
    // password is still to be changed.
    let caller = match AuthUser::from_request_parts(&mut parts, &state).await {
        Ok(AuthUser(caller)) => caller,
        Err(problem) => return problem.into_response(),
    };
    if let Some(action) = rule.action()
        && let Err(refusal) = caller.require(action)
    {
        return Problem::from(refusal).into_response();
    }
    parts.extensions.insert(VerifiedCaller(caller));
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// `METHOD path` of every operation in the document the gateway serves, with whether it is
    /// open (`security: [{}]`).
    fn served_operations() -> Vec<(String, bool)> {
        let (_, document) = crate::api_document();
        let document = serde_json::to_value(&document).expect("the document serializes");
        let mut served = Vec::new();
        for (path, operations) in document["paths"].as_object().expect("paths") {
            for (method, operation) in operations.as_object().expect("operations") {
                let open = operation["security"] == serde_json::json!([{}]);
                served.push((format!("{} {path}", method.to_uppercase()), open));
            }
        }
        served
    }

    #[test]
    fn policy_has_exactly_one_row_for_every_served_operation() {
        let served = served_operations();
        let rows: Vec<String> = rules().iter().map(|rule| format!("{} {}", rule.method, rule.path)).collect();
        let unique: BTreeSet<&String> = rows.iter().collect();
        assert_eq!(unique.len(), rows.len(), "an operation has two rows");
        let served_names: BTreeSet<&String> = served.iter().map(|(name, _)| name).collect();
        let missing: Vec<_> = served_names.difference(&unique).collect();
        assert!(missing.is_empty(), "served without a row in gateway/src/policy/table.rs: {missing:#?}");
        let stale: Vec<_> = unique.difference(&served_names).collect();
        assert!(stale.is_empty(), "rows naming no served operation: {stale:#?}");
        assert!(rows.len() > 200, "{}", rows.len());
    }

    #[test]
    fn policy_opens_exactly_what_the_document_says_needs_no_token() {
        for (name, open) in served_operations() {
            let (method, path) = name.split_once(' ').expect("method and path");
            let rule = rule_for(method, path).expect("a row");
            assert_eq!(rule.need == Need::Open, open, "{name}");
        }
    }

    #[test]
    fn policy_scopes_only_operations_that_name_an_object() {
        for rule in rules() {
            if rule.scope == Scope::Office {
                assert!(rule.path.contains("{id}"), "{} {}", rule.method, rule.path);
            }
        }
    }

    #[test]
    fn policy_keeps_prices_backups_and_users_to_their_keepers() {
        let publish = rule_for(POST, "/api/v1/price-lists/{id}/publish").expect("a row");
        assert!(!publish.allows(Role::Accountant), "accounting drafts prices; import-export publishes them");
        assert!(publish.allows(Role::ImportOfficer));
        for path in ["/api/v1/admin/backups", "/api/v1/users"] {
            let admin_only: Vec<Role> =
                Role::HUMAN.into_iter().filter(|role| rule_for(GET, path).expect("a row").allows(*role)).collect();
            assert_eq!(admin_only, [Role::Admin], "{path}");
        }
        let notes = rule_for(GET, "/api/v1/opportunities/{id}/comments").expect("a row");
        assert!(!notes.allows(Role::WarehouseKeeper), "an opportunity's discussion is as private as it");
    }

    #[test]
    fn policy_lets_every_role_reach_its_own_profile() {
        for path in ["/api/v1/me", "/api/v1/me/notifications"] {
            let rule = rule_for(GET, path).expect("a row");
            assert!(Role::HUMAN.iter().all(|role| rule.allows(*role)), "{path}");
        }
    }
}
