//! The "other columns" of a profile: every column of the cleaned table that was not clustered
//! on (churn, contract, gender…), profiled beside the features so a marketer sees what else sets
//! a segment apart. Identifiers, contact details and free text are left out, and said so.
//!
//! They do not move the clustering, so they name a segment only when one of their category
//! values dominates it ("No internet service: 100% vs 22% overall").

use crate::default_features::integer_codes;
use crate::profile::{
    category_entry, profile_in_space, rank_distinguishing, CategoryValue, SegmentProfile,
};
use crate::table::{ColumnData, ColumnType, Table};
use rustc_hash::FxHashSet;
use serde::Serialize;

/// A text column with more distinct values than this and than `MAX_DISTINCT_SHARE` of the rows
/// is an identifier or free text in disguise (a city of thousands, a comment): not profiled.
pub const MAX_DISTINCT: usize = 50;
pub const MAX_DISTINCT_SHARE: f64 = 0.2;
/// Other columns profiled at most, in table order: a table thousands of columns wide would make
/// personas.md unreadable and its JSON huge.
pub const MAX_OTHER_COLUMNS: usize = 60;
/// A category value dominates a segment when most of it holds the value and either far more
/// than overall (at least this share where at most `DOMINANT_POPULATION` of everyone does)…
pub const DOMINANT_SHARE: f64 = 0.8;
pub const DOMINANT_POPULATION: f64 = 0.5;
/// …or its share is this many standard deviations of the value's 0/1 indicator above overall.
pub const DOMINANT_Z: f64 = 1.0;

/// The columns to profile besides the features, and those left out with the reason.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OtherColumns {
    /// Number and yes/no columns (means, medians, z; shares for yes/no).
    pub numeric: Vec<String>,
    /// Text categories and integer codes (top shares with lift).
    pub categories: Vec<String>,
    pub skipped: Vec<SkippedColumn>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedColumn {
    pub column: String,
    pub reason: String,
}

/// Sorts every column that is not a feature (nor the join id `id`) into numbers, categories
/// and skipped columns, in table order.
pub fn choose(table: &Table, id: Option<&str>, features: &[String]) -> OtherColumns {
    let mut out = OtherColumns::default();
    let rows = table.n_rows();
    for c in &table.columns {
        if features.contains(&c.name) {
            continue;
        }
        let skip = |reason: String| SkippedColumn {
            column: c.name.clone(),
            reason,
        };
        let present = rows - c.data.null_count();
        let reason = if Some(c.name.as_str()) == id || c.ty == ColumnType::Id {
            Some("identifier".to_string())
        } else if let Some(r) = crate::personal_data::reason(&c.name, c.ty) {
            Some(r.to_string())
        } else if c.ty == ColumnType::Text {
            Some("free text".to_string())
        } else if matches!(c.data, ColumnData::Date(_) | ColumnData::DateTime(_)) {
            Some("a date (ages and tenures derived from dates are profiled)".to_string())
        } else if present == 0 {
            Some("no values".to_string())
        } else {
            None
        };
        if let Some(reason) = reason {
            out.skipped.push(skip(reason));
            continue;
        }
        let limit = MAX_DISTINCT.max((MAX_DISTINCT_SHARE * rows as f64) as usize);
        let category = matches!(c.data, ColumnData::Text(_)) || integer_codes(c).is_some();
        match distinct_up_to(&c.data, limit + 1) {
            1 => out.skipped.push(skip("a single value".to_string())),
            n if category && n > limit => out.skipped.push(skip(format!(
                "more than {limit} distinct values (more than {MAX_DISTINCT} and {:.0}% of \
                 rows: an identifier or free text)",
                MAX_DISTINCT_SHARE * 100.0
            ))),
            _ if out.numeric.len() + out.categories.len() >= MAX_OTHER_COLUMNS => {
                out.skipped.push(skip(format!(
                    "beyond the first {MAX_OTHER_COLUMNS} other columns"
                )))
            }
            _ if category => out.categories.push(c.name.clone()),
            _ => out.numeric.push(c.name.clone()),
        }
    }
    out
}

/// Distinct present values, counting no further than `cap`.
fn distinct_up_to(data: &ColumnData, cap: usize) -> usize {
    let mut seen: FxHashSet<String> = FxHashSet::default();
    match data {
        ColumnData::Number(v) => {
            let mut bits: FxHashSet<u64> = FxHashSet::default();
            for x in v.iter().flatten() {
                bits.insert(x.to_bits());
                if bits.len() >= cap {
                    break;
                }
            }
            bits.len()
        }
        _ => {
            for row in 0..data.len() {
                if let Some(cell) = data.text_at(row) {
                    if !seen.contains(cell.as_ref()) {
                        seen.insert(cell.into_owned());
                    }
                    if seen.len() >= cap {
                        break;
                    }
                }
            }
            seen.len()
        }
    }
}

