//! Agglomerative hierarchical clustering (ward, complete, average, single).
//!
//! Nearest-neighbour chain over a condensed Euclidean distance matrix with
//! Lance–Williams updates: O(n²) time and memory, valid because all four
//! linkages are reducible. The merge tree follows scipy's `linkage` layout
//! (rows `(a, b, distance, size)`, ids ≥ n for merged clusters, sorted by
//! distance). The matrix limits a fit to `max_points` rows (a seeded sample);
//! the remaining rows join the nearest cluster centroid.

use crate::distance::{self, sqdist};
use crate::job::{Cancelled, JobControl};
use crate::matrix::{Matrix, MatrixError};
use crate::params::ParamGuard;
use crate::rng::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Linkage {
    Ward,
    Complete,
    Average,
    Single,
}

/// Where to cut the tree.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Cut {
    /// Exactly this many clusters (fewer only if there are fewer rows).
    Clusters(usize),
    /// Apply every merge at distance ≤ this (scipy `fcluster(.., "distance")`).
    Distance(f64),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HierarchicalParams {
    pub linkage: Linkage,
    pub cut: Cut,
    /// Rows clustered directly; more than this many → seeded sample.
    pub max_points: usize,
    pub seed: u64,
}

impl Default for HierarchicalParams {
    fn default() -> Self {
        HierarchicalParams {
            linkage: Linkage::Ward,
            cut: Cut::Clusters(4),
            max_points: 5000,
            seed: 42,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HierarchicalError {
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    #[error("no rows to cluster")]
    Empty,
    #[error("number of clusters must be at least 1")]
    ZeroClusters,
    #[error("cut distance must be finite and ≥ 0, got {0}")]
    BadDistance(f64),
    #[error("max_points must be at least 2, got {0}")]
    BadMaxPoints(usize),
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}

/// One merge, as a row of scipy's linkage matrix.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Merge {
    pub a: usize,
    pub b: usize,
    pub distance: f64,
    pub size: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HierarchicalResult {
    /// Merge tree over the directly clustered rows (ids refer to positions
    /// in `sample`, merged clusters get ids `sample.len()..`).
    pub merges: Vec<Merge>,
    /// Rows (of the input) that were clustered directly, ascending.
    pub sample: Vec<usize>,
    /// A label in `0..n_clusters` for every input row.
    pub labels: Vec<usize>,
    pub n_clusters: usize,
}

impl HierarchicalResult {
    /// How many rows the tree was built on (the rest were assigned to centroids).
    pub fn n_direct(&self) -> usize {
        self.sample.len()
    }

    /// Labels for every row under another cut, without rebuilding the tree
    /// (`data` must be the data that was fitted).
    pub fn relabel(&self, data: Matrix<'_>, cut: Cut) -> (Vec<usize>, usize) {
        let direct = cut_tree(&self.merges, self.sample.len(), cut);
        extend_labels(data, &self.sample, &direct)
    }
}

/// `HierarchicalParams` whose rules hold.
#[derive(Clone, Debug, PartialEq)]
pub struct HierarchicalValid(HierarchicalParams);

impl ParamGuard for HierarchicalParams {
    type Checked = HierarchicalValid;
    type Error = HierarchicalError;

    fn check(&self) -> Result<HierarchicalValid, HierarchicalError> {
        match self.cut {
            Cut::Clusters(0) => return Err(HierarchicalError::ZeroClusters),
            Cut::Distance(t) if !(t.is_finite() && t >= 0.0) => {
                return Err(HierarchicalError::BadDistance(t))
            }
            _ => {}
        }
        if self.max_points < 2 {
            return Err(HierarchicalError::BadMaxPoints(self.max_points));
        }
        Ok(HierarchicalValid(self.clone()))
    }
}

impl HierarchicalParams {
    pub fn fit(
        &self,
        data: Matrix<'_>,
        job: &JobControl,
    ) -> Result<HierarchicalResult, HierarchicalError> {
        self.check()?.fit(data, job)
    }
}

impl HierarchicalValid {
    pub fn fit(
        &self,
        data: Matrix<'_>,
        job: &JobControl,
    ) -> Result<HierarchicalResult, HierarchicalError> {
        let p = &self.0;
        let n_rows = data.n_rows();
        if n_rows == 0 {
            return Err(HierarchicalError::Empty);
        }
        let sample = if n_rows > p.max_points {
            Rng::new(p.seed).sample_indices(n_rows, p.max_points)
        } else {
            (0..n_rows).collect()
        };
        let points = data.gather(&sample);
        let merges = linkage(Matrix::trusted(&points, data.n_cols()), p.linkage, job)?;
        let direct = cut_tree(&merges, sample.len(), p.cut);
        let (labels, n_clusters) = extend_labels(data, &sample, &direct);
        job.set_progress(1.0);
        Ok(HierarchicalResult {
            merges,
            sample,
            labels,
            n_clusters,
        })
    }
}

/// Index of pair (i, j), i < j, in a condensed upper-triangle matrix.
#[inline]
fn cidx(n: usize, i: usize, j: usize) -> usize {
    debug_assert!(i < j && j < n);
    n * i - i * (i + 1) / 2 + (j - i - 1)
}

/// The merge tree of `points` (row-major, `d` columns) like scipy's
/// `linkage(points, method)`, Euclidean metric.
pub fn linkage(
    points: Matrix<'_>,
    method: Linkage,
    job: &JobControl,
) -> Result<Vec<Merge>, Cancelled> {
    let n = points.n_rows();
    if n < 2 {
        return Ok(Vec::new());
    }
    // Ward works on squared distances (no sqrt in its update); others on plain.
    let squared = method == Linkage::Ward;
    let mut dist = vec![0.0; n * (n - 1) / 2];
    let mut rows: Vec<&mut [f64]> = Vec::with_capacity(n);
    let mut rest = dist.as_mut_slice();
    for i in 0..n {
        let (row, tail) = rest.split_at_mut(n - i - 1);
        rows.push(row);
        rest = tail;
    }
    rows.into_par_iter().enumerate().for_each(|(i, row)| {
        let pi = points.row(i);
        for (k, slot) in row.iter_mut().enumerate() {
            let s = sqdist(pi, points.row(i + 1 + k));
            *slot = if squared { s } else { s.sqrt() };
        }
    });
    job.check()?;

    let mut size = vec![1usize; n];
    let mut active = vec![true; n];
    // Unsorted merges between matrix slots; the survivor keeps slot `y`.
    let mut raw: Vec<(usize, usize, f64)> = Vec::with_capacity(n - 1);
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let get = |dist: &[f64], i: usize, j: usize| {
        if i < j {
            dist[cidx(n, i, j)]
        } else {
            dist[cidx(n, j, i)]
        }
    };
    while raw.len() < n - 1 {
        if raw.len().is_multiple_of(64) {
            job.check()?;
            job.set_progress(raw.len() as f64 / (n - 1) as f64);
        }
        if chain.is_empty() {
            chain.push(active.iter().position(|&a| a).expect("an active cluster"));
        }
        // Grow the chain until its last two entries are mutual nearest neighbours.
        let (x, y, dxy) = loop {
            let x = *chain.last().unwrap();
            let prev = if chain.len() >= 2 {
                Some(chain[chain.len() - 2])
            } else {
                None
            };
            // Prefer the previous element on ties so the chain cannot cycle.
            let (mut best, mut best_d) = match prev {
                Some(p) => (p, get(&dist, x, p)),
                None => (usize::MAX, f64::INFINITY),
            };
            for (k, &live) in active.iter().enumerate() {
                if live && k != x {
                    let dk = get(&dist, x, k);
                    if dk < best_d {
                        best = k;
                        best_d = dk;
                    }
                }
            }
            if Some(best) == prev {
                chain.pop();
                chain.pop();
                break (x, best, best_d);
            }
            chain.push(best);
        };
        let (x, y) = (x.min(y), x.max(y));
        let (nx, ny) = (size[x] as f64, size[y] as f64);
        for k in 0..n {
            if !active[k] || k == x || k == y {
                continue;
            }
            let dkx = get(&dist, k, x);
            let dky = get(&dist, k, y);
            let nk = size[k] as f64;
            let new = match method {
                Linkage::Single => dkx.min(dky),
                Linkage::Complete => dkx.max(dky),
                Linkage::Average => (nx * dkx + ny * dky) / (nx + ny),
                Linkage::Ward => ((nx + nk) * dkx + (ny + nk) * dky - nk * dxy) / (nx + ny + nk),
            };
            let at = if k < y { cidx(n, k, y) } else { cidx(n, y, k) };
            dist[at] = new;
        }
        active[x] = false;
        size[y] += size[x];
        raw.push((x, y, if squared { dxy.sqrt() } else { dxy }));
    }

    // scipy order: stable sort by distance, then number clusters as they form.
    raw.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut uf = UnionFind::new(n);
    let mut id_of_root: Vec<usize> = (0..n).collect();
    let mut merges = Vec::with_capacity(n - 1);
    for (step, &(x, y, dxy)) in raw.iter().enumerate() {
        let (rx, ry) = (uf.find(x), uf.find(y));
        let (ia, ib) = (id_of_root[rx], id_of_root[ry]);
        let r = uf.union(rx, ry);
        id_of_root[r] = n + step;
        merges.push(Merge {
            a: ia.min(ib),
            b: ia.max(ib),
            distance: dxy,
            size: uf.size[r],
        });
    }
    Ok(merges)
}

/// Flat labels for the `n` leaves of `merges` (scipy order). Labels are
/// numbered by first appearance in row order.
pub fn cut_tree(merges: &[Merge], n: usize, cut: Cut) -> Vec<usize> {
    let applied = match cut {
        Cut::Clusters(k) => n.saturating_sub(k.max(1)).min(merges.len()),
        Cut::Distance(t) => merges.iter().take_while(|m| m.distance <= t).count(),
    };
    let mut uf = UnionFind::new(2 * n);
    for (step, m) in merges.iter().take(applied).enumerate() {
        uf.union_into(m.a, n + step);
        uf.union_into(m.b, n + step);
    }
    let mut label_of_root = vec![usize::MAX; 2 * n];
    let mut next = 0;
    (0..n)
        .map(|i| {
            let r = uf.find(i);
            if label_of_root[r] == usize::MAX {
                label_of_root[r] = next;
                next += 1;
            }
            label_of_root[r]
        })
        .collect()
}

/// Labels for all rows: sampled rows keep their tree label, every other row
/// joins the nearest (Euclidean) centroid of the sampled clusters.
fn extend_labels(data: Matrix<'_>, sample: &[usize], direct: &[usize]) -> (Vec<usize>, usize) {
    let k = direct.iter().max().map_or(0, |m| m + 1);
    let (n_rows, d) = (data.n_rows(), data.n_cols());
    if sample.len() == n_rows {
        return (direct.to_vec(), k);
    }
    let mut centroids = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for (&row, &l) in sample.iter().zip(direct) {
        counts[l] += 1;
        let c = &mut centroids[l * d..(l + 1) * d];
        c.iter_mut().zip(data.row(row)).for_each(|(a, x)| *a += x);
    }
    for (l, c) in centroids.chunks_mut(d).enumerate() {
        c.iter_mut().for_each(|a| *a /= counts[l] as f64);
    }
    let mut labels = distance::assign(data, Matrix::trusted(&centroids, d));
    // The tree decides for the rows it saw.
    for (&row, &l) in sample.iter().zip(direct) {
        labels[row] = l;
    }
    (labels, k)
}

struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Union by size; returns the new root.
    fn union(&mut self, a: usize, b: usize) -> usize {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return a;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
        a
    }

    /// Attach `a`'s tree under `root` (used to mirror scipy's node ids).
    fn union_into(&mut self, a: usize, root: usize) {
        let ra = self.find(a);
        self.parent[ra] = root;
    }
}

#[cfg(test)]
#[path = "hierarchical_tests.rs"]
mod tests;
