//! The goods issue slip (phiếu xuất kho) of a shipped dispatch order, as PDF, for the warehouse.
//!
//! The dispatch order (sales) holds what the goods issue recorded when it shipped: the goods issue's
//! number, the lines with the serials picked and the value of the goods at moving-average cost.

use atq_documents::{GoodsIssueDoc, GoodsIssueLine, IssueCost};
use atq_platform::ErrorCode;
use atq_platform::caller::Action;
use atq_proto::sales::v1 as pb;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::invoice::vietnamese_date;
use super::{PrintQuery, company, customer_party, language, pdf_response, product_names};
use crate::auth::AuthUser;
use crate::problem::Problem;
use crate::problem::responses::{BadRequest, NotFound};
use crate::rpc::CallContext;
use crate::state::AppState;
use crate::wire::{office_text, rfc3339};

/// A dispatch order has a goods issue once its goods have left the warehouse.
fn has_shipped(dispatch: &pb::DispatchOrder) -> bool {
    matches!(dispatch.status.as_str(), "shipped" | "delivered") && !dispatch.goods_issue_number.is_empty()
}

/// The slip's lines. The goods issue's value is known for the whole slip; a line's own value only
/// when it is the slip's one line.
fn issue_lines(
    dispatch: &pb::DispatchOrder,
    names: &std::collections::HashMap<i64, (String, String)>,
    with_cost: bool,
) -> Vec<GoodsIssueLine> {
    let single_line = dispatch.lines.len() == 1;
    dispatch
        .lines
        .iter()
        .map(|line| {
            let (description, unit) = names.get(&line.product_id).cloned().unwrap_or_default();
            GoodsIssueLine {
                model_code: line.model_code.clone(),
                description,
                unit,
                quantity: line.quantity,
                serials: line.serials.clone(),
                cost_amount: (with_cost && single_line).then_some(dispatch.cost_amount),
            }
        })
        .collect()
}

/// The goods issue slip of a shipped dispatch order as a printable PDF: its lines with the serials
/// picked and, for those who may read costs, their value at moving-average cost. 404 until the
/// dispatch order has shipped, and for a dispatch order outside the caller's office.
#[utoipa::path(get, path = "/api/v1/dispatch-orders/{id}/goods-issue/pdf", tag = "dispatch orders",
    params(("id" = i64, Path), PrintQuery),
    responses((status = 200, content_type = "application/pdf", body = Vec<u8>), BadRequest, NotFound))]
pub async fn goods_issue_pdf(
    State(state): State<AppState>,
    AuthUser(caller): AuthUser,
    Path(id): Path<i64>,
    Query(query): Query<PrintQuery>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    caller.require(Action::ReadOrders)?;
    let language = language(&query, &headers)?;
    let ctx = CallContext::read(&state, &caller);
    let dispatch = ctx
        .call(&state.dispatch_orders, pb::GetDispatchOrderRequest { id }, |mut c, r| async move {
            c.get_dispatch_order(r).await
        })
        .await?;
    if !has_shipped(&dispatch) {
        return Err(Problem::new(ErrorCode::NotFound, "the dispatch order has not shipped: it has no goods issue yet"));
    }
    let customer = customer_party(&state, &ctx, dispatch.customer_id, "").await?;
    let names = product_names(&state, &ctx, dispatch.lines.iter().map(|l| l.product_id).collect(), language).await?;
    let with_cost = crate::costs::may_read(&caller);
    let document = GoodsIssueDoc {
        company: company(),
        number: dispatch.goods_issue_number.clone(),
        date: vietnamese_date(&rfc3339(dispatch.shipped_at.as_ref())),
        dispatch_number: dispatch.number.clone(),
        order_number: dispatch.order_number.clone(),
        warehouse: office_text(dispatch.warehouse),
        customer,
        lines: issue_lines(&dispatch, &names, with_cost),
        cost: with_cost.then_some(IssueCost { total_cost: dispatch.cost_amount }),
    };
    pdf_response(atq_documents::goods_issue_pdf(&document, language), &dispatch.goods_issue_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispatch(status: &str, lines: usize) -> pb::DispatchOrder {
        pb::DispatchOrder {
            status: status.into(),
            goods_issue_number: if status == "approved" { String::new() } else { "PX-2026-0001".into() },
            cost_amount: 500_300_000,
            lines: (0..lines)
                .map(|n| pb::DispatchLine {
                    product_id: i64::try_from(n).unwrap_or(0),
                    quantity: 2,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn only_shipped_dispatch_orders_have_a_slip() {
        assert!(!has_shipped(&dispatch("approved", 1)));
        assert!(!has_shipped(&dispatch("shipping", 1)));
        let mut without_number = dispatch("shipped", 1);
        without_number.goods_issue_number.clear();
        assert!(!has_shipped(&without_number));
        assert!(has_shipped(&dispatch("shipped", 1)));
        assert!(has_shipped(&dispatch("delivered", 1)));
    }

    #[test]
    fn a_line_carries_the_value_only_when_it_is_the_only_line_and_costs_may_be_read() {
        let names = std::collections::HashMap::new();
        let one = issue_lines(&dispatch("shipped", 1), &names, true);
        assert_eq!(one[0].cost_amount, Some(500_300_000));
        assert_eq!(issue_lines(&dispatch("shipped", 1), &names, false)[0].cost_amount, None);
        let two = issue_lines(&dispatch("shipped", 2), &names, true);
        assert!(two.iter().all(|line| line.cost_amount.is_none()));
    }
}
