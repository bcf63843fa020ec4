//! A spreadsheet upload as rows of text cells with their row numbers: CSV (UTF-8 with or without
//! a BOM, UTF-16 with a BOM, otherwise TCVN3 as old Vietnamese systems save it when it looks so,
//! see [`super::tcvn3`], or Windows-1258 as older Vietnamese Excel saves it) or XLSX
//! (the first worksheet). Columns are found by their header, in Vietnamese or English, ignoring
//! case and diacritics.

use std::io::Cursor;

use atq_platform::search_text;
use calamine::{Reader, Xlsx};
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1258};

use crate::problem::Problem;

/// The largest upload, and its wording in the 413 answer.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_BYTES_TEXT: &str = "10 MiB";
/// The most data rows one upload takes.
pub const MAX_ROWS: usize = 20_000;
/// The most characters one cell keeps before the row checks refuse it.
const MAX_CELL_CHARS: usize = 2_000;

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// One data row: its number in the spreadsheet (the header is row 1 when it is the first line)
/// and its cells, in the header's column order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetRow {
    pub row: i32,
    pub cells: Vec<String>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct Sheet {
    pub header: Vec<String>,
    pub rows: Vec<SheetRow>,
}

/// A column a reader looks for: its key (the API's field name) and the headers it goes by.
pub struct ColumnName {
    pub key: &'static str,
    pub headers: &'static [&'static str],
}

/// Whether an upload is a workbook: by its content type or, whatever that says, its zip header.
pub fn is_xlsx(content_type: &str, bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || content_type.contains("spreadsheetml")
}

/// Reads an upload into its header and data rows; blank rows are skipped.
pub fn read(content_type: &str, bytes: &[u8]) -> Result<Sheet, Problem> {
    let rows = if is_xlsx(content_type, bytes) { xlsx_rows(bytes)? } else { csv_rows(&decode_text(bytes)?)? };
    let mut rows = rows.into_iter().filter(|row| row.cells.iter().any(|c| !c.trim().is_empty()));
    let header = rows.next().ok_or_else(|| Problem::field("body", "has no header row"))?;
    let rows: Vec<SheetRow> = rows.take(MAX_ROWS + 1).collect();
    if rows.is_empty() {
        return Err(Problem::field("body", "has no rows"));
    }
    if rows.len() > MAX_ROWS {
        return Err(Problem::too_large(format!("the file has more than {MAX_ROWS} rows")));
    }
    Ok(Sheet { header: header.cells.iter().map(|h| h.trim().to_owned()).collect(), rows })
}

/// The text of a CSV upload.
pub fn decode_text(bytes: &[u8]) -> Result<String, Problem> {
    let (encoding, body) = if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        (None, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        (Some(UTF_16LE), rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        (Some(UTF_16BE), rest)
    } else {
        (None, bytes)
    };
    let text = match (encoding, std::str::from_utf8(body)) {
        (Some(encoding), _) => encoding.decode_without_bom_handling(body).0.into_owned(),
        (None, Ok(text)) => text.to_owned(),
        // Not UTF-8: TCVN3, from old Vietnamese systems, or else the legacy Vietnamese code page
        // Excel uses for "CSV" on Vietnamese Windows. Both may write tone marks as combining
        // characters; the row checks store names in NFC.
        (None, Err(_)) if super::tcvn3::looks_like_tcvn3(body) => super::tcvn3::decode(body),
        (None, Err(_)) => WINDOWS_1258.decode_without_bom_handling(body).0.into_owned(),
    };
    if text.contains('\0') {
        return Err(Problem::field("body", "must be a CSV or XLSX file"));
    }
    Ok(text)
}

/// Semicolons when the first line has more of them than commas (Excel in locales with a decimal
/// comma), commas otherwise.
fn delimiter_of(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or_default();
    if first_line.matches(';').count() > first_line.matches(',').count() { b';' } else { b',' }
}

fn csv_rows(text: &str) -> Result<Vec<SheetRow>, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter_of(text))
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // The reader skips blank lines: a record's row, as Excel shows it, is the line it starts on,
    // counted from the record's byte offset.
    let (mut counted_to, mut line) = (0usize, 0usize);
    for record in reader.records() {
        let record = record.map_err(|_| Problem::field("body", "must be a CSV or XLSX file"))?;
        let mut start = record.position().map_or(counted_to, |p| usize::try_from(p.byte()).unwrap_or(counted_to));
        // A record's position is where the reader began looking for it, before the blank lines.
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line +=
            text.as_bytes().get(counted_to..start).map_or(0, |skipped| skipped.iter().filter(|&&b| b == b'\n').count());
        counted_to = start.max(counted_to);
        rows.push(SheetRow { row: row_number(line), cells: record.iter().map(cell_text).collect() });
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

fn xlsx_rows(bytes: &[u8]) -> Result<Vec<SheetRow>, Problem> {
    let unreadable = |_| Problem::field("body", "must be a CSV or XLSX file");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| Problem::field("body", "has no worksheet"))?
        .map_err(unreadable)?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let first_col = range.start().map_or(0, |(_, col)| col as usize);
    let rows = range.rows().take(MAX_ROWS + 2 + first_row).enumerate().map(|(index, cells)| {
        // Cells left of the used range are blank: keep the columns where the header put them.
        let mut texts = vec![String::new(); first_col];
        texts.extend(cells.iter().map(|cell| cell_text(&cell.to_string())));
        SheetRow { row: row_number(first_row + index), cells: texts }
    });
    Ok(rows.collect())
}

