//! The queries a customer import needs: which phones and tax codes customers already have, and
//! the writes of a whole import in a few multi-row statements (customers, their first revisions,
//! their primary contacts), so that ten thousand rows cost tens of statements, not tens of
//! thousands of round trips.

use std::collections::{HashMap, HashSet};

use atq_platform::db::{backend_of, values_list};
use atq_platform::error::Result;
use atq_platform::{Caller, Error, Tx};
use sqlx::AnyConnection;

use crate::contact::ContactFields;
use crate::customer::CustomerFields;
use crate::customer_store::{CustomerRow, StoredChange};

/// Values per `IN (...)` list and rows per multi-row INSERT (at most 15 binds each): well under
/// SQLite's and PostgreSQL's bind limits.
const CHUNK: usize = 400;
/// The number series and code format of a customer created by hand ([`crate::customer_store::insert`]).
const CODE_SERIES: &str = "customer";

fn code_of(number: i64) -> String {
    format!("KH{number:06}")
}

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

/// Takes `count` consecutive numbers of the customer series in one step and answers the first;
/// the counter row is updated in `tx`, so a rolled-back import gives them all back.
async fn take_numbers(tx: &mut Tx, count: usize) -> Result<i64> {
    let count = i64::try_from(count).map_err(Error::internal)?;
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO number_series (series, last_value) VALUES ($1, $2) \
         ON CONFLICT (series) DO UPDATE SET last_value = number_series.last_value + $2 \
         RETURNING last_value",
    )
    .bind(CODE_SERIES)
    .bind(count)
    .fetch_one(&mut **tx)
    .await?;
    Ok(last - count + 1)
}

/// Creates every customer, coded in row order, with its "created" revision, as a single create
/// does; answers them in the order given.
pub async fn insert_customers(
    tx: &mut Tx,
    customers: &[&CustomerFields],
    caller: &Caller,
    now: i64,
) -> Result<Vec<CustomerRow>> {
    let first = take_numbers(tx, customers.len()).await?;
    let mut rows = Vec::with_capacity(customers.len());
    for (n, chunk) in customers.chunks(CHUNK).enumerate() {
        let start = first + i64::try_from(n * CHUNK).map_err(Error::internal)?;
        let coded: Vec<(String, &CustomerFields)> =
            chunk.iter().zip(start..).map(|(fields, number)| (code_of(number), *fields)).collect();
        rows.extend(insert_customer_chunk(tx, &coded, caller, now).await?);
    }
    insert_revisions(tx, &rows, caller).await?;
    Ok(rows)
}

