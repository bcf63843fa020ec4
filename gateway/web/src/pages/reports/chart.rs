//! Bar charts drawn on the server as inline SVG: the page carries the figures themselves, so a
//! chart needs no script, prints as it shows, and a screen reader reads its title and the table
//! beside it. Geometry is whole pixels computed here; the template only places what it is given.

/// A chart as the template `chart.html` draws it.
pub struct Chart {
    /// Read by screen readers (`<title>`), and shown as the chart's caption.
    pub title: String,
    pub width: i64,
    pub height: i64,
    pub bars: Vec<Bar>,
}

/// One bar with its label and its value written out.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub width: i64,
    pub height: i64,
    pub label: String,
    pub label_x: i64,
    pub label_y: i64,
    pub label_anchor: &'static str,
    pub value: String,
    pub value_x: i64,
    pub value_y: i64,
    pub value_anchor: &'static str,
    /// A bar the reader should notice (an overdue amount).
    pub alert: bool,
}

/// A figure to draw: its label, its amount, the amount as the page writes it.
pub struct Datum {
    pub label: String,
    pub amount: i64,
    pub shown: String,
    pub alert: bool,
}

/// `amount` of `max` as a share of `length` pixels; nothing for nothing or less.
fn scaled(amount: i64, max: i64, length: i64) -> i64 {
    if amount <= 0 || max <= 0 {
        return 0;
    }
    let share = i128::from(amount) * i128::from(length) / i128::from(max);
    i64::try_from(share).unwrap_or(length).clamp(1, length)
}

fn largest(data: &[Datum]) -> i64 {
    data.iter().map(|d| d.amount).max().unwrap_or(0)
}

const COLUMN_WIDTH: i64 = 56;
const COLUMN_GAP: i64 = 14;
const PLOT_HEIGHT: i64 = 200;
/// Room above the tallest column for its value, and below the columns for their labels.
const TOP: i64 = 24;
const BOTTOM: i64 = 28;

/// Vertical columns, one per datum, left to right (months of a report).
pub fn columns(title: String, data: &[Datum]) -> Chart {
    let max = largest(data);
    let step = COLUMN_WIDTH + COLUMN_GAP;
    let count = i64::try_from(data.len()).unwrap_or(0);
    let bars = data
        .iter()
        .zip(0_i64..)
        .map(|(datum, index)| {
            let height = scaled(datum.amount, max, PLOT_HEIGHT);
            let x = COLUMN_GAP + index * step;
            let centre = x + COLUMN_WIDTH / 2;
            let y = TOP + PLOT_HEIGHT - height;
            Bar {
                x,
                y,
                width: COLUMN_WIDTH,
                height,
                label: datum.label.clone(),
                label_x: centre,
                label_y: TOP + PLOT_HEIGHT + 18,
                label_anchor: "middle",
                value: datum.shown.clone(),
                value_x: centre,
                value_y: y - 6,
                value_anchor: "middle",
                alert: datum.alert,
            }
        })
        .collect();
    Chart { title, width: COLUMN_GAP + count * step, height: TOP + PLOT_HEIGHT + BOTTOM, bars }
}

const ROW_HEIGHT: i64 = 26;
const ROW_GAP: i64 = 10;
const LABEL_WIDTH: i64 = 150;
const PLOT_WIDTH: i64 = 420;
const VALUE_WIDTH: i64 = 170;

/// Horizontal bars, one per datum, top to bottom (the aging buckets).
pub fn rows(title: String, data: &[Datum]) -> Chart {
    let max = largest(data);
    let step = ROW_HEIGHT + ROW_GAP;
    let count = i64::try_from(data.len()).unwrap_or(0);
    let bars = data
        .iter()
        .zip(0_i64..)
        .map(|(datum, index)| {
            let width = scaled(datum.amount, max, PLOT_WIDTH);
            let y = ROW_GAP + index * step;
            let middle = y + ROW_HEIGHT / 2 + 5;
            Bar {
                x: LABEL_WIDTH,
                y,
                width,
                height: ROW_HEIGHT,
                label: datum.label.clone(),
                label_x: LABEL_WIDTH - 8,
                label_y: middle,
                label_anchor: "end",
                value: datum.shown.clone(),
                value_x: LABEL_WIDTH + width + 8,
                value_y: middle,
                value_anchor: "start",
                alert: datum.alert,
            }
        })
        .collect();
    Chart { title, width: LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH, height: ROW_GAP + count * step, bars }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn datum(label: &str, amount: i64) -> Datum {
        Datum { label: label.into(), amount, shown: amount.to_string(), alert: false }
    }

    #[test]
    fn columns_are_scaled_to_the_largest_and_stand_on_one_line() {
        let chart = columns("Doanh thu".into(), &[datum("01", 50), datum("02", 100), datum("03", 0)]);
        let heights: Vec<i64> = chart.bars.iter().map(|b| b.height).collect();
        assert_eq!(heights, [PLOT_HEIGHT / 2, PLOT_HEIGHT, 0]);
        assert!(chart.bars.iter().all(|b| b.y + b.height == TOP + PLOT_HEIGHT));
        assert_eq!(chart.width, COLUMN_GAP + 3 * (COLUMN_WIDTH + COLUMN_GAP));
    }

    #[test]
    fn rows_never_overflow_even_with_huge_or_negative_amounts() {
        let chart = rows("Tuổi nợ".into(), &[datum("a", i64::MAX), datum("b", -5), datum("c", 1)]);
        let widths: Vec<i64> = chart.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [PLOT_WIDTH, 0, 1], "a tiny amount still shows");
        assert!(columns(String::new(), &[]).bars.is_empty());
    }
}
