//! Segment stability: does k-means find the same segments again when the data or the seed change?
//!
//! - Clusterboot (Hennig 2007, "Cluster-wise assessment of cluster stability"; R's
//!   `fpc::clusterboot`): draw `resamples` bootstrap resamples of the rows (with replacement) and
//!   cluster each one afresh. For every segment C of the run, take the best Jaccard similarity
//!   |C ∩ D| / |C ∪ D| over the resample's clusters D, counted on the distinct original rows that
//!   are in the resample. A segment's stability is the mean over the resamples that hold any of
//!   its rows; Hennig reads >= 0.75 as stable and < 0.5 as dissolving. The mean over the
//!   segments is the stability of the k.
//! - Seed-to-seed ARI: the mean adjusted Rand index between the run's labels and k-means fits
//!   (same `n_init`) at `seeds` other seeds.
//!
//! Each resample is refit from its own k-means++ seeding (seeded from its resample stream), not
//! warm-started from the run's centroids: Lloyd started at the run's answer stays in its basin on
//! structureless data too, and stability would then call every segmentation stable.
//!
//! Above `max_rows` rows both are computed on one seeded sample of that many rows (the run's
//! labels of those rows are the reference). Resample b draws from `Rng::stream(seed, b)` and the
//! fits are thread-count independent, so the numbers do not depend on the thread count.

use rayon::prelude::*;

use crate::cluster::kmeans::{KMeansError, KMeansParams};
use crate::job::JobControl;
use crate::matrix::Matrix;
use crate::metrics::{self, MetricError};
use crate::params::ParamGuard;
use crate::rng::Rng;

/// Hennig's reading of the clusterboot Jaccard: at or above this a segment is stable.
pub const STABLE: f64 = 0.75;
/// Below this a segment is dissolving: most resamples do not find it again.
pub const DISSOLVING: f64 = 0.5;

/// Hennig's reading of a clusterboot Jaccard, in one word.
pub fn verdict(jaccard: f64) -> &'static str {
    if jaccard >= STABLE {
        "stable"
    } else if jaccard >= DISSOLVING {
        "unstable"
    } else {
        "dissolving"
    }
}

/// Default bootstrap resamples (the recipe's `cluster.stability_resamples`).
pub const DEFAULT_RESAMPLES: usize = 20;
/// Other seeds the fit is repeated at for the seed-to-seed ARI.
pub const DEFAULT_SEEDS: usize = 4;
/// Default row limit: above it, a seeded sample of this many rows.
pub const DEFAULT_MAX_ROWS: usize = 20_000;

/// Stream ids of `seed` for the row sample and the other seeds (resamples use 0..resamples).
const SAMPLE_STREAM: u64 = 0x57AB_0000_0000_0000;
const SEED_STREAM: u64 = 0x57AB_5EED_0000_0000;

#[derive(Clone, Debug, PartialEq)]
pub struct StabilityParams {
    /// Bootstrap resamples (B).
    pub resamples: usize,
    /// Other seeds for the seed-to-seed ARI; 0 = no seed ARI.
    pub seeds: usize,
    /// Above this many rows, a seeded sample of this many rows.
    pub max_rows: usize,
    /// The run's k-means settings: `k` is the segment count, `seed` seeds everything here.
    pub kmeans: KMeansParams,
}

