//! Writes laid-out pages as a PDF: fonts embedded as subset CID fonts with a ToUnicode map, so the
//! text stays selectable and extractable, and streams compressed.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use subsetter::GlyphRemapper;

use super::DocumentError;
use super::fonts::{FontStyle, Fonts, printable};
use super::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Page};

/// The glyphs one face contributes to the document, renumbered for its subset.
#[derive(Default)]
struct UsedGlyphs {
    remapper: GlyphRemapper,
    /// New glyph id → the character it was drawn for, for the ToUnicode map.
    characters: BTreeMap<u16, char>,
}

fn collect_glyphs(pages: &[Page], fonts: &Fonts) -> BTreeMap<FontStyle, UsedGlyphs> {
    let mut used: BTreeMap<FontStyle, UsedGlyphs> = BTreeMap::new();
    for op in pages.iter().flat_map(|page| &page.ops) {
        if let Op::Text { style, text, .. } = op {
            let glyphs = used.entry(*style).or_default();
            for character in text.chars().map(printable) {
                let glyph = fonts.glyph(*style, character);
                let new_id = glyphs.remapper.remap(glyph);
                // Characters the face lacks all share `.notdef`, which therefore maps to no text.
                if glyph != 0 {
                    glyphs.characters.entry(new_id).or_insert(character);
                }
            }
        }
    }
    used
}

fn compress(data: &[u8]) -> Result<Vec<u8>, DocumentError> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).and_then(|()| encoder.finish()).map_err(|error| DocumentError::Pdf(error.to_string()))
}

/// Text as two-byte CIDs of the subset (Identity-H encoding).
fn encode_text(text: &str, style: FontStyle, fonts: &Fonts, used: &BTreeMap<FontStyle, UsedGlyphs>) -> Vec<u8> {
    let Some(glyphs) = used.get(&style) else { return Vec::new() };
    text.chars()
        .map(printable)
        .flat_map(|character| glyphs.remapper.get(fonts.glyph(style, character)).unwrap_or(0).to_be_bytes())
        .collect()
}

fn page_content(page: &Page, fonts: &Fonts, used: &BTreeMap<FontStyle, UsedGlyphs>) -> Vec<u8> {
    let mut content = Content::new();
    for op in &page.ops {
        match op {
            Op::Text { x, baseline, style, size, text } => {
                content.begin_text();
                content.set_font(Name(style.resource_name()), *size);
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, *x, PAGE_HEIGHT - baseline]);
                content.show(Str(&encode_text(text, *style, fonts, used)));
                content.end_text();
            }
            Op::Line { x1, y1, x2, y2, width } => {
                content.set_line_width(*width);
                content.move_to(*x1, PAGE_HEIGHT - y1);
                content.line_to(*x2, PAGE_HEIGHT - y2);
                content.stroke();
            }
            Op::FillRect { x, y, width, height, gray } => {
                content.set_fill_gray(*gray);
                content.rect(*x, PAGE_HEIGHT - y - height, *width, *height);
                content.fill_nonzero();
                content.set_fill_gray(0.0);
            }
        }
    }
    content.finish().into_vec()
}

fn identity_info() -> SystemInfo<'static> {
    SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 }
}

/// Writes one face as a Type 0 font over a CIDFontType2 subset and returns the Type 0 font's id.
fn write_font(
    pdf: &mut Pdf,
    next_id: &mut Ref,
    style: FontStyle,
    glyphs: &UsedGlyphs,
    fonts: &Fonts,
) -> Result<Ref, DocumentError> {
    let (type0_id, cid_id, descriptor_id, file_id, cmap_id) =
        (next_id.bump(), next_id.bump(), next_id.bump(), next_id.bump(), next_id.bump());
    let base_name = Name(style.subset_name().as_bytes());
    let subset = subsetter::subset(Fonts::data(style), 0, &glyphs.remapper)
        .map_err(|error| DocumentError::Font(format!("{}: {error}", style.subset_name())))?;

    pdf.type0_font(type0_id)
        .base_font(base_name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_id)
        .to_unicode(cmap_id);

    let widths: Vec<f32> = glyphs.remapper.remapped_gids().map(|old| fonts.advance_per_mille(style, old)).collect();
    let mut cid = pdf.cid_font(cid_id);
    cid.subtype(CidFontType::Type2)
        .base_font(base_name)
        .system_info(identity_info())
        .font_descriptor(descriptor_id)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();

    let face = fonts.face(style);
    let per_mille = |units: i16| f32::from(units) * 1000.0 / f32::from(face.units_per_em().max(1));
    let bbox = face.global_bounding_box();
    pdf.font_descriptor(descriptor_id)
        .name(base_name)
        .flags(FontFlags::SYMBOLIC)
        .bbox(Rect::new(per_mille(bbox.x_min), per_mille(bbox.y_min), per_mille(bbox.x_max), per_mille(bbox.y_max)))
        .italic_angle(0.0)
        .ascent(per_mille(face.ascender()))
        .descent(per_mille(face.descender()))
        .cap_height(per_mille(face.capital_height().unwrap_or_else(|| face.ascender())))
        .stem_v(if style == FontStyle::Bold { 140.0 } else { 80.0 })
        .font_file2(file_id);

    let compressed_font = compress(&subset)?;
    pdf.stream(file_id, &compressed_font)
        .filter(Filter::FlateDecode)
        .pair(Name(b"Length1"), i32::try_from(subset.len()).unwrap_or(i32::MAX));

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), identity_info());
    for (glyph, character) in &glyphs.characters {
        cmap.pair(*glyph, *character);
    }
    let cmap_data = cmap.finish();
    pdf.cmap(cmap_id, cmap_data.as_slice());
    Ok(type0_id)
}

/// The PDF bytes of the laid-out pages; `title` goes into the document information.
pub(crate) fn write_pdf(pages: &[Page], fonts: &Fonts, title: &str) -> Result<Vec<u8>, DocumentError> {
    let mut next_id = Ref::new(1);
    let (catalog_id, tree_id, info_id) = (next_id.bump(), next_id.bump(), next_id.bump());
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (next_id.bump(), next_id.bump())).collect();
    let used = collect_glyphs(pages, fonts);

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("ATQ"));
    let page_count = i32::try_from(pages.len()).map_err(|_| DocumentError::Pdf("too many pages".to_string()))?;
    pdf.pages(tree_id).kids(page_ids.iter().map(|(page_id, _)| *page_id)).count(page_count);

    let mut font_ids = Vec::new();
    for (style, glyphs) in &used {
        font_ids.push((*style, write_font(&mut pdf, &mut next_id, *style, glyphs, fonts)?));
    }
    for (page, (page_id, content_id)) in pages.iter().zip(&page_ids) {
        let mut page_writer = pdf.page(*page_id);
        page_writer.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(tree_id).contents(*content_id);
        let mut resources = page_writer.resources();
        let mut font_map = resources.fonts();
        for (style, font_id) in &font_ids {
            font_map.pair(Name(style.resource_name()), *font_id);
        }
        font_map.finish();
        resources.finish();
        page_writer.finish();
        let content = compress(&page_content(page, fonts, &used))?;
        pdf.stream(*content_id, &content).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}
