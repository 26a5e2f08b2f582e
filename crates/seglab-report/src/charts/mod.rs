//! Chart files for a segmentation run: each public function takes plain data, validates it,
//! and writes `<dir>/<stem>.png` and `<dir>/<stem>.svg` with the same picture.
//!
//! Text uses the DejaVu Sans font compiled into the binary (plotters' `ab_glyph` backend), so
//! rendering needs no system fonts or fontconfig and works from any working directory.

mod bars;
mod dendrogram;
mod heatmap;
mod k_distance;
mod lines;
mod scatter;
mod silhouette;

pub use bars::segment_shares;
pub use dendrogram::{dendrogram, LAST_P};
pub use heatmap::{count_grid, profile_heatmap, Labels};
pub use k_distance::k_distance;
pub use lines::{elbow, scree, silhouette_vs_k};
pub use scatter::{scatter_2d, scatter_2d_as, SCATTER_MAX_POINTS};
pub use silhouette::silhouette_plot;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// File stems (without extension) of each chart, so callers can list or link them.
pub const STEM_ELBOW: &str = "elbow";
pub const STEM_SILHOUETTE_VS_K: &str = "silhouette_vs_k";
pub const STEM_SILHOUETTE: &str = "silhouette";
pub const STEM_SCATTER: &str = "scatter";
pub const STEM_SCREE: &str = "scree";
pub const STEM_DENDROGRAM: &str = "dendrogram";
pub const STEM_K_DISTANCE: &str = "k_distance";
pub const STEM_PROFILE_HEATMAP: &str = "profile_heatmap";
pub const STEM_RFM_GRID: &str = "rfm_grid";
pub const STEM_RFM_SEGMENTS: &str = "rfm_segments";
pub const STEM_MIGRATION: &str = "migration";

/// Default picture size in pixels (the SVG uses the same user units).
pub const SIZE: (u32, u32) = (1000, 650);

/// The bundled font, relative to this file so the path does not depend on the working directory.
static FONT_BYTES: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");

/// Family name every chart asks for; the bundled font is registered under it.
pub(crate) const FONT: &str = "sans-serif";

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot draw {path}: {reason}")]
    InvalidInput { path: PathBuf, reason: String },
    #[error("drawing {path} failed: {reason}")]
    Draw { path: PathBuf, reason: String },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot draw {path}: the bundled font could not be loaded")]
    Font { path: PathBuf },
}

impl ChartError {
    /// The file (or folder) the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ChartError::InvalidInput { path, .. }
            | ChartError::Draw { path, .. }
            | ChartError::Io { path, .. }
            | ChartError::Font { path } => path,
        }
    }

    /// The same error naming its file relative to `base` (e.g. `charts/elbow.png` rather than
    /// a staging folder the user never sees).
    pub fn relative_to(mut self, base: &Path) -> ChartError {
        let path = match &mut self {
            ChartError::InvalidInput { path, .. }
            | ChartError::Draw { path, .. }
            | ChartError::Io { path, .. }
            | ChartError::Font { path } => path,
        };
        if let Ok(rel) = path.strip_prefix(base) {
            *path = rel.to_owned();
        }
        self
    }
}

/// The two files one chart call wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFiles {
    pub png: PathBuf,
    pub svg: PathBuf,
}

impl ChartFiles {
    pub fn paths(&self) -> [&Path; 2] {
        [&self.png, &self.svg]
    }
}

/// So callers can `files.extend(charts::elbow(..)?)` into a `Vec<PathBuf>`.
impl IntoIterator for ChartFiles {
    type Item = PathBuf;
    type IntoIter = std::array::IntoIter<PathBuf, 2>;
    fn into_iter(self) -> Self::IntoIter {
        [self.png, self.svg].into_iter()
    }
}

/// Okabe–Ito (yellow darkened so it reads on white), then Tol "muted" hues for runs with more
/// than eight segments. Colors repeat after twelve.
pub const PALETTE: [RGBColor; 12] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(184, 160, 0),   // dark yellow
    RGBColor(0, 0, 0),       // black
    RGBColor(136, 34, 85),   // wine
    RGBColor(68, 170, 153),  // teal
    RGBColor(153, 153, 51),  // olive
    RGBColor(51, 34, 136),   // indigo
];

/// Grey for noise points (label `None`): visible, yet clearly not a segment color.
pub const NOISE_COLOR: RGBColor = RGBColor(175, 175, 175);
/// Main series color on single-series charts.
pub(crate) const MAIN: RGBColor = PALETTE[0];
/// Marks (chosen k, eps, cut): vermillion, apart from the blue main series.
pub(crate) const ACCENT: RGBColor = PALETTE[3];
pub(crate) const GRID_BOLD: RGBColor = RGBColor(210, 210, 210);

