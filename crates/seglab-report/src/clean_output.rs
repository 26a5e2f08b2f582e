//! The files `seglab clean` writes: the cleaned table and the feature table (CSV and Parquet),
//! the input's inspect report, the fitted transform, the cleaning log, the duplicate pairs for review, and the recipe used.

use super::atomic::StagedDir;
use super::formula::escape;
use super::table_files::{write_csv_with, write_parquet};
use seglab_engine::clean::dedup_step::DuplicatePair;
use seglab_engine::inspect::InspectReport;
use seglab_engine::preparation::Prepared;
use seglab_engine::recipe::Recipe;
use std::io;
use std::path::{Path, PathBuf};

pub const FILES: [&str; 10] = [
    "inspect.json",
    "cleaned.csv",
    "cleaned.parquet",
    "features.csv",
    "features.parquet",
    "transform.json",
    "cleaning_log.txt",
    "cleaning_log.json",
    "duplicates.csv",
    "recipe.toml",
];

/// The files `write` produces for `prepared`: all of `FILES`, except the feature table when
/// there are no features (cleaning works on any table).
pub fn files_for(prepared: &Prepared) -> Vec<&'static str> {
    let has_features = !prepared.features.names.is_empty();
    FILES
        .into_iter()
        .filter(|f| has_features || !f.starts_with("features."))
        .collect()
}

/// `inspect`: the data-quality report of the input, before cleaning (inspect.json when given).
pub fn write(
    out: &Path,
    inspect: Option<&InspectReport>,
    prepared: &Prepared,
    recipe: &Recipe,
) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    // These are review files: they keep personal data (only segments.csv/.parquet drop it).
    let escape = recipe.export.formula_escape;
    if let Some(inspect) = inspect {
        dir.write("inspect.json", pretty_json(inspect).as_bytes())?;
    }
    dir.write_with("cleaned.csv", |w| {
        write_csv_with(&prepared.cleaned, w, escape)
    })?;
    dir.write_with("cleaned.parquet", |w| write_parquet(&prepared.cleaned, w))?;
    if !prepared.features.names.is_empty() {
        let features = prepared.features.to_table();
        dir.write_with("features.csv", |w| write_csv_with(&features, w, escape))?;
        dir.write_with("features.parquet", |w| write_parquet(&features, w))?;
    }
    dir.write("transform.json", pretty_json(&prepared.fitted).as_bytes())?;
    dir.write("cleaning_log.txt", prepared.log.to_string().as_bytes())?;
    dir.write("cleaning_log.json", pretty_json(&prepared.log).as_bytes())?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for p in &prepared.duplicates {
        w.serialize(escaped_pair(p, escape))
            .map_err(io::Error::other)?;
    }
    if prepared.duplicates.is_empty() {
        w.write_record([
            "group", "row_a", "row_b", "id_a", "id_b", "label_a", "label_b", "score", "reason",
            "kept_row",
        ])?;
    }
    dir.write(
        "duplicates.csv",
        &w.into_inner()
            .map_err(|e| io::Error::other(e.to_string()))?,
    )?;
    dir.write("recipe.toml", recipe.to_toml().as_bytes())?;
    dir.commit()
}

/// The pair with its text fields formula-escaped (ids and labels come from the data).
fn escaped_pair(p: &DuplicatePair, on: bool) -> DuplicatePair {
    let esc = |s: &str| {
        if on {
            escape(s).into_owned()
        } else {
            s.to_string()
        }
    };
    DuplicatePair {
        id_a: esc(&p.id_a),
        id_b: esc(&p.id_b),
        label_a: esc(&p.label_a),
        label_b: esc(&p.label_b),
        reason: esc(&p.reason),
        ..p.clone()
    }
}

pub fn pretty_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}
