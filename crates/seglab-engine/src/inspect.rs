//! The data-quality report: per column its type, missing share, distinct count, range or top
//! values and IQR outliers, plus whole-table exact duplicate rows.

use crate::stats::{iqr_fences, quantile_sorted, sorted_present};
use crate::table::{format_date, format_datetime, ColumnData, ColumnType, Table, TextColumn};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};
use serde::Serialize;
use serde_json::Value;
use std::hash::{Hash, Hasher};

#[derive(Debug, Serialize)]
pub struct InspectReport {
    pub file: String,
    pub rows: usize,
    pub duplicate_rows: usize,
    pub columns: Vec<ColumnProfile>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ColumnProfile {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Missing cells (count) and their share of rows in percent.
    pub missing: usize,
    pub missing_pct: f64,
    pub distinct: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Values outside the 1.5·IQR fences (numeric columns only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outliers: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub top: Vec<TopValue>,
}

#[derive(Debug, Serialize)]
pub struct TopValue {
    pub value: String,
    pub count: usize,
}

pub fn inspect(file: &str, table: &Table, warnings: &[String]) -> InspectReport {
    let rows = table.n_rows();
    // The duplicate search runs beside the profiles: one long column (a million emails) would
    // otherwise leave the other threads idle before it starts.
    let (columns, duplicates) = rayon::join(
        || {
            table
                .columns
                .par_iter()
                .map(|c| profile(&c.name, c.ty, &c.data, rows))
                .collect::<Vec<ColumnProfile>>()
        },
        || duplicate_rows(table).len(),
    );
    let mut warnings = warnings.to_vec();
    // Names already quoted in a load warning, gathered once: scanning every warning per column
    // is quadratic on a header of tens of thousands of empty columns.
    let named: FxHashSet<&str> = warnings
        .iter()
        .flat_map(|w| w.split('\'').skip(1).step_by(2))
        .collect();
    let named: FxHashSet<String> = named.into_iter().map(str::to_string).collect();
    for c in &columns {
        if c.missing == rows && !named.contains(c.name.as_str()) {
            warnings.push(format!("column '{}' has no values (all missing)", c.name));
        } else if c.distinct == 1 && c.missing < rows {
            warnings.push(format!("column '{}' has a single value", c.name));
        }
    }
    InspectReport {
        file: file.to_string(),
        rows,
        duplicate_rows: duplicates,
        columns,
        warnings,
    }
}

fn profile(name: &str, ty: ColumnType, data: &ColumnData, rows: usize) -> ColumnProfile {
    let missing = data.null_count();
    let mut p = ColumnProfile {
        name: name.to_string(),
        ty,
        missing,
        missing_pct: if rows == 0 {
            0.0
        } else {
            (1000.0 * missing as f64 / rows as f64).round() / 10.0
        },
        distinct: 0,
        min: None,
        median: None,
        max: None,
        mean: None,
        outliers: None,
        top: Vec::new(),
    };
    match data {
        ColumnData::Number(v) => {
            let sorted = sorted_present(v);
            // total_cmp orders by bits, so equal values sit side by side: no set needed.
            p.distinct = sorted.chunk_by(|a, b| a.to_bits() == b.to_bits()).count();
            let num = |x: Option<f64>| x.and_then(serde_json::Number::from_f64).map(Value::Number);
            p.min = num(sorted.first().copied());
            p.median = num(quantile_sorted(&sorted, 0.5));
            p.max = num(sorted.last().copied());
            if !sorted.is_empty() {
                p.mean = Some(sorted.iter().sum::<f64>() / sorted.len() as f64);
            }
            if ty != ColumnType::Id {
                p.outliers = iqr_fences(&sorted, 1.5)
                    .map(|(lo, hi)| sorted.iter().filter(|&&x| x < lo || x > hi).count());
            }
        }
        ColumnData::Date(v) => {
            let mut s: Vec<i32> = v.iter().flatten().copied().collect();
            s.sort_unstable();
            p.distinct = s.chunk_by(|a, b| a == b).count();
            let d = |x: Option<&i32>| x.map(|&x| Value::String(format_date(x)));
            p.min = d(s.first());
            p.median = d(s.get(s.len() / 2));
            p.max = d(s.last());
        }
        ColumnData::DateTime(v) => {
            let mut s: Vec<i64> = v.iter().flatten().copied().collect();
            s.sort_unstable();
            p.distinct = s.chunk_by(|a, b| a == b).count();
            let d = |x: Option<&i64>| x.map(|&x| Value::String(format_datetime(x)));
            p.min = d(s.first());
            p.median = d(s.get(s.len() / 2));
            p.max = d(s.last());
        }
        ColumnData::Boolean(v) => {
            let t = v.iter().filter(|x| **x == Some(true)).count();
            let f = v.iter().filter(|x| **x == Some(false)).count();
            p.distinct = (t > 0) as usize + (f > 0) as usize;
            p.top = top_values([("true".to_string(), t), ("false".to_string(), f)].into());
        }
        ColumnData::Text(v) => {
            let present = v.len() - missing;
            let mut best = Top5::default();
            // Columns the loader found to be mostly unique are counted by sorting hashes: a
            // map of a million strings is bound by cache misses (and twice the memory).
            if matches!(ty, ColumnType::Id | ColumnType::Email | ColumnType::Text) {
                (p.distinct, best) = text_groups(v, ty != ColumnType::Id);
            } else {
                let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
                for s in v.iter().flatten() {
                    *counts.entry(s).or_default() += 1;
                }
                p.distinct = counts.len();
                for (s, c) in counts {
                    best.offer(s, c);
                }
            }
            // Top values say nothing when every value is unique (emails, names of one-offs).
            let repeats = p.distinct < present;
            if ty != ColumnType::Id && repeats {
                p.top = top_values(
                    best.0
                        .into_iter()
                        .map(|(k, c)| (k.to_string(), c))
                        .collect(),
                );
            }
        }
    }
    p
}

/// The five most common values, ties by value, kept while the values stream past: most lose on
/// the count alone (no sort of a million distinct strings).
#[derive(Default)]
struct Top5<'a>(Vec<(&'a str, usize)>);

