//! Bảng kê thưởng doanh số: a customer's sales bonus for a quarter or a year, with every payment
//! and the invoice it paid that counted, the scheme's rates and the step reached, the bonus earned,
//! and what was accrued, settled and clawed back, for the customer to check and confirm.

use super::document::{Block, BusinessDocument, CompanyHeader, Party, TotalRow, render_document};
use super::format::{format_money, format_percent_bp};
use super::layout::Align;
use super::table::{Column, Table, TableRow};
use super::{DocumentError, Language, currency_note, heading_blocks, sign_and_seal_hint, sign_hint, signature};

/// A payment received in the period and the invoice it paid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BonusPaidLine {
    pub payment_number: String,
    pub received_on: String,
    pub invoice_number: String,
    pub invoice_date: String,
    /// VND allocated to the invoice, with VAT, after returns.
    pub allocated: i64,
    /// The part of it without VAT, which the bonus is counted on.
    pub net: i64,
}

/// A step of the scheme: from `threshold` VND of paid net revenue, `rate_bp` of all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BonusRateStep {
    pub threshold: i64,
    pub rate_bp: i32,
}

/// The bonus figures, as the accounting department computed them (printed, never recomputed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BonusFigures {
    pub paid_gross: i64,
    pub paid_net: i64,
    pub threshold_reached: i64,
    pub rate_bp: i32,
    pub earned: i64,
    pub accrued: i64,
    /// Settled less clawed back.
    pub settled: i64,
    pub clawed_back: i64,
    /// Still owed to the customer.
    pub payable: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BonusStatementDoc {
    pub company: CompanyHeader,
    /// The day the statement is drawn up.
    pub date: String,
    /// "2026-Q4" or "2026".
    pub period: String,
    pub period_from: String,
    pub period_to: String,
    pub customer: Party,
    /// The scheme that applies; empty when none does (then no bonus is earned).
    pub scheme_name: String,
    pub steps: Vec<BonusRateStep>,
    pub lines: Vec<BonusPaidLine>,
    pub figures: BonusFigures,
}

/// The scheme's name and its steps, each on a line of its own (a scheme's name may be long):
/// "Mức thưởng: từ 100.000.000: 1% · từ 500.000.000: 2%".
fn scheme_lines(statement: &BonusStatementDoc, language: Language) -> Vec<Block> {
    let l = |vi, en| language.pick(vi, en);
    let line =
        |label: &str, value: &str| Block::Text { text: format!("{label}: {value}"), bold: false, align: Align::Left };
    if statement.scheme_name.is_empty() {
        let none = l("Không có chính sách thưởng áp dụng", "No bonus scheme applies");
        return vec![line(l("Chính sách thưởng", "Bonus scheme"), none)];
    }
    let step = |s: &BonusRateStep| {
        format!(
            "{} {}: {}",
            l("từ", "from"),
            format_money(s.threshold, language),
            format_percent_bp(s.rate_bp, language)
        )
    };
    let steps = statement.steps.iter().map(step).collect::<Vec<_>>().join(" · ");
    vec![line(l("Chính sách thưởng", "Bonus scheme"), &statement.scheme_name), line(l("Mức thưởng", "Rates"), &steps)]
}

