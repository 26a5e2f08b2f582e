//! The k-distance curve used to choose DBSCAN's eps.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    check_finite, fmt_count, fmt_num, font, invalid, render, tick_format, title_style, Chart,
    ChartError, ChartFiles, DrawResult, ACCENT, GRID_BOLD, MAIN, STEM_K_DISTANCE,
};

/// Sorted distance to each point's k-th nearest neighbour (for choosing DBSCAN's eps).
pub fn k_distance(
    dir: &Path,
    sorted_distances: &[f64],
    k: usize,
    eps: Option<f64>,
) -> Result<ChartFiles, ChartError> {
    let chart =
        KDistance::new(sorted_distances, k, eps).map_err(|r| invalid(dir, STEM_K_DISTANCE, r))?;
    render(dir, STEM_K_DISTANCE, &chart)
}

struct KDistance {
    /// (rank, distance), decimated to the plot's resolution.
    points: Vec<(f64, f64)>,
    n: usize,
    max: f64,
    k: usize,
    eps: Option<(f64, usize)>,
}

/// At most this many buckets along x; each keeps its first and last point.
const K_DISTANCE_BUCKETS: usize = 1500;

impl KDistance {
    fn new(distances: &[f64], k: usize, eps: Option<f64>) -> Result<Self, String> {
        if distances.is_empty() {
            return Err("no distances given".into());
        }
        check_finite(distances, "distance")?;
        if distances.iter().any(|&d| d < 0.0) {
            return Err("distances must not be negative".into());
        }
        // Sort a copy rather than trust the caller: the curve only means something sorted.
        let mut d = distances.to_vec();
        d.sort_by(f64::total_cmp);
        let n = d.len();
        let eps = match eps {
            Some(e) if !e.is_finite() || e < 0.0 => {
                return Err(format!("eps {e} is not a non-negative number"))
            }
            Some(e) => Some((e, n - d.partition_point(|&x| x <= e))),
            None => None,
        };
        // Sorted data: a bucket's first and last points are its min and max, so keeping both
        // draws the same envelope as all points, at a fraction of the SVG size.
        let bucket = n.div_ceil(K_DISTANCE_BUCKETS).max(1);
        let mut points = Vec::with_capacity(2 * K_DISTANCE_BUCKETS + 1);
        for start in (0..n).step_by(bucket) {
            let end = (start + bucket).min(n) - 1;
            points.push((start as f64, d[start]));
            if end != start {
                points.push((end as f64, d[end]));
            }
        }
        Ok(KDistance {
            points,
            n,
            max: d[n - 1],
            k,
            eps,
        })
    }
}

impl Chart for KDistance {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let top = self.max.max(self.eps.map_or(0.0, |e| e.0));
        let top = if top > 0.0 { top * 1.08 } else { 1.0 };
        let x_hi = (self.n.max(2) - 1) as f64;
        let y_fmt = tick_format(top);
        let mut chart = ChartBuilder::on(root)
            .caption(
                format!(
                    "k-distance curve (k = {}, {} points)",
                    self.k,
                    fmt_count(self.n)
                ),
                title_style(),
            )
            .margin(20)
            .x_label_area_size(55)
            .y_label_area_size(90)
            .build_cartesian_2d(0.0..x_hi, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("points, sorted by k-distance")
            .y_desc(format!("distance to {}-th nearest neighbour", self.k))
            .axis_desc_style(font(18))
            .label_style(font(14))
            .x_label_formatter(&|x| fmt_count(x.round().max(0.0) as usize))
            .y_label_formatter(&y_fmt)
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID_BOLD)
            .draw()?;
        chart.draw_series(LineSeries::new(
            self.points.iter().copied(),
            MAIN.stroke_width(3),
        ))?;
        if let Some((eps, above)) = self.eps {
            chart.draw_series(DashedLineSeries::new(
                [(0.0, eps), (x_hi, eps)],
                8,
                5,
                ACCENT.stroke_width(2),
            ))?;
            let label = format!("eps = {} ({} points above)", fmt_num(eps), fmt_count(above));
            chart.draw_series(std::iter::once(
                EmptyElement::at((0.0, eps)) + Text::new(label, (10, -26), font(17).color(&ACCENT)),
            ))?;
        }
        Ok(())
    }
}
