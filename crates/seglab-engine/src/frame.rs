//! Conversion between the engine's `Table` and a polars `DataFrame` (the file-format boundary).

use crate::load::infer::{self, name_says_id, ColumnSpec, NumberStyle, RawColumn};
use crate::table::{Column as SegColumn, ColumnData, ColumnType, Table, TextColumn};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Above 2^53 not every integer has an f64 of its own: ids would collide when rounded.
const EXACT_IN_F64: u128 = 1 << 53;

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("column '{column}' ({dtype}): {source}")]
    Column {
        column: String,
        dtype: String,
        source: PolarsError,
    },
    #[error("no column holds flat values seglab can read (skipped: {skipped})")]
    NothingReadable { skipped: String },
}

pub fn to_dataframe(table: &Table) -> PolarsResult<DataFrame> {
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let name = PlSmallStr::from(c.name.as_str());
            let series = match &c.data {
                ColumnData::Number(v) => Series::new(name, v),
                ColumnData::Boolean(v) => Series::new(name, v),
                ColumnData::Date(v) => Series::new(name, v).cast(&DataType::Date)?,
                ColumnData::DateTime(v) => {
                    let ms: Vec<Option<i64>> = v.iter().map(|s| s.map(|s| s * 1000)).collect();
                    Series::new(name, ms).cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
                }
                ColumnData::Text(t) => Series::new(name, t.iter().collect::<Vec<Option<&str>>>()),
            };
            Ok(series.into_column())
        })
        .collect::<PolarsResult<Vec<Column>>>()?;
    DataFrame::new(table.n_rows(), columns)
}

/// Typed polars columns map directly; string columns go through the same inference as CSV cells.
/// Columns without a flat meaning (lists, structs, binary) are skipped with a warning.
/// `forced` types apply to text columns, and `id` also to numeric ones (kept as exact digits).
pub fn from_dataframe(
    df: &DataFrame,
    style: &NumberStyle,
    forced: &BTreeMap<String, ColumnType>,
) -> Result<(Table, Vec<String>), FrameError> {
    let mut table = Table::default();
    let mut warnings = Vec::new();
    let mut skipped = Vec::new();
    let lines: Vec<usize> = (1..=df.height()).collect();
    for c in df.columns() {
        let name = c.name().to_string();
        let spec = Spec {
            name: &name,
            forced: forced.get(&name).copied(),
            style,
            lines: &lines,
        };
        let converted = convert(c, &spec, &mut warnings).map_err(|source| FrameError::Column {
            column: name.clone(),
            dtype: c.dtype().to_string(),
            source,
        })?;
        match converted {
            Some(col) => table.columns.push(col),
            None => {
                warnings.push(format!(
                    "column '{name}' ({}) skipped: seglab reads flat values \
                     (numbers, text, dates, booleans)",
                    c.dtype()
                ));
                skipped.push(format!("'{name}' ({})", c.dtype()));
            }
        }
    }
    if table.columns.is_empty() && !skipped.is_empty() {
        return Err(FrameError::NothingReadable {
            skipped: skipped.join(", "),
        });
    }
    Ok((table, warnings))
}

fn per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Milliseconds => 1_000,
        TimeUnit::Microseconds => 1_000_000,
        TimeUnit::Nanoseconds => 1_000_000_000,
    }
}

/// What the conversion of one column needs to know.
struct Spec<'a> {
    name: &'a str,
    forced: Option<ColumnType>,
    style: &'a NumberStyle,
    lines: &'a [usize],
}

