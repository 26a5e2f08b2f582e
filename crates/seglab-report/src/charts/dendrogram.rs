//! Hierarchical clustering tree from a scipy-style linkage matrix.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    fmt_count, fmt_num, font, invalid, render, segment_color, text_width, tick_format, title_style,
    Chart, ChartError, ChartFiles, DrawResult, TickedAxis, ACCENT, GRID_BOLD, MAIN,
    STEM_DENDROGRAM,
};

/// Trees with more leaves show only the last `LAST_P - 1` merges (scipy's `truncate_mode="lastp"`
/// with p = 30); each shown leaf is then a subtree labelled with its size.
pub const LAST_P: usize = 30;
/// Links above the cut; without a cut all links are blue.
const TRUNK: RGBColor = RGBColor(90, 90, 90);

/// Dendrogram of `merges` (rows `a, b, distance, size`; row `i` creates cluster `n_leaves + i`),
/// with an optional horizontal line at the cut height.
pub fn dendrogram(
    dir: &Path,
    merges: &[(usize, usize, f64, usize)],
    n_leaves: usize,
    cut: Option<f64>,
) -> Result<ChartFiles, ChartError> {
    let chart =
        Dendrogram::new(merges, n_leaves, cut).map_err(|r| invalid(dir, STEM_DENDROGRAM, r))?;
    render(dir, STEM_DENDROGRAM, &chart)
}

struct Link {
    /// (x, height) of the left child top, the join, and the right child top.
    path: [(f64, f64); 4],
    color: RGBColor,
}

struct Dendrogram {
    links: Vec<Link>,
    leaf_labels: Vec<String>,
    max_height: f64,
    n_leaves: usize,
    truncated: bool,
    /// Cut height and the number of clusters it yields.
    cut: Option<(f64, usize)>,
}

/// Walks the displayed tree from the root, placing leaves left to right.
struct Layout<'a> {
    merges: &'a [(usize, usize, f64, usize)],
    n: usize,
    /// Merges with a row index below this are hidden inside truncated leaves.
    first_shown: usize,
    sizes: Vec<usize>,
    cut: Option<f64>,
    links: Vec<Link>,
    leaf_labels: Vec<String>,
    next_color: usize,
}

impl Layout<'_> {
    /// Returns the node's (x, height).
    fn place(&mut self, id: usize, color: Option<RGBColor>) -> (f64, f64) {
        if id < self.n || id - self.n < self.first_shown {
            let x = self.leaf_labels.len() as f64;
            let label = if id < self.n {
                id.to_string()
            } else {
                format!("({})", fmt_count(self.sizes[id]))
            };
            self.leaf_labels.push(label);
            return (x, 0.0);
        }
        let (a, b, d, _) = self.merges[id - self.n];
        // Below the cut each subtree gets its own color, like scipy's color_threshold.
        let color = match (self.cut, color) {
            (Some(c), None) if d <= c => {
                self.next_color += 1;
                Some(segment_color(self.next_color - 1))
            }
            _ => color,
        };
        let (xa, ya) = self.place(a, color);
        let (xb, yb) = self.place(b, color);
        self.links.push(Link {
            path: [(xa, ya), (xa, d), (xb, d), (xb, yb)],
            color: color.unwrap_or(if self.cut.is_some() { TRUNK } else { MAIN }),
        });
        ((xa + xb) / 2.0, d)
    }
}