fn lines_table(statement: &BonusStatementDoc, language: Language) -> Table {
    let l = |vi, en| language.pick(vi, en);
    let money = |amount: i64| format_money(amount, language);
    let columns = vec![
        Column::new(l("STT", "No."), 4.0, Align::Center),
        Column::new(l("Phiếu thu", "Payment"), 12.0, Align::Left),
        Column::new(l("Ngày thu", "Received"), 9.0, Align::Center),
        Column::new(l("Hóa đơn", "Invoice"), 13.0, Align::Left),
        Column::new(l("Ngày hóa đơn", "Invoice date"), 9.0, Align::Center),
        Column::new(l("Số tiền thanh toán (gồm thuế GTGT)", "Paid (VAT included)"), 13.0, Align::Right),
        Column::new(l("Doanh thu tính thưởng (chưa có thuế GTGT)", "Bonus revenue (before VAT)"), 13.0, Align::Right),
    ];
    let mut rows: Vec<TableRow> = statement
        .lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            TableRow::new(vec![
                (index + 1).to_string(),
                line.payment_number.clone(),
                line.received_on.clone(),
                line.invoice_number.clone(),
                line.invoice_date.clone(),
                money(line.allocated),
                money(line.net),
            ])
        })
        .collect();
    let blank = String::new;
    rows.push(TableRow::emphasised(vec![
        blank(),
        l("Cộng", "Total").to_string(),
        blank(),
        blank(),
        blank(),
        money(statement.figures.paid_gross),
        money(statement.figures.paid_net),
    ]));
    Table { columns, rows }
}

/// The bonus reached and where it stands: earned, accrued, settled, clawed back, still owed.
fn figure_rows(figures: &BonusFigures, language: Language) -> Vec<TotalRow> {
    let l = |vi, en| language.pick(vi, en);
    let row = |label: &str, value: String, emphasis: bool| TotalRow { label: label.to_string(), value, emphasis };
    let money = |amount: i64| format_money(amount, language);
    let step = format!(
        "{} {}: {}",
        l("từ", "from"),
        money(figures.threshold_reached),
        format_percent_bp(figures.rate_bp, language)
    );
    vec![
        row(l("Mức đạt, tỷ lệ thưởng", "Step reached, rate"), step, false),
        row(l("Tiền thưởng được hưởng", "Bonus earned"), money(figures.earned), true),
        row(l("Đã trích trước", "Accrued"), money(figures.accrued), false),
        row(l("Đã chi trả, bù trừ công nợ", "Settled"), money(figures.settled), false),
        row(l("Đã thu hồi", "Clawed back"), money(figures.clawed_back), false),
        row(l("Còn phải trả khách hàng", "Still owed to the customer"), money(figures.payable), true),
    ]
}

/// The bonus statement as the generic document.
pub(crate) fn bonus_statement_document(statement: &BonusStatementDoc, language: Language) -> BusinessDocument {
    let l = |vi, en| language.pick(vi, en);
    let header =
        [(l("Kỳ thưởng", "Bonus period"), statement.period.as_str()), (l("Ngày lập", "Date"), statement.date.as_str())];
    let [fields, customer] = heading_blocks(&header, &statement.customer, l("Khách hàng", "Customer"));
    let period = match language {
        Language::Vi => format!("Từ ngày {} đến ngày {}", statement.period_from, statement.period_to),
        Language::En => format!("From {} to {}", statement.period_from, statement.period_to),
    };
    let counted = l(
        "Các khoản thanh toán trong kỳ được tính thưởng (theo hóa đơn đã thanh toán):",
        "Payments received in the period that count towards the bonus (by the invoice paid):",
    );
    let text = |text: &str| Block::Text { text: text.to_string(), bold: false, align: Align::Left };
    let mut blocks = vec![fields, customer];
    blocks.extend(scheme_lines(statement, language));
    blocks.extend([
        text(counted),
        currency_note(language),
        Block::Table(lines_table(statement, language)),
        Block::Totals(figure_rows(&statement.figures, language)),
        text(l(
            "Đề nghị Quý khách hàng kiểm tra, xác nhận và gửi lại một bản cho chúng tôi.",
            "Please check, confirm and return one signed copy to us.",
        )),
    ]);
    BusinessDocument {
        company: statement.company.clone(),
        title: l("BẢNG KÊ THƯỞNG DOANH SỐ", "SALES BONUS STATEMENT").to_string(),
        subtitle: vec![period],
        reference: format!("{}: {}", l("Kỳ thưởng", "Bonus period"), statement.period),
        blocks,
        signatures: vec![
            signature(l("Đại diện khách hàng", "For the customer"), sign_and_seal_hint(language)),
            signature(l("Kế toán", "Accountant"), sign_hint(language)),
            signature(l("Giám đốc", "Director"), sign_and_seal_hint(language)),
        ],
    }
}

