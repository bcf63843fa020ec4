//! A database restart under a write workload, on PostgreSQL: every connection of the system's
//! databases is cut a few times over about two seconds (the shared server itself cannot be
//! restarted). The services reconnect, every acknowledged write is there, a failed write answers
//! problem+json 5xx at once instead of hanging, the event feeds resume (invoices and the report
//! count each record once) and the books agree. SQLite has no server to lose, so it skips there.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use atq_platform::testing::POSTGRES_ENV;
use atq_tests::{Session, TestProducts, TestSystem, customer, eventually, seed_products};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;

/// How long one request may take during the outage: a hang would pass it by far.
const ANSWER_BOUND: Duration = Duration::from_secs(15);
/// How soon after the last cut writes must succeed again.
const RECOVERY_BOUND: Duration = Duration::from_secs(15);
/// Cuts, and the pause between them: every connection, again and again for two seconds, so that
/// some writes outlast the gateway's own retries and are refused, as in a restart.
const CUTS: usize = 40;
const BETWEEN_CUTS: Duration = Duration::from_millis(50);
/// Orders taken all the way to an invoice while the database goes away.
const SHIPMENTS: usize = 4;

/// A write sent during the workload: its key, path and body, and how it was answered.
struct Write {
    key: String,
    path: &'static str,
    body: Value,
    /// The record's id when acknowledged (2xx); None when refused with a 5xx problem.
    id: Option<i64>,
    status: StatusCode,
}

/// Sends `body` under `key`, bounded in time; a 2xx names its record, anything else must be a
/// problem+json 5xx (the outage is the only thing that can refuse these writes).
async fn write_once(session: &Session, path: &'static str, key: String, body: Value) -> Write {
    let headers = [("Idempotency-Key", key.as_str())];
    let sent = session.try_send(Method::POST, path, Some(body.clone()), &headers);
    let reply = tokio::time::timeout(ANSWER_BOUND, sent)
        .await
        .unwrap_or_else(|_| panic!("{path} {key}: no answer within {ANSWER_BOUND:?}"))
        .unwrap_or_else(|error| panic!("{path} {key}: the gateway did not answer: {error:#}"));
    if reply.status.is_success() {
        let id = reply.body["id"].as_i64().unwrap_or_else(|| panic!("{key}: no id in {}", reply.body));
        return Write { key, path, body, id: Some(id), status: reply.status };
    }
    // A lost connection is worth a retry (503), never an internal error.
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{path} {key}: {}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/problem+json"), "{key}: {}", reply.body);
    assert_eq!(reply.body["status"].as_u64(), Some(u64::from(reply.status.as_u16())), "{}", reply.body);
    Write { key, path, body, id: None, status: reply.status }
}

/// Writes one record after another until `stop` is raised.
async fn write_until(
    session: Session,
    prefix: String,
    path: &'static str,
    stop: Arc<AtomicBool>,
    make: impl Fn(usize) -> Value,
) -> Vec<Write> {
    let mut writes = Vec::new();
    for index in 0.. {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        writes.push(write_once(&session, path, format!("{prefix}-{index}"), make(index)).await);
    }
    writes
}

