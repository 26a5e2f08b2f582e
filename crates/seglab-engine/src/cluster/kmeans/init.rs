//! The tolerance scale, and greedy k-means++ seeding.

use rayon::prelude::*;

use super::{chunked, sqdist, CHUNK};
use crate::job::{Cancelled, JobControl};
use crate::matrix::Matrix;
use crate::rng::Rng;

/// Mean over columns of the population variance (scikit-learn's tolerance scale).
pub(super) fn mean_variance(m: Matrix<'_>) -> f64 {
    let (n, d, data) = (m.n_rows(), m.n_cols(), m.data());
    // Two passes (mean, then squared deviations) for accuracy; `center` is None on the first.
    let col_sums = |center: Option<&[f64]>| -> Vec<f64> {
        let parts = chunked(n, |s, e| {
            let mut acc = vec![0.0; d];
            for x in data[s * d..e * d].chunks_exact(d) {
                match center {
                    None => acc.iter_mut().zip(x).for_each(|(a, v)| *a += v),
                    Some(m) => acc
                        .iter_mut()
                        .zip(x.iter().zip(m))
                        .for_each(|(a, (v, m))| *a += (v - m) * (v - m)),
                }
            }
            acc
        });
        let mut total = vec![0.0; d];
        for p in parts {
            total.iter_mut().zip(p).for_each(|(t, v)| *t += v);
        }
        total
    };
    let means: Vec<f64> = col_sums(None).iter().map(|s| s / n as f64).collect();
    col_sums(Some(&means)).iter().sum::<f64>() / (n * d) as f64
}

/// Candidates per greedy step: scikit-learn's `2 + ln k`.
pub(super) fn local_trials(k: usize) -> usize {
    2 + (k as f64).ln() as usize
}

/// Greedy k-means++: each new centre is the best (lowest resulting potential) of
/// `2 + ln k` candidates drawn with probability proportional to the squared distance to the
/// nearest centre chosen so far.
pub(super) fn kmeans_pp(
    m: Matrix<'_>,
    k: usize,
    rng: &mut Rng,
    job: &JobControl,
) -> Result<Vec<f64>, Cancelled> {
    let (n, d) = (m.n_rows(), m.n_cols());
    let n_trials = local_trials(k);
    let mut centers = Vec::with_capacity(k * d);
    centers.extend_from_slice(m.row(rng.range_usize(0, n)));
    let mut closest = vec![0.0; n];
    let mut chunk_pot = update_closest(m, &centers[..d], &mut closest, true);
    for _ in 1..k {
        job.check()?;
        let c = m.row(greedy_pick(m, &closest, &chunk_pot, n_trials, rng));
        centers.extend_from_slice(c);
        chunk_pot = update_closest(m, c, &mut closest, false);
    }
    Ok(centers)
}

/// One greedy k-means++ step: of `n_trials` rows drawn with probability proportional to
/// `closest` (each row's squared distance to its nearest centre; `chunk_pot` its sums per
/// `CHUNK`), the one that would lower the total the most.
pub(super) fn greedy_pick(
    m: Matrix<'_>,
    closest: &[f64],
    chunk_pot: &[f64],
    n_trials: usize,
    rng: &mut Rng,
) -> usize {
    let (n, d, data) = (m.n_rows(), m.n_cols(), m.data());
    let pot: f64 = chunk_pot.iter().sum();
    let cands: Vec<usize> = (0..n_trials)
        .map(|_| sample_d2(closest, chunk_pot, pot, rng))
        .collect();
    let parts = chunked(n, |s, e| {
        let mut acc = vec![0.0; n_trials];
        for (x, &ci) in data[s * d..e * d].chunks_exact(d).zip(&closest[s..e]) {
            for (a, &c) in acc.iter_mut().zip(&cands) {
                *a += sqdist(x, m.row(c)).min(ci);
            }
        }
        acc
    });
    let mut totals = vec![0.0; n_trials];
    for p in parts {
        totals.iter_mut().zip(p).for_each(|(t, v)| *t += v);
    }
    let best = (0..n_trials).fold(0, |b, t| if totals[t] < totals[b] { t } else { b });
    cands[best]
}

/// Lowers `closest` to the distance to `c` (or sets it when `first`); returns chunk sums.
fn update_closest(m: Matrix<'_>, c: &[f64], closest: &mut [f64], first: bool) -> Vec<f64> {
    closest
        .par_chunks_mut(CHUNK)
        .enumerate()
        .map(|(ci, out)| {
            let mut s = 0.0;
            for (o, i) in out.iter_mut().zip(ci * CHUNK..) {
                let dd = sqdist(m.row(i), c);
                *o = if first { dd } else { dd.min(*o) };
                s += *o;
            }
            s
        })
        .collect()
}

/// Draws a row with probability proportional to `closest` (chunk sums find the chunk first).
fn sample_d2(closest: &[f64], chunk_pot: &[f64], pot: f64, rng: &mut Rng) -> usize {
    if pot <= 0.0 {
        // Every row coincides with a centre: any row is as good as another.
        return rng.range_usize(0, closest.len());
    }
    let mut target = rng.f64() * pot;
    let mut chunk = chunk_pot.len() - 1;
    for (c, &p) in chunk_pot.iter().enumerate() {
        if target < p {
            chunk = c;
            break;
        }
        target -= p;
    }
    let start = chunk * CHUNK;
    let mut last_positive = None;
    for (i, &w) in closest[start..].iter().take(CHUNK).enumerate() {
        if w > 0.0 {
            last_positive = Some(start + i);
            if target < w {
                return start + i;
            }
            target -= w;
        }
    }
    // Only reachable through rounding; fall back to any row with positive weight.
    last_positive.unwrap_or_else(|| closest.iter().rposition(|&w| w > 0.0).unwrap_or(0))
}
