//! Slows password guessing down without letting a guesser lock the real user out.
//!
//! Failed sign-ins are counted three ways: per (account, client address), per client address
//! (one address trying many accounts) and per account from anywhere (many addresses trying one
//! account; a looser cap, so a guesser cannot cheaply block a user who signs in from elsewhere).
//! Past a few free failures a key must wait a delay that doubles with each further failure, up
//! to a quarter of an hour; a success forgets its pair's failures, and a key quiet for a quarter
//! of an hour is forgotten. The counts live in this replica's memory, bounded in size. Behind a
//! proxy the client's address comes from `X-Forwarded-For` when the proxy is trusted
//! ([`trusted_proxies`]).
//!
//! Password hashes run a bounded number at a time: argon2id takes about 19 MiB and a core for
//! each, so a burst of sign-ins waits briefly and is then refused rather than exhausting memory.

pub mod trusted_proxies;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How many failures a key has for free, and then how long the first wait is.
#[derive(Clone, Copy, Debug)]
struct Limit {
    free_failures: u32,
    first_delay: Duration,
}

const PER_PAIR: Limit = Limit { free_failures: 5, first_delay: Duration::from_secs(1) };
const PER_CLIENT: Limit = Limit { free_failures: 20, first_delay: Duration::from_secs(1) };
const PER_ACCOUNT: Limit = Limit { free_failures: 100, first_delay: Duration::from_secs(1) };
const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Failures older than this (counted from the last one) are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);
/// Keys kept at most; past it the stalest is dropped.
const MAX_KEYS: usize = 100_000;
/// How long a sign-in waits for a free hashing slot before it is refused.
const HASH_WAIT: Duration = Duration::from_secs(2);

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
enum Key {
    Pair(String, IpAddr),
    Client(IpAddr),
    Account(String),
}

impl Key {
    fn limit(&self) -> Limit {
        match self {
            Key::Pair(..) => PER_PAIR,
            Key::Client(_) => PER_CLIENT,
            Key::Account(_) => PER_ACCOUNT,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Failures {
    count: u32,
    last: Instant,
}

impl Failures {
    /// Until when the key must wait, if it must.
    fn wait_until(&self, limit: Limit) -> Option<Instant> {
        let over = self.count.checked_sub(limit.free_failures)?;
        let factor = 1_u32.checked_shl(over).unwrap_or(u32::MAX);
        let delay = limit.first_delay.checked_mul(factor).unwrap_or(MAX_DELAY).min(MAX_DELAY);
        Some(self.last + delay)
    }
}

/// Refused: try again after this long.
#[derive(Debug, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, at least one, for a `Retry-After` header.
    pub fn seconds(&self) -> u64 {
        self.0.as_secs() + u64::from(self.0.subsec_nanos() > 0)
    }
}

pub struct LoginGuard {
    failures: Mutex<HashMap<Key, Failures>>,
    hashing: Arc<Semaphore>,
}

impl Default for LoginGuard {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        LoginGuard::new(cores.clamp(2, 8))
    }
}

impl LoginGuard {
    /// A guard letting `concurrent_hashes` password checks run at once.
    pub fn new(concurrent_hashes: usize) -> Self {
        LoginGuard { failures: Mutex::new(HashMap::new()), hashing: Arc::new(Semaphore::new(concurrent_hashes)) }
    }

    fn keys(username: &str, client: IpAddr) -> [Key; 3] {
        [Key::Pair(username.to_owned(), client), Key::Client(client), Key::Account(username.to_owned())]
    }

    /// Whether `client` may try `username` now.
    pub fn check(&self, username: &str, client: IpAddr) -> Result<(), RetryAfter> {
        self.check_at(username, client, Instant::now())
    }

    fn check_at(&self, username: &str, client: IpAddr, now: Instant) -> Result<(), RetryAfter> {
        let failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let until = Self::keys(username, client)
            .iter()
            .filter_map(|key| failures.get(key).and_then(|f| f.wait_until(key.limit())))
            .max();
        match until {
            Some(until) if until > now => Err(RetryAfter(until - now)),
            _ => Ok(()),
        }
    }

    /// Counts a wrong password (or unknown user).
    pub fn failed(&self, username: &str, client: IpAddr) {
        self.failed_at(username, client, Instant::now());
    }

    fn failed_at(&self, username: &str, client: IpAddr, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for key in Self::keys(username, client) {
            if !failures.contains_key(&key) && failures.len() >= MAX_KEYS {
                make_room(&mut failures, now);
            }
            let entry = failures.entry(key).or_insert(Failures { count: 0, last: now });
            if now.duration_since(entry.last) > FORGET_AFTER {
                entry.count = 0;
            }
            entry.count = entry.count.saturating_add(1);
            entry.last = now;
        }
    }

