//! Phiếu xuất kho: the warehouse's record of the goods that left for a customer on a dispatch
//! order, with the serials picked and, for readers of costs, their value at moving-average cost.

use super::document::{Block, BusinessDocument, CompanyHeader, Party, TotalRow, render_document};
use super::format::{format_integer, format_money};
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{
    DocumentError, Language, currency_note, heading_blocks, in_words_line, sign_and_seal_hint, sign_hint, signature,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoodsIssueLine {
    pub model_code: String,
    pub description: String,
    /// Unit of measure; may be empty.
    pub unit: String,
    pub quantity: i64,
    /// Serial numbers picked, for serial-tracked products.
    pub serials: Vec<String>,
    /// The line's value at moving-average cost, VND, when known line by line; the cost cells stay
    /// empty otherwise and only the slip's total is printed.
    pub cost_amount: Option<i64>,
}

/// What the goods cost, printed only for readers of costs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssueCost {
    /// The goods issue's value at moving-average cost, VND.
    pub total_cost: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoodsIssueDoc {
    pub company: CompanyHeader,
    /// The goods issue's number, e.g. "PX-2026-0001".
    pub number: String,
    /// The day the goods left, dd/mm/yyyy.
    pub date: String,
    /// The dispatch order and the sales order the goods left on.
    pub dispatch_number: String,
    pub order_number: String,
    /// The warehouse the goods left from.
    pub warehouse: String,
    pub customer: Party,
    pub lines: Vec<GoodsIssueLine>,
    /// None: printed without cost columns.
    pub cost: Option<IssueCost>,
}

/// The unit cost shown for a line: its amount over its quantity, rounded half up.
fn unit_cost(amount: i64, quantity: i64) -> Option<i64> {
    if quantity <= 0 {
        return None;
    }
    let exact = i128::from(amount) * 2 + i128::from(quantity);
    i64::try_from(exact / (2 * i128::from(quantity))).ok()
}

fn columns(with_cost: bool, language: Language) -> Vec<Column> {
    let l = |vi, en| language.pick(vi, en);
    let serial_weight = if with_cost { 22.0 } else { 30.0 };
    let mut columns = vec![
        Column::new(l("STT", "No."), 4.0, Align::Center),
        Column::new(l("Mã hàng", "Model"), 11.0, Align::Left),
        Column::new(l("Tên hàng hóa", "Description"), 22.0, Align::Left),
        Column::new(l("ĐVT", "Unit"), 6.0, Align::Center),
        Column::new(l("Số lượng", "Qty"), 7.0, Align::Right),
        Column::new(l("Số sê-ri", "Serial numbers"), serial_weight, Align::Left),
    ];
    if with_cost {
        columns.push(Column::new(l("Đơn giá vốn", "Unit cost"), 11.0, Align::Right));
        columns.push(Column::new(l("Thành tiền", "Amount"), 12.0, Align::Right));
    }
    columns
}

fn lines_table(lines: &[GoodsIssueLine], with_cost: bool, language: Language) -> Table {
    let money = |amount: Option<i64>| amount.map(|a| format_money(a, language)).unwrap_or_default();
    let rows = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            let mut cells = vec![
                (index + 1).to_string(),
                line.model_code.clone(),
                line.description.clone(),
                line.unit.clone(),
                format_integer(line.quantity, language),
                line.serials.join(", "),
            ];
            if with_cost {
                cells.push(money(line.cost_amount.and_then(|amount| unit_cost(amount, line.quantity))));
                cells.push(money(line.cost_amount));
            }
            TableRow::new(cells)
        })
        .collect();
    Table { columns: columns(with_cost, language), rows }
}

fn header_fields(slip: &GoodsIssueDoc, language: Language) -> [(&'static str, &str); 5] {
    let l = |vi, en| language.pick(vi, en);
    [
        (l("Số", "No."), slip.number.as_str()),
        (l("Ngày xuất", "Date issued"), slip.date.as_str()),
        (l("Lệnh xuất bán", "Dispatch order"), slip.dispatch_number.as_str()),
        (l("Đơn đặt hàng", "Sales order"), slip.order_number.as_str()),
        (l("Kho xuất", "Warehouse"), slip.warehouse.as_str()),
    ]
}

fn totals(slip: &GoodsIssueDoc, language: Language) -> Result<Vec<Block>, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let total_quantity = slip
        .lines
        .iter()
        .try_fold(0_i64, |sum, line| sum.checked_add(line.quantity))
        .ok_or(DocumentError::AmountOverflow("the total quantity"))?;
    let mut rows = vec![TotalRow {
        label: l("Tổng số lượng", "Total quantity").to_string(),
        value: format_integer(total_quantity, language),
        emphasis: slip.cost.is_none(),
    }];
    let Some(cost) = &slip.cost else { return Ok(vec![Block::Totals(rows)]) };
    rows.push(TotalRow {
        label: l("Tổng giá vốn (bình quân gia quyền)", "Total at moving-average cost").to_string(),
        value: format_money(cost.total_cost, language),
        emphasis: true,
    });
    let words = in_words_line(cost.total_cost, language);
    Ok(vec![Block::Totals(rows), Block::Text { text: words, bold: false, align: Align::Left }])
}

