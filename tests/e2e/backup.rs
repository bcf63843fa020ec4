//! Backup and restore of a running system. The backup copies the SQLite files of a data directory
//! (as `atq up` lays them out), so those tests run on SQLite whatever backend the suite is run on;
//! a deployment on PostgreSQL is backed up with the server's tools (README, "Backups"), and the
//! check of a restored set (`atq restore --check`) runs on the backend under test.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use atq_launcher::backup::{self, archive, restore};
use atq_tests::{Session, TestSystem, customer, eventually, seed_products};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A customer the workload created: when the request was sent, and when it was acknowledged.
type Acknowledged = Arc<Mutex<Vec<(i64, Instant, Instant)>>>;

/// Creates HN customers one after another until `stop` is set.
fn customer_workload(
    rep: Session,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (Acknowledged, tokio::task::JoinHandle<()>) {
    let acknowledged: Acknowledged = Arc::default();
    let record = acknowledged.clone();
    let task = tokio::spawn(async move {
        let mut n = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            n += 1;
            let key = format!("backup-load-{n}");
            let body = customer(&format!("Trường Mầm non số {n}"), "project", "HN");
            let sent = Instant::now();
            let reply =
                rep.send(reqwest::Method::POST, "/api/v1/customers", Some(body), &[("Idempotency-Key", &key)]).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
            record.lock().unwrap().push((reply.body["id"].as_i64().unwrap(), sent, Instant::now()));
        }
    });
    (acknowledged, task)
}

/// Receives 5 filter presses at 100,000 and sells, ships and invoices 2 of them: the books then
/// hold stock, receivables and revenue.
async fn sell_and_ship(system: &TestSystem, rep: &Session, product_id: i64, customer_id: &Value) {
    let keeper = system.login("warehouse").await;
    let receipt = keeper
        .post(
            "/api/v1/stock/receipts",
            json!({"warehouse": "HN", "kind": "purchase", "reference": "INV-1", "lines": [
            {"product_id": product_id, "quantity": 5, "unit_cost": 100_000}]}),
        )
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let order = confirmed_order(rep, product_id, customer_id, 2).await;
    let dispatch = rep.post(&format!("/api/v1/orders/{}/dispatch-orders", order["id"]), json!({})).await;
    let dispatch = dispatch.header("location").unwrap().to_owned();
    system.login("director").await.post(&format!("{dispatch}/approve"), json!({})).await;
    let shipped = keeper.post(&format!("{dispatch}/ship"), json!({})).await;
    assert_eq!(shipped.body["status"], "shipped", "{}", shipped.body);
    let accountant = system.login("accountant").await;
    atq_tests::the_only_invoice_of(&accountant, customer_id).await;
}

