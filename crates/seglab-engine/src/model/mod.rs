//! `model.json`: everything needed to label new customers the way a run labelled its own —
//! the fitted data preparation, the optional PCA, the centroids and the segment names.
//! Read through `SegmentModel::from_json`, which checks every value (`validate`) so labelling
//! never indexes out of range; `score` prepares new rows and says what happened to each.

mod score;
mod validate;

pub use score::{parse_written_number, Scored, Unscorable};
pub use validate::MAX_ABS;

use crate::behaviour::Behaviour;
use crate::distance;
use crate::matrix::Matrix;
use crate::preparation::{FittedFeatures, PreparationError};
use crate::reduce::pca::PcaModel;
use crate::row_status::RowStatus;
use crate::segment::{Algorithm, CorePoints};
use crate::table::Table;
use serde::{Deserialize, Serialize};

/// The `schema_version` `run` writes. Files without one are version 0 (same layout, no ranges).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a seglab model: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentName {
    pub id: usize,
    pub name: String,
}

/// The range a numeric feature had in the cleaned training data (before log1p and scaling).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureRange {
    pub column: String,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentModel {
    /// 0 when the file has none (written before versioning).
    #[serde(default)]
    pub schema_version: u32,
    pub seglab_version: String,
    /// The recipe of the run (its load options read the new file the same way).
    pub recipe: crate::recipe::Recipe,
    pub fitted: FittedFeatures,
    pub pca: Option<PcaModel>,
    pub algorithm: Algorithm,
    /// Columns of the space the centroids live in (after PCA when used).
    pub n_cols: usize,
    /// Segment means in that space, k × n_cols.
    pub centroids: Vec<f64>,
    /// DBSCAN only: new rows take the cluster of a core point within eps, or are noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_points: Option<CorePoints>,
    pub segments: Vec<SegmentName>,
    /// Training range of each numeric feature: new values far outside are flagged (version 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<FeatureRange>,
}

/// New customers, labelled.
pub struct Applied {
    /// One per input row; None: DBSCAN noise, or the row is unscorable (see `status`).
    pub labels: Vec<Option<usize>>,
    pub status: Vec<RowStatus>,
    /// (input row, reason) of every unscorable row.
    pub unscorable: Vec<(usize, Unscorable)>,
    pub notes: Vec<String>,
}

/// The training range of each numeric feature of the cleaned table.
pub fn training_ranges(cleaned: &Table, numeric: &[String]) -> Vec<FeatureRange> {
    numeric
        .iter()
        .filter_map(|name| {
            let values = cleaned.column(name)?.data.as_numbers()?;
            let (min, max) = values
                .iter()
                .flatten()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                });
            (min <= max).then(|| FeatureRange {
                column: name.clone(),
                min,
                max,
            })
        })
        .collect()
}

impl SegmentModel {
    /// Parse and check a model file; the notes say how it was read (e.g. as version 0).
    pub fn from_json(text: &str) -> Result<(SegmentModel, Vec<String>), ModelError> {
        let model: SegmentModel = serde_json::from_str(text)?;
        model.validate()?;
        let mut notes = Vec::new();
        if model.schema_version == 0 {
            notes.push(
                "the model has no schema_version: read as version 0 (written by an older seglab); it has no training ranges, so values far outside them are not flagged"
                    .to_string(),
            );
        }
        Ok((model, notes))
    }

    /// Label new rows. Needs a validated model (`from_json` or `validate`).
    pub fn apply(
        &self,
        table: &Table,
        behaviour: Option<&Behaviour>,
    ) -> Result<Applied, PreparationError> {
        let scored = self.score(table, behaviour)?;
        let space = match &self.pca {
            Some(p) if !scored.rows.is_empty() => p.transform(&scored.data),
            Some(_) => Vec::new(),
            None => scored.data,
        };
        // Scored rows are finite (the rest are unscorable), and `validate` checked the shapes.
        let space = Matrix::trusted(&space, self.n_cols);
        let found = match &self.core_points {
            Some(core) => core.label(space),
            None => distance::assign(space, Matrix::trusted(&self.centroids, self.n_cols))
                .into_iter()
                .map(Some)
                .collect(),
        };
        let mut labels = vec![None; scored.status.len()];
        for (&r, l) in scored.rows.iter().zip(found) {
            labels[r] = l;
        }
        Ok(Applied {
            labels,
            status: scored.status,
            unscorable: scored.unscorable,
            notes: scored.notes,
        })
    }

    /// The names of the clustered space's columns: the principal components, or the scaled
    /// features.
    pub fn space_columns(&self) -> Vec<String> {
        match &self.pca {
            Some(_) => (1..=self.n_cols).map(|i| format!("PC{i}")).collect(),
            None => self
                .fitted
                .scaler
                .columns
                .iter()
                .map(|c| c.name.clone())
                .collect(),
        }
    }

    pub fn name_of(&self, id: usize) -> &str {
        self.segments
            .iter()
            .find(|s| s.id == id)
            .map_or("", |s| s.name.as_str())
    }
}

/// The printed account of unscorable rows: one line per reason with a count and the first
/// examples (data rows counted from 1, the header not counted).
pub fn unscorable_summary(rows: &[(usize, Unscorable)]) -> Vec<String> {
    const EXAMPLES: usize = 5;
    let mut groups: Vec<(String, usize, Vec<String>)> = Vec::new();
    for (r, why) in rows {
        let key = why.group();
        let i = match groups.iter().position(|g| g.0 == key) {
            Some(i) => i,
            None => {
                groups.push((key, 0, Vec::new()));
                groups.len() - 1
            }
        };
        let g = &mut groups[i];
        g.1 += 1;
        if g.2.len() < EXAMPLES {
            g.2.push(format!("row {} ({why})", r + 1));
        }
    }
    groups
        .into_iter()
        .map(|(key, count, examples)| {
            let more = if count > examples.len() { ", …" } else { "" };
            format!(
                "{count} row(s) unscorable, {key}: {}{more}",
                examples.join(", ")
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unscorable_rows_are_counted_per_reason_with_the_first_rows() {
        let text = |r: usize| {
            (
                r,
                Unscorable::NotANumber {
                    column: "spend".into(),
                    text: format!("x{r}"),
                },
            )
        };
        let mut rows: Vec<(usize, Unscorable)> = (0..7).map(text).collect();
        rows.insert(2, (40, Unscorable::MostlyMissing { missing: 3, of: 4 }));
        let lines = unscorable_summary(&rows);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "7 row(s) unscorable, text that is not a number in 'spend': row 1 (spend = 'x0'), row 2 (spend = 'x1'), row 3 (spend = 'x2'), row 4 (spend = 'x3'), row 5 (spend = 'x4'), …"
        );
        assert_eq!(
            lines[1],
            "1 row(s) unscorable, more than half of the 4 features missing: row 41 (3 of 4 missing)"
        );
    }
}
