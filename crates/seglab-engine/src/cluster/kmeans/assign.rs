//! The assignment step, with distance bounds in the manner of Hamerly's algorithm.
//!
//! Hamerly keeps, per row, an upper bound to the own centre and one lower bound to all the
//! others, lowered by the largest centre shift every pass. When centres share a blob, a few of
//! them keep drifting for many passes, and that single bound failed for about half of the rows
//! at every pass. So the lower bound is split in two: one to the second nearest centre (lowered
//! by that centre's own shift) and one to all the rest (lowered by the largest shift); the rest
//! are usually far, and only ~6% of rows need the k distances per pass instead of ~54%.
//!
//! A pass is then limited by memory, not arithmetic, so: bounds are moved lazily (stored with
//! the pass they were exact at, brought forward from running shift totals when read), so
//! settled rows only read their 32 bytes; and rows whose bounds fail are listed first and their
//! data prefetched, because those reads are sparse and would otherwise stall one at a time.

use rayon::prelude::*;

use super::{sqdist, CHUNK};
use crate::matrix::Matrix;

/// Per-cluster coordinate sums and counts. A full pass fills them; an incremental pass returns
/// only the moves (counts as wrapping deltas), so unchanged rows never touch their data.
pub(super) struct Stats {
    pub sums: Vec<f64>,
    pub counts: Vec<usize>,
    pub changed: usize,
}

impl Stats {
    fn zero(k: usize, d: usize) -> Self {
        Stats {
            sums: vec![0.0; k * d],
            counts: vec![0; k],
            changed: 0,
        }
    }

    /// Adds `o` (which may hold wrapping count deltas) into `self`.
    pub fn add(&mut self, o: &Stats) {
        self.sums.iter_mut().zip(&o.sums).for_each(|(t, v)| *t += v);
        self.counts
            .iter_mut()
            .zip(&o.counts)
            .for_each(|(t, v)| *t = t.wrapping_add(*v));
        self.changed += o.changed;
    }
}

/// Centre movement as running totals: row `e` of `cum` is how far (Euclidean, summed over
/// updates) every centre has moved up to pass `e`, and `cmax[e]` the sum of the largest moves.
/// Bounds are stored with the pass they were exact at, and brought forward only when read.
pub(super) struct Drift {
    k: usize,
    cum: Vec<f64>,
    cmax: Vec<f64>,
}

impl Drift {
    pub fn new(k: usize) -> Self {
        Drift {
            k,
            cum: vec![0.0; k],
            cmax: vec![0.0],
        }
    }

    /// Records one centre update (Euclidean shift per centre) as the next pass.
    pub fn push(&mut self, shift: &[f64]) {
        let last = self.cum.len() - self.k;
        let next: Vec<f64> = self.cum[last..]
            .iter()
            .zip(shift)
            .map(|(c, s)| c + s)
            .collect();
        self.cum.extend(next);
        let max = shift.iter().fold(0.0, |m: f64, &s| m.max(s));
        self.cmax
            .push(self.cmax.last().expect("starts non-empty") + max);
    }

    pub fn epoch(&self) -> usize {
        self.cmax.len() - 1
    }
}

/// Per-row bounds, exact as of pass `stamp`; one struct so that a pass streams one array, and
/// settled rows only read it.
#[derive(Clone, Copy)]
struct RowBounds {
    /// Upper bound on the distance to the own centre.
    upper: f64,
    /// Lower bound on the distance to centre `second`.
    low2: f64,
    /// Lower bound on the distance to every centre other than the own one and `second`.
    rest: f64,
    second: u32,
    stamp: u32,
}

pub(super) struct Bounds {
    pub labels: Vec<u32>,
    rows: Vec<RowBounds>,
}

impl Bounds {
    pub fn new(n: usize) -> Self {
        Bounds {
            labels: vec![0; n],
            rows: vec![RowBounds::UNKNOWN; n],
        }
    }

    /// Forgets all bounds (keeping the labels), so that `Drift` can start over.
    pub fn forget(&mut self) {
        self.rows.fill(RowBounds::UNKNOWN);
    }
}

impl RowBounds {
    /// (upper, low2, rest) brought forward from pass `stamp` to the pass whose totals are `now`.
    #[inline(always)]
    fn moved(&self, drift: &Drift, a: usize, now: &[f64], cmax_now: f64) -> (f64, f64, f64) {
        let (t, s) = (self.stamp as usize, self.second as usize);
        let then = &drift.cum[t * drift.k..];
        (
            self.upper + (now[a] - then[a]),
            self.low2 - (now[s] - then[s]),
            self.rest - (cmax_now - drift.cmax[t]),
        )
    }

    /// Nothing known: the next pass re-checks the row from scratch.
    const UNKNOWN: RowBounds = RowBounds {
        upper: f64::INFINITY,
        low2: 0.0,
        rest: 0.0,
        second: 0,
        stamp: 0,
    };
}