/// One polars column as an engine column; `None` when it has no flat meaning.
fn convert(c: &Column, spec: &Spec, warnings: &mut Vec<String>) -> PolarsResult<Option<SegColumn>> {
    let name = spec.name;
    let forced_id = spec.forced == Some(ColumnType::Id);
    let col = match c.dtype() {
        DataType::Boolean => SegColumn::new(
            name,
            ColumnType::Boolean,
            ColumnData::Boolean(c.bool()?.iter().collect()),
        ),
        DataType::Date => SegColumn::new(
            name,
            ColumnType::Date,
            ColumnData::Date(c.date()?.physical().iter().collect()),
        ),
        DataType::Datetime(unit, _) => {
            let per_sec = per_second(*unit);
            let v = c.datetime()?.physical().iter();
            SegColumn::new(
                name,
                ColumnType::DateTime,
                ColumnData::DateTime(v.map(|x| x.map(|x| x.div_euclid(per_sec))).collect()),
            )
        }
        // A duration is a quantity: seconds, as a number.
        DataType::Duration(unit) => {
            let per_sec = per_second(*unit) as f64;
            let physical = c.to_physical_repr();
            let v = physical.i64()?.iter();
            SegColumn::new(
                name,
                ColumnType::Number,
                ColumnData::Number(v.map(|x| x.map(|x| x as f64 / per_sec)).collect()),
            )
        }
        DataType::Time => time_of_day(c, name)?,
        dt if dt.is_integer() => integers(c, name, forced_id, warnings)?,
        dt if dt.is_float() || dt.is_decimal() => floats(c, name, forced_id, warnings)?,
        dt if dt.is_categorical() || dt.is_enum() => text(
            c,
            spec,
            spec.forced.or(Some(ColumnType::Category)),
            warnings,
        )?,
        DataType::String | DataType::Null => text(c, spec, spec.forced, warnings)?,
        _ => return Ok(None),
    };
    Ok(Some(col))
}

/// Whether the present values hold at least two different ones (an id that never changes is
/// a constant, as for CSV).
fn varies<T: PartialEq>(mut present: impl Iterator<Item = T>) -> bool {
    let first = present.next();
    first.is_some() && present.any(|v| Some(v) != first)
}

/// Integers stay exact: an id column (by name) or one with values beyond 2^53 becomes an Id
/// column holding the decimal digits, never f64.
fn integers(
    c: &Column,
    name: &str,
    forced_id: bool,
    warnings: &mut Vec<String>,
) -> PolarsResult<SegColumn> {
    let values: Vec<Option<i128>> = if c.dtype().is_unsigned_integer() {
        let v = c.cast(&DataType::UInt64)?;
        v.u64()?.iter().map(|x| x.map(i128::from)).collect()
    } else {
        let v = c.cast(&DataType::Int64)?;
        v.i64()?.iter().map(|x| x.map(i128::from)).collect()
    };
    let beyond = values
        .iter()
        .flatten()
        .find(|v| v.unsigned_abs() > EXACT_IN_F64);
    let named_id = forced_id || (name_says_id(name) && varies(values.iter().flatten()));
    if named_id || beyond.is_some() {
        if let (false, Some(v)) = (named_id, beyond) {
            warnings.push(format!(
                "column '{name}' holds integers too long to be quantities (e.g. {v}); \
                 read as an id, kept exact"
            ));
        }
        return Ok(id_text(name, values.iter().map(|v| v.as_ref())));
    }
    let numbers: Vec<Option<f64>> = values.iter().map(|v| v.map(|v| v as f64)).collect();
    let present: Vec<f64> = numbers.iter().flatten().copied().collect();
    let ty = infer::classify_numbers(name, &present);
    Ok(SegColumn::new(name, ty, ColumnData::Number(numbers)))
}

/// Floats (and decimals) are numbers, except whole numbers that are ids. Integers beyond 2^53
/// stored as floating point may already have been rounded by whoever wrote the file: say so.
fn floats(
    c: &Column,
    name: &str,
    forced_id: bool,
    warnings: &mut Vec<String>,
) -> PolarsResult<SegColumn> {
    let values: Vec<Option<f64>> = c.cast(&DataType::Float64)?.f64()?.iter().collect();
    let mut present = values.iter().flatten();
    let whole = present.clone().all(|v| v.fract() == 0.0);
    let beyond = present.find(|v| v.abs() > EXACT_IN_F64 as f64).copied();
    let named_id =
        forced_id || (name_says_id(name) && varies(values.iter().flatten().map(|v| v.to_bits())));
    if whole && (named_id || beyond.is_some()) {
        if let Some(v) = beyond {
            warnings.push(format!(
                "column '{name}' stores whole numbers beyond 2^53 as floating point (e.g. {v:.0}); \
                 they may have been rounded when the file was written (store ids as integers or \
                 text). Read as an id"
            ));
        }
        let digits: Vec<Option<String>> = values
            .iter()
            .map(|v| v.map(|v| format!("{v:.0}")))
            .collect();
        return Ok(SegColumn::new(
            name,
            ColumnType::Id,
            ColumnData::Text(digits.into_iter().collect()),
        ));
    }
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let ty = infer::classify_numbers(name, &present);
    Ok(SegColumn::new(name, ty, ColumnData::Number(values)))
}

