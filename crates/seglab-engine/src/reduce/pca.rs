//! Principal component analysis through the covariance matrix, or the Gram matrix when the
//! table is wider than it is long.
//!
//! Segmentation data has few columns (≤ ~100) and possibly millions of rows, so
//! one parallel pass builds the `n_cols × n_cols` covariance and a cyclic Jacobi
//! eigen-solver finishes the job; no SVD of the full data is needed. A wide table
//! (more columns than rows) shares its non-zero eigenvalues with the `n_rows × n_rows`
//! Gram matrix of the centred rows, so nothing of size `n_cols²` is ever allocated.
//! Either matrix is at most `MAX_PCA_DIM` wide; beyond that PCA is refused (Jacobi is
//! cubic). Variances use the `n - 1` denominator and component signs follow scikit-learn's
//! `svd_flip` (largest-|value| entry positive), so numbers match `PCA().fit(X)`.

use rayon::prelude::*;

use crate::matrix::{Matrix, MatrixError};
use crate::params::ParamGuard;
use serde::{Deserialize, Serialize};

/// How many components to keep.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Keep {
    /// Exactly this many (1..=n_cols).
    Count(usize),
    /// The fewest components whose cumulative explained-variance ratio reaches
    /// this fraction, in (0, 1].
    Variance(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PcaParams {
    pub keep: Keep,
}

impl Default for PcaParams {
    fn default() -> Self {
        PcaParams {
            keep: Keep::Variance(0.9),
        }
    }
}

/// The widest covariance or Gram matrix PCA builds: `min(n_rows, n_cols)` may not exceed it.
pub const MAX_PCA_DIM: usize = 500;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PcaError {
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    #[error("PCA needs at least 2 rows, got {0}")]
    TooFewRows(usize),
    #[error("must keep at least one component")]
    ZeroComponents,
    #[error("cannot keep {count} components of {n_cols} columns")]
    BadCount { count: usize, n_cols: usize },
    #[error("variance fraction must be in (0, 1], got {0}")]
    BadFraction(f64),
    #[error(
        "PCA of {n_rows} rows × {n_cols} columns is beyond seglab's bound: the smaller of the two \
         may be at most {MAX_PCA_DIM}"
    )]
    TooLarge { n_rows: usize, n_cols: usize },
    #[error("cannot keep {count} components of {n_rows} rows (there are more columns than rows)")]
    CountBeyondRows { count: usize, n_rows: usize },
}

/// A fitted PCA. `components` is row-major `n_kept × n_cols`; the variance
/// vectors cover ALL `n_cols` components (for the scree plot), largest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PcaModel {
    pub mean: Vec<f64>,
    pub components: Vec<f64>,
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
    pub n_kept: usize,
}

/// `PcaParams` whose rules hold.
#[derive(Clone, Debug, PartialEq)]
pub struct PcaValid(PcaParams);

impl ParamGuard for PcaParams {
    type Checked = PcaValid;
    type Error = PcaError;

    fn check(&self) -> Result<PcaValid, PcaError> {
        match self.keep {
            Keep::Count(0) => Err(PcaError::ZeroComponents),
            Keep::Variance(f) if !(f > 0.0 && f <= 1.0) => Err(PcaError::BadFraction(f)),
            _ => Ok(PcaValid(self.clone())),
        }
    }
}

impl PcaParams {
    pub fn fit(&self, data: Matrix<'_>) -> Result<PcaModel, PcaError> {
        self.check()?.fit(data)
    }
}

impl PcaValid {
    pub fn fit(&self, m: Matrix<'_>) -> Result<PcaModel, PcaError> {
        let (n_rows, n_cols) = (m.n_rows(), m.n_cols());
        if n_rows < 2 {
            return Err(PcaError::TooFewRows(n_rows));
        }
        if let Keep::Count(count) = self.0.keep {
            if count > n_cols {
                return Err(PcaError::BadCount { count, n_cols });
            }
        }

        let dim = n_rows.min(n_cols);
        if dim > MAX_PCA_DIM {
            return Err(PcaError::TooLarge { n_rows, n_cols });
        }
        let mean = column_means(m);
        let eigen = if n_cols <= n_rows {
            Eigen::of_covariance(m, &mean)
        } else {
            if let Keep::Count(count) = self.0.keep {
                if count > n_rows {
                    return Err(PcaError::CountBeyondRows { count, n_rows });
                }
            }
            Eigen::of_gram(m, &mean)
        };
        let explained_variance = eigen.variances(n_cols);
        let total: f64 = explained_variance.iter().sum();
        let explained_variance_ratio: Vec<f64> = explained_variance
            .iter()
            .map(|v| if total > 0.0 { v / total } else { 0.0 })
            .collect();

        let n_kept = match self.0.keep {
            Keep::Count(c) => c,
            Keep::Variance(f) => {
                let mut cum = 0.0;
                // Without any variance every component is as good as none: keep them all.
                let mut k = dim;
                for (i, r) in explained_variance_ratio.iter().enumerate() {
                    cum += r;
                    // Small slack so `Variance(1.0)` is not defeated by rounding.
                    if cum >= f - 1e-12 {
                        k = i + 1;
                        break;
                    }
                }
                k
            }
        };

        let mut components: Vec<f64> = Vec::with_capacity(n_kept * n_cols);
        for i in 0..n_kept {
            let mut v = eigen.component(i, m, &mean, &components);
            let mut big = 0;
            for j in 1..n_cols {
                if v[j].abs() > v[big].abs() {
                    big = j;
                }
            }
            if v[big] < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            components.extend_from_slice(&v);
        }

        Ok(PcaModel {
            mean,
            components,
            explained_variance,
            explained_variance_ratio,
            n_kept,
        })
    }
}

