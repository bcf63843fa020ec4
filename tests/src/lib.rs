//! The end-to-end harness: the real system (every service and the gateway, real gRPC on loopback
//! ports) started in this process, each module on a fresh database of the backend under test.

pub mod shipping;
pub mod victim;
pub mod web;

use std::time::Duration;

use anyhow::Context;
use atq_launcher::{Config, System};
use atq_platform::testing::{TestDatabase, fresh_database};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The tests read the API's messages in English, the language they are written in.
fn english_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ACCEPT_LANGUAGE, reqwest::header::HeaderValue::from_static("en"));
    reqwest::Client::builder().default_headers(headers).build().unwrap_or_default()
}

pub struct TestSystem {
    system: Option<System>,
    pub base: String,
    http: reqwest::Client,
    /// Each module's database url.
    databases: Vec<(&'static str, String)>,
    /// The harness's databases (their temporary folders live as long as the system).
    _scratch: Vec<TestDatabase>,
    /// Databases made on a named PostgreSQL server, dropped when the system stops.
    server_databases: Vec<ServerDatabase>,
    _data_dir: Option<tempfile::TempDir>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The fields named in a problem+json body.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }
}

impl TestSystem {
    /// Starts everything with the demo users (password `demo`) and no other data.
    pub async fn start() -> TestSystem {
        Self::launch(None, false).await.expect("system starts")
    }

    /// Like [`TestSystem::start`], in a fresh data directory, and on the PostgreSQL server
    /// `postgres` names when given (one new database per module, dropped by
    /// [`TestSystem::try_stop`]); otherwise on the harness's databases.
    pub async fn start_on(postgres: Option<&str>) -> anyhow::Result<TestSystem> {
        Self::launch(postgres, true).await
    }

    /// Starts everything on SQLite files in `data_dir`, laid out as `atq up` lays them
    /// (`<data_dir>/<module>.db`), whatever backend the suite runs on: the install a backup copies
    /// and a restore fills. The caller owns the directory.
    pub async fn start_in_data_dir(data_dir: &std::path::Path) -> anyhow::Result<TestSystem> {
        atq_platform::telemetry::init_for_tests();
        atq_platform::metrics::install();
        let config = Config { http_addr: "127.0.0.1:0".into(), data_dir: data_dir.to_path_buf(), ..Config::default() };
        let databases = atq_launcher::modules::MODULES.iter().map(|m| (m.name, config.database_url(m.name))).collect();
        let system = System::start(config, true).await.context("the system does not start")?;
        let test = TestSystem {
            base: format!("http://{}", system.http_addr().context("gateway address")?),
            system: Some(system),
            http: english_client(),
            databases,
            _scratch: Vec::new(),
            server_databases: Vec::new(),
            _data_dir: None,
        };
        test.wait_until_ready().await.context("system becomes ready")?;
        Ok(test)
    }

    async fn launch(postgres: Option<&str>, fresh_data_dir: bool) -> anyhow::Result<TestSystem> {
        atq_platform::telemetry::init_for_tests();
        atq_platform::metrics::install();
        let mut config = Config { http_addr: "127.0.0.1:0".into(), ..Config::default() };
        let data_dir = if fresh_data_dir {
            let dir = tempfile::Builder::new().prefix("atq-data-").tempdir().context("temporary data directory")?;
            config.data_dir = dir.path().to_path_buf();
            Some(dir)
        } else {
            None
        };
        let mut test = TestSystem {
            system: None,
            base: String::new(),
            http: english_client(),
            databases: Vec::new(),
            _scratch: Vec::new(),
            server_databases: Vec::new(),
            _data_dir: data_dir,
        };
        if let Err(error) = test.boot(postgres, config).await {
            if let Err(stop_error) = test.try_stop().await {
                eprintln!("stopping after a failed start: {stop_error:#}");
            }
            return Err(error);
        }
        Ok(test)
    }

