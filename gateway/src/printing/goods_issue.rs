//! The goods issue slip (phiếu xuất kho) of a shipped dispatch order, as PDF, for the warehouse.
//!
//! The dispatch order (sales) holds what the goods issue recorded when it shipped: the goods issue's
//! number, the lines with the serials picked and the value of the goods at moving-average cost; the
//! goods issue itself (warehouse) holds each line's value, read for those who may read costs.

use std::collections::HashMap;

use atq_documents::{GoodsIssueDoc, GoodsIssueLine, IssueCost};
use atq_platform::ErrorCode;
use atq_platform::caller::Action;
use atq_proto::accountingwarehouse::v1 as wpb;
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

/// The value at moving-average cost of each order line a goods issue took goods from.
fn costs_by_line(issue: &wpb::GoodsIssue) -> HashMap<i32, i64> {
    let mut costs: HashMap<i32, i64> = HashMap::new();
    for line in &issue.lines {
        let cost = costs.entry(line.line_no).or_insert(0);
        // Each line's value is at most the issue's total, which fits; saturating keeps a
        // corrupted record from stopping the print.
        *cost = cost.saturating_add(line.cost_amount);
    }
    costs
}

/// The slip's lines, each with its value at moving-average cost when `line_costs` (by order line)
/// is given: those who may not read costs get none.
fn issue_lines(
    dispatch: &pb::DispatchOrder,
    names: &HashMap<i64, (String, String)>,
    line_costs: Option<&HashMap<i32, i64>>,
) -> Vec<GoodsIssueLine> {
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
                cost_amount: line_costs.and_then(|costs| costs.get(&line.line_no).copied()),
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
    let line_costs = if with_cost {
        let request = wpb::GetGoodsIssueRequest { dispatch_ref: dispatch.number.clone() };
        let issue = ctx.call(&state.warehouse, request, |mut c, r| async move { c.get_goods_issue(r).await }).await?;
        Some(costs_by_line(&issue))
    } else {
        None
    };
    let document = GoodsIssueDoc {
        company: company(),
        number: dispatch.goods_issue_number.clone(),
        date: vietnamese_date(&rfc3339(dispatch.shipped_at.as_ref())),
        dispatch_number: dispatch.number.clone(),
        order_number: dispatch.order_number.clone(),
        warehouse: office_text(dispatch.warehouse),
        customer,
        lines: issue_lines(&dispatch, &names, line_costs.as_ref()),
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
    fn each_line_carries_its_own_value_for_readers_of_costs_only() {
        let names = HashMap::new();
        let mut shipped = dispatch("shipped", 2);
        shipped.lines[0].line_no = 1;
        shipped.lines[1].line_no = 2;
        let issue = wpb::GoodsIssue {
            lines: vec![
                wpb::IssuedLine { line_no: 2, cost_amount: 300_000, ..Default::default() },
                wpb::IssuedLine { line_no: 1, cost_amount: 500_000_000, ..Default::default() },
                wpb::IssuedLine { line_no: 2, cost_amount: 300_000, ..Default::default() },
            ],
            ..Default::default()
        };
        let costs = costs_by_line(&issue);
        let lines = issue_lines(&shipped, &names, Some(&costs));
        assert_eq!((lines[0].cost_amount, lines[1].cost_amount), (Some(500_000_000), Some(600_000)));
        assert!(issue_lines(&shipped, &names, None).iter().all(|line| line.cost_amount.is_none()));
    }
}
