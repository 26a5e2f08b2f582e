//! The classic silhouette plot: one band per cluster, samples sorted within each band.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    check_finite, fmt_count, font, invalid, render, segment_color, shorten, text_width,
    title_style, Chart, ChartError, ChartFiles, DrawResult, TickedAxis, GRID_BOLD, STEM_SILHOUETTE,
};

/// Outline vertices across all bands. Each band is one filled polygon through evenly spaced
/// ranks of its sorted values; the values are monotone, so this keeps the shape at screen
/// resolution while 100k samples cost a few thousand vertices instead of 100k rectangles.
const OUTLINE_POINTS: usize = 2000;

/// Per-sample silhouette values grouped by cluster (`labels[i] < k`), with the mean marked.
pub fn silhouette_plot(
    dir: &Path,
    labels: &[usize],
    samples: &[f64],
    k: usize,
    names: &[String],
) -> Result<ChartFiles, ChartError> {
    let chart =
        Silhouette::new(labels, samples, k, names).map_err(|r| invalid(dir, STEM_SILHOUETTE, r))?;
    render(dir, STEM_SILHOUETTE, &chart)
}

struct Band {
    label: String,
    /// Polygon in (silhouette, y) coordinates; empty for an empty cluster.
    outline: Vec<(f64, f64)>,
    center: f64,
}

struct Silhouette {
    bands: Vec<Band>,
    total_height: f64,
    mean: f64,
    min: f64,
    n: usize,
    k: usize,
}

impl Silhouette {
    fn new(labels: &[usize], samples: &[f64], k: usize, names: &[String]) -> Result<Self, String> {
        if samples.is_empty() {
            return Err("no samples given".into());
        }
        if labels.len() != samples.len() {
            return Err(format!(
                "{} labels but {} silhouette values",
                labels.len(),
                samples.len()
            ));
        }
        if k == 0 {
            return Err("k must be at least 1".into());
        }
        if names.len() != k {
            return Err(format!("{} cluster names for k = {k}", names.len()));
        }
        if let Some(i) = labels.iter().position(|&l| l >= k) {
            return Err(format!("labels[{i}] = {} is not below k = {k}", labels[i]));
        }
        check_finite(samples, "silhouette")?;
        if let Some(i) = samples.iter().position(|s| s.abs() > 1.0 + 1e-9) {
            return Err(format!("silhouette[{i}] = {} is outside -1..1", samples[i]));
        }

        let n = samples.len();
        let mut groups: Vec<Vec<f64>> = vec![Vec::new(); k];
        for (&l, &s) in labels.iter().zip(samples) {
            groups[l].push(s);
        }
        // Gaps between bands scale with n so they stay visible at any sample count.
        let gap = (n as f64 * 0.03).max(1.0);
        // A wider gap on top leaves room for the mean's label above the first band.
        let top_gap = gap.max(n as f64 * 0.07);
        let total_height = n as f64 + gap * k as f64 + top_gap;
        let mut top = total_height - top_gap;
        let mut bands = Vec::with_capacity(k);
        for (c, mut g) in groups.into_iter().enumerate() {
            g.sort_by(|a, b| b.total_cmp(a));
            let m = g.len();
            let bottom = top - m as f64;
            let mut outline = Vec::new();
            if m > 0 {
                let keep = (OUTLINE_POINTS * m).div_ceil(n).clamp(2, m.max(2));
                outline.push((0.0, top));
                outline.push((g[0], top));
                for j in 0..keep {
                    let idx = (j * (m - 1)) / (keep - 1).max(1);
                    outline.push((g[idx], top - idx as f64 - 0.5));
                }
                outline.push((g[m - 1], bottom));
                outline.push((0.0, bottom));
            }
            bands.push(Band {
                label: format!("{} (n={})", shorten(&names[c], 24), fmt_count(m)),
                outline,
                center: (top + bottom) / 2.0,
            });
            top = bottom - gap;
        }
        let mean = samples.iter().sum::<f64>() / n as f64;
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        Ok(Silhouette {
            bands,
            total_height,
            mean,
            min,
            n,
            k,
        })
    }
}

impl Chart for Silhouette {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let label_style = font(14);
        let label_width = self
            .bands
            .iter()
            .map(|b| text_width(root, &b.label, &label_style))
            .max()
            .unwrap_or(0);
        let x_lo = (self.min - 0.05).min(-0.1);
        let centers: Vec<f64> = self.bands.iter().map(|b| b.center).collect();
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "Silhouette per sample ({} samples, k = {})",
                    fmt_count(self.n),
                    self.k
                ),
                title_style(),
            )
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(label_width + 50)
            .build_cartesian_2d(
                x_lo..1.0,
                TickedAxis {
                    lo: 0.0,
                    hi: self.total_height,
                    ticks: centers,
                },
            )?;
        let name_at = |y: &f64| {
            self.bands
                .iter()
                .min_by(|a, b| (a.center - y).abs().total_cmp(&(b.center - y).abs()))
                .map(|b| b.label.clone())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_desc("silhouette coefficient")
            .y_desc("cluster")
            .axis_desc_style(font(18))
            .label_style(label_style)
            .y_label_formatter(&name_at)
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID_BOLD)
            .draw()?;

        for (c, band) in self.bands.iter().enumerate() {
            if !band.outline.is_empty() {
                chart.draw_series(std::iter::once(Polygon::new(
                    band.outline.clone(),
                    segment_color(c).filled(),
                )))?;
            }
        }
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (0.0, self.total_height)],
            BLACK.stroke_width(1),
        ))?;
        chart.draw_series(DashedLineSeries::new(
            [(self.mean, 0.0), (self.mean, self.total_height)],
            8,
            5,
            BLACK.stroke_width(2),
        ))?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((self.mean, self.total_height))
                + Text::new(format!("mean = {:.3}", self.mean), (6, 4), font(16)),
        ))?;
        Ok(())
    }
}
