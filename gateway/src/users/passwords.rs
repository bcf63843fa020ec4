//! Password hashing (argon2id) and the rules a new password must meet: long enough, not one of the
//! passwords people use most, not the username.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub const MIN_CHARS: usize = 10;
/// Far above any passphrase, and bounds what a hash has to read.
pub const MAX_BYTES: usize = 1024;

/// The most common passwords (lower case), Vietnamese favourites among them.
static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("common_passwords.txt").lines().map(str::trim).filter(|l| !l.is_empty()).collect());

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| anyhow::anyhow!("cannot hash password: {error}"))
}

/// Hashes on a blocking thread: argon2id is deliberately slow.
pub async fn hash_password_off_thread(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await?
}

/// Verifies on a blocking thread: argon2id is deliberately slow.
pub async fn password_matches(hash: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// Why `password` may not be `username`'s new password, if it may not.
pub fn weakness(password: &str, username: &str) -> Option<String> {
    let chars = password.chars().count();
    if password.len() > MAX_BYTES {
        return Some(format!("must be at most {MAX_BYTES} bytes"));
    }
    if chars < MIN_CHARS {
        return Some(format!("must be at least {MIN_CHARS} characters"));
    }
    let folded = password.to_lowercase();
    if COMMON.contains(folded.as_str()) {
        return Some("is one of the most common passwords; choose another".into());
    }
    if !username.is_empty() && folded.contains(&username.to_lowercase()) {
        return Some("must not contain the username".into());
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(c)) {
        return Some("must not repeat one character".into());
    }
    None
}

/// A temporary password an administrator hands over; the user must change it at sign-in.
/// Letters and digits that cannot be confused with each other when read aloud or copied.
pub fn temporary() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 14];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert!(weakness("short", "an").unwrap().contains("at least 10"));
        assert!(weakness("1234567890", "an").unwrap().contains("most common"));
        assert!(weakness("Password123", "an").unwrap().contains("most common"));
        assert!(weakness("nguyen.an-2026!", "nguyen.an").unwrap().contains("username"));
        assert!(weakness("aaaaaaaaaaaa", "an").unwrap().contains("repeat"));
        assert!(weakness(&"x".repeat(2000), "an").unwrap().contains("bytes"));
        assert_eq!(weakness("mùa thu Hà Nội 1984", "an"), None);
    }

    #[test]
    fn temporary_passwords_meet_the_rules_and_differ() {
        let (first, second) = (temporary(), temporary());
        assert_ne!(first, second);
        assert_eq!(first.len(), 14);
        assert_eq!(weakness(&first, "someone"), None);
    }
}
