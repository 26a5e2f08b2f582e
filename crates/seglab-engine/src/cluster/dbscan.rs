//! DBSCAN with k-d tree neighbourhood queries.
//!
//! Three parallel passes instead of the textbook serial flood fill, so memory
//! stays O(n) however dense the neighbourhoods are: (1) core flags by counting
//! neighbours, (2) connected components of core points with union–find,
//! (3) each border point joins the lowest-numbered cluster among its core
//! neighbours. Numbering clusters by their lowest core row makes the result
//! identical to scikit-learn's `DBSCAN(...).fit_predict`, border points included.

use crate::distance::sqdist;
use crate::job::{Cancelled, JobControl};
use crate::matrix::{Matrix, MatrixError};
use crate::params::ParamGuard;
use crate::rng::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DbscanParams {
    /// Neighbourhood radius (Euclidean, inclusive).
    pub eps: f64,
    /// Points within `eps` needed for a core point, the point itself included
    /// (scikit-learn's `min_samples`).
    pub min_points: usize,
}

impl Default for DbscanParams {
    fn default() -> Self {
        DbscanParams {
            eps: 0.5,
            min_points: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbscanError {
    #[error(transparent)]
    Matrix(#[from] MatrixError),
    #[error("eps must be finite and > 0, got {0}")]
    BadEps(f64),
    #[error("min_points must be at least 1")]
    ZeroMinPoints,
    #[error("k must be at least 1")]
    ZeroK,
    /// `k` is `min_points` when the curve is drawn for DBSCAN.
    #[error(
        "min_points = {k} is more than the {n} rows (the k-distance curve needs min_points \
         neighbours per row); lower cluster.min_points"
    )]
    KTooLarge { k: usize, n: usize },
    #[error(transparent)]
    Cancelled(#[from] Cancelled),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DbscanResult {
    /// Cluster per row, `None` for noise; clusters numbered by their first core row.
    pub labels: Vec<Option<usize>>,
    pub core: Vec<bool>,
    pub n_clusters: usize,
    pub n_noise: usize,
}

/// Core rows per cancellation check.
const CHUNK: usize = 16_384;

/// `DbscanParams` whose rules hold.
#[derive(Clone, Debug, PartialEq)]
pub struct DbscanValid(DbscanParams);

impl ParamGuard for DbscanParams {
    type Checked = DbscanValid;
    type Error = DbscanError;

    fn check(&self) -> Result<DbscanValid, DbscanError> {
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return Err(DbscanError::BadEps(self.eps));
        }
        if self.min_points == 0 {
            return Err(DbscanError::ZeroMinPoints);
        }
        Ok(DbscanValid(self.clone()))
    }
}

impl DbscanParams {
    pub fn fit(&self, data: Matrix<'_>, job: &JobControl) -> Result<DbscanResult, DbscanError> {
        self.check()?.fit(data, job)
    }
}

impl DbscanValid {
    pub fn fit(&self, data: Matrix<'_>, job: &JobControl) -> Result<DbscanResult, DbscanError> {
        let n = data.n_rows();
        let tree = KdTree::new(data);

        let r2 = self.0.eps * self.0.eps;
        let min = self.0.min_points;

        let mut core = vec![false; n];
        for (c, flags) in core.chunks_mut(CHUNK).enumerate() {
            job.check()?;
            job.set_progress(c as f64 * CHUNK as f64 / n as f64 / 3.0);
            flags.par_iter_mut().enumerate().for_each(|(k, flag)| {
                let i = c * CHUNK + k;
                let mut count = 0;
                tree.within(tree.point(i), r2, &mut |_| {
                    count += 1;
                    count < min
                });
                *flag = count >= min;
            });
        }

        let core_rows: Vec<usize> = (0..n).filter(|&i| core[i]).collect();
        let mut uf = UnionFind::new(n);
        for (c, rows) in core_rows.chunks(CHUNK).enumerate() {
            job.check()?;
            job.set_progress((1.0 + c as f64 * CHUNK as f64 / core_rows.len() as f64) / 3.0);
            // Each task links into its own forest; forests are merged afterwards.
            let part = rows
                .par_iter()
                .with_min_len(2048)
                .fold(
                    || UnionFind::new(n),
                    |mut local, &i| {
                        tree.within(tree.point(i), r2, &mut |j| {
                            if j > i && core[j] {
                                local.union(i, j);
                            }
                            true
                        });
                        local
                    },
                )
                .reduce(|| UnionFind::new(n), UnionFind::absorb);
            uf = uf.absorb(part);
        }

        let mut label_of_root = vec![usize::MAX; n];
        let mut labels = vec![None; n];
        let mut n_clusters = 0;
        for &i in &core_rows {
            let r = uf.find(i);
            if label_of_root[r] == usize::MAX {
                label_of_root[r] = n_clusters;
                n_clusters += 1;
            }
            labels[i] = Some(label_of_root[r]);
        }

        job.check()?;
        job.set_progress(2.0 / 3.0);
        let core_labels = labels.clone();
        labels
            .par_iter_mut()
            .enumerate()
            .filter(|(i, _)| !core[*i])
            .for_each(|(i, label)| {
                tree.within(tree.point(i), r2, &mut |j| {
                    if let Some(l) = core_labels[j] {
                        *label = Some(label.map_or(l, |old: usize| old.min(l)));
                    }
                    true
                });
            });

        let n_noise = labels.iter().filter(|l| l.is_none()).count();
        job.set_progress(1.0);
        Ok(DbscanResult {
            labels,
            core,
            n_clusters,
            n_noise,
        })
    }
}

/// The k-distance curve for choosing eps: for each row (or a seeded sample
/// of `(size, seed)` rows), the distance to its k-th nearest row counting the
/// row itself, sorted descending. With `k = min_points`, a row is a core
/// point exactly when its value is ≤ eps. Neighbours come from all rows.
pub fn k_distance(
    data: Matrix<'_>,
    k: usize,
    sample: Option<(usize, u64)>,
) -> Result<Vec<f64>, DbscanError> {
    if k == 0 {
        return Err(DbscanError::ZeroK);
    }
    let n = data.n_rows();
    if k > n {
        return Err(DbscanError::KTooLarge { k, n });
    }
    let rows: Vec<usize> = match sample {
        Some((size, seed)) if size < n => Rng::new(seed).sample_indices(n, size),
        _ => (0..n).collect(),
    };
    let tree = KdTree::new(data);
    let mut out: Vec<f64> = rows
        .par_iter()
        .map(|&i| tree.kth_distance(tree.point(i), k))
        .collect();
    out.sort_by(|a, b| b.total_cmp(a));
    Ok(out)
}

/// Leaf size: small enough to prune well, large enough to keep the tree shallow.
const LEAF: usize = 16;

/// Static k-d tree over row indices; splits at the median of the widest
/// dimension. Every node keeps its bounding box: pruning by box distance
/// (not just the splitting plane) is what keeps 6-D queries fast.
struct KdTree<'a> {
    data: &'a [f64],
    d: usize,
    idx: Vec<usize>,
    nodes: Vec<Node>,
    /// Per node: `d` lower bounds then `d` upper bounds.
    bounds: Vec<f64>,
    /// Points copied in tree order, so leaf scans read memory sequentially
    /// instead of missing the cache on every row.
    sorted: Vec<f64>,
}

struct Node {
    start: usize,
    end: usize,
    /// Children, `None` for a leaf.
    children: Option<(usize, usize)>,
}

impl<'a> KdTree<'a> {
    fn new(m: Matrix<'a>) -> Self {
        let (data, d, n) = (m.data(), m.n_cols(), m.n_rows());
        let mut t = KdTree {
            data,
            d,
            idx: (0..n).collect(),
            nodes: Vec::new(),
            bounds: Vec::new(),
            sorted: Vec::new(),
        };
        if n > 0 {
            t.build(0, n);
        }
        t.sorted = t
            .idx
            .iter()
            .flat_map(|&i| t.point(i).iter().copied())
            .collect();
        t
    }

