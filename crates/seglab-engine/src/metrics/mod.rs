//! Cluster-quality metrics on row-major data (`n_rows × n_cols`) and labels `0..k`.
//!
//! Conventions follow scikit-learn (a reference for behaviour only; values are checked against
//! it in the tests):
//! - Label ids that no row uses are ignored, as scikit-learn re-encodes labels; "clusters" below
//!   means non-empty clusters.
//! - `silhouette_*`, `davies_bouldin` and `calinski_harabasz` need 2 <= clusters <= n_rows - 1
//!   and return `MetricError::ClusterCount` otherwise (scikit-learn raises `ValueError`).
//! - Silhouette: a row alone in its cluster scores 0, and 0/0 (a = b = 0) scores 0.
//! - Davies–Bouldin: 0 when all intra-cluster spreads or all centroid distances are <= 1e-8
//!   (`np.allclose(.., 0)`); coincident centroids are treated as infinitely far apart.
//! - Calinski–Harabasz: 1 when the within-cluster dispersion is exactly 0.
//! - Dunn index (not in scikit-learn), defined here as
//!   `min distance between two rows of different clusters / max distance between two rows of the
//!   same cluster`; Euclidean distances. Singleton clusters have diameter 0; if every diameter is
//!   0 the index is undefined (`MetricError::ZeroDiameter`).
//!
//! The pairwise metrics (silhouette, Dunn) are exact and O(n²·d) and compute each pair once:
//! rows are processed in blocks, in parallel, against the rows from the block's start on.
//! Silhouette sums are accumulated in an order fixed by the input alone (see `silhouette.rs`),
//! and Dunn takes minima and maxima, so results do not depend on the thread count.

use rayon::prelude::*;

use crate::distance::sqdist;
use crate::matrix::Matrix;
use crate::rng::Rng;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    #[error("data length {len} does not match {n_rows} labels × {n_cols} columns")]
    Shape {
        len: usize,
        n_rows: usize,
        n_cols: usize,
    },
    #[error("need 2 <= clusters <= rows - 1, found {n_clusters} clusters in {n_rows} rows")]
    ClusterCount { n_clusters: usize, n_rows: usize },
    #[error("label arrays differ in length ({0} vs {1})")]
    LengthMismatch(usize, usize),
    #[error("every cluster has zero diameter; the Dunn index is undefined")]
    ZeroDiameter,
}

/// A score computed on a (possibly) sampled subset of rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampledScore {
    pub score: f64,
    /// Rows actually used (all rows when no sample was requested or it was not smaller).
    pub sample_size: usize,
}

/// Rows per block in the pairwise kernels; a multiple of the SIMD width.
const BLOCK: usize = 32;
/// Rows per chunk for the O(n) passes (fixed, so sums do not depend on the thread count).
const CHUNK: usize = 8192;

/// One label per row.
fn check_shape(data: Matrix<'_>, labels: &[usize]) -> Result<(), MetricError> {
    let n_cols = data.n_cols();
    if n_cols == 0 || data.n_rows() != labels.len() {
        return Err(MetricError::Shape {
            len: data.data().len(),
            n_rows: labels.len(),
            n_cols,
        });
    }
    Ok(())
}

/// Rows per label id (`max + 1` entries) and the number of non-empty clusters.
fn counts(labels: &[usize]) -> (Vec<usize>, usize) {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut c = vec![0usize; k];
    labels.iter().for_each(|&l| c[l] += 1);
    let n_clusters = c.iter().filter(|&&v| v > 0).count();
    (c, n_clusters)
}

/// Shape check plus scikit-learn's `check_number_of_labels`; returns the per-label counts.
fn check_labelled(data: Matrix<'_>, labels: &[usize]) -> Result<Vec<usize>, MetricError> {
    check_shape(data, labels)?;
    let (c, n_clusters) = counts(labels);
    if n_clusters < 2 || n_clusters >= labels.len() {
        return Err(MetricError::ClusterCount {
            n_clusters,
            n_rows: labels.len(),
        });
    }
    Ok(c)
}

