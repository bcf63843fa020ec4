//! chromedriver as a child process on a free loopback port, and a headless Chromium session on it.
//! Whatever happens to the test, the guard's `Drop` ends the browser session and the driver.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Fails, never skips: a machine without the browser cannot vouch for the web UI.
pub fn require_installed() -> anyhow::Result<()> {
    for program in [CHROMIUM, CHROMEDRIVER] {
        anyhow::ensure!(
            Path::new(program).exists(),
            "{program} is missing: the browser test needs the Debian packages chromium and chromium-driver \
             (apt-get install -y chromium chromium-driver; CI installs them)"
        );
    }
    Ok(())
}

/// The running chromedriver, the profile folder of its browser, and the session once one is open.
pub struct ChromeDriver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
    session: Option<String>,
}

impl ChromeDriver {
    /// Starts chromedriver (its log in `log_dir`) and waits until it answers.
    pub async fn start(log_dir: &Path) -> anyhow::Result<ChromeDriver> {
        require_installed()?;
        let profile = tempfile::Builder::new().prefix("atq-chromium-").tempdir().context("browser profile folder")?;
        let port = free_port()?;
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log_dir.join("chromedriver.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {CHROMEDRIVER}"))?;
        let driver = ChromeDriver { child, port, profile, session: None };
        driver.wait_until_ready().await?;
        Ok(driver)
    }

    async fn wait_until_ready(&self) -> anyhow::Result<()> {
        let status = format!("http://127.0.0.1:{}/status", self.port);
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(reply) = http.get(&status).send().await
                && let Ok(body) = reply.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("chromedriver did not answer on port {} within 10 s", self.port)
    }

    /// Opens a session: headless Chromium in Vietnamese, with the browser console kept for reading.
    pub async fn open_session(&mut self) -> anyhow::Result<Client> {
        let capabilities = match self.capabilities() {
            Value::Object(map) => map,
            _ => anyhow::bail!("capabilities are an object"),
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("opening a Chromium session through chromedriver")?;
        self.session = client.session_id().await.context("the session's id")?;
        Ok(client)
    }

    fn capabilities(&self) -> Value {
        let profile = format!("--user-data-dir={}", self.profile.path().display());
        json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--window-size=1280,900", "--lang=vi-VN", profile,
                ],
                "prefs": {"intl.accept_languages": "vi-VN,vi"},
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        })
    }

    /// The session was closed through WebDriver: nothing left for `Drop` to end but the driver.
    pub fn session_closed(&mut self) {
        self.session = None;
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            delete_session(self.port, &session);
        }
        if let Err(error) = self.child.kill() {
            eprintln!("stopping chromedriver (pid {}): {error}", self.child.id());
        }
        let _ = self.child.wait();
        end_browsers_using(self.profile.path());
    }
}

/// A port the system gave and took back; chromedriver binds it a moment later.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Ends a session from `Drop`, where nothing async can run: a plain HTTP/1.1 DELETE, after which
/// chromedriver quits the browser it started.
fn delete_session(port: u16, session: &str) {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{session} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

/// Browser processes still running on this test's own profile folder (a driver killed mid-session
/// leaves them behind), each ended by its id.
fn end_browsers_using(profile: &Path) {
    let marker = format!("--user-data-dir={}", profile.display());
    let Ok(processes) = std::fs::read_dir("/proc") else {
        return;
    };
    for process in processes.flatten() {
        let Some(pid) = process.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else {
            continue;
        };
        let command_line =
            std::fs::read(PathBuf::from("/proc").join(pid.to_string()).join("cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&command_line).contains(&marker) {
            let _ = Command::new("kill").arg("-KILL").arg(pid.to_string()).status();
        }
    }
}
