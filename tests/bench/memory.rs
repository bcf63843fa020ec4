//! The memory and start-up benchmark: runs the real `atq up --demo` binary as a child process on a
//! fresh data directory and reads its resident memory from `/proc`.
//!
//! - Start-up: the first start (migrations, demo users and the demo company loaded) and a restart
//!   on the same data directory, each timed from the spawn until the log says "atq is up" (which
//!   it says once `/readyz` answers 200).
//! - Idle memory: the resident set (VmRSS) a few seconds after the restart.
//! - Logins: `--logins` sign-ins (10,000 by default) at `--concurrency` in flight, with the
//!   resident set printed every tenth of the way and after a pause, as a ratio of the idle figure
//!   (the baseline measured in the same run), and the peak (VmHWM).
//!
//! `cargo build --release -p atq-launcher -p atq-tests`, then
//! `target/release/bench-memory [--logins 10000 --concurrency 4 --atq target/release/atq]`

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use clap::Parser;
use tokio::process::{Child, Command};

#[derive(Parser, Clone, Debug)]
#[command(name = "bench-memory", about = "Start-up time, idle memory and memory after many logins of `atq up --demo`")]
struct Args {
    /// Sign-ins to make after the idle figure.
    #[arg(long, default_value_t = 10_000)]
    logins: usize,
    /// Sign-ins in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// The `atq` binary (default: the one beside this program).
    #[arg(long)]
    atq: Option<PathBuf>,
    /// The gateway's port for the run.
    #[arg(long, default_value_t = 18_391)]
    port: u16,
}

/// The resident set figures of a process, in KiB.
#[derive(Clone, Copy, Debug)]
struct Resident {
    now: u64,
    peak: u64,
    /// Of `now`, memory the process allocated (the rest is mapped files: mostly the binary).
    anonymous: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(args.concurrency >= 1, "--concurrency must be at least 1");
    let atq = match &args.atq {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("atq"),
    };
    ensure!(atq.exists(), "no atq binary at {}: build it with `cargo build --release -p atq-launcher`", atq.display());
    let data_dir = tempfile::tempdir()?;
    let address = format!("127.0.0.1:{}", args.port);
    println!(
        "memory benchmark: {} up --demo, {} logins at concurrency {}",
        atq.display(),
        args.logins,
        args.concurrency
    );

    let (first, first_start) = start(&atq, data_dir.path(), &address).await?;
    stop(first).await?;
    let (mut system, restart) = start(&atq, data_dir.path(), &address).await?;
    println!("start-up (spawn until the log says \"atq is up\"; /readyz then answers 200)");
    println!("  first start, demo loaded  {:>8.0} ms", ms(first_start));
    println!(
        "  restart, same data        {:>8.0} ms ({:.2}x the first start)",
        ms(restart),
        ratio(restart, first_start)
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle = resident(&system)?;
    println!("memory (VmRSS of the atq process)");
    println!(
        "  idle after the restart    {:>8.1} MiB ({:.1} MiB allocated, the rest mapped files)",
        mib(idle.now),
        mib(idle.anonymous)
    );
    let outcome = sign_in_many(&args, &address, &system, idle).await;
    stop_quietly(&mut system).await;
    outcome
}

/// Spawns `atq up --demo` and waits until it is ready; the child and the time it took.
async fn start(atq: &Path, data_dir: &Path, address: &str) -> anyhow::Result<(Child, Duration)> {
    let started = Instant::now();
    let mut child = Command::new(atq)
        .args(["up", "--demo", "--backup-every", "off", "--http", address, "--data-dir"])
        .arg(data_dir)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot run {}", atq.display()))?;
    let (stdout, stderr) = (child.stdout.take().context("no stdout")?, child.stderr.take().context("no stderr")?);
    let (up_tx, up_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(watch_log(stdout, Some(up_tx)));
    tokio::spawn(watch_log(stderr, None));
    tokio::time::timeout(Duration::from_secs(120), up_rx)
        .await
        .context("atq did not say it is up within 120 s")?
        .context("atq ended before it said it is up")?;
    let up = started.elapsed();
    let ready = reqwest::get(format!("http://{address}/readyz")).await?.status();
    ensure!(ready.is_success(), "atq said it is up but /readyz answers {ready}");
    Ok((child, up))
}

/// Reads the process's log to its end, telling `up` when the "atq is up" line appears.
async fn watch_log(stream: impl tokio::io::AsyncRead + Unpin, mut up: Option<tokio::sync::oneshot::Sender<()>>) {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("atq is up")
            && let Some(up) = up.take()
        {
            let _ = up.send(());
        }
    }
}

/// Asks the process to stop the way an operator does (SIGTERM) and waits for it.
async fn stop(mut child: Child) -> anyhow::Result<()> {
    let pid = child.id().context("the atq process has already ended")?;
    let status = Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
    ensure!(status.success(), "kill -TERM {pid} failed");
    tokio::time::timeout(Duration::from_secs(30), child.wait()).await.context("atq did not stop in 30 s")??;
    Ok(())
}

async fn stop_quietly(child: &mut Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status().await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
}

/// Signs in `args.logins` times, printing the resident set every tenth of the way.
async fn sign_in_many(args: &Args, address: &str, system: &Child, idle: Resident) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let url = Arc::new(format!("http://{address}/api/v1/auth/login"));
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let step = (args.logins / 10).max(1);
    let started = Instant::now();
    let mut done = 0;
    while done < args.logins {
        let until = (done + step).min(args.logins);
        let workers = (0..args.concurrency).map(|_| {
            let (client, url, next, failures) = (client.clone(), url.clone(), next.clone(), failures.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < until {
                    let body = serde_json::json!({"username": "sales.hn", "password": "demo"});
                    let answered = client.post(url.as_str()).json(&body).send().await;
                    if !answered.is_ok_and(|response| response.status().is_success()) {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        });
        for worker in workers.collect::<Vec<_>>() {
            worker.await?;
        }
        next.store(until, Ordering::Relaxed);
        done = until;
        let now = resident(system)?;
        println!(
            "  after {done:>6} logins       {:>8.1} MiB ({:.2}x idle)",
            mib(now.now),
            now.now as f64 / idle.now as f64
        );
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let settled = resident(system)?;
    println!(
        "  5 s after the last login  {:>8.1} MiB ({:.2}x idle; {:.1} MiB allocated)",
        mib(settled.now),
        settled.now as f64 / idle.now as f64,
        mib(settled.anonymous)
    );
    println!(
        "  peak (VmHWM)              {:>8.1} MiB ({:.2}x idle)",
        mib(settled.peak),
        settled.peak as f64 / idle.now as f64
    );
    let failed = failures.load(Ordering::Relaxed);
    println!(
        "logins: {} in {:.1} s ({:.0}/s), {failed} not answered 200",
        args.logins,
        elapsed.as_secs_f64(),
        args.logins as f64 / elapsed.as_secs_f64()
    );
    ensure!(failed == 0, "{failed} logins failed");
    Ok(())
}

fn resident(child: &Child) -> anyhow::Result<Resident> {
    let pid = child.id().context("the atq process has ended")?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> anyhow::Result<u64> {
        let line = status.lines().find(|line| line.starts_with(name)).with_context(|| format!("no {name}"))?;
        Ok(line.split_whitespace().nth(1).context("empty line")?.parse()?)
    };
    Ok(Resident { now: field("VmRSS:")?, peak: field("VmHWM:")?, anonymous: field("RssAnon:")? })
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn ratio(part: Duration, whole: Duration) -> f64 {
    part.as_secs_f64() / whole.as_secs_f64()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