/// Per-label means (k × d) for the label counts `c`; empty labels get zeros.
fn means(data: Matrix<'_>, labels: &[usize], c: &[usize]) -> Vec<f64> {
    let (k, d) = (c.len(), data.n_cols());
    let parts: Vec<Vec<f64>> = data
        .data()
        .par_chunks(CHUNK * d)
        .zip(labels.par_chunks(CHUNK))
        .map(|(rows, labs)| {
            let mut s = vec![0.0; k * d];
            for (x, &l) in rows.chunks_exact(d).zip(labs) {
                s[l * d..(l + 1) * d]
                    .iter_mut()
                    .zip(x)
                    .for_each(|(s, v)| *s += v);
            }
            s
        })
        .collect();
    let mut m = vec![0.0; k * d];
    for p in parts {
        m.iter_mut().zip(p).for_each(|(m, v)| *m += v);
    }
    for (l, &n) in c.iter().enumerate() {
        if n > 0 {
            m[l * d..(l + 1) * d]
                .iter_mut()
                .for_each(|v| *v /= n as f64);
        }
    }
    m
}

/// Sum over rows of `f(row, label)`, in fixed chunk order.
fn row_sum(data: Matrix<'_>, labels: &[usize], f: impl Fn(&[f64], usize) -> f64 + Sync) -> f64 {
    let d = data.n_cols();
    let parts: Vec<f64> = data
        .data()
        .par_chunks(CHUNK * d)
        .zip(labels.par_chunks(CHUNK))
        .map(|(rows, labs)| rows.chunks_exact(d).zip(labs).map(|(x, &l)| f(x, l)).sum())
        .collect();
    parts.iter().sum()
}

/// Sum of squared distances of the rows to their cluster mean (valid for any cluster count).
pub fn inertia(data: Matrix<'_>, labels: &[usize]) -> Result<f64, MetricError> {
    check_shape(data, labels)?;
    let d = data.n_cols();
    let m = means(data, labels, &counts(labels).0);
    Ok(row_sum(data, labels, |x, l| {
        sqdist(x, &m[l * d..(l + 1) * d])
    }))
}

/// Defines `$fast`, which runs the `#[inline(always)]` block kernel `$f` through a copy compiled
/// for AVX2 when the CPU has it (4-wide instead of 2-wide). Only AVX2, no FMA: the operations
/// and their rounding are identical to the baseline copy, so results do not depend on the CPU.
macro_rules! avx2_dispatch {
    ($fast:ident, $wide:ident, $f:ident($($a:ident: $t:ty),*) -> $r:ty) => {
        fn $fast($($a: $t),*) -> $r {
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                return unsafe { $wide($($a),*) };
            }
            $f($($a),*)
        }
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn $wide($($a: $t),*) -> $r {
            $f($($a),*)
        }
    };
}

mod silhouette;