    async fn boot(&mut self, postgres: Option<&str>, mut config: Config) -> anyhow::Result<()> {
        for module in ["sales", "import-planning", "accounting-warehouse", "analytics", "gateway"] {
            let url = match postgres {
                Some(server) => {
                    let database = ServerDatabase::create(server, module).await?;
                    let url = database.url.clone();
                    self.server_databases.push(database);
                    url
                }
                None => {
                    let database = fresh_database(module).await.context("test database")?;
                    let url = database.url.clone();
                    self._scratch.push(database);
                    url
                }
            };
            let slot = match module {
                "sales" => &mut config.sales_database_url,
                "import-planning" => &mut config.import_planning_database_url,
                "accounting-warehouse" => &mut config.accounting_warehouse_database_url,
                "analytics" => &mut config.analytics_database_url,
                _ => &mut config.gateway_database_url,
            };
            *slot = Some(url.clone());
            self.databases.push((module, url));
        }
        let system = System::start(config, true).await.context("the system does not start")?;
        self.base = format!("http://{}", system.http_addr().context("gateway address")?);
        self.system = Some(system);
        self.wait_until_ready().await.context("system becomes ready")
    }

    async fn wait_until_ready(&self) -> anyhow::Result<()> {
        for _ in 0..300 {
            if let Ok(response) = self.http.get(format!("{}/readyz", self.base)).send().await
                && response.status() == StatusCode::OK
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("not ready after 30 s")
    }

    /// The database a module was started on.
    pub fn database_url(&self, module: &str) -> &str {
        self.databases.iter().find(|(name, _)| *name == module).map(|(_, url)| url.as_str()).expect("known module")
    }

    pub fn system(&mut self) -> &mut System {
        self.system.as_mut().expect("running")
    }

    /// Signs in as a demo user.
    pub async fn login(&self, username: &str) -> Session {
        self.try_login(username).await.expect("login")
    }

    /// Signs in as a demo user; an error names the user and the gateway's answer.
    pub async fn try_login(&self, username: &str) -> anyhow::Result<Session> {
        let reply = self
            .anonymous()
            .try_send(
                Method::POST,
                "/api/v1/auth/login",
                Some(serde_json::json!({"username": username, "password": "demo"})),
                &[],
            )
            .await?;
        anyhow::ensure!(reply.status == StatusCode::OK, "login of {username}: {} {}", reply.status, reply.body);
        let token = reply.body["access_token"].as_str().context("no access_token in the login reply")?.to_owned();
        Ok(Session { base: self.base.clone(), http: self.http.clone(), token: Some(token) })
    }

    pub fn anonymous(&self) -> Session {
        Session { base: self.base.clone(), http: self.http.clone(), token: None }
    }

    /// A session that sends `token` (from a login or refresh answer).
    pub fn with_token(&self, token: &str) -> Session {
        Session { base: self.base.clone(), http: self.http.clone(), token: Some(token.to_owned()) }
    }

    pub async fn stop_module(&mut self, module: &'static str) -> anyhow::Result<std::net::SocketAddr> {
        let system = self.system();
        let address = system.module_address(module).context("module not running")?;
        system.stop_module(module).await?;
        Ok(address)
    }

    pub async fn start_module(&mut self, module: &'static str, address: std::net::SocketAddr) -> anyhow::Result<()> {
        self.system().restart_module(module, address).await?;
        self.wait_until_ready().await
    }

    /// The journal balances and agrees with invoices, payments and stock (checked at the end of
    /// every test that moves goods or money).
    pub async fn assert_books_agree(&self) {
        let accountant = self.login("accountant").await;
        let books = accountant.get("/api/v1/accounting/reconciliation").await;
        assert_eq!(books.status, StatusCode::OK, "{}", books.body);
        assert_eq!(books.body["agree"], true, "the books disagree: {}", books.body);
    }

    pub async fn stop(self) {
        self.try_stop().await.expect("clean shutdown");
    }

    /// Stops every module, then drops the databases made on a named PostgreSQL server.
    pub async fn try_stop(mut self) -> anyhow::Result<()> {
        let stopped = match self.system.take() {
            Some(system) => system.stop().await,
            None => Ok(()),
        };
        self.drop_server_databases().await;
        stopped
    }

    async fn drop_server_databases(&mut self) {
        for database in std::mem::take(&mut self.server_databases) {
            let name = database.name.clone();
            if let Err(error) = database.drop().await {
                eprintln!("could not drop database {name}: {error:#}");
            }
        }
    }
}

/// A new database on a named PostgreSQL server (`atq_test_<label>_<uuid>`), for a program that
/// takes the server as an argument rather than from `ATQ_TEST_POSTGRES_URL`.
pub struct ServerDatabase {
    server: String,
    pub name: String,
    pub url: String,
}

impl ServerDatabase {
    pub async fn create(server: &str, label: &str) -> anyhow::Result<ServerDatabase> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let name = format!("atq_test_{}_{}", label.replace('-', "_"), uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::AnyConnection::connect(server)
            .await
            .with_context(|| format!("cannot reach PostgreSQL at {}", atq_platform::db::redact(server)))?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        admin.close().await?;
        Ok(ServerDatabase { server: server.to_owned(), url: with_database(server, &name), name })
    }