    /// A right password: the pair starts afresh (the address and the account keep their counts).
    pub fn succeeded(&self, username: &str, client: IpAddr) {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        failures.remove(&Key::Pair(username.to_owned(), client));
    }

    /// A slot to hash a password in, waiting briefly for one; None when all stay busy.
    pub async fn hashing_slot(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(HASH_WAIT, self.hashing.clone().acquire_owned()).await.ok()?.ok()
    }
}

/// Forgets the keys quiet for long enough; if none is, the stalest one.
fn make_room(failures: &mut HashMap<Key, Failures>, now: Instant) {
    failures.retain(|_, f| now.duration_since(f.last) <= FORGET_AFTER);
    if failures.len() >= MAX_KEYS
        && let Some(stalest) = failures.iter().min_by_key(|(_, f)| f.last).map(|(key, _)| key.clone())
    {
        failures.remove(&stalest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATTACKER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const USER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    fn seconds(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn delays_grow_with_each_failure_past_the_free_ones() {
        let guard = LoginGuard::new(1);
        let start = Instant::now();
        for _ in 0..PER_PAIR.free_failures {
            assert_eq!(guard.check_at("sales.hn", ATTACKER, start), Ok(()));
            guard.failed_at("sales.hn", ATTACKER, start);
        }
        assert_eq!(guard.check_at("sales.hn", ATTACKER, start).unwrap_err().seconds(), 1);
        assert_eq!(guard.check_at("sales.hn", ATTACKER, start + seconds(1)), Ok(()));
        guard.failed_at("sales.hn", ATTACKER, start + seconds(1));
        assert_eq!(guard.check_at("sales.hn", ATTACKER, start + seconds(1)).unwrap_err().seconds(), 2);
        guard.failed_at("sales.hn", ATTACKER, start + seconds(3));
        assert_eq!(guard.check_at("sales.hn", ATTACKER, start + seconds(3)).unwrap_err().seconds(), 4);
        // The same account from elsewhere is not held up.
        assert_eq!(guard.check_at("sales.hn", USER, start + seconds(3)), Ok(()));
        // Nor is the attacker's address towards another account, until it has tried many.
        assert_eq!(guard.check_at("import", ATTACKER, start + seconds(3)), Ok(()));
    }

    #[test]
    fn a_success_forgets_the_pair_and_quiet_keys_are_forgotten() {
        let guard = LoginGuard::new(1);
        let start = Instant::now();
        for _ in 0..PER_PAIR.free_failures {
            guard.failed_at("director", USER, start);
        }
        assert!(guard.check_at("director", USER, start).is_err());
        guard.succeeded("director", USER);
        assert_eq!(guard.check_at("director", USER, start), Ok(()));
        for _ in 0..PER_PAIR.free_failures {
            guard.failed_at("director", USER, start);
        }
        let later = start + FORGET_AFTER + seconds(1);
        guard.failed_at("director", USER, later);
        assert_eq!(guard.check_at("director", USER, later), Ok(()), "old failures no longer count");
    }

    #[test]
    fn one_address_trying_many_accounts_is_slowed_down_too() {
        let guard = LoginGuard::new(1);
        let start = Instant::now();
        for n in 0..PER_CLIENT.free_failures {
            guard.failed_at(&format!("user{n}"), ATTACKER, start);
        }
        assert!(guard.check_at("someone.new", ATTACKER, start).is_err());
        assert_eq!(guard.check_at("someone.new", USER, start), Ok(()));
    }

    #[test]
    fn many_addresses_trying_one_account_are_capped_more_loosely() {
        let guard = LoginGuard::new(1);
        let start = Instant::now();
        for n in 0..PER_ACCOUNT.free_failures {
            let address = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_1000 + n));
            guard.failed_at("director", address, start);
        }
        assert!(guard.check_at("director", USER, start).is_err());
    }

    #[tokio::test]
    async fn hashing_slots_are_bounded() {
        let guard = LoginGuard::new(1);
        let held = guard.hashing_slot().await.expect("a free slot");
        assert!(guard.hashing_slot().await.is_none(), "a second hash at once waits, then gives up");
        drop(held);
        assert!(guard.hashing_slot().await.is_some());
    }

    #[test]
    fn the_delay_is_capped() {
        let now = Instant::now();
        let failures = Failures { count: 200, last: now };
        assert_eq!(failures.wait_until(PER_PAIR), Some(now + MAX_DELAY));
    }

    #[test]
    fn the_keys_kept_are_bounded() {
        let mut failures = HashMap::new();
        let now = Instant::now();
        for n in 0..MAX_KEYS {
            failures.insert(Key::Account(n.to_string()), Failures { count: 1, last: now });
        }
        make_room(&mut failures, now);
        assert_eq!(failures.len(), MAX_KEYS - 1);
    }
}