impl<'a> Top5<'a> {
    fn offer(&mut self, value: &'a str, count: usize) {
        let e = (value, count);
        let before =
            |a: &(&str, usize), b: &(&str, usize)| b.1.cmp(&a.1).then(a.0.cmp(b.0)).is_lt();
        let best = &mut self.0;
        if best.len() == 5 && !before(&e, &best[4]) {
            return;
        }
        let at = best
            .iter()
            .position(|b| before(&e, b))
            .unwrap_or(best.len());
        best.insert(at, e);
        best.truncate(5);
    }
}

/// The distinct count of the present values and, when `top` is asked for, their five most
/// common: the (hash, row) pairs are sorted so that equal values sit side by side, and only
/// cells of equal hash are compared. A hash seen once is a value seen once, counted without
/// reading its text (reading a million cells in hash order is a cache miss each).
fn text_groups(v: &TextColumn, top: bool) -> (usize, Top5<'_>) {
    let mut best = Top5::default();
    if u32::try_from(v.len()).is_err() {
        let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
        for s in v.iter().flatten() {
            *counts.entry(s).or_default() += 1;
        }
        let distinct = counts.len();
        counts.into_iter().for_each(|(s, c)| best.offer(s, c));
        return (distinct, best);
    }
    let mut keyed: Vec<(u64, u32)> = v
        .iter()
        .enumerate()
        .filter_map(|(row, cell)| {
            let mut h = FxHasher::default();
            h.write(cell?.as_bytes());
            Some((h.finish(), row as u32))
        })
        .collect();
    keyed.par_sort_unstable_by_key(|k| k.0);
    let text = |row: u32| v.get(row as usize).unwrap_or_default();
    let (mut distinct, mut singles, mut repeats) = (0, false, false);
    let mut groups: Vec<(&str, usize)> = Vec::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0) {
        if run.len() == 1 {
            distinct += 1;
            singles = true;
            continue;
        }
        // Equal hashes are nearly always equal values; a rare collision makes a second group.
        groups.clear();
        for &(_, row) in run {
            let s = text(row);
            match groups.iter_mut().find(|g| g.0 == s) {
                Some(g) => g.1 += 1,
                None => groups.push((s, 1)),
            }
        }
        distinct += groups.len();
        repeats |= groups.iter().any(|g| g.1 > 1);
        if top {
            groups.iter().for_each(|&(s, c)| best.offer(s, c));
        }
    }
    // Values seen once reach the top five only when fewer than five values repeat, and top
    // values are shown only when some value repeats (not for a column of unique emails).
    if top && singles && repeats && best.0.get(4).is_none_or(|b| b.1 == 1) {
        for run in keyed.chunk_by(|a, b| a.0 == b.0) {
            if let [(_, row)] = run {
                best.offer(text(*row), 1);
            }
        }
    }
    (distinct, best)
}

