//! Features: derived columns (age, tenure), feature selection, one-hot encoding, signed log1p,
//! and the feature matrix that clustering consumes.

use crate::load::infer::name_says_id;
use crate::scale::FittedScaler;
use crate::table::{date_to_days, days_to_date, Column, ColumnData, ColumnType, Table, TextColumn};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Categories one one-hot column encodes at most: the most frequent ones; every other value
/// shares the feature `<column>=(other)`.
pub const ONE_HOT_MAX_CATEGORIES: usize = 20;

/// The shared category of the values beyond the `ONE_HOT_MAX_CATEGORIES` most frequent.
pub const OTHER_CATEGORY: &str = "(other)";

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FeatureOptions {
    /// Number/boolean feature columns (after derivation). Empty: every number, integer and
    /// boolean column that is not an id, plus the derived ones, except outcome-like columns
    /// (profiled, not clustered on) and integer codes such as Channel 1/2 (one-hot encoded).
    pub columns: Vec<String>,
    /// Category columns to one-hot encode (one 0/1 feature per category).
    pub one_hot: Vec<String>,
    /// Features to compress with sign(x)·ln(1 + |x|) before scaling (skewed money columns).
    pub log1p: Vec<String>,
    /// Date column to derive `age` (whole years at `as_of`) from, or a column of birth years
    /// (e.g. 1957; age = as_of's year − birth year; years outside 1900..=as_of's year are missing).
    pub age_from: Option<String>,
    /// Date column to derive `tenure_days` (days until `as_of`) from.
    pub tenure_from: Option<String>,
    /// Reference date for age and tenure, "YYYY-MM-DD". Omitted: today (the run says so).
    pub as_of: Option<String>,
    /// Id column carried into the feature table (default: the first id column).
    pub id: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FeatureError {
    #[error("{option} names column '{column}', which is not in the table (columns: {available})")]
    UnknownColumn {
        option: String,
        column: String,
        available: String,
    },
    #[error("feature '{column}' is {actual}, not numeric: {hint}")]
    NotNumeric {
        column: String,
        actual: &'static str,
        hint: &'static str,
    },
    #[error("feature '{column}' has no values (all missing)")]
    AllMissing { column: String },
    #[error(
        "feature '{column}' still has {count} missing value(s); set clean.missing.columns.{column}"
    )]
    StillMissing { column: String, count: usize },
    #[error(
        "features.age_from '{column}' holds numbers but none is a birth year (1900 to \
         {as_of_year}); age_from takes a date column or a column of birth years"
    )]
    NotBirthYears { column: String, as_of_year: i32 },
    #[error("features.as_of '{0}' is not a date like 2026-01-01")]
    BadDate(String),
    #[error("no features to cluster on: list number columns in features.columns or category columns in features.one_hot")]
    Empty,
    #[error(
        "all {count} feature(s) have a single value after cleaning, so nothing tells the \
         customers apart; add features (features.columns, features.one_hot)"
    )]
    AllConstant { count: usize },
    #[error(
        "features.one_hot names '{column}', which looks like an identifier ({distinct} distinct \
         values in {rows} rows): one-hot encoding it gives every customer a feature of their \
         own; remove it from features.one_hot (an id column is carried into the output anyway)"
    )]
    OneHotIdentifier {
        column: String,
        distinct: usize,
        rows: usize,
    },
}

fn unknown(table: &Table, option: &str, column: &str) -> FeatureError {
    FeatureError::UnknownColumn {
        option: option.into(),
        column: column.into(),
        available: table.names().join(", "),
    }
}

pub fn as_of_date(opts: &FeatureOptions, today: NaiveDate) -> Result<NaiveDate, FeatureError> {
    match &opts.as_of {
        None => Ok(today),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| FeatureError::BadDate(s.clone())),
    }
}