/// Color of segment `i`.
pub fn segment_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub(crate) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A validated chart, drawable on any plotters backend (PNG and SVG share one drawing routine).
pub(crate) trait Chart {
    fn size(&self) -> (u32, u32) {
        SIZE
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

fn font_ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    *READY
        .get_or_init(|| plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok())
}

pub(crate) fn invalid(dir: &Path, stem: &str, reason: impl Into<String>) -> ChartError {
    ChartError::InvalidInput {
        path: dir.join(format!("{stem}.png")),
        reason: reason.into(),
    }
}

/// Draw `chart` into `<dir>/<stem>.png` and `<dir>/<stem>.svg`.
pub(crate) fn render(dir: &Path, stem: &str, chart: &impl Chart) -> Result<ChartFiles, ChartError> {
    let png = dir.join(format!("{stem}.png"));
    let svg = dir.join(format!("{stem}.svg"));
    if !font_ready() {
        return Err(ChartError::Font { path: png });
    }
    fs::create_dir_all(dir).map_err(|source| ChartError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let size = chart.size();

    let drawn = {
        let root = BitMapBackend::new(&png, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|_| chart.draw(&root))
            .and_then(|_| root.present())
            .map_err(|e| e.to_string())
    };
    if let Err(reason) = drawn {
        // The bitmap backend saves on drop even after a failure; do not leave half a picture.
        let _ = fs::remove_file(&png);
        return Err(ChartError::Draw { path: png, reason });
    }

    let mut text = String::new();
    let drawn = {
        let root = SVGBackend::with_string(&mut text, size).into_drawing_area();
        root.fill(&WHITE)
            .and_then(|_| chart.draw(&root))
            .and_then(|_| root.present())
            .map_err(|e| e.to_string())
    };
    if let Err(reason) = drawn {
        return Err(ChartError::Draw { path: svg, reason });
    }
    fs::write(&svg, text).map_err(|source| ChartError::Io {
        path: svg.clone(),
        source,
    })?;
    Ok(ChartFiles { png, svg })
}

// ---- shared styling and helpers ----

pub(crate) fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

pub(crate) fn title_style() -> TextStyle<'static> {
    font(24)
}

/// `lo..hi` with a margin, never empty (a flat series still gets a visible band).
pub(crate) fn padded(lo: f64, hi: f64) -> (f64, f64) {
    let span = hi - lo;
    if span.abs() <= 1e-12 * hi.abs().max(1.0) {
        let pad = (hi.abs() * 0.1).max(1e-3);
        (lo - pad, hi + pad)
    } else {
        (lo - span * 0.08, hi + span * 0.08)
    }
}

/// Integer tick positions in `lo..=hi`, at most about `max_n` of them, on a 1/2/5 step.
pub(crate) fn int_ticks(lo: i64, hi: i64, max_n: usize) -> Vec<f64> {
    let span = (hi - lo).max(1) as f64;
    let mut mult = 1i64;
    let step = 'found: loop {
        for s in [1, 2, 5] {
            if span / (s * mult) as f64 <= max_n as f64 {
                break 'found s * mult;
            }
        }
        mult *= 10;
    };
    let first = (lo + step - 1).div_euclid(step) * step;
    (0..)
        .map(|i| first + i * step)
        .take_while(|&v| v <= hi)
        .map(|v| v as f64)
        .collect()
}

/// A linear f64 axis with labels only at given positions (integer k, component numbers,
/// cluster bands). plotters' own `with_key_points` loses the label formatter for f64 axes.
pub(crate) struct TickedAxis {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
}

impl Ranged for TickedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = (value - self.lo) / (self.hi - self.lo);
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only "bold" points: no light grid lines between the chosen labels.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Tick label format for an axis spanning `span`: just enough decimals to tell ticks apart
/// (plotters' default prints "28000.0").
pub(crate) fn tick_format(span: f64) -> impl Fn(&f64) -> String {
    let decimals = if span > 0.0 {
        (1.0 - span.log10().floor()).clamp(0.0, 6.0) as usize
    } else {
        2
    };
    move |v: &f64| {
        let s = format!("{v:.decimals$}");
        // Avoid "-0" / "-0.00" at the origin.
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    }
}

/// Short number for labels: 3 significant digits, scientific only when huge or tiny.
pub(crate) fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if !(1e-3..1e6).contains(&a) {
        format!("{v:.2e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// Numbers with thousands separators, for counts in titles and legends.
pub(crate) fn fmt_count(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cut long names so one label cannot eat the plot area.
pub(crate) fn shorten(name: &str, max_chars: usize) -> String {
    if name.chars().count() <= max_chars {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(max_chars.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// Pixel width of `text` in `style` (0 if the font cannot tell).
pub(crate) fn text_width<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    text: &str,
    style: &TextStyle,
) -> u32 {
    root.estimate_text_size(text, style)
        .map(|(w, _)| w)
        .unwrap_or(0)
}

pub(crate) fn check_finite(values: &[f64], what: &str) -> Result<(), String> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(format!("{what}[{i}] is {}, not a finite number", values[i])),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
