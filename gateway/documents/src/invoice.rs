//! Hóa đơn giá trị gia tăng: the VAT invoice as printed for the buyer.

use std::collections::BTreeMap;

use super::document::{Block, BusinessDocument, CompanyHeader, Party, TotalRow, render_document};
use super::format::{format_integer, format_money, format_rate_bp};
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{
    DocumentError, Language, currency_note, heading_blocks, in_words_line, sign_and_seal_hint, sign_hint, signature,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceLine {
    pub model_code: String,
    pub description: String,
    /// Unit of measure ("Cái", "Bộ"); may be empty.
    pub unit: String,
    pub quantity: i64,
    /// VND per unit, without VAT.
    pub unit_price: i64,
    /// Basis points: 1000 = 10%. A negative rate prints as "KCT" (not subject to VAT).
    pub vat_rate_bp: i32,
    /// VND before VAT, after the discount.
    pub net_amount: i64,
    pub vat_amount: i64,
    /// The line's trade discount: the line prints at its price before discount and the discount
    /// on a row of its own beneath, as a Vietnamese VAT invoice shows chiết khấu thương mại.
    pub discount_amount: i64,
}

/// Totals of one VAT rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VatSummaryRow {
    pub vat_rate_bp: i32,
    pub net_amount: i64,
    pub vat_amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceDoc {
    /// The seller.
    pub company: CompanyHeader,
    /// Ký hiệu, e.g. "C26TAQ".
    pub series: String,
    /// Số hóa đơn, e.g. "0000001".
    pub number: String,
    pub issue_date: String,
    pub due_date: String,
    /// The sales order invoiced; not printed when empty.
    pub order_number: String,
    /// "Chuyển khoản" / "Tiền mặt"; not printed when empty.
    pub payment_method: String,
    pub customer: Party,
    pub lines: Vec<InvoiceLine>,
    /// The invoice's totals per rate; when empty they are summed from the lines.
    pub vat_summary: Vec<VatSummaryRow>,
    pub total_net: i64,
    pub total_vat: i64,
    /// The amount to pay, also printed in words.
    pub total_gross: i64,
    /// Printed under the totals; may be empty.
    pub note: String,
}

/// The lines' amounts summed per VAT rate, lowest rate first.
pub fn summarise_vat(lines: &[InvoiceLine]) -> Result<Vec<VatSummaryRow>, DocumentError> {
    let mut by_rate: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
    for line in lines {
        let (net, vat) = by_rate.entry(line.vat_rate_bp).or_default();
        *net = net.checked_add(line.net_amount).ok_or(DocumentError::AmountOverflow("the amount before VAT"))?;
        *vat = vat.checked_add(line.vat_amount).ok_or(DocumentError::AmountOverflow("the VAT"))?;
    }
    Ok(by_rate
        .into_iter()
        .map(|(vat_rate_bp, (net_amount, vat_amount))| VatSummaryRow { vat_rate_bp, net_amount, vat_amount })
        .collect())
}

fn lines_table(lines: &[InvoiceLine], language: Language) -> Table {
    let l = |vi, en| language.pick(vi, en);
    let columns = vec![
        Column::new(l("STT", "No."), 4.0, Align::Center),
        Column::new(l("Mã hàng", "Model"), 10.0, Align::Left),
        Column::new(l("Tên hàng hóa, dịch vụ", "Description"), 22.0, Align::Left),
        Column::new(l("ĐVT", "Unit"), 6.0, Align::Center),
        Column::new(l("Số lượng", "Qty"), 7.0, Align::Right),
        Column::new(l("Đơn giá", "Unit price"), 11.0, Align::Right),
        Column::new(l("Thuế suất", "VAT rate"), 7.0, Align::Center),
        Column::new(l("Thành tiền chưa có thuế GTGT", "Amount before VAT"), 13.0, Align::Right),
        Column::new(l("Tiền thuế GTGT", "VAT"), 11.0, Align::Right),
    ];
    let mut rows = Vec::with_capacity(lines.len());
    for (index, line) in lines.iter().enumerate() {
        rows.push(TableRow::new(vec![
            (index + 1).to_string(),
            line.model_code.clone(),
            line.description.clone(),
            line.unit.clone(),
            format_integer(line.quantity, language),
            format_money(line.unit_price, language),
            format_rate_bp(line.vat_rate_bp, language),
            format_money(line.net_amount.saturating_add(line.discount_amount), language),
            format_money(line.vat_amount, language),
        ]));
        if line.discount_amount != 0 {
            rows.push(discount_row(9, 7, line.discount_amount, "", language));
        }
    }
    Table { columns, rows }
}

/// The row beneath a discounted line: "Chiết khấu thương mại" (with the promotions behind it, if
/// any) in the description column and the discount, negative, in the amount column.
pub(crate) fn discount_row(
    columns: usize,
    amount_at: usize,
    discount: i64,
    promotions: &str,
    language: Language,
) -> TableRow {
    let mut label = language.pick("Chiết khấu thương mại", "Trade discount").to_string();
    if !promotions.is_empty() {
        label = format!("{label} ({promotions})");
    }
    let mut cells = vec![String::new(); columns];
    cells[2] = label;
    cells[amount_at] = format_money(discount.saturating_neg(), language);
    TableRow::new(cells)
}

pub(crate) fn vat_summary_table(summary: &[VatSummaryRow], language: Language) -> Result<Table, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let columns = vec![
        Column::new(l("Thuế suất", "VAT rate"), 10.0, Align::Center),
        Column::new(l("Thành tiền chưa có thuế GTGT", "Amount before VAT"), 15.0, Align::Right),
        Column::new(l("Tiền thuế GTGT", "VAT"), 15.0, Align::Right),
        Column::new(l("Cộng tiền thanh toán", "Total with VAT"), 15.0, Align::Right),
    ];
    let mut rows = Vec::with_capacity(summary.len());
    for rate in summary {
        let gross =
            rate.net_amount.checked_add(rate.vat_amount).ok_or(DocumentError::AmountOverflow("a VAT rate's total"))?;
        rows.push(TableRow::new(vec![
            format_rate_bp(rate.vat_rate_bp, language),
            format_money(rate.net_amount, language),
            format_money(rate.vat_amount, language),
            format_money(gross, language),
        ]));
    }
    Ok(Table { columns, rows })
}

