//! Text normalization: trimming, case folding, and folding rare categories into "Other".

use super::{require, CleanError, CleaningLog};
use crate::table::{ColumnData, Table};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RareCategories {
    pub columns: Vec<String>,
    /// Categories with a smaller share of the present values than this become `other`.
    pub min_share: f64,
    pub other: String,
}

impl Default for RareCategories {
    fn default() -> Self {
        RareCategories {
            columns: Vec::new(),
            min_share: 0.01,
            other: "Other".into(),
        }
    }
}

/// Trim every text cell; a cell that becomes empty becomes missing.
pub fn trim_all(table: &mut Table, log: &mut CleaningLog) {
    let rows = table.n_rows();
    for col in &mut table.columns {
        let ColumnData::Text(v) = &mut col.data else {
            continue;
        };
        let changed = v
            .iter()
            .flatten()
            .filter(|s| s.trim().len() != s.len())
            .count();
        if changed > 0 {
            *v = v.map(|_, c| {
                c.map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(Cow::Borrowed)
            });
            log.add(
                "trim",
                Some(&col.name),
                format!("trimmed whitespace in {changed} cell(s)"),
                (rows, rows),
                changed,
            );
        }
    }
}

pub fn case_fold(
    table: &mut Table,
    columns: &[String],
    log: &mut CleaningLog,
) -> Result<(), CleanError> {
    let rows = table.n_rows();
    for name in columns {
        let i = require(table, "clean.case_fold", name)?;
        let col = &mut table.columns[i];
        let ColumnData::Text(v) = &mut col.data else {
            return Err(CleanError::WrongType {
                option: "clean.case_fold".into(),
                column: name.clone(),
                actual: col.ty.name(),
                wanted: "case folding needs a text column",
            });
        };
        let mut changed = 0;
        *v = v.map(|_, c| {
            c.map(|s| {
                let lower = s.to_lowercase();
                if lower == s {
                    Cow::Borrowed(s)
                } else {
                    changed += 1;
                    Cow::Owned(lower)
                }
            })
        });
        log.add(
            "case-fold",
            Some(name),
            format!("lower-cased {changed} cell(s)"),
            (rows, rows),
            changed,
        );
    }
    Ok(())
}

pub fn fold_rare(
    table: &mut Table,
    opts: &RareCategories,
    log: &mut CleaningLog,
) -> Result<(), CleanError> {
    if !(0.0..1.0).contains(&opts.min_share) {
        return Err(CleanError::Invalid(format!(
            "clean.rare_categories.min_share must be in [0, 1), got {}",
            opts.min_share
        )));
    }
    let rows = table.n_rows();
    for name in &opts.columns {
        let i = require(table, "clean.rare_categories.columns", name)?;
        let col = &mut table.columns[i];
        let ColumnData::Text(v) = &mut col.data else {
            return Err(CleanError::WrongType {
                option: "clean.rare_categories".into(),
                column: name.clone(),
                actual: col.ty.name(),
                wanted: "rare-category folding needs a category column",
            });
        };
        let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
        for s in v.iter().flatten() {
            *counts.entry(s).or_default() += 1;
        }
        let present: usize = counts.values().sum();
        let rare: FxHashSet<&str> = counts
            .iter()
            .filter(|(_, &c)| (c as f64) < opts.min_share * present as f64)
            .map(|(k, _)| *k)
            .collect();
        let n_rare = rare.len();
        let changed: usize = rare.iter().map(|k| counts[k]).sum();
        let folded = v.map(|_, c| {
            c.map(|s| {
                Cow::Borrowed(if rare.contains(s) {
                    opts.other.as_str()
                } else {
                    s
                })
            })
        });
        *v = folded;
        log.add(
            "rare-categories",
            Some(name),
            format!(
                "{n_rare} categories under {:.1}% share → '{}' ({changed} cells)",
                opts.min_share * 100.0,
                opts.other
            ),
            (rows, rows),
            changed,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{Column, ColumnType};

    fn text_table(values: &[Option<&str>]) -> Table {
        Table::new(vec![Column::new(
            "c",
            ColumnType::Category,
            ColumnData::Text(values.iter().map(|v| v.map(str::to_string)).collect()),
        )])
    }

    #[test]
    fn trim_and_fold_case() {
        let mut t = text_table(&[Some(" A@X.com "), Some("   "), Some("b"), None]);
        let mut log = CleaningLog::default();
        trim_all(&mut t, &mut log);
        case_fold(&mut t, &["c".to_string()], &mut log).unwrap();
        let v = t.columns[0].data.as_text().unwrap();
        assert_eq!(
            v.iter().collect::<Vec<_>>(),
            vec![Some("a@x.com"), None, Some("b"), None]
        );
        assert_eq!(log.entries[0].cells_changed, 2);
        assert_eq!(log.entries[1].cells_changed, 1);
        assert!(case_fold(&mut t, &["nope".to_string()], &mut log).is_err());
    }

    #[test]
    fn rare_categories_become_other() {
        let mut values = vec![Some("a"); 97];
        values.extend([Some("b"), Some("c"), Some("c")]);
        let mut t = text_table(&values);
        let opts = RareCategories {
            columns: vec!["c".into()],
            min_share: 0.025,
            other: "Other".into(),
        };
        let mut log = CleaningLog::default();
        fold_rare(&mut t, &opts, &mut log).unwrap();
        let v = t.columns[0].data.as_text().unwrap();
        assert_eq!(v.iter().filter(|s| *s == Some("Other")).count(), 3);
        assert_eq!(log.entries[0].cells_changed, 3);
    }
}