async fn confirmed_order(rep: &Session, product_id: i64, customer_id: &Value, quantity: i64) -> Value {
    let lines = json!([{"product_id": product_id, "quantity": quantity}]);
    let created = rep.post("/api/v1/orders", json!({"customer_id": customer_id, "lines": lines})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let confirmed = rep.post(&format!("/api/v1/orders/{}/confirm", created.body["id"]), json!({})).await;
    assert_eq!(confirmed.body["status"], "confirmed", "{}", confirmed.body);
    confirmed.body
}

/// What the directors and the accountant see: the month's sales report and the reconciliation.
/// The feed positions the report has read up to are left out: customers created under load move
/// them without changing a figure.
async fn reports(system: &TestSystem) -> (Value, Value) {
    let mut sales = system.login("director").await.get("/api/v1/reports/sales?period=month").await;
    assert_eq!(sales.status, StatusCode::OK, "{}", sales.body);
    for position in ["sales_position", "catalog_position"] {
        sales.body.as_object_mut().unwrap().remove(position);
    }
    let books = system.login("accountant").await.get("/api/v1/accounting/reconciliation").await;
    assert_eq!(books.body["agree"], true, "{}", books.body);
    (sales.body, books.body)
}

fn orders_in(report: &Value) -> i64 {
    report["total"]["orders"].as_i64().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_to_the_moment_it_was_taken_and_the_system_goes_on_from_there() {
    let scratch = tempfile::tempdir().unwrap();
    let (data_dir, archive_path) = (scratch.path().join("data"), scratch.path().join("atq.tar.gz"));
    let system = TestSystem::start_in_data_dir(&data_dir).await.unwrap();
    let products = seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let school = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    sell_and_ship(&system, &rep, products.filter_press, &school["id"]).await;
    let director = system.login("director").await;
    eventually("the order in the sales report", || async {
        orders_in(&director.get("/api/v1/reports/sales?period=month").await.body) == 1
    })
    .await;
    let at_backup = reports(&system).await;

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (acknowledged, workload) = customer_workload(rep.clone(), stop.clone());
    eventually("some customers created", || async { acknowledged.lock().unwrap().len() >= 5 }).await;
    let backup_began = Instant::now();
    let outcome = backup::backup(&data_dir, &archive_path).await.unwrap();
    let backup_ended = Instant::now();
    eventually("more customers created after the backup", || async {
        acknowledged.lock().unwrap().last().is_some_and(|(_, sent, _)| *sent > backup_ended)
    })
    .await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    workload.await.unwrap();
    assert!(outcome.manifest.verification.ok, "{:?}", outcome.manifest.verification);
    eprintln!(
        "backup: {} bytes, {} ms, writes paused {} ms",
        outcome.archive_size_bytes, outcome.total_ms, outcome.manifest.write_pause_ms
    );
    system.stop().await;

    let restored_dir = scratch.path().join("restored");
    restore::restore(&archive_path, &restored_dir).await.unwrap();
    let restored = TestSystem::start_in_data_dir(&restored_dir).await.unwrap();
    let rep = restored.login("sales.hn").await;
    let created = acknowledged.lock().unwrap().clone();
    for (id, sent, acknowledged) in created {
        let status = rep.get(&format!("/api/v1/customers/{id}")).await.status;
        if acknowledged < backup_began {
            assert_eq!(status, StatusCode::OK, "customer {id} was acknowledged before the backup began");
        } else if sent > backup_ended {
            assert_eq!(status, StatusCode::NOT_FOUND, "customer {id} was asked for after the backup ended");
        }
    }
    assert_eq!(reports(&restored).await, at_backup, "the reports and the books are those of the backup");

    // New events after the restore are counted once: the consumers go on from their cursors.
    let order = confirmed_order(&rep, products.filter_press, &school["id"], 1).await;
    let director = restored.login("director").await;
    eventually("the new order in the sales report", || async {
        orders_in(&director.get("/api/v1/reports/sales?period=month").await.body) == 2
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let report = director.get("/api/v1/reports/sales?period=month").await.body;
    let net = |report: &Value| report["total"]["net"].as_i64().unwrap();
    assert_eq!(orders_in(&report), 2);
    assert_eq!(net(&report), net(&at_backup.0) + order["total_net"].as_i64().unwrap(), "{report}");
    restored.assert_books_agree().await;
    restored.stop().await;
}

/// An archive of a running system with demo users and nothing else.
async fn small_archive(scratch: &Path) -> PathBuf {
    let data_dir = scratch.join("data");
    let system = TestSystem::start_in_data_dir(&data_dir).await.unwrap();
    let archive_path = scratch.join("atq.tar.gz");
    backup::backup(&data_dir, &archive_path).await.unwrap();
    system.stop().await;
    archive_path
}

#[tokio::test]
async fn a_damaged_archive_a_newer_schema_and_a_non_empty_directory_are_refused() {
    let scratch = tempfile::tempdir().unwrap();
    let archive_path = small_archive(scratch.path()).await;

    let mut bytes = std::fs::read(&archive_path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    let damaged = scratch.path().join("damaged.tar.gz");
    std::fs::write(&damaged, bytes).unwrap();
    let error = restore::restore(&damaged, &scratch.path().join("from-damaged")).await.unwrap_err();
    assert!(format!("{error:#}").contains("damaged"), "{error:#}");

    let unpacked = scratch.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let mut manifest = archive::unpack(&archive_path, &unpacked).unwrap();
    manifest.modules[0].facts.schema_version += 1;
    let newer = scratch.path().join("newer.tar.gz");
    archive::pack(&manifest, &unpacked, &newer).unwrap();
    let error = restore::restore(&newer, &scratch.path().join("from-newer")).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("newer than this atq") && message.contains(&manifest.modules[0].module), "{message}");
    assert!(!scratch.path().join("from-newer").exists(), "nothing is written for a refused archive");

    let error = restore::restore(&archive_path, &unpacked).await.unwrap_err();
    assert!(format!("{error:#}").contains("not empty"), "{error:#}");
}

/// The configuration that names a test system's databases, as `atq restore --check` reads it.
fn config_of(system: &TestSystem) -> atq_launcher::Config {
    let url = |module: &str| Some(system.database_url(module).to_owned());
    atq_launcher::Config {
        sales_database_url: url("sales"),
        import_planning_database_url: url("import-planning"),
        accounting_warehouse_database_url: url("accounting-warehouse"),
        analytics_database_url: url("analytics"),
        gateway_database_url: url("gateway"),
        ..atq_launcher::Config::default()
    }
}

#[tokio::test]
async fn the_check_passes_a_running_systems_databases_and_names_a_consumer_past_its_producer() {
    use sqlx::Connection;
    let system = TestSystem::start().await;
    system.login("sales.hn").await.create_customer(customer("Trường THCS Ngô Sĩ Liên", "project", "HN")).await;
    let report = restore::check_in_place(&config_of(&system)).await.unwrap();
    assert!(report.verification.ok, "{:?}", report.verification);
    assert_eq!(report.verification.books_agree, Some(true));
    assert!(report.facts["sales"].outbox_head >= 1, "{:?}", report.facts);

    let mut analytics = sqlx::AnyConnection::connect(system.database_url("analytics")).await.unwrap();
    sqlx::query(
        "INSERT INTO feed_cursors (feed, position) VALUES ('sales', 1000000) \
         ON CONFLICT (feed) DO UPDATE SET position = 1000000",
    )
    .execute(&mut analytics)
    .await
    .unwrap();
    analytics.close().await.unwrap();
    let report = restore::check_in_place(&config_of(&system)).await.unwrap();
    assert!(!report.verification.ok);
    let problems = report.verification.problems.join("; ");
    assert!(problems.contains("analytics has consumed the sales feed up to 1000000"), "{problems}");
    system.stop().await;
}

#[tokio::test]
async fn the_admin_sees_the_scheduled_backups_with_their_sizes_and_checks() {
    use atq_launcher::backup::{index, schedule};
    let scratch = tempfile::tempdir().unwrap();
    let data_dir = scratch.path().join("data");
    let system = TestSystem::start_in_data_dir(&data_dir).await.unwrap();
    let admin = system.login("admin").await;
    let before = admin.get("/api/v1/admin/backups").await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!((before.body["storage"].as_str(), before.body["index"].is_null()), (Some("sqlite"), true));

    let archive_path = schedule::once(&data_dir, 28).await.unwrap();
    let every = std::time::Duration::from_secs(6 * 3600);
    index::write(&data_dir, schedule::Schedule { every, keep: 28 }, None);
    let listed = admin.get("/api/v1/admin/backups").await.body;
    assert_eq!((listed["index"]["every_seconds"].as_u64(), listed["index"]["keep"].as_u64()), (Some(21_600), Some(28)));
    let newest = &listed["index"]["backups"][0];
    assert_eq!(newest["file"].as_str(), archive_path.file_name().and_then(|name| name.to_str()));
    assert_eq!(newest["size_bytes"].as_u64(), Some(std::fs::metadata(&archive_path).unwrap().len()));
    assert_eq!(newest["manifest"]["verification"]["ok"], true, "{listed}");
    assert_eq!(newest["manifest"]["verification"]["books_agree"], true, "{listed}");

    let director = system.login("director").await;
    assert_eq!(director.get("/api/v1/admin/backups").await.status, StatusCode::FORBIDDEN, "the admin's alone");
    system.stop().await;
}
