//! The signing keys: an access token or a caller identity signed with a short or published key can
//! be forged by anyone who guesses it, so outside the demo the system refuses to start with one.
//! A key written for a single-machine install is readable by its owner only.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

/// The shortest key accepted: 32 bytes, as long as the HS256 signature it keys.
pub const MIN_KEY_BYTES: usize = 32;

/// Text found in the placeholder keys of the example and deployment files.
const PLACEHOLDER_MARKS: &[&str] = &["replace", "change-me", "changeme", "dev-only", "example", "secret"];

/// Refuses `key` (named `setting`, e.g. `ATQ_TOKEN_KEY`) when it is too short or a placeholder,
/// unless the process runs the demo.
pub fn check(setting: &str, key: &str, demo: bool) -> anyhow::Result<()> {
    if demo {
        return Ok(());
    }
    if key.len() < MIN_KEY_BYTES {
        bail!("{setting} must be at least {MIN_KEY_BYTES} bytes of random text (e.g. `openssl rand -hex 32`)");
    }
    let lower = key.to_lowercase();
    if let Some(mark) = PLACEHOLDER_MARKS.iter().find(|mark| lower.contains(*mark)) {
        bail!("{setting} looks like a placeholder (it contains {mark:?}): set it to random text of your own");
    }
    Ok(())
}

/// Writes a new key file that only its owner may read or write.
pub fn write_private(path: &Path, key: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).with_context(|| format!("cannot write {}", path.display()))?;
    file.write_all(key.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    restrict(path)
}

/// Makes an existing key file private (one written by an earlier version was world-readable).
pub fn restrict(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_or_placeholder_keys_are_refused_outside_the_demo() {
        assert!(check("ATQ_TOKEN_KEY", "a", false).is_err());
        assert!(check("ATQ_TOKEN_KEY", "REPLACE-WITH-ANOTHER-LONG-RANDOM-STRING", false).is_err());
        assert!(check("ATQ_INTERNAL_KEY", "dev-only-internal-key-change-me-please-now", false).is_err());
        assert!(check("ATQ_TOKEN_KEY", "9f2c1e7a4b8d03f6a5c2e9d1b7f40a38", false).is_ok());
        assert!(check("ATQ_TOKEN_KEY", "a", true).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_readable_by_their_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("token.key");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, "9f2c1e7a4b8d03f6a5c2e9d1b7f40a38").unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "9f2c1e7a4b8d03f6a5c2e9d1b7f40a38");
    }
}
