//! Đơn đặt hàng: the sales order as the customer signs it, with its lines, totals and terms.

use super::document::{Block, BusinessDocument, CompanyHeader, Party, render_document};
use super::format::{format_integer, format_money, format_rate_bp};
use super::invoice::{discount_row, money_totals};
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{
    DocumentError, Language, currency_note, heading_blocks, in_words_line, sign_and_seal_hint, sign_hint, signature,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SalesOrderLine {
    pub model_code: String,
    pub description: String,
    /// Unit of measure; may be empty.
    pub unit: String,
    pub quantity: i64,
    /// VND per unit, without VAT.
    pub unit_price: i64,
    pub vat_rate_bp: i32,
    /// quantity × unit_price less discount_amount.
    pub net_amount: i64,
    pub vat_amount: i64,
    /// The line's discount, printed on a row of its own beneath it; 0 for none.
    pub discount_amount: i64,
    /// The promotions behind the discount, by name.
    pub promotions: Vec<String>,
    /// The delivery date asked for (dd/mm/yyyy); may be empty.
    pub delivery_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SalesOrderDoc {
    pub company: CompanyHeader,
    /// e.g. "DH-2026-0001".
    pub number: String,
    pub date: String,
    pub customer: Party,
    /// The contract and the quote the order falls under; not printed when empty.
    pub contract_number: String,
    pub quote_number: String,
    /// The warehouse the goods leave from; not printed when empty.
    pub warehouse: String,
    /// Payment terms; not printed when empty.
    pub payment_terms: String,
    /// The salesperson, printed under their signature.
    pub prepared_by: String,
    pub lines: Vec<SalesOrderLine>,
    pub total_net: i64,
    pub total_vat: i64,
    pub total_gross: i64,
    /// The order's note (delivery arrangements and the like); line breaks are kept.
    pub note: String,
}

fn lines_table(lines: &[SalesOrderLine], language: Language) -> Table {
    let l = |vi, en| language.pick(vi, en);
    let columns = vec![
        Column::new(l("STT", "No."), 4.0, Align::Center),
        Column::new(l("Mã hàng", "Model"), 10.0, Align::Left),
        Column::new(l("Tên hàng hóa", "Description"), 21.0, Align::Left),
        Column::new(l("ĐVT", "Unit"), 5.0, Align::Center),
        Column::new(l("Số lượng", "Qty"), 6.0, Align::Right),
        Column::new(l("Đơn giá", "Unit price"), 11.0, Align::Right),
        Column::new(l("Thuế suất", "VAT rate"), 6.0, Align::Center),
        Column::new(l("Thành tiền chưa có thuế GTGT", "Amount before VAT"), 13.0, Align::Right),
        Column::new(l("Ngày giao hàng", "Delivery date"), 10.0, Align::Center),
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
            line.delivery_date.clone(),
        ]));
        if line.discount_amount != 0 {
            rows.push(discount_row(9, 7, line.discount_amount, &line.promotions.join(", "), language));
        }
    }
    Table { columns, rows }
}