fn header_fields(invoice: &InvoiceDoc, language: Language) -> [(&'static str, &str); 6] {
    let l = |vi, en| language.pick(vi, en);
    [
        (l("Ký hiệu", "Series"), invoice.series.as_str()),
        (l("Số", "No."), invoice.number.as_str()),
        (l("Ngày lập", "Issue date"), invoice.issue_date.as_str()),
        (l("Hạn thanh toán", "Due date"), invoice.due_date.as_str()),
        (l("Đơn đặt hàng", "Sales order"), invoice.order_number.as_str()),
        (l("Hình thức thanh toán", "Payment method"), invoice.payment_method.as_str()),
    ]
}

/// Before VAT, VAT and the amount to pay (emphasised), as the invoice and its adjustments print them.
pub(crate) fn money_totals(net: i64, vat: i64, gross: i64, gross_label: &str, language: Language) -> Vec<TotalRow> {
    let l = |vi, en| language.pick(vi, en);
    let row = |label: &str, amount: i64, emphasis: bool| TotalRow {
        label: label.to_string(),
        value: format_money(amount, language),
        emphasis,
    };
    vec![
        row(l("Cộng tiền hàng (chưa có thuế GTGT)", "Total before VAT"), net, false),
        row(l("Tiền thuế GTGT", "Total VAT"), vat, false),
        row(gross_label, gross, true),
    ]
}

/// The invoice as the generic document, ready to render or to inspect in tests.
pub(crate) fn invoice_document(invoice: &InvoiceDoc, language: Language) -> Result<BusinessDocument, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let summary =
        if invoice.vat_summary.is_empty() { summarise_vat(&invoice.lines)? } else { invoice.vat_summary.clone() };
    let [fields, customer] =
        heading_blocks(&header_fields(invoice, language), &invoice.customer, l("Người mua hàng", "Buyer"));
    let mut blocks = vec![
        fields,
        customer,
        currency_note(language),
        Block::Table(lines_table(&invoice.lines, language)),
        Block::Gap(6.0),
        Block::Text {
            text: l("Tổng hợp theo thuế suất", "Summary by VAT rate").to_string(),
            bold: true,
            align: Align::Left,
        },
        Block::Table(vat_summary_table(&summary, language)?),
        Block::Totals(money_totals(
            invoice.total_net,
            invoice.total_vat,
            invoice.total_gross,
            l("Tổng tiền thanh toán", "Total to pay"),
            language,
        )),
        Block::Text { text: in_words_line(invoice.total_gross, language), bold: false, align: Align::Left },
    ];
    if !invoice.note.is_empty() {
        blocks.push(Block::Text { text: invoice.note.clone(), bold: false, align: Align::Left });
    }
    Ok(BusinessDocument {
        company: invoice.company.clone(),
        title: l("HÓA ĐƠN GIÁ TRỊ GIA TĂNG", "VAT INVOICE").to_string(),
        subtitle: Vec::new(),
        reference: format!("{}: {}", l("Số", "No."), invoice.number),
        blocks,
        signatures: vec![
            signature(l("Người mua hàng", "Buyer"), sign_hint(language)),
            signature(l("Người bán hàng", "Seller"), sign_and_seal_hint(language)),
        ],
    })
}

