//! The embedded DejaVu Sans faces: glyph lookup and text measurement from their advance widths.

use ttf_parser::{Face, GlyphId};

use super::DocumentError;

static REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FontStyle {
    Regular,
    Bold,
}

impl FontStyle {
    /// The subset's PostScript name; the six-letter tag marks it as a subset for PDF readers.
    pub(crate) fn subset_name(self) -> &'static str {
        match self {
            FontStyle::Regular => "ATQREG+DejaVuSans",
            FontStyle::Bold => "ATQBLD+DejaVuSans-Bold",
        }
    }

    pub(crate) fn resource_name(self) -> &'static [u8] {
        match self {
            FontStyle::Regular => b"F1",
            FontStyle::Bold => b"F2",
        }
    }
}

/// Both faces, parsed once per rendered document (parsing only reads the table directory).
pub(crate) struct Fonts {
    regular: Face<'static>,
    bold: Face<'static>,
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, DocumentError> {
        let parse = |data: &'static [u8], name: &str| {
            Face::parse(data, 0).map_err(|error| DocumentError::Font(format!("{name}: {error}")))
        };
        Ok(Fonts { regular: parse(REGULAR_TTF, "DejaVuSans")?, bold: parse(BOLD_TTF, "DejaVuSans-Bold")? })
    }

    pub(crate) fn face(&self, style: FontStyle) -> &Face<'static> {
        match style {
            FontStyle::Regular => &self.regular,
            FontStyle::Bold => &self.bold,
        }
    }

    pub(crate) fn data(style: FontStyle) -> &'static [u8] {
        match style {
            FontStyle::Regular => REGULAR_TTF,
            FontStyle::Bold => BOLD_TTF,
        }
    }

    /// The glyph drawn for a character; `.notdef` (0) when the face lacks it.
    pub(crate) fn glyph(&self, style: FontStyle, character: char) -> u16 {
        self.face(style).glyph_index(printable(character)).map_or(0, |glyph| glyph.0)
    }

    /// The advance of a glyph in thousandths of the font size, as PDF widths are given.
    pub(crate) fn advance_per_mille(&self, style: FontStyle, glyph: u16) -> f32 {
        let face = self.face(style);
        let units = f32::from(face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0));
        units * 1000.0 / f32::from(face.units_per_em().max(1))
    }

    /// The width of `text` at `size` points, without kerning (the text is drawn without it too).
    pub(crate) fn width(&self, style: FontStyle, size: f32, text: &str) -> f32 {
        let per_mille: f32 =
            text.chars().map(|character| self.advance_per_mille(style, self.glyph(style, character))).sum();
        per_mille * size / 1000.0
    }
}

/// Control characters (tabs, stray line breaks) are drawn as spaces rather than as `.notdef` boxes.
pub(crate) fn printable(character: char) -> char {
    if character.is_control() { ' ' } else { character }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faces_cover_vietnamese() {
        let fonts = Fonts::load().expect("embedded fonts parse");
        for style in [FontStyle::Regular, FontStyle::Bold] {
            for character in "ẠẢÃÀÁÂẬẦẤẨẪĂẮẰẲẴẶĐđƠỜỚỞỠỢƯỨỪỬỮỰỲÝỶỸỴếềểễệốồổỗộ₫".chars()
            {
                assert_ne!(fonts.glyph(style, character), 0, "{character} in {style:?}");
            }
        }
    }

    #[test]
    fn bold_is_wider_and_width_scales() {
        let fonts = Fonts::load().expect("embedded fonts parse");
        let regular = fonts.width(FontStyle::Regular, 10.0, "Hóa đơn");
        assert!(fonts.width(FontStyle::Bold, 10.0, "Hóa đơn") > regular);
        assert!((fonts.width(FontStyle::Regular, 20.0, "Hóa đơn") - 2.0 * regular).abs() < 0.01);
    }
}
