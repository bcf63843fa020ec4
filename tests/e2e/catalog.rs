use atq_tests::{Session, TestSystem};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn viscometer(supplier_id: i64) -> Value {
    json!({
        "model_code": "Model 35SA",
        "name_vi": "Máy đo độ nhớt Fann 35",
        "name_en": "Fann 35 viscometer",
        "category": "chemistry",
        "brand": "Fann",
        "brand_class": "big",
        "supplier_id": supplier_id,
        "unit": "bộ",
        "hs_code": "9027.80.30",
        "warranty_months": 12,
        "serial_tracked": true,
        "list_price": 285_000_000,
        "vat_rate": "0.10",
    })
}

async fn fann(officer: &Session) -> i64 {
    let reply = officer
        .post(
            "/api/v1/suppliers",
            json!({"name": "Fann Instrument", "country": "fr", "currency": "eur", "lead_time_days": 42}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["code"], "NCC001");
    assert_eq!((reply.body["country"].as_str(), reply.body["currency"].as_str()), (Some("FR"), Some("EUR")));
    reply.body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_import_officer_keeps_the_catalog_and_sales_reads_it() {
    let system = TestSystem::start().await;
    let officer = system.login("import").await;
    let supplier_id = fann(&officer).await;

    let created = officer.post("/api/v1/products", viscometer(supplier_id)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let product = &created.body;
    assert_eq!(product["hs_code"], "90278030");
    assert_eq!(product["vat_rate"], "0.10");
    assert_eq!(product["list_price_with_vat"], 313_500_000);
    let path = created.header("location").unwrap().to_owned();

    let rep = system.login("sales.dl").await;
    assert_eq!(rep.get(&path).await.body["model_code"], "Model 35SA");
    let mut another = viscometer(supplier_id);
    another["model_code"] = json!("X-1");
    assert_eq!(rep.post("/api/v1/products", another).await.status, StatusCode::FORBIDDEN);

    let school_rate = officer.patch(&path, json!({"vat_rate": "0.05", "list_price": 280_000_000}), "\"1\"").await;
    assert_eq!(school_rate.status, StatusCode::OK, "{}", school_rate.body);
    assert_eq!(
        (school_rate.body["vat_rate"].as_str(), school_rate.body["list_price_with_vat"].as_i64()),
        (Some("0.05"), Some(294_000_000))
    );
    assert_eq!(officer.patch(&path, json!({"list_price": 1}), "\"1\"").await.status, StatusCode::PRECONDITION_FAILED);

    for query in ["may%20do%20do%20nhot", "VISCOMETER", "model%2035"] {
        let found = rep.get(&format!("/api/v1/products?q={query}")).await;
        assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "query {query}");
    }
    assert_eq!(rep.get("/api/v1/products?category=physics").await.body["items"].as_array().unwrap().len(), 0);
    let by_supplier = rep.get(&format!("/api/v1/products?supplier_id={supplier_id}&brand_class=big")).await;
    assert_eq!(by_supplier.body["items"].as_array().unwrap().len(), 1);
    system.stop().await;
}

#[tokio::test]
async fn bad_products_are_refused_with_every_field_named() {
    let system = TestSystem::start().await;
    let officer = system.login("import").await;
    let supplier_id = fann(&officer).await;
    officer.post("/api/v1/products", viscometer(supplier_id)).await;

    let mut duplicate = viscometer(supplier_id);
    duplicate["model_code"] = json!("model 35sa");
    let reply = officer.post("/api/v1/products", duplicate).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_fields(), ["model_code"]);

    let bad = json!({"model_code": "Z-9", "name_vi": "", "category": "magic", "brand": "Fann", "brand_class": "huge",
        "supplier_id": 999, "unit": "bộ", "hs_code": "12", "vat_rate": "0.07", "list_price": -5});
    let reply = officer.post("/api/v1/products", bad).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.error_fields(), ["name_vi", "category", "brand_class", "hs_code", "list_price", "vat_rate"]);

    let mut unknown_supplier = viscometer(999);
    unknown_supplier["model_code"] = json!("Z-10");
    assert_eq!(officer.post("/api/v1/products", unknown_supplier).await.error_fields(), ["supplier_id"]);

    let same_name = officer
        .post(
            "/api/v1/suppliers",
            json!({"name": "FANN  instrument", "country": "FR", "currency": "EUR", "lead_time_days": 10}),
        )
        .await;
    assert_eq!(same_name.error_fields(), ["name"]);
    assert_eq!(
        officer.get("/api/v1/products").await.body["items"].as_array().unwrap().len(),
        1,
        "nothing else was written"
    );
    system.stop().await;
}

#[tokio::test]
async fn demo_data_loads_once_however_often_it_is_loaded() {
    let mut system = TestSystem::start().await;
    let (peers, key) = (system.system().peers().clone(), system.system().internal_key().clone());
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    atq_launcher::demo::load(&peers, &key).await.unwrap();
    let director = system.login("director").await;
    let count = |reply: atq_tests::Reply| reply.body["items"].as_array().unwrap().len();
    assert_eq!(count(director.get("/api/v1/suppliers").await), 9);
    assert_eq!(count(director.get("/api/v1/products?limit=500").await), 17);
    assert_eq!(count(director.get("/api/v1/customers?limit=500").await), 60);
    let school_sets = director.get("/api/v1/products?q=phywe").await;
    assert!(school_sets.body["items"].as_array().unwrap().iter().all(|p| p["vat_rate"] == "0.05"));
    let today = chrono::Utc::now().date_naive() + chrono::Days::new(1);
    let rates = director.get(&format!("/api/v1/exchange-rates?on={today}")).await;
    assert_eq!(count(rates), 8, "a rate for every supplier currency is in force");
    let history = director.get("/api/v1/exchange-rates").await;
    assert_eq!(count(history), 8, "loading twice keeps one rate per currency and day");
    let duties = director.get("/api/v1/duty-rates").await;
    assert_eq!(duties.body["rates"].as_array().unwrap().len(), 10);
    let plans = director.get("/api/v1/import-plans").await;
    assert_eq!(plans.body["items"].as_array().map(Vec::len), Some(4), "the demo's plans, re-planned not repeated");
    let plan = director.get(&format!("/api/v1/import-plans/{}", plans.body["items"][0]["id"])).await;
    let milestones: usize =
        plan.body["lines"].as_array().unwrap().iter().map(|l| l["milestones"].as_array().unwrap().len()).sum();
    assert_eq!(milestones, 4);
    assert_eq!(plan.body["status"], "late", "the trainer cannot arrive in 30 days");
    assert_eq!(count(director.get("/api/v1/supply-terms").await), 4);
    system.stop().await;
}

#[tokio::test]
async fn products_are_read_by_their_ids_in_one_call() {
    let system = TestSystem::start().await;
    let products = atq_tests::seed_products(&system).await;
    let rep = system.login("sales.hn").await;
    let ids = format!("/api/v1/products?ids={},{},{}", products.viscometer, products.filter_press, products.viscometer);
    let found = rep.get(&ids).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 2, "{}", found.body);
    for bad in ["", "1,x", "-3"] {
        assert_eq!(rep.get(&format!("/api/v1/products?ids={bad}")).await.error_fields(), ["ids"], "{bad:?}");
    }
    system.stop().await;
}
