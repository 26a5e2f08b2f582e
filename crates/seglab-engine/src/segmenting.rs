//! From prepared inputs to segments: k held to what the data allows, optional PCA, the
//! segmentation (with its sweep and judgement) and, when asked, the t-SNE picture.
//! Progress goes to the job's control; cancellation through it too.

use crate::features::FeatureError;
use crate::inputs::PreparedInputs;
use crate::job::JobControl;
use crate::matrix::{Matrix, MatrixError};
use crate::preparation::PreparationError;
use crate::recipe::Recipe;
use crate::reduce::pca::{PcaError, PcaModel, MAX_PCA_DIM};
use crate::reduce::reduce;
use crate::reduce::tsne::{TsneError, TsneParams};
use crate::segment::{segment, Algorithm, ClusterOptions, SegmentError, Segmentation};
use crate::sweep::{max_k, K_CAP, MIN_ROWS};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum SegmentingError {
    #[error("{path}: {source}")]
    Preparation {
        path: PathBuf,
        source: PreparationError,
    },
    #[error("{path}: reduce: {source}")]
    Reduce { path: PathBuf, source: PcaError },
    #[error("{path}: {source}")]
    Matrix { path: PathBuf, source: MatrixError },
    #[error("{path}: {source}")]
    Segment { path: PathBuf, source: SegmentError },
    #[error("{path}: reduce.tsne: {source}")]
    Tsne { path: PathBuf, source: TsneError },
    #[error("cancelled by the user")]
    Cancelled,
    #[error("{key} = {value} is more segments than seglab fits: at most {K_CAP}")]
    KBeyondCap { key: &'static str, value: usize },
    #[error(
        "{path}: {key} = {value} is too many segments for {rows} rows: at most {limit} \
         (half the rows, and never more than {K_CAP})"
    )]
    KBeyondRows {
        path: PathBuf,
        key: &'static str,
        value: usize,
        rows: usize,
        limit: usize,
    },
    #[error("{path}: {rows} row(s) to segment{detail}; seglab needs at least {min} rows ({why})")]
    TooFewRows {
        path: PathBuf,
        rows: usize,
        min: usize,
        why: &'static str,
        /// How many rows were loaded, when cleaning removed some.
        detail: String,
    },
    #[error(
        "{path}: cluster.min_points = {min_points} is more than the {rows} rows to cluster \
         (DBSCAN needs that many neighbours to start a cluster); lower cluster.min_points"
    )]
    MinPointsBeyondRows {
        path: PathBuf,
        min_points: usize,
        rows: usize,
    },
}

/// 2-D t-SNE points and the input rows they stand for.
pub struct TsnePicture {
    pub xy: Vec<(f64, f64)>,
    pub rows: Vec<usize>,
}

/// Prepared inputs, optional PCA, then segmentation.
pub struct Segmented {
    /// Shared: the TUI keeps the prepared inputs while it re-clusters them.
    pub inputs: Arc<PreparedInputs>,
    pub pca: Option<PcaModel>,
    /// The matrix clustered (after PCA when used), row-major.
    pub space: Vec<f64>,
    pub n_cols: usize,
    pub segmentation: Segmentation,
    /// t-SNE picture (when the recipe asks).
    pub tsne: Option<TsnePicture>,
    pub seconds: Vec<(String, f64)>,
}

/// Where the k settings come from, for messages.
const KEY_K: &str = "cluster.k (--k)";
const KEY_K_MIN: &str = "cluster.k_min (--k-range)";
const KEY_K_MAX: &str = "cluster.k_max (--k-range)";

/// Settings no data can satisfy, checked before anything is read: a k beyond `K_CAP` (such a
/// sweep would run for hours).
pub fn check_settings(recipe: &Recipe) -> Result<(), SegmentingError> {
    let c = &recipe.cluster;
    if c.algorithm == Algorithm::Dbscan {
        return Ok(());
    }
    for (key, value) in [(KEY_K, c.k.unwrap_or(0)), (KEY_K_MAX, c.k_max)] {
        if value > K_CAP {
            return Err(SegmentingError::KBeyondCap { key, value });
        }
    }
    Ok(())
}

