//! Missing values per column: drop rows, mean, median, mode, constant, or k-nearest-neighbours
//! on the scaled numeric features.

use super::{require, CleanError, CleaningLog, RemovedRows};
use crate::distance::sqdist;
use crate::params::ParamGuard;
use crate::rng::Rng;
use crate::row_status::{RowStatus, StatusFlag};
use crate::stats::{mean_std, quantile_sorted, sorted_present};
use crate::table::{ColumnData, Table};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// In a recipe: "drop", "mean", "median", "mode", "knn", "keep" or "constant:VALUE".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum MissingRule {
    Keep,
    Drop,
    Mean,
    Median,
    Mode,
    Knn,
    Constant(String),
}

impl TryFrom<String> for MissingRule {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if let Some(v) = s.strip_prefix("constant:") {
            return Ok(MissingRule::Constant(v.to_string()));
        }
        Ok(match s.as_str() {
            "keep" => MissingRule::Keep,
            "drop" => MissingRule::Drop,
            "mean" => MissingRule::Mean,
            "median" => MissingRule::Median,
            "mode" => MissingRule::Mode,
            "knn" => MissingRule::Knn,
            _ => {
                return Err(format!(
                "unknown missing-value rule '{s}': use drop, mean, median, mode, knn, keep or constant:VALUE"
            ))
            }
        })
    }
}

impl From<MissingRule> for String {
    fn from(r: MissingRule) -> String {
        match r {
            MissingRule::Keep => "keep".into(),
            MissingRule::Drop => "drop".into(),
            MissingRule::Mean => "mean".into(),
            MissingRule::Median => "median".into(),
            MissingRule::Mode => "mode".into(),
            MissingRule::Knn => "knn".into(),
            MissingRule::Constant(v) => format!("constant:{v}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MissingOptions {
    /// Applied to numeric feature columns that have no rule of their own.
    pub default_numeric: MissingRule,
    /// Applied to one-hot (category) feature columns that have no rule of their own.
    pub default_category: MissingRule,
    pub knn_k: usize,
    /// KNN looks for neighbours in a seeded sample of at most this many donor rows (speed on 1M rows).
    pub knn_max_donors: usize,
    pub columns: BTreeMap<String, MissingRule>,
}

impl Default for MissingOptions {
    fn default() -> Self {
        MissingOptions {
            default_numeric: MissingRule::Median,
            default_category: MissingRule::Mode,
            knn_k: 5,
            knn_max_donors: 10_000,
            columns: BTreeMap::new(),
        }
    }
}

/// What KNN imputation reads of `MissingOptions` (checked only when a column uses knn).
#[derive(Clone, Copy)]
struct KnnParams {
    k: usize,
    max_donors: usize,
}

/// `KnnParams` whose rules hold.
struct KnnValid(KnnParams);

impl ParamGuard for KnnParams {
    type Checked = KnnValid;
    type Error = CleanError;

    fn check(&self) -> Result<KnnValid, CleanError> {
        if self.k == 0 {
            return Err(CleanError::ZeroKnnK);
        }
        Ok(KnnValid(*self))
    }
}

/// The value used to fill a column, kept to fill new data the same way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fill {
    pub column: String,
    pub rule: MissingRule,
    /// The fill value as text (numbers printed in full); None for knn/drop/keep.
    pub value: Option<String>,
}

/// Fill or drop per `rules` (column → rule). `knn_space`: numeric columns that KNN measures distance on.
pub fn apply(
    table: &mut Table,
    rules: &[(String, MissingRule)],
    opts: &MissingOptions,
    knn_space: &[String],
    seed: u64,
    log: &mut CleaningLog,
    removed: &mut RemovedRows,
) -> Result<Vec<Fill>, CleanError> {
    let mut fills = Vec::new();
    let mut knn_cols = Vec::new();
    for (name, rule) in rules {
        let i = require(table, "clean.missing", name)?;
        let missing = table.columns[i].data.null_count();
        let rows = table.n_rows();
        let value = match rule {
            MissingRule::Keep => None,
            MissingRule::Knn => {
                check_numeric(table, i, "knn")?;
                knn_cols.push(i);
                None
            }
            MissingRule::Drop => {
                let keep: Vec<bool> = (0..rows)
                    .map(|r| !table.columns[i].data.is_null(r))
                    .collect();
                removed.record(table, &keep, |_| {
                    RowStatus::ok().with(StatusFlag::Unscorable)
                });
                table.retain_rows(&keep);
                log.add(
                    "missing",
                    Some(name),
                    format!("dropped {missing} row(s) with no value"),
                    (rows, table.n_rows()),
                    0,
                );
                None
            }
            _ => {
                let v = fill_value(&table.columns[i].data, rule)
                    .map_err(|wanted| wrong_type(table, i, wanted))?;
                if let Some(v) = &v {
                    fill_with(&mut table.columns[i].data, v).ok_or_else(|| {
                        wrong_type(table, i, "the constant must parse as this column's type")
                    })?;
                    log.add(
                        "missing",
                        Some(name),
                        format!("filled {missing} cell(s) with {} {v}", rule_name(rule)),
                        (rows, rows),
                        missing,
                    );
                }
                v
            }
        };
        fills.push(Fill {
            column: name.clone(),
            rule: rule.clone(),
            value,
        });
    }
    if !knn_cols.is_empty() {
        knn_impute(table, &knn_cols, knn_space, opts, seed, log)?;
    }
    Ok(fills)
}

fn rule_name(rule: &MissingRule) -> &'static str {
    match rule {
        MissingRule::Mean => "the mean",
        MissingRule::Median => "the median",
        MissingRule::Mode => "the most common value",
        _ => "",
    }
}

fn check_numeric(table: &Table, i: usize, rule: &str) -> Result<(), CleanError> {
    match table.columns[i].data {
        ColumnData::Number(_) => Ok(()),
        _ => Err(wrong_type(
            table,
            i,
            if rule == "knn" {
                "knn needs a number column"
            } else {
                "needs a number column"
            },
        )),
    }
}

fn wrong_type(table: &Table, i: usize, wanted: &'static str) -> CleanError {
    CleanError::WrongType {
        option: "clean.missing".into(),
        column: table.columns[i].name.clone(),
        actual: table.columns[i].ty.name(),
        wanted,
    }
}

/// The fill value as text; Err names what the rule needs.
fn fill_value(data: &ColumnData, rule: &MissingRule) -> Result<Option<String>, &'static str> {
    let fmt = crate::table::format_number;
    match (rule, data) {
        (MissingRule::Constant(v), _) => Ok(Some(v.clone())),
        (MissingRule::Mean, ColumnData::Number(v)) => Ok(mean_std(v).map(|(m, _)| fmt(m))),
        (MissingRule::Median, ColumnData::Number(v)) => {
            Ok(quantile_sorted(&sorted_present(v), 0.5).map(fmt))
        }
        (MissingRule::Mean | MissingRule::Median, _) => Err("mean and median need a number column"),
        (MissingRule::Mode, _) => Ok(mode(data)),
        _ => Ok(None),
    }
}

