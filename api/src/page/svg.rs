//! Bar charts as inline SVG, drawn by the server (no script, no CDN): report
//! compliance per period (stacked: on time, late, not handed in) and
//! trainees per period.

use std::fmt::Write as _;

use entities::dashboard::percent_label;

use super::html::esc;
use crate::services::dashboard::Compliance;

const W: i64 = 640;
const H: i64 = 260;
const TOP: i64 = 30;
const BOTTOM: i64 = 50;
const LEFT: i64 = 50;
const FONT: &str = "font-family=\"'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif\"";

fn scale(v: u64, max: u64, height: i64) -> i64 {
    if max == 0 {
        return 0;
    }
    let v = i64::try_from(v).unwrap_or(i64::MAX);
    let max = i64::try_from(max).unwrap_or(i64::MAX);
    v.saturating_mul(height) / max
}

fn frame(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" role=\"img\" aria-label=\"{t}\" {FONT}>\
         <title>{t}</title><line x1=\"{LEFT}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"#888\"/>",
        t = esc(title),
        y = H - BOTTOM,
        x2 = W - 10
    );
}

/// Stacked bars per period: 按时报送 / 逾期报送 / 未报送, with the on-time rate above.
#[must_use]
pub fn compliance(history: &[Compliance]) -> String {
    let mut out = String::new();
    frame(&mut out, "近六期报送情况");
    let plot = H - TOP - BOTTOM;
    let max = history.iter().map(|c| c.owed).max().unwrap_or(0);
    let n = i64::try_from(history.len().max(1)).unwrap_or(1);
    let slot = (W - LEFT - 10) / n;
    let bar = slot * 3 / 5;
    for (i, c) in history.iter().enumerate() {
        let x = LEFT + slot * i64::try_from(i).unwrap_or(0) + (slot - bar) / 2;
        let late = c.handed_in.saturating_sub(c.on_time);
        let missing = c.owed.saturating_sub(c.handed_in);
        let mut y = H - BOTTOM;
        for (v, colour, label) in [(c.on_time, "#2e7d32", "按时报送"), (late, "#f9a825", "逾期报送"), (missing, "#c62828", "未报送")]
        {
            let h = scale(v, max, plot);
            if h > 0 {
                y -= h;
                let _ = write!(
                    out,
                    "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"{colour}\"><title>{} {label} {v}</title></rect>",
                    esc(&c.period.label_zh())
                );
            }
        }
        let cx = x + bar / 2;
        let _ = write!(
            out,
            "<text x=\"{cx}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\
             <text x=\"{cx}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">{}</text>\
             <text x=\"{cx}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{}</text>",
            H - BOTTOM + 18,
            esc(&c.period.label_zh().replace("年度", "")),
            H - BOTTOM + 34,
            format_args!("应报{}", c.owed),
            (y - 6).max(14),
            percent_label(c.on_time_permille())
        );
    }
    let legend = [("#2e7d32", "按时报送"), ("#f9a825", "逾期报送"), ("#c62828", "未报送")];
    for (i, (colour, label)) in legend.iter().enumerate() {
        let x = LEFT + 130 * i64::try_from(i).unwrap_or(0);
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{}\" y=\"17\" font-size=\"12\">{label}</text>",
            x + 16
        );
    }
    out.push_str("</svg>");
    out
}

/// Bars of trainees per period, each labelled with its value.
#[must_use]
pub fn trainees(history: &[(entities::report::Period, i64)]) -> String {
    let mut out = String::new();
    frame(&mut out, "各报送期培训人数");
    let plot = H - TOP - BOTTOM;
    let max = history.iter().map(|(_, v)| u64::try_from(*v).unwrap_or(0)).max().unwrap_or(0);
    let n = i64::try_from(history.len().max(1)).unwrap_or(1);
    let slot = (W - LEFT - 10) / n;
    let bar = slot * 3 / 5;
    for (i, (p, v)) in history.iter().enumerate() {
        let x = LEFT + slot * i64::try_from(i).unwrap_or(0) + (slot - bar) / 2;
        let h = scale(u64::try_from(*v).unwrap_or(0), max, plot);
        let y = H - BOTTOM - h;
        let cx = x + bar / 2;
        let _ = write!(
            out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{bar}\" height=\"{h}\" fill=\"#1565c0\"><title>{label} 培训{v}人</title></rect>\
             <text x=\"{cx}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{v}</text>\
             <text x=\"{cx}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{short}</text>",
            (y - 6).max(14),
            H - BOTTOM + 18,
            label = esc(&p.label_zh()),
            short = esc(&p.label_zh().replace("年度", "")),
        );
    }
    let _ = write!(out, "<text x=\"{LEFT}\" y=\"17\" font-size=\"12\">当期培训人数（人）</text></svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        assert_eq!(scale(5, 10, 180), 90);
        assert_eq!(scale(0, 0, 180), 0);
        let p = entities::report::Period::parse("p", "2026H1").unwrap();
        let svg = trainees(&[(p, 120)]);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("2026年上半") && svg.contains(">120<"), "{svg}");
    }
}
