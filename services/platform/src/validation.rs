//! Collects every field problem of a request, so the caller learns all of them at once.

use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, FieldError};

#[derive(Debug, Default)]
pub struct Violations(Vec<FieldError>);

impl Violations {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// Keeps the parsed value, or records the message against the field.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn finish(self) -> Result<(), Error> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::Invalid(self.0)) }
    }
}

/// A list's status filter: empty (any) or one of `allowed`.
pub fn status_filter(v: &mut Violations, text: &str, allowed: &[&str]) -> String {
    let wanted = text.trim();
    if !wanted.is_empty() && !allowed.contains(&wanted) {
        v.add("status", format!("must be one of {}", allowed.join(", ")));
    }
    wanted.to_owned()
}

/// Trimmed text with inner runs of white space folded, 1 to `max` characters.
/// A document's number as another document names it ("DH-2026-0007", "HD-2026-0003"): 1 to 64
/// visible ASCII characters. `what` says whose number it must be, for the message.
pub fn document_ref(text: &str, what: &str) -> Result<String, String> {
    let value = text.trim();
    if (1..=64).contains(&value.len()) && value.chars().all(|c| c.is_ascii_graphic()) {
        Ok(value.to_owned())
    } else {
        Err(format!("must be {what} (1 to 64 visible characters)"))
    }
}

/// Characters that show nothing: whitespace, zero-width spaces and joiners, and the byte-order
/// mark that a pasted spreadsheet cell may carry.
fn is_blank(character: char) -> bool {
    character.is_whitespace() || matches!(character, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Text as people read it: runs of blank characters folded into one space and trimmed, control
/// characters refused, and the result in NFC, so the same name typed two ways is stored once.
pub fn required_text(text: &str, max: usize) -> Result<String, String> {
    if text.chars().any(|character| character.is_control() && !character.is_whitespace()) {
        return Err("must not contain control characters".into());
    }
    let folded = text.split(is_blank).filter(|word| !word.is_empty()).collect::<Vec<_>>().join(" ");
    let value: String = folded.nfc().collect();
    match value.chars().count() {
        0 => Err("must not be empty".into()),
        n if n > max => Err(format!("must be at most {max} characters")),
        _ => Ok(value),
    }
}

/// Like [`required_text`], but empty is allowed.
pub fn optional_text(text: &str, max: usize) -> Result<String, String> {
    if text.chars().all(is_blank) { Ok(String::new()) } else { required_text(text, max) }
}

/// An email address, or empty.
pub fn optional_email(text: &str) -> Result<String, String> {
    let email = text.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    email_address::EmailAddress::parse_with_options(email, email_address::Options::default().without_display_text())
        .map(|parsed| parsed.as_str().to_owned())
        .map_err(|_| "must be an email address like name@example.vn".into())
}

/// A Vietnamese phone number in its national form: 10 digits from 0 (11 for old landlines from
/// 02), or +84 and the rest; spaces, dots, dashes and brackets are dropped.
pub fn phone_number(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
    let national = match compact.strip_prefix("+84") {
        Some(rest) => format!("0{rest}"),
        None => compact,
    };
    let digits_only = national.chars().all(|c| c.is_ascii_digit());
    let valid = digits_only
        && national.starts_with('0')
        && (national.len() == 10 || (national.len() == 11 && national.starts_with("02")));
    if valid { Ok(national) } else { Err("must be 10 digits starting with 0, or +84 followed by 9 digits".into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("  Máy  đo   độ nhớt ", 50), Ok("Máy đo độ nhớt".into()));
        assert!(required_text("   ", 50).is_err());
        assert!(required_text("abcdef", 5).is_err());
        assert_eq!(optional_text("  ", 5), Ok(String::new()));
    }

    #[test]
    fn names_of_invisible_characters_or_with_control_characters_are_refused() {
        assert!(required_text("\u{200B}\u{FEFF} \u{2060}", 50).is_err());
        assert!(required_text("Fann\u{0}Instruments", 50).is_err());
        assert!(required_text("Fann\u{1b}[31m", 50).is_err());
        assert_eq!(required_text("\u{FEFF}Công ty\u{200B} Fann", 50), Ok("Công ty Fann".into()));
        assert_eq!(optional_text("\u{FEFF}", 5), Ok(String::new()));
    }

    #[test]
    fn names_are_stored_in_one_unicode_form() {
        // "Nguyễn" typed with combining marks (NFD) and precomposed (NFC) is one name.
        let decomposed = "Nguye\u{302}\u{303}n";
        assert_eq!(required_text(decomposed, 50), Ok("Nguyễn".into()));
        assert_eq!(required_text(decomposed, 50), required_text("Nguyễn", 50));
    }

    #[test]
    fn emails_are_checked_when_present() {
        assert_eq!(optional_email(" sales@fann.com "), Ok("sales@fann.com".into()));
        assert_eq!(optional_email(""), Ok(String::new()));
        assert!(optional_email("fann.com").is_err());
    }
}
