//! The end-to-end harness: the real system (every service and the gateway, real gRPC on loopback
//! ports) started in this process, each module on a fresh database of the backend under test.

use std::time::Duration;

use anyhow::Context;
use atq_launcher::{Config, System};
use atq_platform::testing::{TestDatabase, fresh_database};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestSystem {
    system: Option<System>,
    pub base: String,
    http: reqwest::Client,
    databases: Vec<(&'static str, TestDatabase)>,
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
        atq_platform::telemetry::init_for_tests();
        atq_platform::metrics::install();
        let mut databases = Vec::new();
        let mut config = Config { http_addr: "127.0.0.1:0".into(), ..Config::default() };
        for module in ["sales", "import-planning", "accounting-warehouse", "analytics", "gateway"] {
            let database = fresh_database(module).await.expect("test database");
            let url = Some(database.url.clone());
            match module {
                "sales" => config.sales_database_url = url,
                "import-planning" => config.import_planning_database_url = url,
                "accounting-warehouse" => config.accounting_warehouse_database_url = url,
                "analytics" => config.analytics_database_url = url,
                _ => config.gateway_database_url = url,
            }
            databases.push((module, database));
        }
        let system = System::start(config, true).await.expect("system starts");
        let base = format!("http://{}", system.http_addr().expect("gateway address"));
        let test = TestSystem { system: Some(system), base, http: reqwest::Client::new(), databases };
        test.wait_until_ready().await.expect("system becomes ready");
        test
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
        self.databases.iter().find(|(name, _)| *name == module).map(|(_, db)| db.url.as_str()).expect("known module")
    }

    pub fn system(&mut self) -> &mut System {
        self.system.as_mut().expect("running")
    }

    /// Signs in as a demo user.
    pub async fn login(&self, username: &str) -> Session {
        let reply = self
            .anonymous()
            .send(
                Method::POST,
                "/api/v1/auth/login",
                Some(serde_json::json!({"username": username, "password": "demo"})),
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "login of {username}: {}", reply.body);
        let token = reply.body["access_token"].as_str().expect("token").to_owned();
        Session { base: self.base.clone(), http: self.http.clone(), token: Some(token) }
    }

    pub fn anonymous(&self) -> Session {
        Session { base: self.base.clone(), http: self.http.clone(), token: None }
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

    pub async fn stop(mut self) {
        if let Some(system) = self.system.take() {
            system.stop().await.expect("clean shutdown");
        }
    }
}

#[derive(Clone)]
pub struct Session {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl Session {
    pub async fn send(&self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        reply(request.send().await.expect("request sent")).await
    }

    /// Sends a body that is not JSON (a CSV file).
    pub async fn send_raw(&self, method: Method, path: &str, content_type: &str, body: String) -> Reply {
        let mut request =
            self.http.request(method, format!("{}{}", self.base, path)).header("content-type", content_type).body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        reply(request.send().await.expect("request sent")).await
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
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply { status, headers, body }
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

/// Two catalog products for stock tests: one serial-tracked, one counted by quantity.
pub struct TestProducts {
    pub viscometer: i64,
    pub filter_press: i64,
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
    TestProducts { viscometer: ids[0], filter_press: ids[1] }
}