avx2_dispatch!(dunn_block_fast, dunn_block_avx2,
    dunn_block(data: Matrix<'_>, labels: &[usize], i0: usize) -> (f64, f64));

/// Calls `visit(j, dist)` for every row `j >= i0` (pairs with earlier rows are visited by the
/// earlier blocks), where `dist[i]` is the squared distance between row `j` and row `i0 + i` of
/// the block (`dist` has `BLOCK` entries; the tail past the data is padding). The block is
/// stored transposed so the inner loop vectorises over its rows.
#[inline(always)]
fn for_each_pair(data: Matrix<'_>, i0: usize, mut visit: impl FnMut(usize, &[f64; BLOCK])) {
    let (n, d) = (data.n_rows(), data.n_cols());
    let mut xt = vec![0.0; d * BLOCK];
    for i in 0..BLOCK.min(n - i0) {
        for (f, &v) in data.row(i0 + i).iter().enumerate() {
            xt[f * BLOCK + i] = v;
        }
    }
    for (j, xj) in data.slice(i0, n).rows().enumerate() {
        let mut dist = [0.0; BLOCK];
        for (f, &v) in xj.iter().enumerate() {
            let col: &[f64; BLOCK] = xt[f * BLOCK..(f + 1) * BLOCK].try_into().unwrap();
            for i in 0..BLOCK {
                let t = col[i] - v;
                dist[i] += t * t;
            }
        }
        visit(i0 + j, &dist);
    }
}

/// Exact per-row silhouette coefficients (scikit-learn's `silhouette_samples`).
pub fn silhouette_samples(data: Matrix<'_>, labels: &[usize]) -> Result<Vec<f64>, MetricError> {
    let c = check_labelled(data, labels)?;
    Ok(silhouette::samples(data, labels, &c, false))
}

/// Mean silhouette coefficient over all rows (exact).
pub fn silhouette_score(data: Matrix<'_>, labels: &[usize]) -> Result<f64, MetricError> {
    let s = silhouette_samples(data, labels)?;
    Ok(s.iter().sum::<f64>() / s.len() as f64)
}

/// Sorted row indices of a seeded sample of `size` rows out of `n` (all rows if `size >= n`).
/// The sweep uses the same sample for silhouette and Dunn.
pub fn sample_indices(n: usize, size: usize, seed: u64) -> Vec<usize> {
    if size >= n {
        (0..n).collect()
    } else {
        Rng::new(seed).sample_indices(n, size)
    }
}

/// Copies the given rows of `data` and their labels.
pub fn take_rows(data: Matrix<'_>, labels: &[usize], idx: &[usize]) -> (Vec<f64>, Vec<usize>) {
    (data.gather(idx), idx.iter().map(|&i| labels[i]).collect())
}

/// Silhouette score, exact (`sample = None`) or on a seeded sample of `(size, seed)` rows, like
/// scikit-learn's `sample_size`/`random_state` (clusters are those present in the sample).
pub fn silhouette_score_sampled(
    data: Matrix<'_>,
    labels: &[usize],
    sample: Option<(usize, u64)>,
) -> Result<SampledScore, MetricError> {
    check_shape(data, labels)?;
    match sample {
        Some((size, seed)) if size < labels.len() => {
            let idx = sample_indices(labels.len(), size, seed);
            let (rows, labs) = take_rows(data, labels, &idx);
            Ok(SampledScore {
                score: silhouette_score(Matrix::trusted(&rows, data.n_cols()), &labs)?,
                sample_size: size,
            })
        }
        _ => Ok(SampledScore {
            score: silhouette_score(data, labels)?,
            sample_size: labels.len(),
        }),
    }
}

/// Davies–Bouldin index (lower is better), scikit-learn's `davies_bouldin_score`.
pub fn davies_bouldin(data: Matrix<'_>, labels: &[usize]) -> Result<f64, MetricError> {
    let c = check_labelled(data, labels)?;
    let d = data.n_cols();
    let m = means(data, labels, &c);
    let live: Vec<usize> = (0..c.len()).filter(|&l| c[l] > 0).collect();
    let mut spread = vec![0.0; c.len()];
    let per_chunk: Vec<Vec<f64>> = data
        .data()
        .par_chunks(CHUNK * d)
        .zip(labels.par_chunks(CHUNK))
        .map(|(rows, labs)| {
            let mut s = vec![0.0; c.len()];
            for (x, &l) in rows.chunks_exact(d).zip(labs) {
                s[l] += sqdist(x, &m[l * d..(l + 1) * d]).sqrt();
            }
            s
        })
        .collect();
    for p in per_chunk {
        spread.iter_mut().zip(p).for_each(|(s, v)| *s += v);
    }
    for &l in &live {
        spread[l] /= c[l] as f64;
    }
    let cdist = |a: usize, b: usize| sqdist(&m[a * d..(a + 1) * d], &m[b * d..(b + 1) * d]).sqrt();
    let all_spread_zero = live.iter().all(|&l| spread[l].abs() <= 1e-8);
    let all_cdist_zero = live
        .iter()
        .all(|&a| live.iter().all(|&b| cdist(a, b) <= 1e-8));
    if all_spread_zero || all_cdist_zero {
        return Ok(0.0);
    }
    let total: f64 = live
        .iter()
        .map(|&a| {
            live.iter()
                .filter(|&&b| b != a)
                .map(|&b| match cdist(a, b) {
                    0.0 => 0.0,
                    cd => (spread[a] + spread[b]) / cd,
                })
                .fold(0.0, f64::max)
        })
        .sum();
    Ok(total / live.len() as f64)
}

/// Calinski–Harabasz index (higher is better), scikit-learn's `calinski_harabasz_score`.
pub fn calinski_harabasz(data: Matrix<'_>, labels: &[usize]) -> Result<f64, MetricError> {
    let c = check_labelled(data, labels)?;
    let (d, n) = (data.n_cols(), labels.len());
    let m = means(data, labels, &c);
    let zeros = vec![0usize; n];
    let overall = means(data, &zeros, &[n]);
    let k = c.iter().filter(|&&v| v > 0).count();
    let extra: f64 = (0..c.len())
        .map(|l| c[l] as f64 * sqdist(&m[l * d..(l + 1) * d], &overall))
        .sum();
    let intra = row_sum(data, labels, |x, l| sqdist(x, &m[l * d..(l + 1) * d]));
    if intra == 0.0 {
        return Ok(1.0);
    }
    Ok(extra * (n - k) as f64 / (intra * (k - 1) as f64))
}

/// Dunn index (higher is better); see the module docs for the definition. Exact, O(n²·d).
pub fn dunn(data: Matrix<'_>, labels: &[usize]) -> Result<f64, MetricError> {
    check_shape(data, labels)?;
    let (_, n_clusters) = counts(labels);
    let n = labels.len();
    if n_clusters < 2 {
        return Err(MetricError::ClusterCount {
            n_clusters,
            n_rows: n,
        });
    }
    // Per block: (min squared distance to another cluster, max squared distance within one).
    let parts: Vec<(f64, f64)> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| dunn_block_fast(data, labels, b * BLOCK))
        .collect();
    let inter = parts.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let diam = parts.iter().map(|p| p.1).fold(0.0, f64::max);
    if diam == 0.0 {
        return Err(MetricError::ZeroDiameter);
    }
    Ok((inter / diam).sqrt())
}

/// Min squared distance to another cluster and max squared distance within the own cluster,
/// over the rows `i0..i0 + BLOCK` (clipped to the data).
#[inline(always)]
fn dunn_block(data: Matrix<'_>, labels: &[usize], i0: usize) -> (f64, f64) {
    let rows = BLOCK.min(labels.len() - i0);
    let mut own = [usize::MAX; BLOCK];
    own[..rows].copy_from_slice(&labels[i0..i0 + rows]);
    let mut inter = [f64::INFINITY; BLOCK];
    let mut intra = [0.0f64; BLOCK];
    for_each_pair(data, i0, |j, dist| {
        let lj = labels[j];
        for i in 0..BLOCK {
            if own[i] == lj {
                intra[i] = intra[i].max(dist[i]);
            } else {
                inter[i] = inter[i].min(dist[i]);
            }
        }
    });
    let lo = inter[..rows].iter().copied().fold(f64::INFINITY, f64::min);
    let hi = intra[..rows].iter().copied().fold(0.0, f64::max);
    (lo, hi)
}

/// Adjusted Rand index between two labelings (scikit-learn's `adjusted_rand_score`): 1 for
/// identical partitions (also when both are trivial), about 0 for independent ones. Pair counts
/// are exact integers.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> Result<f64, MetricError> {
    if a.len() != b.len() {
        return Err(MetricError::LengthMismatch(a.len(), b.len()));
    }
    let n = a.len() as i128;
    let mut pairs: Vec<(usize, usize)> = a.iter().copied().zip(b.iter().copied()).collect();
    pairs.sort_unstable();
    // Σ over contingency cells of n_ij², and the row/column marginals.
    let mut sum_sq: i128 = 0;
    for g in pairs.chunk_by(|p, q| p == q) {
        sum_sq += (g.len() as i128).pow(2);
    }
    let marg_sq = |mut v: Vec<usize>| -> i128 {
        v.sort_unstable();
        v.chunk_by(|p, q| p == q)
            .map(|g| (g.len() as i128).pow(2))
            .sum()
    };
    let sa = marg_sq(a.to_vec());
    let sb = marg_sq(b.to_vec());
    // Pair confusion matrix, as in scikit-learn's `pair_confusion_matrix`.
    let tp = sum_sq - n;
    let fp = sb - sum_sq;
    let fnn = sa - sum_sq;
    let tn = n * n - fp - fnn - sum_sq;
    if fnn == 0 && fp == 0 {
        return Ok(1.0);
    }
    let num = 2.0 * ((tp * tn - fnn * fp) as f64);
    let den = ((tp + fnn) * (fnn + tn) + (tp + fp) * (fp + tn)) as f64;
    Ok(num / den)
}

#[cfg(test)]
mod tests;