impl PcaModel {
    pub fn n_cols(&self) -> usize {
        self.mean.len()
    }

    /// Projects rows onto the kept components: row-major `n_rows × n_kept`.
    ///
    /// # Panics
    /// If `data.len()` is not a multiple of the fitted column count.
    pub fn transform(&self, data: &[f64]) -> Vec<f64> {
        let d = self.n_cols();
        assert!(
            d > 0 && data.len().is_multiple_of(d),
            "PcaModel::transform: data length {} is not a multiple of {d}",
            data.len()
        );
        let k = self.n_kept;
        let mut out = vec![0.0; data.len() / d * k];
        if k == 0 {
            return out;
        }
        out.par_chunks_mut(k)
            .zip(data.par_chunks(d))
            .for_each(|(o, row)| {
                for (c, slot) in o.iter_mut().enumerate() {
                    let comp = &self.components[c * d..(c + 1) * d];
                    *slot = row
                        .iter()
                        .zip(&self.mean)
                        .zip(comp)
                        .map(|((x, m), w)| (x - m) * w)
                        .sum();
                }
            });
        out
    }

    /// Loadings `n_kept × n_cols`: each component scaled by the standard
    /// deviation it explains, i.e. the covariance between a column and the
    /// component score (the correlation when the input was standardised).
    pub fn loadings(&self) -> Vec<f64> {
        let d = self.n_cols();
        let mut out = self.components.clone();
        for (c, row) in out.chunks_mut(d.max(1)).enumerate() {
            let s = self.explained_variance[c].sqrt();
            row.iter_mut().for_each(|x| *x *= s);
        }
        out
    }
}

/// Eigenvalues (largest first) of the covariance or the Gram matrix, and how to turn them into
/// unit components of length `n_cols`.
struct Eigen {
    /// Eigenvalues, largest first, clamped at zero (round-off can make zeros slightly negative).
    values: Vec<f64>,
    /// Eigenvectors as the columns of a `size × size` matrix, in `values` order.
    vectors: Vec<f64>,
    size: usize,
    /// Whether the vectors are of the Gram matrix (rows) rather than the covariance (columns).
    gram: bool,
}

impl Eigen {
    fn sorted(values: Vec<f64>, vectors: Vec<f64>, size: usize, gram: bool) -> Eigen {
        let mut order: Vec<usize> = (0..size).collect();
        order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let mut sorted = vec![0.0; size * size];
        for (to, &from) in order.iter().enumerate() {
            for r in 0..size {
                sorted[r * size + to] = vectors[r * size + from];
            }
        }
        Eigen {
            values: order.iter().map(|&k| values[k].max(0.0)).collect(),
            vectors: sorted,
            size,
            gram,
        }
    }

    fn of_covariance(data: Matrix<'_>, mean: &[f64]) -> Eigen {
        let n_cols = data.n_cols();
        let (values, vectors) = jacobi_eigen(covariance(data, mean), n_cols);
        Eigen::sorted(values, vectors, n_cols, false)
    }

    /// `G = X̃ X̃ᵀ / (n - 1)` of the centred rows `X̃`: if `G u = λ u` then `C (X̃ᵀ u) = λ X̃ᵀ u`.
    fn of_gram(data: Matrix<'_>, mean: &[f64]) -> Eigen {
        let n = data.n_rows();
        let denom = (n - 1) as f64;
        let rows: Vec<&[f64]> = data.rows().collect();
        let upper: Vec<Vec<f64>> = (0..n)
            .into_par_iter()
            .map(|i| {
                (i..n)
                    .map(|k| {
                        rows[i]
                            .iter()
                            .zip(rows[k])
                            .zip(mean)
                            .map(|((a, b), m)| (a - m) * (b - m))
                            .sum::<f64>()
                            / denom
                    })
                    .collect()
            })
            .collect();
        let mut g = vec![0.0; n * n];
        for (i, line) in upper.iter().enumerate() {
            for (off, v) in line.iter().enumerate() {
                g[i * n + i + off] = *v;
                g[(i + off) * n + i] = *v;
            }
        }
        let (values, vectors) = jacobi_eigen(g, n);
        Eigen::sorted(values, vectors, n, true)
    }