    /// Drops the database, closing whatever connections are still open on it.
    pub async fn drop(self) -> anyhow::Result<()> {
        use sqlx::Connection;
        let mut admin = sqlx::AnyConnection::connect(&self.server).await?;
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).execute(&mut admin).await?;
        admin.close().await?;
        Ok(())
    }
}

/// `postgres://u@h:5432/anything?x` -> `postgres://u@h:5432/<database>?x`.
fn with_database(server: &str, database: &str) -> String {
    let (base, query) = server.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((server, String::new()));
    let authority_start = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{base}/{database}{query}")
}

#[derive(Clone)]
pub struct Session {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl Session {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        self.try_send(method, path, body, headers).await.expect("request sent")
    }

    /// Sends a request; an error is one that got no HTTP answer (any status is a reply).
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let mut request = self.http.request(method.clone(), format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| format!("{method} {path}"))?;
        try_reply(response).await.with_context(|| format!("{method} {path}"))
    }

    /// Sends a body that is not JSON (a CSV file, a PDF).
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut request =
            self.http.request(method, format!("{}{}", self.base, path)).header("content-type", content_type).body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        reply(request.send().await.expect("request sent")).await
    }

    /// Downloads a file: status, headers and the bytes as sent.
    pub async fn download(&self, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
        let mut request = self.http.get(format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request sent");
        let (status, headers) = (response.status(), response.headers().clone());
        (status, headers, response.bytes().await.expect("body read").to_vec())
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: Value, if_match: &str) -> Reply {
        self.send(Method::PATCH, path, Some(body), &[("If-Match", if_match)]).await
    }

    /// Creates a customer and returns it, failing the test on anything but 201.
    pub async fn create_customer(&self, body: Value) -> Value {
        let reply = self.post("/api/v1/customers", body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }
}

async fn reply(response: reqwest::Response) -> Reply {
    try_reply(response).await.expect("body")
}

async fn try_reply(response: reqwest::Response) -> anyhow::Result<Reply> {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.context("reading the body")?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Reply { status, headers, body })
}

/// A valid customer body; tests override what they are about.
pub fn customer(name: &str, group: &str, office: &str) -> Value {
    serde_json::json!({
        "name": name,
        "group": group,
        "phone": "0912345678",
        "email": "khach@example.vn",
        "address": "1 Tràng Tiền, Hoàn Kiếm, Hà Nội",
        "office": office,
    })
}

/// Polls until `check` holds, for results that arrive through an event feed.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// The one invoice of a customer whose first shipment the accounting side invoices through the
/// sales feed, once it is there.
pub async fn the_only_invoice_of(accountant: &Session, customer_id: &Value) -> Value {
    let invoices_of = format!("/api/v1/invoices?customer_id={customer_id}");
    eventually("the shipment's invoice", || async {
        accountant.get(&invoices_of).await.body["items"].as_array().is_some_and(|i| i.len() == 1)
    })
    .await;
    accountant.get(&invoices_of).await.body["items"][0].clone()
}

/// Two catalog products for stock tests: one serial-tracked, one counted by quantity.
pub struct TestProducts {
    pub viscometer: i64,
    pub filter_press: i64,
    /// Their supplier (EUR, 42 days' lead time).
    pub supplier_id: i64,
}

