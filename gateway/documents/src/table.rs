//! Ruled tables whose cells wrap, continuing on the next page with the header row repeated.

use super::layout::{Align, CONTENT_WIDTH, Canvas, MARGIN_LEFT, TextFont, wrap};

const CELL_FONT: TextFont = TextFont::regular(8.0);
const EMPHASIS_FONT: TextFont = TextFont::bold(8.0);
const HEADER_FONT: TextFont = TextFont::bold(7.5);
const PAD_X: f32 = 3.0;
const PAD_Y: f32 = 3.0;
const RULE_WIDTH: f32 = 0.5;
const HEADER_FILL_GRAY: f32 = 0.9;

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub header: String,
    /// Share of the content width, relative to the other columns' weights.
    pub weight: f32,
    pub align: Align,
}

impl Column {
    pub fn new(header: impl Into<String>, weight: f32, align: Align) -> Column {
        Column { header: header.into(), weight, align }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableRow {
    pub cells: Vec<String>,
    /// Printed bold: opening and closing balances, subtotals.
    pub emphasis: bool,
}

impl TableRow {
    pub fn new(cells: Vec<String>) -> TableRow {
        TableRow { cells, emphasis: false }
    }

    pub fn emphasised(cells: Vec<String>) -> TableRow {
        TableRow { cells, emphasis: true }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<TableRow>,
}

/// One laid-out row: each cell's lines.
struct RowLines {
    cells: Vec<Vec<String>>,
    font: TextFont,
}

impl RowLines {
    fn line_count(&self) -> usize {
        self.cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
    }
}

fn column_spans(columns: &[Column]) -> Vec<(f32, f32)> {
    let total: f32 = columns.iter().map(|column| column.weight.max(0.0)).sum();
    let count = columns.len().max(1) as f32;
    let mut x = MARGIN_LEFT;
    columns
        .iter()
        .map(|column| {
            let width =
                if total > 0.0 { CONTENT_WIDTH * column.weight.max(0.0) / total } else { CONTENT_WIDTH / count };
            let span = (x, width);
            x += width;
            span
        })
        .collect()
}

fn lay_out_row(canvas: &Canvas<'_>, cells: &[String], spans: &[(f32, f32)], font: TextFont) -> RowLines {
    let cells = spans
        .iter()
        .enumerate()
        .map(|(index, (_, width))| {
            let text = cells.get(index).map_or("", String::as_str);
            wrap(canvas.fonts, text, font, (width - 2.0 * PAD_X).max(1.0))
        })
        .collect();
    RowLines { cells, font }
}

fn row_height(font: TextFont, lines: usize) -> f32 {
    2.0 * PAD_Y + font.leading() * lines as f32
}

/// Draws lines `[first, first + count)` of a row at the cursor, with its rules, and moves below it.
fn draw_row_slice(
    canvas: &mut Canvas<'_>,
    row: &RowLines,
    (first, count): (usize, usize),
    columns: &[Column],
    spans: &[(f32, f32)],
) {
    let top = canvas.cursor;
    let height = row_height(row.font, count);
    for ((cell, column), (x, width)) in row.cells.iter().zip(columns).zip(spans) {
        for (offset, line) in cell.iter().skip(first).take(count).enumerate() {
            let baseline = top + PAD_Y + row.font.size * 0.95 + row.font.leading() * offset as f32;
            canvas.text(line, (x + PAD_X, width - 2.0 * PAD_X), baseline, row.font, column.align);
        }
    }
    let right = MARGIN_LEFT + CONTENT_WIDTH;
    canvas.line(MARGIN_LEFT, top, right, top, RULE_WIDTH);
    canvas.line(MARGIN_LEFT, top + height, right, top + height, RULE_WIDTH);
    canvas.line(MARGIN_LEFT, top, MARGIN_LEFT, top + height, RULE_WIDTH);
    for (x, width) in spans {
        canvas.line(x + width, top, x + width, top + height, RULE_WIDTH);
    }
    canvas.cursor = top + height;
}

fn draw_header(canvas: &mut Canvas<'_>, header: &RowLines, columns: &[Column], spans: &[(f32, f32)]) {
    let lines = header.line_count();
    canvas.fill_rect(MARGIN_LEFT, canvas.cursor, CONTENT_WIDTH, row_height(header.font, lines), HEADER_FILL_GRAY);
    let centred: Vec<Column> = columns.iter().map(|column| Column { align: Align::Center, ..column.clone() }).collect();
    draw_row_slice(canvas, header, (0, lines), &centred, spans);
}

/// Lays the table out from the cursor. A row moves whole to the next page when it does not fit;
/// only a row taller than a whole page is split.
pub(crate) fn draw_table(canvas: &mut Canvas<'_>, table: &Table) {
    if table.columns.is_empty() {
        return;
    }
    let spans = column_spans(&table.columns);
    let headers: Vec<String> = table.columns.iter().map(|column| column.header.clone()).collect();
    let header = lay_out_row(canvas, &headers, &spans, HEADER_FONT);
    let header_height = row_height(HEADER_FONT, header.line_count());
    // Keep the header with at least one row under it.
    canvas.ensure_space(header_height + row_height(CELL_FONT, 1));
    draw_header(canvas, &header, &table.columns, &spans);
    let mut fresh_page = false;
    for row in &table.rows {
        let font = if row.emphasis { EMPHASIS_FONT } else { CELL_FONT };
        let lines = lay_out_row(canvas, &row.cells, &spans, font);
        let total = lines.line_count();
        let mut first = 0;
        while first < total {
            let fitting = ((canvas.remaining() - 2.0 * PAD_Y) / font.leading()).floor().max(0.0) as usize;
            let wanted = total - first;
            let count = if wanted <= fitting {
                wanted
            } else if fresh_page {
                fitting.clamp(1, wanted)
            } else {
                canvas.new_page();
                draw_header(canvas, &header, &table.columns, &spans);
                fresh_page = true;
                continue;
            };
            draw_row_slice(canvas, &lines, (first, count), &table.columns, &spans);
            first += count;
            fresh_page = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fonts::Fonts;
    use super::super::layout::{CONTENT_BOTTOM, MARGIN_TOP, Op, Page};
    use super::*;

    fn no_header(_: &mut Canvas<'_>) -> f32 {
        MARGIN_TOP
    }

    fn header_rows_on(page: &Page) -> usize {
        page.ops.iter().filter(|op| matches!(op, Op::FillRect { .. })).count()
    }

    #[test]
    fn long_tables_repeat_the_header_on_each_page() {
        let fonts = Fonts::load().expect("fonts");
        let mut canvas = Canvas::new(&fonts, &no_header);
        let table = Table {
            columns: vec![Column::new("STT", 1.0, Align::Right), Column::new("Tên hàng", 5.0, Align::Left)],
            rows: (1..=120).map(|n| TableRow::new(vec![n.to_string(), format!("Hàng {n}")])).collect(),
        };
        draw_table(&mut canvas, &table);
        assert!(canvas.pages.len() >= 2);
        assert!(canvas.pages.iter().all(|page| header_rows_on(page) == 1));
        assert!(canvas.cursor <= CONTENT_BOTTOM);
    }

    #[test]
    fn a_row_taller_than_a_page_is_split() {
        let fonts = Fonts::load().expect("fonts");
        let mut canvas = Canvas::new(&fonts, &no_header);
        let serials: Vec<String> = (1..=900).map(|n| format!("SN{n:06}")).collect();
        let table = Table {
            columns: vec![Column::new("Mã", 1.0, Align::Left), Column::new("Số sê-ri", 1.0, Align::Left)],
            rows: vec![TableRow::new(vec!["X".to_string(), serials.join(", ")])],
        };
        draw_table(&mut canvas, &table);
        assert!(canvas.pages.len() >= 2);
        let drawn: usize = canvas
            .pages
            .iter()
            .flat_map(|page| &page.ops)
            .map(|op| match op {
                Op::Text { text, .. } => text.matches("SN").count(),
                _ => 0,
            })
            .sum();
        assert_eq!(drawn, 900);
    }
}
