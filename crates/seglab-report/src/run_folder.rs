//! Reads back a run folder seglab wrote (its model.json and segments.csv) as the comparison
//! of two runs needs it.

use seglab_engine::compare::RunSegments;
use seglab_engine::load::{load, LoadError, LoadOptions};
use seglab_engine::model::{ModelError, SegmentModel};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RunFolderError {
    #[error("{path}: not a seglab run folder (no {file})")]
    NotARun { path: PathBuf, file: &'static str },
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Model { path: PathBuf, source: ModelError },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{path}: no column '{column}'")]
    NoColumn { path: PathBuf, column: String },
    #[error("{path}, row {row}: segment_id '{value}' is not a segment of its model.json")]
    BadSegment {
        path: PathBuf,
        row: usize,
        value: String,
    },
}

/// A run folder's model (names, centroids, clustered columns) and its segments.csv.
pub fn read_run(dir: &Path) -> Result<RunSegments, RunFolderError> {
    let model_path = dir.join("model.json");
    let csv = dir.join("segments.csv");
    for (path, file) in [(&model_path, "model.json"), (&csv, "segments.csv")] {
        if !path.is_file() {
            return Err(RunFolderError::NotARun {
                path: dir.to_owned(),
                file,
            });
        }
    }
    let text = std::fs::read_to_string(&model_path).map_err(|source| RunFolderError::Read {
        path: model_path.clone(),
        source,
    })?;
    let (model, _) = SegmentModel::from_json(&text).map_err(|source| RunFolderError::Model {
        path: model_path.clone(),
        source,
    })?;
    let k = model.centroids.len() / model.n_cols.max(1);
    let names: Vec<String> = (0..k).map(|id| model.name_of(id).to_string()).collect();
    let mut loaded = load(&csv, &LoadOptions::default())?;
    crate::formula::undo_escape_of_seglab_output(&csv, &mut loaded.table);
    let table = &loaded.table;
    let id_name = model
        .fitted
        .id
        .clone()
        .or_else(|| table.columns.first().map(|c| c.name.clone()))
        .unwrap_or_default();
    let column = |name: &str| {
        table.column(name).ok_or_else(|| RunFolderError::NoColumn {
            path: csv.clone(),
            column: name.to_string(),
        })
    };
    let ids = &column(&id_name)?.data;
    let segs = &column("segment_id")?.data;
    let mut customers = Vec::with_capacity(ids.len());
    for row in 0..ids.len() {
        let Some(id) = ids.display(row) else { continue };
        let seg = match segs.display(row) {
            None => None,
            Some(v) => match v.parse::<usize>() {
                Ok(s) if s < k => Some(s),
                _ => {
                    return Err(RunFolderError::BadSegment {
                        path: csv.clone(),
                        row: row + 1,
                        value: v,
                    })
                }
            },
        };
        customers.push((id, seg));
    }
    Ok(RunSegments {
        names,
        centroids: model.centroids.clone(),
        columns: model.space_columns(),
        customers,
    })
}