/// The goods issue slip as the generic document.
pub(crate) fn goods_issue_document(
    slip: &GoodsIssueDoc,
    language: Language,
) -> Result<BusinessDocument, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let [fields, customer] =
        heading_blocks(&header_fields(slip, language), &slip.customer, l("Người nhận hàng", "Recipient"));
    let mut blocks = vec![fields, customer];
    if slip.cost.is_some() {
        blocks.push(currency_note(language));
    }
    blocks.push(Block::Table(lines_table(&slip.lines, slip.cost.is_some(), language)));
    blocks.extend(totals(slip, language)?);
    Ok(BusinessDocument {
        company: slip.company.clone(),
        title: l("PHIẾU XUẤT KHO", "GOODS ISSUE SLIP").to_string(),
        subtitle: Vec::new(),
        reference: format!("{}: {}", l("Số", "No."), slip.number),
        blocks,
        signatures: vec![
            signature(l("Người lập phiếu", "Prepared by"), sign_hint(language)),
            signature(l("Người nhận hàng", "Received by"), sign_hint(language)),
            signature(l("Thủ kho", "Warehouse keeper"), sign_hint(language)),
            signature(l("Kế toán trưởng", "Chief accountant"), sign_hint(language)),
            signature(l("Giám đốc", "Director"), sign_and_seal_hint(language)),
        ],
    })
}

/// The goods issue slip as PDF bytes.
pub fn goods_issue_pdf(slip: &GoodsIssueDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&goods_issue_document(slip, language)?, language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample_slip(cost: Option<IssueCost>) -> GoodsIssueDoc {
        let lines = (0..3)
            .map(|index| GoodsIssueLine {
                model_code: format!("MLT-{index:03}"),
                description: "Máy ly tâm lạnh 4 x 750 ml".to_string(),
                unit: "Cái".to_string(),
                quantity: 3,
                serials: (0..3).map(|n| format!("SN{index}{n:04}")).collect(),
                cost_amount: Some(100_000_000),
            })
            .collect();
        GoodsIssueDoc {
            company: company(),
            number: "PX-2026-0001".to_string(),
            date: "02/12/2026".to_string(),
            dispatch_number: "LX-2026-0001".to_string(),
            order_number: "DH-2026-0007".to_string(),
            warehouse: "HN".to_string(),
            customer: customer(),
            lines,
            cost,
        }
    }

    fn table_of(document: &BusinessDocument) -> &Table {
        let table = document.blocks.iter().find_map(|block| match block {
            Block::Table(table) => Some(table),
            _ => None,
        });
        table.expect("the slip has its lines table")
    }

    #[test]
    fn the_slip_renders_with_and_without_costs() {
        for cost in [None, Some(IssueCost { total_cost: 300_000_000 })] {
            for language in [Language::Vi, Language::En] {
                let bytes = goods_issue_pdf(&sample_slip(cost.clone()), language).expect("renders");
                assert!(bytes.starts_with(b"%PDF"));
                assert_eq!(pdf_page_count(&bytes), 1);
            }
        }
    }

    #[test]
    fn cost_columns_only_when_costs_are_given() {
        let without = goods_issue_document(&sample_slip(None), Language::Vi).expect("lays out");
        assert_eq!(table_of(&without).columns.len(), 6);
        let with = goods_issue_document(&sample_slip(Some(IssueCost { total_cost: 300_000_000 })), Language::Vi)
            .expect("lays out");
        let table = table_of(&with);
        assert_eq!(table.columns.len(), 8);
        assert_eq!(table.rows[0].cells[6..], ["33.333.333".to_string(), "100.000.000".to_string()]);
        assert_eq!(with.signatures.len(), 5);
    }

    #[test]
    fn unit_cost_rounds_half_up_and_refuses_no_quantity() {
        assert_eq!(unit_cost(1_000, 3), Some(333));
        assert_eq!(unit_cost(1_001, 2), Some(501));
        assert_eq!(unit_cost(1_000, 0), None);
    }

    #[test]
    fn quantity_overflow_is_an_error() {
        let mut slip = sample_slip(None);
        slip.lines.iter_mut().for_each(|line| line.quantity = i64::MAX);
        assert_eq!(goods_issue_pdf(&slip, Language::Vi), Err(DocumentError::AmountOverflow("the total quantity")));
    }
}
