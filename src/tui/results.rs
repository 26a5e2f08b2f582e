//! What the background jobs hand to the screens: computed off the UI thread, so drawing only
//! reads them.

use crate::engine::inputs::PreparedInputs;
use crate::engine::inspect::InspectReport;
use crate::engine::matrix::Matrix;
use crate::engine::metrics;
use crate::engine::outcome::RunOutcome;
use crate::engine::reduce::pca::{Keep, PcaError, PcaParams};
use crate::engine::segmenting::Segmented;
use crate::engine::stats::{quantile_sorted, sorted_present};
use crate::engine::table::Table;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rows drawn in the cluster scatter and used for the per-k silhouette plot.
pub const PICTURE_ROWS: usize = 2_000;
pub const HIST_BINS: usize = 24;

pub enum Output {
    Loaded(Box<DataState>),
    /// The prepared inputs and the explained-variance ratio of every principal component.
    /// With the mean of every numeric column of the cleaned table (the Features screen's list).
    Prepared(Arc<PreparedInputs>, Vec<f64>, BTreeMap<String, f64>),
    Segmented(Box<SegResult>),
    KView(Box<KView>),
    /// The outcome named again (renames or rules changed; nothing recomputed).
    Renamed(Box<RunOutcome>),
    Exported(Vec<String>),
    Rfm(Box<super::rfm::RfmView>),
    Compared(Box<super::compare::ComparisonView>),
}

/// Explained-variance ratios of all components of the feature matrix (the scree).
pub fn scree(p: &PreparedInputs) -> Vec<f64> {
    let f = &p.prepared.features;
    let d = f.names.len();
    if d < 2 {
        return Vec::new();
    }
    let params = PcaParams {
        keep: Keep::Count(1),
    };
    Matrix::new(&f.data, d)
        .map_err(PcaError::from)
        .and_then(|m| params.fit(m))
        .map(|m| m.explained_variance_ratio)
        .unwrap_or_default()
}

/// Mean of each numeric column of the cleaned table (computed once, not per frame).
pub fn column_means(p: &PreparedInputs) -> BTreeMap<String, f64> {
    p.prepared
        .cleaned
        .columns
        .par_iter()
        .filter_map(|c| {
            let v = c.data.as_numbers()?;
            let (s, n) = v
                .iter()
                .flatten()
                .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
            (n > 0).then(|| (c.name.clone(), s / n as f64))
        })
        .collect()
}

/// A numeric column's histogram and IQR fences (for the Data and Clean screens).
#[derive(Clone, Debug, PartialEq)]
pub struct Hist {
    /// The binned range: the data's range cut to 3 IQR beyond the quartiles, so a few absurd
    /// values do not squash the picture; `below`/`above` count what lies outside.
    pub lo: f64,
    pub hi: f64,
    pub counts: Vec<u64>,
    pub below: u64,
    pub above: u64,
    pub q1: f64,
    pub q3: f64,
    /// Population mean and standard deviation (for z-score cut lines).
    pub mean: f64,
    pub std: f64,
}

impl Hist {
    pub fn of(values: &[Option<f64>]) -> Option<Hist> {
        let sorted = sorted_present(values);
        let (min, max) = (*sorted.first()?, *sorted.last()?);
        let (q1, q3) = (
            quantile_sorted(&sorted, 0.25)?,
            quantile_sorted(&sorted, 0.75)?,
        );
        let iqr = q3 - q1;
        let (lo, hi) = if iqr > 0.0 {
            (min.max(q1 - 3.0 * iqr), max.min(q3 + 3.0 * iqr))
        } else {
            (min, max)
        };
        let mut counts = vec![0u64; HIST_BINS];
        let (mut below, mut above) = (0, 0);
        let width = (hi - lo) / HIST_BINS as f64;
        for &v in &sorted {
            if v < lo {
                below += 1;
                continue;
            }
            if v > hi {
                above += 1;
                continue;
            }
            let b = if width > 0.0 {
                (((v - lo) / width) as usize).min(HIST_BINS - 1)
            } else {
                0
            };
            counts[b] += 1;
        }
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let var = sorted.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / sorted.len() as f64;
        Some(Hist {
            lo,
            hi,
            counts,
            below,
            above,
            q1,
            q3,
            mean,
            std: var.sqrt(),
        })
    }

    /// The IQR fences at `factor`.
    pub fn fences(&self, factor: f64) -> (f64, f64) {
        let iqr = self.q3 - self.q1;
        (self.q1 - factor * iqr, self.q3 + factor * iqr)
    }
}

pub struct DataState {
    pub path: String,
    pub table: Table,
    pub report: InspectReport,
    /// Per column, None for non-numeric ones.
    pub hists: Vec<Option<Hist>>,
    /// Set when the file looks like a transaction log rather than a customer table.
    pub log_hint: Option<LogHint>,
}

/// Why a file looks like a transaction log: its customer ids repeat.
#[derive(Clone, Debug, PartialEq)]
pub struct LogHint {
    pub rows: usize,
    pub distinct: usize,
    pub customer: String,
}

