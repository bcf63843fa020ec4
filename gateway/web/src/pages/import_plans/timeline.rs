//! A plan's milestones on one time axis, drawn on the server as SVG: for each milestone a bar from
//! today to the date every unit can be ready (its promise), and a mark at the date the site needs
//! it; a milestone whose promise falls after its need is drawn late.

use chrono::NaiveDate;

use crate::format;
use crate::i18n::Lang;

pub struct Timeline {
    pub title: String,
    pub width: i64,
    pub height: i64,
    pub axis_y: i64,
    pub rows: Vec<TimelineRow>,
    pub ticks: Vec<Tick>,
    /// Where today is on the axis.
    pub today_x: i64,
}

pub struct TimelineRow {
    pub label: String,
    pub y: i64,
    pub text_y: i64,
    pub bar_x: i64,
    pub bar_width: i64,
    pub needed_x: i64,
    pub late: bool,
    /// What a pointer or a screen reader is told about this milestone.
    pub summary: String,
}

pub struct Tick {
    pub x: i64,
    pub label: String,
}

/// A milestone to place: its label, the date needed, the date promised, whether it is late.
pub struct Mark {
    pub label: String,
    pub needed_by: Option<NaiveDate>,
    pub promise: Option<NaiveDate>,
    pub late: bool,
    pub summary: String,
}

const LABEL_WIDTH: i64 = 220;
const PLOT_WIDTH: i64 = 560;
const ROW_HEIGHT: i64 = 22;
const ROW_GAP: i64 = 8;
const TICKS: i64 = 4;

/// The horizontal position of `day` on an axis from `start` over `span` days.
fn x_of(day: NaiveDate, start: NaiveDate, span: i64) -> i64 {
    let offset = (day - start).num_days().clamp(0, span);
    LABEL_WIDTH + offset * PLOT_WIDTH / span.max(1)
}

/// The axis runs from the earliest of today and every date to the latest of them.
pub fn timeline(title: String, today: NaiveDate, marks: &[Mark], lang: Lang) -> Timeline {
    let dates = marks.iter().flat_map(|m| [m.needed_by, m.promise]).flatten();
    let start = dates.clone().chain([today]).min().unwrap_or(today);
    let end = dates.chain([today]).max().unwrap_or(today);
    let span = (end - start).num_days().max(1);
    let step = ROW_HEIGHT + ROW_GAP;
    let rows: Vec<TimelineRow> = marks
        .iter()
        .zip(0_i64..)
        .map(|(mark, index)| {
            let y = ROW_GAP + index * step;
            let bar_x = x_of(today, start, span);
            let promise_x = mark.promise.map(|d| x_of(d, start, span)).unwrap_or(bar_x);
            TimelineRow {
                label: mark.label.clone(),
                y,
                text_y: y + ROW_HEIGHT / 2 + 5,
                bar_x,
                bar_width: (promise_x - bar_x).max(2),
                needed_x: mark.needed_by.map(|d| x_of(d, start, span)).unwrap_or(bar_x),
                late: mark.late,
                summary: mark.summary.clone(),
            }
        })
        .collect();
    let axis_y = ROW_GAP + i64::try_from(rows.len()).unwrap_or(0) * step;
    let ticks = (0..=TICKS)
        .map(|i| {
            let day = start + chrono::Days::new(u64::try_from(span * i / TICKS).unwrap_or(0));
            Tick { x: x_of(day, start, span), label: format::date(&day.to_string(), lang) }
        })
        .collect();
    Timeline {
        title,
        width: LABEL_WIDTH + PLOT_WIDTH + 60,
        height: axis_y + 30,
        axis_y,
        rows,
        ticks,
        today_x: x_of(today, start, span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_late_milestone_is_promised_after_its_need() {
        let marks = [
            Mark {
                label: "1".into(),
                needed_by: Some(day("2026-03-11")),
                promise: Some(day("2026-03-01")),
                late: false,
                summary: String::new(),
            },
            Mark {
                label: "2".into(),
                needed_by: Some(day("2026-01-21")),
                promise: Some(day("2026-03-01")),
                late: true,
                summary: String::new(),
            },
        ];
        let drawn = timeline("KH".into(), day("2026-01-01"), &marks, Lang::En);
        let (on_time, late) = (&drawn.rows[0], &drawn.rows[1]);
        assert!(on_time.bar_x + on_time.bar_width < on_time.needed_x);
        assert!(late.bar_x + late.bar_width > late.needed_x && late.late);
        assert_eq!(drawn.today_x, LABEL_WIDTH);
        assert_eq!(drawn.ticks.last().map(|t| (t.x, t.label.as_str())), Some((LABEL_WIDTH + PLOT_WIDTH, "2026-03-11")));
    }

    #[test]
    fn a_plan_without_dates_still_draws() {
        let marks = [Mark { label: "x".into(), needed_by: None, promise: None, late: false, summary: String::new() }];
        let drawn = timeline(String::new(), day("2026-01-01"), &marks, Lang::Vi);
        assert_eq!(drawn.rows[0].bar_width, 2);
    }
}