impl StabilityParams {
    /// The defaults above, for the run's k-means settings.
    pub fn new(resamples: usize, kmeans: KMeansParams) -> Self {
        StabilityParams {
            resamples,
            seeds: DEFAULT_SEEDS,
            max_rows: DEFAULT_MAX_ROWS,
            kmeans,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StabilityError {
    #[error("stability needs at least one bootstrap resample")]
    NoResamples,
    #[error("stability needs a row limit of at least 2 * k = {0}, got {1}")]
    MaxRowsTooSmall(usize, usize),
    #[error("{labels} labels for {rows} rows")]
    LabelCount { labels: usize, rows: usize },
    #[error("label {label} is not below k = {k}")]
    LabelOutOfRange { label: usize, k: usize },
    #[error(transparent)]
    KMeans(#[from] KMeansError),
    #[error(transparent)]
    Metric(#[from] MetricError),
}

/// `StabilityParams` whose rules hold.
#[derive(Clone, Debug, PartialEq)]
pub struct StabilityValid(StabilityParams);

impl ParamGuard for StabilityParams {
    type Checked = StabilityValid;
    type Error = StabilityError;

    fn check(&self) -> Result<StabilityValid, StabilityError> {
        self.kmeans.check()?;
        if self.resamples == 0 {
            return Err(StabilityError::NoResamples);
        }
        if self.max_rows < 2 * self.kmeans.k {
            return Err(StabilityError::MaxRowsTooSmall(
                2 * self.kmeans.k,
                self.max_rows,
            ));
        }
        Ok(StabilityValid(self.clone()))
    }
}

/// Clusterboot per segment, and the seed-to-seed ARI, of one labelling.
#[derive(Clone, Debug, PartialEq)]
pub struct Stability {
    /// Mean best Jaccard of each segment (by id); `None` when no resample held any of its rows
    /// (a segment too small to be in the row sample).
    pub per_segment: Vec<Option<f64>>,
    /// Mean of `per_segment` over the segments that have one.
    pub mean: Option<f64>,
    /// Mean ARI with the fits at other seeds; `None` when `seeds` is 0.
    pub seed_ari: Option<f64>,
    pub resamples: usize,
    /// Rows the numbers were computed on.
    pub rows: usize,
    /// The data's row count (`rows` is smaller when sampled).
    pub of_rows: usize,
}

impl StabilityParams {
    /// Clusterboot of `labels` (ids `0..kmeans.k`, one per row of `data`) and the seed ARI.
    pub fn compute(
        &self,
        data: Matrix<'_>,
        labels: &[usize],
        job: &JobControl,
    ) -> Result<Stability, StabilityError> {
        self.check()?.compute(data, labels, job)
    }
}

impl StabilityValid {
    pub fn compute(
        &self,
        data: Matrix<'_>,
        labels: &[usize],
        job: &JobControl,
    ) -> Result<Stability, StabilityError> {
        let p = &self.0;
        let (n, k) = (data.n_rows(), p.kmeans.k);
        if labels.len() != n {
            return Err(StabilityError::LabelCount {
                labels: labels.len(),
                rows: n,
            });
        }
        if let Some(&label) = labels.iter().find(|&&l| l >= k) {
            return Err(StabilityError::LabelOutOfRange { label, k });
        }
        // k-means' own row rules (k <= rows, no data) come from the fits below.
        let sample = (n > p.max_rows)
            .then(|| Rng::stream(p.kmeans.seed, SAMPLE_STREAM).sample_indices(n, p.max_rows));
        let (values, reference) = match &sample {
            Some(idx) => metrics::take_rows(data, labels, idx),
            None => (Vec::new(), labels.to_vec()),
        };
        let x = match &sample {
            Some(_) => Matrix::trusted(&values, data.n_cols()),
            None => data,
        };
        let per_resample: Vec<Vec<Option<f64>>> = (0..p.resamples as u64)
            .into_par_iter()
            .map(|b| resample_jaccards(x, &reference, k, &p.kmeans, b, job))
            .collect::<Result<_, _>>()?;
        let per_segment = mean_per_segment(&per_resample, k);
        let present: Vec<f64> = per_segment.iter().flatten().copied().collect();
        let mean =
            (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64);
        let seed_ari = if p.seeds == 0 {
            None
        } else {
            let aris: Vec<f64> = (0..p.seeds as u64)
                .into_par_iter()
                .map(|s| -> Result<f64, StabilityError> {
                    let other = KMeansParams {
                        seed: Rng::stream(p.kmeans.seed, SEED_STREAM + s).next_u64(),
                        ..p.kmeans.clone()
                    };
                    let fit = other.fit_with_progress(x, job, &|_| {})?;
                    Ok(metrics::adjusted_rand_index(&reference, &fit.labels)?)
                })
                .collect::<Result<_, _>>()?;
            Some(aris.iter().sum::<f64>() / aris.len() as f64)
        };
        Ok(Stability {
            per_segment,
            mean,
            seed_ari,
            resamples: p.resamples,
            rows: x.n_rows(),
            of_rows: n,
        })
    }
}

/// Stability of a run's final labels (all rows labelled `0..kmeans.k`); `None` when a row has
/// no label.
pub fn of_labels(
    data: Matrix<'_>,
    labels: &[Option<usize>],
    resamples: usize,
    kmeans: KMeansParams,
    job: &JobControl,
) -> Result<Option<Stability>, StabilityError> {
    let Some(labels) = labels.iter().copied().collect::<Option<Vec<usize>>>() else {
        return Ok(None);
    };
    StabilityParams::new(resamples, kmeans)
        .compute(data, &labels, job)
        .map(Some)
}

/// One bootstrap resample (stream `b` of the seed), clustered by plain k-means (one fresh
/// k-means++ seeding and Lloyd, no swap search: clusterboot's refit, and a tenth of the cost);
/// the best Jaccard of every reference segment, `None` for a segment with no row in it.
fn resample_jaccards(
    x: Matrix<'_>,
    reference: &[usize],
    k: usize,
    kmeans: &KMeansParams,
    b: u64,
    job: &JobControl,
) -> Result<Vec<Option<f64>>, StabilityError> {
    let n = x.n_rows();
    let mut rng = Rng::stream(kmeans.seed, b);
    let mut drawn: Vec<usize> = (0..n).map(|_| rng.range_usize(0, n)).collect();
    // Sorted: the gather reads forwards, and the duplicates of a row sit together.
    drawn.sort_unstable();
    let values = x.gather(&drawn);
    let fit = KMeansParams {
        n_init: 1,
        seed: rng.next_u64(),
        ..kmeans.clone()
    }
    .fit_plain(Matrix::trusted(&values, x.n_cols()), job)?;
    // Copies of one row are the same point and get the same label: count each row once.
    let mut distinct_rows = Vec::with_capacity(n);
    let mut distinct_labels = Vec::with_capacity(n);
    for (i, &row) in drawn.iter().enumerate() {
        if i == 0 || drawn[i - 1] != row {
            distinct_rows.push(reference[row]);
            distinct_labels.push(fit.labels[i]);
        }
    }
    Ok(best_jaccards(&distinct_rows, &distinct_labels, k, fit.k))
}

/// For each reference cluster `0..k_ref`, the best Jaccard |C ∩ D| / |C ∪ D| with a cluster D of
/// `other` (ids `0..k_other`), on the rows listed (both slices, same rows); `None` when C has no
/// row here.
pub fn best_jaccards(
    reference: &[usize],
    other: &[usize],
    k_ref: usize,
    k_other: usize,
) -> Vec<Option<f64>> {
    let mut both = vec![0usize; k_ref * k_other];
    let mut ref_size = vec![0usize; k_ref];
    let mut other_size = vec![0usize; k_other];
    for (&c, &d) in reference.iter().zip(other) {
        both[c * k_other + d] += 1;
        ref_size[c] += 1;
        other_size[d] += 1;
    }
    (0..k_ref)
        .map(|c| {
            (ref_size[c] > 0).then(|| {
                (0..k_other)
                    .map(|d| {
                        let inter = both[c * k_other + d];
                        inter as f64 / (ref_size[c] + other_size[d] - inter) as f64
                    })
                    .fold(0.0, f64::max)
            })
        })
        .collect()
}

/// Mean over the resamples of each segment's Jaccard, skipping the resamples without it
/// (as `fpc::clusterboot` averages with `na.rm`). Summed in resample order.
fn mean_per_segment(per_resample: &[Vec<Option<f64>>], k: usize) -> Vec<Option<f64>> {
    (0..k)
        .map(|c| {
            let seen: Vec<f64> = per_resample.iter().filter_map(|r| r[c]).collect();
            (!seen.is_empty()).then(|| seen.iter().sum::<f64>() / seen.len() as f64)
        })
        .collect()
}

impl Stability {
    /// What an analyst should read about these segments: the sample, an unstable k, and each
    /// dissolving segment (by id).
    pub fn notes(&self, k: usize) -> Vec<String> {
        let mut notes = Vec::new();
        let b = self.resamples;
        if self.rows < self.of_rows {
            notes.push(format!(
                "stability (clusterboot Jaccard over {b} resamples, seed ARI) computed on a seeded sample of {} of {} rows",
                self.rows, self.of_rows
            ));
        }
        if let Some(mean) = self.mean.filter(|&m| m < STABLE) {
            notes.push(format!(
                "warning: k = {k} is unstable: mean clusterboot Jaccard {mean:.2} over {b} resamples (>= {STABLE} is stable); these segments may not come back on new data"
            ));
        }
        for (id, j) in self.per_segment.iter().enumerate() {
            if let Some(j) = j.filter(|&j| j < DISSOLVING) {
                notes.push(format!(
                    "warning: segment {id} is dissolving: Jaccard {j:.2} over {b} resamples (< {DISSOLVING})"
                ));
            }
        }
        notes
    }
}

#[cfg(test)]
mod tests;
