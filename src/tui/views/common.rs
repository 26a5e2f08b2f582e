//! Small drawing helpers shared by the screens.

use super::super::app::App;
use super::super::results::Hist;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Block, Paragraph, Wrap};
use ratatui::Frame;

pub fn block<'a>(app: &App, title: impl Into<Line<'a>>) -> Block<'a> {
    let theme = app.theme.theme();
    Block::bordered()
        .title(title)
        .border_style(theme.dim)
        .title_style(theme.accent)
}

/// A side pane of `want` columns, but never more than 55% of a narrow terminal.
pub fn side(area: Rect, want: u16) -> ratatui::layout::Constraint {
    ratatui::layout::Constraint::Length(want.min(area.width * 11 / 20))
}

/// A number as an analyst reads it: few digits, thousands grouped.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a >= 1e6 {
        format!("{:.2}M", x / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", x / 1e3)
    } else if a >= 100.0 || x.fract() == 0.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

pub fn opt(x: Option<f64>) -> String {
    x.map_or("-".into(), num)
}

/// A message in the middle of an area ("nothing here yet, press r").
pub fn placeholder(f: &mut Frame, area: Rect, app: &App, title: &str, text: &str) {
    f.render_widget(
        Paragraph::new(text.to_string())
            .wrap(Wrap { trim: true })
            .style(app.theme.theme().dim)
            .block(block(app, title.to_string())),
        area,
    );
}

/// Histogram bars; `marks` are values drawn as highlighted bins (e.g. IQR fences).
pub fn histogram(f: &mut Frame, area: Rect, app: &App, title: String, h: &Hist, marks: &[f64]) {
    let theme = app.theme.theme();
    let inner_w = area.width.saturating_sub(2) as usize;
    // Merge bins so that every bar is at least one cell wide with a gap.
    let per = h.counts.len().div_ceil((inner_w / 2).max(1)).max(1);
    let width = (h.hi - h.lo) / h.counts.len() as f64;
    let bin_of = |v: f64| {
        if width > 0.0 {
            (((v - h.lo) / width).floor().max(0.0) as usize).min(h.counts.len() - 1) / per
        } else {
            0
        }
    };
    let marked: Vec<usize> = marks
        .iter()
        .filter(|&&m| m >= h.lo && m <= h.hi)
        .map(|&m| bin_of(m))
        .collect();
    let bars: Vec<Bar> = h
        .counts
        .chunks(per)
        .enumerate()
        .map(|(i, c)| {
            let style = if marked.contains(&i) {
                theme.bad
            } else {
                theme.accent
            };
            Bar::default()
                .value(c.iter().sum())
                .text_value(String::new())
                .style(style)
        })
        .collect();
    let n = bars.len().max(1) as u16;
    let bar_width = ((area.width.saturating_sub(2)) / n)
        .saturating_sub(1)
        .max(1);
    let outside = if h.below + h.above > 0 {
        format!(", {} beyond", h.below + h.above)
    } else {
        String::new()
    };
    let title = format!("{title}  [{} … {}{outside}]", num(h.lo), num(h.hi));
    f.render_widget(
        BarChart::default()
            .block(block(app, title))
            .data(BarGroup::default().bars(&bars))
            .bar_width(bar_width)
            .bar_gap(1)
            .bar_style(Style::new()),
        area,
    );
}

/// A count with thousands grouped: 100,000.
pub fn count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The first of `candidates` (longest first) that fits in `width` columns, else the last.
pub fn fitting(width: u16, candidates: Vec<String>) -> String {
    let w = usize::from(width);
    let last = candidates.last().cloned().unwrap_or_default();
    candidates
        .into_iter()
        .find(|c| c.chars().count() <= w)
        .unwrap_or(last)
}
