//! Label columns a marketer reads next to the clusters: `rule_segment` (the first `[[rules]]`
//! condition a customer meets), `lifecycle` (New / Loyal / Active / At risk / Lapsed) and
//! `score` with its `tier` (`[score]`). Learned on the run's table (`fit`) and stored in the
//! model, so `apply` labels new customers the same way (`FittedLabels::columns`).

mod lifecycle;
mod score;

#[cfg(test)]
mod tests;

pub use lifecycle::LifecycleOptions;
pub use score::{FittedScore, ScoreOptions, Tier};

use crate::expr::{self, closest_names, ExprError};
use crate::table::{Column, ColumnData, ColumnType, Table, TextColumn};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What customers meeting none of the rules are called.
pub const NO_RULE: &str = "Other";
pub const RULE_COLUMN: &str = "rule_segment";
pub const LIFECYCLE_COLUMN: &str = "lifecycle";
pub const SCORE_COLUMN: &str = "score";
pub const TIER_COLUMN: &str = "tier";

/// One `[[rules]]` entry: customers for whom `when` holds (and no earlier rule) are `name`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub when: String,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LabelError {
    /// Boxed: the expression and its context make it the largest of the preparation errors.
    #[error(transparent)]
    Expression(Box<ExprError>),
    #[error(
        "{option} names column '{column}', which is not in the table{}",
        did_you_mean(closest)
    )]
    UnknownColumn {
        option: String,
        column: String,
        closest: Vec<String>,
    },
    #[error("{option} names column '{column}', which is {actual}; it needs numbers")]
    NotNumeric {
        option: String,
        column: String,
        actual: &'static str,
    },
    #[error("score.weights is empty: give at least one column and its weight")]
    NoWeights,
    #[error("score.weights.{column} = {weight}: a weight must be a finite number other than 0")]
    BadWeight { column: String, weight: f64 },
    #[error("score.tiers needs a tier with min = 0 (the lowest tier), so every score has a tier")]
    NoFloorTier,
    #[error("score.tiers are tried in order, so list them from the highest min down: '{lower}' (min {lower_min}) comes before '{higher}' (min {higher_min})")]
    TiersOutOfOrder {
        lower: String,
        lower_min: f64,
        higher: String,
        higher_min: f64,
    },
    #[error("lifecycle: {message}")]
    Thresholds { message: &'static str },
}

impl From<ExprError> for LabelError {
    fn from(e: ExprError) -> Self {
        LabelError::Expression(Box::new(e))
    }
}

fn did_you_mean(closest: &[String]) -> String {
    match closest {
        [] => String::new(),
        names => format!(" (did you mean {}?)", names.join(" or ")),
    }
}

/// The numbers of a column the labels read, or why it cannot be read.
pub(crate) fn numbers(
    table: &Table,
    option: &str,
    column: &str,
) -> Result<Vec<Option<f64>>, LabelError> {
    let c = table
        .column(column)
        .ok_or_else(|| LabelError::UnknownColumn {
            option: option.to_string(),
            column: column.to_string(),
            closest: closest_names(column, table.names().into_iter()),
        })?;
    match &c.data {
        ColumnData::Number(v) => Ok(v.clone()),
        ColumnData::Boolean(v) => Ok(v.iter().map(|b| b.map(|b| b as u8 as f64)).collect()),
        _ => Err(LabelError::NotNumeric {
            option: option.to_string(),
            column: column.to_string(),
            actual: c.ty.name(),
        }),
    }
}

/// Everything the label columns need, as stored in model.json.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FittedLabels {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<LifecycleOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<FittedScore>,
}

/// Learn what the labels need from the run's table (the score's reference values), checking
/// every option first.
pub fn fit(
    table: &Table,
    rules: &[Rule],
    lifecycle: Option<&LifecycleOptions>,
    score: Option<&ScoreOptions>,
) -> Result<FittedLabels, LabelError> {
    Ok(FittedLabels {
        rules: rules.to_vec(),
        lifecycle: lifecycle.cloned(),
        score: score.map(|s| s.fit(table)).transpose()?,
    })
}

impl FittedLabels {
    /// The label columns for `table` (rules, lifecycle, score and tier, those configured) and
    /// notes about anything skipped.
    pub fn columns(
        &self,
        table: &Table,
        as_of: NaiveDate,
    ) -> Result<(Vec<Column>, Vec<String>), LabelError> {
        let mut columns = Vec::new();
        let mut notes = Vec::new();
        if !self.rules.is_empty() {
            columns.push(rule_column(table, &self.rules, as_of)?);
        }
        if let Some(l) = &self.lifecycle {
            let (column, note) = l.column(table)?;
            columns.push(column);
            notes.extend(note);
        }
        if let Some(s) = &self.score {
            columns.extend(s.columns(table)?);
        }
        Ok((columns, notes))
    }
}

/// Put each column into `table`, replacing one of the same name.
pub fn put_columns(table: &mut Table, columns: Vec<Column>) {
    for column in columns {
        match table.index_of(&column.name) {
            Some(i) => table.columns[i] = column,
            None => table.columns.push(column),
        }
    }
}

fn rule_column(table: &Table, rules: &[Rule], as_of: NaiveDate) -> Result<Column, LabelError> {
    let mut conditions = Vec::with_capacity(rules.len());
    for (i, rule) in rules.iter().enumerate() {
        let context = format!("rules[{i}].when ({})", rule.name);
        let parsed = expr::parse(&rule.when, &context)?;
        conditions.push(parsed.bind(table, &rule.when, &context)?);
    }
    let names: TextColumn = (0..table.n_rows())
        .map(|r| {
            let first = conditions.iter().position(|c| c.holds_at(table, r, as_of));
            Some(first.map_or(NO_RULE, |i| rules[i].name.as_str()))
        })
        .collect();
    Ok(Column::new(
        RULE_COLUMN,
        ColumnType::Category,
        ColumnData::Text(names),
    ))
}

/// Add the label columns to the run's table; notes go to the cleaning log as warnings.
pub fn add_to_table(
    table: &mut Table,
    labels: &FittedLabels,
    as_of: NaiveDate,
    log: &mut crate::clean::CleaningLog,
) -> Result<(), LabelError> {
    let (columns, notes) = labels.columns(table, as_of)?;
    put_columns(table, columns);
    for note in notes {
        log.warn(note);
    }
    Ok(())
}
