//! K-Means: greedy k-means++ seeding, then Lloyd iterations accelerated with distance bounds
//! (Hamerly's, with a second lower bound; see `assign`), so most rows skip the distance computations
//! once the centres settle; then a few centre swaps, each kept only if it lowers the inertia
//! (`refine`).
//!
//! Determinism: every parallel pass splits the rows into chunks of a fixed size (`CHUNK`, not
//! tied to the thread count) and combines the per-chunk partial sums in chunk order, so the same
//! seed gives bit-identical centroids and labels on any number of threads.
//!
//! Behaviour follows scikit-learn's `KMeans` (it is a reference for behaviour only): `inertia` is
//! the sum of squared distances, convergence is "sum of squared centre shifts <= tol * mean
//! per-feature variance" or "no label changed", and an empty cluster is re-seeded with the row
//! farthest from its centre.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::distance::{self, sqdist};
use crate::job::{Cancelled, JobControl};
use crate::matrix::{Matrix, MatrixError};
use crate::params::ParamGuard;
use crate::rng::Rng;

mod assign;
mod init;
mod refine;
use assign::{assign, relocate_empty, Bounds, Drift};
use init::{kmeans_pp, local_trials, mean_variance};
use refine::swap_search;

/// Above this many rows a run is seeded on a sample first (see `seed_centers`).
const SAMPLE_SEEDING_ROWS: usize = 100_000;
/// Rows in that sample, and the k-means++ seedings refined on it per run.
const SEED_SAMPLE: usize = 20_000;
const SEED_CANDIDATES: usize = 4;

/// Rows per parallel work item; fixed so that results do not depend on the thread count.
const CHUNK: usize = 4096;

/// Passes after which the lazily moved bounds are dropped and the shift totals restarted
/// (small under test, so that the tests go through it).
const REBASE: usize = if cfg!(test) { 3 } else { 1024 };