/// One assignment pass against `centers` after the centre update recorded last in `drift`. Also
/// accumulates the sums for the next centre update (all rows if `full`, else only the moves).
pub(super) fn assign(
    data: Matrix<'_>,
    centers: Matrix<'_>,
    drift: &Drift,
    b: &mut Bounds,
    full: bool,
) -> Stats {
    let (k, d) = (centers.n_rows(), data.n_cols());
    // Half the distance from each centre to its nearest other centre.
    let half: Vec<f64> = (0..k)
        .map(|a| {
            let ca = centers.row(a);
            let m = (0..k)
                .filter(|&j| j != a)
                .map(|j| sqdist(ca, centers.row(j)))
                .fold(f64::INFINITY, f64::min);
            0.5 * m.sqrt()
        })
        .collect();
    let epoch = drift.epoch() as u32;
    let now = &drift.cum[epoch as usize * k..];
    let cmax_now = drift.cmax[epoch as usize];
    let parts: Vec<Stats> = b
        .labels
        .par_chunks_mut(CHUNK)
        .zip(b.rows.par_chunks_mut(CHUNK))
        .enumerate()
        .map(|(ci, (lab, rb))| {
            let mut st = Stats::zero(k, d);
            let base = ci * CHUNK;
            // Pass A streams the bounds and lists the rows they cannot settle. Pass B then reads
            // only those rows' data, in a tight loop of independent loads: the rows are sparse
            // in memory, so their cache misses overlap instead of stalling one by one.
            let mut todo: Vec<(u32, f64)> = Vec::new();
            for (j, r) in rb.iter().enumerate() {
                let a = lab[j] as usize;
                let (upper, low2, rest) = r.moved(drift, a, now, cmax_now);
                let m = half[a].max(low2.min(rest));
                if upper > m {
                    todo.push((j as u32, m));
                    prefetch(data.row(base + j));
                }
            }
            let da: Vec<f64> = todo
                .iter()
                .map(|&(j, _)| {
                    let a = lab[j as usize] as usize;
                    sqdist(data.row(base + j as usize), centers.row(a))
                })
                .collect();
            for (&(j, m), &da) in todo.iter().zip(&da) {
                let j = j as usize;
                let (r, a) = (&mut rb[j], lab[j] as usize);
                let upper = da.sqrt();
                if upper <= m {
                    let (_, low2, rest) = r.moved(drift, a, now, cmax_now);
                    *r = RowBounds {
                        upper,
                        low2,
                        rest,
                        second: r.second,
                        stamp: epoch,
                    };
                    continue;
                }
                let x = data.row(base + j);
                let (b1, d1, b2, d2, d3) = scan(x, centers);
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
                    lab[j] = b1 as u32;
                }
                *r = RowBounds {
                    upper: d1.sqrt(),
                    low2: d2.sqrt(),
                    rest: d3.sqrt(),
                    second: b2 as u32,
                    stamp: epoch,
                };
            }
            if full {
                for (j, &a) in lab.iter().enumerate() {
                    let a = a as usize;
                    st.counts[a] += 1;
                    let s = &mut st.sums[a * d..(a + 1) * d];
                    s.iter_mut()
                        .zip(data.row(base + j))
                        .for_each(|(s, v)| *s += v);
                }
            }
            st
        })
        .collect();
    let mut total = Stats::zero(k, d);
    parts.iter().for_each(|p| total.add(p));
    total
}

/// Asks the CPU to start loading `x` (both ends: a row may straddle two cache lines).
#[inline(always)]
fn prefetch(x: &[f64]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let (p, q) = (x.as_ptr(), x.as_ptr().wrapping_add(x.len() - 1));
        // SAFETY: SSE is part of the x86_64 baseline, and a prefetch is only a hint: it never
        // faults or changes memory, whatever the address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(p.cast());
            _mm_prefetch::<_MM_HINT_T0>(q.cast());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// All k squared distances, reduced to the three nearest: (nearest, its distance, second,
/// its distance, third distance). Ties go to the lower index, as in `distance::nearest`.
fn scan(x: &[f64], centers: Matrix<'_>) -> (usize, f64, usize, f64, f64) {
    let inf = f64::INFINITY;
    let (mut b1, mut d1, mut b2, mut d2, mut d3) = (0, inf, 0, inf, inf);
    for (cj, c) in centers.rows().enumerate() {
        let dd = sqdist(x, c);
        if dd < d1 {
            (d3, d2, b2, d1, b1) = (d2, d1, b1, dd, cj);
        } else if dd < d2 {
            (d3, d2, b2) = (d2, dd, cj);
        } else if dd < d3 {
            d3 = dd;
        }
    }
    (b1, d1, b2, d2, d3)
}

/// Gives every empty cluster the row farthest from its current centre (taken only from
/// clusters that keep at least one row), moving that row's contribution in `st`.
pub(super) fn relocate_empty(
    data: Matrix<'_>,
    centers: Matrix<'_>,
    st: &mut Stats,
    b: &mut Bounds,
) {
    let d = data.n_cols();
    let k = st.counts.len();
    let empty: Vec<usize> = (0..k).filter(|&j| st.counts[j] == 0).collect();
    if empty.is_empty() {
        return;
    }
    let labels = &b.labels;
    let dist: Vec<f64> = (0..labels.len())
        .into_par_iter()
        .map(|i| sqdist(data.row(i), centers.row(labels[i] as usize)))
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
        let x = data.row(i);
        st.counts[from] -= 1;
        st.counts[j] += 1;
        for (c, v) in x.iter().enumerate() {
            st.sums[from * d + c] -= v;
            st.sums[j * d + c] = *v;
        }
        b.labels[i] = j as u32;
        b.rows[i] = RowBounds::UNKNOWN;
    }
}
