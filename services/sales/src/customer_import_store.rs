//! The lookups a customer import needs: which phones and tax codes customers already have.

use std::collections::HashSet;

use atq_platform::error::Result;
use sqlx::AnyConnection;

/// Values per `IN (...)` list: well under SQLite's and PostgreSQL's bind limits.
const CHUNK: usize = 400;

/// Those of `values` that some customer already has in `column` (`phone` or `tax_code`).
pub async fn taken(conn: &mut AnyConnection, column: TakenColumn, values: &[String]) -> Result<HashSet<String>> {
    let mut found = HashSet::new();
    for chunk in values.chunks(CHUNK) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {column} FROM customers WHERE {column} IN ({})",
            placeholders.join(", "),
            column = column.name()
        );
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for value in chunk {
            query = query.bind(value);
        }
        found.extend(query.fetch_all(&mut *conn).await?);
    }
    Ok(found)
}

/// The columns an import checks for an existing customer; never text from the request.
#[derive(Clone, Copy, Debug)]
pub enum TakenColumn {
    Phone,
    TaxCode,
}

impl TakenColumn {
    fn name(self) -> &'static str {
        match self {
            TakenColumn::Phone => "phone",
            TakenColumn::TaxCode => "tax_code",
        }
    }
}
