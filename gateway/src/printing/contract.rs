//! The contract (hợp đồng mua bán) as PDF: its cover and summary, to sign with the customer.

use atq_documents::{ContractDoc, Language};
use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::invoice::vietnamese_date;
use super::{PrintQuery, company, customer_party, language, pdf_response};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::day_text;

/// The contract's status as the reader calls it; an unknown word is printed as it is.
fn status_words(status: &str, language: Language) -> String {
    let (vietnamese, english) = match status {
        "draft" => ("Nháp", "Draft"),
        "signed" => ("Đã ký", "Signed"),
        "completed" => ("Hoàn thành", "Completed"),
        "cancelled" => ("Đã hủy", "Cancelled"),
        other => (other, other),
    };
    language.pick(vietnamese, english).to_owned()
}

/// The employee who answers for the contract: "Full Name (username)" while they are a user,
/// else the username alone (someone who has left is still named on old contracts).
async fn responsible_name(state: &AppState, username: &str) -> Result<String, Problem> {
    if username.is_empty() {
        return Ok(String::new());
    }
    let user = crate::users::find_active(&state.db, username)
        .await
        .map_err(|error| Problem::from(atq_platform::Error::from(error)))?;
    Ok(match user {
        Some((user, _)) if !user.display_name.is_empty() => format!("{} ({username})", user.display_name),
        _ => username.to_owned(),
    })
}

/// The contract's cover and summary as a printable PDF: the parties, the dates, the value in
/// figures and in words, the status and the employee in charge, with a signature block for both
/// parties. Sales staff print their own office's contracts.
#[utoipa::path(get, path = "/api/v1/contracts/{id}/pdf", tag = "contracts", params(("id" = i64, Path), PrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, NotFound))]
pub async fn contract_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let language = language(&query, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let contract = ctx
        .call(&state.contracts, pb::GetContractRequest { id }, |mut c, r| async move { c.get_contract(r).await })
        .await?;
    let customer = customer_party(&state, &ctx, contract.customer_id, "").await?;
    let document = ContractDoc {
        company: company(),
        number: contract.number.clone(),
        name: contract.name.clone(),
        customer,
        made_on: vietnamese_date(&day_text(contract.made_on.as_ref())),
        ends_on: vietnamese_date(&day_text(contract.ends_on.as_ref())),
        value: contract.value,
        status: status_words(&contract.status, language),
        responsible: responsible_name(&state, &contract.responsible).await?,
        note: contract.note.clone(),
    };
    pdf_response(atq_documents::contract_pdf(&document, language), &contract.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_words_in_either_language() {
        assert_eq!(status_words("signed", Language::Vi), "Đã ký");
        assert_eq!(status_words("cancelled", Language::En), "Cancelled");
        assert_eq!(status_words("archived", Language::Vi), "archived");
    }
}