/// Add `age` and/or `tenure_days`. Returns the names added.
pub fn derive(
    table: &mut Table,
    opts: &FeatureOptions,
    as_of: NaiveDate,
) -> Result<Vec<String>, FeatureError> {
    let mut added = Vec::new();
    let specs = [
        ("age", &opts.age_from, "features.age_from"),
        ("tenure_days", &opts.tenure_from, "features.tenure_from"),
    ];
    for (out, from, option) in specs {
        let Some(from) = from else { continue };
        let col = table
            .column(from)
            .ok_or_else(|| unknown(table, option, from))?;
        if let (ColumnData::Number(years), "age") = (&col.data, out) {
            let values =
                ages_from_birth_years(years, as_of).ok_or(FeatureError::NotBirthYears {
                    column: from.clone(),
                    as_of_year: as_of.year(),
                })?;
            let column = Column::new(out, ColumnType::Integer, ColumnData::Number(values));
            match table.index_of(out) {
                Some(i) => table.columns[i] = column,
                None => table.columns.push(column),
            }
            added.push(out.to_string());
            continue;
        }
        let days: Vec<Option<i32>> = match &col.data {
            ColumnData::Date(v) => v.clone(),
            ColumnData::DateTime(v) => v
                .iter()
                .map(|s| s.map(|s| s.div_euclid(86_400) as i32))
                .collect(),
            _ => return Err(FeatureError::NotNumeric {
                column: from.clone(),
                actual: col.ty.name(),
                hint:
                    "age_from needs a date or birth-year column, tenure_from a date column (set load.types or load.date_formats)",
            }),
        };
        let values: Vec<Option<f64>> = days
            .iter()
            .map(|d| {
                let d = (*d)?;
                Some(if out == "age" {
                    whole_years(days_to_date(d)?, as_of)
                } else {
                    (date_to_days(as_of) - d) as f64
                })
            })
            .collect();
        let column = Column::new(out, ColumnType::Integer, ColumnData::Number(values));
        match table.index_of(out) {
            Some(i) => table.columns[i] = column,
            None => table.columns.push(column),
        }
        added.push(out.to_string());
    }
    Ok(added)
}

/// Age as `as_of`'s year minus the birth year (the birthday within the year is unknown).
/// A year outside 1900..=as_of's year, or not whole, is a typo or a placeholder: missing, for the
/// missing-value step to fill. None when no value at all is such a year (not a birth-year column).
fn ages_from_birth_years(years: &[Option<f64>], as_of: NaiveDate) -> Option<Vec<Option<f64>>> {
    let current = as_of.year() as f64;
    let plausible = |y: f64| y.fract() == 0.0 && (1900.0..=current).contains(&y);
    let ages: Vec<Option<f64>> = years
        .iter()
        .map(|y| y.filter(|&y| plausible(y)).map(|y| current - y))
        .collect();
    ages.iter().any(Option::is_some).then_some(ages)
}

