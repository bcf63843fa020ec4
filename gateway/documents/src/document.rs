//! The generic printable document: company header on every page, a title, blocks of fields,
//! parties, tables, totals and text, signature boxes at the end, and "Trang 1/2" on every page.

use super::fonts::{FontStyle, Fonts};
use super::layout::{Align, CONTENT_WIDTH, Canvas, FOOTER_BASELINE, MARGIN_LEFT, MARGIN_TOP, Op, Page, TextFont, wrap};
use super::table::{Table, draw_table};
use super::{DocumentError, Language, pdf};

/// The issuing company, printed at the top of every page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompanyHeader {
    pub name: String,
    pub address: String,
    pub tax_code: String,
    pub phone: String,
}

/// A customer, buyer or other party named on a document. Empty fields are not printed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    /// The heading, e.g. "Người mua hàng" / "Khách hàng".
    pub label: String,
    pub name: String,
    pub code: String,
    pub address: String,
    pub tax_code: String,
    pub phone: String,
}

/// "Label: value", as in "Số: 0000001".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Field {
    pub label: String,
    pub value: String,
}

impl Field {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Field {
        Field { label: label.into(), value: value.into() }
    }
}

/// A line of the totals block under a table, right-aligned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TotalRow {
    pub label: String,
    pub value: String,
    /// Printed bold: the amount to pay.
    pub emphasis: bool,
}

/// A signature box: "Người mua hàng" over "(Ký, ghi rõ họ tên)", room to sign, then the name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Signature {
    pub title: String,
    pub hint: String,
    /// Printed under the space for the signature; may be empty.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Fields in two columns.
    Fields(Vec<Field>),
    Party(Party),
    Table(Table),
    Totals(Vec<TotalRow>),
    Text {
        text: String,
        bold: bool,
        align: Align,
    },
    /// Vertical space in points.
    Gap(f32),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BusinessDocument {
    pub company: CompanyHeader,
    /// e.g. "HÓA ĐƠN GIÁ TRỊ GIA TĂNG", centred under the header of the first page.
    pub title: String,
    /// Centred lines under the title.
    pub subtitle: Vec<String>,
    /// Identifies the document on continuation pages, e.g. "Số: 0000001"; may be empty.
    pub reference: String,
    pub blocks: Vec<Block>,
    pub signatures: Vec<Signature>,
}

const BODY: TextFont = TextFont::regular(9.0);
const BODY_BOLD: TextFont = TextFont::bold(9.0);
const SMALL: TextFont = TextFont::regular(8.0);
const COMPANY_NAME: TextFont = TextFont::bold(11.0);
const TITLE: TextFont = TextFont::bold(15.0);
const SIGNATURE_ROOM: f32 = 55.0;

/// Renders any document built from blocks; the concrete documents are built on this.
pub fn render_document(document: &BusinessDocument, language: Language) -> Result<Vec<u8>, DocumentError> {
    let fonts = Fonts::load()?;
    let pages = lay_out(document, language, &fonts);
    pdf::write_pdf(&pages, &fonts, &document.title)
}

pub(crate) fn lay_out(document: &BusinessDocument, language: Language, fonts: &Fonts) -> Vec<Page> {
    let header = |canvas: &mut Canvas<'_>| {
        let top = draw_company_header(canvas, &document.company, language);
        if canvas.pages.len() > 1 { draw_continuation(canvas, document, language, top) } else { top }
    };
    let mut canvas = Canvas::new(fonts, &header);
    canvas.paragraph(&document.title, TITLE, Align::Center);
    for line in &document.subtitle {
        canvas.paragraph(line, BODY, Align::Center);
    }
    canvas.gap(6.0);
    for block in &document.blocks {
        draw_block(&mut canvas, block, language);
    }
    draw_signatures(&mut canvas, &document.signatures);
    let mut pages = canvas.pages;
    number_pages(&mut pages, fonts, language);
    pages
}

fn company_labels(language: Language) -> [&'static str; 3] {
    match language {
        Language::Vi => ["Địa chỉ", "Mã số thuế", "Điện thoại"],
        Language::En => ["Address", "Tax code", "Phone"],
    }
}

