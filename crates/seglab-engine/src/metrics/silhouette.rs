//! Exact silhouette: per-row sums of distances to every cluster, each pair computed once.
//!
//! Rows are sorted by cluster so that labels form contiguous runs, then cut into blocks of
//! `LANES` rows. Strip `b` pairs block `b` with every later row `j`: `sqrt(dist)` is added to the
//! block rows' sums (kept in registers across a run of equal labels) and, reduced over the
//! block's rows in a fixed tree, to row `j`'s sum. Strips are dealt to a fixed number of groups
//! (from the input size, not the thread count); each group owns a full sum buffer and runs its
//! strips in order, and the buffers are added in group order, so results are deterministic.

use rayon::prelude::*;

use crate::matrix::Matrix;

/// Rows per block, vectorised across lanes (4 AVX2 registers).
const LANES: usize = 16;
type Lanes = [f64; LANES];
/// Entries of all group buffers together (32 MiB), unless `MIN_GROUPS` buffers need more.
const BUFFER_BUDGET: usize = 1 << 22;
/// Group counts: enough to balance the strips over the threads, even on huge inputs.
const MIN_GROUPS: usize = 8;
const MAX_GROUPS: usize = 32;

/// The rows sorted by cluster, plus each block transposed and zero-padded for the kernel.
struct Sorted {
    n: usize,
    d: usize,
    /// Dense cluster id per sorted row.
    lab: Vec<usize>,
    /// Sorted rows, row-major.
    xs: Vec<f64>,
    /// Block `b`, feature `f`, lane `i` at `(b * d + f) * LANES + i`.
    xt: Vec<f64>,
    /// Cluster `l` holds the sorted rows `start[l]..start[l + 1]`.
    start: Vec<usize>,
}

/// Per-row silhouette for labels with per-label counts `c` (at least two non-empty clusters);
/// `portable` skips the AVX2 kernel (for tests that both kernels agree bit for bit).
pub(super) fn samples(data: Matrix<'_>, labels: &[usize], c: &[usize], portable: bool) -> Vec<f64> {
    let (n, d) = (labels.len(), data.n_cols());
    // Dense ids for the non-empty labels, so buffers do not grow with unused label ids.
    let mut dense = vec![usize::MAX; c.len()];
    let mut start = vec![0];
    for (l, &cl) in c.iter().enumerate() {
        if cl > 0 {
            dense[l] = start.len() - 1;
            start.push(start.last().unwrap() + cl);
        }
    }
    let k = start.len() - 1;
    let mut next = start.clone();
    let mut order = vec![0; n];
    for (r, &l) in labels.iter().enumerate() {
        let slot = &mut next[dense[l]];
        order[*slot] = r;
        *slot += 1;
    }
    let nb = n.div_ceil(LANES);
    let mut s = Sorted {
        n,
        d,
        lab: order.iter().map(|&r| dense[labels[r]]).collect(),
        xs: data.gather(&order),
        xt: vec![0.0; nb * d * LANES],
        start,
    };
    for (p, row) in s.xs.chunks_exact(d).enumerate() {
        let (b, i) = (p / LANES, p % LANES);
        for (f, &v) in row.iter().enumerate() {
            s.xt[(b * d + f) * LANES + i] = v;
        }
    }
    let sums = pair_sums(&s, k, portable);
    let size: Vec<usize> = s.start.windows(2).map(|w| w[1] - w[0]).collect();
    let mut out = vec![0.0; n];
    for (p, &r) in order.iter().enumerate() {
        let own = s.lab[p];
        if size[own] == 1 {
            continue;
        }
        let a = sums[own * n + p] / (size[own] - 1) as f64;
        let b = (0..k)
            .filter(|&l| l != own)
            .map(|l| sums[l * n + p] / size[l] as f64)
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        out[r] = if m > 0.0 { (b - a) / m } else { 0.0 };
    }
    out
}

/// `sums[l * n + p]`: total distance from sorted row `p` to the rows of cluster `l`.
fn pair_sums(s: &Sorted, k: usize, portable: bool) -> Vec<f64> {
    let n = s.n;
    let groups = (BUFFER_BUDGET / (n * k))
        .clamp(MIN_GROUPS, MAX_GROUPS)
        .min(n.div_ceil(LANES));
    let bufs: Vec<Vec<f64>> = (0..groups)
        .into_par_iter()
        .map(|g| match portable {
            true => group(s, k, g, groups, run),
            false => group_fast(s, k, g, groups),
        })
        .collect();
    let mut total = vec![0.0; n * k];
    total.par_chunks_mut(4096).enumerate().for_each(|(ci, t)| {
        for buf in &bufs {
            t.iter_mut()
                .zip(&buf[ci * 4096..])
                .for_each(|(t, v)| *t += v);
        }
    });
    total
}