#[derive(Clone, Debug, PartialEq)]
pub struct KMeansParams {
    pub k: usize,
    /// Independent seedings (streams `0..n_init` of `seed`); the lowest inertia wins.
    pub n_init: usize,
    pub max_iter: usize,
    /// Relative tolerance, scaled by the mean per-feature variance of the data.
    pub tol: f64,
    pub seed: u64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            k: 3,
            n_init: 1,
            max_iter: 300,
            tol: 1e-4,
            seed: 42,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum KMeansError {
    #[error("k must be at least 2, got {0}")]
    KTooSmall(usize),
    #[error("k = {k} exceeds the number of rows ({n_rows})")]
    KTooLarge { k: usize, n_rows: usize },
    #[error("n_init must be at least 1")]
    ZeroNInit,
    #[error("max_iter must be at least 1")]
    ZeroMaxIter,
    #[error("tol must be finite and non-negative, got {0}")]
    BadTol(f64),
    #[error("no data: need at least one row and one column")]
    EmptyData,
    #[error("data length {len} is not a multiple of n_cols = {n_cols}")]
    Shape { len: usize, n_cols: usize },
    #[error("data has a NaN or infinite value in row {0}")]
    NonFinite(usize),
    #[error("cancelled")]
    Cancelled,
}

/// Data errors keep k-means' own wording (users and tests match it).
impl From<MatrixError> for KMeansError {
    fn from(e: MatrixError) -> Self {
        match e {
            MatrixError::NoColumns => KMeansError::EmptyData,
            MatrixError::Shape { len, n_cols } => KMeansError::Shape { len, n_cols },
            MatrixError::NonFinite { row, .. } => KMeansError::NonFinite(row),
        }
    }
}

impl From<Cancelled> for KMeansError {
    fn from(_: Cancelled) -> Self {
        KMeansError::Cancelled
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansModel {
    pub k: usize,
    pub n_cols: usize,
    /// k × n_cols, row-major.
    pub centroids: Vec<f64>,
    /// Nearest centroid of every training row (ties go to the lower index).
    pub labels: Vec<usize>,
    /// Sum of squared distances of the rows to their centroid (scikit-learn's `inertia_`).
    pub inertia: f64,
    /// Lloyd iterations of the winning run.
    pub n_iter: usize,
}

/// `KMeansParams` whose data-independent rules hold (see `ParamGuard::check`).
#[derive(Clone, Debug, PartialEq)]
pub struct KMeansValid(KMeansParams);

impl ParamGuard for KMeansParams {
    type Checked = KMeansValid;
    type Error = KMeansError;

    fn check(&self) -> Result<KMeansValid, KMeansError> {
        if self.n_init == 0 {
            return Err(KMeansError::ZeroNInit);
        }
        if self.max_iter == 0 {
            return Err(KMeansError::ZeroMaxIter);
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(KMeansError::BadTol(self.tol));
        }
        if self.k < 2 {
            return Err(KMeansError::KTooSmall(self.k));
        }
        Ok(KMeansValid(self.clone()))
    }
}

impl KMeansParams {
    /// The parameter rules, then the ones that depend on the row count.
    pub fn validate(&self, n_rows: usize) -> Result<KMeansValid, KMeansError> {
        let valid = self.check()?;
        valid.check_rows(n_rows)?;
        Ok(valid)
    }

    /// Clusters `data`. Checks `job` between iterations.
    pub fn fit(&self, data: Matrix<'_>, job: &JobControl) -> Result<KMeansModel, KMeansError> {
        self.fit_with_progress(data, job, &|f| job.set_progress(f))
    }

    /// `fit`, with progress in [0, 1] sent to `progress` instead of the job, so a caller
    /// running several fits (the k sweep) can map it into its own range.
    pub(crate) fn fit_with_progress(
        &self,
        data: Matrix<'_>,
        job: &JobControl,
        progress: &(dyn Fn(f64) + Sync),
    ) -> Result<KMeansModel, KMeansError> {
        // No rows is a data error, reported before the parameter rules (as it always was).
        if data.is_empty() {
            return Err(KMeansError::EmptyData);
        }
        self.check()?.fit_with_progress(data, job, progress)
    }

    /// `fit` without the swap search (see `KMeansValid::fit_plain`).
    pub(crate) fn fit_plain(
        &self,
        data: Matrix<'_>,
        job: &JobControl,
    ) -> Result<KMeansModel, KMeansError> {
        if data.is_empty() {
            return Err(KMeansError::EmptyData);
        }
        self.check()?.fit_plain(data, job)
    }
}

impl KMeansValid {
    /// The rules that depend on the row count.
    fn check_rows(&self, n_rows: usize) -> Result<(), KMeansError> {
        if n_rows == 0 {
            return Err(KMeansError::EmptyData);
        }
        if self.0.k > n_rows {
            return Err(KMeansError::KTooLarge {
                k: self.0.k,
                n_rows,
            });
        }
        Ok(())
    }

    /// Clusters `data`, sending progress in [0, 1] to `progress`.
    pub fn fit_with_progress(
        &self,
        data: Matrix<'_>,
        job: &JobControl,
        progress: &(dyn Fn(f64) + Sync),
    ) -> Result<KMeansModel, KMeansError> {
        self.fit_inner(data, job, progress, true)
    }

    /// k-means++ and Lloyd only, without the swap search: a bootstrap refit measures how
    /// stable the plain algorithm's answer is, at a fraction of the cost.
    pub(crate) fn fit_plain(
        &self,
        data: Matrix<'_>,
        job: &JobControl,
    ) -> Result<KMeansModel, KMeansError> {
        self.fit_inner(data, job, &|_| {}, false)
    }

    fn fit_inner(
        &self,
        data: Matrix<'_>,
        job: &JobControl,
        progress: &(dyn Fn(f64) + Sync),
        swaps: bool,
    ) -> Result<KMeansModel, KMeansError> {
        self.check_rows(data.n_rows())?;
        let p = &self.0;
        let tol_abs = p.tol * mean_variance(data);
        let mut best: Option<KMeansModel> = None;
        for run in 0..p.n_init {
            job.check()?;
            let mut rng = Rng::stream(p.seed, run as u64);
            let report = |f: f64| progress((run as f64 + f) / p.n_init as f64);
            let model = if data.n_rows() <= SAMPLE_SEEDING_ROWS {
                let start = kmeans_pp(data, p.k, &mut rng, job)?;
                let model = lloyd(data, start, p.max_iter, tol_abs, job, &report)?;
                if swaps {
                    swap_search(data, model, p.k, p.max_iter, tol_abs, &mut rng, job)?
                } else {
                    model
                }
            } else {
                let centers = seed_centers(data, p.k, tol_abs, &mut rng, job)?;
                lloyd(data, centers, p.max_iter, tol_abs, job, &report)?
            };
            // Strictly lower, so ties keep the earlier run.
            let better = match &best {
                Some(b) => model.inertia < b.inertia,
                None => true,
            };
            if better {
                best = Some(model);
            }
        }
        progress(1.0);
        Ok(best.expect("n_init >= 1 was checked"))
    }
}

impl KMeansParams {
    /// Lloyd from the given centres (their count is k): the sweep refits a k whose own fit is
    /// worse than k−1's from k−1's centroids plus one more.
    pub(crate) fn fit_from(
        &self,
        data: Matrix<'_>,
        centers: Vec<f64>,
        job: &JobControl,
    ) -> Result<KMeansModel, KMeansError> {
        let tol_abs = self.tol * mean_variance(data);
        Ok(lloyd(data, centers, self.max_iter, tol_abs, job, &|_| {})?)
    }
}

impl KMeansModel {
    /// This model's centroids plus the row farthest from its own centroid (ties: the first
    /// such row): a start for k + 1 whose first assignment already has no more inertia.
    pub(crate) fn split_farthest(&self, data: Matrix<'_>) -> Vec<f64> {
        let c = Matrix::trusted(&self.centroids, self.n_cols);
        let far = (0..data.n_rows())
            .into_par_iter()
            .map(|i| (sqdist(data.row(i), c.row(self.labels[i])), i))
            .reduce(
                || (f64::NEG_INFINITY, usize::MAX),
                |a, b| {
                    if b.0 > a.0 || (b.0 == a.0 && b.1 < a.1) {
                        b
                    } else {
                        a
                    }
                },
            );
        let mut centers = self.centroids.clone();
        centers.extend_from_slice(data.row(far.1));
        centers
    }

    /// Nearest centroid for each row of `data` (ties go to the lower index). Panics if `data`
    /// has another column count than the model.
    pub fn predict(&self, data: Matrix<'_>) -> Vec<usize> {
        assert_eq!(data.n_cols(), self.n_cols, "predict: column count");
        distance::assign(data, Matrix::trusted(&self.centroids, self.n_cols))
    }
}

/// Runs `f(start, end)` over fixed row chunks in parallel; results come back in chunk order.
fn chunked<T: Send>(n: usize, f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| f(c * CHUNK, n.min((c + 1) * CHUNK)))
        .collect()
}

/// Starting centres for one run on large data: several greedy k-means++ seedings are each
/// refined by Lloyd on a seeded row sample, the one with the lowest sample inertia is kept and
/// swap-searched there: for a few milliseconds this avoids most poor local optima that a single
/// seeding of 1M rows falls into, and the full-data Lloyd then starts close to convergence and
/// needs fewer passes.
fn seed_centers(
    data: Matrix<'_>,
    k: usize,
    tol_abs: f64,
    rng: &mut Rng,
    job: &JobControl,
) -> Result<Vec<f64>, Cancelled> {
    let n = data.n_rows();
    let size = SEED_SAMPLE.max(100 * k).min(n);
    // Sorted indices: the gather reads memory forwards.
    let sample = data.gather(&rng.sample_indices(n, size));
    let sample = Matrix::trusted(&sample, data.n_cols());
    let mut best: Option<KMeansModel> = None;
    for _ in 0..SEED_CANDIDATES {
        let start = kmeans_pp(sample, k, rng, job)?;
        let model = lloyd(sample, start, 100, tol_abs, job, &|_| {})?;
        if best.as_ref().is_none_or(|b| model.inertia < b.inertia) {
            best = Some(model);
        }
    }
    let best = best.expect("at least one candidate");
    // Fewer swaps than on small data: the sample's Lloyd runs are the cost that grows here.
    Ok(swap_search(sample, best, local_trials(k), 100, tol_abs, rng, job)?.centroids)
}

fn lloyd(
    data: Matrix<'_>,
    mut centers: Vec<f64>,
    max_iter: usize,
    tol_abs: f64,
    job: &JobControl,
    progress: &dyn Fn(f64),
) -> Result<KMeansModel, Cancelled> {
    let (n, d) = (data.n_rows(), data.n_cols());
    let k = centers.len() / d;
    let mut b = Bounds::new(n);
    let mut drift = Drift::new(k);
    let mut st = assign(data, Matrix::trusted(&centers, d), &drift, &mut b, true);
    let mut n_iter = 0;
    for it in 0..max_iter {
        job.check()?;
        relocate_empty(data, Matrix::trusted(&centers, d), &mut st, &mut b);
        let mut new_centers = vec![0.0; k * d];
        for (j, c) in new_centers.chunks_exact_mut(d).enumerate() {
            let inv = 1.0 / st.counts[j] as f64;
            c.iter_mut()
                .zip(&st.sums[j * d..(j + 1) * d])
                .for_each(|(c, s)| *c = s * inv);
        }
        let shift: Vec<f64> = centers
            .chunks_exact(d)
            .zip(new_centers.chunks_exact(d))
            .map(|(old, new)| sqdist(old, new))
            .collect();
        let shift_tot: f64 = shift.iter().sum();
        centers = new_centers;
        if drift.epoch() >= REBASE {
            // Keeps `drift` small on very long runs, at the price of one full pass.
            b.forget();
            drift = Drift::new(k);
        }
        drift.push(&shift.into_iter().map(f64::sqrt).collect::<Vec<_>>());
        let delta = assign(data, Matrix::trusted(&centers, d), &drift, &mut b, false);
        st.changed = 0;
        st.add(&delta);
        n_iter = it + 1;
        // Iteration counts are unknown in advance; this saturates smoothly below 1.
        progress(1.0 - 1.0 / (1.0 + n_iter as f64 / 10.0));
        if st.changed == 0 || shift_tot <= tol_abs {
            break;
        }
    }
    let c = Matrix::trusted(&centers, d);
    let parts = chunked(n, |s, e| {
        (s..e)
            .map(|i| sqdist(data.row(i), c.row(b.labels[i] as usize)))
            .sum::<f64>()
    });
    Ok(KMeansModel {
        k,
        n_cols: d,
        centroids: centers,
        labels: b.labels.par_iter().map(|&l| l as usize).collect(),
        inertia: parts.iter().sum(),
        n_iter,
    })
}

#[cfg(test)]
mod tests;
