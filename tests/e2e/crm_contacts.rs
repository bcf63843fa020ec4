//! Contacts, project parties and customer owners (territory); leads are in crm_leads.rs.

use atq_tests::{Session, TestSystem, customer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) async fn created(session: &Session, path: &str, body: Value) -> Value {
    let reply = session.post(path, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    reply.body
}

pub(crate) fn names(list: &Value) -> Vec<&str> {
    list["items"].as_array().unwrap().iter().map(|item| item["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn one_primary_contact_per_customer_found_without_diacritics() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let company = rep.create_customer(customer("Công ty TNHH Minh Phát", "dealer", "HN")).await;
    let path = format!("/api/v1/customers/{}/contacts", company["id"]);
    let first = json!({"name": "Nguyễn Thị Hồng", "position": "Kế toán trưởng", "phone": "0912 000 111", "birthday": "1985-03-05", "is_primary": true});
    let hong = created(&rep, &path, first).await;
    let duc = created(
        &rep,
        &path,
        json!({"name": "Trần Văn Đức", "position": "Trưởng phòng vật tư", "email": "duc@minhphat.vn"}),
    )
    .await;
    assert_eq!((hong["birthday"].as_str(), hong["phone"].as_str()), (Some("1985-03-05"), Some("0912000111")));

    let switched = rep.patch(&format!("/api/v1/contacts/{}", duc["id"]), json!({"is_primary": true}), "\"1\"").await;
    assert_eq!(switched.status, StatusCode::OK, "{}", switched.body);
    let contacts = rep.get(&path).await.body;
    assert_eq!(names(&contacts), ["Trần Văn Đức", "Nguyễn Thị Hồng"]);
    let primary: Vec<bool> =
        contacts["items"].as_array().unwrap().iter().map(|c| c["is_primary"].as_bool().unwrap()).collect();
    assert_eq!(primary, [true, false]);
    let stale = rep.patch(&format!("/api/v1/contacts/{}", hong["id"]), json!({"notes": "x"}), "\"1\"").await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);

    let found = rep.get("/api/v1/contacts?q=tran%20van%20duc").await.body;
    assert_eq!(names(&found), ["Trần Văn Đức"]);
    assert_eq!(found["items"][0]["customer_name"], "Công ty TNHH Minh Phát");
    let by_position = rep.get("/api/v1/contacts?q=ke%20toan").await.body;
    assert_eq!(names(&by_position), ["Nguyễn Thị Hồng"]);

    let (status, headers, bytes) = rep.download("/api/v1/contacts?q=minh&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text.trim_start_matches('\u{feff}').lines().next(),
        Some("customer,office,name,position,phone,email,birthday,primary")
    );
    assert_eq!(text.lines().count(), 2, "only Đức's email holds \"minh\"");
    let (_, _, all) = rep.download("/api/v1/contacts?format=csv").await;
    let all = String::from_utf8(all).unwrap();
    assert!(
        all.contains("Công ty TNHH Minh Phát,HN,Trần Văn Đức,Trưởng phòng vật tư,,duc@minhphat.vn,,yes\r\n"),
        "{all}"
    );
    assert_eq!(all.lines().count(), 3);

    let other_office = system.login("sales.hcm").await;
    assert_eq!(other_office.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other_office.get("/api/v1/contacts?q=duc").await.body["items"], json!([]));
    let hidden = other_office.patch(&format!("/api/v1/contacts/{}", duc["id"]), json!({"notes": "x"}), "\"2\"").await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    system.stop().await;
}

#[tokio::test]
async fn a_project_names_its_investor_and_contractor() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let project = rep.create_customer(customer("Công trình Trường THCS Cầu Giấy", "project", "HN")).await;
    let investor = rep.create_customer(customer("Ban QLDA quận Cầu Giấy", "individual", "HN")).await;
    let builder = rep.create_customer(customer("Công ty Xây lắp Hòa Bình", "dealer", "HN")).await;
    let site_manager = created(
        &rep,
        &format!("/api/v1/customers/{}/contacts", builder["id"]),
        json!({"name": "Phạm Quốc Việt", "position": "Chỉ huy trưởng"}),
    )
    .await;

    let parties = format!("/api/v1/customers/{}/parties", project["id"]);
    let owner = json!({"role": "investor", "party_customer_id": investor["id"], "influence": "decision_maker", "stance": "supporter"});
    let owner = created(&rep, &parties, owner).await;
    let contractor = json!({"role": "contractor", "contact_id": site_manager["id"], "influence": "influencer"});
    let contractor = created(&rep, &parties, contractor).await;
    assert_eq!(
        (contractor["party_name"].as_str(), contractor["stance"].as_str()),
        (Some("Phạm Quốc Việt"), Some("unknown"))
    );

    let both = rep.post(&parties, json!({"role": "other", "party_customer_id": investor["id"], "contact_id": site_manager["id"], "influence": "user"})).await;
    assert_eq!((both.status, both.error_fields()), (StatusCode::BAD_REQUEST, vec!["party_customer_id".to_owned()]));
    let not_a_project = rep
        .post(
            &format!("/api/v1/customers/{}/parties", builder["id"]),
            json!({"role": "investor", "party_customer_id": investor["id"], "influence": "user"}),
        )
        .await;
    assert_eq!(not_a_project.status, StatusCode::BAD_REQUEST);

    let listed = rep.get(&parties).await.body;
    let roles: Vec<(&str, &str)> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["role"].as_str().unwrap(), p["party_name"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, [("investor", "Ban QLDA quận Cầu Giấy"), ("contractor", "Phạm Quốc Việt")]);

    let other_office = system.login("sales.dl").await;
    assert_eq!(other_office.get(&parties).await.status, StatusCode::NOT_FOUND);
    let remove = format!("{parties}/{}", owner["id"]);
    assert_eq!(other_office.send(Method::DELETE, &remove, None, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(rep.send(Method::DELETE, &remove, None, &[]).await.status, StatusCode::NO_CONTENT);
    assert_eq!(rep.send(Method::DELETE, &remove, None, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(rep.get(&parties).await.body["items"].as_array().unwrap().len(), 1);
    system.stop().await;
}

#[tokio::test]
async fn only_managers_reassign_owners_and_the_history_shows_it() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let shop = rep.create_customer(customer("Cửa hàng Thiết bị Đông Á", "dealer", "HN")).await;
    let path = format!("/api/v1/customers/{}", shop["id"]);

    let refused = rep.patch(&path, json!({"assigned_to": "manager.hn"}), "\"1\"").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.body["detail"],
        "only a sales manager or a director may change who is responsible for a customer"
    );
    let manager = system.login("manager.hn").await;
    let moved = manager.patch(&path, json!({"assigned_to": "manager.hn"}), "\"1\"").await;
    assert_eq!((moved.status, &moved.body["assigned_to"]), (StatusCode::OK, &json!("manager.hn")), "{}", moved.body);
    let history = rep.get(&format!("{path}/history")).await.body;
    let change = &history["items"][1];
    assert_eq!(
        (change["changed_by"].as_str(), change["changes"][0]["field"].as_str()),
        (Some("manager.hn"), Some("assigned_to"))
    );
    assert_eq!(
        (change["changes"][0]["old_value"].as_str(), change["changes"][0]["new_value"].as_str()),
        (Some("sales.hn"), Some("manager.hn"))
    );

    rep.create_customer(customer("Anh Tâm", "individual", "HN")).await;
    let mine = rep.get("/api/v1/customers?assigned_to=sales.hn").await.body;
    assert_eq!(names(&mine), ["Anh Tâm"]);
    let theirs = manager.get("/api/v1/customers?assigned_to=manager.hn").await.body;
    assert_eq!(names(&theirs), ["Cửa hàng Thiết bị Đông Á"]);
    system.stop().await;
}

pub(crate) mod pages {
    use atq_tests::web::{Page, WebSession};
    use atq_tests::{TestSystem, customer};
    use reqwest::StatusCode;
    use serde_json::json;

    pub(crate) fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
        assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
        for text in expected {
            assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
        }
    }

    pub(crate) fn redirected_to(page: &Page) -> &str {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
        page.location.as_deref().unwrap_or_default()
    }

    #[tokio::test]
    async fn contacts_and_parties_are_kept_on_the_customer_page_in_english() {
        let system = TestSystem::start().await;
        let rep = system.login("sales.hn").await;
        let project = rep.create_customer(customer("Bệnh viện Đa khoa Đông Anh", "project", "HN")).await;
        let investor = rep.create_customer(customer("Sở Y tế Hà Nội", "individual", "HN")).await;
        let path = format!("/customers/{}", project["id"]);
        let mut web = WebSession::sign_in(&system, "sales.hn", "en").await;
        let csrf = web.csrf();

        let page = web.get(&path).await;
        assert_shows(
            &page,
            "the empty sections",
            &["No contacts yet.", "Project parties", "No parties recorded.", "Sở Y tế Hà Nội"],
        );
        let contact = |name: &'static str, primary: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("idempotency_key", format!("web-contact-{}", name.len())),
                ("contact_id", "0".into()),
                ("name", name.into()),
                ("position", "Trưởng khoa".into()),
                ("birthday", "1979-11-02".into()),
                ("is_primary", primary.into()),
            ]
        };
        let bad = vec![
            ("csrf", csrf.clone()),
            ("idempotency_key", "web-contact-bad".into()),
            ("name", "Lê Thu".into()),
            ("phone", "123".into()),
        ];
        let refused = web.post_form(&format!("{path}/contacts"), &pairs(&bad)).await;
        assert_shows(&refused, "a bad phone", &["id=\"phone-error\"", "value=\"Lê Thu\""]);
        redirected_to(&web.post_form(&format!("{path}/contacts"), &pairs(&contact("Nguyễn Minh Tâm", "true"))).await);
        redirected_to(&web.post_form(&format!("{path}/contacts"), &pairs(&contact("Hà Thị Vân", ""))).await);

        let contacts = rep.get(&format!("/api/v1{path}/contacts")).await.body;
        let van = contacts["items"][1].clone();
        assert_eq!(van["name"], "Hà Thị Vân");
        let edit = web.get(&format!("{path}?contact={}", van["id"])).await;
        assert_shows(&edit, "the contact's edit form", &["Edit contact", "value=\"1979-11-02\"", "Still works there"]);
        let make_primary = vec![
            ("csrf", csrf.clone()),
            ("contact_id", van["id"].to_string()),
            ("version", "1".into()),
            ("name", "Hà Thị Vân".into()),
            ("is_primary", "true".into()),
            ("active", "true".into()),
        ];
        redirected_to(&web.post_form(&format!("{path}/contacts"), &pairs(&make_primary)).await);
        let primary: Vec<(String, bool)> = rep.get(&format!("/api/v1{path}/contacts")).await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap().to_owned(), c["is_primary"].as_bool().unwrap()))
            .collect();
        assert_eq!(primary, [("Hà Thị Vân".to_owned(), true), ("Nguyễn Minh Tâm".to_owned(), false)]);

        let party = vec![
            ("csrf", csrf.clone()),
            ("idempotency_key", "web-party-1".into()),
            ("role", "investor".into()),
            ("party", format!("c{}", investor["id"])),
            ("influence", "decision_maker".into()),
            ("stance", "supporter".into()),
            ("note", "".into()),
        ];
        redirected_to(&web.post_form(&format!("{path}/parties"), &pairs(&party)).await);
        let shown = web.get(&path).await;
        assert_shows(&shown, "the investor", &["Investor", "Decision maker", "Supporter", "Primary contact"]);
        let parties = rep.get(&format!("/api/v1{path}/parties")).await.body;
        let remove = format!("{path}/parties/{}/remove", parties["items"][0]["id"]);
        redirected_to(&web.post_form(&remove, &[("csrf", &csrf)]).await);
        assert_shows(&web.get(&path).await, "no party left", &["No parties recorded."]);

        let other = WebSession::sign_in(&system, "sales.hcm", "en").await.get(&path).await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);
        assert_eq!(rep.get("/api/v1/leads").await.body["items"], json!([]));
        system.stop().await;
    }

    #[tokio::test]
    async fn a_manager_reassigns_a_customer_through_its_form_and_a_rep_is_not_offered_it() {
        let system = TestSystem::start().await;
        let rep = system.login("sales.hn").await;
        let shop = rep.create_customer(customer("Cửa hàng Thiết bị Thủ Đô", "dealer", "HN")).await;
        let path = format!("/customers/{}", shop["id"]);
        let mut rep_web = WebSession::sign_in(&system, "sales.hn", "vi").await;
        let form = rep_web.get(&format!("{path}/edit")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(!form.html.contains("name=\"assigned_to\""), "{}", form.html);

        let mut manager = WebSession::sign_in(&system, "manager.hn", "vi").await;
        let form = manager.get(&format!("{path}/edit")).await;
        assert_shows(
            &form,
            "the manager's form",
            &["name=\"assigned_to\"", "value=\"sales.hn\"", "Nhân viên phụ trách"],
        );
        let csrf = manager.csrf();
        let fields = [
            ("csrf", csrf.as_str()),
            ("version", "1"),
            ("name", "Cửa hàng Thiết bị Thủ Đô"),
            ("group", "dealer"),
            ("phone", "0912345678"),
            ("email", "khach@example.vn"),
            ("address", "1 Tràng Tiền, Hoàn Kiếm, Hà Nội"),
            ("office", "HN"),
            ("tax_code", ""),
            ("assigned_to", "manager.hn"),
        ];
        assert_eq!(redirected_to(&manager.post_form(&path, &fields).await), path);
        let history = rep.get(&format!("/api/v1{path}/history")).await.body;
        assert_eq!(
            history["items"][1]["changes"],
            json!([{"field": "assigned_to", "old_value": "sales.hn", "new_value": "manager.hn"}])
        );
        system.stop().await;
    }

    fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
    }
}
