//! TCVN3 (TCVN 5712:1993 "VN3", the ABC fonts .VnTime and friends): the encoding of CSV files
//! saved by old Vietnamese systems. It keeps ASCII and puts Vietnamese letters in 0xA1-0xFF,
//! where Windows-1258 has punctuation and symbols, so such a file read as Windows-1258 comes out
//! as "C«ng ty §øc". No crate decodes it; [`TABLE`] is the standard's upper half, as glibc's
//! `TCVN5712-1` gives it (VN1, of which VN3 is the part without the capitals with tone marks:
//! VN3 writes those with the lower-case codes in an upper-case font, so they decode lower case).
//!
//! Telling it from Windows-1258 ([`looks_like_tcvn3`]): in a Windows-1258 file every Vietnamese
//! letter is at 0xC0 or above, and 0xA1-0xBF are symbols (© « ® ° ± µ) that stand next to digits
//! or spaces, or end a word (Fann®); in a TCVN3 file the most frequent letters (ă â ê ô ơ ư đ à
//! ả ã á ạ ằ ẳ ẵ ắ) are there, inside words. A file is TCVN3 when such bytes inside words are
//! at least two and a quarter of its bytes above 0x7F.

/// Bytes 0x80-0xFF in TCVN 5712:1993 (0xB0-0xB4 are combining tone marks).
const TABLE: [char; 128] = [
    'À', 'Ả', 'Ã', 'Á', 'Ạ', 'Ặ', 'Ậ', 'È', 'Ẻ', 'Ẽ', 'É', 'Ẹ', 'Ệ', 'Ì', 'Ỉ', 'Ĩ', // 0x80
    'Í', 'Ị', 'Ò', 'Ỏ', 'Õ', 'Ó', 'Ọ', 'Ộ', 'Ờ', 'Ở', 'Ỡ', 'Ớ', 'Ợ', 'Ù', 'Ủ', 'Ũ', // 0x90
    '\u{a0}', 'Ă', 'Â', 'Ê', 'Ô', 'Ơ', 'Ư', 'Đ', 'ă', 'â', 'ê', 'ô', 'ơ', 'ư', 'đ', 'Ằ', // 0xA0
    '\u{300}', '\u{309}', '\u{303}', '\u{301}', '\u{323}', 'à', 'ả', 'ã', 'á', 'ạ', 'Ẳ', 'ằ', 'ẳ', 'ẵ', 'ắ',
    'Ẵ', // 0xB0
    'Ắ', 'Ầ', 'Ẩ', 'Ẫ', 'Ấ', 'Ề', 'ặ', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ', 'è', 'Ể', 'ẻ', 'ẽ', // 0xC0
    'é', 'ẹ', 'ề', 'ể', 'ễ', 'ế', 'ệ', 'ì', 'ỉ', 'Ễ', 'Ế', 'Ồ', 'ĩ', 'í', 'ị', 'ò', // 0xD0
    'Ổ', 'ỏ', 'õ', 'ó', 'ọ', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ', 'ù', // 0xE0
    'Ỗ', 'ủ', 'ũ', 'ú', 'ụ', 'ừ', 'ử', 'ữ', 'ứ', 'ự', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ', 'Ố', // 0xF0
];

/// Whether a byte next to another is part of a word: an ASCII letter or a byte above 0x7F.
fn in_word(byte: Option<&u8>) -> bool {
    byte.is_some_and(|b| b.is_ascii_alphabetic() || *b >= 0x80)
}

/// Whether `bytes` (not UTF-8) read as TCVN3 rather than Windows-1258.
pub fn looks_like_tcvn3(bytes: &[u8]) -> bool {
    let (mut evidence, mut high) = (0usize, 0usize);
    for (i, &byte) in bytes.iter().enumerate() {
        if byte < 0x80 {
            continue;
        }
        high += 1;
        let (left, right) = (i.checked_sub(1).and_then(|at| bytes.get(at)), bytes.get(i + 1));
        let letter_here = match byte {
            // Ă Â Ê Ô Ơ Ư Đ and đ begin syllables; ® ends a brand name.
            0xA1..=0xA7 | 0xAE => in_word(right),
            // â inside a syllable; © stands alone.
            0xA9 => in_word(left) && in_word(right),
            // ă ê ô ơ ư à ả ã á ạ ẳ ẵ ắ follow a consonant; µ follows a digit or a space (and ằ,
            // 0xBB, is left out: it is » closing a quotation).
            0xA8 | 0xAA..=0xAD | 0xB5..=0xB9 | 0xBC..=0xBE => in_word(left),
            _ => false,
        };
        evidence += usize::from(letter_here);
    }
    evidence >= 2 && evidence * 4 >= high
}

/// `bytes` decoded as TCVN3.
pub fn decode(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| if b < 0x80 { char::from(b) } else { TABLE[usize::from(b - 0x80)] }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Tên khách hàng,Mã số thuế / Công ty Đức Thành Nguyễn Thị Hường / Trường THPT Chu Văn An"
    /// as a TCVN3 CSV holds it (iconv -t TCVN5712-1).
    const TCVN3_CSV: &[u8] = b"T\xaan kh\xb8ch h\xb5ng,M\xb7 s\xe8 thu\xd5\n\
        C\xabng ty \xa7\xf8c Th\xb5nh Nguy\xd4n Th\xde H\xad\xeang,0101234567\n\
        Tr\xad\xeang THPT Chu V\xa8n An,0102345678\n";

    #[test]
    fn tcvn3_bytes_are_told_apart_and_decode_to_the_vietnamese_text() {
        assert!(looks_like_tcvn3(TCVN3_CSV));
        let text = decode(TCVN3_CSV);
        assert!(text.starts_with("Tên khách hàng,Mã số thuế\n"), "{text}");
        assert!(text.contains("Công ty Đức Thành Nguyễn Thị Hường,0101234567"), "{text}");
        assert!(text.contains("Trường THPT Chu Văn An"), "{text}");
    }

    #[test]
    fn windows_1258_text_with_symbols_is_not_taken_for_tcvn3() {
        // Letters Windows-1258 has whole (ê à đ â ơ), so that it encodes them as they are.
        let text = "Tên hàng,Ghi chú\nMicropipet 10µl Fann® (©2024),±0.5°C «hàng Anh»\nBơm đong µL,Tâm Thành\n";
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(text);
        assert!(!unmappable);
        assert!(!looks_like_tcvn3(&bytes));
        assert!(!looks_like_tcvn3(b"plain ASCII only"));
    }
}
