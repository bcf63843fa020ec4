//! Dealers: tier rules kept as versioned data (`/api/v1/dealer-tier-rules`), dealer-opening
//! requests with their explained evaluations (`/api/v1/dealer-applications`), each customer's
//! tier and history (`/api/v1/customers/{id}/tier`) and yearly re-evaluations
//! (`/api/v1/dealers/re-evaluations`).

mod applications;
mod evaluation;
mod re_evaluations;
mod rules;

use atq_proto::sales::v1::dealers_client::DealersClient;
use tonic::transport::Channel;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::problem::Problem;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rules::create_rule_version, rules::list_rule_versions))
        .routes(routes!(rules::get_rule_version))
        .routes(routes!(applications::create_application, applications::list_applications))
        .routes(routes!(applications::get_application, applications::update_application))
        .routes(routes!(applications::submit_application))
        .routes(routes!(applications::evaluate_application))
        .routes(routes!(applications::approve_application))
        .routes(routes!(applications::reject_application))
        .routes(routes!(re_evaluations::customer_tier))
        .routes(routes!(re_evaluations::run_re_evaluation, re_evaluations::list_re_evaluations))
        .routes(routes!(re_evaluations::confirm_re_evaluation))
}

/// A client of the sales service's dealer calls, on the channel the gateway already keeps open.
fn dealers(state: &AppState) -> Result<DealersClient<Channel>, Problem> {
    Ok(DealersClient::new(state.channel("sales")?))
}
