//! Lệnh xuất bán: the directors' order to the warehouse to ship goods to a customer, with the
//! serial numbers picked.

use super::document::{Block, BusinessDocument, CompanyHeader, Party, TotalRow, render_document};
use super::format::format_integer;
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{DocumentError, Language, heading_blocks, sign_and_seal_hint, sign_hint, signature};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DispatchLine {
    pub model_code: String,
    pub description: String,
    /// Unit of measure; may be empty.
    pub unit: String,
    pub quantity: i64,
    /// Serial numbers picked, for serial-tracked products.
    pub serials: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DispatchOrderDoc {
    pub company: CompanyHeader,
    /// e.g. "LX-2026-0001".
    pub number: String,
    pub date: String,
    /// The sales order shipped from.
    pub order_number: String,
    /// The warehouse the goods leave from.
    pub warehouse: String,
    pub customer: Party,
    /// Where the goods go, when not the customer's address; not printed when empty.
    pub delivery_address: String,
    /// Printed under "Người lập phiếu".
    pub requested_by: String,
    /// The director who approved it, printed under "Giám đốc".
    pub approved_by: String,
    pub lines: Vec<DispatchLine>,
    pub note: String,
}

fn lines_table(lines: &[DispatchLine], language: Language) -> Table {
    let l = |vi, en| language.pick(vi, en);
    let columns = vec![
        Column::new(l("STT", "No."), 4.0, Align::Center),
        Column::new(l("Mã hàng", "Model"), 12.0, Align::Left),
        Column::new(l("Tên hàng hóa", "Description"), 26.0, Align::Left),
        Column::new(l("ĐVT", "Unit"), 6.0, Align::Center),
        Column::new(l("Số lượng", "Qty"), 7.0, Align::Right),
        Column::new(l("Số sê-ri", "Serial numbers"), 30.0, Align::Left),
    ];
    let rows = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            TableRow::new(vec![
                (index + 1).to_string(),
                line.model_code.clone(),
                line.description.clone(),
                line.unit.clone(),
                format_integer(line.quantity, language),
                line.serials.join(", "),
            ])
        })
        .collect();
    Table { columns, rows }
}

fn header_fields(order: &DispatchOrderDoc, language: Language) -> [(&'static str, &str); 5] {
    let l = |vi, en| language.pick(vi, en);
    [
        (l("Số", "No."), order.number.as_str()),
        (l("Ngày", "Date"), order.date.as_str()),
        (l("Đơn đặt hàng", "Sales order"), order.order_number.as_str()),
        (l("Kho xuất", "Warehouse"), order.warehouse.as_str()),
        (l("Địa chỉ giao hàng", "Delivery address"), order.delivery_address.as_str()),
    ]
}

/// The dispatch order as the generic document.
pub(crate) fn dispatch_document(
    order: &DispatchOrderDoc,
    language: Language,
) -> Result<BusinessDocument, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let total_quantity = order
        .lines
        .iter()
        .try_fold(0_i64, |sum, line| sum.checked_add(line.quantity))
        .ok_or(DocumentError::AmountOverflow("the total quantity"))?;
    let [fields, customer] =
        heading_blocks(&header_fields(order, language), &order.customer, l("Khách hàng", "Customer"));
    let mut blocks = vec![
        fields,
        customer,
        Block::Table(lines_table(&order.lines, language)),
        Block::Totals(vec![TotalRow {
            label: l("Tổng số lượng", "Total quantity").to_string(),
            value: format_integer(total_quantity, language),
            emphasis: true,
        }]),
    ];
    if !order.note.is_empty() {
        blocks.push(Block::Text { text: order.note.clone(), bold: false, align: Align::Left });
    }
    let mut preparer = signature(l("Người lập phiếu", "Prepared by"), sign_hint(language));
    preparer.name = order.requested_by.clone();
    let mut director = signature(l("Giám đốc", "Director"), sign_and_seal_hint(language));
    director.name = order.approved_by.clone();
    Ok(BusinessDocument {
        company: order.company.clone(),
        title: l("LỆNH XUẤT BÁN", "DISPATCH ORDER").to_string(),
        subtitle: Vec::new(),
        reference: format!("{}: {}", l("Số", "No."), order.number),
        blocks,
        signatures: vec![
            preparer,
            signature(l("Thủ kho", "Warehouse keeper"), sign_hint(language)),
            signature(l("Người nhận hàng", "Received by"), sign_hint(language)),
            director,
        ],
    })
}

/// The dispatch order as PDF bytes.
pub fn dispatch_order_pdf(order: &DispatchOrderDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&dispatch_document(order, language)?, language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample_order(serials_per_line: usize) -> DispatchOrderDoc {
        let lines = (0..4)
            .map(|index| DispatchLine {
                model_code: format!("TL-{index:03}"),
                description: "Tủ lạnh âm sâu -86°C, 490 lít".to_string(),
                unit: "Cái".to_string(),
                quantity: i64::try_from(serials_per_line).unwrap_or(0),
                serials: (0..serials_per_line).map(|n| format!("SN{index}{n:05}")).collect(),
            })
            .collect();
        DispatchOrderDoc {
            company: company(),
            number: "LX-2026-0001".to_string(),
            date: "02/12/2026".to_string(),
            order_number: "DH-2026-0007".to_string(),
            warehouse: "Kho Hà Nội".to_string(),
            customer: customer(),
            delivery_address: String::new(),
            requested_by: "Trần Văn Nam".to_string(),
            approved_by: "Lê Minh Quân".to_string(),
            lines,
            note: "Giao hàng trước 17h.".to_string(),
        }
    }

    #[test]
    fn dispatch_order_renders() {
        for language in [Language::Vi, Language::En] {
            let bytes = dispatch_order_pdf(&sample_order(3), language).expect("renders");
            assert!(bytes.starts_with(b"%PDF"));
            assert_eq!(pdf_page_count(&bytes), 1);
        }
    }

    #[test]
    fn hundreds_of_serials_spill_onto_more_pages() {
        let bytes = dispatch_order_pdf(&sample_order(400), Language::Vi).expect("renders");
        assert!(pdf_page_count(&bytes) >= 2);
    }

    #[test]
    fn quantity_overflow_is_an_error() {
        let mut order = sample_order(1);
        order.lines.iter_mut().for_each(|line| line.quantity = i64::MAX);
        assert_eq!(dispatch_order_pdf(&order, Language::Vi), Err(DocumentError::AmountOverflow("the total quantity")));
    }
}
