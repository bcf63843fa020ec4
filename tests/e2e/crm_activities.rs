use atq_tests::{Session, TestSystem, customer};
use chrono::{Days, NaiveDate, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Today in Hà Nội (UTC+7 all year).
fn today() -> NaiveDate {
    (Utc::now() + chrono::TimeDelta::hours(7)).date_naive()
}

fn at(date: NaiveDate, time: &str) -> String {
    format!("{date}T{time}:00+07:00")
}

/// The public holidays the migration seeds (a subset is enough to know the window's).
const SEEDED_HOLIDAYS: &[&str] = &[
    "2025-01-01",
    "2025-01-29",
    "2025-04-07",
    "2025-04-30",
    "2025-05-01",
    "2025-09-02",
    "2026-01-01",
    "2026-02-17",
    "2026-04-26",
    "2026-04-27",
    "2026-04-30",
    "2026-05-01",
    "2026-09-01",
    "2026-09-02",
    "2027-01-01",
    "2027-02-06",
    "2027-04-16",
    "2027-04-30",
    "2027-05-01",
    "2027-05-03",
    "2027-09-02",
    "2027-09-03",
];

async fn plan(rep: &Session, body: Value) -> Value {
    let reply = rep.post("/api/v1/activities", body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

async fn complete(rep: &Session, activity: &Value, body: Value) -> Value {
    let path = format!("/api/v1/activities/{}/complete", activity["id"]);
    let reply = rep.post(&path, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

/// A working day: a visit and a call done, a meeting still ahead, yesterday's call left overdue.
struct Day {
    visit: Value,
    call: Value,
    meeting: Value,
    overdue: Value,
    silent: Value,
}

async fn a_working_day(rep: &Session) -> Day {
    let visited = rep.create_customer(customer("Công ty Xây dựng Sông Hồng", "project", "HN")).await;
    let silent = rep.create_customer(customer("Đại lý Thiết bị Hà Đông", "dealer", "HN")).await;
    let waiting = rep.create_customer(customer("Trường THPT Chu Văn An", "project", "HN")).await;
    let day = today();
    let visit = plan(
        rep,
        json!({"kind": "visit", "subject": "Thăm công trình, giới thiệu máy đo", "customer_id":
        visited["id"], "planned_at": at(day, "08:00"), "duration_minutes": 90}),
    )
    .await;
    let call = plan(
        rep,
        json!({"kind": "call", "subject": "Gọi nhắc báo giá", "customer_id": waiting["id"],
        "planned_at": at(day, "10:30"), "duration_minutes": 15}),
    )
    .await;
    let meeting = plan(
        rep,
        json!({"kind": "meeting", "subject": "Họp với chủ đầu tư", "customer_id": waiting["id"],
        "planned_at": at(day, "23:59"), "duration_minutes": 60}),
    )
    .await;
    let overdue = plan(
        rep,
        json!({"kind": "call", "subject": "Gọi hỏi công nợ", "customer_id": silent["id"],
        "planned_at": at(day - Days::new(1), "09:00"), "duration_minutes": 10}),
    )
    .await;
    Day { visit, call, meeting, overdue, silent }
}

#[tokio::test]
async fn a_day_of_visits_and_calls_is_planned_done_and_left_overdue() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let day = a_working_day(&rep).await;
    assert_eq!((day.visit["status"].as_str(), day.visit["office"].as_str()), (Some("planned"), Some("HN")));
    assert_eq!(day.visit["planned_at"], format!("{}T01:00:00.000000Z", today()));
    assert_eq!(day.overdue["overdue"], true);

    let checked_in = (Utc::now() - chrono::TimeDelta::minutes(5)).to_rfc3339();
    let key = [("Idempotency-Key", "visit-done-1")];
    let path = format!("/api/v1/activities/{}/complete", day.visit["id"]);
    let body = json!({"outcome": "ordered", "notes": "Đặt 2 máy đo", "checked_in_at": checked_in,
        "latitude": "21.028511", "longitude": "105.804817"});
    let done = rep.send(Method::POST, &path, Some(body.clone()), &key).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!((done.body["status"].as_str(), done.body["outcome"].as_str()), (Some("done"), Some("ordered")));
    assert_eq!(
        (done.body["latitude"].as_str(), done.body["longitude"].as_str()),
        (Some("21.028511"), Some("105.804817"))
    );
    let retried = rep.send(Method::POST, &path, Some(body.clone()), &key).await;
    assert_eq!((retried.status, &retried.body), (StatusCode::OK, &done.body), "a retry gets the first answer");
    let twice = rep.post(&path, body).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    complete(&rep, &day.call, json!({"outcome": "no_answer"})).await;

    let bad = rep
        .post(
            &format!("/api/v1/activities/{}/complete", day.meeting["id"]),
            json!({"outcome": "reached",
            "latitude": "91", "longitude": "105.8"}),
        )
        .await;
    assert_eq!((bad.status, bad.error_fields()), (StatusCode::BAD_REQUEST, vec!["latitude".to_owned()]));

    let plan = rep.get(&format!("/api/v1/activities/plan?date={}", today())).await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.body);
    let subjects: Vec<_> = plan.body["items"].as_array().unwrap().iter().map(|a| a["subject"].clone()).collect();
    assert_eq!(subjects, [day.visit["subject"].clone(), day.call["subject"].clone(), day.meeting["subject"].clone()]);
    assert_eq!((plan.body["done_count"].as_i64(), plan.body["open_count"].as_i64()), (Some(2), Some(1)));

    let overdue = rep.get("/api/v1/activities?status=overdue").await;
    let ids: Vec<_> = overdue.body["items"].as_array().unwrap().iter().map(|a| a["id"].clone()).collect();
    assert_eq!(ids, [day.overdue["id"].clone()]);

    let uncontacted = rep.get("/api/v1/reports/uncontacted-customers?days=30").await;
    assert_eq!(uncontacted.status, StatusCode::OK, "{}", uncontacted.body);
    let codes: Vec<_> = uncontacted.body["items"].as_array().unwrap().iter().map(|c| c["code"].clone()).collect();
    assert_eq!(codes, [day.silent["code"].clone()], "the call with no answer still counts as contact");

    let cancelled = rep
        .post(&format!("/api/v1/activities/{}/cancel", day.meeting["id"]), json!({"reason": "Chủ đầu tư hoãn"}))
        .await;
    assert_eq!(cancelled.body["status"], "cancelled", "{}", cancelled.body);
    let moved = rep
        .patch(
            &format!("/api/v1/activities/{}", day.overdue["id"]),
            json!({"planned_at": at(today(), "16:00")}),
            &format!("\"{}\"", day.overdue["version"]),
        )
        .await;
    assert_eq!(
        (moved.status, moved.body["overdue"].as_bool()),
        (StatusCode::OK, Some(at(today(), "16:00") < now_local()))
    );

    let (status, headers, bytes) = rep.download("/api/v1/activities?format=csv&owner=sales.hn").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
    assert!(text.contains(",visit,\"Thăm công trình, giới thiệu máy đo\",KH"), "{text}");
}

fn now_local() -> String {
    (Utc::now() + chrono::TimeDelta::hours(7)).format("%Y-%m-%dT%H:%M:%S+07:00").to_string()
}

#[tokio::test]
async fn the_private_calendar_feed_is_icalendar_and_rotating_it_closes_the_old_address() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let day = a_working_day(&rep).await;
    complete(&rep, &day.visit, json!({"outcome": "reached"})).await;

    let mine = rep.get("/api/v1/me/calendar").await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    let url = mine.body["url"].as_str().unwrap().to_owned();
    let path = url[url.find("/api/").unwrap()..].to_owned();
    assert!(path.ends_with(".ics") && !path.contains("demo"), "{path}");
    assert_eq!(rep.get("/api/v1/me/calendar").await.body["url"], Value::Null, "only the hash is kept");

    let anonymous = system.anonymous();
    let (status, headers, bytes) = anonymous.download(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/calendar; charset=utf-8");
    let text = String::from_utf8(bytes).unwrap();
    let calendar: Calendar = text.parse().expect("RFC 5545");
    let events: Vec<_> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    let visit = events.iter().find(|e| e.get_uid() == Some(&format!("activity-{}@atq", day.visit["id"]))).unwrap();
    let start = NaiveDate::and_hms_opt(&today(), 1, 0, 0).unwrap().and_utc();
    assert_eq!(visit.get_start(), Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(start))));
    assert_eq!(
        visit.get_end(),
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(start + chrono::TimeDelta::minutes(90))))
    );
    assert!(visit.get_summary().unwrap().contains("Thăm công trình, giới thiệu máy đo"));
    let activity_count = events.iter().filter(|e| e.get_uid().unwrap().starts_with("activity-")).count();
    assert_eq!(activity_count, 4);
    let window = (today() - Days::new(60)).to_string()..=(today() + Days::new(180)).to_string();
    let expected: Vec<_> = SEEDED_HOLIDAYS.iter().filter(|d| window.contains(&d.to_string())).collect();
    for date in expected {
        let uid = format!("holiday-{date}@atq");
        let holiday = events.iter().find(|e| e.get_uid() == Some(&uid)).unwrap_or_else(|| panic!("{uid} in {text}"));
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        assert_eq!(holiday.get_start(), Some(DatePerhapsTime::Date(day)), "an all-day event");
    }

    let rotated = rep.post("/api/v1/me/calendar/rotate", json!({})).await;
    let new_url = rotated.body["url"].as_str().unwrap();
    let new_path = new_url[new_url.find("/api/").unwrap()..].to_owned();
    assert_ne!(new_path, path);
    assert_eq!(anonymous.download(&path).await.0, StatusCode::NOT_FOUND, "the old address is closed");
    assert_eq!(anonymous.download(&new_path).await.0, StatusCode::OK);
    assert_eq!(anonymous.download("/api/v1/calendar/feeds/0123.ics").await.0, StatusCode::NOT_FOUND);
    let revoked = rep.send(Method::DELETE, "/api/v1/me/calendar", None, &[]).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(anonymous.download(&new_path).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn calendars_show_holidays_and_stay_inside_the_office() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let day = a_working_day(&rep).await;
    let week = format!("from={}&to={}", today() - Days::new(1), today() + Days::new(5));

    let personal = rep.get(&format!("/api/v1/calendar?scope=personal&{week}")).await;
    assert_eq!(personal.status, StatusCode::OK, "{}", personal.body);
    assert_eq!(personal.body["activities"].as_array().unwrap().len(), 4);
    let may_day = rep.get("/api/v1/calendar?scope=team&from=2026-04-27&to=2026-05-03").await;
    let dates: Vec<_> = may_day.body["holidays"].as_array().unwrap().iter().map(|h| h["date"].clone()).collect();
    assert_eq!(dates, ["2026-04-27", "2026-04-30", "2026-05-01"]);
    assert_eq!(may_day.body["holidays"][1]["name_vi"], "Ngày Giải phóng miền Nam");

    let manager = system.login("manager.hn").await;
    let for_colleague = manager
        .post(
            "/api/v1/activities",
            json!({"kind": "task", "subject": "Chuẩn bị hồ sơ thầu", "owner": "sales.hn",
            "planned_at": at(today(), "14:00"), "duration_minutes": 120}),
        )
        .await;
    assert_eq!((for_colleague.status, for_colleague.body["office"].as_str()), (StatusCode::CREATED, Some("HN")));
    let team = manager.get(&format!("/api/v1/calendar?scope=team&{week}")).await;
    assert_eq!(team.body["activities"].as_array().unwrap().len(), 5);
    let not_mine = rep
        .post(
            "/api/v1/activities",
            json!({"kind": "task", "subject": "x", "owner": "manager.hn",
            "planned_at": at(today(), "14:00"), "duration_minutes": 10}),
        )
        .await;
    assert_eq!(not_mine.status, StatusCode::FORBIDDEN, "a rep plans only for themselves");

    let other = system.login("sales.hcm").await;
    for path in [
        format!("/api/v1/calendar?scope=department&{week}"),
        "/api/v1/activities?owner=sales.hn".to_owned(),
        format!("/api/v1/activities/plan?owner=sales.hn&date={}", today()),
        "/api/v1/reports/uncontacted-customers?owner=sales.hn".to_owned(),
    ] {
        let reply = other.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        let items = reply.body.get("activities").or(reply.body.get("items")).unwrap();
        assert_eq!(items.as_array().unwrap().len(), 0, "{path}: {}", reply.body);
    }
    // A control character in an owner filter is a field error, not a failed query.
    for path in [
        "/api/v1/activities?owner=sales%00hn".to_owned(),
        format!("/api/v1/activities/plan?owner=sales%00hn&date={}", today()),
        "/api/v1/reports/uncontacted-customers?owner=sales%00hn".to_owned(),
    ] {
        let reply = other.get(&path).await;
        assert_eq!((reply.status, reply.error_fields()), (StatusCode::BAD_REQUEST, vec!["owner".to_owned()]), "{path}");
    }
    assert_eq!(other.get(&format!("/api/v1/activities/{}", day.visit["id"])).await.status, StatusCode::NOT_FOUND);
    let foreign = other
        .post(
            "/api/v1/activities",
            json!({"kind": "visit", "subject": "x", "customer_id": day.silent["id"],
            "planned_at": at(today(), "14:00"), "duration_minutes": 10}),
        )
        .await;
    assert_eq!((foreign.status, foreign.error_fields()), (StatusCode::BAD_REQUEST, vec!["customer_id".to_owned()]));

    let director = system.login("director").await;
    let company = director.get(&format!("/api/v1/calendar?scope=department&{week}")).await;
    assert_eq!(company.body["activities"].as_array().unwrap().len(), 5);
}

