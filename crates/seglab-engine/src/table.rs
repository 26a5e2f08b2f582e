//! The engine's in-memory table: named, typed columns with explicit missing values.
//!
//! The engine owns this small columnar type (instead of passing polars frames around) because
//! every cleaning step needs per-cell control and a report of what changed; polars is used at
//! the file-format boundary (see `load::polars_io` and `report::table_files`).

pub use crate::text_column::TextColumn;
use chrono::{DateTime, Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt::Write;

/// What a column means to an analyst; drives which statistics and operations apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Number,
    Integer,
    Category,
    Date,
    DateTime,
    Boolean,
    Id,
    Email,
    Text,
}

impl ColumnType {
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Number => "number",
            ColumnType::Integer => "integer",
            ColumnType::Category => "category",
            ColumnType::Date => "date",
            ColumnType::DateTime => "datetime",
            ColumnType::Boolean => "boolean",
            ColumnType::Id => "id",
            ColumnType::Email => "email",
            ColumnType::Text => "text",
        }
    }
}

/// Cell storage. Dates are days since 1970-01-01; date-times are seconds since the epoch (naive).
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    Number(Vec<Option<f64>>),
    Boolean(Vec<Option<bool>>),
    Date(Vec<Option<i32>>),
    DateTime(Vec<Option<i64>>),
    Text(TextColumn),
}

/// Runs `$vec` on the typed vectors and `$text` on a text column.
macro_rules! each_vec {
    ($data:expr, $v:ident => $vec:expr, $t:ident => $text:expr) => {
        match $data {
            ColumnData::Number($v) => $vec,
            ColumnData::Boolean($v) => $vec,
            ColumnData::Date($v) => $vec,
            ColumnData::DateTime($v) => $vec,
            ColumnData::Text($t) => $text,
        }
    };
}