/// Adds a supplier and two products as the import officer.
pub async fn seed_products(system: &TestSystem) -> TestProducts {
    let officer = system.login("import").await;
    let supplier = officer
        .post(
            "/api/v1/suppliers",
            serde_json::json!({"name": "Fann Instrument", "country": "FR", "currency": "EUR", "lead_time_days": 42}),
        )
        .await;
    assert_eq!(supplier.status, StatusCode::CREATED, "{}", supplier.body);
    let supplier_id = supplier.body["id"].as_i64().expect("supplier id");
    let product = |model: &str, name: &str, serial_tracked: bool| {
        serde_json::json!({
            "model_code": model, "name_vi": name, "category": "chemistry", "brand": "Fann", "brand_class": "big",
            "supplier_id": supplier_id, "unit": "bộ", "hs_code": "9027.80.30", "warranty_months": 12,
            "serial_tracked": serial_tracked, "list_price": 285_000_000, "vat_rate": "0.10",
        })
    };
    let mut ids = Vec::new();
    for (model, name, serial) in [("Model 35SA", "Máy đo độ nhớt", true), ("LPLT 300", "Bộ lọc ép API", false)]
    {
        let created = officer.post("/api/v1/products", product(model, name, serial)).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        ids.push(created.body["id"].as_i64().expect("product id"));
    }
    TestProducts { viscometer: ids[0], filter_press: ids[1], supplier_id }
}

/// Business dates counted from today (Asia/Ho_Chi_Minh), as `YYYY-MM-DD`.
pub mod dates {
    use atq_platform::business_time::{local_date, now_micros};
    use chrono::{Days, NaiveDate};

    pub fn today() -> NaiveDate {
        local_date(now_micros())
    }

    pub fn plus(days: u64) -> String {
        (today() + Days::new(days)).to_string()
    }

    pub fn minus(days: u64) -> String {
        (today() - Days::new(days)).to_string()
    }
}

/// What a supplier order's receipt needs: an EUR rate in force from `from` (YYYY-MM-DD) and the
/// seeded products' duty rate.
pub async fn load_eur_rate_and_duty(system: &TestSystem, from: &str) {
    let accountant = system.login("accountant").await;
    let rates = format!("currency,date,rate,source\nEUR,{from},27450.5,Vietcombank\n");
    let imported = accountant.send_raw(Method::POST, "/api/v1/exchange-rates", "text/csv", rates).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.body);
    let officer = system.login("import").await;
    let rates = serde_json::json!({"rates": [{"hs_code": "9027", "rate": "0.05"}]});
    let duties = officer.send(Method::PUT, "/api/v1/duty-rates", Some(rates), &[]).await;
    assert_eq!(duties.status, StatusCode::OK, "{}", duties.body);
}

/// One step of a supplier order (`{"action": "send"}` ...), failing the test on anything but 200.
pub async fn advance_purchase_order(officer: &Session, order: &Value, body: Value) -> Value {
    let reply = officer.post(&format!("/api/v1/purchase-orders/{}/advance", order["id"]), body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// The peak resident set of this process (VmHWM), in KiB.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A fresh database for a benchmark: a new `atq_test_*` database on a PostgreSQL server, or a
/// SQLite file named `sqlite_name` in a temporary directory. `finish` drops the server's one.
pub struct ScratchDatabase {
    pub url: String,
    server: Option<ServerDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl ScratchDatabase {
    pub async fn create(postgres: Option<&str>, label: &str, sqlite_name: &str) -> anyhow::Result<ScratchDatabase> {
        match postgres {
            Some(server) => {
                let database = ServerDatabase::create(server, label).await?;
                Ok(ScratchDatabase { url: database.url.clone(), server: Some(database), _dir: None })
            }
            None => {
                let dir = tempfile::Builder::new()
                    .prefix(&format!("atq-{label}-"))
                    .tempdir()
                    .context("temporary directory")?;
                let url = atq_platform::Db::sqlite_url(dir.path(), sqlite_name);
                Ok(ScratchDatabase { url, server: None, _dir: Some(dir) })
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        if self.server.is_some() { "PostgreSQL" } else { "SQLite" }
    }

    pub async fn finish(self) -> anyhow::Result<()> {
        if let Some(database) = self.server {
            database.drop().await.context("dropping the scratch database")?;
        }
        Ok(())
    }
}
