//! Line charts: a metric against k (elbow, silhouette), the scree plot and the k-distance curve.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    check_finite, font, int_ticks, invalid, padded, render, tick_format, title_style, Chart,
    ChartError, ChartFiles, DrawResult, TickedAxis, ACCENT, GRID_BOLD, MAIN, STEM_ELBOW,
    STEM_SCREE, STEM_SILHOUETTE_VS_K,
};

/// Inertia (within-cluster sum of squares) against k, with the chosen k marked.
pub fn elbow(
    dir: &Path,
    ks: &[usize],
    inertia: &[f64],
    chosen_k: usize,
) -> Result<ChartFiles, ChartError> {
    let chart = MetricVsK::new(
        "Elbow: inertia by number of clusters",
        "inertia (within-cluster sum of squares)",
        ks,
        inertia,
        chosen_k,
    )
    .map_err(|r| invalid(dir, STEM_ELBOW, r))?;
    render(dir, STEM_ELBOW, &chart)
}

/// Mean silhouette against k, with the chosen k marked.
pub fn silhouette_vs_k(
    dir: &Path,
    ks: &[usize],
    silhouette: &[f64],
    chosen_k: usize,
) -> Result<ChartFiles, ChartError> {
    let chart = MetricVsK::new(
        "Mean silhouette by number of clusters",
        "mean silhouette coefficient",
        ks,
        silhouette,
        chosen_k,
    )
    .map_err(|r| invalid(dir, STEM_SILHOUETTE_VS_K, r))?;
    render(dir, STEM_SILHOUETTE_VS_K, &chart)
}

struct MetricVsK {
    title: &'static str,
    y_desc: &'static str,
    /// Sorted by k.
    points: Vec<(f64, f64)>,
    chosen: usize,
}

impl MetricVsK {
    fn new(
        title: &'static str,
        y_desc: &'static str,
        ks: &[usize],
        values: &[f64],
        chosen: usize,
    ) -> Result<Self, String> {
        if ks.is_empty() {
            return Err("no k values given".into());
        }
        if ks.len() != values.len() {
            return Err(format!(
                "{} k values but {} metric values",
                ks.len(),
                values.len()
            ));
        }
        let mut all: Vec<(f64, f64)> = ks
            .iter()
            .map(|&k| k as f64)
            .zip(values.iter().copied())
            .collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        if all.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err("the same k appears twice".into());
        }
        // A k without a score (NaN, e.g. silhouette at k = 1) is left out rather than failing
        // the whole chart; the line simply joins its neighbours.
        let points: Vec<(f64, f64)> = all.into_iter().filter(|p| p.1.is_finite()).collect();
        if points.is_empty() {
            return Err("no finite metric values".into());
        }
        Ok(MetricVsK {
            title,
            y_desc,
            points,
            chosen,
        })
    }
}

impl Chart for MetricVsK {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let chosen = self.chosen as f64;
        let k_lo = self.points[0].0.min(chosen);
        let k_hi = self.points[self.points.len() - 1].0.max(chosen);
        let (y_lo, y_hi) = self
            .points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p.1), hi.max(p.1))
            });
        let (y_lo, y_hi) = padded(y_lo, y_hi);
        // Room above the data for the "k = N" label.
        let y_hi = y_hi + (y_hi - y_lo) * 0.06;
        let ticks = int_ticks(k_lo as i64, k_hi as i64, 25);
        let y_fmt = tick_format(y_hi - y_lo);
        let mut chart = ChartBuilder::on(root)
            .caption(self.title, title_style())
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(90)
            .build_cartesian_2d(
                TickedAxis {
                    lo: k_lo - 0.5,
                    hi: k_hi + 0.5,
                    ticks,
                },
                y_lo..y_hi,
            )?;
        chart
            .configure_mesh()
            .x_desc("number of clusters k")
            .y_desc(self.y_desc)
            .axis_desc_style(font(18))
            .label_style(font(14))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&y_fmt)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID_BOLD)
            .draw()?;

        chart.draw_series(DashedLineSeries::new(
            [(chosen, y_lo), (chosen, y_hi)],
            8,
            5,
            ACCENT.stroke_width(2),
        ))?;
        chart.draw_series(LineSeries::new(
            self.points.iter().copied(),
            MAIN.stroke_width(3),
        ))?;
        chart.draw_series(
            self.points
                .iter()
                .map(|&p| Circle::new(p, 5, MAIN.filled())),
        )?;
        if let Some(&p) = self.points.iter().find(|p| p.0 == chosen) {
            chart.draw_series([
                Circle::new(p, 9, ACCENT.filled()),
                Circle::new(p, 9, BLACK.stroke_width(1)),
            ])?;
        }
        // Label just right of the marker line, near the top.
        let label = format!("k = {}", self.chosen);
        chart.draw_series(std::iter::once(
            EmptyElement::at((chosen, y_hi)) + Text::new(label, (6, 8), font(18).color(&ACCENT)),
        ))?;
        Ok(())
    }
}

