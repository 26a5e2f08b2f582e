//! The one check every algorithm makes on its input: a row-major matrix of finite numbers.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatrixError {
    #[error("data needs at least one column")]
    NoColumns,
    #[error("data length {len} is not a multiple of the column count {n_cols}")]
    Shape { len: usize, n_cols: usize },
    #[error("data contains a missing or non-finite value (row {row}, column {col})")]
    NonFinite { row: usize, col: usize },
}

/// Number of rows of `data` read as rows of `n_cols`, once shape and values are sound.
pub fn check(data: &[f64], n_cols: usize) -> Result<usize, MatrixError> {
    if n_cols == 0 {
        return Err(MatrixError::NoColumns);
    }
    if !data.len().is_multiple_of(n_cols) {
        return Err(MatrixError::Shape {
            len: data.len(),
            n_cols,
        });
    }
    if let Some(pos) = data.iter().position(|v| !v.is_finite()) {
        return Err(MatrixError::NonFinite {
            row: pos / n_cols,
            col: pos % n_cols,
        });
    }
    Ok(data.len() / n_cols)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
