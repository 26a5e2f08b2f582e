//! The whole flow as the CLI and the TUI both run it: read the inputs (and the transaction log),
//! inspect, clean and build features, then reduce, cluster, judge and (optionally) draw t-SNE.
//! Progress goes to a callback; cancellation through `JobControl`.

use crate::engine::behaviour::{summarize, Behaviour};
use crate::engine::features::FeatureError;
use crate::engine::inspect::{inspect, InspectReport};
use crate::engine::job::JobControl;
use crate::engine::load::{load, LoadError};
use crate::engine::matrix::Matrix;
use crate::engine::pipeline::{prepare, PipelineError, Prepared, STEPS};
use crate::engine::reduce::pca::{PcaModel, MAX_PCA_DIM};
use crate::engine::reduce::tsne::TsneParams;
use crate::engine::segment::{segment, Algorithm, ClusterOptions, Segmentation};
use crate::engine::sweep::{max_k, K_CAP, MIN_ROWS};
use crate::recipe::Recipe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{path}: {source}")]
    Pipeline {
        path: PathBuf,
        source: PipelineError,
    },
    #[error("{path}: {message}")]
    Run { path: PathBuf, message: String },
    #[error("cancelled")]
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

/// Where the k settings come from, for messages.
const KEY_K: &str = "cluster.k (--k)";
const KEY_K_MIN: &str = "cluster.k_min (--k-range)";
const KEY_K_MAX: &str = "cluster.k_max (--k-range)";

/// Settings no data can satisfy, checked before anything is read: a k beyond `K_CAP` (such a
/// sweep would run for hours).
pub fn check_settings(recipe: &Recipe) -> Result<(), FlowError> {
    let c = &recipe.cluster;
    if c.algorithm == Algorithm::Dbscan {
        return Ok(());
    }
    for (key, value) in [(KEY_K, c.k.unwrap_or(0)), (KEY_K_MAX, c.k_max)] {
        if value > K_CAP {
            return Err(FlowError::KBeyondCap { key, value });
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
) -> Result<ClusterOptions, FlowError> {
    let mut c = recipe.cluster.clone();
    let dbscan = c.algorithm == Algorithm::Dbscan;
    if dbscan && c.min_points > n_rows {
        return Err(FlowError::MinPointsBeyondRows {
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
        return Err(FlowError::TooFewRows {
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
    let too_many = |key, value| FlowError::KBeyondRows {
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

/// Progress stages reported by `prepare_inputs`: load, inspect, then the pipeline's steps.
pub const PREPARE_STAGES: usize = STEPS.len() + 2;

pub struct PreparedInputs {
    pub report: InspectReport,
    pub prepared: Prepared,
    /// Loader warnings, each prefixed with its file.
    pub warnings: Vec<String>,
}

/// 2-D t-SNE points and the input rows they stand for.
pub struct TsnePicture {
    pub xy: Vec<(f64, f64)>,
    pub rows: Vec<usize>,
}

/// Data layer, optional PCA, then segmentation.
pub struct Segmented {
    /// Shared: the TUI keeps the prepared inputs while it re-clusters them.
    pub inputs: Arc<PreparedInputs>,
    pub pca: Option<PcaModel>,
    /// The matrix clustered (after PCA when used), row-major.
    pub space: Vec<f64>,
    pub n_cols: usize,
    pub seg: Segmentation,
    /// t-SNE picture (when the recipe asks).
    pub tsne: Option<TsnePicture>,
    pub seconds: Vec<(String, f64)>,
}

/// The transaction log: `flag` wins, else the recipe's file relative to the recipe.
pub fn transactions_path(
    recipe: &Recipe,
    recipe_path: Option<&Path>,
    flag: Option<&Path>,
) -> Option<PathBuf> {
    if let Some(f) = flag {
        return Some(f.to_owned());
    }
    let file = recipe.transactions.as_ref()?.file.as_ref()?;
    let base = recipe_path.and_then(Path::parent).unwrap_or(Path::new(""));
    Some(base.join(file))
}

/// `progress(stage, name)` is called before each of the `PREPARE_STAGES` stages.
pub fn prepare_inputs(
    recipe: &mut Recipe,
    recipe_path: Option<&Path>,
    input: &Path,
    transactions: Option<&Path>,
    progress: &mut dyn FnMut(usize, &str),
) -> Result<PreparedInputs, FlowError> {
    progress(0, "load");
    let mut warnings = Vec::new();
    // The transaction log first: it is summarised and freed before the customers are read, so
    // the two tables are never held together (peak memory).
    let behaviour: Option<Behaviour> = match transactions_path(recipe, recipe_path, transactions) {
        Some(p) => {
            let t = load(&p, &Default::default())?;
            warnings.extend(t.warnings.iter().map(|w| format!("{}: {w}", p.display())));
            // A --transactions flag without a [transactions] table uses the default column names.
            let opts = recipe.transactions.get_or_insert_with(Default::default);
            Some(summarize(&t.table, opts).map_err(|e| FlowError::Pipeline {
                path: p.clone(),
                source: e.into(),
            })?)
        }
        None => None,
    };
    let loaded = load(input, &recipe.load)?;
    warnings.extend(
        loaded
            .warnings
            .iter()
            .map(|w| format!("{}: {w}", input.display())),
    );
    progress(1, "inspect");
    let report = inspect(
        &input.display().to_string(),
        &loaded.table,
        &loaded.warnings,
    );
    let today = chrono::Local::now().date_naive();
    let prepared = prepare(loaded.table, behaviour.as_ref(), recipe, today, &mut |i| {
        progress(i + 2, STEPS[i])
    })
    .map_err(|source| FlowError::Pipeline {
        path: input.to_owned(),
        source,
    })?;
    Ok(PreparedInputs {
        report,
        prepared,
        warnings,
    })
}

/// Optional PCA, the segmentation (with its sweep) and the t-SNE picture when asked.
/// `prepare_seconds` is recorded in `seconds` as the "prepare" step.
pub fn segment_prepared(
    recipe: &Recipe,
    inputs: Arc<PreparedInputs>,
    input: &Path,
    prepare_seconds: f64,
    job: &JobControl,
) -> Result<Segmented, FlowError> {
    let t1 = Instant::now();
    let run_err = |message: String| FlowError::Run {
        path: input.to_owned(),
        message,
    };
    let f = &inputs.prepared.features;
    if f.names.is_empty() {
        let fitted = &inputs.prepared.fitted;
        let count = fitted.numeric.len() + fitted.one_hot.len();
        return Err(FlowError::Pipeline {
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
        crate::report::run_output::reduce(recipe, &f.data, f.names.len()).map_err(run_err)?;
    if f.n_rows.min(n_cols) > MAX_PCA_DIM {
        notes.push(format!(
            "no PCA picture or scree chart: {} rows × {n_cols} columns is beyond the PCA bound \
             (the smaller of the two at most {MAX_PCA_DIM})",
            f.n_rows
        ));
    }
    let matrix = Matrix::new(&space, n_cols).map_err(|e| run_err(e.to_string()))?;
    let mut seg = segment(matrix, &cluster, recipe.seed, job).map_err(|e| {
        if job.is_cancelled() {
            FlowError::Cancelled
        } else {
            run_err(e.to_string())
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
            .map_err(|e| run_err(format!("reduce.tsne: {e}")))?;
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
        seg,
        tsne,
        seconds,
    })
}