/// Most common present value; ties go to the smallest text so the choice is reproducible.
fn mode(data: &ColumnData) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for r in 0..data.len() {
        if let Some(s) = data.display(r) {
            *counts.entry(s).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(k, _)| k)
}

/// Fill every missing cell with `value` parsed as the column's type (also used on new data).
/// None when `value` does not parse as that type.
pub fn fill_with(data: &mut ColumnData, value: &str) -> Option<usize> {
    use crate::load::{dates, infer};
    fn fill<T: Clone>(v: &mut [Option<T>], x: Option<T>) -> Option<usize> {
        let x = x?;
        let mut n = 0;
        for cell in v.iter_mut().filter(|c| c.is_none()) {
            *cell = Some(x.clone());
            n += 1;
        }
        Some(n)
    }
    let when = || dates::parse(value, &dates::DateFormat::Ymd);
    match data {
        ColumnData::Number(v) => fill(v, infer::parse_number(value, &Default::default())),
        ColumnData::Boolean(v) => fill(v, infer::parse_bool(value)),
        ColumnData::Text(t) => {
            let n = t.null_count();
            *t = t.map(|_, c| Some(Cow::Borrowed(c.unwrap_or(value))));
            Some(n)
        }
        ColumnData::Date(v) => fill(
            v,
            match when() {
                Some(dates::When::Day(d)) => Some(d),
                _ => None,
            },
        ),
        ColumnData::DateTime(v) => fill(
            v,
            match when() {
                Some(dates::When::Moment(s)) => Some(s),
                Some(dates::When::Day(d)) => Some(d as i64 * 86_400),
                None => None,
            },
        ),
    }
}