fn assert_shows(page: &atq_tests::web::Page, what: &str, expected: &[&str]) {
    assert_eq!(page.status, StatusCode::OK, "{what}: {}", page.html);
    for text in expected {
        assert!(page.html.contains(text), "{what} shows {text}: {}", page.html);
    }
}

#[tokio::test]
async fn a_rep_plans_and_completes_on_the_pages_and_sees_the_week_with_its_holidays() {
    let system = TestSystem::start().await;
    let rep = system.login("sales.hn").await;
    let day = a_working_day(&rep).await;
    let mut web = atq_tests::web::WebSession::sign_in(&system, "sales.hn", "vi").await;
    let csrf = web.csrf();

    let my_day = web.get("/activities").await;
    assert_shows(
        &my_day,
        "my day in Vietnamese",
        &[
            "href=\"/activities\"",
            "href=\"/calendar\"",
            "Công việc trong ngày",
            "Thăm công trình, giới thiệu máy đo",
            "Đã xong: 0 · Chưa xong: 3",
            "Gọi hỏi công nợ",
            "Quá hạn",
            "Đại lý Thiết bị Hà Đông",
            "Chưa bao giờ",
        ],
    );

    let customer_id = day.silent["id"].to_string();
    let form = web.get(&format!("/activities/new?customer_id={customer_id}&kind=call")).await;
    assert_shows(&form, "the plan form", &["name=\"idempotency_key\"", "Gọi điện", "selected>"]);
    let date = today().to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("idempotency_key", "web-activity-1"),
        ("kind", "call"),
        ("customer_id", customer_id.as_str()),
        ("subject", ""),
        ("date", date.as_str()),
        ("time", "15:30"),
        ("duration_minutes", "20"),
    ];
    let refused = web.post_form("/activities", &fields).await;
    assert_shows(&refused, "a plan without a subject", &["id=\"subject-error\"", "không được để trống"]);
    fields[4] = ("subject", "Gọi nhắc thanh toán");
    let created = web.post_form("/activities", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let path = created.location.clone().unwrap();
    let id = path.strip_prefix("/activities/").unwrap().to_owned();

    let mut english = atq_tests::web::WebSession::sign_in(&system, "sales.hn", "en").await;
    let en_csrf = english.csrf();
    let record = english.get(&path).await;
    assert_shows(
        &record,
        "the planned call",
        &["Gọi nhắc thanh toán", "Planned", "15:30", "20′", "id=\"complete-form\""],
    );
    let opened_at = record.html.split("name=\"opened_at\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let key = format!("complete-{id}-1-{opened_at}");
    let mut done_fields = vec![
        ("csrf", en_csrf.as_str()),
        ("idempotency_key", key.as_str()),
        ("opened_at", opened_at),
        ("version", "1"),
        ("outcome", "reached"),
        ("check_in", "1"),
        ("latitude", "200"),
        ("longitude", "105.8048"),
    ];
    let bad = english.post_form(&format!("{path}/complete"), &done_fields).await;
    assert_shows(&bad, "a position off the globe", &["id=\"latitude-error\""]);
    done_fields[6] = ("latitude", "21.0285");
    let done = english.post_form(&format!("{path}/complete"), &done_fields).await;
    assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some(path.as_str())), "{}", done.html);
    let again = english.post_form(&format!("{path}/complete"), &done_fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "a resubmitted form is the same completion: {}", again.html);
    let record = english.get(&path).await;
    assert_shows(&record, "the done call", &["Done", "Reached", "21.028500, 105.804800", "Checked in at"]);
    assert!(!record.html.contains("id=\"complete-form\""));

    let week = english.get("/calendar?scope=team&week=2026-04-27").await;
    assert_shows(
        &week,
        "a week with holidays",
        &[
            "Public holiday: Hung Kings Commemoration Day (in lieu)",
            "Public holiday: Reunification Day",
            "Monday 2026-04-27",
            "My office",
            "Subscription address",
            "/api/v1/calendar/feeds/",
        ],
    );
    let again = english.get("/calendar").await;
    assert_shows(&again, "the address is shown once", &["shown only once", "Make a new address"]);
    let vietnamese = web.get("/calendar?week=2026-04-27").await;
    assert_shows(&vietnamese, "the week in Vietnamese", &["Nghỉ lễ: Ngày Giải phóng miền Nam", "Thứ Hai 27/04/2026"]);
    let this_week = web.get("/calendar").await;
    assert_shows(&this_week, "this week's activities", &["Thăm công trình, giới thiệu máy đo", "Gọi nhắc thanh toán"]);
}
