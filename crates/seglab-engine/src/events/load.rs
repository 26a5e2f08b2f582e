//! Reading the event log named by `[events] file`: for a run (before the customers are read, so
//! only the compact summary is held with them) and for `apply` (the file the model was fitted
//! with, its path stored absolute in the model).

use super::{add_events, summarize, Events, EventsError, EventsOptions};
use crate::load::{load_source, LoadError, Source};
use crate::preparation::FittedFeatures;
use crate::recipe::Recipe;
use crate::table::Table;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum EventsLoadError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{path}: {source}")]
    Events { path: PathBuf, source: EventsError },
    #[error("{path}: the model's event log is not there, and its features {columns} come from it")]
    Missing { path: PathBuf, columns: String },
    #[error("the model's as-of date '{0}' is not a date like 2026-01-01")]
    AsOf(String),
}

/// Loads and summarises the log; `warnings` gets the loader's and the guessed roles.
fn read(
    opts: &EventsOptions,
    warnings: &mut Vec<String>,
) -> Result<Option<Events>, EventsLoadError> {
    let Some(file) = &opts.file else {
        return Ok(None);
    };
    let loaded = load_source(Source::Path(PathBuf::from(file)), &opts.load)?;
    let path = loaded.path;
    warnings.extend(
        loaded
            .warnings
            .iter()
            .map(|w| format!("{}: {w}", path.display())),
    );
    let events = summarize(&loaded.table, opts).map_err(|source| EventsLoadError::Events {
        path: path.clone(),
        source,
    })?;
    if !events.roles.guessed.is_empty() {
        warnings.push(format!(
            "{}: guessed: {}",
            path.display(),
            events.roles.guessed.join(", ")
        ));
    }
    Ok(Some(events))
}

/// The recipe's event log summarised, its roles pinned in the recipe (so the saved recipe and
/// the model name every column used). None without `[events] file`.
pub fn from_recipe(
    recipe: &mut Recipe,
    warnings: &mut Vec<String>,
) -> Result<Option<Events>, EventsLoadError> {
    let Some(opts) = recipe.events.as_mut() else {
        return Ok(None);
    };
    if opts.file.is_none() {
        warnings.push("[events] names no file: no event features".to_string());
    }
    let events = read(opts, warnings)?;
    if let Some(e) = &events {
        e.roles.pin(opts);
    }
    Ok(events)
}

/// For `apply`: the event columns of the model's log as of the model's date, added to `table`.
pub fn add_for_apply(
    fitted: &FittedFeatures,
    table: &mut Table,
    warnings: &mut Vec<String>,
) -> Result<(), EventsLoadError> {
    let Some(opts) = &fitted.events else {
        return Ok(());
    };
    let as_of = chrono::NaiveDate::parse_from_str(&fitted.as_of, "%Y-%m-%d")
        .map_err(|_| EventsLoadError::AsOf(fitted.as_of.clone()))?;
    // A model moved to another machine may not find its log: without the event columns it
    // still scores when none of them is a feature.
    if let Some(file) = opts.file.as_deref().filter(|f| !Path::new(f).exists()) {
        let used: Vec<&str> = super::COLUMNS
            .into_iter()
            .filter(|c| fitted.numeric.iter().any(|n| n == c))
            .collect();
        if !used.is_empty() {
            return Err(EventsLoadError::Missing {
                path: PathBuf::from(file),
                columns: used.join(", "),
            });
        }
        warnings.push(format!(
            "{file}: the model's event log is not there; event columns are left out"
        ));
        return Ok(());
    }
    let Some(events) = read(opts, warnings)? else {
        return Ok(());
    };
    let mut log = crate::clean::CleaningLog::default();
    add_events(table, &events, as_of, &mut log).map_err(|source| EventsLoadError::Events {
        path: PathBuf::from(opts.file.clone().unwrap_or_default()),
        source,
    })
}
