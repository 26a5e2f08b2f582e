//! Segment sizes next to their revenue: a horizontal bar chart, one row per segment with two
//! bars (share of customers, share of revenue), each labelled with its value.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    check_finite, fmt_count, font, int_ticks, invalid, render, segment_color, text_width,
    title_style, Chart, ChartError, ChartFiles, DrawResult, GRID_BOLD, STEM_RFM_SEGMENTS,
};

const TITLE: &str = "RFM segments: customers and revenue";
/// Legend words, one per bar of a row (top bar first).
pub(crate) const SERIES: [&str; 2] = ["share of customers", "share of revenue"];
/// Pixels around the plot: title and legend above, axis labels below.
const TOP: i32 = 96;
const BOTTOM: i32 = 70;
const ROW_H: i32 = 46;
/// Gap between the plot and the canvas' right edge, besides the room kept for value labels.
const RIGHT_PAD: i32 = 24;

/// One row per segment, in the order given: `customer_pct` and `revenue_pct` are shares in
/// percent (0..100), `customers` the segment sizes shown next to the names. Names are drawn in
/// full; the canvas grows wider for very long ones and taller for many segments.
pub fn segment_shares(
    dir: &Path,
    names: &[String],
    customers: &[usize],
    customer_pct: &[f64],
    revenue_pct: &[f64],
) -> Result<ChartFiles, ChartError> {
    let chart = ShareBars::new(names, customers, customer_pct, revenue_pct)
        .map_err(|r| invalid(dir, STEM_RFM_SEGMENTS, r))?;
    render(dir, STEM_RFM_SEGMENTS, &chart)
}

struct ShareBars {
    /// "Champions (n=1,234)".
    labels: Vec<String>,
    /// Per row: [customer share, revenue share] in percent.
    values: Vec<[f64; 2]>,
    /// The axis runs 0..x_hi percent, ending on a tick.
    x_hi: f64,
    ticks: Vec<f64>,
}

impl ShareBars {
    fn new(
        names: &[String],
        customers: &[usize],
        customer_pct: &[f64],
        revenue_pct: &[f64],
    ) -> Result<Self, String> {
        if names.is_empty() {
            return Err("no segments given".into());
        }
        let n = names.len();
        if customers.len() != n || customer_pct.len() != n || revenue_pct.len() != n {
            return Err(format!(
                "{n} segment names but {} sizes, {} customer shares and {} revenue shares",
                customers.len(),
                customer_pct.len(),
                revenue_pct.len()
            ));
        }
        check_finite(customer_pct, "customer share")?;
        check_finite(revenue_pct, "revenue share")?;
        for (what, values) in [
            ("customer share", customer_pct),
            ("revenue share", revenue_pct),
        ] {
            if let Some(i) = values.iter().position(|v| *v < 0.0 || *v > 100.0 + 1e-6) {
                return Err(format!(
                    "{what}[{i}] = {} is not a percentage (0 to 100)",
                    values[i]
                ));
            }
        }
        let max = customer_pct
            .iter()
            .chain(revenue_pct)
            .fold(0.0f64, |m, v| m.max(*v));
        // Ticks on a 1/2/5 step of whole percents; the axis ends on the first tick at or
        // above the longest bar, so bars keep their proportions against the grid.
        let top = (max.ceil() as i64).max(1);
        let mut ticks = int_ticks(0, top, 6);
        let step = if ticks.len() > 1 {
            ticks[1] - ticks[0]
        } else {
            1.0
        };
        let last = ticks.last().copied().unwrap_or(0.0);
        if last < max {
            ticks.push(last + step);
        }
        let x_hi = ticks.last().copied().unwrap_or(1.0).max(1.0);
        Ok(ShareBars {
            labels: names
                .iter()
                .zip(customers)
                .map(|(name, &c)| format!("{name} (n={})", fmt_count(c)))
                .collect(),
            values: customer_pct
                .iter()
                .zip(revenue_pct)
                .map(|(&c, &r)| [c, r])
                .collect(),
            x_hi,
            ticks,
        })
    }
}

/// "12.3%", and "<0.1%" for a share that is there but rounds to nothing.
fn pct_text(v: f64) -> String {
    if v > 0.0 && v < 0.05 {
        "<0.1%".into()
    } else {
        format!("{v:.1}%")
    }
}

fn series_color(s: usize) -> RGBColor {
    segment_color(s)
}