    /// All `n_cols` variances: the Gram matrix has at most `n_rows` non-zero ones.
    fn variances(&self, n_cols: usize) -> Vec<f64> {
        let mut v = self.values.clone();
        v.resize(n_cols, 0.0);
        v
    }

    /// Unit component `i` (sign not yet fixed); `earlier` holds components `0..i`, row-major.
    fn component(&self, i: usize, data: Matrix<'_>, mean: &[f64], earlier: &[f64]) -> Vec<f64> {
        let n_cols = data.n_cols();
        let column = |i: usize| (0..self.size).map(move |r| self.vectors[r * self.size + i]);
        if !self.gram {
            return column(i).collect();
        }
        let biggest = self.values.first().copied().unwrap_or(0.0);
        if i < self.size && self.values[i] > biggest * 1e-12 && self.values[i] > 0.0 {
            let mut v = vec![0.0; n_cols];
            for (u, row) in column(i).zip(data.rows()) {
                v.iter_mut()
                    .zip(row.iter().zip(mean))
                    .for_each(|(vj, (x, m))| *vj += u * (x - m));
            }
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            v.iter_mut().for_each(|x| *x /= norm);
            return v;
        }
        // A direction without variance: any unit vector orthogonal to the earlier ones will do
        // (scores along it are zero). Gram–Schmidt on the first axis that is not yet covered.
        for axis in 0..n_cols {
            let mut v = vec![0.0; n_cols];
            v[axis] = 1.0;
            for c in earlier.chunks(n_cols) {
                let dot = c[axis];
                v.iter_mut().zip(c).for_each(|(x, cj)| *x -= dot * cj);
            }
            let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.5 {
                v.iter_mut().for_each(|x| *x /= norm);
                return v;
            }
        }
        vec![0.0; n_cols]
    }
}

/// Rows per parallel task: big enough to amortise the per-task accumulator.
const CHUNK_ROWS: usize = 4096;

fn column_means(data: Matrix<'_>) -> Vec<f64> {
    let (n, d) = (data.n_rows() as f64, data.n_cols());
    let sums = data
        .data()
        .par_chunks(CHUNK_ROWS * d)
        .map(|chunk| {
            let mut s = vec![0.0; d];
            for row in chunk.chunks(d) {
                s.iter_mut().zip(row).for_each(|(a, x)| *a += x);
            }
            s
        })
        .reduce(|| vec![0.0; d], add_vecs);
    sums.into_iter().map(|s| s / n).collect()
}

/// Sample covariance (denominator n - 1) from centred values; two passes
/// (means first) avoid the cancellation of the one-pass formula.
fn covariance(data: Matrix<'_>, mean: &[f64]) -> Vec<f64> {
    let (n, d) = (data.n_rows(), data.n_cols());
    let upper = data
        .data()
        .par_chunks(CHUNK_ROWS * d)
        .map(|chunk| {
            let mut acc = vec![0.0; d * d];
            let mut c = vec![0.0; d];
            for row in chunk.chunks(d) {
                c.iter_mut()
                    .zip(row.iter().zip(mean))
                    .for_each(|(ci, (x, m))| *ci = x - m);
                for i in 0..d {
                    let ci = c[i];
                    let line = &mut acc[i * d..(i + 1) * d];
                    for j in i..d {
                        line[j] += ci * c[j];
                    }
                }
            }
            acc
        })
        .reduce(|| vec![0.0; d * d], add_vecs);
    let mut cov = upper;
    let denom = (n - 1) as f64;
    for i in 0..d {
        for j in i..d {
            let v = cov[i * d + j] / denom;
            cov[i * d + j] = v;
            cov[j * d + i] = v;
        }
    }
    cov
}

fn add_vecs(mut a: Vec<f64>, b: Vec<f64>) -> Vec<f64> {
    a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
    a
}

/// Cyclic Jacobi for a symmetric `n × n` matrix (row-major). Returns the
/// eigenvalues and a matrix whose columns are the matching unit eigenvectors.
/// Quadratically convergent and very accurate for the small matrices here.
pub(crate) fn jacobi_eigen(mut a: Vec<f64>, n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (i + 1..n).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum::<f64>()
            .sqrt();
        if off <= f64::EPSILON * 1e-3 * scale || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                // Rotation angle zeroing a[p][q]: cot(2φ) = (a_qq - a_pp) / (2 a_pq);
                // take the smaller root t = tan φ for stability.
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                // Exact zero avoids drift in the entry we just annihilated.
                a[p * n + q] = 0.0;
                a[q * n + p] = 0.0;
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let values = (0..n).map(|i| a[i * n + i]).collect();
    (values, v)
}

#[cfg(test)]
#[path = "pca_tests.rs"]
mod tests;