/// The customer's bonus statement as PDF bytes.
pub fn bonus_statement_pdf(statement: &BonusStatementDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&bonus_statement_document(statement, language), language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample(line_count: usize, scheme: bool) -> BonusStatementDoc {
        let lines = (0..line_count)
            .map(|index| BonusPaidLine {
                payment_number: format!("PT-2026-{index:04}"),
                received_on: format!("{:02}/11/2026", index % 30 + 1),
                invoice_number: format!("C26TAQ-{index:07}"),
                invoice_date: "15/10/2026".to_string(),
                allocated: 110_000_000,
                net: 100_000_000,
            })
            .collect();
        let steps = vec![
            BonusRateStep { threshold: 100_000_000, rate_bp: 100 },
            BonusRateStep { threshold: 500_000_000, rate_bp: 150 },
        ];
        BonusStatementDoc {
            company: company(),
            date: "01/12/2026".to_string(),
            period: "2026-Q4".to_string(),
            period_from: "01/10/2026".to_string(),
            period_to: "31/12/2026".to_string(),
            customer: customer(),
            scheme_name: if scheme { "Thưởng đại lý theo quý".to_string() } else { String::new() },
            steps: if scheme { steps } else { Vec::new() },
            lines,
            figures: BonusFigures {
                paid_gross: 660_000_000,
                paid_net: 600_000_000,
                threshold_reached: 500_000_000,
                rate_bp: 150,
                earned: 9_000_000,
                accrued: 9_000_000,
                settled: 4_000_000,
                clawed_back: 0,
                payable: 5_000_000,
            },
        }
    }

    fn texts(document: &BusinessDocument) -> Vec<String> {
        let mut texts = Vec::new();
        for block in &document.blocks {
            match block {
                Block::Fields(fields) => texts.extend(fields.iter().map(|f| format!("{}: {}", f.label, f.value))),
                Block::Text { text, .. } => texts.push(text.clone()),
                Block::Totals(rows) => texts.extend(rows.iter().map(|r| format!("{}: {}", r.label, r.value))),
                _ => {}
            }
        }
        texts
    }

    #[test]
    fn the_statement_renders_in_both_languages_and_runs_onto_more_pages() {
        for language in [Language::Vi, Language::En] {
            let bytes = bonus_statement_pdf(&sample(6, true), language).expect("renders");
            assert!(bytes.starts_with(b"%PDF"));
            assert_eq!(pdf_page_count(&bytes), 1);
        }
        assert!(pdf_page_count(&bonus_statement_pdf(&sample(90, true), Language::Vi).expect("renders")) >= 2);
    }

    #[test]
    fn the_rates_the_step_and_the_figures_are_printed_as_given() {
        let texts = texts(&bonus_statement_document(&sample(6, true), Language::Vi));
        for expected in [
            "Mức thưởng: từ 100.000.000: 1% · từ 500.000.000: 1,5%",
            "Mức đạt, tỷ lệ thưởng: từ 500.000.000: 1,5%",
            "Tiền thưởng được hưởng: 9.000.000",
            "Đã chi trả, bù trừ công nợ: 4.000.000",
            "Còn phải trả khách hàng: 5.000.000",
        ] {
            assert!(texts.contains(&expected.to_string()), "{expected:?} in {texts:?}");
        }
    }

    #[test]
    fn without_a_scheme_the_statement_says_so() {
        let texts = texts(&bonus_statement_document(&sample(0, false), Language::En));
        assert!(texts.contains(&"Bonus scheme: No bonus scheme applies".to_string()), "{texts:?}");
        assert!(!texts.iter().any(|t| t.starts_with("Rates")), "{texts:?}");
    }
}
