//! SIGKILL under a write workload: every acknowledged write is there after the restart, replays of
//! its idempotency key answer the same record, the writes cut in flight land at most once, the
//! report counts what sales holds, and the books agree.

use std::sync::Arc;
use std::time::Duration;

use atq_tests::victim::VictimDatabases;
use atq_tests::{Session, customer, eventually, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

const VICTIM: &str = env!("CARGO_BIN_EXE_atq-fault-victim");

/// A write sent: who sent it (keys are each user's own), its key, its path and body, and the id it
/// was answered with (None: cut in flight).
#[derive(Clone)]
struct Write {
    user: &'static str,
    key: String,
    path: &'static str,
    body: Value,
    id: Option<String>,
}

/// What names the record a write made: a customer's id, a receipt's number.
fn record_of(body: &Value) -> Option<String> {
    body["id"].as_i64().map(|id| id.to_string()).or_else(|| body["number"].as_str().map(str::to_owned))
}

/// Sends writes one after another until one gets no answer (the process died) or `count` are done.
async fn write_until_cut(
    (user, session): (&'static str, Session),
    prefix: String,
    path: &'static str,
    make: impl Fn(usize) -> Value,
) -> Vec<Write> {
    let mut writes = Vec::new();
    for index in 0..10_000 {
        let (key, body) = (format!("{prefix}-{index}"), make(index));
        let sent = session.try_send(Method::POST, path, Some(body.clone()), &[("Idempotency-Key", &key)]).await;
        match sent {
            Ok(reply) => {
                assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
                writes.push(Write { user, key, path, body, id: record_of(&reply.body) });
            }
            Err(_) => {
                writes.push(Write { user, key, path, body, id: None });
                break;
            }
        }
    }
    writes
}

/// Sends a write again under its key: the record it made, or the one it makes now.
async fn replay(session: &Session, write: &Write) -> String {
    let reply =
        session.send(Method::POST, write.path, Some(write.body.clone()), &[("Idempotency-Key", &write.key)]).await;
    assert!(reply.status == StatusCode::CREATED || reply.status == StatusCode::OK, "{}: {}", write.key, reply.body);
    record_of(&reply.body).unwrap_or_else(|| panic!("{}: no record named in {}", write.key, reply.body))
}

async fn on_hand(session: &Session, product_id: i64) -> i64 {
    let reply = session.get(&format!("/api/v1/stock?product_id={product_id}&warehouse=HN")).await;
    let items = reply.body["items"].as_array().cloned().unwrap_or_default();
    items.iter().filter(|l| l["condition"] == "good").filter_map(|l| l["on_hand"].as_i64()).sum()
}

/// Every customer the list holds, page after page.
async fn every_customer(session: &Session) -> usize {
    let (mut count, mut cursor) = (0, String::new());
    loop {
        let page = session.get(&format!("/api/v1/customers?limit=500&cursor={cursor}")).await.body;
        count += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(next) if !next.is_empty() => cursor = next.to_owned(),
            _ => return count,
        }
    }
}

async fn new_customers_counted(director: &Session) -> i64 {
    let reply = director.get("/api/v1/reports/new-customers").await;
    let items = reply.body["items"].as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|row| row["count"].as_i64()).sum()
}

#[tokio::test]
async fn a_killed_process_loses_no_acknowledged_write_and_lands_the_cut_ones_at_most_once() {
    let postgres = std::env::var("ATQ_TEST_POSTGRES_URL").ok();
    let databases = VictimDatabases::new(postgres.as_deref()).await.unwrap();
    let victim = databases.spawn(VICTIM).await.unwrap();
    let product = seed_products(&victim.system).await.filter_press;
    let writes = Arc::new(Mutex::new(Vec::new()));
    let mut writers = Vec::new();
    for (rep, office) in [("sales.hn", "HN"), ("sales.hcm", "HCM"), ("sales.dl", "DL")] {
        let session = victim.system.login(rep).await;
        let make = move |i: usize| customer(&format!("Khách {office} {i}"), "project", office);
        let writes = writes.clone();
        writers.push(tokio::spawn(async move {
            let made = write_until_cut((rep, session), format!("fault-{office}"), "/api/v1/customers", make).await;
            writes.lock().await.extend(made);
        }));
    }
    let keeper = victim.system.login("warehouse").await;
    let receipt = move |_: usize| json!({"warehouse": "HN", "kind": "opening", "lines": [{"product_id": product, "quantity": 1, "unit_cost": 100_000}]});
    let receipts = {
        let writes = writes.clone();
        tokio::spawn(async move {
            let made =
                write_until_cut(("warehouse", keeper), "fault-receipt".into(), "/api/v1/stock/receipts", receipt).await;
            writes.lock().await.extend(made);
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    victim.kill().await;
    for writer in writers.into_iter().chain([receipts]) {
        writer.await.unwrap();
    }
    let writes = writes.lock().await.clone();
    let acknowledged = writes.iter().filter(|w| w.id.is_some()).count();
    assert!(acknowledged >= 4, "the workload wrote before the kill: {acknowledged}");
    eprintln!("killed after {acknowledged} acknowledged writes, {} cut in flight", writes.len() - acknowledged);

    let victim = databases.spawn(VICTIM).await.unwrap();
    let mut sessions = std::collections::BTreeMap::new();
    for user in ["sales.hn", "sales.hcm", "sales.dl", "warehouse"] {
        sessions.insert(user, victim.system.login(user).await);
    }
    let (rep, keeper) = (victim.system.login("director").await, &sessions["warehouse"]);
    let mut customers = std::collections::BTreeSet::new();
    let mut receipts = std::collections::BTreeSet::new();
    for write in &writes {
        let id = replay(&sessions[write.user], write).await;
        if let Some(acknowledged) = write.id.clone() {
            assert_eq!(id, acknowledged, "{} answers the record it made before the kill", write.key);
        }
        let made = if write.path.contains("stock") { &mut receipts } else { &mut customers };
        assert!(made.insert(id), "{} made a record another key made", write.key);
    }
    for id in &customers {
        assert_eq!(rep.get(&format!("/api/v1/customers/{id}")).await.status, StatusCode::OK, "customer {id}");
    }
    assert_eq!(every_customer(&rep).await, customers.len(), "each key made one customer, none more");
    assert_eq!(on_hand(keeper, product).await, receipts.len() as i64, "one unit per receipt, each once");
    let expected = customers.len() as i64;
    eventually("the report counts every customer once", || async { new_customers_counted(&rep).await == expected })
        .await;
    victim.system.assert_books_agree().await;
    victim.kill().await;
    databases.drop().await;
}
