//! A browser's side of the web UI for tests: signs in through the login form, keeps the session
//! cookies, and reads pages and posts forms without following redirects, so each step's answer
//! can be checked.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};

use crate::TestSystem;

pub struct WebSession {
    base: String,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
}

/// A page or a form's answer.
pub struct Page {
    pub status: StatusCode,
    /// Where a redirect points, if it is one.
    pub location: Option<String>,
    pub content_type: String,
    pub html: String,
}

impl WebSession {
    /// A browser that has not signed in, asking for pages in `lang` (vi or en).
    pub fn anonymous(system: &TestSystem, lang: &str) -> WebSession {
        let client =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client");
        WebSession { base: system.base.clone(), client, cookies: vec![("atq_lang".into(), lang.into())] }
    }

    /// Signs `username` (password `demo`) in through the login form.
    pub async fn sign_in(system: &TestSystem, username: &str, lang: &str) -> WebSession {
        let mut web = WebSession::anonymous(system, lang);
        let page = web.post_form("/login", &[("username", username), ("password", "demo"), ("next", "/")]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{username} signs in: {}", page.html);
        web
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The session's CSRF value, which every form sends back.
    pub fn csrf(&self) -> String {
        self.cookie("atq_csrf").unwrap_or_default().to_owned()
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep_cookies(&mut self, headers: &reqwest::header::HeaderMap, raw: &mut Vec<String>) {
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or_default().to_owned();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                if !value.is_empty() {
                    self.cookies.push((name.to_owned(), value.to_owned()));
                }
            }
            raw.push(text);
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.client.get(format!("{}{path}", self.base)).header(COOKIE, self.cookie_header());
        self.answer(request).await.0
    }

    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_form_with_cookies(path, fields).await.0
    }

    /// Posts a form; also returns the raw `Set-Cookie` lines of the answer.
    pub async fn post_form_with_cookies(&mut self, path: &str, fields: &[(&str, &str)]) -> (Page, Vec<String>) {
        let request =
            self.client.post(format!("{}{path}", self.base)).header(COOKIE, self.cookie_header()).form(fields);
        self.answer(request).await
    }

    /// Posts a `multipart/form-data` form as a browser sends one: the text `fields`, then one
    /// file under `file_field` with its name, type and bytes.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_field: &str,
        (file_name, content_type, bytes): (&str, &str, &[u8]),
    ) -> Page {
        let boundary = format!("----atq{}", uuid::Uuid::new_v4().simple());
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .header(reqwest::header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.answer(request).await.0
    }

    async fn answer(&mut self, request: reqwest::RequestBuilder) -> (Page, Vec<String>) {
        let response = request.send().await.expect("the gateway answers");
        let mut raw = Vec::new();
        self.keep_cookies(response.headers(), &mut raw);
        let status = response.status();
        let location = response.headers().get(LOCATION).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let html = response.text().await.unwrap_or_default();
        (Page { status, location, content_type, html }, raw)
    }
}
