//! A person at the browser: opens pages, waits for what they expect to see (polling, never a long
//! sleep), clicks, types, and after every step keeps a screenshot and reads the browser console.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use base64::Engine;
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::chrome::ChromeDriver;

/// How long a person waits for a page or a part of it before calling it broken.
const PATIENCE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

pub struct Browser {
    client: Client,
    base: String,
    shots: PathBuf,
    taken: usize,
    driver: ChromeDriver,
}

impl Browser {
    /// A fresh headless Chromium pointed at `base`; screenshots and the driver's log go to `shots`.
    pub async fn start(base: &str, shots: &Path) -> anyhow::Result<Browser> {
        let mut driver = ChromeDriver::start(shots).await?;
        let client = driver.open_session().await?;
        Ok(Browser {
            client,
            base: base.trim_end_matches('/').to_owned(),
            shots: shots.to_path_buf(),
            taken: 0,
            driver,
        })
    }

    /// Ends the session (the browser quits) and then the driver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let closed = self.client.clone().close().await;
        self.driver.session_closed();
        closed.with_context(|| format!("closing the browser session (chromedriver port {})", self.driver.port()))
    }

    pub async fn open(&self, path: &str) -> anyhow::Result<()> {
        self.client.goto(&format!("{}{path}", self.base)).await.with_context(|| format!("opening {path}"))?;
        self.wait_until_loaded().await
    }

    /// The current page's path and query, e.g. `/customers?q=nguyen`.
    pub async fn here(&self) -> anyhow::Result<String> {
        let url = self.client.current_url().await.context("the current URL")?;
        Ok(match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        })
    }

    /// Waits until the page is `{prefix}{id}` and returns the id.
    pub async fn wait_for_record(&self, prefix: &str) -> anyhow::Result<i64> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let here = self.here().await?;
            if let Some(id) = here.strip_prefix(prefix).and_then(|rest| rest.parse::<i64>().ok()) {
                self.wait_until_loaded().await?;
                return Ok(id);
            }
            anyhow::ensure!(Instant::now() < deadline, "expected a page {prefix}{{id}}, still on {here}");
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn wait_for_path(&self, path: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let here = self.here().await?;
            if here.split('?').next() == Some(path) {
                return self.wait_until_loaded().await;
            }
            anyhow::ensure!(Instant::now() < deadline, "expected the page {path}, still on {here}");
            tokio::time::sleep(POLL).await;
        }
    }

    /// A visible element, waited for.
    pub async fn find(&self, css: &str) -> anyhow::Result<Element> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && element.is_displayed().await.unwrap_or(false)
            {
                return Ok(element);
            }
            if Instant::now() >= deadline {
                let here = self.here().await.unwrap_or_default();
                anyhow::bail!("no visible `{css}` on {here} after {} s", PATIENCE.as_secs());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    pub async fn find_all(&self, css: &str) -> anyhow::Result<Vec<Element>> {
        self.client.find_all(Locator::Css(css)).await.with_context(|| format!("finding `{css}`"))
    }

    pub async fn text_of(&self, css: &str) -> anyhow::Result<String> {
        Ok(self.find(css).await?.text().await?)
    }

    /// Waits until the element's text contains `needle`; returns that text.
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> anyhow::Result<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text_of(css).await?;
            if text.contains(needle) {
                return Ok(text);
            }
            if Instant::now() >= deadline {
                let here = self.here().await.unwrap_or_default();
                anyhow::bail!("`{css}` on {here} does not show {needle:?}; it shows:\n{text}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Replaces a field's text as a person types it.
    pub async fn type_into(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let field = self.find(css).await?;
        field.clear().await.with_context(|| format!("clearing `{css}`"))?;
        field.send_keys(text).await.with_context(|| format!("typing into `{css}`"))
    }

    pub async fn choose(&self, css: &str, value: &str) -> anyhow::Result<()> {
        let select = self.find(css).await?;
        select.select_by_value(value).await.with_context(|| format!("`{css}` has no option with the value {value:?}"))
    }

    /// Clicks something that loads a new page (a link, a form's button, a redirect back to the same
    /// URL) and waits until the new document has loaded.
    pub async fn click_to_load(&self, css: &str) -> anyhow::Result<()> {
        let element = self.find(css).await?;
        self.follow(element, css).await
    }

    pub async fn follow(&self, element: Element, what: &str) -> anyhow::Result<()> {
        self.client.execute("window.__atqLeaving = true;", vec![]).await.context("marking the page")?;
        element.click().await.with_context(|| format!("clicking `{what}`"))?;
        let deadline = Instant::now() + PATIENCE;
        loop {
            let script = "return window.__atqLeaving !== true && document.readyState === 'complete';";
            // While the page changes, a script may find no document to run in: not loaded yet.
            if let Ok(Value::Bool(true)) = self.client.execute(script, vec![]).await {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "clicking `{what}` loaded no new page");
            tokio::time::sleep(POLL).await;
        }
    }

    async fn wait_until_loaded(&self) -> anyhow::Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(Value::Bool(true)) =
                self.client.execute("return document.readyState === 'complete';", vec![]).await
            {
                return Ok(());
            }
            anyhow::ensure!(Instant::now() < deadline, "the page did not finish loading");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs a script in the page and returns its value.
    pub async fn run(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        self.client.execute(script, args).await.context("running a script in the page")
    }

    /// Sets the browser window to `width` x `height` and returns the size it had.
    pub async fn resize(&self, width: u32, height: u32) -> anyhow::Result<(u64, u64)> {
        let before = self.client.get_window_size().await.context("reading the window size")?;
        self.client.set_window_size(width, height).await.context("resizing the window")?;
        Ok(before)
    }

    /// Keeps a screenshot of the step and fails on any error in the browser console since the last
    /// step.
    pub async fn step(&mut self, name: &str) -> anyhow::Result<()> {
        let file = self.screenshot(name).await?;
        println!("step {name}: {}", file.display());
        let errors = self.console_errors().await?;
        anyhow::ensure!(errors.is_empty(), "browser console errors at step {name}:\n{errors:#?}");
        Ok(())
    }

    pub async fn screenshot(&mut self, name: &str) -> anyhow::Result<PathBuf> {
        self.taken += 1;
        let file = self.shots.join(format!("{:02}-{name}.png", self.taken));
        let png = self.client.screenshot().await.context("taking a screenshot")?;
        std::fs::write(&file, png).with_context(|| format!("writing {}", file.display()))?;
        Ok(file)
    }

    /// The console's errors (level SEVERE) since they were last read.
    async fn console_errors(&self) -> anyhow::Result<Vec<String>> {
        let entries = self.client.issue_cmd(BrowserLog).await.context("reading the browser console")?;
        let entries = entries.as_array().cloned().unwrap_or_default();
        Ok(entries
            .iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect())
    }

    /// Downloads `href` with the page's own cookies (a script in the page fetches it); returns the
    /// content type and the bytes.
    pub async fn download(&self, href: &str) -> anyhow::Result<(String, Vec<u8>)> {
        let script = r#"
            const [href, done] = [arguments[0], arguments[arguments.length - 1]];
            fetch(href, {credentials: 'same-origin'})
              .then(async reply => {
                const bytes = new Uint8Array(await reply.arrayBuffer());
                let binary = '';
                for (let i = 0; i < bytes.length; i += 0x8000) {
                  binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
                }
                done({status: reply.status, type: reply.headers.get('content-type') || '', base64: btoa(binary)});
              })
              .catch(error => done({error: String(error)}));
        "#;
        let answer = self.client.execute_async(script, vec![json!(href)]).await.context("fetching in the page")?;
        anyhow::ensure!(answer["error"].is_null(), "fetching {href} failed: {}", answer["error"]);
        anyhow::ensure!(answer["status"] == 200, "fetching {href}: HTTP {}", answer["status"]);
        let encoded = answer["base64"].as_str().context("no body")?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).context("decoding the body")?;
        Ok((answer["type"].as_str().unwrap_or_default().to_owned(), bytes))
    }

    pub fn output_folder(&self) -> &Path {
        &self.shots
    }
}

/// chromedriver's own command for the browser console (`goog:loggingPrefs` must ask for it);
/// reading empties it.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}