/// Decimal digits in one reused buffer (no allocation per cell on million-row files).
fn id_text<'a>(name: &str, values: impl ExactSizeIterator<Item = Option<&'a i128>>) -> SegColumn {
    let mut out = TextColumn::with_capacity(values.len(), values.len() * 12);
    let mut cell = String::new();
    for v in values {
        cell.clear();
        let _ = v.map(|v| write!(cell, "{v}"));
        out.push(v.map(|_| cell.as_str()));
    }
    SegColumn::new(name, ColumnType::Id, ColumnData::Text(out))
}

/// A time of day has no arithmetic meaning for segmentation: kept as "HH:MM:SS[.fff]" text.
fn time_of_day(c: &Column, name: &str) -> PolarsResult<SegColumn> {
    let physical = c.to_physical_repr();
    let nanos = physical.i64()?;
    let mut out = TextColumn::with_capacity(nanos.len(), nanos.len() * 8);
    let mut cell = String::new();
    for v in nanos.iter() {
        cell.clear();
        if let Some(ns) = v {
            let (secs, frac) = (ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000));
            let _ = write!(
                cell,
                "{:02}:{:02}:{:02}",
                secs / 3600,
                secs / 60 % 60,
                secs % 60
            );
            if frac != 0 {
                let _ = write!(cell, ".{frac:09}");
                cell.truncate(cell.trim_end_matches('0').len());
            }
        }
        out.push(v.map(|_| cell.as_str()));
    }
    Ok(SegColumn::new(
        name,
        ColumnType::Text,
        ColumnData::Text(out),
    ))
}