fn row_number(index: usize) -> i32 {
    i32::try_from(index + 1).unwrap_or(i32::MAX)
}

fn cell_text(text: &str) -> String {
    text.trim().chars().take(MAX_CELL_CHARS).collect()
}

/// A header as it is compared: folded (no case, no diacritics), `_` as a space.
fn header_key(text: &str) -> String {
    search_text::fold(&text.replace('_', " "))
}

/// Where each named column is in the header (None: absent); `required` ones must be there.
pub fn positions(header: &[String], names: &[ColumnName], required: &[&str]) -> Result<Vec<Option<usize>>, Problem> {
    let folded: Vec<String> = header.iter().map(|h| header_key(h)).collect();
    let found: Vec<Option<usize>> = names
        .iter()
        .map(|name| {
            let keys: Vec<String> =
                name.headers.iter().copied().chain(std::iter::once(name.key)).map(header_key).collect();
            folded.iter().position(|h| keys.contains(h))
        })
        .collect();
    for (name, at) in names.iter().zip(&found) {
        if at.is_none() && required.contains(&name.key) {
            return Err(Problem::field("body", &format!("has no column {}", name.key)));
        }
    }
    Ok(found)
}

/// The text of a row's cell at `at`, empty when the column is absent or the row shorter.
pub fn cell(row: &SheetRow, at: Option<usize>) -> String {
    at.and_then(|at| row.cells.get(at)).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [ColumnName; 2] = [
        ColumnName { key: "name", headers: &["Tên khách hàng"] },
        ColumnName { key: "tax_code", headers: &["Mã số thuế"] },
    ];

    #[test]
    fn utf8_with_a_bom_utf16_and_windows_1258_read_the_same() {
        let text = "Tên khách hàng,Mã số thuế\nCông ty Đức Thành Nguyễn Thị Hường,0101234567\n";
        let utf8_bom = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let spelled = windows_1258_form(text);
        let (legacy, _, unmappable) = WINDOWS_1258.encode(&spelled);
        assert!(!unmappable);
        for bytes in [text.as_bytes().to_vec(), utf8_bom, utf16, legacy.into_owned()] {
            let sheet = read("text/csv", &bytes).unwrap();
            let at = positions(&sheet.header, &NAMES, &["name"]).unwrap();
            assert_eq!(at, [Some(0), Some(1)]);
            let name: String = unicode_nfc(&cell(&sheet.rows[0], at[0]));
            assert_eq!((sheet.rows[0].row, name.as_str()), (2, "Công ty Đức Thành Nguyễn Thị Hường"));
        }
    }

    /// The text as Windows-1258 spells it: a precomposed letter it lacks is its base letter (ê, ư)
    /// followed by a combining tone mark.
    fn windows_1258_form(text: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let mut spelled = String::new();
        for c in text.chars() {
            let decomposed: Vec<char> = c.to_string().nfd().collect();
            let tone = decomposed
                .iter()
                .copied()
                .find(|m| matches!(m, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'));
            match tone {
                Some(tone) if WINDOWS_1258.encode(&c.to_string()).2 => {
                    spelled.extend(decomposed.iter().filter(|m| **m != tone).collect::<String>().nfc());
                    spelled.push(tone);
                }
                _ => spelled.push(c),
            }
        }
        spelled
    }

    fn unicode_nfc(text: &str) -> String {
        // Windows-1258 keeps some tone marks apart; compare the way names are stored.
        atq_platform::validation::required_text(text, 200).unwrap()
    }

    #[test]
    fn a_tcvn3_file_reads_as_the_same_text() {
        let tcvn3 = b"T\xaan kh\xb8ch h\xb5ng,M\xb7 s\xe8 thu\xd5\nC\xabng ty \xa7\xf8c Th\xb5nh Nguy\xd4n Th\xde H\xad\xeang,0101234567\n";
        let sheet = read("text/csv", tcvn3).unwrap();
        let at = positions(&sheet.header, &NAMES, &["name"]).unwrap();
        assert_eq!(at, [Some(0), Some(1)]);
        assert_eq!(unicode_nfc(&cell(&sheet.rows[0], at[0])), "Công ty Đức Thành Nguyễn Thị Hường");
    }

    #[test]
    fn headers_match_in_english_or_vietnamese_without_diacritics_or_case() {
        let header = vec!["MA SO THUE".to_owned(), "name".to_owned()];
        assert_eq!(positions(&header, &NAMES, &[]).unwrap(), [Some(1), Some(0)]);
        let missing = positions(&["x".to_owned()], &NAMES, &["name"]);
        assert!(missing.is_err());
    }

    #[test]
    fn blank_rows_are_skipped_but_keep_the_numbering_and_semicolons_are_read() {
        let sheet = read("text/csv", b"name;tax_code\n\nAn;1\n").unwrap();
        assert_eq!(sheet.rows, [SheetRow { row: 3, cells: vec!["An".into(), "1".into()] }]);
    }

    #[test]
    fn a_sheet_without_rows_or_with_too_many_is_refused() {
        assert!(read("text/csv", b"name\n").is_err());
        let big = format!("name\n{}", "x\n".repeat(MAX_ROWS + 1));
        assert_eq!(read("text/csv", big.as_bytes()).unwrap_err().status, axum::http::StatusCode::PAYLOAD_TOO_LARGE);
    }
}
