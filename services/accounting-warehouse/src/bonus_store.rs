//! Bonus schemes, the paid revenue they are computed on, and the bonus movements.

use atq_platform::business_time::{date_to_proto, stored_date, to_timestamp};
use atq_platform::error::Result;
use atq_platform::{Error, Tx};
use atq_proto::accountingwarehouse::v1 as pb;
use chrono::NaiveDate;
use prost::Message;
use sqlx::AnyConnection;

/// Stores a scheme (its whole message in body); returns its id.
#[tracing::instrument(level = "debug", skip_all, fields(name = %scheme.name))]
pub async fn insert_scheme(tx: &mut Tx, scheme: &pb::BonusScheme, effective_from: NaiveDate, at: i64) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO bonus_schemes (name, target_kind, target, period_kind, effective_from, body, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&scheme.name)
    .bind(&scheme.target_kind)
    .bind(&scheme.target)
    .bind(&scheme.period_kind)
    .bind(effective_from.to_string())
    .bind(scheme.encode_to_vec())
    .bind(&scheme.created_by)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

fn decode_scheme((id, body): (i64, Vec<u8>)) -> Result<pb::BonusScheme> {
    Ok(pb::BonusScheme { id, ..pb::BonusScheme::decode(body.as_slice())? })
}

pub async fn find_scheme(conn: &mut AnyConnection, id: i64) -> Result<Option<pb::BonusScheme>> {
    let row: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, body FROM bonus_schemes WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.map(decode_scheme).transpose()
}

pub async fn list_schemes(conn: &mut AnyConnection, after_id: i64, limit: i64) -> Result<Vec<pb::BonusScheme>> {
    let rows: Vec<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT id, body FROM bonus_schemes WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after_id)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(decode_scheme).collect()
}

/// The scheme in force for a target at the start of a period: the latest effective on or before.
pub async fn applicable_scheme(
    conn: &mut AnyConnection,
    (target_kind, target): (&str, &str),
    period_kind: &str,
    period_start: NaiveDate,
) -> Result<Option<pb::BonusScheme>> {
    let row: Option<(i64, Vec<u8>)> = sqlx::query_as(
        "SELECT id, body FROM bonus_schemes WHERE target_kind = $1 AND target = $2 AND period_kind = $3 \
         AND effective_from <= $4 ORDER BY effective_from DESC, id DESC LIMIT 1",
    )
    .bind(target_kind)
    .bind(target)
    .bind(period_kind)
    .bind(period_start.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(decode_scheme).transpose()
}

/// One allocation of a payment received in a period, with its invoice's current totals.
pub struct PaidRow {
    pub line: pb::BonusPaidLine,
    pub invoice_net: i64,
    pub invoice_gross: i64,
}

type PaidTuple = (i64, String, String, i64, String, String, i64, i64, i64);

/// The customer's allocations of payments received from `start` to `end`, oldest first.
pub async fn paid_rows(
    conn: &mut AnyConnection,
    customer_id: i64,
    (start, end): (NaiveDate, NaiveDate),
) -> Result<Vec<PaidRow>> {
    let rows: Vec<PaidTuple> = sqlx::query_as(
        "SELECT p.id, p.number, p.received_on, i.id, i.number, i.issue_date, a.amount, i.total_net, i.total_vat \
         FROM payment_allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id \
         WHERE p.customer_id = $1 AND p.received_on >= $2 AND p.received_on <= $3 AND a.amount > 0 \
         ORDER BY p.received_on, p.id, i.id",
    )
    .bind(customer_id)
    .bind(start.to_string())
    .bind(end.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(payment_id, payment_number, received_on, invoice_id, invoice_number, issued_on, allocated, net, vat)| {
            let day = |text: &str, what: &str| Ok::<_, Error>(stored_date(text, what)?.map(date_to_proto));
            Ok(PaidRow {
                line: pb::BonusPaidLine {
                    payment_id,
                    payment_number,
                    received_on: day(&received_on, "a payment's date")?,
                    invoice_id,
                    invoice_number,
                    invoice_date: day(&issued_on, "an invoice's date")?,
                    allocated,
                    net: 0,
                },
                invoice_net: net,
                invoice_gross: net.checked_add(vat).ok_or_else(|| Error::internal(anyhow::anyhow!("invoice total")))?,
            })
        })
        .collect()
}

/// Customers with payments received from `start` to `end`, or with movements in `period`.
pub async fn customers_in(
    conn: &mut AnyConnection,
    (start, end): (NaiveDate, NaiveDate),
    period: &str,
) -> Result<Vec<i64>> {
    let ids = sqlx::query_scalar(
        "SELECT customer_id FROM payments WHERE received_on >= $1 AND received_on <= $2 \
         UNION SELECT customer_id FROM bonus_movements WHERE period = $3 ORDER BY 1",
    )
    .bind(start.to_string())
    .bind(end.to_string())
    .bind(period)
    .fetch_all(&mut *conn)
    .await?;
    Ok(ids)
}

type MovementTuple = (i64, i64, String, String, i64, String, String, i64, String, String, String, i64);

/// The customer's movements in a period, oldest first.
pub async fn movements(conn: &mut AnyConnection, customer_id: i64, period: &str) -> Result<Vec<pb::BonusMovement>> {
    let rows: Vec<MovementTuple> = sqlx::query_as(
        "SELECT id, customer_id, period, kind, amount, month, method, scheme_id, document_number, entry_date, \
         created_by, created_at FROM bonus_movements WHERE customer_id = $1 AND period = $2 ORDER BY id",
    )
    .bind(customer_id)
    .bind(period)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, customer_id, period, kind, amount, month, method, scheme_id, document_number, date, by, at)| {
            Ok(pb::BonusMovement {
                id,
                customer_id,
                period,
                kind,
                amount,
                month,
                method,
                scheme_id,
                document_number,
                entry_date: stored_date(&date, "a bonus movement's date")?.map(date_to_proto),
                created_by: by,
                created_at: Some(to_timestamp(at)),
            })
        })
        .collect()
}

/// Stores a movement (its entry_date as given, its created_at in micros); returns its id.
pub async fn insert_movement(tx: &mut Tx, movement: &pb::BonusMovement, entry_date: NaiveDate, at: i64) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO bonus_movements (customer_id, period, kind, amount, month, method, scheme_id, document_number, \
         entry_date, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(movement.customer_id)
    .bind(&movement.period)
    .bind(&movement.kind)
    .bind(movement.amount)
    .bind(&movement.month)
    .bind(&movement.method)
    .bind(movement.scheme_id)
    .bind(&movement.document_number)
    .bind(entry_date.to_string())
    .bind(&movement.created_by)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The periods in which the customer has had a bonus settled, with the scheme of the latest.
pub async fn settled_periods(conn: &mut AnyConnection, customer_id: i64) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query_as(
        "SELECT period, scheme_id FROM bonus_movements m WHERE customer_id = $1 AND kind = 'settlement' \
         AND id = (SELECT MAX(id) FROM bonus_movements s WHERE s.customer_id = m.customer_id \
         AND s.period = m.period AND s.kind = 'settlement') ORDER BY period",
    )
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows)
}
