//! Báo giá: the prices offered to a customer, valid until a date.

use super::document::{Block, BusinessDocument, CompanyHeader, Party, TotalRow, render_document};
use super::format::{format_integer, format_money, format_percent_bp, format_rate_bp};
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{
    DocumentError, Language, currency_note, heading_blocks, in_words_line, sign_and_seal_hint, sign_hint, signature,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuoteLine {
    pub model_code: String,
    pub description: String,
    /// Unit of measure; may be empty.
    pub unit: String,
    pub quantity: i64,
    /// VND per unit before the discount, without VAT.
    pub unit_price: i64,
    /// Basis points off the unit price: 500 = 5%.
    pub discount_bp: i32,
    /// The unit price after the discount.
    pub net_unit_price: i64,
    pub vat_rate_bp: i32,
    /// quantity × net_unit_price.
    pub net_amount: i64,
    pub vat_amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuoteDoc {
    pub company: CompanyHeader,
    /// e.g. "BG-2026-0001".
    pub number: String,
    pub date: String,
    pub valid_until: String,
    pub customer: Party,
    /// The customer's contact person; not printed when empty.
    pub contact_person: String,
    /// The salesperson, printed under their signature.
    pub prepared_by: String,
    pub lines: Vec<QuoteLine>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    /// Terms: delivery, payment, warranty; line breaks are kept.
    pub terms: String,
}

fn lines_table(lines: &[QuoteLine], language: Language) -> Table {
    let l = |vi, en| language.pick(vi, en);
    let columns = vec![
        Column::new(l("STT", "No."), 4.0, Align::Center),
        Column::new(l("Mã hàng", "Model"), 10.0, Align::Left),
        Column::new(l("Tên hàng hóa", "Description"), 20.0, Align::Left),
        Column::new(l("ĐVT", "Unit"), 5.0, Align::Center),
        Column::new(l("Số lượng", "Qty"), 6.0, Align::Right),
        Column::new(l("Đơn giá", "Unit price"), 10.0, Align::Right),
        Column::new(l("Chiết khấu", "Discount"), 7.0, Align::Center),
        Column::new(l("Đơn giá sau chiết khấu", "Net unit price"), 10.0, Align::Right),
        Column::new(l("Thuế suất", "VAT rate"), 6.0, Align::Center),
        Column::new(l("Thành tiền chưa có thuế GTGT", "Amount before VAT"), 12.0, Align::Right),
    ];
    let rows = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let discount =
                if line.discount_bp == 0 { String::new() } else { format_percent_bp(line.discount_bp, language) };
            TableRow::new(vec![
                (index + 1).to_string(),
                line.model_code.clone(),
                line.description.clone(),
                line.unit.clone(),
                format_integer(line.quantity, language),
                format_money(line.unit_price, language),
                discount,
                format_money(line.net_unit_price, language),
                format_rate_bp(line.vat_rate_bp, language),
                format_money(line.net_amount, language),
            ])
        })
        .collect();
    Table { columns, rows }
}

fn header_fields(quote: &QuoteDoc, language: Language) -> [(&'static str, &str); 4] {
    let l = |vi, en| language.pick(vi, en);
    [
        (l("Số", "No."), quote.number.as_str()),
        (l("Ngày", "Date"), quote.date.as_str()),
        (l("Hiệu lực đến", "Valid until"), quote.valid_until.as_str()),
        (l("Người liên hệ", "Contact person"), quote.contact_person.as_str()),
    ]
}

/// The quote as the generic document.
pub(crate) fn quote_document(quote: &QuoteDoc, language: Language) -> BusinessDocument {
    let l = |vi, en| language.pick(vi, en);
    let money_row = |label: &str, amount: i64, emphasis: bool| TotalRow {
        label: label.to_string(),
        value: format_money(amount, language),
        emphasis,
    };
    let [fields, customer] = heading_blocks(&header_fields(quote, language), &quote.customer, l("Kính gửi", "To"));
    let intro =
        l("Công ty xin trân trọng gửi tới Quý khách hàng báo giá như sau:", "We are pleased to quote the following:");
    let mut blocks = vec![
        fields,
        customer,
        Block::Text { text: intro.to_string(), bold: false, align: Align::Left },
        currency_note(language),
        Block::Table(lines_table(&quote.lines, language)),
        Block::Totals(vec![
            money_row(l("Cộng tiền hàng (chưa có thuế GTGT)", "Total before VAT"), quote.total_net, false),
            money_row(l("Tiền thuế GTGT", "VAT"), quote.total_vat, false),
            money_row(l("Tổng cộng", "Total"), quote.total_gross, true),
        ]),
        Block::Text { text: in_words_line(quote.total_gross, language), bold: false, align: Align::Left },
    ];
    if !quote.terms.is_empty() {
        blocks.push(Block::Gap(4.0));
        blocks.push(Block::Text { text: l("Điều khoản", "Terms").to_string(), bold: true, align: Align::Left });
        blocks.push(Block::Text { text: quote.terms.clone(), bold: false, align: Align::Left });
    }
    let mut preparer = signature(l("Người lập báo giá", "Prepared by"), sign_hint(language));
    preparer.name = quote.prepared_by.clone();
    BusinessDocument {
        company: quote.company.clone(),
        title: l("BÁO GIÁ", "QUOTATION").to_string(),
        subtitle: Vec::new(),
        reference: format!("{}: {}", l("Số", "No."), quote.number),
        blocks,
        signatures: vec![
            signature(l("Xác nhận của khách hàng", "Accepted by the customer"), sign_hint(language)),
            preparer,
            signature(l("Giám đốc", "Director"), sign_and_seal_hint(language)),
        ],
    }
}

/// The quote as PDF bytes.
pub fn quote_pdf(quote: &QuoteDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&quote_document(quote, language), language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample_quote(line_count: usize) -> QuoteDoc {
        let lines = (0..line_count)
            .map(|index| QuoteLine {
                model_code: format!("CT-{index:03}"),
                description: "Cân phân tích 4 số lẻ, 220 g".to_string(),
                unit: "Cái".to_string(),
                quantity: 1,
                unit_price: 40_000_000,
                discount_bp: 500,
                net_unit_price: 38_000_000,
                vat_rate_bp: 1000,
                net_amount: 38_000_000,
                vat_amount: 3_800_000,
            })
            .collect();
        QuoteDoc {
            company: company(),
            number: "BG-2026-0001".to_string(),
            date: "01/12/2026".to_string(),
            valid_until: "31/12/2026".to_string(),
            customer: customer(),
            contact_person: "Nguyễn Thị Hương".to_string(),
            prepared_by: "Trần Văn Nam".to_string(),
            lines,
            total_net: 38_000_000,
            total_vat: 3_800_000,
            total_gross: 41_800_000,
            terms: "Giao hàng trong 4 tuần.\nThanh toán 100% trong 30 ngày.\nBảo hành 12 tháng.".to_string(),
        }
    }

    #[test]
    fn quote_renders_on_one_page() {
        for language in [Language::Vi, Language::En] {
            let bytes = quote_pdf(&sample_quote(5), language).expect("renders");
            assert!(bytes.starts_with(b"%PDF"));
            assert_eq!(pdf_page_count(&bytes), 1);
        }
    }

    #[test]
    fn long_quote_continues_on_more_pages() {
        let bytes = quote_pdf(&sample_quote(80), Language::Vi).expect("renders");
        assert!(pdf_page_count(&bytes) >= 2);
    }
}
