//! Warranty as the API sends it (the fields the pages show), and the wording the pages put on
//! what the API says in English: coverage reasons and the kinds of a unit's history.

use serde::Deserialize;

use crate::format;
use crate::i18n::Texts;

/// One thing that happened to a unit: a warehouse move or a step of a warranty case.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ServiceEvent {
    pub kind: String,
    pub at: String,
    pub date: String,
    pub document_number: String,
    pub note: String,
}

/// A serial number looked up.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SerialWarranty {
    pub product_id: i64,
    pub model_code: String,
    pub product_name: String,
    pub serial: String,
    pub status: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub order_number: String,
    pub dispatch_number: String,
    pub shipped_on: Option<String>,
    pub warranty_months: i32,
    pub warranty_ends_on: Option<String>,
    pub in_warranty: bool,
    pub coverage_reason: String,
    pub replaces_serial: String,
    pub office: String,
    pub history: Vec<ServiceEvent>,
    pub cases: Vec<WarrantyCase>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct TimelineEntry {
    pub kind: String,
    pub note: String,
    pub by: String,
    pub at: String,
}

/// The return of the faulty unit to its supplier (RMA).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SupplierReturn {
    pub rma_number: String,
    pub shipped_on: Option<String>,
    pub received_on: Option<String>,
    pub outcome: String,
    pub turnaround_days: i32,
    pub replacement_serial: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct WarrantyCase {
    pub id: i64,
    pub number: String,
    pub request_id: i64,
    pub product_id: i64,
    pub model_code: String,
    pub serial: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub order_number: String,
    pub shipped_on: Option<String>,
    pub warranty_months: i32,
    pub warranty_ends_on: Option<String>,
    pub covered: bool,
    pub coverage_reason: String,
    pub complaint: String,
    pub status: String,
    pub diagnosis: String,
    pub decision: String,
    pub quote_amount: i64,
    pub replacement_serial: String,
    pub replacement_warranty: String,
    pub exchanged_on: Option<String>,
    pub supplier_return: Option<SupplierReturn>,
    pub resolution: String,
    pub office: String,
    pub timeline: Vec<TimelineEntry>,
    pub version: i64,
    pub created_at: String,
}

/// A local date that may be absent, as the language writes it.
pub fn day(date: Option<&str>, t: Texts) -> String {
    date.map(|d| format::date(d, t.lang)).unwrap_or_default()
}

/// Why a unit is not in warranty, in the page's language. The API words its reasons in English
/// with a value inside ("warranty expired on 2026-11-30"); the known shapes get their own label
/// with the value written the language's way, anything else goes through the API's own table.
pub fn coverage_reason(reason: &str, t: Texts) -> String {
    if reason.is_empty() {
        return String::new();
    }
    if let Some(date) = reason.strip_prefix("warranty expired on ") {
        return format!("{} {}", t.get("warranty.reason_expired"), format::date(date, t.lang));
    }
    if let Some(status) = reason.strip_prefix("the unit is not with a customer (").and_then(|s| s.strip_suffix(')')) {
        return format!("{} ({})", t.get("warranty.reason_back"), t.word("warranty_unit", status));
    }
    match reason {
        "never sold to a customer" => t.get("warranty.reason_never_sold").to_owned(),
        "the product has no warranty" => t.get("warranty.reason_no_warranty").to_owned(),
        _ => t.message(reason),
    }
}

/// A timeline entry's note in the page's language. The API writes the notes of its own steps in
/// English shorthand ("covered", "exchange FN-1 -> FN-3 note", "repaired after 3 days"); what
/// people typed (a diagnosis, an RMA number, a resolution) is shown as typed.
pub fn timeline_note(kind: &str, note: &str, t: Texts) -> String {
    match kind {
        "opened" if note == "covered" => t.get("warranty.in_warranty").to_owned(),
        "opened" => coverage_reason(note, t),
        "decided" => decision_note(note, t),
        "back_from_supplier" => {
            match note.split_once(" after ").and_then(|(o, rest)| Some((o, rest.strip_suffix(" days")?))) {
                Some((outcome, days)) => {
                    format!("{} · {days} {}", t.word("warranty_outcome", outcome), t.get("warranty.days"))
                }
                None => note.to_owned(),
            }
        }
        _ => note.to_owned(),
    }
}

/// "exchange FN-1 -> FN-3 the note", "paid_repair 3500000 the note", "repair_in_house the note".
fn decision_note(note: &str, t: Texts) -> String {
    let (decision, rest) = note.split_once(' ').unwrap_or((note, ""));
    let label = t.word("warranty_decision", decision);
    if decision == "paid_repair" {
        let (amount, rest) = rest.split_once(' ').unwrap_or((rest, ""));
        if let Ok(vnd) = amount.parse::<i64>() {
            return format!("{label} {} {rest}", format::money(vnd, t.lang)).trim_end().to_owned();
        }
    }
    format!("{label} {}", rest.replace("->", "→")).trim_end().to_owned()
}

/// A serial number as one segment of an API path: what is not plainly safe there is
/// percent-encoded, so a typed `/` or `?` stays part of the serial (and the API refuses it).
pub fn path_segment(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn coverage_reasons_are_worded_in_the_page_language_with_their_values() {
        let vi = Texts::new(Lang::Vi);
        assert_eq!(coverage_reason("warranty expired on 2026-11-30", vi), "Hết hạn bảo hành ngày 30/11/2026");
        assert_eq!(coverage_reason("never sold to a customer", vi), "Chưa từng bán cho khách hàng");
        let en = Texts::new(Lang::En);
        assert_eq!(
            coverage_reason("the unit is not with a customer (at_supplier)", en),
            "The unit is not with a customer (at the supplier)"
        );
        assert_eq!(coverage_reason("", en), "");
    }

    #[test]
    fn the_notes_of_the_steps_are_worded_in_the_page_language() {
        let vi = Texts::new(Lang::Vi);
        assert_eq!(timeline_note("opened", "covered", vi), "Còn bảo hành");
        assert_eq!(timeline_note("opened", "never sold to a customer", vi), "Chưa từng bán cho khách hàng");
        assert_eq!(timeline_note("decided", "exchange FN-1 -> FN-3 gấp", vi), "Đổi hàng FN-1 → FN-3 gấp");
        assert_eq!(timeline_note("decided", "paid_repair 3500000", vi), "Sửa chữa có tính phí 3.500.000 ₫");
        assert_eq!(timeline_note("decided", "repair_at_supplier", vi), "Gửi nhà cung cấp sửa");
        let en = Texts::new(Lang::En);
        assert_eq!(timeline_note("back_from_supplier", "repaired after 3 days", en), "Repaired · 3 days");
        assert_eq!(timeline_note("diagnosed", "Hỏng bo nguồn", en), "Hỏng bo nguồn");
    }

    #[test]
    fn a_serial_is_one_path_segment() {
        assert_eq!(path_segment("HLMC100-HN-001"), "HLMC100-HN-001");
        assert_eq!(path_segment("A/B ?1"), "A%2FB%20%3F1");
        assert_eq!(path_segment("Đ"), "%C4%90");
    }
}
