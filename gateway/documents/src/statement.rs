//! Biên bản đối chiếu công nợ: the customer's debt over a period, for the customer to confirm.

use super::document::{Block, BusinessDocument, CompanyHeader, Party, render_document};
use super::format::format_money;
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{
    DocumentError, Language, amount_in_words, currency_note, heading_blocks, sign_and_seal_hint, sign_hint, signature,
};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatementLine {
    pub date: String,
    /// The voucher: invoice or receipt number.
    pub document: String,
    pub description: String,
    /// VND the customer came to owe (invoices).
    pub debit: i64,
    /// VND the customer paid or was credited.
    pub credit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatementDoc {
    pub company: CompanyHeader,
    /// Not printed when empty.
    pub number: String,
    /// The day the statement is drawn up.
    pub date: String,
    pub period_from: String,
    pub period_to: String,
    pub customer: Party,
    /// What the customer owed at the start of the period; negative when they had paid ahead.
    pub opening_balance: i64,
    pub lines: Vec<StatementLine>,
    /// The accountant, printed under "Kế toán".
    pub prepared_by: String,
    pub note: String,
}

/// The running balance after each line, the period's debit and credit, and the closing balance.
struct Balances {
    running: Vec<i64>,
    total_debit: i64,
    total_credit: i64,
    closing: i64,
}

fn balances(statement: &StatementDoc) -> Result<Balances, DocumentError> {
    let overflow = DocumentError::AmountOverflow;
    let (mut balance, mut total_debit, mut total_credit) = (statement.opening_balance, 0_i64, 0_i64);
    let mut running = Vec::with_capacity(statement.lines.len());
    for line in &statement.lines {
        total_debit = total_debit.checked_add(line.debit).ok_or(overflow("the period's debit"))?;
        total_credit = total_credit.checked_add(line.credit).ok_or(overflow("the period's credit"))?;
        balance = balance
            .checked_add(line.debit)
            .and_then(|sum| sum.checked_sub(line.credit))
            .ok_or(overflow("the running balance"))?;
        running.push(balance);
    }
    Ok(Balances { running, total_debit, total_credit, closing: balance })
}

fn lines_table(statement: &StatementDoc, balances: &Balances, language: Language) -> Table {
    let l = |vi, en| language.pick(vi, en);
    let money = |amount: i64| format_money(amount, language);
    let columns = vec![
        Column::new(l("Ngày", "Date"), 9.0, Align::Center),
        Column::new(l("Chứng từ", "Document"), 12.0, Align::Left),
        Column::new(l("Diễn giải", "Description"), 22.0, Align::Left),
        Column::new(l("Phát sinh nợ", "Debit"), 12.0, Align::Right),
        Column::new(l("Phát sinh có", "Credit"), 12.0, Align::Right),
        Column::new(l("Số dư", "Balance"), 13.0, Align::Right),
    ];
    let summary_row = |label: &str, debit: String, credit: String, balance: String| {
        TableRow::emphasised(vec![String::new(), String::new(), label.to_string(), debit, credit, balance])
    };
    let mut rows = vec![summary_row(
        l("Số dư đầu kỳ", "Opening balance"),
        String::new(),
        String::new(),
        money(statement.opening_balance),
    )];
    for (line, balance) in statement.lines.iter().zip(&balances.running) {
        let amount_or_blank = |amount: i64| if amount == 0 { String::new() } else { money(amount) };
        rows.push(TableRow::new(vec![
            line.date.clone(),
            line.document.clone(),
            line.description.clone(),
            amount_or_blank(line.debit),
            amount_or_blank(line.credit),
            money(*balance),
        ]));
    }
    rows.push(summary_row(
        l("Cộng phát sinh", "Period total"),
        money(balances.total_debit),
        money(balances.total_credit),
        String::new(),
    ));
    rows.push(summary_row(
        l("Số dư cuối kỳ", "Closing balance"),
        String::new(),
        String::new(),
        money(balances.closing),
    ));
    Table { columns, rows }
}

/// "The customer still owes X" or, after paying ahead, "the customer has paid X too much".
fn conclusion(statement: &StatementDoc, closing: i64, language: Language) -> Vec<Block> {
    let l = |vi, en| language.pick(vi, en);
    let statement_line = if closing >= 0 {
        l("Số tiền khách hàng còn phải thanh toán", "Amount the customer still owes")
    } else {
        l("Số tiền khách hàng đã trả thừa", "Amount the customer has overpaid")
    };
    let magnitude = closing.checked_abs().unwrap_or(i64::MAX);
    let as_of = if statement.period_to.is_empty() {
        String::new()
    } else {
        format!(" ({} {})", l("đến ngày", "as of"), statement.period_to)
    };
    let amount_line = format!("{statement_line}{as_of}: {}", format_money(magnitude, language));
    let words_line = format!("{}: {}", l("Bằng chữ", "In words"), amount_in_words(magnitude, language));
    let mut blocks = vec![
        Block::Gap(4.0),
        Block::Text { text: amount_line, bold: true, align: Align::Left },
        Block::Text { text: words_line, bold: false, align: Align::Left },
    ];
    let request = l(
        "Đề nghị Quý khách hàng kiểm tra, xác nhận và gửi lại một bản cho chúng tôi.",
        "Please check, confirm and return one signed copy to us.",
    );
    blocks.push(Block::Text { text: request.to_string(), bold: false, align: Align::Left });
    if !statement.note.is_empty() {
        blocks.push(Block::Text { text: statement.note.clone(), bold: false, align: Align::Left });
    }
    blocks
}

/// The statement as the generic document.
pub(crate) fn statement_document(
    statement: &StatementDoc,
    language: Language,
) -> Result<BusinessDocument, DocumentError> {
    let l = |vi, en| language.pick(vi, en);
    let balances = balances(statement)?;
    let header = [(l("Số", "No."), statement.number.as_str()), (l("Ngày lập", "Date"), statement.date.as_str())];
    let [fields, customer] = heading_blocks(&header, &statement.customer, l("Khách hàng", "Customer"));
    let period = match language {
        Language::Vi => format!("Từ ngày {} đến ngày {}", statement.period_from, statement.period_to),
        Language::En => format!("From {} to {}", statement.period_from, statement.period_to),
    };
    let mut blocks =
        vec![fields, customer, currency_note(language), Block::Table(lines_table(statement, &balances, language))];
    blocks.extend(conclusion(statement, balances.closing, language));
    let mut accountant = signature(l("Kế toán", "Accountant"), sign_hint(language));
    accountant.name = statement.prepared_by.clone();
    Ok(BusinessDocument {
        company: statement.company.clone(),
        title: l("BIÊN BẢN ĐỐI CHIẾU CÔNG NỢ", "STATEMENT OF ACCOUNT").to_string(),
        subtitle: vec![period],
        reference: if statement.number.is_empty() {
            String::new()
        } else {
            format!("{}: {}", l("Số", "No."), statement.number)
        },
        blocks,
        signatures: vec![
            signature(l("Đại diện khách hàng", "For the customer"), sign_and_seal_hint(language)),
            accountant,
            signature(l("Giám đốc", "Director"), sign_and_seal_hint(language)),
        ],
    })
}

/// The customer's debt statement as PDF bytes.
pub fn statement_pdf(statement: &StatementDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&statement_document(statement, language)?, language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample_statement(line_count: usize) -> StatementDoc {
        let lines = (0..line_count)
            .map(|index| StatementLine {
                date: format!("{:02}/11/2026", index % 30 + 1),
                document: format!("C26TAQ-{index:07}"),
                description: if index % 2 == 0 { "Bán hàng" } else { "Thu tiền chuyển khoản" }.to_string(),
                debit: if index % 2 == 0 { 11_000_000 } else { 0 },
                credit: if index % 2 == 0 { 0 } else { 5_000_000 },
            })
            .collect();
        StatementDoc {
            company: company(),
            number: "DC-2026-0003".to_string(),
            date: "01/12/2026".to_string(),
            period_from: "01/11/2026".to_string(),
            period_to: "30/11/2026".to_string(),
            customer: customer(),
            opening_balance: 20_000_000,
            lines,
            prepared_by: "Phạm Thu Trang".to_string(),
            note: String::new(),
        }
    }

    #[test]
    fn balances_run_and_close() {
        let computed = balances(&sample_statement(4)).expect("sums");
        assert_eq!(computed.running, vec![31_000_000, 26_000_000, 37_000_000, 32_000_000]);
        assert_eq!(
            (computed.total_debit, computed.total_credit, computed.closing),
            (22_000_000, 10_000_000, 32_000_000)
        );
    }

    #[test]
    fn statement_renders() {
        for language in [Language::Vi, Language::En] {
            let bytes = statement_pdf(&sample_statement(6), language).expect("renders");
            assert!(bytes.starts_with(b"%PDF"));
            assert_eq!(pdf_page_count(&bytes), 1);
        }
        assert!(pdf_page_count(&statement_pdf(&sample_statement(90), Language::Vi).expect("renders")) >= 2);
    }

    #[test]
    fn overflowing_balance_is_an_error() {
        let mut statement = sample_statement(2);
        statement.opening_balance = i64::MAX;
        assert!(matches!(statement_pdf(&statement, Language::Vi), Err(DocumentError::AmountOverflow(_))));
    }
}
