//! Hóa đơn điều chỉnh giảm: the reducing invoice that adjusts a VAT invoice when goods come back.
//!
//! Its quantities and amounts are printed negative ("ghi âm"), as the invoice it adjusts falls by
//! them; the unit price and the rate stay as on the original invoice.

use super::document::{Block, BusinessDocument, CompanyHeader, Party, render_document};
use super::format::{format_integer, format_money, format_rate_bp};
use super::invoice::{InvoiceLine, VatSummaryRow, money_totals, summarise_vat, vat_summary_table};
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{
    DocumentError, Language, currency_note, heading_blocks, in_words_line, sign_and_seal_hint, sign_hint, signature,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdjustmentDoc {
    /// The seller.
    pub company: CompanyHeader,
    /// Ký hiệu of the reducing series, e.g. "C26TDC".
    pub series: String,
    /// Số, e.g. "0000001".
    pub number: String,
    pub issue_date: String,
    /// The invoice adjusted: its number ("C26TAQ-0000012") and its issue date.
    pub adjusts_number: String,
    pub adjusts_date: String,
    /// The return the goods came back on ("TL-2026-0001"); not printed when empty.
    pub return_number: String,
    pub customer: Party,
    /// The returned lines with negative quantities and amounts.
    pub lines: Vec<InvoiceLine>,
    /// Totals per rate (negative); when empty they are summed from the lines.
    pub vat_summary: Vec<VatSummaryRow>,
    /// What the invoice's net, VAT and gross fall by: negative.
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    /// Why the goods came back.
    pub reason: String,
}

fn lines_table(lines: &[InvoiceLine], language: Language) -> Result<Table, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let columns = vec![
        Column::new(l("STT", "No."), 4.0, Align::Center),
        Column::new(l("Mã hàng", "Model"), 8.0, Align::Left),
        Column::new(l("Tên hàng hóa, dịch vụ", "Description"), 16.0, Align::Left),
        Column::new(l("ĐVT", "Unit"), 5.0, Align::Center),
        Column::new(l("Số lượng", "Qty"), 6.0, Align::Right),
        Column::new(l("Đơn giá", "Unit price"), 12.0, Align::Right),
        Column::new(l("Thành tiền chưa có thuế GTGT", "Amount before VAT"), 12.0, Align::Right),
        Column::new(l("Thuế suất", "VAT rate"), 6.0, Align::Center),
        Column::new(l("Tiền thuế GTGT", "VAT"), 10.0, Align::Right),
        Column::new(l("Cộng tiền thanh toán", "Total with VAT"), 12.0, Align::Right),
    ];
    let mut rows = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        let gross =
            line.net_amount.checked_add(line.vat_amount).ok_or(DocumentError::AmountOverflow("a line's total"))?;
        rows.push(TableRow::new(vec![
            (index + 1).to_string(),
            line.model_code.clone(),
            line.description.clone(),
            line.unit.clone(),
            format_integer(line.quantity, language),
            format_money(line.unit_price, language),
            format_money(line.net_amount, language),
            format_rate_bp(line.vat_rate_bp, language),
            format_money(line.vat_amount, language),
            format_money(gross, language),
        ]));
    }
    Ok(Table { columns, rows })
}