/// The cluster options with k held to what `n_rows` rows allow (`sweep::max_k`): a fixed k or a
/// k_min beyond it is refused; a k_max beyond it is lowered with a note (the default k_max of 10
/// on a small table is no mistake).
fn limit_k(
    recipe: &Recipe,
    n_rows: usize,
    input: &Path,
    row_counts: &[(String, usize)],
    notes: &mut Vec<String>,
) -> Result<ClusterOptions, SegmentingError> {
    let mut c = recipe.cluster.clone();
    let dbscan = c.algorithm == Algorithm::Dbscan;
    if dbscan && c.min_points > n_rows {
        return Err(SegmentingError::MinPointsBeyondRows {
            path: input.to_owned(),
            min_points: c.min_points,
            rows: n_rows,
        });
    }
    let (min, why) = if dbscan {
        (2, "DBSCAN compares rows with each other")
    } else {
        (MIN_ROWS, "two segments of two customers")
    };
    if n_rows < min {
        let loaded = row_counts.first().map_or(n_rows, |(_, n)| *n);
        return Err(SegmentingError::TooFewRows {
            path: input.to_owned(),
            rows: n_rows,
            min,
            why,
            detail: if loaded == n_rows {
                String::new()
            } else {
                format!(" after cleaning ({loaded} loaded)")
            },
        });
    }
    if dbscan {
        return Ok(c);
    }
    check_settings(recipe)?;
    let limit = max_k(n_rows);
    let too_many = |key, value| SegmentingError::KBeyondRows {
        path: input.to_owned(),
        key,
        value,
        rows: n_rows,
        limit,
    };
    if let Some(k) = c.k.filter(|&k| k > limit) {
        return Err(too_many(KEY_K, k));
    }
    if c.k_min > limit {
        return Err(too_many(KEY_K_MIN, c.k_min));
    }
    if c.k_max > limit {
        notes.push(format!(
            "the sweep stops at k = {limit} instead of cluster.k_max = {}: {n_rows} rows allow \
             at most {limit} segments (half the rows, never more than {K_CAP})",
            c.k_max
        ));
        c.k_max = limit;
    }
    Ok(c)
}

/// Optional PCA, the segmentation (with its sweep) and the t-SNE picture when asked.
/// `prepare_seconds` is recorded in `seconds` as the "prepare" step.
pub fn segment_prepared(
    recipe: &Recipe,
    inputs: Arc<PreparedInputs>,
    prepare_seconds: f64,
    job: &JobControl,
) -> Result<Segmented, SegmentingError> {
    let t1 = Instant::now();
    let input = inputs.name.clone();
    let input = input.as_path();
    let f = &inputs.prepared.features;
    if f.names.is_empty() {
        let fitted = &inputs.prepared.fitted;
        let count = fitted.numeric.len() + fitted.one_hot.len();
        return Err(SegmentingError::Preparation {
            path: input.to_owned(),
            source: match count {
                0 => FeatureError::Empty,
                _ => FeatureError::AllConstant { count },
            }
            .into(),
        });
    }
    let mut notes = Vec::new();
    let cluster = limit_k(
        recipe,
        f.n_rows,
        input,
        &inputs.prepared.row_counts,
        &mut notes,
    )?;
    let (pca, space, n_cols) =
        reduce(&recipe.reduce, &f.data, f.names.len()).map_err(|source| {
            SegmentingError::Reduce {
                path: input.to_owned(),
                source,
            }
        })?;
    if f.n_rows.min(n_cols) > MAX_PCA_DIM {
        notes.push(format!(
            "no PCA picture or scree chart: {} rows × {n_cols} columns is beyond the PCA bound \
             (the smaller of the two at most {MAX_PCA_DIM})",
            f.n_rows
        ));
    }
    let matrix = Matrix::new(&space, n_cols).map_err(|source| SegmentingError::Matrix {
        path: input.to_owned(),
        source,
    })?;
    let mut seg = segment(matrix, &cluster, recipe.seed, job).map_err(|e| {
        if job.is_cancelled() {
            SegmentingError::Cancelled
        } else {
            SegmentingError::Segment {
                path: input.to_owned(),
                source: e,
            }
        }
    })?;
    seg.notes.splice(0..0, notes);
    let tsne = if recipe.reduce.tsne {
        let params = TsneParams {
            perplexity: recipe.reduce.perplexity,
            seed: recipe.seed,
            ..TsneParams::default()
        };
        let fit = params
            .fit(matrix, job)
            .map_err(|source| SegmentingError::Tsne {
                path: input.to_owned(),
                source,
            })?;
        let xy = fit.embedding.chunks(2).map(|p| (p[0], p[1])).collect();
        if fit.rows.len() < space.len() / n_cols.max(1) {
            seg.notes.push(format!(
                "the t-SNE picture shows a seeded sample of {} rows",
                fit.rows.len()
            ));
        }
        Some(TsnePicture { xy, rows: fit.rows })
    } else {
        None
    };
    let seconds = vec![
        ("prepare".to_string(), prepare_seconds),
        ("cluster".to_string(), t1.elapsed().as_secs_f64()),
    ];
    Ok(Segmented {
        inputs,
        pca,
        space,
        n_cols,
        segmentation: seg,
        tsne,
        seconds,
    })
}
