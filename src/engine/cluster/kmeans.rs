//! K-Means: greedy k-means++ seeding, then Lloyd iterations accelerated with Hamerly's bounds
//! (one upper bound to the own centre and one lower bound to every other centre per row), so
//! most rows skip the distance computations once the centres settle.
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

mod init;
use init::{check_data, kmeans_pp, mean_variance};

/// Rows per parallel work item; fixed so that results do not depend on the thread count.
const CHUNK: usize = 4096;

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
            let centers = kmeans_pp(data, n_cols, self.k, &mut rng, job)?;
            let report = |f: f64| progress((run as f64 + f) / self.n_init as f64);
            let model = lloyd_hamerly(data, n_cols, centers, self.max_iter, tol_abs, job, &report)?;
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

#[inline(always)]
pub(crate) fn sqdist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
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

/// Per-cluster coordinate sums and counts. A full pass fills them; an incremental pass returns
/// only the moves (counts as wrapping deltas), so unchanged rows never touch their data.
struct Stats {
    sums: Vec<f64>,
    counts: Vec<usize>,
    changed: usize,
}

/// How far every centre moved in the last update (Euclidean), for the bound updates.
struct Shifts {
    shift: Vec<f64>,
    max1: f64,
    argmax: usize,
    max2: f64,
}

impl Shifts {
    fn new(shift: Vec<f64>) -> Self {
        let (mut max1, mut argmax, mut max2) = (0.0, 0, 0.0);
        for (j, &s) in shift.iter().enumerate() {
            if s > max1 {
                (max2, max1, argmax) = (max1, s, j);
            } else if s > max2 {
                max2 = s;
            }
        }
        Shifts {
            shift,
            max1,
            argmax,
            max2,
        }
    }
}

struct Bounds {
    labels: Vec<u32>,
    /// Upper bound on the distance to the own centre.
    upper: Vec<f64>,
    /// Lower bound on the distance to every other centre.
    lower: Vec<f64>,
}

/// One Hamerly assignment pass: first moves the bounds by the centre shifts, then re-checks a
/// row only when its upper bound exceeds max(lower bound, half the gap to the nearest other
/// centre). Also accumulates the sums for the next centre update.
fn assign(
    data: &[f64],
    d: usize,
    centers: &[f64],
    shifts: &Shifts,
    b: &mut Bounds,
    full: bool,
) -> Stats {
    let k = centers.len() / d;
    // Half the distance from each centre to its nearest other centre.
    let half: Vec<f64> = (0..k)
        .map(|a| {
            let ca = row(centers, d, a);
            let m = (0..k)
                .filter(|&j| j != a)
                .map(|j| sqdist(ca, row(centers, d, j)))
                .fold(f64::INFINITY, f64::min);
            0.5 * m.sqrt()
        })
        .collect();
    let parts: Vec<Stats> = b
        .labels
        .par_chunks_mut(CHUNK)
        .zip(b.upper.par_chunks_mut(CHUNK))
        .zip(b.lower.par_chunks_mut(CHUNK))
        .enumerate()
        .map(|(ci, ((lab, up), lo))| {
            let mut st = Stats {
                sums: vec![0.0; k * d],
                counts: vec![0; k],
                changed: 0,
            };
            for j in 0..lab.len() {
                let x = row(data, d, ci * CHUNK + j);
                let mut a = lab[j] as usize;
                up[j] += shifts.shift[a];
                lo[j] -= if a == shifts.argmax {
                    shifts.max2
                } else {
                    shifts.max1
                };
                let m = half[a].max(lo[j]);
                if up[j] > m {
                    up[j] = sqdist(x, row(centers, d, a)).sqrt();
                    if up[j] > m {
                        let (mut b1, mut d1, mut d2) = (0, f64::INFINITY, f64::INFINITY);
                        for (cj, c) in centers.chunks_exact(d).enumerate() {
                            let dd = sqdist(x, c);
                            if dd < d1 {
                                (d2, d1, b1) = (d1, dd, cj);
                            } else if dd < d2 {
                                d2 = dd;
                            }
                        }
                        if b1 != a {
                            st.changed += 1;
                            if !full {
                                // Move the row's contribution; unchanged rows cost no data reads.
                                st.counts[a] = st.counts[a].wrapping_sub(1);
                                let s = &mut st.sums[a * d..(a + 1) * d];
                                s.iter_mut().zip(x).for_each(|(s, v)| *s -= v);
                                st.counts[b1] = st.counts[b1].wrapping_add(1);
                                let s = &mut st.sums[b1 * d..(b1 + 1) * d];
                                s.iter_mut().zip(x).for_each(|(s, v)| *s += v);
                            }
                            a = b1;
                            lab[j] = b1 as u32;
                        }
                        up[j] = d1.sqrt();
                        lo[j] = d2.sqrt();
                    }
                }
                if full {
                    st.counts[a] += 1;
                    let s = &mut st.sums[a * d..(a + 1) * d];
                    s.iter_mut().zip(x).for_each(|(s, v)| *s += v);
                }
            }
            st
        })
        .collect();
    let mut total = Stats {
        sums: vec![0.0; k * d],
        counts: vec![0; k],
        changed: 0,
    };
    for p in parts {
        total
            .sums
            .iter_mut()
            .zip(&p.sums)
            .for_each(|(t, v)| *t += v);
        total
            .counts
            .iter_mut()
            .zip(&p.counts)
            .for_each(|(t, v)| *t = t.wrapping_add(*v));
        total.changed += p.changed;
    }
    total
}

