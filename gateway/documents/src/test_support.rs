//! Sample parties and PDF checks shared by the documents' tests.

use super::{CompanyHeader, Party};

pub(crate) fn company() -> CompanyHeader {
    CompanyHeader {
        name: "CÔNG TY TNHH THIẾT BỊ KHOA HỌC ATQ".to_string(),
        address: "Số 18 ngõ 121 Thái Hà, phường Đống Đa, Hà Nội".to_string(),
        tax_code: "0101234567".to_string(),
        phone: "024 3856 1234".to_string(),
    }
}

pub(crate) fn customer() -> Party {
    Party {
        label: String::new(),
        name: "Trường Đại học Bách khoa Hà Nội".to_string(),
        code: "KH-0042".to_string(),
        address: "Số 1 Đại Cồ Việt, phường Bạch Mai, Hà Nội".to_string(),
        tax_code: "0100104595".to_string(),
        phone: "024 3869 4242".to_string(),
    }
}

/// The page count the page tree declares (each document has exactly one page tree).
pub(crate) fn pdf_page_count(bytes: &[u8]) -> usize {
    let key = b"/Count ";
    let Some(start) = bytes.windows(key.len()).position(|window| window == key) else { return 0 };
    bytes[start + key.len()..]
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .fold(0, |count, digit| count * 10 + usize::from(digit - b'0'))
}

pub(crate) fn contains(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|window| window == needle)
}
