//! Exact t-SNE to two dimensions, for pictures only.
//!
//! O(n²) memory and time per iteration, so it runs on at most `max_points`
//! rows (a seeded sample whose row indices are returned). The schedule follows
//! van der Maaten & Hinton (2008) and scikit-learn's defaults: perplexity
//! calibration by bisection, early exaggeration with momentum 0.5, then 0.8,
//! per-coordinate adaptive gains. Each row's sums are computed sequentially
//! and combined in row order, so the result for a seed does not depend on
//! the number of threads.
use crate::distance::sqdist;
use crate::matrix::{Matrix, MatrixError};
use crate::params::ParamGuard;

use crate::job::{Cancelled, JobControl};
use crate::rng::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TsneParams {
    /// Effective number of neighbours; must be below the number of rows used.
    pub perplexity: f64,
    /// Step size; `None` = scikit-learn's "auto", max(n / exaggeration / 4, 50).
    pub learning_rate: Option<f64>,
    pub iterations: usize,
    pub early_exaggeration: f64,
    /// Iterations run with exaggerated attraction (capped at `iterations`).
    pub exaggeration_iterations: usize,
    pub max_points: usize,
    pub seed: u64,
}

impl Default for TsneParams {
    fn default() -> Self {
        TsneParams {
            perplexity: 30.0,
            learning_rate: None,
            iterations: 1000,
            early_exaggeration: 12.0,
            exaggeration_iterations: 250,
            max_points: 3000,
            seed: 42,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TsneError {
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    #[error("perplexity must be finite and > 0, got {0}")]
    BadPerplexity(f64),
    #[error("learning rate must be finite and > 0, got {0}")]
    BadLearningRate(f64),
    #[error("early exaggeration must be finite and ≥ 1, got {0}")]
    BadExaggeration(f64),
    #[error("iterations must be at least 1")]
    ZeroIterations,
    #[error("max_points must be at least 2, got {0}")]
    BadMaxPoints(usize),
    #[error("perplexity {perplexity} needs more than {n} rows")]
    TooFewRows { n: usize, perplexity: f64 },
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TsneResult {
    /// Row-major `rows.len() × 2`.
    pub embedding: Vec<f64>,
    /// Input rows embedded (ascending); all rows unless sampled.
    pub rows: Vec<usize>,
}

impl TsneResult {
    pub fn was_sampled(&self, n_rows: usize) -> bool {
        self.rows.len() < n_rows
    }
}

/// `TsneParams` whose rules hold.
#[derive(Clone, Debug, PartialEq)]
pub struct TsneValid(TsneParams);

impl ParamGuard for TsneParams {
    type Checked = TsneValid;
    type Error = TsneError;

    fn check(&self) -> Result<TsneValid, TsneError> {
        if !(self.perplexity.is_finite() && self.perplexity > 0.0) {
            return Err(TsneError::BadPerplexity(self.perplexity));
        }
        if let Some(lr) = self.learning_rate {
            if !(lr.is_finite() && lr > 0.0) {
                return Err(TsneError::BadLearningRate(lr));
            }
        }
        if !(self.early_exaggeration.is_finite() && self.early_exaggeration >= 1.0) {
            return Err(TsneError::BadExaggeration(self.early_exaggeration));
        }
        if self.iterations == 0 {
            return Err(TsneError::ZeroIterations);
        }
        if self.max_points < 2 {
            return Err(TsneError::BadMaxPoints(self.max_points));
        }
        Ok(TsneValid(self.clone()))
    }
}

impl TsneParams {
    pub fn fit(&self, data: Matrix<'_>, job: &JobControl) -> Result<TsneResult, TsneError> {
        self.check()?.fit(data, job)
    }
}

impl TsneValid {
    pub fn fit(&self, data: Matrix<'_>, job: &JobControl) -> Result<TsneResult, TsneError> {
        let t = &self.0;
        let n_rows = data.n_rows();
        // Separate streams so the sample and the start layout are independent.
        let rows = if n_rows > t.max_points {
            Rng::stream(t.seed, 0).sample_indices(n_rows, t.max_points)
        } else {
            (0..n_rows).collect()
        };
        let n = rows.len();
        if n < 2 || t.perplexity >= n as f64 {
            return Err(TsneError::TooFewRows {
                n,
                perplexity: t.perplexity,
            });
        }
        let points = data.gather(&rows);

        let p = joint_probabilities(Matrix::trusted(&points, data.n_cols()), t.perplexity);
        job.check()?;

        let mut rng = Rng::stream(t.seed, 1);
        let mut y: Vec<f64> = (0..2 * n).map(|_| rng.normal(0.0, 1e-4)).collect();
        let lr = t
            .learning_rate
            .unwrap_or_else(|| (n as f64 / t.early_exaggeration / 4.0).max(50.0));
        let mut update = vec![0.0; 2 * n];
        let mut gains = vec![1.0f64; 2 * n];
        for it in 0..t.iterations {
            if it.is_multiple_of(10) {
                job.check()?;
                job.set_progress(it as f64 / t.iterations as f64);
            }
            let early = it < t.exaggeration_iterations;
            let exaggeration = if early { t.early_exaggeration } else { 1.0 };
            let momentum = if early { 0.5 } else { 0.8 };
            let grad = gradient(&p, &y, exaggeration);
            for k in 0..2 * n {
                // Delta-bar-delta: grow the gain while the direction keeps flipping.
                if update[k] * grad[k] < 0.0 {
                    gains[k] += 0.2;
                } else {
                    gains[k] = (gains[k] * 0.8).max(0.01);
                }
                update[k] = momentum * update[k] - lr * gains[k] * grad[k];
                y[k] += update[k];
            }
        }
        job.set_progress(1.0);
        Ok(TsneResult { embedding: y, rows })
    }
}

/// Symmetric joint probabilities P (dense `n × n`, summing to 1).
fn joint_probabilities(points: Matrix<'_>, perplexity: f64) -> Vec<f64> {
    let n = points.n_rows();
    let mut p = conditional_probabilities(points, perplexity);
    let scale = 1.0 / (2.0 * n as f64);
    for i in 0..n {
        for j in i + 1..n {
            let v = (p[i * n + j] + p[j * n + i]) * scale;
            p[i * n + j] = v;
            p[j * n + i] = v;
        }
    }
    p
}

/// Row-stochastic p(j | i) from Gaussians whose widths are bisected until each
/// row's entropy is ln(perplexity).
fn conditional_probabilities(points: Matrix<'_>, perplexity: f64) -> Vec<f64> {
    let n = points.n_rows();
    let target = perplexity.ln();
    let mut p = vec![0.0; n * n];
    p.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
        let pi = points.row(i);
        let mut dist: Vec<f64> = points.rows().map(|pj| sqdist(pi, pj)).collect();
        // Shift by the nearest distance: same conditionals, no exp underflow.
        let dmin = (0..n)
            .filter(|&j| j != i)
            .map(|j| dist[j])
            .fold(f64::INFINITY, f64::min);
        dist.iter_mut().for_each(|x| *x -= dmin);
        let (mut beta, mut lo, mut hi) = (1.0, 0.0, f64::INFINITY);
        for _ in 0..100 {
            let mut sum = 0.0;
            let mut weighted = 0.0;
            for j in 0..n {
                let v = if j == i { 0.0 } else { (-beta * dist[j]).exp() };
                row[j] = v;
                sum += v;
                weighted += v * dist[j];
            }
            // Entropy (nats) of the normalised row.
            let h = sum.ln() + beta * weighted / sum;
            if (h - target).abs() < 1e-5 {
                break;
            }
            if h > target {
                lo = beta;
                beta = if hi.is_finite() {
                    (beta + hi) / 2.0
                } else {
                    beta * 2.0
                };
            } else {
                hi = beta;
                beta = (beta + lo) / 2.0;
            }
        }
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= sum);
    });
    p
}

/// KL gradient for the Student-t kernel in 2-D:
/// dC/dy_i = 4 Σ_j (e·p_ij − q_ij) w_ij (y_i − y_j), with w_ij = 1/(1+|y_i−y_j|²)
/// and q_ij = w_ij / Z. Using q_ij w_ij = w_ij² / Z gives one pass over pairs.
fn gradient(p: &[f64], y: &[f64], exaggeration: f64) -> Vec<f64> {
    let n = y.len() / 2;
    // Separate coordinate arrays and no `j == i` branch let the inner loop
    // vectorise; the self term adds d = 0 and w = 1, removed from Z below.
    let (y0, y1): (Vec<f64>, Vec<f64>) = y.chunks(2).map(|c| (c[0], c[1])).unzip();
    let parts: Vec<[f64; 5]> = (0..n)
        .into_par_iter()
        .map(|i| {
            let (yi0, yi1) = (y0[i], y1[i]);
            let mut acc = [0.0; 5];
            for ((&pj, &a0), &a1) in p[i * n..(i + 1) * n].iter().zip(&y0).zip(&y1) {
                let (d0, d1) = (yi0 - a0, yi1 - a1);
                let w = 1.0 / (1.0 + d0 * d0 + d1 * d1);
                let a = pj * w;
                let r = w * w;
                acc[0] += a * d0;
                acc[1] += a * d1;
                acc[2] += r * d0;
                acc[3] += r * d1;
                acc[4] += w;
            }
            acc[4] -= 1.0;
            acc
        })
        .collect();
    let z: f64 = parts.iter().map(|a| a[4]).sum();
    parts
        .iter()
        .flat_map(|a| {
            [
                4.0 * (exaggeration * a[0] - a[2] / z),
                4.0 * (exaggeration * a[1] - a[3] / z),
            ]
        })
        .collect()
}

#[cfg(test)]
#[path = "tsne_tests.rs"]
mod tests;
