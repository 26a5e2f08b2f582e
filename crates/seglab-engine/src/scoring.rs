//! `apply` as the engine runs it: a fitted model labels new customers from any `Source`, with
//! the transaction log when the model uses behaviour features, and says what it noticed.

use crate::behaviour::{LogError, LogReading};
use crate::load::{load_source, LoadError, Source};
use crate::model::{unscorable_summary, Applied, SegmentModel};
use crate::outcome::LABEL_COLUMNS;
use crate::preparation::PreparationError;
use crate::row_status::count_by_kind;
use crate::table::Table;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ScoringError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Events(#[from] crate::events::load::EventsLoadError),
    #[error("{path}: {source}")]
    Transactions {
        path: PathBuf,
        source: PreparationError,
    },
    #[error("{path}: cannot score these rows: {source}")]
    Score {
        path: PathBuf,
        source: PreparationError,
    },
}

/// How `apply` decides a row cannot be scored (printed in its manifest and the README).
pub const UNSCORABLE_RULE: &str = "a row is unscorable when a feature holds text that is not a number, when more than half of its features are missing, or when a missing feature has no fill value in the model";

pub struct ScoredBatch {
    /// The input's name (its path, or what stands for it).
    pub name: PathBuf,
    /// The rows as read, which the labels belong to.
    pub table: Table,
    pub applied: Applied,
    /// Notes: the model's own, replaced label columns, the applied steps'.
    pub notes: Vec<String>,
    /// Unscorable rows grouped by reason, with the first examples.
    pub warnings: Vec<String>,
    /// Loader warnings of the input and the log, each prefixed with its file.
    pub load_warnings: Vec<String>,
}

impl ScoredBatch {
    pub fn status_counts(&self) -> BTreeMap<String, usize> {
        count_by_kind(&self.applied.status)
    }

    pub fn scored_rows(&self) -> usize {
        self.applied.status.len() - self.applied.unscorable.len()
    }
}

/// Labels `input` with `model`. `model_notes`: what reading the model noticed (an old schema).
pub fn score_batch(
    model: &SegmentModel,
    model_notes: Vec<String>,
    input: Source,
    transactions: Option<Source>,
) -> Result<ScoredBatch, ScoringError> {
    let loaded = load_source(input, &model.recipe.load)?;
    let name = loaded.path;
    let mut load_warnings: Vec<String> = loaded
        .warnings
        .iter()
        .map(|w| format!("{}: {w}", name.display()))
        .collect();
    let behaviour = match (transactions, &model.fitted.behaviour) {
        (Some(source), Some(opts)) => {
            let p = source.name().to_owned();
            let (b, w) = crate::behaviour::summarize_log(source, opts, LogReading::Auto).map_err(
                |e| match e {
                    LogError::Load(e) => ScoringError::from(e),
                    LogError::Behaviour(e) => ScoringError::Transactions {
                        path: p,
                        source: e.into(),
                    },
                },
            )?;
            load_warnings.extend(w);
            Some(b)
        }
        _ => None,
    };
    let mut table = loaded.table;
    // The event columns go in before scoring: the model reads them like any input column.
    crate::events::load::add_for_apply(&model.fitted, &mut table, &mut load_warnings)?;
    let table = table;
    let applied =
        model
            .apply(&table, behaviour.as_ref())
            .map_err(|source| ScoringError::Score {
                path: name.clone(),
                source,
            })?;
    // The [derive] and label columns run wrote, so apply's segments.csv carries them too.
    let (added, label_notes) = model
        .fitted
        .applied_columns(&table, behaviour.as_ref())
        .map_err(|source| ScoringError::Score {
            path: name.clone(),
            source,
        })?;
    let mut table = table;
    crate::labels::put_columns(&mut table, added);
    let replaced: Vec<&str> = LABEL_COLUMNS
        .into_iter()
        .filter(|c| table.column(c).is_some())
        .collect();
    let mut notes = model_notes;
    if !replaced.is_empty() {
        notes.push(format!(
            "{} already has {} (a labelled file?): replaced with this model's labels",
            name.display(),
            replaced.join(", ")
        ));
    }
    notes.extend(applied.notes.iter().cloned());
    notes.extend(label_notes);
    let warnings = unscorable_summary(&applied.unscorable);
    Ok(ScoredBatch {
        name,
        table,
        applied,
        notes,
        warnings,
        load_warnings,
    })
}
