//! Tables as one-sheet XLSX workbooks for the `?format=xlsx` exports: a bold, frozen, filterable
//! header row, numbers kept as numbers (so Excel can sum them), money in whole VND with thousands
//! separators, columns wide enough for their content.

use crate::wire::could_run_as_formula;
use rust_xlsxwriter::{ColNum, DocProperties, Format, RowNum, Workbook, Worksheet, XlsxError};

pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// How a column's cells are shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Text,
    /// A plain count.
    #[allow(dead_code, reason = "for the sales report's quantities and order counts")]
    Integer,
    /// Whole VND: 156,001,000.
    Money,
    /// A rate as the CSV exports write it: 0.10, 0.0525.
    Fraction,
}

pub struct Column {
    pub header: &'static str,
    pub kind: Kind,
}

pub enum Cell {
    Text(String),
    Integer(i64),
    Number(f64),
    /// A blank cell, for a value a row does not have.
    #[allow(dead_code, reason = "for report rows with gaps")]
    Empty,
}

pub struct Table<'a> {
    /// Shortened and cleaned to what Excel accepts.
    pub sheet_name: &'a str,
    /// Document title, also printed at the top of each page.
    pub title: &'a str,
    /// Document subject (what the table covers), printed beside the title.
    pub subject: &'a str,
    pub columns: &'a [Column],
    pub rows: &'a [Vec<Cell>],
}

const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;
/// Excel's limit for a printed header, with room for the control codes.
const MAX_PAGE_HEADER: usize = 240;
const A4: u8 = 9;

/// The workbook as the bytes of an `.xlsx` file.
pub fn workbook_bytes(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(table.title).set_subject(table.subject));
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(table.sheet_name))?;
    write_table(sheet, table)?;
    set_up_printing(sheet, table)?;
    workbook.save_to_buffer()
}