/// nan-Euclidean KNN imputation (as scikit-learn's KNNImputer): distances over the coordinates
/// both rows have, scaled up by (all coordinates / shared coordinates), on z-scored columns.
fn knn_impute(
    table: &mut Table,
    targets: &[usize],
    space: &[String],
    opts: &MissingOptions,
    seed: u64,
    log: &mut CleaningLog,
) -> Result<(), CleanError> {
    let KnnValid(knn) = KnnParams {
        k: opts.knn_k,
        max_donors: opts.knn_max_donors,
    }
    .check()?;
    // Only number and boolean columns measure distance.
    let measurable = |c: usize| {
        matches!(
            table.columns[c].data,
            ColumnData::Number(_) | ColumnData::Boolean(_)
        )
    };
    let mut dims: Vec<usize> = space
        .iter()
        .filter_map(|n| table.index_of(n))
        .filter(|&c| measurable(c))
        .collect();
    for &t in targets {
        if !dims.contains(&t) {
            dims.push(t);
        }
    }
    let n = table.n_rows();
    let scaled: Vec<Vec<Option<f64>>> = dims
        .iter()
        .map(|&c| {
            let v: Vec<Option<f64>> = match &table.columns[c].data {
                ColumnData::Boolean(b) => b.iter().map(|x| x.map(|x| x as u8 as f64)).collect(),
                d => d.as_numbers().unwrap_or(&[]).to_vec(),
            };
            let (mean, std) = mean_std(&v).unwrap_or((0.0, 1.0));
            let std = if std > 0.0 { std } else { 1.0 };
            v.iter().map(|x| x.map(|x| (x - mean) / std)).collect()
        })
        .collect();
    for &t in targets {
        let td = dims.iter().position(|&d| d == t).unwrap_or(0);
        let values = table.columns[t].data.as_numbers().unwrap_or(&[]).to_vec();
        let mut donors: Vec<usize> = (0..n).filter(|&r| values[r].is_some()).collect();
        let sampled = donors.len() > knn.max_donors;
        if sampled {
            let mut rng = Rng::new(seed ^ t as u64);
            let picks = rng.sample_indices(donors.len(), knn.max_donors);
            donors = picks.into_iter().map(|i| donors[i]).collect();
        }
        if donors.is_empty() {
            return Err(CleanError::NoKnnDonors {
                column: table.columns[t].name.clone(),
            });
        }
        let k = knn.k.min(donors.len());
        let needy: Vec<usize> = (0..n).filter(|&r| values[r].is_none()).collect();
        let filled: Vec<Option<f64>> = needy
            .par_iter()
            .map_init(Shared::default, |shared, &r| {
                let mut best: Vec<(f64, usize)> = donors
                    .iter()
                    .filter_map(|&d| nan_euclidean(&scaled, td, r, d, shared).map(|dist| (dist, d)))
                    .collect();
                if best.is_empty() {
                    return None;
                }
                let k = k.min(best.len());
                best.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                Some(
                    best[..k]
                        .iter()
                        .map(|&(_, d)| values[d].unwrap_or(0.0))
                        .sum::<f64>()
                        / k as f64,
                )
            })
            .collect();
        let count = filled.iter().flatten().count();
        if let ColumnData::Number(v) = &mut table.columns[t].data {
            for (&r, f) in needy.iter().zip(filled) {
                v[r] = f;
            }
        }
        let note = if sampled {
            format!(
                " (neighbours from a seeded sample of {} rows)",
                knn.max_donors
            )
        } else {
            String::new()
        };
        log.add(
            "missing",
            Some(&table.columns[t].name),
            format!("filled {count} cell(s) by the mean of {k} nearest neighbours on {} column(s){note}", dims.len() - 1),
            (n, n),
            count,
        );
        if count < needy.len() {
            log.warn(format!("knn could not fill {} cell(s) of '{}': those rows share no measured column with any donor", needy.len() - count, table.columns[t].name));
        }
    }
    Ok(())
}

/// The coordinates two rows both have, reused across pairs (one per worker).
#[derive(Default)]
struct Shared {
    a: Vec<f64>,
    b: Vec<f64>,
}

