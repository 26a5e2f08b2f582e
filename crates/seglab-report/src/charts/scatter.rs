//! Points in two dimensions colored by segment, noise in grey, with a legend beside the plot.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    check_finite, fmt_count, font, invalid, padded, render, segment_color, shorten, tick_format,
    title_style, Chart, ChartError, ChartFiles, DrawResult, GRID_BOLD, NOISE_COLOR, STEM_SCATTER,
};

/// More points than this are subsampled evenly (every n-th point) to keep the SVG small.
pub const SCATTER_MAX_POINTS: usize = 20_000;
const LEGEND_WIDTH: u32 = 250;

/// Scatter of `xy` colored by `labels` (`None` = noise, drawn grey); `names[label]` in the legend.
pub fn scatter_2d(
    dir: &Path,
    xy: &[(f64, f64)],
    labels: &[Option<usize>],
    names: &[String],
    x_label: &str,
    y_label: &str,
) -> Result<ChartFiles, ChartError> {
    scatter_2d_as(dir, STEM_SCATTER, xy, labels, names, x_label, y_label)
}

/// The same picture under another file stem (e.g. "tsne" next to the PCA "scatter").
pub fn scatter_2d_as(
    dir: &Path,
    stem: &str,
    xy: &[(f64, f64)],
    labels: &[Option<usize>],
    names: &[String],
    x_label: &str,
    y_label: &str,
) -> Result<ChartFiles, ChartError> {
    let chart =
        Scatter::new(xy, labels, names, x_label, y_label).map_err(|r| invalid(dir, stem, r))?;
    render(dir, stem, &chart)
}

struct Scatter {
    /// Drawn points per segment; the last group is noise.
    groups: Vec<Vec<(f64, f64)>>,
    /// Legend rows: (group index, name, count), segments in order, noise last, empty ones left out.
    legend: Vec<(usize, String, String)>,
    x_range: (f64, f64),
    y_range: (f64, f64),
    n: usize,
    shown: usize,
    x_label: String,
    y_label: String,
}

impl Scatter {
    fn new(
        xy: &[(f64, f64)],
        labels: &[Option<usize>],
        names: &[String],
        x_label: &str,
        y_label: &str,
    ) -> Result<Self, String> {
        if xy.is_empty() {
            return Err("no points given".into());
        }
        if xy.len() != labels.len() {
            return Err(format!("{} points but {} labels", xy.len(), labels.len()));
        }
        if let Some(i) = labels
            .iter()
            .position(|l| l.is_some_and(|l| l >= names.len()))
        {
            return Err(format!(
                "labels[{i}] = {} has no name ({} names given)",
                labels[i].unwrap_or_default(),
                names.len()
            ));
        }
        let xs: Vec<f64> = xy.iter().map(|p| p.0).collect();
        let ys: Vec<f64> = xy.iter().map(|p| p.1).collect();
        check_finite(&xs, "x")?;
        check_finite(&ys, "y")?;

        let n = xy.len();
        let noise = names.len();
        let mut counts = vec![0usize; noise + 1];
        for l in labels {
            counts[l.unwrap_or(noise)] += 1;
        }
        let stride = n.div_ceil(SCATTER_MAX_POINTS);
        let mut groups = vec![Vec::new(); noise + 1];
        for i in (0..n).step_by(stride) {
            groups[labels[i].unwrap_or(noise)].push(xy[i]);
        }
        let shown = groups.iter().map(Vec::len).sum();
        let legend = (0..=noise)
            .filter(|&g| counts[g] > 0)
            .map(|g| {
                let name = if g == noise {
                    "noise"
                } else {
                    names[g].as_str()
                };
                (
                    g,
                    shorten(name, 24),
                    format!("n = {}", fmt_count(counts[g])),
                )
            })
            .collect();
        // Axis ranges from all points, so subsampling never hides an outlier's extent.
        let range = |v: &[f64]| {
            let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            padded(lo, hi)
        };
        Ok(Scatter {
            groups,
            legend,
            x_range: range(&xs),
            y_range: range(&ys),
            n,
            shown,
            x_label: x_label.to_string(),
            y_label: y_label.to_string(),
        })
    }

    fn color(&self, g: usize) -> RGBColor {
        if g + 1 == self.groups.len() {
            NOISE_COLOR
        } else {
            segment_color(g)
        }
    }
}

/// "2nd", "3rd", "11th", "21st"…
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl Chart for Scatter {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let title = format!("Segments by {} and {}", self.x_label, self.y_label);
        let root = root.titled(&title, title_style())?;
        let root = if self.shown < self.n {
            root.titled(
                &format!(
                    "showing {} of {} points (every {})",
                    fmt_count(self.shown),
                    fmt_count(self.n),
                    ordinal(self.n.div_ceil(SCATTER_MAX_POINTS))
                ),
                font(14).color(&RGBColor(90, 90, 90)),
            )?
        } else {
            root
        };
        let (w, _) = root.dim_in_pixel();
        let (plot, legend) = root.split_horizontally(w.saturating_sub(LEGEND_WIDTH));

        let x_fmt = tick_format(self.x_range.1 - self.x_range.0);
        let y_fmt = tick_format(self.y_range.1 - self.y_range.0);
        let mut chart = ChartBuilder::on(&plot)
            .margin(15)
            .x_label_area_size(55)
            .y_label_area_size(80)
            .build_cartesian_2d(
                self.x_range.0..self.x_range.1,
                self.y_range.0..self.y_range.1,
            )?;
        chart
            .configure_mesh()
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&x_fmt)
            .y_label_formatter(&y_fmt)
            .axis_desc_style(font(18))
            .label_style(font(14))
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID_BOLD)
            .draw()?;
        let radius = if self.shown > 5000 { 2 } else { 3 };
        // Noise first so segments are drawn on top of it.
        let order = std::iter::once(self.groups.len() - 1).chain(0..self.groups.len() - 1);
        for g in order {
            let style = self.color(g).mix(0.75).filled();
            chart.draw_series(
                self.groups[g]
                    .iter()
                    .map(|&p| Circle::new(p, radius, style)),
            )?;
        }

        // Two lines per entry (name, then count) so names can be long.
        let row = 40;
        let top = 30;
        let (_, legend_h) = legend.dim_in_pixel();
        let max_rows = ((legend_h as i32 - top - row) / row).max(1) as usize;
        let grey = RGBColor(90, 90, 90);
        for (i, (g, name, count)) in self.legend.iter().take(max_rows).enumerate() {
            let y = top + row * i as i32;
            legend.draw(&Circle::new((12, y), 6, self.color(*g).filled()))?;
            legend.draw(&Text::new(name.as_str(), (26, y - 8), font(15)))?;
            legend.draw(&Text::new(
                count.as_str(),
                (26, y + 10),
                font(13).color(&grey),
            ))?;
        }
        if self.legend.len() > max_rows {
            let y = top + row * max_rows as i32;
            let more = format!("… and {} more", self.legend.len() - max_rows);
            legend.draw(&Text::new(more, (26, y - 8), font(15)))?;
        }
        Ok(())
    }
}
