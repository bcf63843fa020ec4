//! `GET /api/v1/reports/sales?format=xlsx`: the CSV's rows (one per month, dimension and key) as
//! a workbook, amounts as numbers Excel can sum, headers in Vietnamese.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::sales::{SalesReportBody, SalesRowBody};
use crate::problem::Problem;
use crate::xlsx::{Cell, Column, Kind, Table};

const COLUMNS: [Column; 8] = [
    Column { header: "Tháng", kind: Kind::Text },
    Column { header: "Phân tích theo", kind: Kind::Text },
    Column { header: "Mã", kind: Kind::Text },
    Column { header: "Doanh thu chưa thuế", kind: Kind::Money },
    Column { header: "Thuế GTGT", kind: Kind::Money },
    Column { header: "Doanh thu gồm thuế", kind: Kind::Money },
    Column { header: "Số lượng", kind: Kind::Integer },
    Column { header: "Số đơn hàng", kind: Kind::Integer },
];

/// Whether `?format=` asks for the workbook; any other value is left to the CSV/JSON check.
pub fn wants_xlsx(format: Option<&str>) -> bool {
    format.map(str::trim) == Some("xlsx")
}

fn row(month: &str, dimension: &str, key: &str, figures: [i64; 5]) -> Vec<Cell> {
    let text = |value: &str| Cell::Text(value.to_owned());
    let mut cells = vec![text(month), text(dimension), text(key)];
    cells.extend(figures.map(Cell::Integer));
    cells
}

fn figures(r: &SalesRowBody) -> [i64; 5] {
    [r.net, r.vat, r.gross, r.quantity, r.orders]
}

/// Every month's total, then its breakdowns, as the CSV lists them.
fn rows(report: &SalesReportBody) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for month in &report.months {
        let t = &month.total;
        rows.push(row(&month.month, "total", "", [t.net, t.vat, t.gross, t.quantity, t.orders]));
        let dimensions = [
            ("office", &month.by_office),
            ("category", &month.by_category),
            ("brand", &month.by_brand),
            ("customer_group", &month.by_customer_group),
            ("salesperson", &month.by_salesperson),
        ];
        for (dimension, breakdown) in dimensions {
            rows.extend(breakdown.iter().map(|r| row(&month.month, dimension, &r.key, figures(r))));
        }
    }
    rows
}

/// The report as an `.xlsx` attachment named after its dates.
pub fn sales_xlsx(report: &SalesReportBody) -> Result<Response, Problem> {
    let cells = rows(report);
    let subject = format!("{} – {}", report.from, report.to);
    let table = Table {
        sheet_name: "Doanh thu",
        title: "Báo cáo doanh thu",
        subject: &subject,
        columns: &COLUMNS,
        rows: &cells,
    };
    let bytes = crate::xlsx::workbook_bytes(&table).map_err(|e| {
        Problem::from(atq_platform::Error::Internal(anyhow::Error::new(e).context("writing the sales report workbook")))
    })?;
    let name = format!("sales-{}-{}.xlsx", report.from, report.to);
    let headers = [
        (header::CONTENT_TYPE, crate::xlsx::CONTENT_TYPE.to_owned()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
    ];
    Ok((headers, bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_xlsx_asks_for_the_workbook() {
        assert!(wants_xlsx(Some(" xlsx ")));
        assert!(!wants_xlsx(Some("csv")));
        assert!(!wants_xlsx(None));
    }
}