fn text(
    c: &Column,
    spec: &Spec,
    forced: Option<ColumnType>,
    warnings: &mut Vec<String>,
) -> PolarsResult<SegColumn> {
    let as_text = c.cast(&DataType::String)?;
    let raw: RawColumn = as_text
        .str()?
        .iter()
        .map(|v| v.filter(|s| !s.trim().is_empty()))
        .collect();
    if forced == Some(ColumnType::Id) {
        // An id is kept exactly as written, whatever it looks like.
        return Ok(SegColumn::new(
            spec.name,
            ColumnType::Id,
            ColumnData::Text(raw),
        ));
    }
    let column_spec = ColumnSpec {
        name: spec.name,
        forced,
        date_format: None,
        style: spec.style,
        lines: spec.lines,
    };
    let (col, w) = infer::build_column(raw, &column_spec);
    warnings.extend(w);
    Ok(col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert_df(columns: Vec<Column>) -> (Table, Vec<String>) {
        let height = columns.first().map_or(0, |c| c.len());
        let df = DataFrame::new(height, columns).unwrap();
        from_dataframe(&df, &NumberStyle::default(), &BTreeMap::new()).unwrap()
    }

    fn texts(c: &SegColumn) -> Vec<Option<String>> {
        c.data.as_text().expect("a text column").to_strings()
    }

    #[test]
    fn round_trips_every_kind_of_column() {
        let table = Table::new(vec![
            SegColumn::new(
                "n",
                ColumnType::Number,
                ColumnData::Number(vec![Some(1.5), None]),
            ),
            SegColumn::new(
                "b",
                ColumnType::Boolean,
                ColumnData::Boolean(vec![None, Some(true)]),
            ),
            SegColumn::new(
                "d",
                ColumnType::Date,
                ColumnData::Date(vec![Some(19_000), None]),
            ),
            SegColumn::new(
                "t",
                ColumnType::DateTime,
                ColumnData::DateTime(vec![Some(1_700_000_000), None]),
            ),
            SegColumn::new(
                "s",
                ColumnType::Text,
                ColumnData::Text([Some("x"), None].into_iter().collect()),
            ),
        ]);
        let df = to_dataframe(&table).unwrap();
        let (back, _) = from_dataframe(&df, &NumberStyle::default(), &BTreeMap::new()).unwrap();
        assert_eq!(back.columns[0].data, table.columns[0].data);
        assert_eq!(back.columns[1].data, table.columns[1].data);
        assert_eq!(back.columns[2].data, table.columns[2].data);
        assert_eq!(back.columns[3].data, table.columns[3].data);
        assert_eq!(back.columns[4].data, table.columns[4].data);
    }

    #[test]
    fn integer_ids_and_long_integers_stay_exact_text() {
        let base = 1_234_567_890_123_456_789i64;
        let (t, w) = convert_df(vec![
            Column::new("customer_id".into(), [base, base + 1, base + 2]),
            Column::new("card".into(), [4_111_111_111_111_111_111u64, 1, 2]),
            Column::new("qty".into(), [1i64, 2, 3]),
        ]);
        assert_eq!(t.columns[0].ty, ColumnType::Id);
        let ids = texts(&t.columns[0]);
        assert_eq!(ids[1].as_deref(), Some("1234567890123456790"));
        assert_eq!(ids[2].as_deref(), Some("1234567890123456791"));
        assert_eq!(t.columns[1].ty, ColumnType::Id);
        assert_eq!(
            texts(&t.columns[1])[0].as_deref(),
            Some("4111111111111111111")
        );
        assert!(w.iter().any(|w| w.contains("'card'")), "{w:?}");
        assert_eq!(t.columns[2].ty, ColumnType::Integer);
        assert_eq!(
            t.columns[2].data,
            ColumnData::Number(vec![Some(1.0), Some(2.0), Some(3.0)])
        );
    }

    #[test]
    fn float_ids_beyond_2_pow_53_are_ids_with_a_warning() {
        let (t, w) = convert_df(vec![Column::new(
            "customer_id".into(),
            [1.2345678901234568e18f64, 2.0],
        )]);
        assert_eq!(t.columns[0].ty, ColumnType::Id);
        assert_eq!(texts(&t.columns[0])[1].as_deref(), Some("2"));
        assert!(w[0].contains("may have been rounded"), "{w:?}");
    }

    #[test]
    fn durations_times_and_nested_columns() {
        let duration = Series::new("wait".into(), [1_500i64, 60_000])
            .cast(&DataType::Duration(TimeUnit::Milliseconds))
            .unwrap();
        let time = Series::new("at".into(), [3_723_000_000_000i64, 500_000_000])
            .cast(&DataType::Time)
            .unwrap();
        let list = Series::new(
            "tags".into(),
            [
                Series::new("".into(), [1i64, 2]),
                Series::new("".into(), [3i64]),
            ],
        );
        let binary = Series::new("blob".into(), [b"ab".as_ref(), b"c".as_ref()]);
        let (t, w) = convert_df(vec![
            duration.into_column(),
            time.into_column(),
            list.into_column(),
            binary.into_column(),
        ]);
        assert_eq!(t.names(), vec!["wait", "at"]);
        assert_eq!(t.columns[0].ty, ColumnType::Number);
        assert_eq!(
            t.columns[0].data,
            ColumnData::Number(vec![Some(1.5), Some(60.0)])
        );
        assert_eq!(
            texts(&t.columns[1]),
            vec![Some("01:02:03".to_string()), Some("00:00:00.5".to_string())]
        );
        assert!(
            w.iter().any(|w| w.contains("'tags' (list[i64]) skipped")),
            "{w:?}"
        );
        assert!(
            w.iter().any(|w| w.contains("'blob' (binary) skipped")),
            "{w:?}"
        );
    }

    #[test]
    fn a_frame_of_only_nested_columns_is_an_error() {
        let list = Series::new("tags".into(), [Series::new("".into(), [1i64])]);
        let df = DataFrame::new(1, vec![list.into_column()]).unwrap();
        let e = from_dataframe(&df, &NumberStyle::default(), &BTreeMap::new()).unwrap_err();
        assert!(e.to_string().contains("'tags' (list[i64])"), "{e}");
    }
}