/// Runs `group` with the AVX2 kernel when the CPU has it. The AVX2 kernel performs the same
/// operations in the same order as the portable one (no FMA), so results do not depend on it.
fn group_fast(s: &Sorted, k: usize, g: usize, groups: usize) -> Vec<f64> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { avx2::group(s, k, g, groups) };
    }
    group(s, k, g, groups, run)
}

/// The sum buffer of group `g`, using `run_fn` for the pairs of a block with a run of rows.
/// Strips are dealt in a snake order (0..G, G-1..0, ...) so the long early strips spread over
/// all groups.
#[inline(always)]
fn group(s: &Sorted, k: usize, g: usize, groups: usize, run_fn: RunFn) -> Vec<f64> {
    let mut buf = vec![0.0; s.n * k];
    let nb = s.n.div_ceil(LANES);
    for base in (0..nb).step_by(groups) {
        let b = if (base / groups).is_multiple_of(2) {
            base + g
        } else {
            base + groups - 1 - g
        };
        if b < nb {
            strip(s, b, &mut buf, run_fn);
        }
    }
    buf
}

/// Squared distances from row `xj` to the lanes of the transposed block `xt`.
#[inline(always)]
fn dist_to(xt: &[f64], xj: &[f64]) -> Lanes {
    let mut dist = [0.0; LANES];
    for (col, &v) in xt.chunks_exact(LANES).zip(xj) {
        let col: &Lanes = col.try_into().unwrap();
        for i in 0..LANES {
            let t = col[i] - v;
            dist[i] += t * t;
        }
    }
    dist
}

/// Sum of the lanes in a fixed tree order (the same with or without SIMD).
#[inline(always)]
fn lane_sum(m: &Lanes) -> f64 {
    let mut h = [0.0; 8];
    for i in 0..8 {
        h[i] = m[i] + m[i + 8];
    }
    let mut q = [0.0; 4];
    for i in 0..4 {
        q[i] = h[i] + h[i + 4];
    }
    (q[0] + q[2]) + (q[1] + q[3])
}

/// Adds the pairs of block `b` with rows `j >= b * LANES` to `buf` (see the module docs).
#[inline(always)]
fn strip(s: &Sorted, b: usize, buf: &mut [f64], run_fn: RunFn) {
    let (n, d) = (s.n, s.d);
    let i0 = b * LANES;
    let rows = LANES.min(n - i0);
    let xt = &s.xt[b * d * LANES..(b + 1) * d * LANES];
    // Runs of equal labels among the block's rows, as lane bit masks (padding lanes in none).
    let mut runs: Vec<(usize, [u64; LANES])> = Vec::with_capacity(2);
    for i in 0..rows {
        if i == 0 || s.lab[i0 + i] != s.lab[i0 + i - 1] {
            runs.push((s.lab[i0 + i], [0; LANES]));
        }
        runs.last_mut().unwrap().1[i] = u64::MAX;
    }
    // Within the block: both rows of each pair are block rows, so only the lane sums.
    for j in i0..i0 + rows {
        let dist = dist_to(xt, &s.xs[j * d..(j + 1) * d]);
        let own = &mut buf[s.lab[j] * n + i0..][..rows];
        for (o, v) in own.iter_mut().zip(dist) {
            *o += v.sqrt();
        }
    }
    // Later rows, one run of equal labels at a time.
    let after = i0 + rows;
    for l in 0..s.start.len() - 1 {
        let (lo, hi) = (s.start[l].max(after), s.start[l + 1]);
        if lo < hi {
            let acc = run_fn(xt, &s.xs[lo * d..hi * d], d, &runs, &mut buf[lo..], n);
            let own = &mut buf[l * n + i0..][..rows];
            for (o, v) in own.iter_mut().zip(acc) {
                *o += v;
            }
        }
    }
}