fn header_fields(adjustment: &AdjustmentDoc, language: Language) -> [(&'static str, &str); 4] {
    let l = |vi, en| language.pick(vi, en);
    [
        (l("Ký hiệu", "Series"), adjustment.series.as_str()),
        (l("Số", "No."), adjustment.number.as_str()),
        (l("Ngày lập", "Issue date"), adjustment.issue_date.as_str()),
        (l("Phiếu nhập hàng trả lại", "Goods return"), adjustment.return_number.as_str()),
    ]
}

/// "Điều chỉnh giảm cho hóa đơn số C26TAQ-0000012 ngày 01/12/2026".
fn adjusts_line(adjustment: &AdjustmentDoc, language: Language) -> String {
    match language {
        Language::Vi => {
            format!("Điều chỉnh giảm cho hóa đơn số {} ngày {}", adjustment.adjusts_number, adjustment.adjusts_date)
        }
        Language::En => {
            format!("Reduces invoice No. {} dated {}", adjustment.adjusts_number, adjustment.adjusts_date)
        }
    }
}

/// The reducing invoice as the generic document.
pub(crate) fn adjustment_document(
    adjustment: &AdjustmentDoc,
    language: Language,
) -> Result<BusinessDocument, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let summary = if adjustment.vat_summary.is_empty() {
        summarise_vat(&adjustment.lines)?
    } else {
        adjustment.vat_summary.clone()
    };
    let [fields, customer] =
        heading_blocks(&header_fields(adjustment, language), &adjustment.customer, l("Người mua hàng", "Buyer"));
    let mut blocks = vec![fields, customer];
    if !adjustment.reason.is_empty() {
        let reason = format!("{}: {}", l("Lý do điều chỉnh", "Reason"), adjustment.reason);
        blocks.push(Block::Text { text: reason, bold: false, align: Align::Left });
    }
    blocks.extend([
        currency_note(language),
        Block::Table(lines_table(&adjustment.lines, language)?),
        Block::Gap(6.0),
        Block::Text {
            text: l("Tổng hợp theo thuế suất", "Summary by VAT rate").to_string(),
            bold: true,
            align: Align::Left,
        },
        Block::Table(vat_summary_table(&summary, language)?),
        Block::Totals(money_totals(
            adjustment.total_net,
            adjustment.total_vat,
            adjustment.total_gross,
            l("Tổng tiền thanh toán điều chỉnh giảm", "Total reduction"),
            language,
        )),
        Block::Text { text: in_words_line(adjustment.total_gross, language), bold: false, align: Align::Left },
    ]);
    Ok(BusinessDocument {
        company: adjustment.company.clone(),
        title: l("HÓA ĐƠN ĐIỀU CHỈNH GIẢM", "REDUCING ADJUSTMENT INVOICE").to_string(),
        subtitle: vec![adjusts_line(adjustment, language)],
        reference: format!("{}: {}", l("Số", "No."), adjustment.number),
        blocks,
        signatures: vec![
            signature(l("Người mua hàng", "Buyer"), sign_hint(language)),
            signature(l("Người bán hàng", "Seller"), sign_and_seal_hint(language)),
        ],
    })
}

/// The reducing invoice as PDF bytes.
pub fn adjustment_pdf(adjustment: &AdjustmentDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&adjustment_document(adjustment, language)?, language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample_adjustment() -> AdjustmentDoc {
        let line = InvoiceLine {
            discount_amount: 0,
            model_code: "VS-100".to_string(),
            description: "Máy đo độ nhớt".to_string(),
            unit: "Cái".to_string(),
            quantity: -2,
            unit_price: 285_000_000,
            vat_rate_bp: 1000,
            net_amount: -570_000_000,
            vat_amount: -57_000_000,
        };
        AdjustmentDoc {
            company: company(),
            series: "C26TDC".to_string(),
            number: "0000001".to_string(),
            issue_date: "05/12/2026".to_string(),
            adjusts_number: "C26TAQ-0000012".to_string(),
            adjusts_date: "01/12/2026".to_string(),
            return_number: "TL-2026-0001".to_string(),
            customer: customer(),
            lines: vec![line],
            vat_summary: Vec::new(),
            total_net: -570_000_000,
            total_vat: -57_000_000,
            total_gross: -627_000_000,
            reason: "Khách trả lại do sai cấu hình".to_string(),
        }
    }

    #[test]
    fn the_reduction_names_the_invoice_it_adjusts_and_prints_negative_amounts() {
        let document = adjustment_document(&sample_adjustment(), Language::Vi).expect("builds");
        assert_eq!(document.title, "HÓA ĐƠN ĐIỀU CHỈNH GIẢM");
        assert_eq!(document.subtitle, ["Điều chỉnh giảm cho hóa đơn số C26TAQ-0000012 ngày 01/12/2026"]);
        let Some(Block::Table(lines)) = document.blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
            panic!("a lines table")
        };
        assert_eq!(
            lines.rows[0].cells[4..],
            ["-2", "285.000.000", "-570.000.000", "10%", "-57.000.000", "-627.000.000"]
        );
        let words = document
            .blocks
            .iter()
            .any(|b| matches!(b, Block::Text { text, .. } if text == "Bằng chữ: Âm sáu trăm hai mươi bảy triệu đồng"));
        assert!(words, "{:?}", document.blocks);
    }

    #[test]
    fn reduction_renders_in_both_languages() {
        for language in [Language::Vi, Language::En] {
            let bytes = adjustment_pdf(&sample_adjustment(), language).expect("renders");
            assert!(bytes.starts_with(b"%PDF"));
            assert_eq!(pdf_page_count(&bytes), 1);
        }
    }
}