fn write_table(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let formats: Vec<Format> = table.columns.iter().map(|c| cell_format(c.kind)).collect();
    let mut widths: Vec<usize> = table.columns.iter().map(|c| c.header.chars().count() + 2).collect();
    for (col, column) in table.columns.iter().enumerate() {
        sheet.write_string_with_format(0, col_num(col)?, column.header, &bold)?;
    }
    for (index, cells) in table.rows.iter().enumerate() {
        let row = RowNum::try_from(index + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (col, (cell, column)) in cells.iter().zip(table.columns).enumerate() {
            let at = col_num(col)?;
            match cell {
                // Written as text already; the quote prefix keeps text that looks like a formula
                // inert when someone edits the cell or saves the sheet as CSV.
                Cell::Text(text) if could_run_as_formula(text.as_bytes()) => {
                    sheet.write_string_with_format(row, at, text, &formats[col].clone().set_quote_prefix())?
                }
                Cell::Text(text) => sheet.write_string_with_format(row, at, text, &formats[col])?,
                // Exact below 2^53 VND, far beyond any price or total.
                Cell::Integer(n) => sheet.write_number_with_format(row, at, *n as f64, &formats[col])?,
                Cell::Number(x) => sheet.write_number_with_format(row, at, *x, &formats[col])?,
                Cell::Empty => continue,
            };
            widths[col] = widths[col].max(shown_len(cell, column.kind));
        }
    }
    for (col, width) in widths.into_iter().enumerate() {
        // Bounded by MAX_WIDTH, so the conversion is exact.
        sheet.set_column_width(col_num(col)?, width.clamp(MIN_WIDTH, MAX_WIDTH) as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    if let Some(last_col) = table.columns.len().checked_sub(1) {
        let last_row = RowNum::try_from(table.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.autofilter(0, 0, last_row, col_num(last_col)?)?;
    }
    Ok(())
}

fn set_up_printing(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    sheet.set_paper_size(A4).set_landscape().set_print_fit_to_pages(1, 0).set_repeat_rows(0, 0)?;
    // `&` starts a control code in a printed header; `&&` prints one.
    let header = format!("&L{}&R{}", table.title.replace('&', "&&"), table.subject.replace('&', "&&"));
    if header.encode_utf16().count() <= MAX_PAGE_HEADER {
        sheet.set_header(header);
    }
    Ok(())
}

fn cell_format(kind: Kind) -> Format {
    match kind {
        Kind::Text => Format::new(),
        Kind::Integer => Format::new().set_num_format("0"),
        Kind::Money => Format::new().set_num_format("#,##0"),
        Kind::Fraction => Format::new().set_num_format("0.00##"),
    }
}

fn col_num(index: usize) -> Result<ColNum, XlsxError> {
    ColNum::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Roughly how many characters Excel shows for the cell, to size its column.
fn shown_len(cell: &Cell, kind: Kind) -> usize {
    match cell {
        Cell::Text(text) => text.chars().count(),
        Cell::Integer(n) => {
            let digits = n.unsigned_abs().to_string().len();
            let separators = if kind == Kind::Money { (digits - 1) / 3 } else { 0 };
            digits + separators + usize::from(*n < 0)
        }
        Cell::Number(_) => 7,
        Cell::Empty => 0,
    }
}

/// Excel refuses names over 31 UTF-16 units, with `[]:*?/\`, or starting or ending with `'`.
fn sheet_name(wanted: &str) -> String {
    let cleaned: String =
        wanted.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '-' } else { c }).collect();
    let mut name = String::new();
    for c in cleaned.trim_matches(|c: char| c == '\'' || c.is_whitespace()).chars() {
        if name.encode_utf16().count() + c.len_utf16() > 31 {
            break;
        }
        name.push(c);
    }
    let name = name.trim_end_matches(|c: char| c == '\'' || c.is_whitespace());
    if name.is_empty() { "Sheet1".to_owned() } else { name.to_owned() }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use super::*;

    fn entry(bytes: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut text = String::new();
        archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn a_table_becomes_a_workbook_with_its_header_and_rows() {
        let columns = [
            Column { header: "Mã model", kind: Kind::Text },
            Column { header: "Số lượng", kind: Kind::Integer },
            Column { header: "Giá chưa VAT (VND)", kind: Kind::Money },
            Column { header: "VAT", kind: Kind::Fraction },
        ];
        let rows = vec![
            vec![Cell::Text("Model 35SA".into()), Cell::Integer(2), Cell::Integer(156_001_000), Cell::Number(0.1)],
            vec![Cell::Text("Máy đo độ nhớt & bộ".into()), Cell::Empty, Cell::Integer(-5), Cell::Number(0.0525)],
        ];
        let table = Table {
            sheet_name: "Bang bao gia",
            title: "Bảng báo giá BBG-2026-001",
            subject: "Nhóm dealer",
            columns: &columns,
            rows: &rows,
        };
        let bytes = workbook_bytes(&table).unwrap();
        assert!(bytes.starts_with(b"PK\x03\x04"), "a zip container");

        let strings = entry(&bytes, "xl/sharedStrings.xml");
        for text in ["Mã model", "Giá chưa VAT (VND)", "Model 35SA", "Máy đo độ nhớt &amp; bộ"] {
            assert!(strings.contains(text), "{text} missing from {strings}");
        }
        let sheet = entry(&bytes, "xl/worksheets/sheet1.xml");
        for value in ["<v>156001000</v>", "<v>2</v>", "<v>-5</v>", "<v>0.1</v>", "<v>0.0525</v>"] {
            assert!(sheet.contains(value), "{value} missing from {sheet}");
        }
        assert!(sheet.contains(r#"<pane ySplit="1" topLeftCell="A2""#), "header row frozen: {sheet}");
        assert!(!sheet.contains(r#"<c r="B3""#), "empty cells are left out");
        let styles = entry(&bytes, "xl/styles.xml");
        assert!(styles.contains(r##"formatCode="#,##0""##) && styles.contains("<b/>"), "{styles}");
        assert!(entry(&bytes, "xl/workbook.xml").contains(r#"name="Bang bao gia""#));
        assert!(entry(&bytes, "docProps/core.xml").contains("Bảng báo giá BBG-2026-001"));
    }

    #[test]
    fn sheet_names_fit_excel_rules() {
        assert_eq!(sheet_name("Bang bao gia"), "Bang bao gia");
        assert_eq!(sheet_name("Giá [dealer] 1/2"), "Giá -dealer- 1-2");
        assert_eq!(sheet_name("'quoted'"), "quoted");
        assert_eq!(sheet_name("  "), "Sheet1");
        // Cut at 31, then the trailing space goes.
        assert_eq!(sheet_name("Bảng báo giá BBG-2026-001 nhóm khách hàng dealer"), "Bảng báo giá BBG-2026-001 nhóm");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn money_columns_are_sized_for_their_separators() {
        assert_eq!(shown_len(&Cell::Integer(156_001_000), Kind::Money), 11);
        assert_eq!(shown_len(&Cell::Integer(-1000), Kind::Money), 6);
        assert_eq!(shown_len(&Cell::Integer(156_001_000), Kind::Integer), 9);
        assert_eq!(shown_len(&Cell::Text("bộ".into()), Kind::Text), 2);
    }

    #[test]
    fn text_that_looks_like_a_formula_is_kept_as_text() {
        let columns =
            [Column { header: "Khách hàng", kind: Kind::Text }, Column { header: "Dư nợ", kind: Kind::Money }];
        let rows = vec![vec![Cell::Text("=HYPERLINK(\"http://x.example\")".into()), Cell::Integer(-5)]];
        let table = Table { sheet_name: "Cong no", title: "Công nợ", subject: "", columns: &columns, rows: &rows };
        let bytes = workbook_bytes(&table).unwrap();
        let sheet = entry(&bytes, "xl/worksheets/sheet1.xml");
        assert!(!sheet.contains("<f>"), "no formula cell: {sheet}");
        assert!(entry(&bytes, "xl/styles.xml").contains("quotePrefix=\"1\""), "the cell is marked as text");
    }
}
