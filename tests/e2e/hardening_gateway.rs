//! The gateway under abuse: guessed passwords are slowed down without locking the real user out,
//! usernames that would forge or flood the log are refused, metrics labels stay bounded, and
//! every error, whoever produces it, is problem+json.

use atq_tests::TestSystem;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PROBLEM_JSON: &str = "application/problem+json";

/// A client whose connections come from `local`, another loopback address than the default one:
/// another client as the gateway sees it.
fn client_from(local: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(std::net::IpAddr::from(local)).build().unwrap()
}

async fn login_from(client: &reqwest::Client, base: &str, username: &str, password: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

fn is_problem(headers: &reqwest::header::HeaderMap) -> bool {
    headers.get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

#[tokio::test]
async fn guessed_passwords_are_throttled_without_locking_the_user_out() {
    let system = TestSystem::start().await;
    let attacker = client_from([127, 0, 0, 1]);
    let mut throttled = None;
    for _ in 0..40 {
        let response = login_from(&attacker, &system.base, "sales.hn", "guess").await;
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = Some(response);
            break;
        }
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let throttled = throttled.expect("repeated wrong passwords are throttled");
    assert!(is_problem(throttled.headers()));
    let retry_after: u64 = throttled.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    let body: Value = throttled.json().await.unwrap();
    assert_eq!(body["status"], 429);
    // Throttled even with the right password: the attacker learns nothing by guessing on.
    let right = login_from(&attacker, &system.base, "sales.hn", "demo").await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);

    // The real user, from another address, still signs in; a success forgets that pair's failures.
    let user = client_from([127, 0, 0, 2]);
    assert_eq!(login_from(&user, &system.base, "sales.hn", "demo").await.status(), StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(login_from(&user, &system.base, "sales.hn", "typo").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login_from(&user, &system.base, "sales.hn", "demo").await.status(), StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(login_from(&user, &system.base, "sales.hn", "typo").await.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login_from(&user, &system.base, "sales.hn", "demo").await.status(), StatusCode::OK);
    system.stop().await;
}

#[tokio::test]
async fn usernames_that_would_forge_or_flood_the_log_are_refused() {
    let system = TestSystem::start().await;
    let anonymous = system.anonymous();
    let forged = "nobody\n2026-12-01T04:00:00Z  INFO signed in username=director";
    let huge = "a".repeat(1_000_000);
    for username in [forged, "tab\there", huge.as_str(), &"b".repeat(65)] {
        let reply = anonymous.post("/api/v1/auth/login", json!({"username": username, "password": "x"})).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", &username[..username.len().min(40)]);
        assert_eq!(reply.error_fields(), ["username"]);
        assert!(reply.header("content-type").unwrap().starts_with(PROBLEM_JSON));
    }
    let long_password =
        anonymous.post("/api/v1/auth/login", json!({"username": "sales.hn", "password": "p".repeat(100_000)})).await;
    assert_eq!(long_password.status, StatusCode::BAD_REQUEST);
    assert_eq!(long_password.error_fields(), ["password"]);
    system.stop().await;
}

#[tokio::test]
async fn metrics_labels_stay_bounded_whatever_methods_and_paths_are_sent() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    for n in 0..30 {
        let method = Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        let reply = director.send(method, "/api/v1/customers", None, &[]).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
        director.get(&format!("/api/v1/made-up-{n}")).await;
    }
    let metrics = system.anonymous().get("/metrics").await;
    let text = metrics.body.as_str().unwrap();
    assert!(!text.contains("BREW"), "a made-up method became a label");
    assert!(!text.contains("made-up"), "a made-up path became a label");
    assert!(text.contains("method=\"other\""), "made-up methods count as one");
    assert!(text.contains("route=\"unmatched\""), "made-up paths count as one");
    system.stop().await;
}

#[tokio::test]
async fn every_error_is_problem_json() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    for path in [
        "/api/v1/customers/abc",
        "/api/v1/customers/9223372036854775808",
        "/api/v1/customers?limit=1&limit=2",
        "/api/v1/no-such-route",
    ] {
        let reply = director.get(path).await;
        assert!(reply.status.is_client_error(), "{path}: {}", reply.status);
        assert!(reply.header("content-type").unwrap().starts_with(PROBLEM_JSON), "{path}");
        assert_eq!(reply.body["status"], reply.status.as_u16(), "{path}");
    }

    let not_allowed = director.send(Method::DELETE, "/api/v1/customers", None, &[]).await;
    assert_eq!(not_allowed.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(not_allowed.header("content-type").unwrap().starts_with(PROBLEM_JSON));
    let allow = not_allowed.header("allow").expect("405 names the methods allowed");
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");

    let accountant = system.login("accountant").await;
    let statement = "date,amount,description,reference\n".to_owned() + &"x".repeat(6 * 1024 * 1024);
    let too_large = accountant.send_raw(Method::POST, "/api/v1/bank-statements", "text/csv", statement).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_large.header("content-type").unwrap().starts_with(PROBLEM_JSON));
    let big_json = json!({"name": "x".repeat(3 * 1024 * 1024)});
    let too_large = director.post("/api/v1/customers", big_json).await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_large.header("content-type").unwrap().starts_with(PROBLEM_JSON));

    let anonymous = system.anonymous();
    let unauthenticated = anonymous.get("/api/v1/customers").await;
    assert_eq!(unauthenticated.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unauthenticated.header("www-authenticate"), Some("Bearer"));
    assert!(unauthenticated.header("content-type").unwrap().starts_with(PROBLEM_JSON));
    system.stop().await;
}