impl DataState {
    /// Reads, inspects and checks a file (on a job thread: it reads every customer id).
    pub fn load(
        input: &std::path::Path,
        opts: &crate::engine::load::LoadOptions,
    ) -> Result<DataState, super::jobs::JobError> {
        use crate::engine::inputs::{refuse_log_as_customers, InputsError};
        let loaded = crate::engine::load::load(input, opts)?;
        let name = input.display().to_string();
        let report = crate::engine::inspect::inspect(&name, &loaded.table, &loaded.warnings);
        let hint = match refuse_log_as_customers(input, &loaded.table) {
            Err(InputsError::LogAsCustomers {
                rows,
                distinct,
                customer,
                ..
            }) => Some(LogHint {
                rows,
                distinct,
                customer,
            }),
            _ => None,
        };
        let mut data = DataState::new(name, loaded.table, report);
        data.log_hint = hint;
        Ok(data)
    }

    pub fn new(path: String, table: Table, report: InspectReport) -> DataState {
        let hists = table
            .columns
            .par_iter()
            .map(|c| c.data.as_numbers().and_then(Hist::of))
            .collect();
        DataState {
            path,
            table,
            report,
            hists,
            log_hint: None,
        }
    }
}

/// A finished segmentation with everything the Cluster, Segments and Export screens show.
pub struct SegResult {
    pub segmented: Arc<Segmented>,
    pub outcome: RunOutcome,
    /// Seeded sample of rows, and their 2-D PCA projection (the scatter).
    pub rows: Vec<usize>,
    pub xy: Vec<(f64, f64)>,
    /// Share of variance the two axes show.
    pub xy_variance: f64,
}

impl SegResult {
    pub fn new(seg: Segmented, outcome: RunOutcome, seed: u64) -> SegResult {
        let n = seg.space.len() / seg.n_cols.max(1);
        let rows = metrics::sample_indices(n, PICTURE_ROWS, seed ^ 0x5CA7);
        let (mut xy, mut xy_variance) = (Vec::new(), 0.0);
        if seg.n_cols >= 2 {
            let params = PcaParams {
                keep: Keep::Count(2),
            };
            if let Ok(pca) = Matrix::new(&seg.space, seg.n_cols)
                .map_err(PcaError::from)
                .and_then(|m| params.fit(m))
            {
                let sub: Vec<f64> = rows
                    .iter()
                    .flat_map(|&r| {
                        seg.space[r * seg.n_cols..(r + 1) * seg.n_cols]
                            .iter()
                            .copied()
                    })
                    .collect();
                xy = pca
                    .transform(&sub)
                    .chunks(2)
                    .map(|p| (p[0], p[1]))
                    .collect();
                xy_variance = pca.explained_variance_ratio.iter().take(2).sum();
            }
        } else {
            xy = rows.iter().map(|&r| (seg.space[r], 0.0)).collect();
        }
        SegResult {
            segmented: Arc::new(seg),
            outcome,
            rows,
            xy,
            xy_variance,
        }
    }

    pub fn labels_of_rows(&self) -> Vec<Option<usize>> {
        self.rows
            .iter()
            .map(|&r| self.segmented.segmentation.labels[r])
            .collect()
    }
}

/// The silhouette plot and scatter colours for one k of the sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct KView {
    pub k: usize,
    /// Per cluster, its rows' silhouettes sorted descending (over the picture sample).
    pub by_cluster: Vec<Vec<f64>>,
    pub mean: f64,
    /// Label of each picture row at this k.
    pub labels: Vec<usize>,
}

impl KView {
    /// From the sweep's fitted model at `k` (no refit), over the picture rows.
    pub fn compute(seg: &Segmented, rows: &[usize], k: usize) -> Option<KView> {
        let sweep = seg.segmentation.sweep.as_ref()?;
        let model = sweep.models.iter().find(|m| m.k == k)?;
        let d = seg.n_cols;
        let (sub, labels) = metrics::take_rows(Matrix::trusted(&seg.space, d), &model.labels, rows);
        let values = metrics::silhouette_samples(Matrix::trusted(&sub, d), &labels).ok()?;
        let mut by_cluster = vec![Vec::new(); k];
        for (&l, &v) in labels.iter().zip(&values) {
            by_cluster[l].push(v);
        }
        for c in &mut by_cluster {
            c.sort_by(|a, b| b.total_cmp(a));
        }
        Some(KView {
            k,
            mean: values.iter().sum::<f64>() / values.len().max(1) as f64,
            by_cluster,
            labels,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_counts_every_value_and_fences_follow_the_quartiles() {
        let v: Vec<Option<f64>> = (1..=8).map(|x| Some(x as f64)).chain([None]).collect();
        let h = Hist::of(&v).unwrap();
        assert_eq!(h.counts.iter().sum::<u64>(), 8);
        assert_eq!((h.below, h.above), (0, 0));
        // numpy: mean 4.5, std (ddof=0) of 1..8 = sqrt(5.25)
        assert_eq!(h.mean, 4.5);
        assert!((h.std - 5.25f64.sqrt()).abs() < 1e-12);
        assert_eq!((h.lo, h.hi), (1.0, 8.0));
        // numpy.percentile([1..8], [25, 75]) = 2.75, 6.25
        assert_eq!((h.q1, h.q3), (2.75, 6.25));
        assert_eq!(h.fences(1.5), (2.75 - 5.25, 6.25 + 5.25));
        assert!(Hist::of(&[None]).is_none());
        // An absurd value stays out of the bins (IQR 3.5 → window up to 6.25 + 10.5).
        let mut v: Vec<Option<f64>> = (1..=8).map(|x| Some(x as f64)).collect();
        v.push(Some(1000.0));
        let h = Hist::of(&v).unwrap();
        assert_eq!((h.above, h.hi), (1, 7.0 + 3.0 * 4.0));
    }
}