/// Adds the other columns' statistics to `profiles` (made by `profile_in_space` with the same
/// `labels`), and lets a dominating category value set its segment apart.
pub fn add_to_profiles(
    profiles: &mut [SegmentProfile],
    table: &Table,
    labels: &[Option<usize>],
    other: &OtherColumns,
) {
    let others = profile_in_space(table, labels, &other.numeric, &other.categories, &[]);
    for (p, o) in profiles.iter_mut().zip(others) {
        debug_assert_eq!(
            p.id, o.id,
            "profiles of the same labels come in the same order"
        );
        p.other_numeric = o.numeric;
        p.other_categories = o.top_categories;
        let mut all = std::mem::take(&mut p.distinguishing);
        for c in &p.other_categories {
            if let Some(v) = c.top.first().filter(|v| dominates(v)) {
                all.push(category_entry(&c.column, v));
            }
        }
        p.distinguishing = rank_distinguishing(all);
    }
}

/// A value most of the segment holds, far more often than everyone does.
pub fn dominates(v: &CategoryValue) -> bool {
    let strong = (v.share >= DOMINANT_SHARE && v.population_share <= DOMINANT_POPULATION)
        || v.z >= DOMINANT_Z;
    v.share >= 0.5 && strong
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Column;

    fn text(name: &str, ty: ColumnType, cells: impl Fn(usize) -> String) -> Column {
        let cells: Vec<Option<String>> = (0..120).map(|r| Some(cells(r))).collect();
        let data = ColumnData::Text(cells.iter().map(|c| c.as_deref()).collect());
        Column::new(name, ty, data)
    }

    fn numbers(name: &str, ty: ColumnType, cell: impl Fn(usize) -> f64) -> Column {
        let data = ColumnData::Number((0..120).map(|r| Some(cell(r))).collect());
        Column::new(name, ty, data)
    }

    #[test]
    fn columns_are_sorted_into_numbers_categories_and_skipped_with_reasons() {
        let table = Table::new(vec![
            text("customerID", ColumnType::Id, |r| format!("C{r}")),
            text("contact", ColumnType::Email, |r| format!("{r}@x.org")),
            text("last_name", ColumnType::Category, |r| format!("N{}", r % 7)),
            text("comment", ColumnType::Text, |r| format!("said {r}")),
            // 61 distinct of 120 rows: more than 50 and more than 20% (24).
            text("city", ColumnType::Category, |r| format!("T{}", r % 61)),
            text("Contract", ColumnType::Category, |r| format!("K{}", r % 3)),
            text("Country", ColumnType::Category, |_| "FR".to_string()),
            numbers("tenure", ColumnType::Integer, |r| r as f64),
            numbers("Channel", ColumnType::Integer, |r| (r % 2) as f64 + 1.0),
            numbers("spend", ColumnType::Number, |r| r as f64 * 1.5),
            Column::new(
                "joined",
                ColumnType::Date,
                ColumnData::Date((0..120).map(Some).collect()),
            ),
        ]);
        let other = choose(&table, None, &["spend".to_string()]);
        assert_eq!(other.numeric, ["tenure"]);
        assert_eq!(other.categories, ["Contract", "Channel"]);
        let skipped: Vec<(&str, &str)> = other
            .skipped
            .iter()
            .map(|s| (s.column.as_str(), s.reason.split(' ').next().unwrap()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("customerID", "identifier"),
                ("contact", "email"),
                ("last_name", "person's"),
                ("comment", "free"),
                ("city", "more"),
                ("Country", "a"),
                ("joined", "a"),
            ]
        );
        // The join id named by the recipe is an identifier whatever its type.
        let by_name = choose(&table, Some("tenure"), &[]);
        assert!(!by_name.numeric.contains(&"tenure".to_string()));
    }

    #[test]
    fn wide_tables_are_bounded() {
        let columns: Vec<Column> = (0..MAX_OTHER_COLUMNS + 5)
            .map(|i| {
                numbers(&format!("m{i}"), ColumnType::Number, move |r| {
                    (r * i) as f64
                })
            })
            .collect();
        let other = choose(&Table::new(columns), None, &[]);
        // m0 is constant (a single value); the next 60 are profiled, the last 4 left out.
        assert_eq!(other.numeric.len(), MAX_OTHER_COLUMNS);
        assert_eq!(other.skipped.len(), 5);
        assert_eq!(
            other.skipped[4].column,
            format!("m{}", MAX_OTHER_COLUMNS + 4)
        );
    }

    #[test]
    fn a_value_dominates_when_most_hold_it_and_far_more_than_overall() {
        let value = |share: f64, population_share: f64| {
            let sd = (population_share * (1.0 - population_share)).sqrt();
            CategoryValue {
                value: "No".into(),
                count: 1,
                share,
                population_share,
                lift: share / population_share,
                z: (share - population_share) / sd,
            }
        };
        assert!(dominates(&value(1.0, 0.22)));
        assert!(dominates(&value(0.8, 0.5)));
        // 75% against 30%: z = 0.45 / 0.458 = 0.98, and under 80%.
        assert!(!dominates(&value(0.75, 0.3)));
        // 60% against 10%: z = 0.5 / 0.3 = 1.67.
        assert!(dominates(&value(0.6, 0.1)));
        // A minority never dominates, whatever its lift.
        assert!(!dominates(&value(0.45, 0.05)));
        // Common everywhere: 90% against 70% is z 0.44.
        assert!(!dominates(&value(0.9, 0.7)));
    }
}