/// Lane masks of the block rows, per cluster present in the block.
type Runs = [(usize, [u64; LANES])];
/// Kernel for a block against rows `xs` (all of one cluster): returns the per-lane distance
/// sums and adds each row's masked lane sums to `buf[a * n + j]` (`buf` starts at the first row).
type RunFn = fn(&[f64], &[f64], usize, &Runs, &mut [f64], usize) -> Lanes;

/// Portable kernel; `avx2::run` must match it operation for operation.
fn run(xt: &[f64], xs: &[f64], d: usize, runs: &Runs, buf: &mut [f64], n: usize) -> Lanes {
    let mut acc = [0.0; LANES];
    for (j, xj) in xs.chunks_exact(d).enumerate() {
        let dist = dist_to(xt, xj);
        let mut dv = [0.0; LANES];
        for i in 0..LANES {
            dv[i] = dist[i].sqrt();
            acc[i] += dv[i];
        }
        for (a, mask) in runs {
            let mut m = [0.0; LANES];
            for i in 0..LANES {
                m[i] = f64::from_bits(dv[i].to_bits() & mask[i]);
            }
            buf[a * n + j] += lane_sum(&m);
        }
    }
    acc
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Lanes, Runs, Sorted, LANES};
    use std::arch::x86_64::*;

    #[target_feature(enable = "avx2")]
    pub(super) fn group(s: &Sorted, k: usize, g: usize, groups: usize) -> Vec<f64> {
        // The closure inherits AVX2 from this function.
        super::group(s, k, g, groups, |xt, xs, d, runs, buf, n| {
            run(xt, xs, d, runs, buf, n)
        })
    }

    /// `super::run` with 4 × 4 lanes; `lane_sum`'s tree is (v0 + v2) + (v1 + v3), then the
    /// halves, then the pair.
    #[target_feature(enable = "avx2")]
    fn run(xt: &[f64], xs: &[f64], d: usize, runs: &Runs, buf: &mut [f64], n: usize) -> Lanes {
        assert_eq!(xt.len(), d * LANES);
        let masks: Vec<(usize, [__m256d; 4])> = runs
            .iter()
            .map(|(a, m)| {
                let v = |q: usize| {
                    let m = &m[4 * q..4 * q + 4];
                    _mm256_castsi256_pd(_mm256_set_epi64x(
                        m[3] as i64,
                        m[2] as i64,
                        m[1] as i64,
                        m[0] as i64,
                    ))
                };
                (*a, [v(0), v(1), v(2), v(3)])
            })
            .collect();
        let mut acc = [_mm256_setzero_pd(); 4];
        for (j, xj) in xs.chunks_exact(d).enumerate() {
            let mut dist = [_mm256_setzero_pd(); 4];
            for (col, &x) in xt.chunks_exact(LANES).zip(xj) {
                let v = _mm256_set1_pd(x);
                for (q, dq) in dist.iter_mut().enumerate() {
                    // SAFETY: `col` has LANES = 16 entries, so 4 * q + 4 <= 16 are in bounds.
                    let c = unsafe { _mm256_loadu_pd(col.as_ptr().add(4 * q)) };
                    let t = _mm256_sub_pd(c, v);
                    *dq = _mm256_add_pd(*dq, _mm256_mul_pd(t, t));
                }
            }
            let sv = dist.map(|x| _mm256_sqrt_pd(x));
            for q in 0..4 {
                acc[q] = _mm256_add_pd(acc[q], sv[q]);
            }
            for (a, m) in &masks {
                let h0 = _mm256_add_pd(_mm256_and_pd(sv[0], m[0]), _mm256_and_pd(sv[2], m[2]));
                let h1 = _mm256_add_pd(_mm256_and_pd(sv[1], m[1]), _mm256_and_pd(sv[3], m[3]));
                let q = _mm256_add_pd(h0, h1);
                let p = _mm_add_pd(_mm256_castpd256_pd128(q), _mm256_extractf128_pd::<1>(q));
                let t = _mm_add_sd(p, _mm_unpackhi_pd(p, p));
                buf[a * n + j] += _mm_cvtsd_f64(t);
            }
        }
        let mut out = [0.0; LANES];
        for (q, o) in out.chunks_exact_mut(4).enumerate() {
            // SAFETY: `o` has 4 entries.
            unsafe { _mm256_storeu_pd(o.as_mut_ptr(), acc[q]) };
        }
        out
    }
}
