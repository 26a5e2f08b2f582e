//! The one view every algorithm reads: a row-major matrix of finite numbers, checked once.

use rayon::prelude::*;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    #[error("data needs at least one column")]
    NoColumns,
    #[error("data length {len} is not a multiple of the column count {n_cols}")]
    Shape { len: usize, n_cols: usize },
    #[error("data contains a missing or non-finite value (row {row}, column {col})")]
    NonFinite { row: usize, col: usize },
}

/// Rows scanned per parallel work item by the finiteness check.
const SCAN_ROWS: usize = 4096;

/// `n_rows × n_cols` values, row-major. Built by `new` (checked) or `trusted` (already checked).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix<'a> {
    data: &'a [f64],
    n_rows: usize,
    n_cols: usize,
}

impl<'a> Matrix<'a> {
    /// Checks the shape and that every value is finite.
    pub fn new(data: &'a [f64], n_cols: usize) -> Result<Self, MatrixError> {
        if n_cols == 0 {
            return Err(MatrixError::NoColumns);
        }
        if !data.len().is_multiple_of(n_cols) {
            return Err(MatrixError::Shape {
                len: data.len(),
                n_cols,
            });
        }
        // Chunked scan: much cheaper than a per-element `position_first`, same first hit.
        let bad = data
            .par_chunks(SCAN_ROWS * n_cols)
            .enumerate()
            .find_map_first(|(c, v)| {
                v.iter()
                    .position(|x| !x.is_finite())
                    .map(|p| c * SCAN_ROWS * n_cols + p)
            });
        if let Some(pos) = bad {
            return Err(MatrixError::NonFinite {
                row: pos / n_cols,
                col: pos % n_cols,
            });
        }
        Ok(Self::trusted(data, n_cols))
    }

    /// A view of data the caller built or checked itself (centroids, samples of a checked
    /// matrix). Only the shape is asserted; zero columns give zero rows.
    #[inline]
    pub fn trusted(data: &'a [f64], n_cols: usize) -> Self {
        debug_assert!(n_cols == 0 || data.len().is_multiple_of(n_cols));
        Matrix {
            data,
            n_rows: data.len().checked_div(n_cols).unwrap_or(0),
            n_cols,
        }
    }

    #[inline]
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    #[inline]
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    #[inline]
    pub fn data(&self) -> &'a [f64] {
        self.data
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.n_rows == 0
    }

    #[inline(always)]
    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.data[i * self.n_cols..(i + 1) * self.n_cols]
    }

    #[inline]
    pub fn rows(&self) -> std::slice::ChunksExact<'a, f64> {
        self.data.chunks_exact(self.n_cols.max(1))
    }

    /// Rows `start..end` as a view.
    #[inline]
    pub fn slice(&self, start: usize, end: usize) -> Matrix<'a> {
        Matrix::trusted(
            &self.data[start * self.n_cols..end * self.n_cols],
            self.n_cols,
        )
    }

    /// The chosen rows, copied in the given order.
    pub fn gather(&self, rows: &[usize]) -> Vec<f64> {
        let mut out = Vec::with_capacity(rows.len() * self.n_cols);
        for &r in rows {
            out.extend_from_slice(self.row(r));
        }
        out
    }
}

/// For tests: a `fit_raw(data, n_cols, ..)` method on a params type, the fit as callers reach
/// it (raw rows checked into a `Matrix` first), so tests keep asserting on data errors.
#[cfg(test)]
macro_rules! fit_raw {
    ($params:ty => $out:ty, $err:ty $(, $arg:ident: $t:ty)*) => {
        trait FitRaw {
            fn fit_raw(&self, data: &[f64], d: usize $(, $arg: $t)*) -> Result<$out, $err>;
        }

        impl FitRaw for $params {
            fn fit_raw(&self, data: &[f64], d: usize $(, $arg: $t)*) -> Result<$out, $err> {
                self.fit($crate::matrix::Matrix::new(data, d)? $(, $arg)*)
            }
        }
    };
}
#[cfg(test)]
pub(crate) use fit_raw;

#[cfg(test)]
mod tests {
    use super::*;

    fn check(data: &[f64], n_cols: usize) -> Result<usize, MatrixError> {
        Matrix::new(data, n_cols).map(|m| m.n_rows())
    }

    #[test]
    fn shape_and_values() {
        assert_eq!(check(&[1.0, 2.0, 3.0, 4.0], 2), Ok(2));
        assert_eq!(check(&[1.0], 0), Err(MatrixError::NoColumns));
        assert_eq!(
            check(&[1.0, 2.0, 3.0], 2),
            Err(MatrixError::Shape { len: 3, n_cols: 2 })
        );
        assert_eq!(
            check(&[1.0, 2.0, f64::NAN, 4.0], 2),
            Err(MatrixError::NonFinite { row: 1, col: 0 })
        );
    }

    #[test]
    fn first_non_finite_past_a_scan_chunk() {
        let mut v = vec![0.0; (SCAN_ROWS * 3) * 2];
        v[SCAN_ROWS * 4 + 1] = f64::INFINITY;
        v[SCAN_ROWS * 5] = f64::NAN;
        assert_eq!(
            check(&v, 2),
            Err(MatrixError::NonFinite {
                row: SCAN_ROWS * 2,
                col: 1
            })
        );
    }

    #[test]
    fn rows_and_slices() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let m = Matrix::new(&v, 2).unwrap();
        assert_eq!((m.n_rows(), m.n_cols()), (3, 2));
        assert_eq!(m.row(1), &[3.0, 4.0]);
        assert_eq!(m.rows().nth(2), Some(&[5.0, 6.0][..]));
        assert_eq!(m.slice(1, 3).data(), &v[2..]);
        assert_eq!(m.gather(&[2, 0]), vec![5.0, 6.0, 1.0, 2.0]);
        assert_eq!(Matrix::trusted(&[], 0).n_rows(), 0);
    }
}