/// Explained variance ratio per component (bars) and its running total (line), on one 0–100 % axis.
pub fn scree(dir: &Path, explained_ratio: &[f64]) -> Result<ChartFiles, ChartError> {
    let chart = Scree::new(explained_ratio).map_err(|r| invalid(dir, STEM_SCREE, r))?;
    render(dir, STEM_SCREE, &chart)
}

struct Scree {
    ratio: Vec<f64>,
    cumulative: Vec<f64>,
}

impl Scree {
    fn new(ratio: &[f64]) -> Result<Self, String> {
        if ratio.is_empty() {
            return Err("no components given".into());
        }
        check_finite(ratio, "explained_ratio")?;
        if let Some(i) = ratio.iter().position(|&r| r < 0.0) {
            return Err(format!("explained_ratio[{i}] is negative"));
        }
        let cumulative: Vec<f64> = ratio
            .iter()
            .scan(0.0, |acc, r| {
                *acc += r;
                Some(*acc)
            })
            .collect();
        // Ratios, not raw variances: a total above 1 means the caller passed the wrong vector.
        if cumulative[cumulative.len() - 1] > 1.0 + 1e-6 {
            return Err(format!(
                "explained_ratio sums to {:.4}; expected ratios summing to at most 1",
                cumulative[cumulative.len() - 1]
            ));
        }
        Ok(Scree {
            ratio: ratio.to_vec(),
            cumulative,
        })
    }
}

impl Chart for Scree {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let n = self.ratio.len();
        let ticks = int_ticks(1, n as i64, 25);
        let mut chart = ChartBuilder::on(root)
            .caption("Scree: variance explained per component", title_style())
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(80)
            .build_cartesian_2d(
                TickedAxis {
                    lo: 0.4,
                    hi: n as f64 + 0.6,
                    ticks,
                },
                0.0..1.08,
            )?;
        chart
            .configure_mesh()
            .x_desc("principal component")
            .y_desc("share of variance explained")
            .axis_desc_style(font(18))
            .label_style(font(14))
            .x_label_formatter(&|x| format!("PC{x:.0}"))
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID_BOLD)
            .draw()?;

        let bar = PALETTE_BAR;
        chart
            .draw_series(self.ratio.iter().enumerate().map(|(i, &r)| {
                let x = (i + 1) as f64;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, r)], bar.filled())
            }))?
            .label("per component")
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], bar.filled()));
        if n <= 15 {
            // Inside tall bars (the cumulative line starts on top of the first bar), above short ones.
            chart.draw_series(self.ratio.iter().enumerate().map(|(i, &r)| {
                let pct = r * 100.0;
                let text = if pct < 1.0 {
                    format!("{pct:.1}%")
                } else {
                    format!("{pct:.0}%")
                };
                let (dy, v) = if r > 0.06 {
                    (10, VPos::Top)
                } else {
                    (-4, VPos::Bottom)
                };
                EmptyElement::at(((i + 1) as f64, r))
                    + Text::new(text, (0, dy), font(13).pos(Pos::new(HPos::Center, v)))
            }))?;
        }
        let pts = self
            .cumulative
            .iter()
            .enumerate()
            .map(|(i, &c)| ((i + 1) as f64, c));
        chart
            .draw_series(LineSeries::new(pts.clone(), ACCENT.stroke_width(3)))?
            .label("cumulative")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], ACCENT.stroke_width(3)));
        chart.draw_series(pts.map(|p| Circle::new(p, 4, ACCENT.filled())))?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleRight)
            .label_font(font(15))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID_BOLD)
            .draw()?;
        Ok(())
    }
}

/// Bars in sky blue so the vermillion cumulative line stands out against them.
const PALETTE_BAR: RGBColor = super::PALETTE[4];
