//! The two bar charts of the dashboard as geometry: where each bar, label
//! and legend entry goes, in the SVG's own units. The template
//! (`dashboard.html`) draws them as inline `<svg>` (no script, no CDN), so
//! every text in them is escaped by the template engine.
//!
//! - report compliance per period, stacked: on time, late, not handed in,
//!   with the on-time rate above each bar;
//! - trainees per period, each bar labelled with its value.

use entities::{dashboard::percent_label, report::Period};
use serde::Serialize;

use crate::services::dashboard::Compliance;

/// Width and height of a chart (`viewBox`).
const W: i64 = 640;
const H: i64 = 260;
/// Room above the plot (legend), below it (period labels) and left of it.
const TOP: i64 = 30;
const BOTTOM: i64 = 50;
const LEFT: i64 = 50;
const RIGHT: i64 = 10;

/// The three parts of a compliance bar, bottom up: colour and name.
const STANDINGS: [(&str, &str); 3] = [("#2e7d32", "按时报送"), ("#f9a825", "逾期报送"), ("#c62828", "未报送")];

/// One chart: its size, baseline, bars and legend.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub title: &'static str,
    pub width: i64,
    pub height: i64,
    /// The x axis: from `left` to `right` at height `baseline`.
    pub left: i64,
    pub right: i64,
    pub baseline: i64,
    pub bars: Vec<Bar>,
    pub legend: Vec<Legend>,
    /// A caption at the top left (the unit), when there is no legend.
    pub caption: Option<&'static str>,
}

/// One period's bar: its parts (bottom up), and the texts around it.
#[derive(Debug, Serialize)]
pub struct Bar {
    pub x: i64,
    pub width: i64,
    /// Centre of the bar, where its texts are anchored.
    pub cx: i64,
    pub parts: Vec<Part>,
    /// Under the axis: the period ("2026年上半"), then a second line.
    pub label: String,
    pub label_y: i64,
    pub sublabel: Option<String>,
    pub sublabel_y: i64,
    /// Above the bar: the rate or the value.
    pub top: String,
    pub top_y: i64,
}

/// A rectangle of a bar, with its tooltip.
#[derive(Debug, Serialize)]
pub struct Part {
    pub y: i64,
    pub height: i64,
    pub fill: &'static str,
    pub tip: String,
}

#[derive(Debug, Serialize)]
pub struct Legend {
    pub x: i64,
    pub text_x: i64,
    pub fill: &'static str,
    pub label: &'static str,
}

/// `v` of `max` as a share of `height` (0 when `max` is 0).
fn scale(v: u64, max: u64, height: i64) -> i64 {
    if max == 0 {
        return 0;
    }
    let v = i64::try_from(v).unwrap_or(i64::MAX);
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    v.saturating_mul(height) / max
}

/// "2026年上半年度" → "2026年上半" under a bar.
fn short(p: Period) -> String {
    p.label_zh().replace("年度", "")
}

/// The horizontal slots of `n` bars: `(x, bar width)` of bar `i`.
fn slots(n: usize) -> impl Fn(usize) -> (i64, i64) {
    let slot = (W - LEFT - RIGHT) / i64::try_from(n.max(1)).unwrap_or(1);
    let bar = slot * 3 / 5;
    move |i| (LEFT + slot * i64::try_from(i).unwrap_or(0) + (slot - bar) / 2, bar)
}

fn chart(title: &'static str, bars: Vec<Bar>, legend: Vec<Legend>, caption: Option<&'static str>) -> Chart {
    Chart { title, width: W, height: H, left: LEFT, right: W - RIGHT, baseline: H - BOTTOM, bars, legend, caption }
}

/// Stacked bars per period: 按时报送 / 逾期报送 / 未报送, the on-time rate above.
#[must_use]
pub fn compliance(history: &[Compliance]) -> Chart {
    let plot = H - TOP - BOTTOM;
    let max = history.iter().map(|c| c.owed).max().unwrap_or(0);
    let slot = slots(history.len());
    let bars = history
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (x, width) = slot(i);
            let values = [c.on_time, c.handed_in.saturating_sub(c.on_time), c.owed.saturating_sub(c.handed_in)];
            let mut y = H - BOTTOM;
            let mut parts = Vec::new();
            for (v, (fill, name)) in values.into_iter().zip(STANDINGS) {
                let height = scale(v, max, plot);
                if height > 0 {
                    y -= height;
                    parts.push(Part { y, height, fill, tip: format!("{} {name} {v}", c.period.label_zh()) });
                }
            }
            Bar {
                x,
                width,
                cx: x + width / 2,
                parts,
                label: short(c.period),
                label_y: H - BOTTOM + 18,
                sublabel: Some(format!("应报{}", c.owed)),
                sublabel_y: H - BOTTOM + 34,
                top: percent_label(c.on_time_permille()),
                top_y: (y - 6).max(14),
            }
        })
        .collect();
    let legend = STANDINGS
        .iter()
        .enumerate()
        .map(|(i, (fill, label))| {
            let x = LEFT + 130 * i64::try_from(i).unwrap_or(0);
            Legend { x, text_x: x + 16, fill, label }
        })
        .collect();
    chart("近六期报送情况", bars, legend, None)
}

/// Bars of trainees per period, each labelled with its value.
#[must_use]
pub fn trainees(history: &[(Period, i64)]) -> Chart {
    let plot = H - TOP - BOTTOM;
    let value = |v: i64| u64::try_from(v).unwrap_or(0);
    let max = history.iter().map(|(_, v)| value(*v)).max().unwrap_or(0);
    let slot = slots(history.len());
    let bars = history
        .iter()
        .enumerate()
        .map(|(i, (p, v))| {
            let (x, width) = slot(i);
            let height = scale(value(*v), max, plot);
            let y = H - BOTTOM - height;
            Bar {
                x,
                width,
                cx: x + width / 2,
                parts: vec![Part { y, height, fill: "#1565c0", tip: format!("{} 培训{v}人", p.label_zh()) }],
                label: short(*p),
                label_y: H - BOTTOM + 18,
                sublabel: None,
                sublabel_y: H - BOTTOM + 34,
                top: v.to_string(),
                top_y: (y - 6).max(14),
            }
        })
        .collect();
    chart("各报送期培训人数", bars, Vec::new(), Some("当期培训人数（人）"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(code: &str) -> Period {
        Period::parse("p", code).unwrap()
    }

    #[test]
    fn bars_scale_to_the_largest_value() {
        assert_eq!(scale(5, 10, 180), 90);
        assert_eq!(scale(0, 0, 180), 0);
        let c = trainees(&[(period("2025H2"), 60), (period("2026H1"), 120)]);
        assert_eq!(c.bars.len(), 2);
        let (low, high) = (&c.bars[0], &c.bars[1]);
        assert_eq!(high.parts[0].height, H - TOP - BOTTOM, "the largest bar fills the plot");
        assert_eq!(low.parts[0].height * 2, high.parts[0].height);
        assert_eq!(high.parts[0].y + high.parts[0].height, c.baseline, "bars stand on the axis");
        assert!(low.x + low.width < high.x, "bars do not overlap");
        assert_eq!((high.label.as_str(), high.top.as_str()), ("2026年上半", "120"));
    }

    #[test]
    fn an_empty_history_draws_no_bar() {
        assert!(trainees(&[]).bars.is_empty());
        assert!(compliance(&[]).bars.is_empty());
        let c = trainees(&[(period("2026H1"), 0)]);
        assert_eq!(c.bars[0].parts[0].height, 0);
    }
}