/// Gives every empty cluster the row farthest from its current centre (taken only from
/// clusters that keep at least one row), moving that row's contribution in `st`.
fn relocate_empty(data: &[f64], d: usize, centers: &[f64], st: &mut Stats, b: &mut Bounds) {
    let empty: Vec<usize> = (0..st.counts.len())
        .filter(|&j| st.counts[j] == 0)
        .collect();
    if empty.is_empty() {
        return;
    }
    let labels = &b.labels;
    let dist: Vec<f64> = (0..labels.len())
        .into_par_iter()
        .map(|i| sqdist(row(data, d, i), row(centers, d, labels[i] as usize)))
        .collect();
    let mut order: Vec<usize> = (0..dist.len()).collect();
    // Farthest first; ties by index keep this deterministic.
    order.par_sort_unstable_by(|&p, &q| dist[q].total_cmp(&dist[p]).then(p.cmp(&q)));
    let mut donors = order.into_iter();
    for j in empty {
        // Pigeonhole: with k <= n rows there are always enough rows in clusters of size >= 2.
        let i = donors
            .by_ref()
            .find(|&i| st.counts[b.labels[i] as usize] > 1)
            .expect("k <= n_rows");
        let from = b.labels[i] as usize;
        let x = row(data, d, i);
        st.counts[from] -= 1;
        st.counts[j] += 1;
        for (c, v) in x.iter().enumerate() {
            st.sums[from * d + c] -= v;
            st.sums[j * d + c] = *v;
        }
        b.labels[i] = j as u32;
        // Unknown distances: force a full re-check of this row in the next pass.
        b.upper[i] = f64::INFINITY;
        b.lower[i] = 0.0;
    }
}

fn lloyd_hamerly(
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
    let mut b = Bounds {
        labels: vec![0; n],
        upper: vec![f64::INFINITY; n],
        lower: vec![0.0; n],
    };
    let mut st = assign(data, d, &centers, &Shifts::new(vec![0.0; k]), &mut b, true);
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
        let shifts = Shifts::new(shift.into_iter().map(f64::sqrt).collect());
        let delta = assign(data, d, &centers, &shifts, &mut b, false);
        st.sums
            .iter_mut()
            .zip(&delta.sums)
            .for_each(|(t, v)| *t += v);
        st.counts
            .iter_mut()
            .zip(&delta.counts)
            .for_each(|(t, v)| *t = t.wrapping_add(*v));
        st.changed = delta.changed;
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