fn draw_company_header(canvas: &mut Canvas<'_>, company: &CompanyHeader, language: Language) -> f32 {
    let mut cursor = MARGIN_TOP;
    let mut line = |canvas: &mut Canvas<'_>, text: &str, font: TextFont| {
        for wrapped in wrap(canvas.fonts, text, font, CONTENT_WIDTH) {
            canvas.text(&wrapped, (MARGIN_LEFT, CONTENT_WIDTH), cursor + font.size, font, Align::Left);
            cursor += font.leading();
        }
    };
    line(canvas, &company.name, COMPANY_NAME);
    let values = [&company.address, &company.tax_code, &company.phone];
    let present: Vec<String> = company_labels(language)
        .into_iter()
        .zip(values)
        .filter(|(_, value)| !value.is_empty())
        .map(|(label, value)| format!("{label}: {value}"))
        .collect();
    for text in present {
        line(canvas, &text, SMALL);
    }
    cursor += 3.0;
    canvas.line(MARGIN_LEFT, cursor, MARGIN_LEFT + CONTENT_WIDTH, cursor, 0.8);
    cursor + 8.0
}

/// "HÓA ĐƠN GIÁ TRỊ GIA TĂNG · Số: 0000001 (tiếp theo)" so a loose page can be matched to its first.
fn draw_continuation(canvas: &mut Canvas<'_>, document: &BusinessDocument, language: Language, top: f32) -> f32 {
    let mut text = document.title.clone();
    if !document.reference.is_empty() {
        text = format!("{text} · {}", document.reference);
    }
    text = format!("{text} {}", language.pick("(tiếp theo)", "(continued)"));
    canvas.text(&text, (MARGIN_LEFT, CONTENT_WIDTH), top + SMALL.size, SMALL, Align::Left);
    top + SMALL.leading() + 4.0
}

fn draw_block(canvas: &mut Canvas<'_>, block: &Block, language: Language) {
    match block {
        Block::Fields(fields) => draw_fields(canvas, fields),
        Block::Party(party) => draw_party(canvas, party, language),
        Block::Table(table) => draw_table(canvas, table),
        Block::Totals(rows) => draw_totals(canvas, rows),
        Block::Text { text, bold: true, align } => {
            // A bold line heads what follows: keep a few lines of room so it does not end a page alone.
            canvas.ensure_space(BODY_BOLD.leading() * 4.0);
            canvas.paragraph(text, BODY_BOLD, *align);
        }
        Block::Text { text, bold: false, align } => canvas.paragraph(text, BODY, *align),
        Block::Gap(height) => canvas.gap(*height),
    }
}

/// "Label: value" with the label regular and the value bold, the value wrapping under itself.
/// Returns the height used.
fn draw_field(canvas: &mut Canvas<'_>, field: &Field, (x, width): (f32, f32), top: f32) -> f32 {
    let label = format!("{}: ", field.label);
    let label_width = canvas.fonts.width(FontStyle::Regular, BODY.size, &label).min(width * 0.6);
    canvas.text(&label, (x, label_width), top + BODY.size, BODY, Align::Left);
    let lines = wrap(canvas.fonts, &field.value, BODY_BOLD, (width - label_width).max(1.0));
    for (index, value_line) in lines.iter().enumerate() {
        let baseline = top + BODY.size + BODY.leading() * index as f32;
        canvas.text(value_line, (x + label_width, width - label_width), baseline, BODY_BOLD, Align::Left);
    }
    BODY.leading() * lines.len().max(1) as f32
}

fn draw_fields(canvas: &mut Canvas<'_>, fields: &[Field]) {
    let column_width = CONTENT_WIDTH / 2.0 - 6.0;
    for pair in fields.chunks(2) {
        canvas.ensure_space(BODY.leading());
        let top = canvas.cursor;
        let mut height: f32 = 0.0;
        for (index, field) in pair.iter().enumerate() {
            let x = MARGIN_LEFT + index as f32 * (CONTENT_WIDTH / 2.0 + 6.0);
            height = height.max(draw_field(canvas, field, (x, column_width), top));
        }
        canvas.cursor = top + height;
    }
    canvas.gap(4.0);
}

