//! CSV downloads: one header row, then a row per record, fields quoted only when they hold a
//! comma, a quote or a line break. Text a spreadsheet would run as a formula is made inert here,
//! for every download at once (see [`could_run_as_formula`]).

use std::borrow::Cow;

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;

/// How a download is laid out for the program expected to open it.
#[derive(Clone, Copy)]
pub enum CsvLayout {
    /// `\n` between rows.
    Plain,
    /// A UTF-8 byte order mark and `\r\n` between rows, so Excel reads Vietnamese as it is.
    Excel,
}

/// A CSV document being written in memory.
pub struct CsvSheet {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvSheet {
    pub fn new(layout: CsvLayout, header: &[&str]) -> Result<CsvSheet, Problem> {
        let (start, terminator) = match layout {
            CsvLayout::Plain => (Vec::new(), csv::Terminator::Any(b'\n')),
            CsvLayout::Excel => ("\u{feff}".as_bytes().to_vec(), csv::Terminator::CRLF),
        };
        let mut sheet = CsvSheet { writer: csv::WriterBuilder::new().terminator(terminator).from_writer(start) };
        sheet.row(header)?;
        Ok(sheet)
    }

    pub fn row<I>(&mut self, fields: I) -> Result<(), Problem>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let fields: Vec<I::Item> = fields.into_iter().collect();
        let cells = fields.iter().map(|field| match field.as_ref() {
            bytes if could_run_as_formula(bytes) => Cow::Owned([b"'".as_slice(), bytes].concat()),
            bytes => Cow::Borrowed(bytes),
        });
        self.writer.write_record(cells).map_err(csv_problem)
    }

    pub fn into_bytes(self) -> Result<Vec<u8>, Problem> {
        self.writer.into_inner().map_err(|e| csv_problem(e.into_error().into()))
    }

    /// The document as a download named `file_name`.
    pub fn attachment(self, file_name: &str) -> Result<Response, Problem> {
        let headers = [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ];
        Ok((headers, self.into_bytes()?).into_response())
    }
}

/// Whether a spreadsheet could read the cell as a formula: it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return and is not a plain number (`-1500` stays as it is). Such CSV cells
/// get an apostrophe in front, which Excel and LibreOffice read as "this is text"; such XLSX
/// cells get the quote-prefix style, which means the same.
pub fn could_run_as_formula(cell: &[u8]) -> bool {
    let starts_like_a_formula = matches!(cell.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'));
    starts_like_a_formula && !std::str::from_utf8(cell).is_ok_and(|text| text.parse::<f64>().is_ok())
}

fn csv_problem(error: csv::Error) -> Problem {
    Problem::from(atq_platform::Error::Internal(anyhow::Error::new(error).context("writing a CSV download")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(layout: CsvLayout, rows: &[&[&str]]) -> String {
        let mut sheet = CsvSheet::new(layout, rows[0]).unwrap();
        for row in &rows[1..] {
            sheet.row(*row).unwrap();
        }
        String::from_utf8(sheet.into_bytes().unwrap()).unwrap()
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        let rows: &[&[&str]] = &[&["key", "note"], &["Fann", "A, B"], &["", "say \"hi\""]];
        assert_eq!(text(CsvLayout::Plain, rows), "key,note\nFann,\"A, B\"\n,\"say \"\"hi\"\"\"\n");
    }

    #[test]
    fn text_that_would_run_as_a_formula_is_made_inert() {
        let rows: &[&[&str]] = &[
            &["customer", "balance"],
            &["=HYPERLINK(\"http://x.example\",\"pay\")", "-1500"],
            &["+1+1", "@SUM(A1)"],
            &["-2+3+cmd|' /C calc'!A0", "\tx"],
            &["Công ty = ABC", "0"],
        ];
        assert_eq!(
            text(CsvLayout::Plain, rows),
            "customer,balance\n\"'=HYPERLINK(\"\"http://x.example\"\",\"\"pay\"\")\",-1500\n'+1+1,'@SUM(A1)\n\
             '-2+3+cmd|' /C calc'!A0,'\tx\nCông ty = ABC,0\n"
        );
        assert!(could_run_as_formula(b"=1+1"));
        assert!(!could_run_as_formula(b"-12.5"));
    }

    #[test]
    fn excel_downloads_start_with_a_byte_order_mark_and_end_rows_with_crlf() {
        let rows: &[&[&str]] = &[&["model_code", "name_vi"], &["35SA", "Máy đo"]];
        assert_eq!(text(CsvLayout::Excel, rows), "\u{feff}model_code,name_vi\r\n35SA,Máy đo\r\n");
    }
}
