//! The labels and centroids a run hands on: segment ids in a canonical order, and (k-means)
//! labels that are exactly the nearest final centroid, so `apply` on the run's own input gives
//! the run's labels on every row.

use crate::distance;
use crate::matrix::Matrix;
use std::cmp::Ordering;

/// Lloyd steps after the fit, at most: each is one full assignment pass. A fit that stopped on
/// its tolerance is a step or two away from a fixed point.
const MAX_SETTLE_STEPS: usize = 100;

/// Canonical ids: segments ordered by size, largest first; equal sizes by their centroids'
/// coordinates (lexicographic). The same clusters get the same ids whatever order an algorithm
/// (or a seed) found them in. Returns `old id -> new id`.
pub fn canonical_order(labels: &[Option<usize>], centroids: &[f64], k: usize) -> Vec<usize> {
    let d = centroids.len().checked_div(k).unwrap_or(0);
    let mut sizes = vec![0usize; k];
    for &l in labels.iter().flatten() {
        if l < k {
            sizes[l] += 1;
        }
    }
    let row = |c: usize| &centroids[c * d..(c + 1) * d];
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| {
        sizes[b].cmp(&sizes[a]).then_with(|| {
            row(a)
                .iter()
                .zip(row(b))
                .map(|(x, y)| x.total_cmp(y))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal)
        })
    });
    let mut new_of = vec![0; k];
    for (new, &old) in order.iter().enumerate() {
        new_of[old] = new;
    }
    new_of
}

/// Renumbers labels and centroid rows by `new_of` (from `canonical_order`).
pub fn renumber(labels: &mut [Option<usize>], centroids: &mut [f64], new_of: &[usize]) {
    let k = new_of.len();
    let d = centroids.len().checked_div(k).unwrap_or(0);
    for l in labels.iter_mut().flatten() {
        if let Some(&n) = new_of.get(*l) {
            *l = n;
        }
    }
    let old = centroids.to_vec();
    for (c, &n) in new_of.iter().enumerate() {
        centroids[n * d..(n + 1) * d].copy_from_slice(&old[c * d..(c + 1) * d]);
    }
}

/// K-means labels settled on their own means, in canonical order: repeat "centroids = means of
/// the labels, ids in canonical order, labels = nearest centroid" until nothing moves. The
/// nearest centroid is found by the function `apply` uses (`distance::assign`, lowest id on an
/// exact tie), so on return every label is the nearest of the returned centroids. Should the
/// steps run out first (not seen in practice), the labels are still the nearest of the returned
/// centroids, which are then one step short of being their means. Returns the centroids and
/// the number of rows whose label changed after the fit.
pub fn settle_kmeans(
    data: Matrix<'_>,
    labels: &mut [Option<usize>],
    k: usize,
) -> (Vec<f64>, usize) {
    let d = data.n_cols();
    let original: Vec<Option<usize>> = labels.to_vec();
    let mut centroids = Vec::new();
    for step in 0..=MAX_SETTLE_STEPS {
        let sizes = sizes_of(labels, k);
        // An emptied segment keeps its last centroid (no row is nearest to it, here or in apply).
        let means = centroids_of(data, labels, k);
        if centroids.is_empty() {
            centroids = means;
        } else {
            for c in (0..k).filter(|&c| sizes[c] > 0) {
                centroids[c * d..(c + 1) * d].copy_from_slice(&means[c * d..(c + 1) * d]);
            }
        }
        let new_of = canonical_order(labels, &centroids, k);
        renumber(labels, &mut centroids, &new_of);
        let nearest = distance::assign(data, Matrix::trusted(&centroids, d));
        let mut moved = false;
        for (l, n) in labels.iter_mut().zip(nearest) {
            if *l != Some(n) {
                *l = Some(n);
                moved = true;
            }
        }
        if !moved || step == MAX_SETTLE_STEPS {
            break;
        }
    }
    // Ids were renumbered: a row "changed" when its segment's members differ, which a label
    // comparison cannot see; count rows whose original segment-mates no longer share its id.
    let changed = changed_rows(&original, labels, k);
    (centroids, changed)
}

/// Mean of each cluster's rows (noise excluded).
pub fn centroids_of(data: Matrix<'_>, labels: &[Option<usize>], k: usize) -> Vec<f64> {
    let n_cols = data.n_cols();
    let mut sums = vec![0.0; k * n_cols];
    let mut counts = vec![0usize; k];
    for (x, l) in data.rows().zip(labels) {
        if let Some(c) = *l {
            counts[c] += 1;
            for j in 0..n_cols {
                sums[c * n_cols + j] += x[j];
            }
        }
    }
    for c in 0..k {
        for j in 0..n_cols {
            sums[c * n_cols + j] /= counts[c].max(1) as f64;
        }
    }
    sums
}

fn sizes_of(labels: &[Option<usize>], k: usize) -> Vec<usize> {
    let mut sizes = vec![0usize; k];
    for &l in labels.iter().flatten() {
        if l < k {
            sizes[l] += 1;
        }
    }
    sizes
}

/// Rows that left the segment most of their old segment-mates went to.
fn changed_rows(before: &[Option<usize>], after: &[Option<usize>], k: usize) -> usize {
    let mut counts = vec![0usize; k * k];
    for (b, a) in before.iter().zip(after) {
        if let (Some(b), Some(a)) = (b, a) {
            if *b < k && *a < k {
                counts[b * k + a] += 1;
            }
        }
    }
    let kept: usize = (0..k)
        .map(|b| {
            counts[b * k..(b + 1) * k]
                .iter()
                .copied()
                .max()
                .unwrap_or(0)
        })
        .sum();
    before.iter().flatten().count() - kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes 1, 3, 2 become ids 2, 0, 1; equal sizes go by the first coordinate.
    #[test]
    fn ids_by_size_then_centroid() {
        let labels = [Some(0), Some(1), Some(1), Some(1), Some(2), Some(2)];
        assert_eq!(canonical_order(&labels, &[0.0, 1.0, 2.0], 3), vec![2, 0, 1]);
        let tied = [Some(0), Some(1)];
        assert_eq!(canonical_order(&tied, &[5.0, -1.0], 2), vec![1, 0]);
    }

    /// Rows 0..4 at 0, 1, 2, 3 and 10, 11 with labels from a stale centre: x = 3 was left with
    /// {10, 11} (mean 8 then), and x = 3 is 1.5 from the first group's mean 1.5 but 7.5 from 10.5.
    /// Settling moves it back, and the ids come out largest first.
    #[test]
    fn settles_on_nearest_own_means() {
        let x = [0.0, 1.0, 2.0, 3.0, 10.0, 11.0];
        let mut labels = vec![Some(1), Some(1), Some(1), Some(0), Some(0), Some(0)];
        let (c, changed) = settle_kmeans(Matrix::trusted(&x, 1), &mut labels, 2);
        assert_eq!(
            labels,
            vec![Some(0), Some(0), Some(0), Some(0), Some(1), Some(1)]
        );
        assert_eq!(c, vec![1.5, 10.5]);
        assert_eq!(changed, 1);
        let nearest = distance::assign(Matrix::trusted(&x, 1), Matrix::trusted(&c, 1));
        assert!(labels.iter().zip(nearest).all(|(l, n)| *l == Some(n)));
    }
}
