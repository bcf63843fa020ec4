//! The care reminders' reads (deliveries to follow up, contact birthdays) and the record of the
//! reminders made, one per date, customer, contact and reason.

use atq_platform::business_time::now_micros;
use atq_platform::error::Result;
use atq_platform::{Office, Tx};
use sqlx::Row;

/// A care call to plan: for whom, about what, and for which salesperson.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub customer_id: i64,
    /// 0 unless the call is for one contact.
    pub contact_id: i64,
    pub office: String,
    /// The customer's salesperson, else whoever took the order or made the customer.
    pub owner: String,
    /// An order number or a contact's name, for the subject.
    pub about: String,
}

fn office_filter(office: Option<Office>) -> &'static str {
    office.map(Office::code).unwrap_or("")
}

/// Customers whose goods were delivered between two instants (UTC micros, end excluded), one per
/// customer, named by their first such order.
pub async fn delivered(tx: &mut Tx, from: i64, to: i64, office: Option<Office>) -> Result<Vec<Candidate>> {
    let rows = sqlx::query(
        "SELECT o.customer_id, c.office, c.assigned_to, o.created_by, o.number FROM dispatch_orders d \
         JOIN orders o ON o.id = d.order_id JOIN customers c ON c.id = o.customer_id \
         WHERE d.status = 'delivered' AND d.delivered_at >= $1 AND d.delivered_at < $2 \
         AND ($3 = '' OR c.office = $3) ORDER BY o.customer_id, o.number",
    )
    .bind(from)
    .bind(to)
    .bind(office_filter(office))
    .fetch_all(&mut **tx)
    .await?;
    let mut candidates: Vec<Candidate> = Vec::new();
    for row in &rows {
        let customer_id: i64 = row.try_get(0)?;
        if candidates.last().is_some_and(|c| c.customer_id == customer_id) {
            continue;
        }
        let (assigned, taken_by): (String, String) = (row.try_get(2)?, row.try_get(3)?);
        candidates.push(Candidate {
            customer_id,
            contact_id: 0,
            office: row.try_get(1)?,
            owner: if assigned.is_empty() { taken_by } else { assigned },
            about: row.try_get(4)?,
        });
    }
    Ok(candidates)
}

/// Active contacts whose birthday (month and day, 'MM-DD') is one of `days`.
pub async fn birthdays(tx: &mut Tx, days: [&str; 2], office: Option<Office>) -> Result<Vec<Candidate>> {
    let rows = sqlx::query(
        "SELECT k.customer_id, k.id, c.office, c.assigned_to, c.created_by, k.name FROM contacts k \
         JOIN customers c ON c.id = k.customer_id \
         WHERE k.active = 1 AND k.birthday <> '' AND SUBSTR(k.birthday, 6, 5) IN ($1, $2) \
         AND ($3 = '' OR c.office = $3) ORDER BY k.id",
    )
    .bind(days[0])
    .bind(days[1])
    .bind(office_filter(office))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            let (assigned, made_by): (String, String) = (row.try_get(3)?, row.try_get(4)?);
            Ok(Candidate {
                customer_id: row.try_get(0)?,
                contact_id: row.try_get(1)?,
                office: row.try_get(2)?,
                owner: if assigned.is_empty() { made_by } else { assigned },
                about: row.try_get(5)?,
            })
        })
        .collect()
}

/// Claims the reminder for its date, customer, contact and reason: true when this run made the
/// claim, false when an earlier run had.
pub async fn claim(tx: &mut Tx, date: &str, candidate: &Candidate, reason: &str) -> Result<bool> {
    let written = sqlx::query(
        "INSERT INTO care_reminders (reminder_on, customer_id, contact_id, reason, activity_id, created_at) \
         VALUES ($1, $2, $3, $4, 0, $5) ON CONFLICT (reminder_on, customer_id, contact_id, reason) DO NOTHING",
    )
    .bind(date)
    .bind(candidate.customer_id)
    .bind(candidate.contact_id)
    .bind(reason)
    .bind(now_micros())
    .execute(&mut **tx)
    .await?;
    Ok(written.rows_affected() == 1)
}

/// Notes the activity made for a claimed reminder.
pub async fn set_activity(
    tx: &mut Tx,
    date: &str,
    candidate: &Candidate,
    reason: &str,
    activity_id: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE care_reminders SET activity_id = $1 \
         WHERE reminder_on = $2 AND customer_id = $3 AND contact_id = $4 AND reason = $5",
    )
    .bind(activity_id)
    .bind(date)
    .bind(candidate.customer_id)
    .bind(candidate.contact_id)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The activity an earlier run made for the reminder.
pub async fn activity_of(tx: &mut Tx, date: &str, candidate: &Candidate, reason: &str) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "SELECT activity_id FROM care_reminders \
         WHERE reminder_on = $1 AND customer_id = $2 AND contact_id = $3 AND reason = $4",
    )
    .bind(date)
    .bind(candidate.customer_id)
    .bind(candidate.contact_id)
    .bind(reason)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}