fn party_labels(language: Language) -> [&'static str; 5] {
    match language {
        Language::Vi => ["Tên đơn vị", "Mã khách hàng", "Địa chỉ", "Mã số thuế", "Điện thoại"],
        Language::En => ["Name", "Customer code", "Address", "Tax code", "Phone"],
    }
}

fn draw_party(canvas: &mut Canvas<'_>, party: &Party, language: Language) {
    canvas.ensure_space(BODY.leading() * 3.0);
    if !party.label.is_empty() {
        canvas.paragraph(&party.label, BODY_BOLD, Align::Left);
    }
    let values = [&party.name, &party.code, &party.address, &party.tax_code, &party.phone];
    for (label, value) in party_labels(language).into_iter().zip(values) {
        if value.is_empty() {
            continue;
        }
        canvas.ensure_space(BODY.leading());
        let top = canvas.cursor;
        canvas.cursor = top + draw_field(canvas, &Field::new(label, value.as_str()), (MARGIN_LEFT, CONTENT_WIDTH), top);
    }
    canvas.gap(4.0);
}

fn draw_totals(canvas: &mut Canvas<'_>, rows: &[TotalRow]) {
    canvas.gap(4.0);
    let value_width = CONTENT_WIDTH * 0.22;
    let label_span = (MARGIN_LEFT, CONTENT_WIDTH - value_width - 8.0);
    let value_span = (MARGIN_LEFT + CONTENT_WIDTH - value_width, value_width - 3.0);
    for row in rows {
        let font = if row.emphasis { BODY_BOLD } else { BODY };
        canvas.ensure_space(font.leading());
        let baseline = canvas.cursor + font.size;
        canvas.text(&format!("{}:", row.label), label_span, baseline, font, Align::Right);
        canvas.text(&row.value, value_span, baseline, font, Align::Right);
        canvas.cursor += font.leading();
    }
    canvas.gap(4.0);
}

fn draw_signatures(canvas: &mut Canvas<'_>, signatures: &[Signature]) {
    if signatures.is_empty() {
        return;
    }
    canvas.gap(10.0);
    let box_width = CONTENT_WIDTH / signatures.len() as f32;
    let title_lines = |canvas: &Canvas<'_>, text: &str| wrap(canvas.fonts, text, BODY_BOLD, box_width - 6.0);
    let tallest_title = signatures.iter().map(|s| title_lines(canvas, &s.title).len()).max().unwrap_or(1);
    let height = BODY_BOLD.leading() * tallest_title as f32 + SMALL.leading() * 2.0 + SIGNATURE_ROOM + BODY.leading();
    canvas.ensure_space(height);
    let top = canvas.cursor;
    for (index, signature) in signatures.iter().enumerate() {
        let span = (MARGIN_LEFT + box_width * index as f32 + 3.0, box_width - 6.0);
        let mut baseline = top + BODY_BOLD.size;
        for line in title_lines(canvas, &signature.title) {
            canvas.text(&line, span, baseline, BODY_BOLD, Align::Center);
            baseline += BODY_BOLD.leading();
        }
        baseline = top + BODY_BOLD.leading() * tallest_title as f32 + SMALL.size;
        for line in wrap(canvas.fonts, &signature.hint, SMALL, span.1) {
            canvas.text(&line, span, baseline, SMALL, Align::Center);
            baseline += SMALL.leading();
        }
        let name_baseline = top + height - BODY.leading() + BODY.size;
        canvas.text(&signature.name, span, name_baseline, BODY_BOLD, Align::Center);
    }
    canvas.cursor = top + height;
}

fn number_pages(pages: &mut [Page], fonts: &Fonts, language: Language) {
    let total = pages.len();
    for (index, page) in pages.iter_mut().enumerate() {
        let label = match language {
            Language::Vi => format!("Trang {}/{total}", index + 1),
            Language::En => format!("Page {} of {total}", index + 1),
        };
        let x = MARGIN_LEFT + CONTENT_WIDTH - fonts.width(SMALL.style, SMALL.size, &label);
        page.ops.push(Op::Text { x, baseline: FOOTER_BASELINE, style: SMALL.style, size: SMALL.size, text: label });
    }
}
