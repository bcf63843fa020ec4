use atq_proto::sales::v1::GetCustomerRequest;
use atq_proto::sales::v1::customers_client::CustomersClient;
use atq_tests::{TestSystem, customer};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn sales_reps_see_and_change_only_their_own_office() {
    let system = TestSystem::start().await;
    let hanoi = system.login("sales.hn").await;
    let saigon = system.login("sales.hcm").await;
    let hn_customer = hanoi.create_customer(customer("Đại học Bách khoa Hà Nội", "project", "HN")).await;
    saigon.create_customer(customer("Cửa hàng Thiết bị Sài Gòn", "dealer", "HCM")).await;
    let path = format!("/api/v1/customers/{}", hn_customer["id"]);

    assert_eq!(saigon.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(saigon.get(&format!("{path}/history")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(saigon.patch(&path, json!({"name": "Taken over"}), "\"1\"").await.status, StatusCode::NOT_FOUND);
    let saigon_list = saigon.get("/api/v1/customers").await;
    let offices: Vec<&str> =
        saigon_list.body["items"].as_array().unwrap().iter().map(|c| c["office"].as_str().unwrap()).collect();
    assert_eq!(offices, ["HCM"]);
    assert_eq!(saigon.get("/api/v1/customers?office=HN").await.body["items"].as_array().unwrap().len(), 0);

    let elsewhere = saigon.post("/api/v1/customers", customer("Khách Hà Nội", "individual", "HN")).await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    let moved = hanoi.patch(&path, json!({"office": "DL"}), "\"1\"").await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);

    let director = system.login("director").await;
    assert_eq!(director.get(&path).await.status, StatusCode::OK);
    assert_eq!(director.get("/api/v1/customers").await.body["items"].as_array().unwrap().len(), 2);

    let keeper = system.login("warehouse").await;
    assert_eq!(
        keeper.post("/api/v1/customers", customer("Kho", "individual", "HN")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(keeper.get(&path).await.status, StatusCode::OK);
    system.stop().await;
}

#[tokio::test]
async fn sign_in_is_required_and_checked() {
    let system = TestSystem::start().await;
    let anonymous = system.anonymous();
    assert_eq!(anonymous.get("/api/v1/customers").await.status, StatusCode::UNAUTHORIZED);
    let wrong = anonymous.post("/api/v1/auth/login", json!({"username": "director", "password": "nope"})).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown = anonymous.post("/api/v1/auth/login", json!({"username": "nobody", "password": "demo"})).await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["detail"], unknown.body["detail"], "no hint which part was wrong");
    let forged = anonymous
        .send(reqwest::Method::GET, "/api/v1/customers", None, &[("Authorization", "Bearer abc.def.ghi")])
        .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    let login = anonymous.post("/api/v1/auth/login", json!({"username": "accountant", "password": "demo"})).await;
    assert_eq!(login.body["user"]["role"], "accountant");
    assert_eq!(login.body["token_type"], "Bearer");
    system.stop().await;
}

#[tokio::test]
async fn services_refuse_calls_that_do_not_come_from_the_gateway_or_a_sibling() {
    let mut system = TestSystem::start().await;
    let sales = system.system().peers().sales.clone();
    let mut client = CustomersClient::connect(sales).await.unwrap();
    let status = client.get_customer(GetCustomerRequest { id: 1 }).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);

    let mut forged = tonic::Request::new(GetCustomerRequest { id: 1 });
    let token = atq_platform::InternalKey::random().mint(&atq_platform::Caller {
        username: "mallory".into(),
        role: atq_platform::Role::Admin,
        office: None,
    });
    forged.metadata_mut().insert("x-atq-caller", token.parse().unwrap());
    assert_eq!(client.get_customer(forged).await.unwrap_err().code(), tonic::Code::Unauthenticated);
    system.stop().await;
}
