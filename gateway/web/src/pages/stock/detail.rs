//! One transfer (`/stock/transfers/CK-2026-0001`) or one stocktake (`/stock/counts/KK-2026-0001`)
//! opened from its list: the same page as right after it was recorded, read back from the API by
//! its number. Both are final once recorded (the API offers no step after), so the page offers
//! the way back to the list, the stock they changed, and another document for those who may.

use axum::extract::{Path, State};
use axum::response::Response;

use super::counts::{StockCount, count_page};
use super::transfers::{Transfer, transfer_page};
use crate::UiState;
use crate::api::ApiProblem;
use crate::page::PageError;
use crate::session::Session;

/// The longest document number the API keeps; a longer one names nothing.
const MAX_NUMBER_CHARS: usize = 32;

/// A document number as typed into the address, if it can be one (`CK-2026-0001`): letters,
/// digits and hyphens only, so it goes into the API's path as it is.
fn document_number(typed: &str) -> Option<&str> {
    let plain = typed.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    Some(typed).filter(|n| plain && !n.is_empty() && n.len() <= MAX_NUMBER_CHARS)
}

/// The page the API would answer for a number no document has.
fn not_found(kind: &str) -> PageError {
    let detail = format!("{kind} with this number not found");
    PageError::Api(ApiProblem { status: 404, detail, ..ApiProblem::default() })
}

pub async fn transfer(
    State(ui): State<UiState>,
    session: Session,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let number = document_number(&number).ok_or_else(|| not_found("transfer"))?;
    let found: Transfer = ui.api.get(session.api_caller(), &format!("/api/v1/stock/transfers/{number}")).await?;
    transfer_page(&ui, &session, found, false).await
}

pub async fn count(
    State(ui): State<UiState>,
    session: Session,
    Path(number): Path<String>,
) -> Result<Response, PageError> {
    let number = document_number(&number).ok_or_else(|| not_found("stocktake"))?;
    let found: StockCount = ui.api.get(session.api_caller(), &format!("/api/v1/stock/counts/{number}")).await?;
    count_page(&ui, &session, found, false).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_can_be_a_document_number_is_asked_for() {
        assert_eq!(document_number("CK-2026-0001"), Some("CK-2026-0001"));
        assert_eq!(document_number("CK/../x"), None);
        assert_eq!(document_number("KK 1"), None);
        assert_eq!(document_number(""), None);
        assert_eq!(document_number(&"K".repeat(33)), None);
    }
}
