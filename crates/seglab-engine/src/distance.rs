//! The one Euclidean kernel: squared distance, nearest centre, and nearest centre of every row.
//! Clustering, labelling new rows, the metrics and imputation all measure through these, so a
//! row gets the same distance (to the last bit) wherever it is measured.

use rayon::prelude::*;

use crate::matrix::Matrix;

/// Rows per parallel work item in `assign`.
const CHUNK: usize = 4096;

/// Squared Euclidean distance, summed in column order (so every width gives the same bits as
/// the plain loop). Few columns are the common case; fixed widths unroll fully, which makes the
/// distance several times cheaper than the generic loop.
#[inline(always)]
pub fn sqdist(a: &[f64], b: &[f64]) -> f64 {
    match a.len() {
        2 => sqdist_n::<2>(a, b),
        3 => sqdist_n::<3>(a, b),
        4 => sqdist_n::<4>(a, b),
        5 => sqdist_n::<5>(a, b),
        6 => sqdist_n::<6>(a, b),
        7 => sqdist_n::<7>(a, b),
        8 => sqdist_n::<8>(a, b),
        _ => a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum(),
    }
}

#[inline(always)]
fn sqdist_n<const N: usize>(a: &[f64], b: &[f64]) -> f64 {
    let (a, b): (&[f64; N], &[f64; N]) = (a.try_into().unwrap(), b.try_into().unwrap());
    let mut s = -0.0;
    for c in 0..N {
        s += (a[c] - b[c]) * (a[c] - b[c]);
    }
    s
}

/// (index, squared distance) of the centre nearest to `x`; ties go to the lower index. With
/// no centres (or no finite distance), (0, infinity).
#[inline]
pub fn nearest(centers: Matrix<'_>, x: &[f64]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (j, c) in centers.rows().enumerate() {
        let dd = sqdist(x, c);
        if dd < best.1 {
            best = (j, dd);
        }
    }
    best
}

/// Index of the nearest centre of every row of `data`, in parallel (each row on its own, so
/// the result does not depend on the thread count).
pub fn assign(data: Matrix<'_>, centers: Matrix<'_>) -> Vec<usize> {
    par_rows(data, |x| nearest(centers, x).0)
}

/// `nearest` (index and squared distance) for every row of `data`, in parallel.
pub fn assign_with_distance(data: Matrix<'_>, centers: Matrix<'_>) -> Vec<(usize, f64)> {
    par_rows(data, |x| nearest(centers, x))
}

fn par_rows<T: Send>(data: Matrix<'_>, f: impl Fn(&[f64]) -> T + Sync) -> Vec<T> {
    let d = data.n_cols().max(1);
    data.data()
        .par_chunks(CHUNK * d)
        .flat_map_iter(|rows| rows.chunks_exact(d).map(&f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(a: &[f64], b: &[f64]) -> f64 {
        let mut s = 0.0;
        for (x, y) in a.iter().zip(b) {
            s += (x - y) * (x - y);
        }
        s
    }

    #[test]
    fn every_width_sums_like_the_plain_loop() {
        // Values of mixed magnitude, so a different summation order would show in the bits.
        for d in 1..=12 {
            let a: Vec<f64> = (0..d)
                .map(|i| (i as f64 * 1.7).sin() * 10f64.powi(i % 5))
                .collect();
            let b: Vec<f64> = (0..d).map(|i| (i as f64 * 0.3).cos() * 1e-3).collect();
            assert_eq!(sqdist(&a, &b).to_bits(), plain(&a, &b).to_bits(), "d = {d}");
        }
    }

    #[test]
    fn ties_go_to_the_lower_index() {
        let c = [1.0, 0.0, -1.0, 0.0, 0.0, 1.0];
        let centers = Matrix::trusted(&c, 2);
        assert_eq!(nearest(centers, &[0.0, 0.0]), (0, 1.0));
        assert_eq!(nearest(centers, &[0.0, 0.9]).0, 2);
        assert_eq!(nearest(Matrix::trusted(&[], 2), &[0.0, 0.0]).0, 0);
    }

    #[test]
    fn assign_matches_nearest_across_chunks() {
        let n = CHUNK * 2 + 17;
        let mut rng = crate::rng::Rng::new(3);
        let data: Vec<f64> = (0..n * 3).map(|_| rng.f64() * 10.0).collect();
        let c = [0.0, 0.0, 0.0, 5.0, 5.0, 5.0, 10.0, 0.0, 5.0];
        let (m, centers) = (Matrix::trusted(&data, 3), Matrix::trusted(&c, 3));
        let got = assign(m, centers);
        assert_eq!(got.len(), n);
        assert!((0..n).all(|i| got[i] == nearest(centers, m.row(i)).0));
        assert!(got.contains(&0) && got.contains(&1) && got.contains(&2));
    }
}
