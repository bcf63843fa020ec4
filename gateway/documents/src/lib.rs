//! Printable business documents as PDF: VAT invoices and their reducing adjustments, quotes, sales
//! orders, dispatch orders and debt statements.
//!
//! Every document is laid out on A4 portrait with the company header on each page, tables that
//! continue on the next page under a repeated header row, and "Trang 1/2" page numbers. Text is
//! real text in an embedded, subset DejaVu Sans, so it can be selected, searched and extracted.
//! Callers hand in amounts as integer VND and dates already formatted (dd/mm/yyyy).

mod adjustment;
mod bonus_statement;
mod contract;
mod dispatch;
mod document;
mod fonts;
mod format;
mod goods_issue;
mod invoice;
mod layout;
mod pdf;
mod quote;
mod sales_order;
mod statement;
mod table;
mod words;

use std::fmt;

pub use adjustment::{AdjustmentDoc, adjustment_pdf};
pub use bonus_statement::{BonusFigures, BonusPaidLine, BonusRateStep, BonusStatementDoc, bonus_statement_pdf};
pub use contract::{ContractDoc, contract_pdf};
pub use dispatch::{DispatchLine, DispatchOrderDoc, dispatch_order_pdf};
pub use document::{Block, BusinessDocument, CompanyHeader, Field, Party, Signature, TotalRow, render_document};
pub use format::{format_integer, format_money, format_rate_bp};
pub use goods_issue::{GoodsIssueDoc, GoodsIssueLine, IssueCost, goods_issue_pdf};
pub use invoice::{InvoiceDoc, InvoiceLine, VatSummaryRow, invoice_pdf, summarise_vat};
pub use layout::Align;
pub use quote::{QuoteDoc, QuoteLine, quote_pdf};
pub use sales_order::{SalesOrderDoc, SalesOrderLine, sales_order_pdf};
pub use statement::{StatementDoc, StatementLine, statement_pdf};
pub use table::{Column, Table, TableRow};
pub use words::amount_in_words;

/// The language a document or a screen is printed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Language {
    #[default]
    Vi,
    En,
}

impl Language {
    /// Picks the Vietnamese or the English text.
    pub fn pick<'a>(self, vietnamese: &'a str, english: &'a str) -> &'a str {
        match self {
            Language::Vi => vietnamese,
            Language::En => english,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    /// An embedded font could not be read or subset.
    Font(String),
    /// A sum on the document does not fit in i64 VND.
    AmountOverflow(&'static str),
    /// The PDF could not be assembled.
    Pdf(String),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::Font(detail) => write!(formatter, "embedded font unusable: {detail}"),
            DocumentError::AmountOverflow(what) => write!(formatter, "{what} is too large to print"),
            DocumentError::Pdf(detail) => write!(formatter, "cannot write the PDF: {detail}"),
        }
    }
}

impl std::error::Error for DocumentError {}

/// "(Ký, ghi rõ họ tên)": the hint under most signature titles.
fn sign_hint(language: Language) -> String {
    language.pick("(Ký, ghi rõ họ tên)", "(Signature, full name)").to_string()
}

/// The director's hint adds the company seal.
fn sign_and_seal_hint(language: Language) -> String {
    language.pick("(Ký, đóng dấu, ghi rõ họ tên)", "(Signature, seal, full name)").to_string()
}

fn signature(title: &str, hint: String) -> Signature {
    Signature { title: title.to_string(), hint, name: String::new() }
}

/// The blocks every document opens with: its reference fields (those with a value, in the order
/// given) and the party it is made out to, headed `default_label` unless the party brings a label.
fn heading_blocks(fields: &[(&str, &str)], party: &Party, default_label: &str) -> [Block; 2] {
    let fields =
        fields.iter().filter(|(_, value)| !value.is_empty()).map(|(label, value)| Field::new(*label, *value)).collect();
    let mut party = party.clone();
    if party.label.is_empty() {
        party.label = default_label.to_string();
    }
    [Block::Fields(fields), Block::Party(party)]
}

/// "Bằng chữ: Một trăm mười triệu đồng".
fn in_words_line(amount_vnd: i64, language: Language) -> String {
    format!("{}: {}", language.pick("Bằng chữ", "In words"), amount_in_words(amount_vnd, language))
}

/// "Đơn vị tính: đồng" above a money table.
fn currency_note(language: Language) -> Block {
    Block::Text {
        text: language.pick("Đơn vị tính: đồng", "Currency: VND").to_string(),
        bold: false,
        align: Align::Right,
    }
}

#[cfg(test)]
mod test_support;
