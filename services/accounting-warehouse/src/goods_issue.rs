//! Goods issue (phiếu xuất kho) for a dispatch order: the units leave the order's reservation and
//! the warehouse, serials are marked issued, and the cost of goods is the moving-average value.

use atq_platform::business_time::{now_micros, to_timestamp};
use atq_platform::error::Result;
use atq_platform::validation::Violations;
use atq_platform::{Caller, Db, Error, Office, Tx, outbox};
use atq_proto::accountingwarehouse::v1 as pb;
use prost::Message;

use crate::documents::{Tracking, check_lines_present, keep_document, next_number, stock_move, tracked};
use crate::journal::{self, Posting};
use crate::reservations;
use crate::stock::{Condition, parse_quantity, parse_serials};
use crate::stock_store::{self, Move, Place, share};

pub async fn issue(
    tx: &mut Tx,
    db: &Db,
    caller: &Caller,
    input: &pb::IssueRequest,
    tracking: &Tracking,
) -> Result<pb::GoodsIssue> {
    let earlier: Option<Vec<u8>> = sqlx::query_scalar("SELECT body FROM goods_issues WHERE dispatch_ref = $1")
        .bind(&input.dispatch_ref)
        .fetch_optional(&mut **tx)
        .await?;
    if let Some(body) = earlier {
        // The same dispatch order shipped again (a retry): the goods left once.
        return Ok(pb::GoodsIssue::decode(body.as_slice())?);
    }
    let mut v = Violations::new();
    if input.dispatch_ref.trim().is_empty() {
        v.add("dispatch_ref", "is required");
    }
    if input.order_ref.trim().is_empty() {
        v.add("order_ref", "is required");
    }
    let warehouse = v.check("warehouse", Office::from_proto(input.warehouse));
    check_lines_present(input.lines.len(), &mut v);
    let mut lines = Vec::new();
    for (i, line) in input.lines.iter().enumerate() {
        let quantity = v.check(&format!("lines[{i}].quantity"), parse_quantity(line.quantity));
        let is_tracked = tracked(tracking, &mut v, format!("lines[{i}].product_id"), line.product_id);
        if let (Some(q), Some(t)) = (quantity, is_tracked)
            && let Some(serials) = v.check(&format!("lines[{i}].serials"), parse_serials(&line.serials, q, t))
        {
            lines.push((i, line, q, serials));
        }
    }
    v.finish()?;
    let warehouse = warehouse.ok_or_else(|| Error::invalid("warehouse", "is required"))?;

    // In product order, like reservations: concurrent issues queue instead of deadlocking.
    lines.sort_by_key(|(_, line, _, _)| line.product_id);
    let number = next_number(tx, "PX").await?;
    let now = now_micros();
    let mut issued = Vec::new();
    let mut moves = Vec::new();
    for (i, line, quantity, serials) in lines {
        let place = Place { product_id: line.product_id, warehouse, condition: Condition::Good };
        if !reservations::consume(tx, &input.order_ref, i64::from(line.line_no), quantity).await? {
            return Err(Error::Conflict(format!(
                "order {} line {} does not hold {quantity} reserved units in {}",
                input.order_ref,
                line.line_no,
                warehouse.code()
            )));
        }
        if !stock_store::issue_reserved(tx, place, quantity).await? {
            return Err(Error::Conflict(format!("line {i}: the reserved units are no longer in {}", warehouse.code())));
        }
        let refused = stock_store::update_serials(tx, place, &serials, warehouse, "issued", now).await?;
        if !refused.is_empty() {
            return Err(Error::invalid(
                format!("lines[{i}].serials"),
                format!("not in stock in {}: {}", warehouse.code(), refused.join(", ")),
            ));
        }
        let cost_amount = stock_store::remove_value(tx, line.product_id, quantity).await?;
        let m = Move {
            document_type: "issue",
            document_number: &number,
            place,
            quantity: -quantity,
            unit_cost: share(cost_amount, 1, quantity),
            reason: &input.dispatch_ref,
            by: &caller.username,
            at: now,
        };
        stock_store::record_move(tx, &m).await?;
        moves.push(stock_move(place, -quantity));
        issued.push(pb::IssuedLine {
            line_no: line.line_no,
            product_id: line.product_id,
            quantity,
            serials,
            cost_amount,
        });
    }
    let total_cost: i64 = issued.iter().map(|l| l.cost_amount).sum();
    let memo = format!("{} {}", input.order_ref, input.dispatch_ref);
    journal::post(
        tx,
        ("issue", &number),
        &memo,
        &caller.username,
        &[Posting::debit("632", total_cost), Posting::credit("156", total_cost)],
    )
    .await?;
    let goods_issue = pb::GoodsIssue {
        number: number.clone(),
        dispatch_ref: input.dispatch_ref.clone(),
        order_ref: input.order_ref.clone(),
        warehouse: warehouse.to_proto() as i32,
        total_cost,
        lines: issued,
        created_by: caller.username.clone(),
        created_at: Some(to_timestamp(now)),
    };
    sqlx::query(
        "INSERT INTO goods_issues (dispatch_ref, number, order_ref, warehouse, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&input.dispatch_ref)
    .bind(&number)
    .bind(&input.order_ref)
    .bind(warehouse.code())
    .bind(goods_issue.encode_to_vec())
    .bind(&caller.username)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    keep_document(tx, db, ("issue", &number, warehouse), &goods_issue, moves, caller).await?;
    reservations::announce(tx, db, &input.order_ref).await?;
    let event = pb::GoodsIssued { issue: Some(goods_issue.clone()) };
    outbox::append(tx, db.backend(), "goods_issue", &number, "atq.accountingwarehouse.v1.GoodsIssued", &event).await?;
    Ok(goods_issue)
}
