//! Segment profiles as a heatmap: one column per segment, one row per feature, diverging colors.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    fmt_num, font, invalid, render, shorten, text_width, title_style, Chart, ChartError,
    ChartFiles, DrawResult, STEM_PROFILE_HEATMAP,
};

const NEGATIVE: (f64, f64, f64) = (33.0, 102.0, 172.0);
const MIDDLE: (f64, f64, f64) = (247.0, 247.0, 247.0);
const POSITIVE: (f64, f64, f64) = (178.0, 24.0, 43.0);
/// Cells whose value is not a number (e.g. the z-score of a constant feature).
const MISSING: RGBColor = RGBColor(200, 200, 200);

/// Heatmap of `values` (segments × features, row-major), blue below zero, red above, with the
/// value in each cell. Features are rows because their names are usually the longer ones.
/// Non-finite values are drawn as grey "n/a" cells rather than rejected.
pub fn profile_heatmap(
    dir: &Path,
    segment_names: &[String],
    feature_names: &[String],
    values: &[f64],
) -> Result<ChartFiles, ChartError> {
    let chart = Heatmap::new(segment_names, feature_names, values, Labels::PROFILE)
        .map_err(|r| invalid(dir, STEM_PROFILE_HEATMAP, r))?;
    render(dir, STEM_PROFILE_HEATMAP, &chart)
}

/// A grid of counts (e.g. customers per R × F score), white to blue, written as `<stem>.*`:
/// `values` column by column, `rows` top to bottom.
pub fn count_grid(
    dir: &Path,
    stem: &str,
    labels: Labels,
    columns: &[String],
    rows: &[String],
    values: &[f64],
) -> Result<ChartFiles, ChartError> {
    let chart = Heatmap::new(columns, rows, values, labels).map_err(|r| invalid(dir, stem, r))?;
    render(dir, stem, &chart)
}

/// The words around a heatmap; `counts` draws non-negative counts (white to blue, whole
/// numbers) instead of signed values (blue-white-red).
#[derive(Clone, Copy)]
pub struct Labels {
    pub title: &'static str,
    pub columns: &'static str,
    pub rows: &'static str,
    pub counts: bool,
}

impl Labels {
    const PROFILE: Labels = Labels {
        title: "Segment profiles",
        columns: "segment",
        rows: "feature",
        counts: false,
    };
}

struct Heatmap {
    segments: Vec<String>,
    features: Vec<String>,
    values: Vec<f64>,
    /// Color scale runs over -limit..limit, symmetric so white always means zero (0..limit
    /// for counts).
    limit: f64,
    labels: Labels,
}

impl Heatmap {
    fn new(
        segments: &[String],
        features: &[String],
        values: &[f64],
        labels: Labels,
    ) -> Result<Self, String> {
        if segments.is_empty() || features.is_empty() {
            return Err("need at least one segment and one feature".into());
        }
        if values.len() != segments.len() * features.len() {
            return Err(format!(
                "{} values for {} segments × {} features",
                values.len(),
                segments.len(),
                features.len()
            ));
        }
        let limit = values
            .iter()
            .filter(|v| v.is_finite())
            .fold(0.0, |m: f64, v| m.max(v.abs()));
        Ok(Heatmap {
            segments: segments.iter().map(|s| shorten(s, 28)).collect(),
            features: features.iter().map(|s| shorten(s, 32)).collect(),
            values: values.to_vec(),
            limit: if limit > 0.0 { limit } else { 1.0 },
            labels,
        })
    }
}

/// Blue–white–red for `t` in -1..1.
fn diverging(t: f64) -> RGBColor {
    let t = t.clamp(-1.0, 1.0);
    let (end, a) = if t < 0.0 {
        (NEGATIVE, -t)
    } else {
        (POSITIVE, t)
    };
    let mix = |m: f64, e: f64| (m + (e - m) * a).round() as u8;
    RGBColor(
        mix(MIDDLE.0, end.0),
        mix(MIDDLE.1, end.1),
        mix(MIDDLE.2, end.2),
    )
}

fn cell_text(v: f64, counts: bool) -> String {
    if counts && v.is_finite() {
        format!("{}", v.round() as i64)
    } else if !v.is_finite() {
        "n/a".into()
    } else if v.abs() < 0.005 {
        // Not "-0.00".
        "0.00".into()
    } else {
        format!("{v:+.2}")
    }
}

/// Greedy word wrap into at most three lines of at most `max_w` pixels; `None` if it won't fit.
fn wrap(text: &str, max_w: i32, width: impl Fn(&str) -> i32) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if width(&format!("{line} {word}")) <= max_w => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let fits = lines.len() <= 3 && lines.iter().all(|l| width(l) <= max_w);
    fits.then_some(lines)
}

