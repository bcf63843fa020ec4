//! Page geometry and the drawing surface the documents are laid out on before the PDF is written.
//!
//! Positions are in points with y measured down from the top edge, as a reader scans a page; the
//! PDF writer flips them.

use super::fonts::{FontStyle, Fonts, printable};

pub(crate) const PAGE_WIDTH: f32 = 595.28;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN_LEFT: f32 = 40.0;
pub(crate) const MARGIN_RIGHT: f32 = 40.0;
pub(crate) const MARGIN_TOP: f32 = 36.0;
/// Content stops here; the page number sits below it.
pub(crate) const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 48.0;
pub(crate) const FOOTER_BASELINE: f32 = PAGE_HEIGHT - 26.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// Baseline-to-baseline distance as a multiple of the font size.
pub(crate) const LINE_SPACING: f32 = 1.25;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A face at a size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TextFont {
    pub(crate) style: FontStyle,
    pub(crate) size: f32,
}

impl TextFont {
    pub(crate) const fn regular(size: f32) -> TextFont {
        TextFont { style: FontStyle::Regular, size }
    }

    pub(crate) const fn bold(size: f32) -> TextFont {
        TextFont { style: FontStyle::Bold, size }
    }

    pub(crate) fn leading(self) -> f32 {
        self.size * LINE_SPACING
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    Text { x: f32, baseline: f32, style: FontStyle, size: f32, text: String },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32 },
    FillRect { x: f32, y: f32, width: f32, height: f32, gray: f32 },
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Page {
    pub(crate) ops: Vec<Op>,
}

/// Draws what the page header needs at the top of every page and returns where content starts.
pub(crate) type PageHeader<'h> = dyn Fn(&mut Canvas<'_>) -> f32 + 'h;

pub(crate) struct Canvas<'f> {
    pub(crate) fonts: &'f Fonts,
    pub(crate) pages: Vec<Page>,
    /// Where the next block starts, measured down from the top edge.
    pub(crate) cursor: f32,
    header: &'f PageHeader<'f>,
}

impl<'f> Canvas<'f> {
    pub(crate) fn new(fonts: &'f Fonts, header: &'f PageHeader<'f>) -> Canvas<'f> {
        let mut canvas = Canvas { fonts, pages: Vec::new(), cursor: MARGIN_TOP, header };
        canvas.new_page();
        canvas
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.cursor = MARGIN_TOP;
        let header = self.header;
        self.cursor = header(self);
    }

    pub(crate) fn remaining(&self) -> f32 {
        CONTENT_BOTTOM - self.cursor
    }

    /// Starts a new page unless `height` still fits on this one.
    pub(crate) fn ensure_space(&mut self, height: f32) {
        if height > self.remaining() {
            self.new_page();
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.ops.push(op);
        }
    }

    /// One line of text placed in the box `[x, x + width]` with the given alignment.
    pub(crate) fn text(&mut self, text: &str, (x, width): (f32, f32), baseline: f32, font: TextFont, align: Align) {
        if text.is_empty() {
            return;
        }
        let text_width = self.fonts.width(font.style, font.size, text);
        let start = match align {
            Align::Left => x,
            Align::Center => x + (width - text_width) / 2.0,
            Align::Right => x + width - text_width,
        };
        self.push(Op::Text { x: start, baseline, style: font.style, size: font.size, text: text.to_string() });
    }

    pub(crate) fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.push(Op::Line { x1, y1, x2, y2, width });
    }

    pub(crate) fn fill_rect(&mut self, x: f32, y: f32, width: f32, height: f32, gray: f32) {
        self.push(Op::FillRect { x, y, width, height, gray });
    }

    /// A wrapped paragraph across the content width at the cursor, moving the cursor below it and
    /// breaking to a new page between lines when needed.
    pub(crate) fn paragraph(&mut self, text: &str, font: TextFont, align: Align) {
        for line in wrap(self.fonts, text, font, CONTENT_WIDTH) {
            self.ensure_space(font.leading());
            let baseline = self.cursor + font.size;
            self.text(&line, (MARGIN_LEFT, CONTENT_WIDTH), baseline, font, align);
            self.cursor += font.leading();
        }
    }

    pub(crate) fn gap(&mut self, height: f32) {
        self.cursor += height;
    }
}

/// Breaks text into lines no wider than `max_width`: at spaces where possible, inside a word only
/// when the word alone is too wide. Line breaks in the text are kept.
pub(crate) fn wrap(fonts: &Fonts, text: &str, font: TextFont, max_width: f32) -> Vec<String> {
    let TextFont { style, size } = font;
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut current = String::new();
        for word in paragraph.split(' ').filter(|word| !word.is_empty()) {
            let word: String = word.chars().map(printable).collect();
            let candidate = if current.is_empty() { word.clone() } else { format!("{current} {word}") };
            if fonts.width(style, size, &candidate) <= max_width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            current = break_long_word(fonts, &word, font, max_width, &mut lines);
        }
        lines.push(current);
    }
    if lines.iter().all(String::is_empty) {
        lines.truncate(1);
    }
    lines
}

/// Pushes full-width pieces of an over-long word (a serial list, a long code) and returns the rest.
fn break_long_word(fonts: &Fonts, word: &str, font: TextFont, max_width: f32, lines: &mut Vec<String>) -> String {
    let TextFont { style, size } = font;
    let mut piece = String::new();
    for character in word.chars() {
        piece.push(character);
        if fonts.width(style, size, &piece) > max_width && piece.chars().count() > 1 {
            piece.pop();
            lines.push(std::mem::take(&mut piece));
            piece.push(character);
        }
    }
    piece
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_respects_width_and_keeps_words() {
        let fonts = Fonts::load().expect("fonts");
        let text = "Máy đo pH để bàn, hiệu chuẩn tự động 5 điểm, kèm điện cực thủy tinh và dung dịch chuẩn";
        let lines = wrap(&fonts, text, TextFont::regular(9.0), 120.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(fonts.width(FontStyle::Regular, 9.0, line) <= 120.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn wrap_breaks_words_longer_than_the_box() {
        let fonts = Fonts::load().expect("fonts");
        let lines = wrap(&fonts, "SN0001,SN0002,SN0003,SN0004,SN0005", TextFont::regular(9.0), 40.0);
        assert!(lines.len() > 3);
        assert_eq!(lines.concat(), "SN0001,SN0002,SN0003,SN0004,SN0005");
    }

    #[test]
    fn wrap_keeps_line_breaks_and_empty_text() {
        let fonts = Fonts::load().expect("fonts");
        assert_eq!(wrap(&fonts, "a\nb", TextFont::regular(9.0), 100.0), vec!["a", "b"]);
        assert_eq!(wrap(&fonts, "", TextFont::regular(9.0), 100.0), vec![""]);
    }
}
