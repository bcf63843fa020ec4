//! The table of shipped and returned lines at cost, and the margin lines the reports read from it
//! joined with the orders, products and customers analytics keeps.

use atq_platform::error::Result;
use atq_platform::{Db, Office, Tx};
use chrono::NaiveDate;

use crate::product_facts::UNKNOWN;

#[path = "margin_store_rollup.rs"]
pub(crate) mod rollup;

/// `source` of a goods issue line.
pub const ISSUE: &str = "issue";
/// `source` of a return line.
pub const RETURN: &str = "return";

/// One line at cost as the projection keeps it; signed (returns negative).
pub struct MarginFact<'a> {
    pub source: &'static str,
    pub document: String,
    pub line_no: i32,
    pub day: NaiveDate,
    pub office: &'a str,
    pub order_number: &'a str,
    pub product_id: i64,
    pub quantity: i64,
    pub revenue: i64,
    pub cost: i64,
}

/// Keeps a line once: a replayed event changes nothing.
#[tracing::instrument(level = "debug", skip_all, fields(source = fact.source, document = %fact.document))]
pub async fn record(tx: &mut Tx, fact: &MarginFact<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO margin_lines (source, document, line_no, day, office, order_number, product_id, quantity, \
         revenue, cost) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (source, document, line_no) DO NOTHING",
    )
    .bind(fact.source)
    .bind(&fact.document)
    .bind(fact.line_no)
    .bind(fact.day.to_string())
    .bind(fact.office)
    .bind(fact.order_number)
    .bind(fact.product_id)
    .bind(fact.quantity)
    .bind(fact.revenue)
    .bind(fact.cost)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A kept line with what it is grouped by. `order_net`/`order_units` are the order's net amount
/// and units of the product (None while the order is unknown to analytics).
#[derive(Clone, Debug, Default)]
pub struct MarginRow {
    pub source: String,
    pub product_id: i64,
    pub model_code: String,
    pub category: String,
    pub brand: String,
    pub customer: String,
    pub salesperson: String,
    pub office: String,
    pub quantity: i64,
    pub revenue: i64,
    pub cost: i64,
    pub order_net: Option<i64>,
    pub order_units: Option<i64>,
}

type Row = (
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
);

/// Lines kept between two local days (inclusive), of one office when given (the order's office,
/// else the warehouse's or the return's), of one product category when given.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn lines(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    office: Option<Office>,
    category: Option<&str>,
) -> Result<Vec<MarginRow>> {
    let sql = lines_sql(office.is_some(), category.is_some());
    let mut query = sqlx::query_as::<_, Row>(&sql).bind(from.to_string()).bind(to.to_string());
    if let Some(office) = office {
        query = query.bind(office.code());
    }
    if let Some(category) = category {
        query = query.bind(category.to_owned());
    }
    let rows = query.fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(margin_row).collect())
}

/// The query of [`lines`]: the days are $1 and $2, then the office and the category, each only
/// when filtered on, numbered in that order.
fn lines_sql(by_office: bool, by_category: bool) -> String {
    let mut sql = String::from(
        "SELECT m.source, COALESCE(o.office, m.office), m.quantity, m.revenue, m.cost, m.product_id, \
         p.model_code, p.category, p.brand, c.code, o.salesperson, t.net, t.units \
         FROM margin_lines m LEFT JOIN sales_orders o ON o.number = m.order_number \
         LEFT JOIN (SELECT order_id, product_id, CAST(SUM(net_amount) AS BIGINT) AS net, \
         CAST(SUM(quantity) AS BIGINT) AS units FROM sales_order_lines GROUP BY order_id, product_id) t \
         ON t.order_id = o.order_id AND t.product_id = m.product_id \
         LEFT JOIN product_facts p ON p.product_id = m.product_id \
         LEFT JOIN customer_facts c ON c.customer_id = o.customer_id \
         WHERE m.day >= $1 AND m.day <= $2",
    );
    let mut next = 3;
    if by_office {
        sql.push_str(&format!(" AND COALESCE(o.office, m.office) = ${next}"));
        next += 1;
    }
    if by_category {
        sql.push_str(&format!(" AND p.category = ${next}"));
    }
    sql.push_str(" ORDER BY m.day, m.source, m.document, m.line_no");
    sql
}

/// A row of the query as a margin row; a product, customer or salesperson analytics has not
/// heard of yet is grouped as unknown.
fn margin_row(row: Row) -> MarginRow {
    let (
        source,
        office,
        quantity,
        revenue,
        cost,
        product_id,
        model,
        category,
        brand,
        customer,
        salesperson,
        net,
        units,
    ) = row;
    let known = |text: Option<String>| text.unwrap_or_else(|| UNKNOWN.to_owned());
    MarginRow {
        source,
        product_id,
        model_code: known(model),
        category: known(category),
        brand: known(brand),
        customer: known(customer),
        salesperson: known(salesperson),
        office,
        quantity,
        revenue,
        cost,
        order_net: net,
        order_units: units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_take_the_parameters_after_the_days_in_order() {
        assert!(!lines_sql(false, false).contains("$3"));
        assert!(lines_sql(true, false).contains("COALESCE(o.office, m.office) = $3"));
        let both = lines_sql(true, true);
        assert!(both.contains("COALESCE(o.office, m.office) = $3") && both.contains("p.category = $4"), "{both}");
        assert!(lines_sql(false, true).contains("p.category = $3"));
    }
}