/// Sends `body` to `path` until it is acknowledged, as a client retries through an outage; the
/// same key each time, so a retry of a write that landed answers the record it made.
async fn until_acknowledged(session: &Session, path: String, key: &str, body: Value) -> Value {
    let started = Instant::now();
    loop {
        let headers = [("Idempotency-Key", key)];
        let sent = session.try_send(Method::POST, &path, Some(body.clone()), &headers);
        let reply = tokio::time::timeout(ANSWER_BOUND, sent).await.expect("an answer in time").expect("an answer");
        if reply.status.is_success() {
            return reply.body;
        }
        assert!(reply.status.is_server_error(), "{path}: {} {}", reply.status, reply.body);
        assert!(started.elapsed() < ANSWER_BOUND + RECOVERY_BOUND, "{path} still refused: {}", reply.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Orders, confirms, dispatches, approves and ships one press to `customer_id`, retrying each
/// step through the outage.
async fn ship_one(sessions: &[Session; 3], customer_id: i64, product_id: i64, round: usize) {
    let [rep, director, keeper] = sessions;
    let order_body = json!({"customer_id": customer_id, "lines": [{"product_id": product_id, "quantity": 1}]});
    let order = until_acknowledged(rep, "/api/v1/orders".into(), &format!("ship-order-{round}"), order_body).await;
    let order_path = format!("/api/v1/orders/{}", order["id"]);
    until_acknowledged(rep, format!("{order_path}/confirm"), &format!("ship-confirm-{round}"), json!({})).await;
    let dispatch_key = format!("ship-dispatch-{round}");
    let dispatch = until_acknowledged(rep, format!("{order_path}/dispatch-orders"), &dispatch_key, json!({})).await;
    let dispatch_path = format!("/api/v1/dispatch-orders/{}", dispatch["id"]);
    until_acknowledged(director, format!("{dispatch_path}/approve"), &format!("ship-approve-{round}"), json!({})).await;
    let shipped =
        until_acknowledged(keeper, format!("{dispatch_path}/ship"), &format!("ship-ship-{round}"), json!({})).await;
    assert_eq!(shipped["status"], "shipped", "{shipped}");
}

/// Cuts every connection of the system's databases `CUTS` times; answers how many were cut.
async fn cut_connections(server: &str, databases: &[String]) -> u64 {
    // The server is shared: only this test's own databases may lose their connections.
    assert!(databases.iter().all(|name| name.starts_with("atq_test_")), "{databases:?}");
    let names = databases.iter().map(|name| format!("'{name}'")).collect::<Vec<_>>().join(", ");
    // The call stays in the select list: evaluated only for the rows the filter keeps, where a
    // call in WHERE could run on other backends of the shared server before the filter.
    let terminate = format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN ({names}) \
         AND pid <> pg_backend_pid()"
    );
    let mut admin = sqlx::PgConnection::connect(server).await.expect("the admin connection");
    let mut cut = 0;
    for _ in 0..CUTS {
        let results: Vec<bool> = sqlx::query_scalar(&terminate).fetch_all(&mut admin).await.expect("terminate");
        cut += results.iter().filter(|terminated| **terminated).count() as u64;
        tokio::time::sleep(BETWEEN_CUTS).await;
    }
    admin.close().await.expect("closing the admin connection");
    cut
}

/// The database part of each module's url.
fn database_names(system: &TestSystem) -> Vec<String> {
    ["sales", "import-planning", "accounting-warehouse", "analytics", "gateway"]
        .iter()
        .map(|module| {
            let url = system.database_url(module);
            let path = url.split('?').next().unwrap_or(url);
            path.rsplit('/').next().unwrap_or(path).to_owned()
        })
        .collect()
}

/// Writes succeed again within the bound after the last cut; answers how long it took.
async fn time_to_recover(rep: &Session) -> Duration {
    let started = Instant::now();
    for attempt in 0.. {
        let body = customer(&format!("Khách sau sự cố {attempt}"), "individual", "HN");
        if write_once(rep, "/api/v1/customers", format!("recovery-{attempt}"), body).await.id.is_some() {
            return started.elapsed();
        }
        assert!(started.elapsed() < RECOVERY_BOUND, "writes still refused after {:?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    unreachable!("the loop returns or fails")
}

/// Replays every write under its key: an acknowledged one answers its record, a refused one
/// lands now; each key names a record no other key made. Answers the records, by path.
async fn replay_all(sessions: &std::collections::BTreeMap<String, Session>, writes: &[(String, Write)]) -> Vec<i64> {
    let mut customers = std::collections::BTreeSet::new();
    for (user, write) in writes {
        let session = &sessions[user];
        let reply =
            session.send(Method::POST, write.path, Some(write.body.clone()), &[("Idempotency-Key", &write.key)]).await;
        assert!(reply.status.is_success(), "{}: {}", write.key, reply.body);
        let id = reply.body["id"].as_i64().expect("an id");
        if let Some(acknowledged) = write.id {
            assert_eq!(id, acknowledged, "{} answers the record it made before the cut", write.key);
            let read = session.get(&format!("{}/{id}", write.path)).await;
            assert_eq!(read.status, StatusCode::OK, "{} {id} is there: {}", write.path, read.body);
        }
        if write.path.ends_with("customers") {
            assert!(customers.insert(id), "{} made a customer another key made", write.key);
        }
    }
    customers.into_iter().collect()
}

/// Every item of a list, following its cursor: how many writes the workload makes depends on the
/// machine's speed, so the lists may run over one page.
async fn count_items(session: &Session, path: &str) -> usize {
    let mut counted = 0;
    let mut page_path = path.to_owned();
    loop {
        let reply = session.get(&page_path).await;
        assert_eq!(reply.status, StatusCode::OK, "{page_path}: {}", reply.body);
        counted += reply.body["items"].as_array().map_or(0, Vec::len);
        match reply.body["next_cursor"].as_str() {
            Some(cursor) => {
                let joiner = if path.contains('?') { '&' } else { '?' };
                page_path = format!("{path}{joiner}cursor={cursor}");
            }
            None => return counted,
        }
    }
}

async fn new_customers_counted(director: &Session) -> i64 {
    let reply = director.get("/api/v1/reports/new-customers").await;
    let items = reply.body["items"].as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|row| row["count"].as_i64()).sum()
}

/// Stock for the shipments and the customer they go to.
async fn prepare(system: &TestSystem) -> (TestProducts, i64) {
    let products = seed_products(system).await;
    let keeper = system.login("warehouse").await;
    let lines = json!([{"product_id": products.filter_press, "quantity": SHIPMENTS, "unit_cost": 100_000}]);
    let receipt = keeper.post("/api/v1/stock/receipts", json!({"warehouse": "HN", "kind": "opening", "lines": lines}));
    assert_eq!(receipt.await.status, StatusCode::CREATED);
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường giao hàng qua sự cố", "project", "HN")).await;
    (products, school["id"].as_i64().expect("customer id"))
}

type Writers = Vec<tokio::task::JoinHandle<Vec<(String, Write)>>>;

/// Three sales reps writing customers and one writing orders, until `stop`.
async fn start_writers(system: &TestSystem, stop: &Arc<AtomicBool>, products: &TestProducts, school: i64) -> Writers {
    let mut writers = Vec::new();
    for (rep, office) in [("sales.hn", "HN"), ("sales.hcm", "HCM"), ("sales.dl", "DL")] {
        let (session, stop) = (system.login(rep).await, stop.clone());
        let make = move |i: usize| customer(&format!("Khách {office} {i}"), "project", office);
        writers.push(tokio::spawn(async move {
            let made = write_until(session, format!("db-{office}"), "/api/v1/customers", stop, make).await;
            made.into_iter().map(|write| (rep.to_owned(), write)).collect()
        }));
    }
    let (session, stop, product) = (system.login("sales.hn").await, stop.clone(), products.viscometer);
    let make = move |_: usize| json!({"customer_id": school, "lines": [{"product_id": product, "quantity": 1}]});
    writers.push(tokio::spawn(async move {
        let made = write_until(session, "db-order".into(), "/api/v1/orders", stop, make).await;
        made.into_iter().map(|write| ("sales.hn".to_owned(), write)).collect()
    }));
    writers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_under_load_loses_no_acknowledged_write_and_the_feeds_resume() {
    let Some(server) = std::env::var(POSTGRES_ENV).ok().filter(|url| !url.is_empty()) else {
        eprintln!("{POSTGRES_ENV} is not set: the database restart runs in the PostgreSQL suite");
        return;
    };
    let system = TestSystem::start_on(Some(&server)).await.expect("the system starts on PostgreSQL");
    let (products, school) = prepare(&system).await;
    let stop = Arc::new(AtomicBool::new(false));
    let writers = start_writers(&system, &stop, &products, school).await;
    let shipper = {
        let sessions =
            [system.login("sales.hn").await, system.login("director").await, system.login("warehouse").await];
        let product = products.filter_press;
        tokio::spawn(async move {
            for round in 0..SHIPMENTS {
                ship_one(&sessions, school, product, round).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cut = cut_connections(&server, &database_names(&system)).await;
    assert!(cut > 0, "the outage cut connections");
    let recovered = time_to_recover(&system.login("sales.hn").await).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut writes = Vec::new();
    for writer in writers {
        writes.extend(writer.await.expect("a writer"));
    }
    shipper.await.expect("the shipments go through");
    let refused: Vec<u16> = writes.iter().filter(|(_, w)| w.id.is_none()).map(|(_, w)| w.status.as_u16()).collect();
    eprintln!("{cut} connections cut; {} writes, refused {refused:?}; writes again after {recovered:?}", writes.len());

    let mut sessions = std::collections::BTreeMap::new();
    for user in ["sales.hn", "sales.hcm", "sales.dl"] {
        sessions.insert(user.to_owned(), system.login(user).await);
    }
    let replaying = Instant::now();
    let customers = replay_all(&sessions, &writes).await;
    eprintln!("replayed {} writes in {:?}", writes.len(), replaying.elapsed());
    let director = system.login("director").await;
    // The workload's customers, the shipments' one and those of the recovery probe.
    let listed = count_items(&director, "/api/v1/customers?limit=500").await;
    assert!(listed > customers.len(), "{listed} listed, {} made by the workload and the school", customers.len());
    eventually("the report counts every customer once", || async {
        new_customers_counted(&director).await == listed as i64
    })
    .await;
    eprintln!("the report counted {listed} customers {:?} after the replays", replaying.elapsed());
    let accountant = system.login("accountant").await;
    let invoices = format!("/api/v1/invoices?customer_id={school}");
    eventually("one invoice per shipment", || async { count_items(&accountant, &invoices).await == SHIPMENTS }).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count_items(&accountant, &invoices).await, SHIPMENTS, "no shipment invoiced twice");
    assert_eq!(new_customers_counted(&director).await, listed as i64, "no customer counted twice");
    system.assert_books_agree().await;
    system.stop().await;
}