/// Distance between rows a and b ignoring `skip` (the target) and coordinates either lacks:
/// the shared coordinates measured by the one kernel, scaled up by all / shared.
fn nan_euclidean(
    cols: &[Vec<Option<f64>>],
    skip: usize,
    a: usize,
    b: usize,
    shared: &mut Shared,
) -> Option<f64> {
    shared.a.clear();
    shared.b.clear();
    for (j, c) in cols.iter().enumerate() {
        if j == skip {
            continue;
        }
        if let (Some(x), Some(y)) = (c[a], c[b]) {
            shared.a.push(x);
            shared.b.push(y);
        }
    }
    let total = cols.len() - 1;
    if total == 0 {
        return Some(0.0);
    }
    let n = shared.a.len();
    (n > 0).then(|| (sqdist(&shared.a, &shared.b) * total as f64 / n as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::TextColumn;
    use crate::table::{Column, ColumnType};

    fn nums(name: &str, v: &[Option<f64>]) -> Column {
        Column::new(name, ColumnType::Number, ColumnData::Number(v.to_vec()))
    }

    #[test]
    fn simple_fills() {
        let mut t = Table::new(vec![
            nums("x", &[Some(1.0), Some(2.0), Some(10.0), None]),
            Column::new(
                "c",
                ColumnType::Category,
                ColumnData::Text(
                    vec![Some("a"), Some("b"), Some("b"), None]
                        .into_iter()
                        .collect::<TextColumn>(),
                ),
            ),
        ]);
        let mut log = CleaningLog::default();
        let rules = vec![
            ("x".to_string(), MissingRule::Median),
            ("c".to_string(), MissingRule::Mode),
        ];
        let fills = apply(
            &mut t,
            &rules,
            &MissingOptions::default(),
            &[],
            1,
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        assert_eq!(t.columns[0].data.as_numbers().unwrap()[3], Some(2.0));
        assert_eq!(t.columns[1].data.display(3).as_deref(), Some("b"));
        assert_eq!(fills[0].value.as_deref(), Some("2"));
        let mut t2 = Table::new(vec![nums("x", &[Some(1.0), None])]);
        apply(
            &mut t2,
            &[("x".into(), MissingRule::Drop)],
            &MissingOptions::default(),
            &[],
            1,
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        assert_eq!(t2.n_rows(), 1);
        let mut t3 = Table::new(vec![nums("x", &[Some(1.0), None])]);
        assert!(apply(
            &mut t3,
            &[("x".into(), MissingRule::Constant("abc".into()))],
            &MissingOptions::default(),
            &[],
            1,
            &mut log,
            &mut RemovedRows::default()
        )
        .is_err());
        assert!(MissingRule::try_from("medain".to_string()).is_err());
    }

    #[test]
    fn knn_matches_scikit_learn() {
        // sklearn.impute.KNNImputer(n_neighbors=2) on raw (unscaled) columns fills row 3 of
        // [[1,2],[2,4],[10,20],[1.5,nan]] with (2+4)/2 = 3.0: neighbours by x are rows 0 and 1.
        // Scaling by z-score does not change which rows are nearest here.
        let mut t = Table::new(vec![
            nums("x", &[Some(1.0), Some(2.0), Some(10.0), Some(1.5)]),
            nums("y", &[Some(2.0), Some(4.0), Some(20.0), None]),
        ]);
        let opts = MissingOptions {
            knn_k: 2,
            ..MissingOptions::default()
        };
        let mut log = CleaningLog::default();
        apply(
            &mut t,
            &[("y".into(), MissingRule::Knn)],
            &opts,
            &["x".into()],
            7,
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        assert_eq!(t.columns[1].data.as_numbers().unwrap()[3], Some(3.0));
    }

    #[test]
    fn knn_errors_keep_their_texts() {
        let knn = |k: usize, y: &[Option<f64>]| {
            let mut t = Table::new(vec![nums("x", &[Some(1.0), Some(2.0)]), nums("y", y)]);
            let opts = MissingOptions {
                knn_k: k,
                ..MissingOptions::default()
            };
            apply(
                &mut t,
                &[("y".into(), MissingRule::Knn)],
                &opts,
                &["x".into()],
                7,
                &mut CleaningLog::default(),
                &mut RemovedRows::default(),
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            knn(0, &[Some(1.0), None]),
            "clean.missing.knn_k must be at least 1"
        );
        assert_eq!(
            knn(2, &[None, None]),
            "clean.missing: column 'y' has no values to learn from for knn"
        );
    }
}