fn retain_flagged<T>(v: &mut Vec<Option<T>>, keep: &[bool]) {
    let mut i = 0;
    v.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

fn copy_into<T: Clone>(v: &mut [Option<T>], pairs: &[(usize, usize)]) -> usize {
    let mut n = 0;
    for &(into, from) in pairs {
        if v[into].is_none() && v[from].is_some() {
            v[into] = v[from].clone();
            n += 1;
        }
    }
    n
}

impl ColumnData {
    pub fn len(&self) -> usize {
        each_vec!(self, v => v.len(), t => t.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_null(&self, row: usize) -> bool {
        each_vec!(self, v => v[row].is_none(), t => t.is_null(row))
    }

    pub fn null_count(&self) -> usize {
        each_vec!(self, v => v.iter().filter(|x| x.is_none()).count(), t => t.null_count())
    }

    /// Keep the rows whose flag is true, in place.
    pub fn retain_rows(&mut self, keep: &[bool]) {
        match self {
            ColumnData::Number(v) => retain_flagged(v, keep),
            ColumnData::Boolean(v) => retain_flagged(v, keep),
            ColumnData::Date(v) => retain_flagged(v, keep),
            ColumnData::DateTime(v) => retain_flagged(v, keep),
            ColumnData::Text(t) => {
                let rows: Vec<usize> = (0..keep.len()).filter(|&r| keep[r]).collect();
                *t = t.take(&rows);
            }
        }
    }

    /// For each (into, from): when `into` is missing, give it `from`'s value. Returns cells filled.
    pub fn fill_from(&mut self, pairs: &[(usize, usize)]) -> usize {
        match self {
            ColumnData::Number(v) => copy_into(v, pairs),
            ColumnData::Boolean(v) => copy_into(v, pairs),
            ColumnData::Date(v) => copy_into(v, pairs),
            ColumnData::DateTime(v) => copy_into(v, pairs),
            ColumnData::Text(t) => {
                // The first donor of each row wins, as for the other column kinds.
                let mut source: std::collections::HashMap<usize, usize> = Default::default();
                for &(into, from) in pairs {
                    if t.is_null(into) && !t.is_null(from) {
                        source.entry(into).or_insert(from);
                    }
                }
                if !source.is_empty() {
                    let old = std::mem::take(t);
                    *t = old.map(|r, c| {
                        c.or_else(|| source.get(&r).and_then(|&f| old.get(f)))
                            .map(Cow::Borrowed)
                    });
                }
                source.len()
            }
        }
    }

    /// A new column holding the given rows, in the given order.
    pub fn take(&self, rows: &[usize]) -> ColumnData {
        match self {
            ColumnData::Number(v) => ColumnData::Number(rows.iter().map(|&r| v[r]).collect()),
            ColumnData::Boolean(v) => ColumnData::Boolean(rows.iter().map(|&r| v[r]).collect()),
            ColumnData::Date(v) => ColumnData::Date(rows.iter().map(|&r| v[r]).collect()),
            ColumnData::DateTime(v) => ColumnData::DateTime(rows.iter().map(|&r| v[r]).collect()),
            ColumnData::Text(t) => ColumnData::Text(t.take(rows)),
        }
    }

    pub fn as_numbers(&self) -> Option<&[Option<f64>]> {
        match self {
            ColumnData::Number(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<&TextColumn> {
        match self {
            ColumnData::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The cell as text, borrowed from text columns.
    pub fn text_at(&self, row: usize) -> Option<Cow<'_, str>> {
        match self {
            ColumnData::Text(t) => t.get(row).map(Cow::Borrowed),
            _ => self.display(row).map(Cow::Owned),
        }
    }

    /// Append the cell as `display` writes it, without allocating; false when missing.
    pub fn write_cell(&self, row: usize, out: &mut String) -> bool {
        let _ = match self {
            ColumnData::Number(v) => v[row].map(|x| {
                if x.fract() == 0.0 && x.abs() < 1e15 {
                    write!(out, "{}", x as i64)
                } else {
                    write!(out, "{x}")
                }
            }),
            ColumnData::Boolean(v) => v[row].map(|b| write!(out, "{b}")),
            ColumnData::Date(v) => v[row].map(|d| write_date(out, d)),
            ColumnData::DateTime(v) => v[row].map(|s| {
                write_date(out, s.div_euclid(86_400) as i32)?;
                let t = s.rem_euclid(86_400);
                write!(out, " {:02}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
            }),
            ColumnData::Text(t) => t.get(row).map(|s| {
                out.push_str(s);
                Ok(())
            }),
        }
        .is_some_and(|r| r.is_ok());
        !self.is_null(row)
    }

    /// The cell as an analyst would write it in a CSV; `None` when missing.
    pub fn display(&self, row: usize) -> Option<String> {
        match self {
            ColumnData::Number(v) => v[row].map(format_number),
            ColumnData::Boolean(v) => v[row].map(|b| b.to_string()),
            ColumnData::Date(v) => v[row].map(format_date),
            ColumnData::DateTime(v) => v[row].map(format_datetime),
            ColumnData::Text(t) => t.get(row).map(str::to_owned),
        }
    }

    /// Every present cell as text (for category-like operations on any column).
    pub fn to_text_values(&self) -> Vec<Option<String>> {
        (0..self.len()).map(|r| self.display(r)).collect()
    }
}

pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

const EPOCH_DAYS_FROM_CE: i32 = 719_163;

pub fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

pub fn days_to_date(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days + EPOCH_DAYS_FROM_CE)
}

fn write_date(out: &mut String, days: i32) -> std::fmt::Result {
    match days_to_date(days) {
        Some(d) => write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        None => write!(out, "day {days}"),
    }
}

pub fn format_date(days: i32) -> String {
    days_to_date(days)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| format!("day {days}"))
}

pub fn format_datetime(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0)
        .map(|d| d.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| format!("second {secs}"))
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    pub data: ColumnData,
}

impl Column {
    pub fn new(name: impl Into<String>, ty: ColumnType, data: ColumnData) -> Self {
        Column {
            name: name.into(),
            ty,
            data,
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self.data, ColumnData::Number(_)) && self.ty != ColumnType::Id
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn new(columns: Vec<Column>) -> Self {
        Table { columns }
    }

    pub fn n_rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// Replaces the column of the same name, or adds it at the end.
    pub fn put(&mut self, column: Column) {
        match self.index_of(&column.name) {
            Some(i) => self.columns[i] = column,
            None => self.columns.push(column),
        }
    }

    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Keep the rows whose flag is true, one column at a time (no second copy of the table).
    pub fn retain_rows(&mut self, keep: &[bool]) {
        for c in &mut self.columns {
            c.data.retain_rows(keep);
        }
    }

    pub fn take(&self, rows: &[usize]) -> Table {
        Table {
            columns: self
                .columns
                .iter()
                .map(|c| Column::new(c.name.clone(), c.ty, c.data.take(rows)))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_through_days() {
        let d = NaiveDate::from_ymd_opt(1970, 1, 2).unwrap();
        assert_eq!(date_to_days(d), 1);
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(days_to_date(date_to_days(d)), Some(d));
        assert_eq!(format_date(date_to_days(d)), "2024-02-29");
        assert_eq!(format_datetime(86_400 + 3_661), "1970-01-02 01:01:01");
    }

    #[test]
    fn numbers_print_like_an_analyst_writes_them() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-2.5), "-2.5");
        assert_eq!(format_number(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn filter_and_take_keep_rows_aligned() {
        let t = Table::new(vec![
            Column::new(
                "a",
                ColumnType::Number,
                ColumnData::Number(vec![Some(1.0), None, Some(3.0)]),
            ),
            Column::new(
                "b",
                ColumnType::Text,
                ColumnData::Text([Some("x"), Some("y"), None].into_iter().collect()),
            ),
        ]);
        let mut f = t.clone();
        f.retain_rows(&[true, false, true]);
        assert_eq!(f.n_rows(), 2);
        assert_eq!(f.columns[1].data.display(1), None);
        assert_eq!(f.columns[0].data.display(1).as_deref(), Some("3"));
        assert_eq!(t.columns[0].data.null_count(), 1);
    }
}