fn whole_years(born: NaiveDate, at: NaiveDate) -> f64 {
    let mut years = at.year() - born.year();
    if (at.month(), at.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    years as f64
}

/// The default features when `features.columns` is empty (`None` otherwise): every number,
/// integer and yes/no column that is not an id, less outcome-like columns and integer codes (see
/// `default_features`).
pub fn defaults(table: &Table, opts: &FeatureOptions) -> Option<crate::default_features::Defaults> {
    if !opts.columns.is_empty() {
        return None;
    }
    let candidates = table.columns.iter().filter(|c| {
        matches!(c.data, ColumnData::Number(_) | ColumnData::Boolean(_))
            && c.ty != ColumnType::Id
            // The id column is never a feature, whatever its values (a constant or
            // small-integer id is typed as a number).
            && opts.id.as_deref() != Some(c.name.as_str())
            && !(matches!(c.data, ColumnData::Number(_)) && name_says_id(&c.name))
            && !c.name.ends_with("_outlier")
            // RFM scores restate recency, frequency and monetary: features only when
            // listed.
            && !crate::rfm::COLUMNS.contains(&c.name.as_str())
    });
    Some(crate::default_features::split(candidates, &opts.one_hot))
}

/// The numeric feature columns the options select (validated), and the one-hot columns (with
/// the integer codes the defaults encode).
pub fn select(
    table: &Table,
    opts: &FeatureOptions,
) -> Result<(Vec<String>, Vec<String>), FeatureError> {
    let mut one_hot = opts.one_hot.clone();
    let numeric: Vec<String> = match defaults(table, opts) {
        Some(d) => {
            one_hot.extend(d.codes.into_iter().map(|(name, _)| name));
            d.numeric
        }
        None => opts.columns.clone(),
    };
    // Columns by name, looked up once: a table may have 100,000 columns.
    let by_name: std::collections::HashMap<&str, &Column> =
        table.columns.iter().map(|c| (c.name.as_str(), c)).collect();
    for name in &numeric {
        let c = *by_name
            .get(name.as_str())
            .ok_or_else(|| unknown(table, "features.columns", name))?;
        if c.data.null_count() == c.data.len() {
            return Err(FeatureError::AllMissing {
                column: name.clone(),
            });
        }
        let hint = match c.ty {
            ColumnType::Id => "it is an identifier; drop it from features.columns",
            ColumnType::Date | ColumnType::DateTime => {
                "derive a number from it with features.age_from or features.tenure_from"
            }
            _ if matches!(c.data, ColumnData::Number(_) | ColumnData::Boolean(_)) => "",
            _ => "list it under features.one_hot instead, or set load.types if it holds numbers",
        };
        if !hint.is_empty() {
            return Err(FeatureError::NotNumeric {
                column: name.clone(),
                actual: c.ty.name(),
                hint,
            });
        }
    }
    for name in &opts.one_hot {
        let c = table
            .column(name)
            .ok_or_else(|| unknown(table, "features.one_hot", name))?;
        let (distinct, present) = distinct_values(c);
        let all_unique = distinct == present && distinct > ONE_HOT_MAX_CATEGORIES;
        if c.ty == ColumnType::Id || opts.id.as_ref() == Some(name) || all_unique {
            return Err(FeatureError::OneHotIdentifier {
                column: name.clone(),
                distinct,
                rows: c.data.len(),
            });
        }
    }
    for name in &opts.log1p {
        if !numeric.contains(name) {
            return Err(unknown(
                table,
                "features.log1p (must also be a feature)",
                name,
            ));
        }
    }
    if numeric.is_empty() && one_hot.is_empty() {
        return Err(FeatureError::Empty);
    }
    Ok((numeric, one_hot))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneHot {
    pub column: String,
    pub categories: Vec<String>,
}

/// Feature columns before scaling, with which ones are 0/1 indicators.
pub struct RawFeatures {
    pub names: Vec<String>,
    pub columns: Vec<Vec<f64>>,
    pub indicator: Vec<bool>,
}

pub fn signed_log1p(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

/// Build the unscaled feature columns. `encodings`: reuse fitted categories (new data) or learn them.
pub fn raw_features(
    table: &Table,
    numeric: &[String],
    log1p: &[String],
    one_hot: &[String],
    encodings: Option<&[OneHot]>,
) -> Result<(RawFeatures, Vec<OneHot>), FeatureError> {
    let mut out = RawFeatures {
        names: Vec::new(),
        columns: Vec::new(),
        indicator: Vec::new(),
    };
    for name in numeric {
        let c = table
            .column(name)
            .ok_or_else(|| unknown(table, "features.columns", name))?;
        let values: Vec<Option<f64>> = match &c.data {
            ColumnData::Number(v) => v.clone(),
            ColumnData::Boolean(v) => v.iter().map(|b| b.map(|b| b as u8 as f64)).collect(),
            _ => unreachable!("select() admits only number and boolean features"),
        };
        let missing = values.iter().filter(|v| v.is_none()).count();
        if missing == values.len() && !values.is_empty() {
            return Err(FeatureError::AllMissing {
                column: name.clone(),
            });
        }
        if missing > 0 {
            return Err(FeatureError::StillMissing {
                column: name.clone(),
                count: missing,
            });
        }
        let log = log1p.contains(name);
        out.columns.push(
            values
                .into_iter()
                .flatten()
                .map(|x| if log { signed_log1p(x) } else { x })
                .collect(),
        );
        out.names.push(if log {
            format!("log1p({name})")
        } else {
            name.clone()
        });
        out.indicator.push(false);
    }
    let mut learned = Vec::new();
    for (k, name) in one_hot.iter().enumerate() {
        let c = table
            .column(name)
            .ok_or_else(|| unknown(table, "features.one_hot", name))?;
        let cells: Vec<Option<Cow<str>>> = (0..c.data.len()).map(|r| c.data.text_at(r)).collect();
        let categories = match encodings {
            Some(e) => e[k].categories.clone(),
            None => categories_by_count(&cells),
        };
        let listed: HashSet<&str> = categories.iter().map(String::as_str).collect();
        for cat in &categories {
            let other = cat == OTHER_CATEGORY;
            out.columns.push(
                cells
                    .iter()
                    .map(|v| {
                        let hit = match v.as_deref() {
                            None => false,
                            Some(s) if other => s == OTHER_CATEGORY || !listed.contains(s),
                            Some(s) => s == cat,
                        };
                        hit as u8 as f64
                    })
                    .collect(),
            );
            out.names.push(format!("{name}={cat}"));
            out.indicator.push(true);
        }
        learned.push(OneHot {
            column: name.clone(),
            categories,
        });
    }
    Ok((out, learned))
}

/// Categories by falling count (ties by name); beyond `ONE_HOT_MAX_CATEGORIES`, the most frequent
/// ones and `OTHER_CATEGORY` for the rest.
fn categories_by_count(cells: &[Option<Cow<str>>]) -> Vec<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in cells.iter().flatten() {
        *counts.entry(s).or_default() += 1;
    }
    let mut cats: Vec<(&str, usize)> = counts.into_iter().collect();
    cats.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let capped = cats.len() > ONE_HOT_MAX_CATEGORIES;
    cats.truncate(ONE_HOT_MAX_CATEGORIES);
    let mut names: Vec<String> = cats.into_iter().map(|(s, _)| s.to_string()).collect();
    if capped && !names.iter().any(|n| n == OTHER_CATEGORY) {
        names.push(OTHER_CATEGORY.to_string());
    }
    names
}

/// (distinct values, present values) of a column, compared as text.
pub fn distinct_values(c: &Column) -> (usize, usize) {
    let mut seen: HashSet<Cow<str>> = HashSet::new();
    let mut present = 0;
    for r in 0..c.data.len() {
        if let Some(v) = c.data.text_at(r) {
            present += 1;
            seen.insert(v);
        }
    }
    (seen.len(), present)
}

/// A warning for each one-hot column with more categories than are encoded (name and count).
pub fn one_hot_warnings(table: &Table, one_hot: &[String]) -> Vec<String> {
    one_hot
        .iter()
        .filter_map(|name| {
            let (distinct, _) = distinct_values(table.column(name)?);
            (distinct > ONE_HOT_MAX_CATEGORIES).then(|| {
                format!(
                    "features.one_hot: column '{name}' has {distinct} distinct values; the \
                     {ONE_HOT_MAX_CATEGORIES} most frequent are encoded and the other {} share \
                     the feature '{name}={OTHER_CATEGORY}'",
                    distinct - ONE_HOT_MAX_CATEGORIES
                )
            })
        })
        .collect()
}

/// The scaled feature matrix, row-major, with the id of each row when there is an id column.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMatrix {
    pub names: Vec<String>,
    pub id_name: Option<String>,
    pub ids: TextColumn,
    pub n_rows: usize,
    pub data: Vec<f64>,
}

impl FeatureMatrix {
    pub fn row(&self, r: usize) -> &[f64] {
        let w = self.names.len();
        &self.data[r * w..(r + 1) * w]
    }

    pub fn build(
        raw: &RawFeatures,
        kept: &[usize],
        scaler: &FittedScaler,
        id: Option<&Column>,
    ) -> FeatureMatrix {
        let n_rows = raw.columns.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(n_rows * kept.len());
        for r in 0..n_rows {
            for (j, &k) in kept.iter().enumerate() {
                data.push(scaler.apply(j, raw.columns[k][r]));
            }
        }
        FeatureMatrix {
            names: kept.iter().map(|&k| raw.names[k].clone()).collect(),
            id_name: id.map(|c| c.name.clone()),
            ids: id
                .map(|c| (0..c.data.len()).map(|r| c.data.text_at(r)).collect())
                .unwrap_or_default(),
            n_rows,
            data,
        }
    }

    /// As a table (for CSV/Parquet output).
    pub fn to_table(&self) -> Table {
        let mut t = Table::default();
        if let Some(id) = &self.id_name {
            t.columns.push(Column::new(
                id,
                ColumnType::Id,
                ColumnData::Text(self.ids.clone()),
            ));
        }
        let w = self.names.len();
        for (j, name) in self.names.iter().enumerate() {
            let v = (0..self.n_rows)
                .map(|r| Some(self.data[r * w + j]))
                .collect();
            t.columns
                .push(Column::new(name, ColumnType::Number, ColumnData::Number(v)));
        }
        t
    }
}

#[cfg(test)]
#[path = "features_tests.rs"]
mod tests;
