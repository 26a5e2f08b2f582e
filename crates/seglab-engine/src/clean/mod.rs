//! Cleaning: text normalization, deduplication, outliers, missing values and rare categories.
//! Each operation returns what it changed as entries in a `CleaningLog`.

pub mod dedup_step;
pub mod log;
pub mod missing;
pub mod outliers;
pub mod removed;
pub mod text;

pub use dedup_step::{DedupMode, DedupOptions, DuplicatePair, MergeRule};
pub use log::{CleaningLog, LogEntry};
pub use missing::{MissingOptions, MissingRule};
pub use outliers::{OutlierAction, OutlierMethod, OutlierRule};
pub use removed::RemovedRows;
pub use text::RareCategories;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The recipe's `[clean]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CleanOptions {
    /// Trim leading/trailing whitespace in every text cell.
    pub trim: bool,
    /// Lower-case these columns' text.
    pub case_fold: Vec<String>,
    pub rare_categories: Option<RareCategories>,
    pub dedup: DedupOptions,
    pub missing: MissingOptions,
    /// Per column: `{ method = "iqr" | "zscore", factor = 1.5, threshold = 3.0, action = "flag" | "clip" | "drop" }`.
    pub outliers: BTreeMap<String, OutlierRule>,
}

impl Default for CleanOptions {
    fn default() -> Self {
        CleanOptions {
            trim: true,
            case_fold: Vec::new(),
            rare_categories: None,
            dedup: DedupOptions::default(),
            missing: MissingOptions::default(),
            outliers: BTreeMap::new(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum CleanError {
    #[error("{option} names column '{column}', which is not in the table (columns: {available})")]
    UnknownColumn {
        option: String,
        column: String,
        available: String,
    },
    #[error("{option}: column '{column}' is {actual}, but {wanted}")]
    WrongType {
        option: String,
        column: String,
        actual: &'static str,
        wanted: &'static str,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("clean.missing.knn_k must be at least 1")]
    ZeroKnnK,
    #[error("clean.missing: column '{column}' has no values to learn from for knn")]
    NoKnnDonors { column: String },
}

/// Resolve a column name for an option, or say which option named a missing column.
pub fn require(
    table: &crate::table::Table,
    option: &str,
    column: &str,
) -> Result<usize, CleanError> {
    table
        .index_of(column)
        .ok_or_else(|| CleanError::UnknownColumn {
            option: option.to_string(),
            column: column.to_string(),
            available: table.names().join(", "),
        })
}