    fn point(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.d..(i + 1) * self.d]
    }

    fn build(&mut self, start: usize, end: usize) -> usize {
        let (data, d) = (self.data, self.d);
        let id = self.nodes.len();
        self.nodes.push(Node {
            start,
            end,
            children: None,
        });
        let mut lo = vec![f64::INFINITY; d];
        let mut hi = vec![f64::NEG_INFINITY; d];
        for &i in &self.idx[start..end] {
            for k in 0..d {
                let v = data[i * d + k];
                lo[k] = lo[k].min(v);
                hi[k] = hi[k].max(v);
            }
        }
        let (mut dim, mut spread) = (0, 0.0);
        for k in 0..d {
            if hi[k] - lo[k] > spread {
                (dim, spread) = (k, hi[k] - lo[k]);
            }
        }
        self.bounds.extend_from_slice(&lo);
        self.bounds.extend_from_slice(&hi);
        // Small nodes, and nodes of identical points, stay leaves.
        if end - start <= LEAF || spread <= 0.0 {
            return id;
        }
        let mid = (start + end) / 2;
        self.idx[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            data[a * d + dim].total_cmp(&data[b * d + dim])
        });
        let left = self.build(start, mid);
        let right = self.build(mid, end);
        self.nodes[id].children = Some((left, right));
        id
    }

    /// Squared distance from `q` to the point at tree position `pos`.
    fn dist2(&self, q: &[f64], pos: usize) -> f64 {
        sqdist(q, &self.sorted[pos * self.d..(pos + 1) * self.d])
    }

    /// Squared distances from `q` to the nearest and farthest corner of a node's box.
    fn box_dist2(&self, node: usize, q: &[f64]) -> (f64, f64) {
        let b = &self.bounds[node * 2 * self.d..(node + 1) * 2 * self.d];
        let (lo, hi) = b.split_at(self.d);
        let (mut near, mut far) = (0.0, 0.0);
        for k in 0..self.d {
            let (a, c) = (lo[k] - q[k], q[k] - hi[k]);
            let gap = a.max(c).max(0.0);
            let span = a.abs().max(c.abs());
            near += gap * gap;
            far += span * span;
        }
        (near, far)
    }

    /// Calls `f(row)` for every row within squared radius `r2` of `q` until
    /// `f` returns false. Returns false if stopped early.
    fn within(&self, q: &[f64], r2: f64, f: &mut impl FnMut(usize) -> bool) -> bool {
        self.nodes.is_empty() || self.within_node(0, q, r2, f)
    }

    fn within_node(
        &self,
        node: usize,
        q: &[f64],
        r2: f64,
        f: &mut impl FnMut(usize) -> bool,
    ) -> bool {
        let (near, far) = self.box_dist2(node, q);
        if near > r2 {
            return true;
        }
        let nd = &self.nodes[node];
        match nd.children {
            // The whole box is inside the ball: no distances needed.
            _ if far <= r2 => self.idx[nd.start..nd.end].iter().all(|&i| f(i)),
            None => (nd.start..nd.end).all(|pos| self.dist2(q, pos) > r2 || f(self.idx[pos])),
            Some((left, right)) => {
                self.within_node(left, q, r2, f) && self.within_node(right, q, r2, f)
            }
        }
    }

    /// Distance to the k-th nearest row of `q` (the row itself counts).
    fn kth_distance(&self, q: &[f64], k: usize) -> f64 {
        let mut heap = BinaryHeap::with_capacity(k + 1);
        self.knn_node(0, q, k, &mut heap);
        heap.peek().map_or(f64::INFINITY, |d: &Dist| d.0.sqrt())
    }

    fn knn_node(&self, node: usize, q: &[f64], k: usize, heap: &mut BinaryHeap<Dist>) {
        let worst = |h: &BinaryHeap<Dist>| {
            if h.len() < k {
                f64::INFINITY
            } else {
                h.peek().unwrap().0
            }
        };
        let nd = &self.nodes[node];
        match nd.children {
            None => {
                for pos in nd.start..nd.end {
                    let d2 = self.dist2(q, pos);
                    if d2 < worst(heap) {
                        heap.push(Dist(d2));
                        if heap.len() > k {
                            heap.pop();
                        }
                    }
                }
            }
            Some((left, right)) => {
                // Visit the closer box first so the far one is more often pruned.
                let (dl, dr) = (self.box_dist2(left, q).0, self.box_dist2(right, q).0);
                let order = if dl <= dr {
                    [(left, dl), (right, dr)]
                } else {
                    [(right, dr), (left, dl)]
                };
                for (child, dist) in order {
                    if dist < worst(heap) {
                        self.knn_node(child, q, k, heap);
                    }
                }
            }
        }
    }
}

/// Squared distance ordered for the k-NN max-heap.
#[derive(PartialEq)]
struct Dist(f64);
impl Eq for Dist {}
impl PartialOrd for Dist {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Dist {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    fn find(&mut self, x: usize) -> usize {
        let mut x = x as u32;
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x as usize
    }

    /// Links the roots; the smaller index becomes the root (no rank needed
    /// for correctness, halving keeps paths short).
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            self.parent[hi] = lo as u32;
        }
    }

    /// Adds every link of `other` to `self`.
    fn absorb(mut self, mut other: UnionFind) -> UnionFind {
        for x in 0..self.parent.len() {
            let r = other.find(x);
            if r != x {
                self.union(x, r);
            }
        }
        self
    }
}

#[cfg(test)]
#[path = "dbscan_tests.rs"]
mod tests;
