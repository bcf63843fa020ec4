//! The sales rep's part: signing in, finding and adding a customer, and taking a quote through to
//! a dispatch request.

use crate::browser::Browser;
use crate::setup::{Facts, WAREHOUSE};

/// The customer the rep adds; the invoice is found by this name later.
pub const NEW_CUSTOMER: &str = "Trung tâm Kiểm định Chất lượng Xây dựng Thăng Long";

/// What the rep's clicks made.
pub struct Sale {
    pub order_id: i64,
    pub dispatch_id: i64,
}

pub async fn sign_in(browser: &mut Browser, username: &str) -> anyhow::Result<()> {
    browser.open("/login").await?;
    let lang = browser.run("return document.documentElement.lang;", vec![]).await?;
    anyhow::ensure!(lang == "vi", "the sign-in page should be in Vietnamese, its lang is {lang}");
    browser.type_into("#username", username).await?;
    browser.type_into("#password", "demo").await?;
    browser.click_to_load("form[action='/login'] button[type=submit]").await?;
    browser.wait_for_path("/").await?;
    browser.find("header .user").await?;
    browser.step(&format!("home-{username}")).await
}

pub async fn sign_out(browser: &mut Browser, username: &str) -> anyhow::Result<()> {
    browser.click_to_load("form[action='/logout'] button[type=submit]").await?;
    browser.wait_for_path("/login").await?;
    browser.step(&format!("signed-out-{username}")).await
}

/// Types a name without its diacritics into the search box; the list under it is replaced in place.
pub async fn search_customers(browser: &mut Browser) -> anyhow::Result<()> {
    browser.open("/customers").await?;
    browser.step("customers").await?;
    // The swap replaces #results whole: the marked one going means the answer has come.
    browser.run("document.querySelector('#results').dataset.beforeSearch = 'yes';", vec![]).await?;
    browser.type_into("#q", "nguyen van").await?;
    browser.find("#results:not([data-before-search])").await?;
    browser.wait_for_text("#results", "Nguyễn Văn").await?;
    let here = browser.here().await?;
    anyhow::ensure!(here.contains("q=nguyen"), "the search should be in the address bar, which shows {here}");
    browser.step("customers-search").await
}

/// Adds a customer, first with a phone number the API refuses; returns the new customer's id.
pub async fn add_customer(browser: &mut Browser) -> anyhow::Result<i64> {
    browser.open("/customers/new").await?;
    browser.type_into("input[name=name]", NEW_CUSTOMER).await?;
    browser.choose("select[name=group]", "project").await?;
    browser.type_into("input[name=phone]", "12345").await?;
    browser.type_into("input[name=address]", "Số 1 Đại Cồ Việt, Hai Bà Trưng, Hà Nội").await?;
    browser.step("customer-form").await?;
    browser.click_to_load("button[type=submit].primary").await?;
    let message = browser.text_of("#phone-error").await?;
    anyhow::ensure!(
        !message.trim().is_empty() && !message.is_ascii(),
        "#phone-error should explain in Vietnamese, it says {message:?}"
    );
    browser.step("customer-phone-refused").await?;
    browser.type_into("input[name=phone]", "0912345678").await?;
    browser.click_to_load("button[type=submit].primary").await?;
    let id = browser.wait_for_record("/customers/").await?;
    browser.wait_for_text("main", NEW_CUSTOMER).await?;
    browser.step("customer-added").await?;
    Ok(id)
}

/// A quote for one unit, sent, accepted, turned into an order from the Hà Nội warehouse, confirmed,
/// and its dispatch requested.
pub async fn sell(browser: &mut Browser, customer_id: i64, facts: &Facts) -> anyhow::Result<Sale> {
    browser.open(&format!("/quotes/new?customer_id={customer_id}")).await?;
    browser.choose("select[name=product_id]", &facts.product_id.to_string()).await?;
    browser.type_into("input[name=quantity]", "1").await?;
    browser.step("quote-form").await?;
    browser.click_to_load("form:has(select[name=product_id]) button[type=submit]").await?;
    browser.wait_for_record("/quotes/").await?;
    browser.wait_for_text("main", &facts.product_name).await?;
    browser.step("quote-saved").await?;
    act(browser, "#send-quote", "Đã gửi", "quote-sent").await?;
    act(browser, "#accept-quote", "Đã chấp nhận", "quote-accepted").await?;
    browser.choose("#warehouse", WAREHOUSE).await?;
    browser.click_to_load("#make-order").await?;
    let order_id = browser.wait_for_record("/orders/").await?;
    browser.step("order").await?;
    act(browser, "#confirm-order", "Đã xác nhận", "order-confirmed").await?;
    browser.click_to_load("#request-dispatch").await?;
    let dispatch_id = browser.wait_for_record("/dispatch-orders/").await?;
    browser.wait_for_text("main", "Chờ duyệt").await?;
    browser.step("dispatch-requested").await?;
    Ok(Sale { order_id, dispatch_id })
}

/// Clicks an action's button; the page comes back showing the record's new status.
pub async fn act(browser: &mut Browser, button: &str, status: &str, step: &str) -> anyhow::Result<()> {
    browser.click_to_load(button).await?;
    browser.wait_for_text("main", status).await?;
    browser.step(step).await
}

/// The page's width in CSS pixels as the browser lays it out, and the width of the viewport.
async fn widths(browser: &Browser) -> anyhow::Result<(i64, i64)> {
    let script = "return [document.documentElement.scrollWidth, window.innerWidth];";
    let widths = browser.run(script, vec![]).await?;
    let width = |i: usize| widths[i].as_i64().unwrap_or(i64::MAX);
    Ok((width(0), width(1)))
}

/// A sales rep on a phone (390 x 844 CSS pixels): the customer list and the quote form fit the
/// screen's width, with nothing to scroll sideways.
pub async fn on_a_phone(browser: &mut Browser, customer_id: i64) -> anyhow::Result<()> {
    let (width, height) = browser.resize(390, 844).await?;
    for (path, step) in [
        ("/customers".to_owned(), "phone-customers"),
        (format!("/quotes/new?customer_id={customer_id}"), "phone-quote-form"),
    ] {
        browser.open(&path).await?;
        let (page, viewport) = widths(browser).await?;
        anyhow::ensure!(viewport <= 400, "the window should be phone-sized, its viewport is {viewport} px wide");
        anyhow::ensure!(page <= viewport, "{path} is {page} px wide on a {viewport} px screen: it scrolls sideways");
        browser.step(step).await?;
    }
    let (width, height) = (u32::try_from(width).unwrap_or(1280), u32::try_from(height).unwrap_or(1024));
    browser.resize(width, height).await.map(|_| ())
}