impl Chart for Heatmap {
    fn size(&self) -> (u32, u32) {
        // Grow taller rather than squeeze rows below a readable height.
        let rows = self.features.len() as u32;
        (1000, (170 + 26 * rows).clamp(650, 2600))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let n_seg = self.segments.len() as i32;
        let n_feat = self.features.len() as i32;
        let label = font(14);

        let counts = self.labels.counts;
        // Counts run white (0) to blue (the most), the lower half of the diverging scale.
        let color = |t: f64| if counts { diverging(-t) } else { diverging(t) };
        root.draw(&Text::new(
            self.labels.title,
            (w / 2, 14),
            title_style().pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;

        // Layout in pixels: feature names left, colorbar right, segment names below.
        let feat_w = self
            .features
            .iter()
            .map(|f| text_width(root, f, &label) as i32)
            .max()
            .unwrap_or(0);
        let seg_w = self
            .segments
            .iter()
            .map(|s| text_width(root, s, &label) as i32)
            .max()
            .unwrap_or(0);
        let left = 50 + feat_w;
        let right = w - 110;
        let col_w = ((right - left) / n_seg).max(1);
        // Segment names: on up to three lines under their column, else turned vertical.
        let wrapped: Option<Vec<Vec<String>>> = self
            .segments
            .iter()
            .map(|s| wrap(s, col_w - 8, |t| text_width(root, t, &label) as i32))
            .collect();
        let line_h = 17;
        let seg_h = match &wrapped {
            Some(lines) => line_h * lines.iter().map(Vec::len).max().unwrap_or(1) as i32,
            None => seg_w,
        };
        let bottom = h - seg_h - 55;
        let top = 60;
        let row_h = ((bottom - top) / n_feat).max(1);
        let (right, bottom) = (left + col_w * n_seg, top + row_h * n_feat);

        let value_size = (row_h / 2).min(col_w / 5).clamp(0, 15) as u32;
        for (f, feature) in self.features.iter().enumerate() {
            let y0 = top + row_h * f as i32;
            for s in 0..self.segments.len() {
                let x0 = left + col_w * s as i32;
                let v = self.values[s * self.features.len() + f];
                let t = v / self.limit;
                let fill = if v.is_finite() { color(t) } else { MISSING };
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + col_w, y0 + row_h)],
                    fill.filled(),
                ))?;
                root.draw(&Rectangle::new(
                    [(x0, y0), (x0 + col_w, y0 + row_h)],
                    WHITE.stroke_width(1),
                ))?;
                // Skip the numbers when cells are too small to hold them legibly.
                if value_size >= 9 {
                    let text = cell_text(v, counts);
                    let color = if t.abs() > 0.6 { WHITE } else { BLACK };
                    root.draw(&Text::new(
                        text,
                        (x0 + col_w / 2, y0 + row_h / 2),
                        font(value_size)
                            .color(&color)
                            .pos(Pos::new(HPos::Center, VPos::Center)),
                    ))?;
                }
            }
            root.draw(&Text::new(
                feature.as_str(),
                (left - 8, y0 + row_h / 2),
                label.pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        for (s, segment) in self.segments.iter().enumerate() {
            let x = left + col_w * s as i32 + col_w / 2;
            match &wrapped {
                Some(lines) => {
                    for (i, line) in lines[s].iter().enumerate() {
                        root.draw(&Text::new(
                            line.as_str(),
                            (x, bottom + 8 + line_h * i as i32),
                            label.pos(Pos::new(HPos::Center, VPos::Top)),
                        ))?;
                    }
                }
                None => root.draw(&Text::new(
                    segment.as_str(),
                    (x, bottom + 8),
                    label
                        .transform(FontTransform::Rotate90)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))?,
            }
        }
        let desc = font(18);
        root.draw(&Text::new(
            self.labels.columns,
            ((left + right) / 2, bottom + seg_h + 20),
            desc.pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        root.draw(&Text::new(
            self.labels.rows,
            (14, (top + bottom) / 2),
            desc.transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;

        // Colorbar: a stack of thin bands from -limit (bottom) to +limit (top), with ticks.
        let (bx0, bx1) = (right + 30, right + 50);
        let steps = 100;
        let span = bottom - top;
        for i in 0..steps {
            let ya = bottom - span * i / steps;
            let yb = bottom - span * (i + 1) / steps;
            let u = (f64::from(i) + 0.5) / f64::from(steps);
            let t = if counts { u } else { -1.0 + 2.0 * u };
            root.draw(&Rectangle::new([(bx0, yb), (bx1, ya)], color(t).filled()))?;
        }
        root.draw(&Rectangle::new(
            [(bx0, top), (bx1, bottom)],
            BLACK.stroke_width(1),
        ))?;
        for i in 0..=4 {
            let t = if counts {
                0.25 * f64::from(i)
            } else {
                -1.0 + 0.5 * f64::from(i)
            };
            let y = bottom - span * i / 4;
            root.draw(&PathElement::new([(bx1, y), (bx1 + 4, y)], BLACK))?;
            root.draw(&Text::new(
                fmt_num(t * self.limit),
                (bx1 + 7, y),
                font(13).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}
