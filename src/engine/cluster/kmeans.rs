//! K-Means: greedy k-means++ seeding, then Lloyd iterations accelerated with distance bounds
//! (Hamerly's, with a second lower bound; see `assign`), so most rows skip the distance computations
//! once the centres settle.
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

use crate::engine::job::{Cancelled, JobControl};
use crate::engine::rng::Rng;

mod assign;
mod init;
use assign::{assign, relocate_empty, Bounds, Drift};
use init::{check_data, kmeans_pp, mean_variance};

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

impl KMeansParams {
    pub fn validate(&self, n_rows: usize) -> Result<(), KMeansError> {
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
        if n_rows == 0 {
            return Err(KMeansError::EmptyData);
        }
        if self.k > n_rows {
            return Err(KMeansError::KTooLarge { k: self.k, n_rows });
        }
        Ok(())
    }

    /// Clusters row-major `data` (n_rows × n_cols). Checks `job` between iterations.
    pub fn fit(
        &self,
        data: &[f64],
        n_cols: usize,
        job: &JobControl,
    ) -> Result<KMeansModel, KMeansError> {
        self.fit_with_progress(data, n_cols, job, &|f| job.set_progress(f))
    }

    /// `fit`, with progress in [0, 1] sent to `progress` instead of the job, so a caller
    /// running several fits (the k sweep) can map it into its own range.
    pub(crate) fn fit_with_progress(
        &self,
        data: &[f64],
        n_cols: usize,
        job: &JobControl,
        progress: &(dyn Fn(f64) + Sync),
    ) -> Result<KMeansModel, KMeansError> {
        let n = check_data(data, n_cols)?;
        self.validate(n)?;
        let tol_abs = self.tol * mean_variance(data, n_cols);
        let mut best: Option<KMeansModel> = None;
        for run in 0..self.n_init {
            job.check()?;
            let mut rng = Rng::stream(self.seed, run as u64);
            let centers = seed_centers(data, n_cols, self.k, tol_abs, &mut rng, job)?;
            let report = |f: f64| progress((run as f64 + f) / self.n_init as f64);
            let model = lloyd(data, n_cols, centers, self.max_iter, tol_abs, job, &report)?;
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
        Ok(best.expect("n_init >= 1 was validated"))
    }
}

impl KMeansModel {
    /// Nearest centroid for each row of `data` (row-major, `n_cols` columns; ties go to the
    /// lower index). Panics if `data.len()` is not a multiple of `n_cols`.
    pub fn predict(&self, data: &[f64]) -> Vec<usize> {
        let d = self.n_cols;
        assert!(
            d > 0 && data.len().is_multiple_of(d),
            "predict: data length {} is not a multiple of n_cols = {d}",
            data.len()
        );
        data.par_chunks(CHUNK * d)
            .flat_map_iter(|rows| {
                rows.chunks_exact(d)
                    .map(|x| nearest(x, &self.centroids, d).0)
            })
            .collect()
    }
}

fn row(data: &[f64], d: usize, i: usize) -> &[f64] {
    &data[i * d..(i + 1) * d]
}

/// Squared Euclidean distance, summed in column order (so every width gives the same bits as
/// the plain loop). Few columns are the common case; fixed widths unroll fully, which makes the
/// distance several times cheaper than the generic loop.
#[inline(always)]
pub(crate) fn sqdist(a: &[f64], b: &[f64]) -> f64 {
    match a.len() {
        2 => sqdist_n::<2>(a, b),
        3 => sqdist_n::<3>(a, b),
        4 => sqdist_n::<4>(a, b),
        5 => sqdist_n::<5>(a, b),
        6 => sqdist_n::<6>(a, b),
        7 => sqdist_n::<7>(a, b),
        8 => sqdist_n::<8>(a, b),
        _ => a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum(),
    }
}

#[inline(always)]
fn sqdist_n<const N: usize>(a: &[f64], b: &[f64]) -> f64 {
    let (a, b): (&[f64; N], &[f64; N]) = (a.try_into().unwrap(), b.try_into().unwrap());
    let mut s = -0.0;
    for c in 0..N {
        s += (a[c] - b[c]) * (a[c] - b[c]);
    }
    s
}

/// (index, squared distance) of the nearest centre; ties go to the lower index.
fn nearest(x: &[f64], centers: &[f64], d: usize) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (j, c) in centers.chunks_exact(d).enumerate() {
        let dd = sqdist(x, c);
        if dd < best.1 {
            best = (j, dd);
        }
    }
    best
}

