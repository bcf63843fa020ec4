//! The table of returned goods' lines.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use atq_proto::accountingwarehouse::v1 as wh;
use chrono::NaiveDate;

use crate::product_facts::UNKNOWN;
use crate::sales_facts_store::LineRow;

/// Keeps the lines of a return, once: a line seen again is left as it is.
#[tracing::instrument(level = "debug", skip_all, fields(return_id = sales_return.id))]
pub async fn record(tx: &mut Tx, sales_return: &wh::SalesReturn, returned_on: NaiveDate, office: &str) -> Result<()> {
    let month = returned_on.format("%Y-%m").to_string();
    for line in &sales_return.lines {
        sqlx::query(
            "INSERT INTO sales_return_lines (return_id, line_no, number, returned_on, month, office, customer_id, \
             order_number, product_id, quantity, net_amount, vat_amount) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (return_id, line_no) DO NOTHING",
        )
        .bind(sales_return.id)
        .bind(line.line_no)
        .bind(&sales_return.number)
        .bind(returned_on.to_string())
        .bind(&month)
        .bind(office)
        .bind(sales_return.customer_id)
        .bind(&sales_return.order_number)
        .bind(line.product_id)
        .bind(line.quantity)
        .bind(line.net_amount)
        .bind(line.vat_amount)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Return lines between two local dates (inclusive), of one office when given, with the sale's
/// group and salesperson and the product's category and brand; positive amounts, order id 0.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn report_lines(db: &Db, from: NaiveDate, to: NaiveDate, office: Option<Office>) -> Result<Vec<LineRow>> {
    let mut sql = String::from(
        "SELECT r.month, r.office, o.customer_group, o.salesperson, p.category, p.brand, \
         r.quantity, r.net_amount, r.vat_amount \
         FROM sales_return_lines r LEFT JOIN sales_orders o ON o.number = r.order_number \
         LEFT JOIN product_facts p ON p.product_id = r.product_id \
         WHERE r.returned_on >= $1 AND r.returned_on <= $2",
    );
    if office.is_some() {
        sql.push_str(" AND r.office = $3");
    }
    sql.push_str(" ORDER BY r.month, r.return_id, r.line_no");
    type Row = (String, String, Option<String>, Option<String>, Option<String>, Option<String>, i64, i64, i64);
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(from.to_string()).bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    let rows = query.fetch_all(db.pool()).await?;
    let known = |text: Option<String>| text.unwrap_or_else(|| UNKNOWN.to_owned());
    Ok(rows
        .into_iter()
        .map(|(month, office, group, salesperson, category, brand, quantity, net, vat)| LineRow {
            month,
            order_id: 0,
            office,
            group: known(group),
            salesperson: known(salesperson),
            category: known(category),
            brand: known(brand),
            quantity,
            net,
            vat,
        })
        .collect())
}
