//! Leads: entered, listed by office, disqualified or converted into a customer with its primary
//! contact, through the API and the pages.

use atq_tests::TestSystem;
use atq_tests::web::WebSession;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::crm_contacts::pages::{assert_shows, redirected_to};
use crate::crm_contacts::{created, names};

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
    let converted = web.post_form(&format!("{lead_path}/convert"), &[("csrf", &csrf), ("idempotency_key", &key)]).await;
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