/// The VAT invoice as PDF bytes.
pub fn invoice_pdf(invoice: &InvoiceDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&invoice_document(invoice, language)?, language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, contains, customer, pdf_page_count};
    use super::*;

    pub(crate) fn sample_invoice(line_count: usize) -> InvoiceDoc {
        let lines: Vec<InvoiceLine> = (0..line_count)
            .map(|index| InvoiceLine {
                model_code: format!("PH-{index:03}"),
                description: if index % 3 == 0 {
                    "Máy đo pH để bàn, hiệu chuẩn tự động 5 điểm, kèm điện cực thủy tinh".to_string()
                } else {
                    "Cân phân tích 4 số lẻ".to_string()
                },
                unit: "Cái".to_string(),
                quantity: 2,
                unit_price: 25_000_000,
                vat_rate_bp: if index % 2 == 0 { 1000 } else { 800 },
                net_amount: 50_000_000,
                vat_amount: if index % 2 == 0 { 5_000_000 } else { 4_000_000 },
                discount_amount: 0,
            })
            .collect();
        InvoiceDoc {
            company: company(),
            series: "C26TAQ".to_string(),
            number: "0000001".to_string(),
            issue_date: "01/12/2026".to_string(),
            due_date: "31/12/2026".to_string(),
            order_number: "DH-2026-0007".to_string(),
            payment_method: "Chuyển khoản".to_string(),
            customer: customer(),
            lines,
            vat_summary: Vec::new(),
            total_net: 100_000_000,
            total_vat: 10_000_000,
            total_gross: 110_000_000,
            note: String::new(),
        }
    }

    #[test]
    fn one_page_invoice_is_a_small_pdf() {
        let bytes = invoice_pdf(&sample_invoice(2), Language::Vi).expect("renders");
        assert!(bytes.starts_with(b"%PDF"));
        assert_eq!(pdf_page_count(&bytes), 1);
        assert!(bytes.len() < 200_000, "{} bytes", bytes.len());
        // Subset fonts with a ToUnicode map keep the text extractable.
        assert!(contains(&bytes, b"/FontFile2") && contains(&bytes, b"/ToUnicode"));
        assert!(contains(&bytes, b"ATQREG+DejaVuSans") && contains(&bytes, b"ATQBLD+DejaVuSans-Bold"));
    }

    #[test]
    fn sixty_lines_take_three_pages() {
        let bytes = invoice_pdf(&sample_invoice(60), Language::Vi).expect("renders");
        assert!(bytes.starts_with(b"%PDF"));
        assert_eq!(pdf_page_count(&bytes), 3);
    }

    #[test]
    fn text_outside_the_fonts_does_not_fail() {
        let mut invoice = sample_invoice(1);
        invoice.lines[0].description = "分析天平 🔬 e\u{301} \t tab".to_string();
        invoice.customer.name = String::new();
        let bytes = invoice_pdf(&invoice, Language::Vi).expect("renders");
        assert_eq!(pdf_page_count(&bytes), 1);
    }

    #[test]
    fn english_invoice_renders() {
        let bytes = invoice_pdf(&sample_invoice(3), Language::En).expect("renders");
        assert_eq!(pdf_page_count(&bytes), 1);
    }

    #[test]
    fn vat_is_summed_per_rate() {
        let summary = summarise_vat(&sample_invoice(4).lines).expect("sums");
        assert_eq!(
            summary,
            vec![
                VatSummaryRow { vat_rate_bp: 800, net_amount: 100_000_000, vat_amount: 8_000_000 },
                VatSummaryRow { vat_rate_bp: 1000, net_amount: 100_000_000, vat_amount: 10_000_000 },
            ]
        );
        let mut huge = sample_invoice(2).lines;
        huge.iter_mut().for_each(|line| (line.vat_rate_bp, line.net_amount) = (1000, i64::MAX));
        assert_eq!(summarise_vat(&huge), Err(DocumentError::AmountOverflow("the amount before VAT")));
    }
}