fn header_fields(order: &SalesOrderDoc, language: Language) -> [(&'static str, &str); 5] {
    let l = |vi, en| language.pick(vi, en);
    [
        (l("Số", "No."), order.number.as_str()),
        (l("Ngày", "Date"), order.date.as_str()),
        (l("Hợp đồng", "Contract"), order.contract_number.as_str()),
        (l("Báo giá", "Quote"), order.quote_number.as_str()),
        (l("Kho xuất", "Warehouse"), order.warehouse.as_str()),
    ]
}

/// "Điều khoản": payment terms and the note, when the order has them.
fn terms_blocks(order: &SalesOrderDoc, language: Language) -> Vec<Block> {
    let l = |vi, en| language.pick(vi, en);
    let text = |text: String| Block::Text { text, bold: false, align: Align::Left };
    let mut blocks = Vec::new();
    if !order.payment_terms.is_empty() {
        blocks.push(text(format!("{}: {}", l("Điều khoản thanh toán", "Payment terms"), order.payment_terms)));
    }
    if !order.note.is_empty() {
        blocks.push(text(format!("{}: {}", l("Ghi chú", "Note"), order.note)));
    }
    if !blocks.is_empty() {
        blocks.insert(0, Block::Gap(4.0));
    }
    blocks
}

/// The sales order as the generic document.
pub(crate) fn sales_order_document(order: &SalesOrderDoc, language: Language) -> BusinessDocument {
    let l = |vi, en| language.pick(vi, en);
    let [fields, customer] =
        heading_blocks(&header_fields(order, language), &order.customer, l("Khách hàng", "Customer"));
    let mut blocks = vec![
        fields,
        customer,
        currency_note(language),
        Block::Table(lines_table(&order.lines, language)),
        Block::Totals(money_totals(
            order.total_net,
            order.total_vat,
            order.total_gross,
            l("Tổng cộng", "Total"),
            language,
        )),
        Block::Text { text: in_words_line(order.total_gross, language), bold: false, align: Align::Left },
    ];
    blocks.extend(terms_blocks(order, language));
    let mut preparer = signature(l("Người lập đơn", "Prepared by"), sign_hint(language));
    preparer.name = order.prepared_by.clone();
    BusinessDocument {
        company: order.company.clone(),
        title: l("ĐƠN ĐẶT HÀNG", "SALES ORDER").to_string(),
        subtitle: Vec::new(),
        reference: format!("{}: {}", l("Số", "No."), order.number),
        blocks,
        signatures: vec![
            signature(l("Đại diện khách hàng", "For the customer"), sign_and_seal_hint(language)),
            preparer,
            signature(l("Giám đốc", "Director"), sign_and_seal_hint(language)),
        ],
    }
}

/// The sales order as PDF bytes.
pub fn sales_order_pdf(order: &SalesOrderDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&sales_order_document(order, language), language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample_order(line_count: usize) -> SalesOrderDoc {
        let lines = (0..line_count)
            .map(|index| SalesOrderLine {
                model_code: format!("CT-{index:03}"),
                description: "Cân phân tích 4 số lẻ, 220 g".to_string(),
                unit: "Cái".to_string(),
                quantity: 2,
                unit_price: 40_000_000,
                vat_rate_bp: 1000,
                net_amount: 80_000_000,
                vat_amount: 8_000_000,
                delivery_date: "15/12/2026".to_string(),
                ..Default::default()
            })
            .collect();
        SalesOrderDoc {
            company: company(),
            number: "DH-2026-0001".to_string(),
            date: "01/12/2026".to_string(),
            customer: customer(),
            contract_number: "HD-2026-0003".to_string(),
            quote_number: String::new(),
            warehouse: "Hà Nội".to_string(),
            payment_terms: "Chuyển khoản trong 30 ngày".to_string(),
            prepared_by: "Trần Văn Nam".to_string(),
            lines,
            total_net: 80_000_000,
            total_vat: 8_000_000,
            total_gross: 88_000_000,
            note: "Giao tại phòng thí nghiệm".to_string(),
        }
    }

    #[test]
    fn the_order_shows_only_the_references_it_has_and_its_terms() {
        let document = sales_order_document(&sample_order(1), Language::Vi);
        assert_eq!(document.title, "ĐƠN ĐẶT HÀNG");
        let Block::Fields(fields) = &document.blocks[0] else { panic!("fields first") };
        let labels: Vec<&str> = fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["Số", "Ngày", "Hợp đồng", "Kho xuất"]);
        let Block::Party(customer) = &document.blocks[1] else { panic!("the customer second") };
        assert_eq!(customer.label, "Khách hàng");
        let texts: Vec<&str> = document
            .blocks
            .iter()
            .filter_map(|b| if let Block::Text { text, .. } = b { Some(text.as_str()) } else { None })
            .collect();
        assert_eq!(
            texts[1..],
            [
                "Bằng chữ: Tám mươi tám triệu đồng",
                "Điều khoản thanh toán: Chuyển khoản trong 30 ngày",
                "Ghi chú: Giao tại phòng thí nghiệm"
            ]
        );
    }

    #[test]
    fn a_discounted_line_prints_its_price_and_the_discount_beneath() {
        let mut order = sample_order(1);
        order.lines[0].discount_amount = 4_000_000;
        order.lines[0].net_amount = 76_000_000;
        order.lines[0].promotions = vec!["Khai trương".to_string()];
        for (language, label, amount) in [
            (Language::Vi, "Chiết khấu thương mại (Khai trương)", "-4.000.000"),
            (Language::En, "Trade discount (Khai trương)", "-4,000,000"),
        ] {
            let table = lines_table(&order.lines, language);
            assert_eq!(table.rows.len(), 2);
            assert_eq!(table.rows[0].cells[7], format_money(80_000_000, language), "before discount");
            assert_eq!((table.rows[1].cells[2].as_str(), table.rows[1].cells[7].as_str()), (label, amount));
        }
    }

    #[test]
    fn order_renders_in_both_languages_and_long_ones_continue() {
        for language in [Language::Vi, Language::En] {
            let bytes = sales_order_pdf(&sample_order(3), language).expect("renders");
            assert_eq!(pdf_page_count(&bytes), 1);
        }
        assert!(pdf_page_count(&sales_order_pdf(&sample_order(80), Language::Vi).expect("renders")) >= 2);
    }
}