fn top_values(mut counts: Vec<(String, usize)>) -> Vec<TopValue> {
    counts.retain(|(_, c)| *c > 0);
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
        .into_iter()
        .take(5)
        .map(|(value, count)| TopValue { value, count })
        .collect()
}

fn cells_equal(data: &ColumnData, a: usize, b: usize) -> bool {
    match data {
        ColumnData::Number(v) => v[a].map(f64::to_bits) == v[b].map(f64::to_bits),
        ColumnData::Boolean(v) => v[a] == v[b],
        ColumnData::Date(v) => v[a] == v[b],
        ColumnData::DateTime(v) => v[a] == v[b],
        ColumnData::Text(t) => t.get(a) == t.get(b),
    }
}

/// Hash of each row over the given columns (all when `cols` is empty). Blocks of rows in
/// parallel, column by column within a block: each column's cells are read in order (a text
/// column's cells by position would each need a lookup of its part).
pub fn row_hashes(table: &Table, cols: &[usize]) -> Vec<u64> {
    const BLOCK: usize = 1 << 14;
    let cols: Vec<usize> = if cols.is_empty() {
        (0..table.n_cols()).collect()
    } else {
        cols.to_vec()
    };
    let mut hashes = vec![0u64; table.n_rows()];
    hashes
        .par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(b, out)| {
            for &c in &cols {
                mix_cells(&table.columns[c].data, b * BLOCK, out);
            }
        });
    hashes
}