impl Chart for ShareBars {
    fn size(&self) -> (u32, u32) {
        // The names' width decides how much room is left for bars; keep at least 600 px of
        // them. (The font is registered before a chart is sized, so it can be measured.)
        let name_w = self
            .labels
            .iter()
            .filter_map(|l| font(14).font.box_size(l).ok())
            .map(|(w, _)| w)
            .max()
            .unwrap_or(0);
        let width = (name_w + 60 + 600 + 70).clamp(1000, 2400);
        let rows = self.labels.len() as u32;
        let height = (TOP + BOTTOM) as u32 + ROW_H as u32 * rows;
        (width, height.clamp(450, 2600))
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (w, h) = root.dim_in_pixel();
        let (w, h) = (w as i32, h as i32);
        let label = font(14);
        let value_style = font(13);
        let desc = font(16);

        root.draw(&Text::new(
            TITLE,
            (w / 2, 14),
            title_style().pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;

        // Legend, centred under the title: a swatch and the words for each bar.
        let swatch = 14;
        let widths: Vec<i32> = SERIES
            .iter()
            .map(|s| text_width(root, s, &label) as i32)
            .collect();
        let legend_w: i32 = widths.iter().map(|tw| swatch + 6 + tw).sum::<i32>() + 30;
        let mut x = (w - legend_w) / 2;
        let ly = 58;
        for (s, (name, tw)) in SERIES.iter().zip(&widths).enumerate() {
            root.draw(&Rectangle::new(
                [(x, ly - swatch / 2), (x + swatch, ly + swatch / 2)],
                series_color(s).filled(),
            ))?;
            root.draw(&Text::new(
                *name,
                (x + swatch + 6, ly),
                label.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            x += swatch + 6 + tw + 30;
        }

        // Layout: names on the left in full, room on the right for the longest bar's label.
        let name_w = self
            .labels
            .iter()
            .map(|l| text_width(root, l, &label) as i32)
            .max()
            .unwrap_or(0);
        let value_w = text_width(root, "100.0%", &value_style) as i32;
        let left = 40 + name_w + 12;
        let right = (w - RIGHT_PAD - value_w - 6).max(left + 1);
        let top = TOP;
        let bottom = h - BOTTOM;
        let n = self.labels.len() as i32;
        let row_h = ((bottom - top) / n).max(1);
        let bottom = top + row_h * n;
        let x_of = |v: f64| left + ((v / self.x_hi) * f64::from(right - left)).round() as i32;

        // Grid lines and tick labels.
        for &t in &self.ticks {
            let x = x_of(t);
            root.draw(&PathElement::new([(x, top), (x, bottom)], GRID_BOLD))?;
            root.draw(&PathElement::new([(x, bottom), (x, bottom + 5)], BLACK))?;
            root.draw(&Text::new(
                format!("{t:.0}"),
                (x, bottom + 8),
                label.pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        root.draw(&Text::new(
            "percent of all customers / of all revenue",
            ((left + right) / 2, bottom + 32),
            desc.pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        root.draw(&Text::new(
            "segment",
            (10, (top + bottom) / 2),
            desc.transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;

        // Two bars per row, centred in it, no thicker than 20 px each.
        let bar_h = ((row_h - 10) / 2).clamp(1, 20);
        let gap = 2;
        for (i, (name, pair)) in self.labels.iter().zip(&self.values).enumerate() {
            let mid = top + row_h * i as i32 + row_h / 2;
            root.draw(&Text::new(
                name.as_str(),
                (left - 12, mid),
                label.pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            for (s, &v) in pair.iter().enumerate() {
                let y0 = if s == 0 {
                    mid - gap / 2 - bar_h
                } else {
                    mid + (gap + 1) / 2
                };
                let x1 = x_of(v);
                if x1 > left {
                    root.draw(&Rectangle::new(
                        [(left, y0), (x1, y0 + bar_h)],
                        series_color(s).filled(),
                    ))?;
                }
                // Too thin a bar for a legible number: leave it unlabelled.
                if bar_h >= 8 {
                    let style = if bar_h >= 12 {
                        value_style.clone()
                    } else {
                        font(11)
                    };
                    root.draw(&Text::new(
                        pct_text(v),
                        (x1 + 5, y0 + bar_h / 2),
                        style.pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                }
            }
        }
        // The zero line over the bars' roots and the axis.
        root.draw(&PathElement::new([(left, top), (left, bottom)], BLACK))?;
        root.draw(&PathElement::new([(left, bottom), (right, bottom)], BLACK))?;
        Ok(())
    }
}
