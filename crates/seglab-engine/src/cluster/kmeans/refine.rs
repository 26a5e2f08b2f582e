//! Swap search after Lloyd: move the centre whose removal costs least to where the error is,
//! rerun Lloyd, keep the result only if its inertia is lower.
//!
//! Lloyd stops in the nearest local optimum of its start, and on skewed or unevenly spread data
//! that is often one where two centres share a group while another group has none (seen at
//! k = 2 on a 200-row mall table, k = 8 and 9 on wholesale- and marketing-shaped data). No
//! single-row move leaves such an optimum, but one centre swap does; a few swaps cost a few
//! Lloyd runs from near-converged starts, and inertia can only go down.

use super::init::{greedy_pick, local_trials};
use super::{chunked, lloyd, sqdist, KMeansModel, CHUNK};
use crate::job::{Cancelled, JobControl};
use crate::matrix::Matrix;
use crate::rng::Rng;

/// Tries `swaps` centre swaps on `best` (a Lloyd result on `data`); returns the best model seen.
/// After a failed swap the next one removes the next cheapest centre, so `k` swaps that all
/// fail have tried removing every centre once.
pub(super) fn swap_search(
    data: Matrix<'_>,
    mut best: KMeansModel,
    swaps: usize,
    max_iter: usize,
    tol_abs: f64,
    rng: &mut Rng,
    job: &JobControl,
) -> Result<KMeansModel, Cancelled> {
    let (d, k) = (data.n_cols(), best.k);
    let mut costs = removal_costs(data, &best);
    let mut failed = 0;
    for _ in 0..swaps {
        job.check()?;
        let (near, order) = &costs;
        let gone = order[failed % k];
        // The error without that centre; its new place is drawn like a k-means++ centre.
        let closest: Vec<f64> = near
            .iter()
            .zip(&best.labels)
            .map(|(&(own, other), &l)| if l == gone { other } else { own })
            .collect();
        let chunk_pot: Vec<f64> = closest.chunks(CHUNK).map(|c| c.iter().sum()).collect();
        let to = greedy_pick(data, &closest, &chunk_pot, local_trials(k), rng);
        let mut start = best.centroids.clone();
        start[gone * d..(gone + 1) * d].copy_from_slice(data.row(to));
        let model = lloyd(data, start, max_iter, tol_abs, job, &|_| {})?;
        if model.inertia < best.inertia {
            best = model;
            costs = removal_costs(data, &best);
            failed = 0;
        } else {
            failed += 1;
        }
    }
    Ok(best)
}

/// Each row's squared distance to its own centre and to the nearest other one, and the centres
/// ordered by what removing them would add if their rows moved to their next nearest (cheapest
/// first, ties by index).
fn removal_costs(data: Matrix<'_>, m: &KMeansModel) -> (Vec<(f64, f64)>, Vec<usize>) {
    let (n, k) = (data.n_rows(), m.k);
    let c = Matrix::trusted(&m.centroids, data.n_cols());
    let near: Vec<(f64, f64)> = chunked(n, |s, e| {
        (s..e)
            .map(|i| {
                let own = m.labels[i];
                let other = (0..k)
                    .filter(|&j| j != own)
                    .map(|j| sqdist(data.row(i), c.row(j)))
                    .fold(f64::INFINITY, f64::min);
                (sqdist(data.row(i), c.row(own)), other)
            })
            .collect::<Vec<_>>()
    })
    .concat();
    // Summed in row order, so the costs do not depend on the thread count.
    let mut cost = vec![0.0; k];
    for (&(own, other), &l) in near.iter().zip(&m.labels) {
        cost[l] += other - own;
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| cost[a].total_cmp(&cost[b]).then(a.cmp(&b)));
    (near, order)
}
