//! The dealer screens on the real system: a sales rep writes a dealer-opening request with two
//! years' figures through the form, submits and evaluates it and sees every rule checked; a
//! director approves it from the same page.

use atq_tests::TestSystem;
use atq_tests::dates::today;
use atq_tests::web::{Page, WebSession};
use chrono::Datelike;
use reqwest::StatusCode;

fn assert_shows(page: &Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

fn redirected_to(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    page.location.clone().unwrap_or_default()
}

#[tokio::test]
async fn a_request_is_written_evaluated_and_approved_through_the_pages() {
    let system = TestSystem::start().await;
    let mut rep = WebSession::sign_in(&system, "sales.hn", "vi").await;
    let csrf = rep.csrf();
    let form = rep.get("/dealers/new").await;
    assert_shows(&form, "the request form", &["Lập phiếu đề nghị", "name=\"years[1].lab_sales\"", "href=\"/dealers\""]);

    let (first, latest) = ((today().year() - 2).to_string(), (today().year() - 1).to_string());
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-dealer-1"),
        ("name", ""),
        ("phone", "0912 345 678"),
        ("address", "45 Phố Huế, Hà Nội"),
        ("office", "HN"),
        ("proposed_tier", "tier1"),
        ("years[0].year", first.as_str()),
        ("years[0].revenue", "10.000.000.000"),
        ("years[0].lab_sales", "6.000.000.000"),
        ("years[0].big_brand_share_bp", "3500"),
        ("years[0].small_brand_share_bp", "6500"),
        ("years[0].staff", "10"),
        ("years[0].shops", "2"),
        ("years[1].year", latest.as_str()),
        ("years[1].revenue", "12.000.000.000"),
        ("years[1].lab_sales", "8.000.000.000"),
        ("years[1].big_brand_share_bp", "4000"),
        ("years[1].small_brand_share_bp", "6000"),
        ("years[1].staff", "12"),
        ("years[1].shops", "2"),
    ];
    let refused = rep.post_form("/dealers", &fields).await;
    assert_shows(&refused, "a request without the company's name", &["id=\"name-error\"", "không được để trống"]);
    fields[1] = ("idempotency_key", "web-dealer-2");
    fields[2] = ("name", "Công ty TNHH Thiết bị Minh Long");
    let path = redirected_to(&rep.post_form("/dealers", &fields).await);

    let draft = rep.get(&path).await;
    assert_shows(&draft, "the draft", &["DNDL-000001", "Minh Long", "Nháp", "id=\"submit-application\""]);
    assert!(!draft.html.contains("id=\"approve-application\""), "a sales rep does not approve");
    let submit = [("csrf", csrf.as_str()), ("version", "1")];
    assert_eq!(redirected_to(&rep.post_form(&format!("{path}/submit"), &submit).await), path);
    let evaluate = [("csrf", csrf.as_str()), ("version", "2")];
    assert_eq!(redirected_to(&rep.post_form(&format!("{path}/evaluate"), &evaluate).await), path);
    let evaluated = rep.get(&path).await;
    assert_shows(
        &evaluated,
        "the evaluation",
        &["id=\"decided-tier\">Đại lý cấp 1", "Khung xếp hạng đại lý 2020", "Không đạt", "Còn thiếu để lên cấp"],
    );
    let listed = rep.get("/dealers").await;
    assert_shows(&listed, "the list", &["DNDL-000001", "Đã đánh giá", "aria-current=\"page\">Đại lý<"]);

    let mut director = WebSession::sign_in(&system, "director", "en").await;
    let director_csrf = director.csrf();
    let page = director.get(&path).await;
    assert_shows(&page, "the director's view", &["id=\"approve-application\"", "Tier-1 dealer", "Not met"]);
    let approve = [("csrf", director_csrf.as_str()), ("version", "3"), ("tier", "tier1"), ("reason", "")];
    assert_eq!(redirected_to(&director.post_form(&format!("{path}/approve"), &approve).await), path);
    let approved = director.get(&path).await;
    assert_shows(&approved, "the approved file", &["Approved", "id=\"approved-tier\">Tier-1 dealer", "/customers/"]);
    system.stop().await;
}
