//! Outliers per column: find them by IQR fences or z-score, then flag, clip (winsorize) or drop.

use super::{require, CleanError, CleaningLog, RemovedRows};
use crate::row_status::{RowStatus, StatusFlag};
use crate::stats::{iqr_fences, mean_std, sorted_present};
use crate::table::{Column, ColumnData, ColumnType, Table};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutlierMethod {
    Iqr,
    Zscore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutlierAction {
    /// Add a boolean column `<name>_outlier`.
    Flag,
    /// Set values beyond the bounds to the bounds.
    Clip,
    /// Remove the rows.
    Drop,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutlierRule {
    pub method: OutlierMethod,
    /// IQR multiplier for the fences.
    pub factor: f64,
    /// |z| above this is an outlier.
    pub threshold: f64,
    pub action: OutlierAction,
}

impl Default for OutlierRule {
    fn default() -> Self {
        OutlierRule {
            method: OutlierMethod::Iqr,
            factor: 1.5,
            threshold: 3.0,
            action: OutlierAction::Clip,
        }
    }
}

/// The bounds found for one column, kept so new data can be clipped the same way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub column: String,
    pub low: f64,
    pub high: f64,
    pub action: OutlierAction,
}

pub fn bounds(values: &[Option<f64>], rule: &OutlierRule) -> Option<(f64, f64)> {
    match rule.method {
        OutlierMethod::Iqr => iqr_fences(&sorted_present(values), rule.factor),
        OutlierMethod::Zscore => {
            let (mean, std) = mean_std(values)?;
            Some((mean - rule.threshold * std, mean + rule.threshold * std))
        }
    }
}

fn validate(name: &str, rule: &OutlierRule) -> Result<(), CleanError> {
    let bad = |what: &str, v: f64| {
        CleanError::Invalid(format!(
            "clean.outliers.{name}.{what} must be a positive number, got {v}"
        ))
    };
    if !(rule.factor > 0.0 && rule.factor.is_finite()) {
        return Err(bad("factor", rule.factor));
    }
    if !(rule.threshold > 0.0 && rule.threshold.is_finite()) {
        return Err(bad("threshold", rule.threshold));
    }
    Ok(())
}

/// Apply each rule in column order. Returns the bounds used. Missing values are never outliers.
pub fn apply(
    table: &mut Table,
    rules: &std::collections::BTreeMap<String, OutlierRule>,
    log: &mut CleaningLog,
    removed: &mut RemovedRows,
) -> Result<Vec<Bounds>, CleanError> {
    let mut used = Vec::new();
    for (name, rule) in rules {
        validate(name, rule)?;
        let i = require(table, "clean.outliers", name)?;
        let col = &table.columns[i];
        let Some(values) = col.data.as_numbers().filter(|_| col.ty != ColumnType::Id) else {
            return Err(CleanError::WrongType {
                option: "clean.outliers".into(),
                column: name.clone(),
                actual: col.ty.name(),
                wanted: "outlier rules need a number column",
            });
        };
        let Some((low, high)) = bounds(values, rule) else {
            log.warn(format!("clean.outliers.{name}: no values, nothing to do"));
            continue;
        };
        let b = Bounds {
            column: name.clone(),
            low,
            high,
            action: rule.action,
        };
        let method = match rule.method {
            OutlierMethod::Iqr => format!("IQR×{}", rule.factor),
            OutlierMethod::Zscore => format!("|z|>{}", rule.threshold),
        };
        let rows = table.n_rows();
        if b.action == OutlierAction::Drop {
            let keep: Vec<bool> = values
                .iter()
                .map(|x| !x.is_some_and(|x| x < low || x > high))
                .collect();
            removed.record(table, &keep, |_| {
                RowStatus::ok().with(StatusFlag::OutlierDropped)
            });
        }
        let n = apply_bounds(table, i, &b);
        let verb = match rule.action {
            OutlierAction::Flag => format!("flagged in '{name}_outlier'"),
            OutlierAction::Clip => "clipped".to_string(),
            OutlierAction::Drop => "dropped".to_string(),
        };
        log.add(
            "outliers",
            Some(name),
            format!("{n} value(s) outside [{low:.4}, {high:.4}] ({method}) {verb}"),
            (rows, table.n_rows()),
            n,
        );
        used.push(b);
    }
    Ok(used)
}

/// Apply bounds found earlier (also used on new data). Returns how many values were outside.
pub fn apply_bounds(table: &mut Table, col: usize, b: &Bounds) -> usize {
    let ColumnData::Number(v) = &mut table.columns[col].data else {
        return 0;
    };
    let outside: Vec<bool> = v
        .iter()
        .map(|x| x.is_some_and(|x| x < b.low || x > b.high))
        .collect();
    let n = outside.iter().filter(|&&o| o).count();
    match b.action {
        OutlierAction::Clip => {
            for x in v.iter_mut().flatten() {
                *x = x.clamp(b.low, b.high);
            }
        }
        OutlierAction::Flag => {
            let flag = Column::new(
                format!("{}_outlier", b.column),
                ColumnType::Boolean,
                ColumnData::Boolean(outside.iter().map(|&o| Some(o)).collect()),
            );
            match table.index_of(&flag.name) {
                Some(j) => table.columns[j] = flag,
                None => table.columns.push(flag),
            }
        }
        OutlierAction::Drop => {
            let keep: Vec<bool> = outside.iter().map(|o| !o).collect();
            table.retain_rows(&keep);
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn table() -> Table {
        // 1..=10 and one 100. q1 = 3.5, q3 = 8.5 (numpy linear), IQR = 5 → fences [-4, 16].
        let mut v: Vec<Option<f64>> = (1..=10).map(|x| Some(x as f64)).collect();
        v.push(Some(100.0));
        v.push(None);
        Table::new(vec![Column::new(
            "x",
            ColumnType::Number,
            ColumnData::Number(v),
        )])
    }

    fn rules(action: OutlierAction, method: OutlierMethod) -> BTreeMap<String, OutlierRule> {
        let rule = OutlierRule {
            method,
            action,
            ..OutlierRule::default()
        };
        BTreeMap::from([("x".to_string(), rule)])
    }

    #[test]
    fn iqr_clip_flag_drop() {
        let mut t = table();
        let mut log = CleaningLog::default();
        let b = apply(
            &mut t,
            &rules(OutlierAction::Clip, OutlierMethod::Iqr),
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        assert_eq!((b[0].low, b[0].high), (-4.0, 16.0));
        assert_eq!(t.columns[0].data.as_numbers().unwrap()[10], Some(16.0));
        assert_eq!(log.entries[0].cells_changed, 1);

        let mut t = table();
        apply(
            &mut t,
            &rules(OutlierAction::Flag, OutlierMethod::Iqr),
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        let flags = &t.column("x_outlier").unwrap().data;
        assert_eq!(flags.display(10).as_deref(), Some("true"));
        assert_eq!(flags.display(11).as_deref(), Some("false"));

        let mut t = table();
        apply(
            &mut t,
            &rules(OutlierAction::Drop, OutlierMethod::Iqr),
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        assert_eq!(t.n_rows(), 11);
    }

    #[test]
    fn zscore_bounds() {
        // values 1..=10 and 100: mean = 155/11, population std ≈ 27.31; 100 has z ≈ 3.15.
        let mut t = table();
        let mut log = CleaningLog::default();
        apply(
            &mut t,
            &rules(OutlierAction::Drop, OutlierMethod::Zscore),
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        assert_eq!(t.n_rows(), 11);
        let mut bad = rules(OutlierAction::Drop, OutlierMethod::Zscore);
        bad.get_mut("x").unwrap().threshold = 0.0;
        assert!(apply(&mut table(), &bad, &mut log, &mut RemovedRows::default()).is_err());
    }
}