#[tokio::test]
async fn the_bearer_scheme_is_case_insensitive() {
    let system = TestSystem::start().await;
    let login =
        system.anonymous().post("/api/v1/auth/login", json!({"username": "director", "password": "demo"})).await;
    let token = login.body["access_token"].as_str().unwrap();
    let client = reqwest::Client::new();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let response = client
            .get(format!("{}/api/v1/customers", system.base))
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
    }
    system.stop().await;
}

/// Sends `start` on a fresh connection, then nothing more; returns how long the gateway kept the
/// connection open (None: still open after `patience`).
async fn held_open(base: &str, start: String, patience: std::time::Duration) -> Option<std::time::Duration> {
    use std::io::{Read, Write};
    let address = base.trim_start_matches("http://").to_owned();
    tokio::task::spawn_blocking(move || {
        let mut tcp = std::net::TcpStream::connect(address).unwrap();
        tcp.write_all(start.as_bytes()).unwrap();
        let began = std::time::Instant::now();
        let mut buffer = [0_u8; 1024];
        while began.elapsed() < patience {
            tcp.set_read_timeout(Some(
                patience.saturating_sub(began.elapsed()).max(std::time::Duration::from_millis(1)),
            ))
            .unwrap();
            match tcp.read(&mut buffer) {
                Ok(0) => return Some(began.elapsed()),
                Ok(_) => continue,
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return None,
                Err(error) if error.kind() == std::io::ErrorKind::TimedOut => return None,
                Err(_) => return Some(began.elapsed()),
            }
        }
        None
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn slow_clients_do_not_hold_connections() {
    let system = TestSystem::start().await;
    let patience = std::time::Duration::from_secs(45);
    let partial_headers = "GET /healthz HTTP/1.1\r\nHost: gateway\r\nX-Slow: ".to_owned();
    let partial_body = "POST /api/v1/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n\
                        Content-Length: 100\r\n\r\n{\"username\":"
        .to_owned();
    let (headers, body) = tokio::join!(
        held_open(&system.base, partial_headers, patience),
        held_open(&system.base, partial_body, patience)
    );
    assert!(headers.is_some_and(|held| held.as_secs() <= 15), "partial headers held {headers:?}");
    assert!(body.is_some_and(|held| held.as_secs() <= 35), "partial body held {body:?}");
    system.stop().await;
}

#[tokio::test]
async fn text_that_would_run_as_a_spreadsheet_formula_is_downloaded_inert() {
    let system = TestSystem::start().await;
    let officer = system.login("import").await;
    let supplier = officer
        .post("/api/v1/suppliers", json!({"name": "Fann", "country": "FR", "currency": "EUR", "lead_time_days": 42}))
        .await;
    assert_eq!(supplier.status, StatusCode::CREATED, "{}", supplier.body);
    let formula = "=HYPERLINK(\"http://pay.example\",\"Giá\")";
    let product = officer
        .post(
            "/api/v1/products",
            json!({
                "model_code": "MX 1", "name_vi": formula, "category": "chemistry", "brand": "Fann",
                "brand_class": "big", "supplier_id": supplier.body["id"], "unit": "bộ", "hs_code": "9027.80.30",
                "warranty_months": 12, "serial_tracked": false, "list_price": 1_000_000, "vat_rate": "0.10",
            }),
        )
        .await;
    assert_eq!(product.status, StatusCode::CREATED, "{}", product.body);
    let today = atq_tests::dates::plus(0);
    let margins = json!({"individual": "0.35", "dealer": "0.20", "project": "0.25"});
    let draft = officer
        .post("/api/v1/price-lists", json!({"effective_on": today, "rounding_step": 1000, "margins": margins}))
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    let published = officer.post(&format!("/api/v1/price-lists/{}/publish", draft.body["id"]), json!({})).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);

    let (status, _, bytes) = officer.download("/api/v1/price-lists/current?group=dealer&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.contains("MX 1,\"'=HYPERLINK(\"\"http://pay.example\"\",\"\"Giá\"\")\""), "{text}");

    let (status, _, bytes) = officer.download("/api/v1/price-lists/current?group=dealer&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut styles = String::new();
    std::io::Read::read_to_string(&mut archive.by_name("xl/styles.xml").unwrap(), &mut styles).unwrap();
    assert!(styles.contains("quotePrefix=\"1\""), "the formula-like name is marked as text: {styles}");
    system.stop().await;
}

/// The media type is matched in any letter case, and a body must be one JSON value with nothing
/// after it.
#[tokio::test]
async fn json_bodies_are_recognised_in_any_case_and_must_end_where_the_value_ends() {
    let system = TestSystem::start().await;
    let anonymous = system.anonymous();
    let credentials = r#"{"username": "sales.hn", "password": "demo"}"#;
    let upper = anonymous.send_raw(Method::POST, "/api/v1/auth/login", "APPLICATION/JSON", credentials).await;
    assert_eq!(upper.status, StatusCode::OK, "{}", upper.body);
    let trailing = format!("{credentials} {{\"role\": \"admin\"}}");
    let refused = anonymous.send_raw(Method::POST, "/api/v1/auth/login", "application/json", trailing).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.error_fields(), ["body"]);
}

#[tokio::test]
async fn a_long_list_of_field_problems_comes_whole_in_vietnamese() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    let bad = json!({"rate": "abc", "currency": "USD", "effective_on": "3729-12-13"});
    let rates: Vec<Value> = std::iter::repeat_n(bad, 4_000).collect();
    // Over a megabyte of field messages: the translation once dropped such an answer's body.
    let vietnamese = [("Accept-Language", "vi")];
    let refused =
        director.send(Method::POST, "/api/v1/exchange-rates", Some(json!({"rates": rates})), &vietnamese).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    let errors = refused.body["errors"].as_array().expect("the field problems");
    assert_eq!(errors.len(), 8_000, "two problems on each of the 4,000 rows");
    assert_eq!(errors[7_999]["field"], "rates[3999].rate");
    assert_eq!(refused.header("content-language"), Some("vi"));
    system.stop().await;
}