/// Runs `f(start, end)` over fixed row chunks in parallel; results come back in chunk order.
fn chunked<T: Send>(n: usize, f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| f(c * CHUNK, n.min((c + 1) * CHUNK)))
        .collect()
}

/// Starting centres for one run. On large data, several greedy k-means++ seedings are each
/// refined by Lloyd on a seeded row sample and the one with the lowest sample inertia is kept:
/// for a few milliseconds this avoids most poor local optima that a single seeding of 1M rows
/// falls into, and the full-data Lloyd then starts close to convergence and needs fewer passes.
fn seed_centers(
    data: &[f64],
    d: usize,
    k: usize,
    tol_abs: f64,
    rng: &mut Rng,
    job: &JobControl,
) -> Result<Vec<f64>, Cancelled> {
    let n = data.len() / d;
    if n <= SAMPLE_SEEDING_ROWS {
        return kmeans_pp(data, d, k, rng, job);
    }
    let size = SEED_SAMPLE.max(100 * k).min(n);
    // Sorted indices: the gather reads memory forwards.
    let rows = rng.sample_indices(n, size);
    let mut sample = Vec::with_capacity(size * d);
    for &i in &rows {
        sample.extend_from_slice(row(data, d, i));
    }
    let mut best: Option<KMeansModel> = None;
    for _ in 0..SEED_CANDIDATES {
        let start = kmeans_pp(&sample, d, k, rng, job)?;
        let model = lloyd(&sample, d, start, 100, tol_abs, job, &|_| {})?;
        if best.as_ref().is_none_or(|b| model.inertia < b.inertia) {
            best = Some(model);
        }
    }
    Ok(best.expect("at least one candidate").centroids)
}

fn lloyd(
    data: &[f64],
    d: usize,
    mut centers: Vec<f64>,
    max_iter: usize,
    tol_abs: f64,
    job: &JobControl,
    progress: &dyn Fn(f64),
) -> Result<KMeansModel, Cancelled> {
    let n = data.len() / d;
    let k = centers.len() / d;
    let mut b = Bounds::new(n);
    let mut drift = Drift::new(k);
    let mut st = assign(data, d, &centers, &drift, &mut b, true);
    let mut n_iter = 0;
    for it in 0..max_iter {
        job.check()?;
        relocate_empty(data, d, &centers, &mut st, &mut b);
        let mut new_centers = vec![0.0; k * d];
        for (j, c) in new_centers.chunks_exact_mut(d).enumerate() {
            let inv = 1.0 / st.counts[j] as f64;
            c.iter_mut()
                .zip(&st.sums[j * d..(j + 1) * d])
                .for_each(|(c, s)| *c = s * inv);
        }
        let shift: Vec<f64> = (0..k)
            .map(|j| sqdist(row(&centers, d, j), row(&new_centers, d, j)))
            .collect();
        let shift_tot: f64 = shift.iter().sum();
        centers = new_centers;
        if drift.epoch() >= REBASE {
            // Keeps `drift` small on very long runs, at the price of one full pass.
            b.forget();
            drift = Drift::new(k);
        }
        drift.push(&shift.into_iter().map(f64::sqrt).collect::<Vec<_>>());
        let delta = assign(data, d, &centers, &drift, &mut b, false);
        st.changed = 0;
        st.add(&delta);
        n_iter = it + 1;
        // Iteration counts are unknown in advance; this saturates smoothly below 1.
        progress(1.0 - 1.0 / (1.0 + n_iter as f64 / 10.0));
        if st.changed == 0 || shift_tot <= tol_abs {
            break;
        }
    }
    let parts = chunked(n, |s, e| {
        (s..e)
            .map(|i| sqdist(row(data, d, i), row(&centers, d, b.labels[i] as usize)))
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
