//! `[score]`: a 0..1 value score from weighted criteria, and named tiers of it.
//!
//! Each criterion is ranked as a percentile: the share of the run's other customers with a
//! strictly lower value, (values below) / (n − 1), so ties share the lowest rank, the lowest
//! value ranks 0 and a unique highest 1. A negative weight means lower is better: its rank
//! counts as 1 − rank. The score is the mean of the ranks weighted by |weight|; a customer
//! missing any criterion has no score and no tier. New customers (`apply`) are ranked against
//! the run's customers, whose sorted values the model keeps.

use super::{numbers, LabelError, SCORE_COLUMN, TIER_COLUMN};
use crate::table::{Column, ColumnData, ColumnType, Table, TextColumn};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub name: String,
    pub min: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreOptions {
    /// Column → weight; negative: lower values are better (e.g. recency_days).
    pub weights: BTreeMap<String, f64>,
    /// Tried in order; the first whose `min` the score reaches names the customer.
    pub tiers: Vec<Tier>,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        let tier = |name: &str, min| Tier {
            name: name.into(),
            min,
        };
        ScoreOptions {
            weights: BTreeMap::new(),
            tiers: vec![tier("VIP", 0.8), tier("Core", 0.5), tier("Occasional", 0.0)],
        }
    }
}

/// The score options with each criterion's sorted training values (the ranking reference).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedScore {
    pub weights: BTreeMap<String, f64>,
    pub tiers: Vec<Tier>,
    pub reference: BTreeMap<String, Vec<f64>>,
}

impl ScoreOptions {
    fn check(&self) -> Result<(), LabelError> {
        if self.weights.is_empty() {
            return Err(LabelError::NoWeights);
        }
        if let Some((column, &weight)) = self
            .weights
            .iter()
            .find(|(_, w)| !w.is_finite() || **w == 0.0)
        {
            return Err(LabelError::BadWeight {
                column: column.clone(),
                weight,
            });
        }
        check_tiers(&self.tiers)
    }

    pub(super) fn fit(&self, table: &Table) -> Result<FittedScore, LabelError> {
        self.check()?;
        let mut reference = BTreeMap::new();
        for column in self.weights.keys() {
            let mut present: Vec<f64> = numbers(table, &format!("score.weights.{column}"), column)?
                .into_iter()
                .flatten()
                .filter(|x| x.is_finite())
                .collect();
            present.sort_by(f64::total_cmp);
            reference.insert(column.clone(), present);
        }
        Ok(FittedScore {
            weights: self.weights.clone(),
            tiers: self.tiers.clone(),
            reference,
        })
    }
}

fn check_tiers(tiers: &[Tier]) -> Result<(), LabelError> {
    if !tiers.iter().any(|t| t.min <= 0.0) {
        return Err(LabelError::NoFloorTier);
    }
    for pair in tiers.windows(2) {
        if pair[0].min < pair[1].min || pair[0].min.is_nan() {
            return Err(LabelError::TiersOutOfOrder {
                lower: pair[0].name.clone(),
                lower_min: pair[0].min,
                higher: pair[1].name.clone(),
                higher_min: pair[1].min,
            });
        }
    }
    Ok(())
}

/// Share of `sorted` strictly below `x`, over n − 1 (clamped to 0..1 for values the
/// reference did not hold).
pub fn percentile_rank(sorted: &[f64], x: f64) -> f64 {
    if sorted.len() < 2 {
        return 0.0;
    }
    let below = sorted.partition_point(|&v| v < x);
    (below as f64 / (sorted.len() - 1) as f64).min(1.0)
}

impl FittedScore {
    /// The same checks as the recipe's options (for a model read from a file).
    pub fn check(&self) -> Result<(), LabelError> {
        ScoreOptions {
            weights: self.weights.clone(),
            tiers: self.tiers.clone(),
        }
        .check()
    }

    pub fn score(&self, values: &[Option<f64>]) -> Option<f64> {
        let (mut total, mut weights) = (0.0, 0.0);
        for ((column, &weight), value) in self.weights.iter().zip(values) {
            let reference = self.reference.get(column).map_or(&[][..], Vec::as_slice);
            let rank = percentile_rank(reference, (*value)?);
            total += weight.abs() * if weight < 0.0 { 1.0 - rank } else { rank };
            weights += weight.abs();
        }
        (weights > 0.0).then(|| total / weights)
    }

    pub fn tier(&self, score: f64) -> Option<&str> {
        self.tiers
            .iter()
            .find(|t| score >= t.min)
            .map(|t| t.name.as_str())
    }

    /// The `score` and `tier` columns.
    pub(super) fn columns(&self, table: &Table) -> Result<[Column; 2], LabelError> {
        check_tiers(&self.tiers)?;
        let criteria = self
            .weights
            .keys()
            .map(|c| numbers(table, &format!("score.weights.{c}"), c))
            .collect::<Result<Vec<_>, _>>()?;
        let scores: Vec<Option<f64>> = (0..table.n_rows())
            .map(|r| {
                let row: Vec<Option<f64>> = criteria.iter().map(|c| c[r]).collect();
                self.score(&row)
            })
            .collect();
        let tiers: TextColumn = scores
            .iter()
            .map(|s| s.and_then(|s| self.tier(s)))
            .collect();
        Ok([
            Column::new(SCORE_COLUMN, ColumnType::Number, ColumnData::Number(scores)),
            Column::new(TIER_COLUMN, ColumnType::Category, ColumnData::Text(tiers)),
        ])
    }
}