impl Dendrogram {
    fn new(
        merges: &[(usize, usize, f64, usize)],
        n: usize,
        cut: Option<f64>,
    ) -> Result<Self, String> {
        if n < 2 {
            return Err(format!("a dendrogram needs at least 2 leaves, got {n}"));
        }
        if merges.len() != n - 1 {
            return Err(format!(
                "{} merges for {n} leaves; a full linkage has n - 1 = {}",
                merges.len(),
                n - 1
            ));
        }
        let mut sizes = vec![1usize; n];
        let mut used = vec![false; 2 * n - 1];
        for (i, &(a, b, d, size)) in merges.iter().enumerate() {
            for c in [a, b] {
                if c >= n + i {
                    return Err(format!("merge {i} refers to cluster {c}, not yet formed"));
                }
                if used[c] {
                    return Err(format!("merge {i} reuses cluster {c}"));
                }
                used[c] = true;
            }
            if a == b {
                return Err(format!("merge {i} joins cluster {a} with itself"));
            }
            if !d.is_finite() || d < 0.0 {
                return Err(format!("merge {i} has distance {d}"));
            }
            if size != sizes[a] + sizes[b] {
                return Err(format!(
                    "merge {i} says size {size}, but its parts hold {}",
                    sizes[a] + sizes[b]
                ));
            }
            sizes.push(size);
        }
        if let Some(c) = cut {
            if !c.is_finite() || c < 0.0 {
                return Err(format!("cut height {c} is not a non-negative number"));
            }
        }
        let truncated = n > LAST_P;
        let mut layout = Layout {
            merges,
            n,
            first_shown: if truncated { n - LAST_P } else { 0 },
            sizes,
            cut,
            links: Vec::new(),
            leaf_labels: Vec::new(),
            next_color: 0,
        };
        layout.place(2 * n - 2, None);
        let max_height = merges.iter().map(|m| m.2).fold(0.0, f64::max);
        let cut = cut.map(|c| (c, 1 + merges.iter().filter(|m| m.2 > c).count()));
        Ok(Dendrogram {
            links: layout.links,
            leaf_labels: layout.leaf_labels,
            max_height,
            n_leaves: n,
            truncated,
            cut,
        })
    }
}

impl Chart for Dendrogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let leaves = self.leaf_labels.len();
        let top = self.max_height.max(self.cut.map_or(0.0, |c| c.0));
        let top = if top > 0.0 { top * 1.1 } else { 1.0 };
        let mut title = format!("Dendrogram ({} leaves", fmt_count(self.n_leaves));
        if self.truncated {
            title.push_str(&format!(", last {} merges", LAST_P - 1));
        }
        title.push(')');
        // The cut's label goes in the title: inside the plot it would cover links.
        if let Some((c, clusters)) = self.cut {
            title.push_str(&format!(
                ", cut at {} gives {clusters} clusters",
                fmt_num(c)
            ));
        }
        // Leaf labels turn vertical when they would not fit side by side.
        let label_style = font(13);
        let widest = self
            .leaf_labels
            .iter()
            .map(|l| text_width(root, l, &label_style))
            .max()
            .unwrap_or(0);
        let (w, _) = root.dim_in_pixel();
        let slot = (w.saturating_sub(140)) / leaves as u32;
        let vertical = widest + 4 > slot;
        let x_area = if vertical { widest + 60 } else { 55 };
        let x_style = if vertical {
            label_style
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Left, VPos::Center))
        } else {
            label_style
        };
        let mut chart = ChartBuilder::on(root)
            .caption(title, title_style())
            .margin(20)
            .x_label_area_size(x_area)
            .y_label_area_size(80)
            .build_cartesian_2d(
                TickedAxis {
                    lo: -0.6,
                    hi: leaves as f64 - 0.4,
                    ticks: (0..leaves).map(|i| i as f64).collect(),
                },
                0.0..top,
            )?;
        let y_fmt = tick_format(top);
        let label_at = |x: &f64| {
            self.leaf_labels
                .get(x.round().max(0.0) as usize)
                .cloned()
                .unwrap_or_default()
        };
        let x_desc = if self.truncated {
            "leaf index, or (size) of a collapsed subtree"
        } else {
            "leaf index"
        };
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc("merge distance")
            .axis_desc_style(font(18))
            .label_style(font(14))
            .x_label_style(x_style)
            .x_label_formatter(&label_at)
            .y_label_formatter(&y_fmt)
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID_BOLD)
            .draw()?;
        for link in &self.links {
            chart.draw_series(std::iter::once(PathElement::new(
                link.path.to_vec(),
                link.color.stroke_width(2),
            )))?;
        }
        if let Some((c, _)) = self.cut {
            chart.draw_series(DashedLineSeries::new(
                [(-0.6, c), (leaves as f64 - 0.4, c)],
                8,
                5,
                ACCENT.stroke_width(2),
            ))?;
        }
        Ok(())
    }
}