/// Mixes the hash of the cells from row `start` into `out` (one per row).
fn mix_cells(data: &ColumnData, start: usize, out: &mut [u64]) {
    fn cell<T: Hash>(v: T) -> u64 {
        let mut h = FxHasher::default();
        v.hash(&mut h);
        h.finish()
    }
    fn mix(out: &mut [u64], cells: impl Iterator<Item = u64>) {
        for (h, c) in out.iter_mut().zip(cells) {
            *h = (h.rotate_left(5) ^ c).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    let end = start + out.len();
    match data {
        ColumnData::Number(v) => mix(out, v[start..end].iter().map(|x| cell(x.map(f64::to_bits)))),
        ColumnData::Boolean(v) => mix(out, v[start..end].iter().map(cell)),
        ColumnData::Date(v) => mix(out, v[start..end].iter().map(cell)),
        ColumnData::DateTime(v) => mix(out, v[start..end].iter().map(cell)),
        ColumnData::Text(t) => mix(out, t.iter_from(start).map(cell)),
    }
}

/// For every row that repeats an earlier row on `cols` (all columns when empty): (row, earlier row).
pub fn duplicates_on(table: &Table, cols: &[usize]) -> Vec<(usize, usize)> {
    let all: Vec<usize> = (0..table.n_cols()).collect();
    let cols = if cols.is_empty() { &all[..] } else { cols };
    let hashes = row_hashes(table, cols);
    // Sorting rows by (hash, row) puts candidates side by side without a map of vectors.
    let mut order: Vec<(u64, usize)> = hashes
        .into_iter()
        .enumerate()
        .map(|(r, h)| (h, r))
        .collect();
    order.par_sort_unstable();
    let mut dups = Vec::new();
    let mut firsts: Vec<usize> = Vec::new();
    for run in order.chunk_by(|a, b| a.0 == b.0) {
        if run.len() == 1 {
            continue;
        }
        firsts.clear();
        for &(_, r) in run {
            let same = firsts.iter().find(|&&e| {
                cols.iter()
                    .all(|&c| cells_equal(&table.columns[c].data, e, r))
            });
            match same {
                Some(&e) => dups.push((r, e)),
                None => firsts.push(r),
            }
        }
    }
    dups.sort_unstable();
    dups
}

pub fn duplicate_rows(table: &Table) -> Vec<(usize, usize)> {
    duplicates_on(table, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Column;

    fn table() -> Table {
        Table::new(vec![
            Column::new(
                "x",
                ColumnType::Number,
                ColumnData::Number(
                    [1., 2., 3., 4., 100., 2.]
                        .iter()
                        .map(|&v| Some(v))
                        .chain([None])
                        .collect(),
                ),
            ),
            Column::new(
                "c",
                ColumnType::Category,
                ColumnData::Text(
                    ["a", "b", "b", "a", "b", "b"]
                        .iter()
                        .map(|s| Some(s.to_string()))
                        .chain([None])
                        .collect(),
                ),
            ),
        ])
    }

    #[test]
    fn profiles_numbers_and_categories() {
        let r = inspect("t.csv", &table(), &[]);
        assert_eq!(r.rows, 7);
        let x = &r.columns[0];
        assert_eq!((x.missing, x.distinct), (1, 5));
        assert_eq!(x.missing_pct, 14.3);
        // Values 1,2,2,3,4,100: median 2.5, q1 2, q3 3.75, upper fence 6.375 → one outlier.
        assert_eq!(x.median, Some(serde_json::json!(2.5)));
        assert_eq!(x.outliers, Some(1));
        let c = &r.columns[1];
        assert_eq!(c.top[0].value, "b");
        assert_eq!(c.top[0].count, 4);
        // Row 5 (2, "b") repeats row 1.
        assert_eq!(r.duplicate_rows, 1);
        assert_eq!(duplicate_rows(&table()), vec![(5, 1)]);
    }

    #[test]
    fn mostly_unique_text_counts_by_sort_with_singles_in_the_top() {
        let cells = ["b", "a", "c", "a", "d", "e", "f"];
        let col = |ty| {
            let data = ColumnData::Text(cells.iter().map(|s| Some(*s)).chain([None]).collect());
            Table::new(vec![Column::new("t", ty, data)])
        };
        let r = inspect("t.csv", &col(ColumnType::Text), &[]);
        let t = &r.columns[0];
        assert_eq!((t.missing, t.distinct), (1, 6));
        let top: Vec<(&str, usize)> = t.top.iter().map(|v| (v.value.as_str(), v.count)).collect();
        assert_eq!(top, [("a", 2), ("b", 1), ("c", 1), ("d", 1), ("e", 1)]);
        let id = inspect("t.csv", &col(ColumnType::Id), &[]);
        assert_eq!((id.columns[0].distinct, id.columns[0].top.len()), (6, 0));
    }

    #[test]
    fn duplicates_on_key_columns() {
        let t = table();
        assert_eq!(duplicates_on(&t, &[1]).len(), 4);
    }
}
