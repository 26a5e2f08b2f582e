//! The files `seglab clean` writes: the cleaned table and the feature table (CSV and Parquet),
//! the input's inspect report, the fitted transform, the cleaning log, the duplicate pairs for review, and the recipe used.

use super::atomic::StagedDir;
use super::table_files::{write_csv, write_parquet};
use crate::engine::inspect::InspectReport;
use crate::engine::pipeline::Prepared;
use crate::recipe::Recipe;
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

/// `inspect`: the data-quality report of the input, before cleaning.
pub fn write(
    out: &Path,
    inspect: &InspectReport,
    prepared: &Prepared,
    recipe: &Recipe,
) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    dir.write("inspect.json", pretty_json(inspect).as_bytes())?;
    dir.write_with("cleaned.csv", |w| write_csv(&prepared.cleaned, w))?;
    dir.write_with("cleaned.parquet", |w| write_parquet(&prepared.cleaned, w))?;
    let features = prepared.features.to_table();
    dir.write_with("features.csv", |w| write_csv(&features, w))?;
    dir.write_with("features.parquet", |w| write_parquet(&features, w))?;
    dir.write("transform.json", pretty_json(&prepared.fitted).as_bytes())?;
    dir.write("cleaning_log.txt", prepared.log.to_string().as_bytes())?;
    dir.write("cleaning_log.json", pretty_json(&prepared.log).as_bytes())?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for p in &prepared.duplicates {
        w.serialize(p).map_err(io::Error::other)?;
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

pub fn pretty_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default() + "\n"
}
