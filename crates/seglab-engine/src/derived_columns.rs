//! `[derive]`: new columns from expressions (see `expr`), added in dependency order so one
//! derived column may use another.

use crate::expr::{self, Expr, ExprError, ValueType};
use crate::table::{Column, ColumnData, ColumnType, Table};
use chrono::NaiveDate;
use std::collections::BTreeMap;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DeriveError {
    /// Boxed: the expression and its context make it the largest of the preparation errors.
    #[error(transparent)]
    Expression(Box<ExprError>),
    #[error("derive: the columns {cycle} depend on each other in a cycle")]
    Cycle { cycle: String },
}

impl From<ExprError> for DeriveError {
    fn from(e: ExprError) -> Self {
        DeriveError::Expression(Box::new(e))
    }
}

/// Parsed `[derive]` entries in an order where each comes after the derived columns it reads.
fn ordered(derive: &BTreeMap<String, String>) -> Result<Vec<(&str, &str, Expr)>, DeriveError> {
    let mut parsed: BTreeMap<&str, (&str, Expr)> = BTreeMap::new();
    for (name, text) in derive {
        let expr = expr::parse(text, &format!("derive.{name}"))?;
        parsed.insert(name, (text, expr));
    }
    // Depth-first: a column is placed once everything it reads is placed; `path` catches cycles.
    fn visit<'a>(
        name: &'a str,
        parsed: &BTreeMap<&'a str, (&'a str, Expr)>,
        placed: &mut Vec<&'a str>,
        path: &mut Vec<&'a str>,
    ) -> Result<(), DeriveError> {
        if placed.contains(&name) {
            return Ok(());
        }
        if let Some(start) = path.iter().position(|n| *n == name) {
            let mut cycle: Vec<&str> = path[start..].to_vec();
            cycle.push(name);
            return Err(DeriveError::Cycle {
                cycle: cycle.join(" -> "),
            });
        }
        let Some((key, (_, expr))) = parsed.get_key_value(name) else {
            return Ok(());
        };
        path.push(key);
        for used in expr.columns() {
            // A column reading its own name means the input column it replaces.
            if used != name {
                if let Some((used_key, _)) = parsed.get_key_value(used) {
                    visit(used_key, parsed, placed, path)?;
                }
            }
        }
        path.pop();
        placed.push(key);
        Ok(())
    }
    let mut placed = Vec::new();
    for name in parsed.keys() {
        visit(name, &parsed, &mut placed, &mut Vec::new())?;
    }
    Ok(placed
        .into_iter()
        .filter_map(|name| {
            let (text, expr) = parsed.remove(name)?;
            Some((name, text, expr))
        })
        .collect())
}

/// Add (or replace) each `[derive]` column. Returns the names in the order they were computed.
pub fn add_derived(
    table: &mut Table,
    derive: &BTreeMap<String, String>,
    as_of: NaiveDate,
) -> Result<Vec<String>, DeriveError> {
    let mut added = Vec::new();
    for (name, text, expr) in ordered(derive)? {
        let bound = expr.bind(table, text, &format!("derive.{name}"))?;
        let ty = match bound.value_type {
            ValueType::Number => ColumnType::Number,
            ValueType::Boolean => ColumnType::Boolean,
            ValueType::Text => ColumnType::Category,
            ValueType::Date => ColumnType::Date,
        };
        let mut values = bound.evaluate(table, as_of);
        // Computed numbers without float noise (a + b − b = a.00000000001).
        if let ColumnData::Number(v) = &mut values {
            v.iter_mut()
                .flatten()
                .for_each(|x| *x = crate::stats::tidy(*x));
        }
        let column = Column::new(name, ty, values);
        match table.index_of(name) {
            Some(i) => table.columns[i] = column,
            None => table.columns.push(column),
        }
        added.push(name.to_string());
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::ColumnData;

    fn table() -> Table {
        Table::new(vec![
            Column::new(
                "MntWines",
                ColumnType::Integer,
                ColumnData::Number(vec![Some(100.0), Some(10.0)]),
            ),
            Column::new(
                "MntFruits",
                ColumnType::Integer,
                ColumnData::Number(vec![Some(20.0), None]),
            ),
        ])
    }

    fn recipe(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn as_of() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    #[test]
    fn derived_columns_may_use_each_other_whatever_their_order() {
        let mut t = table();
        // `a_share` sorts before `total`, which it reads.
        let derive = recipe(&[
            ("a_share", "MntWines / total"),
            ("total", "MntWines + coalesce(MntFruits, 0)"),
            ("big", "total >= 100"),
        ]);
        let added = add_derived(&mut t, &derive, as_of()).unwrap();
        assert_eq!(added, ["total", "a_share", "big"]);
        let col = |n: &str| t.column(n).unwrap().data.clone();
        assert_eq!(
            col("total"),
            ColumnData::Number(vec![Some(120.0), Some(10.0)])
        );
        // Computed numbers keep 12 significant digits (100 / 120 = 0.8333333333333334).
        assert_eq!(
            col("a_share"),
            ColumnData::Number(vec![Some(0.833333333333), Some(1.0)])
        );
        assert_eq!(
            col("big"),
            ColumnData::Boolean(vec![Some(true), Some(false)])
        );
        assert_eq!(t.column("big").unwrap().ty, ColumnType::Boolean);
    }

    #[test]
    fn a_column_may_replace_itself_from_the_input() {
        let mut t = table();
        let derive = recipe(&[("MntFruits", "coalesce(MntFruits, 0) * 2")]);
        add_derived(&mut t, &derive, as_of()).unwrap();
        assert_eq!(t.n_cols(), 2);
        assert_eq!(
            t.column("MntFruits").unwrap().data,
            ColumnData::Number(vec![Some(40.0), Some(0.0)])
        );
    }

    #[test]
    fn a_cycle_is_an_error_naming_it() {
        let mut t = table();
        let derive = recipe(&[("a", "b + 1"), ("b", "c + 1"), ("c", "a + MntWines")]);
        let e = add_derived(&mut t, &derive, as_of()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "derive: the columns a -> b -> c -> a depend on each other in a cycle"
        );
        assert_eq!(t.n_cols(), 2);
    }

    #[test]
    fn a_bad_expression_names_its_key() {
        let mut t = table();
        let derive = recipe(&[("total", "MntWines + * 2")]);
        let e = add_derived(&mut t, &derive, as_of())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "derive.total: expected a value after '+'\n  MntWines + * 2\n             ^"
        );
    }
}
