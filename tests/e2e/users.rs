//! User administration: an administrator adds staff with a temporary password, changes their
//! role and office, deactivates them; people change their own password; refresh tokens rotate.

use atq_tests::{Reply, TestSystem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn sign_in(system: &TestSystem, username: &str, password: &str) -> Reply {
    system.anonymous().post("/api/v1/auth/login", json!({"username": username, "password": password})).await
}

async fn add_hcm_rep(system: &TestSystem) -> Value {
    let admin = system.login("admin").await;
    let added = admin
        .post(
            "/api/v1/users",
            json!({"username": "tran.binh", "display_name": "Trần Văn Bình", "role": "sales_rep",
            "office": "HCM", "email": "binh@atq.vn", "phone": "0903 123 456"}),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(
        (added.body["must_change_password"].as_bool(), added.body["phone"].as_str()),
        (Some(true), Some("0903123456"))
    );
    added.body
}

#[tokio::test]
async fn a_new_rep_changes_the_temporary_password_then_sees_only_their_office() {
    let system = TestSystem::start().await;
    let director = system.login("director").await;
    for (name, office) in [("Trường Tiểu học Hòa Bình", "HCM"), ("Trường THCS Láng Thượng", "HN")] {
        director
            .create_customer(
                json!({"name": name, "group": "project", "phone": "0912000111", "address": "x", "office": office}),
            )
            .await;
    }
    let added = add_hcm_rep(&system).await;
    let temporary = added["temporary_password"].as_str().unwrap();

    let first = sign_in(&system, "tran.binh", temporary).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["user"]["must_change_password"], true);
    let rep = system.with_token(first.body["access_token"].as_str().unwrap());
    let blocked = rep.get("/api/v1/customers").await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN, "{}", blocked.body);
    assert!(blocked.body["detail"].as_str().unwrap().contains("temporary password"));
    assert_eq!(rep.get("/api/v1/me").await.body["must_change_password"], true);

    for (weak, reason) in [("short1", "at least 10"), ("password123", "most common"), ("tran.binh-2026", "username")] {
        let refused =
            rep.post("/api/v1/me/password", json!({"current_password": temporary, "new_password": weak})).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        assert!(refused.body["errors"][0]["message"].as_str().unwrap().contains(reason), "{}", refused.body);
    }
    let wrong = rep
        .post("/api/v1/me/password", json!({"current_password": "nope", "new_password": "Đà Lạt mùa hoa 2026"}))
        .await;
    assert_eq!(wrong.error_fields(), ["current_password"]);
    let changed = rep
        .post("/api/v1/me/password", json!({"current_password": temporary, "new_password": "Đà Lạt mùa hoa 2026"}))
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    assert_eq!(sign_in(&system, "tran.binh", temporary).await.status, StatusCode::UNAUTHORIZED);

    let again = sign_in(&system, "tran.binh", "Đà Lạt mùa hoa 2026").await;
    assert_eq!(again.body["user"]["must_change_password"], false);
    let rep = system.with_token(again.body["access_token"].as_str().unwrap());
    let customers = rep.get("/api/v1/customers").await;
    let names: Vec<&str> =
        customers.body["items"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Trường Tiểu học Hòa Bình"]);
    system.stop().await;
}

#[tokio::test]
async fn a_deactivated_user_can_neither_sign_in_nor_refresh_and_every_change_is_recorded() {
    let system = TestSystem::start().await;
    let added = add_hcm_rep(&system).await;
    let id = added["id"].as_i64().unwrap();
    let admin = system.login("admin").await;
    let reset = admin.post(&format!("/api/v1/users/{id}/reset-password"), json!({})).await;
    let temporary = reset.body["temporary_password"].as_str().unwrap().to_owned();
    assert_ne!(temporary, added["temporary_password"].as_str().unwrap());
    let signed_in = sign_in(&system, "tran.binh", &temporary).await;
    let refresh_token = signed_in.body["refresh_token"].as_str().unwrap().to_owned();

    let stale = admin.patch(&format!("/api/v1/users/{id}"), json!({"active": false}), "\"1\"").await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "the reset moved the version on");
    let version = admin.get(&format!("/api/v1/users/{id}")).await.body["version"].to_string();
    let deactivated = admin
        .patch(&format!("/api/v1/users/{id}"), json!({"active": false, "office": "DL"}), &format!("\"{version}\""))
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    assert_eq!((deactivated.body["active"].as_bool(), deactivated.body["office"].as_str()), (Some(false), Some("DL")));

    let refused = system.anonymous().post("/api/v1/auth/refresh", json!({"refresh_token": refresh_token})).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(&system, "tran.binh", &temporary).await.status, StatusCode::UNAUTHORIZED);

    let history = admin.get(&format!("/api/v1/users/{id}/history")).await;
    let actions: Vec<&str> =
        history.body["items"].as_array().unwrap().iter().map(|c| c["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["created", "password_reset", "deactivated"]);
    assert_eq!(history.body["items"][2]["changed_by"], "admin");
    assert!(history.body["items"][2]["detail"].as_str().unwrap().contains("office: HCM → DL"));
    system.stop().await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_every_session_of_the_user() {
    let system = TestSystem::start().await;
    let first = sign_in(&system, "sales.hn", "demo").await;
    let refresh = |token: String| {
        let anonymous = system.anonymous();
        async move { anonymous.post("/api/v1/auth/refresh", json!({"refresh_token": token})).await }
    };
    let old = first.body["refresh_token"].as_str().unwrap().to_owned();
    let second = refresh(old.clone()).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let next = second.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, old);
    assert_eq!(
        system.with_token(second.body["access_token"].as_str().unwrap()).get("/api/v1/customers").await.status,
        StatusCode::OK
    );
    // The used token again: refused, and the one it was traded for is revoked with it.
    assert_eq!(refresh(old).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(next).await.status, StatusCode::UNAUTHORIZED);

    let third = sign_in(&system, "sales.hn", "demo").await;
    let token = third.body["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(
        system.anonymous().post("/api/v1/auth/logout", json!({"refresh_token": token.clone()})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(refresh(token).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh("zz".into()).await.status, StatusCode::UNAUTHORIZED);
    system.stop().await;
}

#[tokio::test]
async fn only_administrators_manage_users_and_not_their_own_account() {
    let system = TestSystem::start().await;
    for username in ["director", "sales.hn", "accountant"] {
        assert_eq!(system.login(username).await.get("/api/v1/users").await.status, StatusCode::FORBIDDEN, "{username}");
    }
    let admin = system.login("admin").await;
    let listed = admin.get("/api/v1/users?role=sales_rep&limit=2").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    let rest = admin
        .get(&format!("/api/v1/users?role=sales_rep&limit=2&cursor={}", listed.body["next_cursor"].as_str().unwrap()))
        .await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1, "{}", rest.body);
    let me = admin.get("/api/v1/me").await.body;
    let own = admin
        .send(Method::PATCH, &format!("/api/v1/users/{}", me["id"]), Some(json!({"active": false, "version": 1})), &[])
        .await;
    assert_eq!(own.error_fields(), ["active"], "{}", own.body);

    let taken =
        admin.post("/api/v1/users", json!({"username": "Sales.HN", "display_name": "X", "role": "accountant"})).await;
    assert_eq!(taken.error_fields(), ["username"]);
    let bad = admin
        .post("/api/v1/users", json!({"username": "nguyễn", "display_name": "", "role": "boss", "office": "HP"}))
        .await;
    assert_eq!(bad.error_fields(), ["username", "display_name", "role", "office"]);
    system.stop().await;
}

#[tokio::test]
async fn the_first_administrator_is_added_from_the_command_line() {
    let system = TestSystem::start().await;
    let db = atq_gateway::open_database(system.database_url(atq_gateway::NAME)).await.unwrap();
    let temporary = atq_gateway::users::add_from_command_line(&db, "it.admin", "Phòng IT", "admin", "").await.unwrap();
    let refused = atq_gateway::users::add_from_command_line(&db, "it.admin", "Phòng IT", "admin", "").await;
    assert!(refused.unwrap_err().to_string().contains("username: is taken"));
    db.close().await;
    let first = sign_in(&system, "it.admin", &temporary).await;
    assert_eq!(first.body["user"]["must_change_password"], true, "{}", first.body);
    system.stop().await;
}
