//! Hợp đồng mua bán: the contract's cover and summary (the parties, its dates, value in figures and
//! in words, status and the employee who answers for it) with a signature block for both parties.
//! The terms themselves are in the signed copy kept with the contract.

use super::document::{Block, BusinessDocument, CompanyHeader, Field, Party, render_document};
use super::format::format_money;
use super::layout::Align;
use super::{DocumentError, Language, in_words_line, sign_and_seal_hint, signature};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContractDoc {
    pub company: CompanyHeader,
    /// e.g. "HD-2026-0001".
    pub number: String,
    /// The contract's name, e.g. "Cung cấp thiết bị phòng thí nghiệm hóa".
    pub name: String,
    /// The buyer (Bên A); the company is the seller (Bên B).
    pub customer: Party,
    /// dd/mm/yyyy.
    pub made_on: String,
    /// dd/mm/yyyy; empty for an open-ended contract.
    pub ends_on: String,
    /// VND with VAT; 0 when the contract does not state it.
    pub value: i64,
    /// The status as the reader calls it, e.g. "Đã ký".
    pub status: String,
    /// The employee who answers for the contract.
    pub responsible: String,
    pub note: String,
}

fn summary_fields(contract: &ContractDoc, language: Language) -> Vec<Field> {
    let l = |vi, en| language.pick(vi, en);
    let ends_on = if contract.ends_on.is_empty() {
        l("Không thời hạn", "Open-ended").to_string()
    } else {
        contract.ends_on.clone()
    };
    vec![
        Field::new(l("Số hợp đồng", "Contract no."), contract.number.as_str()),
        Field::new(l("Ngày lập", "Date made"), contract.made_on.as_str()),
        Field::new(l("Ngày kết thúc", "End date"), ends_on),
        Field::new(l("Trạng thái", "Status"), contract.status.as_str()),
        Field::new(l("Nhân viên phụ trách", "Person in charge"), contract.responsible.as_str()),
    ]
}

/// "Giá trị hợp đồng" in figures and in words, or that the contract does not state it.
fn value_blocks(contract: &ContractDoc, language: Language) -> Vec<Block> {
    let l = |vi, en| language.pick(vi, en);
    let text = |text: String, bold: bool| Block::Text { text, bold, align: Align::Left };
    if contract.value == 0 {
        return vec![text(
            format!("{}: {}", l("Giá trị hợp đồng", "Contract value"), l("không ghi", "not stated")),
            true,
        )];
    }
    let figures = format!(
        "{}: {} {}",
        l("Giá trị hợp đồng (đã gồm thuế GTGT)", "Contract value (VAT included)"),
        format_money(contract.value, language),
        l("đồng", "VND"),
    );
    vec![text(figures, true), text(in_words_line(contract.value, language), false)]
}

/// The company as the seller's party block.
fn seller(company: &CompanyHeader, language: Language) -> Party {
    Party {
        label: language.pick("BÊN B (Bên bán)", "PARTY B (Seller)").to_string(),
        name: company.name.clone(),
        code: String::new(),
        address: company.address.clone(),
        tax_code: company.tax_code.clone(),
        phone: company.phone.clone(),
    }
}

/// The contract as the generic document.
pub(crate) fn contract_document(contract: &ContractDoc, language: Language) -> BusinessDocument {
    let l = |vi, en| language.pick(vi, en);
    let mut buyer = contract.customer.clone();
    buyer.label = l("BÊN A (Bên mua)", "PARTY A (Buyer)").to_string();
    let mut blocks = vec![
        Block::Fields(summary_fields(contract, language)),
        Block::Party(buyer),
        Block::Party(seller(&contract.company, language)),
    ];
    blocks.extend(value_blocks(contract, language));
    if !contract.note.is_empty() {
        let note = format!("{}: {}", l("Ghi chú", "Note"), contract.note);
        blocks.push(Block::Text { text: note, bold: false, align: Align::Left });
    }
    let subtitle = if contract.name.is_empty() { Vec::new() } else { vec![contract.name.clone()] };
    BusinessDocument {
        company: contract.company.clone(),
        title: l("HỢP ĐỒNG MUA BÁN", "SALES CONTRACT").to_string(),
        subtitle,
        reference: format!("{}: {}", l("Số", "No."), contract.number),
        blocks,
        signatures: vec![
            signature(l("ĐẠI DIỆN BÊN A", "FOR PARTY A"), sign_and_seal_hint(language)),
            signature(l("ĐẠI DIỆN BÊN B", "FOR PARTY B"), sign_and_seal_hint(language)),
        ],
    }
}

/// The contract's cover and summary as PDF bytes.
pub fn contract_pdf(contract: &ContractDoc, language: Language) -> Result<Vec<u8>, DocumentError> {
    render_document(&contract_document(contract, language), language)
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{company, customer, pdf_page_count};
    use super::*;

    fn sample_contract(value: i64) -> ContractDoc {
        ContractDoc {
            company: company(),
            number: "HD-2026-0003".to_string(),
            name: "Cung cấp máy quang phổ UV-Vis".to_string(),
            customer: customer(),
            made_on: "01/12/2026".to_string(),
            ends_on: String::new(),
            value,
            status: "Đã ký".to_string(),
            responsible: "sales.hn".to_string(),
            note: "Bảo hành 12 tháng.".to_string(),
        }
    }

    fn texts(document: &BusinessDocument) -> Vec<String> {
        let mut texts = Vec::new();
        for block in &document.blocks {
            match block {
                Block::Text { text, .. } => texts.push(text.clone()),
                Block::Fields(fields) => texts.extend(fields.iter().map(|f| format!("{}: {}", f.label, f.value))),
                _ => {}
            }
        }
        texts
    }

    #[test]
    fn the_contract_renders_in_both_languages() {
        for language in [Language::Vi, Language::En] {
            let bytes = contract_pdf(&sample_contract(110_000_000), language).expect("renders");
            assert!(bytes.starts_with(b"%PDF"));
            assert_eq!(pdf_page_count(&bytes), 1);
        }
    }

    #[test]
    fn the_value_is_in_figures_and_in_words() {
        let texts = texts(&contract_document(&sample_contract(110_000_000), Language::Vi));
        assert!(texts.contains(&"Giá trị hợp đồng (đã gồm thuế GTGT): 110.000.000 đồng".to_string()), "{texts:?}");
        assert!(texts.contains(&"Bằng chữ: Một trăm mười triệu đồng".to_string()), "{texts:?}");
        assert!(texts.contains(&"Ngày kết thúc: Không thời hạn".to_string()), "{texts:?}");
    }

    #[test]
    fn an_unstated_value_is_not_printed_as_zero() {
        let texts = texts(&contract_document(&sample_contract(0), Language::En));
        assert!(texts.contains(&"Contract value: not stated".to_string()), "{texts:?}");
        assert!(!texts.iter().any(|t| t.starts_with("In words")), "{texts:?}");
    }
}
