//! Dimension reduction: PCA before clustering (when the recipe asks) and t-SNE pictures.

pub mod pca;
pub mod tsne;

use crate::matrix::Matrix;
use crate::run_options::ReduceOptions;
use pca::{Keep, PcaError, PcaModel, PcaParams};

/// The space to cluster in: the features themselves, or their principal components when
/// `[reduce]` asks for PCA. Returns (model, row-major data, its width).
pub fn reduce(
    opts: &ReduceOptions,
    data: &[f64],
    n_cols: usize,
) -> Result<(Option<PcaModel>, Vec<f64>, usize), PcaError> {
    let keep = match (opts.pca_components, opts.pca_variance) {
        (Some(c), _) => Keep::Count(c),
        (None, Some(v)) => Keep::Variance(v),
        (None, None) => return Ok((None, data.to_vec(), n_cols)),
    };
    let model = PcaParams { keep }.fit(Matrix::new(data, n_cols)?)?;
    let space = model.transform(data);
    let width = model.n_kept;
    Ok((Some(model), space, width))
}