async fn insert_customer_chunk(
    tx: &mut Tx,
    coded: &[(String, &CustomerFields)],
    caller: &Caller,
    now: i64,
) -> Result<Vec<CustomerRow>> {
    let sql = format!(
        "INSERT INTO customers (code, name, customer_group, phone, email, address, office, tax_code, assigned_to, \
         purchase_count, search_text, version, created_by, created_at, updated_at) VALUES {} RETURNING id, code",
        values_list(backend_of(tx), coded.len(), 15)
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
    for (code, f) in coded {
        query = query
            .bind(code.as_str())
            .bind(f.name.as_str())
            .bind(f.group.as_str())
            .bind(f.phone.as_str())
            .bind(f.email.as_str())
            .bind(f.address.as_str())
            .bind(f.office.code())
            .bind(f.tax_code.as_str())
            .bind(f.assigned_to.as_str())
            .bind(0_i64)
            .bind(crate::customer_store::search_text_of(code, f))
            .bind(1_i64)
            .bind(caller.username.as_str())
            .bind(now)
            .bind(now);
    }
    // Neither database promises RETURNING in VALUES order: the codes say which id is whose.
    let ids: HashMap<String, i64> =
        query.fetch_all(&mut **tx).await?.into_iter().map(|(id, code)| (code, id)).collect();
    coded
        .iter()
        .map(|(code, fields)| {
            let id = *ids.get(code).ok_or_else(|| Error::internal(anyhow::anyhow!("no id returned for {code}")))?;
            Ok(CustomerRow {
                id,
                code: code.clone(),
                fields: (*fields).clone(),
                purchase_count: 0,
                last_purchase_on: String::new(),
                version: 1,
                created_at: now,
                updated_at: now,
            })
        })
        .collect()
}

/// Each new customer's first revision, as [`crate::customer_store::insert`] records it.
async fn insert_revisions(tx: &mut Tx, rows: &[CustomerRow], caller: &Caller) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO customer_revisions (customer_id, version, action, changed_by, changed_at, changes) VALUES {}",
            values_list(backend_of(tx), chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            let stored: Vec<StoredChange> = (row.fields.changes_from(None).into_iter())
                .map(|c| StoredChange { field: c.field, old: c.old_value, new: c.new_value })
                .collect();
            query = query
                .bind(row.id)
                .bind(row.version)
                .bind("created")
                .bind(caller.username.as_str())
                .bind(row.updated_at)
                .bind(serde_json::to_string(&stored).map_err(Error::internal)?);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds each (customer id, contact) pair as a contact of that customer.
pub async fn insert_contacts(tx: &mut Tx, contacts: &[(i64, &ContactFields)], caller: &Caller, now: i64) -> Result<()> {
    for chunk in contacts.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO contacts (customer_id, name, position, phone, email, birthday, notes, is_primary, active, \
             search_text, version, created_by, created_at, updated_at) VALUES {}",
            values_list(backend_of(tx), chunk.len(), 14)
        );
        let mut query = sqlx::query(&sql);
        for (customer_id, f) in chunk {
            query = query
                .bind(*customer_id)
                .bind(f.name.as_str())
                .bind(f.position.as_str())
                .bind(f.phone.as_str())
                .bind(f.email.as_str())
                .bind(f.birthday.as_str())
                .bind(f.notes.as_str())
                .bind(i64::from(f.is_primary))
                .bind(i64::from(f.active))
                .bind(crate::contact_store::search_text_of(f))
                .bind(1_i64)
                .bind(caller.username.as_str())
                .bind(now)
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use atq_platform::paging::Page;
    use atq_platform::testing::fresh_database;
    use atq_platform::{Office, Role};

    use super::*;
    use crate::customer::CustomerGroup;
    use crate::{contact_store, customer_store};

    fn customer(name: &str, phone: &str) -> CustomerFields {
        CustomerFields {
            name: name.into(),
            group: CustomerGroup::Dealer,
            phone: phone.into(),
            email: String::new(),
            address: "12 Tràng Tiền, Hà Nội".into(),
            office: Office::HaNoi,
            tax_code: String::new(),
            assigned_to: String::new(),
        }
    }

    /// Imported customers are found, coded, revised and contacted as created ones are.
    #[tokio::test]
    async fn imported_rows_are_stored_as_single_creates_are() {
        let database = fresh_database("sales").await.unwrap();
        let db = crate::open_database(&database.url).await.unwrap();
        let caller = Caller { username: "manager.hn".into(), role: Role::SalesManager, office: Some(Office::HaNoi) };
        let (first, second) = (customer("Công ty An Phát", "0912000001"), customer("Trường Chu Văn An", "0912000002"));
        let contact = ContactFields {
            name: "Trần Thị Hoa".into(),
            position: "Kế toán trưởng".into(),
            phone: String::new(),
            email: "hoa@anphat.vn".into(),
            birthday: String::new(),
            notes: String::new(),
            is_primary: true,
            active: true,
        };
        let mut tx = db.begin().await.unwrap();
        let by_hand = customer_store::insert(&mut tx, &db, &customer("Nguyễn Văn Bình", "0912000000"), &caller).await;
        let imported = insert_customers(&mut tx, &[&first, &second], &caller, 7).await.unwrap();
        insert_contacts(&mut tx, &[(imported[0].id, &contact)], &caller, 7).await.unwrap();
        let after = customer_store::insert(&mut tx, &db, &customer("Lê Văn Cường", "0912000003"), &caller).await;
        tx.commit().await.unwrap();

        let codes = [by_hand.unwrap().code, imported[0].code.clone(), imported[1].code.clone(), after.unwrap().code];
        assert_eq!(codes, ["KH000001", "KH000002", "KH000003", "KH000004"]);
        let stored = customer_store::find(db.pool(), imported[1].id).await.unwrap().unwrap();
        assert_eq!((stored.fields, stored.version), (second.clone(), 1));
        let revisions = customer_store::revisions(&db, imported[1].id).await.unwrap();
        assert_eq!((revisions.len(), revisions[0].action.as_str()), (1, "created"));
        assert_eq!(revisions[0].changes, second.changes_from(None));
        let filter = customer_store::ListFilter {
            query: "truong chu van an".into(),
            group: None,
            office: None,
            assigned_to: String::new(),
            page: Page { after_id: 0, limit: 10 },
        };
        let found = customer_store::list(&db, &filter).await.unwrap();
        assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [imported[1].id]);
        let contacts = contact_store::of_customer(&db, imported[0].id).await.unwrap();
        assert_eq!(contacts.iter().map(|c| c.fields.clone()).collect::<Vec<_>>(), [contact]);
        let searched = contact_store::search(&db, "ke toan", None, Page { after_id: 0, limit: 10 }).await.unwrap();
        assert_eq!(searched.iter().map(|c| c.customer_id).collect::<Vec<_>>(), [imported[0].id]);
    }
}
