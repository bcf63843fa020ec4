//! The sales reports' downloads: the list (one row per report) and an office's roll-up (one row
//! per person, then the totals), the same columns in CSV and XLSX. Text a person typed is made
//! inert by the shared CSV and XLSX writers.

use atq_proto::sales::v1 as pb;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;
use crate::wire::{CsvLayout, CsvSheet, office_text, rfc3339};
use crate::xlsx::{Cell, Column, Kind, Table};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(text: Option<&str>) -> Result<Format, Problem> {
        match text.map(str::trim) {
            None | Some("" | "json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("xlsx") => Ok(Format::Xlsx),
            Some(_) => Err(Problem::field("format", "must be json, csv or xlsx")),
        }
    }
}

const LIST_COLUMNS: [(&str, &str, Kind); 13] = [
    ("id", "Mã báo cáo", Kind::Integer),
    ("kind", "Loại", Kind::Text),
    ("period", "Kỳ", Kind::Text),
    ("owner", "Nhân viên", Kind::Text),
    ("office", "Văn phòng", Kind::Text),
    ("status", "Trạng thái", Kind::Text),
    ("submitted_at", "Nộp lúc", Kind::Text),
    ("activities_done", "Công việc đã làm", Kind::Integer),
    ("new_customers", "Khách hàng mới", Kind::Integer),
    ("quotes_sent", "Báo giá đã gửi", Kind::Integer),
    ("orders_confirmed", "Đơn hàng đã xác nhận", Kind::Integer),
    ("sales_net", "Doanh số chưa VAT (VND)", Kind::Money),
    ("sales_gross", "Doanh số có VAT (VND)", Kind::Money),
];

const ROLLUP_COLUMNS: [(&str, &str, Kind); 8] = [
    ("owner", "Nhân viên", Kind::Text),
    ("submitted", "Đã nộp", Kind::Text),
    ("activities_done", "Công việc đã làm", Kind::Integer),
    ("new_customers", "Khách hàng mới", Kind::Integer),
    ("quotes_sent", "Báo giá đã gửi", Kind::Integer),
    ("orders_confirmed", "Đơn hàng đã xác nhận", Kind::Integer),
    ("sales_net", "Doanh số chưa VAT (VND)", Kind::Money),
    ("sales_gross", "Doanh số có VAT (VND)", Kind::Money),
];

enum Value {
    Text(String),
    Number(i64),
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn list_row(r: pb::SalesReport) -> Vec<Value> {
    let f = r.figures.unwrap_or_default();
    let submitted_at = r.submitted_at.as_ref().map(|t| rfc3339(Some(t))).unwrap_or_default();
    vec![
        Value::Number(r.id),
        Value::Text(r.kind),
        Value::Text(r.period),
        Value::Text(r.owner),
        Value::Text(office_text(r.office)),
        Value::Text(r.status),
        Value::Text(submitted_at),
        Value::Number(count(f.activities_done.len())),
        Value::Number(count(f.new_customers.len())),
        Value::Number(count(f.quotes_sent.len())),
        Value::Number(count(f.orders_confirmed.len())),
        Value::Number(f.sales_net),
        Value::Number(f.sales_gross),
    ]
}

fn rollup_row(r: pb::SalesReportRollupRow, owner: String) -> Vec<Value> {
    vec![
        Value::Text(owner),
        Value::Text(if r.submitted { "có" } else { "chưa" }.to_owned()),
        Value::Number(i64::from(r.activities_done)),
        Value::Number(i64::from(r.new_customers)),
        Value::Number(i64::from(r.quotes_sent)),
        Value::Number(i64::from(r.orders_confirmed)),
        Value::Number(r.sales_net),
        Value::Number(r.sales_gross),
    ]
}

pub fn list_download(format: Format, items: Vec<pb::SalesReport>) -> Result<Response, Problem> {
    let rows: Vec<Vec<Value>> = items.into_iter().map(list_row).collect();
    download(format, &LIST_COLUMNS, rows, "sales-reports", "Báo cáo bán hàng", "Báo cáo ngày và tuần")
}

pub fn rollup_download(format: Format, rollup: pb::SalesReportRollup) -> Result<Response, Problem> {
    let name = format!("sales-reports-{}-{}-{}", office_text(rollup.office), rollup.kind, rollup.period);
    let subject = format!("Văn phòng {}, kỳ {}", office_text(rollup.office), rollup.period);
    let mut rows: Vec<Vec<Value>> = rollup
        .rows
        .into_iter()
        .map(|r| {
            let owner = r.owner.clone();
            rollup_row(r, owner)
        })
        .collect();
    rows.push(rollup_row(rollup.totals.unwrap_or_default(), "Tổng cộng".to_owned()));
    download(format, &ROLLUP_COLUMNS, rows, &name, "Tổng hợp báo cáo bán hàng", &subject)
}

fn download(
    format: Format,
    columns: &[(&'static str, &'static str, Kind)],
    rows: Vec<Vec<Value>>,
    name: &str,
    title: &str,
    subject: &str,
) -> Result<Response, Problem> {
    if format == Format::Csv {
        let header: Vec<&str> = columns.iter().map(|c| c.0).collect();
        let mut sheet = CsvSheet::new(CsvLayout::Excel, &header)?;
        for row in rows {
            sheet.row(row.into_iter().map(|v| match v {
                Value::Text(text) => text,
                Value::Number(n) => n.to_string(),
            }))?;
        }
        return sheet.attachment(&format!("{name}.csv"));
    }
    let columns: Vec<Column> = columns.iter().map(|c| Column { header: c.1, kind: c.2 }).collect();
    let cells: Vec<Vec<Cell>> = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|v| match v {
                    Value::Text(text) => Cell::Text(text),
                    Value::Number(n) => Cell::Integer(n),
                })
                .collect()
        })
        .collect();
    let table = Table { sheet_name: "Bao cao ban hang", title, subject, columns: &columns, rows: &cells };
    let bytes = crate::xlsx::workbook_bytes(&table).map_err(|e| {
        Problem::from(atq_platform::Error::Internal(
            anyhow::Error::new(e).context("writing the sales reports workbook"),
        ))
    })?;
    let headers = [
        (header::CONTENT_TYPE, crate::xlsx::CONTENT_TYPE.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.xlsx\"")),
    ];
    Ok((headers, bytes).into_response())
}
