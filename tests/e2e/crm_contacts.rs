//! Contacts, project parties, leads and their conversion, and customer owners (territory).

use atq_tests::{Session, TestSystem, customer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn lead(name: &str, office: &str) -> Value {
    json!({
        "name": name,
        "company": "Công ty CP Xây dựng Phúc Thịnh",
        "contact_name": "Lê Văn Phúc",
        "position": "Giám đốc",
        "group": "project",
        "source": "exhibition",
        "office": office,
        "phone": "0903 111 222",
        "email": "phuc@phucthinh.vn",
        "address": "15 Nguyễn Huệ, Quận 1, TP. Hồ Chí Minh",
    })
}

async fn created(session: &Session, path: &str, body: Value) -> Value {
    let reply = session.post(path, body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    reply.body
}

fn names(list: &Value) -> Vec<&str> {
    list["items"].as_array().unwrap().iter().map(|item| item["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_lead_becomes_a_customer_with_its_primary_contact_once() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hcm").await;
    let lead = created(&rep, "/api/v1/leads", lead("Anh Phúc (hội chợ)", "")).await;
    let id = lead["id"].as_i64().unwrap();
    assert_eq!(
        (lead["status"].as_str(), lead["owner"].as_str(), lead["office"].as_str()),
        (Some("new"), Some("sales.hcm"), Some("HCM"))
    );
    let qualified = rep.patch(&format!("/api/v1/leads/{id}"), json!({"status": "qualified"}), "\"1\"").await;
    assert_eq!(qualified.body["status"], "qualified", "{}", qualified.body);

    let key = [("Idempotency-Key", "convert-phuc-1")];
    let path = format!("/api/v1/leads/{id}/convert");
    let converted = rep.send(Method::POST, &path, None, &key).await;
    assert_eq!(converted.status, StatusCode::CREATED, "{}", converted.body);
    let customer_id = converted.body["customer_id"].as_i64().unwrap();
    let retried = rep.send(Method::POST, &path, None, &key).await;
    assert_eq!((retried.status, &retried.body["customer_id"]), (StatusCode::CREATED, &json!(customer_id)));
    let again = rep.post(&path, json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body["detail"].as_str().unwrap().contains(&customer_id.to_string()), "{}", again.body);

    let customer = rep.get(&format!("/api/v1/customers/{customer_id}")).await.body;
    assert_eq!(customer["code"], "KH000001");
    assert_eq!(
        (customer["name"].as_str(), customer["group"].as_str()),
        (Some("Công ty CP Xây dựng Phúc Thịnh"), Some("project"))
    );
    assert_eq!((customer["phone"].as_str(), customer["assigned_to"].as_str()), (Some("0903111222"), Some("sales.hcm")));
    let history = rep.get(&format!("/api/v1/customers/{customer_id}/history")).await.body;
    assert_eq!(history["items"][0]["action"], "created");
    let contacts = rep.get(&format!("/api/v1/customers/{customer_id}/contacts")).await.body;
    assert_eq!(names(&contacts), ["Lê Văn Phúc"]);
    assert_eq!(contacts["items"][0]["is_primary"], true);
    assert_eq!(contacts["items"][0]["id"], converted.body["contact_id"]);
    let leads = rep.get("/api/v1/leads?status=converted").await.body;
    assert_eq!(leads["items"][0]["converted_customer_id"], customer_id);
    system.stop().await;
}

#[tokio::test]
async fn a_disqualified_lead_cannot_convert_and_a_lead_needs_an_address() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let mut body = lead("Chị Hằng", "HN");
    body["address"] = json!("");
    let bare = created(&rep, "/api/v1/leads", body).await;
    let refused = rep.post(&format!("/api/v1/leads/{}/convert", bare["id"]), json!({})).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error_fields(), ["address"]);

    let path = format!("/api/v1/leads/{}/disqualify", bare["id"]);
    let dropped = rep.send(Method::POST, &path, Some(json!({"reason": "Chỉ hỏi giá"})), &[("If-Match", "\"1\"")]).await;
    assert_eq!((dropped.status, &dropped.body["status"]), (StatusCode::OK, &json!("disqualified")), "{}", dropped.body);
    let refused = rep.post(&format!("/api/v1/leads/{}/convert", bare["id"]), json!({})).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    let customers = rep.get("/api/v1/customers").await.body;
    assert_eq!(customers["items"].as_array().unwrap().len(), 0, "nothing was converted");
    system.stop().await;
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
    let moved = manager.patch(&path, json!({"assigned_to": "sales.hn2"}), "\"1\"").await;
    assert_eq!((moved.status, &moved.body["assigned_to"]), (StatusCode::OK, &json!("sales.hn2")), "{}", moved.body);
    let history = rep.get(&format!("{path}/history")).await.body;
    let change = &history["items"][1];
    assert_eq!(
        (change["changed_by"].as_str(), change["changes"][0]["field"].as_str()),
        (Some("manager.hn"), Some("assigned_to"))
    );
    assert_eq!(
        (change["changes"][0]["old_value"].as_str(), change["changes"][0]["new_value"].as_str()),
        (Some("sales.hn"), Some("sales.hn2"))
    );

    rep.create_customer(customer("Anh Tâm", "individual", "HN")).await;
    let mine = rep.get("/api/v1/customers?assigned_to=sales.hn").await.body;
    assert_eq!(names(&mine), ["Anh Tâm"]);
    let theirs = manager.get("/api/v1/customers?assigned_to=sales.hn2").await.body;
    assert_eq!(names(&theirs), ["Cửa hàng Thiết bị Đông Á"]);
    system.stop().await;
}

#[tokio::test]
async fn leads_are_listed_by_office_filtered_and_downloaded() {
    let system = TestSystem::start().await;
    let hanoi = system.login("sales.hn").await;
    let saigon = system.login("sales.hcm").await;
    created(&hanoi, "/api/v1/leads", json!({"name": "Anh Dũng", "source": "referral", "phone": "0987000111"})).await;
    let hcm = created(&saigon, "/api/v1/leads", json!({"name": "Chị Thủy", "source": "website"})).await;
    created(&saigon, "/api/v1/leads", json!({"name": "Anh Quân", "source": "cold_call"})).await;

    assert_eq!(names(&hanoi.get("/api/v1/leads").await.body), ["Anh Dũng"]);
    assert_eq!(hanoi.get(&format!("/api/v1/leads/{}", hcm["id"])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(hanoi.get("/api/v1/leads?office=HCM").await.body["items"], json!([]));
    assert_eq!(names(&saigon.get("/api/v1/leads?q=thuy").await.body), ["Chị Thủy"]);
    let director = system.login("director").await;
    assert_eq!(names(&director.get("/api/v1/leads?office=HCM&owner=sales.hcm").await.body), ["Chị Thủy", "Anh Quân"]);
    let warehouse = system.login("warehouse").await;
    assert_eq!(warehouse.get("/api/v1/leads").await.status, StatusCode::FORBIDDEN);
    assert_eq!(director.get("/api/v1/leads?status=won").await.error_fields(), ["status"]);

    let (status, _, bytes) = director.download("/api/v1/leads?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "id,name,company,contact_name,group,source,office,phone,email,status,owner");
    assert_eq!(lines.len(), 4);
    assert!(lines[1].ends_with(",Anh Dũng,,,individual,referral,HN,0987000111,,new,sales.hn"), "{}", lines[1]);
    system.stop().await;
}

mod pages {
    use atq_tests::web::{Page, WebSession};
    use atq_tests::{TestSystem, customer};
    use reqwest::StatusCode;
    use serde_json::json;

    fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
        assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
        for text in expected {
            assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
        }
    }

    fn redirected_to(page: &Page) -> &str {
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
        page.location.as_deref().unwrap_or_default()
    }

    #[tokio::test]
    async fn a_lead_is_entered_listed_and_converted_into_a_customer_in_vietnamese() {
        let system = TestSystem::start().await;
        let mut web = WebSession::sign_in(&system, "sales.hn", "vi").await;
        let csrf = web.csrf();
        let menu = web.get("/leads").await;
        assert_shows(
            &menu,
            "the empty list",
            &["href=\"/leads\"", "Khách hàng tiềm năng", "Chưa có khách hàng tiềm năng nào."],
        );

        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("idempotency_key", "web-lead-1"),
            ("name", "Anh Hải (hội chợ)"),
            ("company", "Công ty TNHH Kỹ thuật Hải Long"),
            ("contact_name", "Đinh Văn Hải"),
            ("group", "dealer"),
            ("source", "exhibition"),
            ("office", "HN"),
            ("phone", "0912 888 999"),
            ("email", "hai@"),
            ("address", "8 Phạm Hùng, Nam Từ Liêm, Hà Nội"),
        ];
        let refused = web.post_form("/leads", &fields).await;
        assert_shows(&refused, "a bad email", &["id=\"email-error\"", "phải là địa chỉ email"]);
        fields[9] = ("email", "hai@hailong.vn");
        fields[1] = ("idempotency_key", "web-lead-2");
        let lead_path = redirected_to(&web.post_form("/leads", &fields).await).to_owned();

        let list = web.get("/leads?q=hai%20long").await;
        assert_shows(&list, "the search without diacritics", &["Anh Hải (hội chợ)", "Triển lãm, hội chợ", "Mới"]);
        let download = web.get("/leads/download?status=new").await;
        let (status, csv) = (download.status, download.html);
        assert_eq!(status, StatusCode::OK);
        assert!(csv.contains(",Anh Hải (hội chợ),Công ty TNHH Kỹ thuật Hải Long,Đinh Văn Hải,dealer,exhibition,HN,0912888999,hai@hailong.vn,new,sales.hn"), "{csv}");

        let lead = web.get(&lead_path).await;
        assert_shows(&lead, "the lead", &["Chuyển thành khách hàng", "id=\"disqualify-lead\"", "Đủ điều kiện"]);
        let key =
            lead.html.split("name=\"idempotency_key\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let converted =
            web.post_form(&format!("{lead_path}/convert"), &[("csrf", &csrf), ("idempotency_key", &key)]).await;
        let customer_path = redirected_to(&converted).to_owned();
        assert!(customer_path.starts_with("/customers/"), "{customer_path}");
        let customer = web.get(&customer_path).await;
        assert_shows(
            &customer,
            "the new customer",
            &["Công ty TNHH Kỹ thuật Hải Long", "KH000001", "Đinh Văn Hải", "Liên hệ chính"],
        );
        let again =
            web.post_form(&format!("{lead_path}/convert"), &[("csrf", &csrf), ("idempotency_key", "another")]).await;
        assert_shows(&again, "a second conversion", &["đã được chuyển thành khách hàng", "Mở khách hàng"]);
        system.stop().await;
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
