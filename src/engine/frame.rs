//! Conversion between the engine's `Table` and a polars `DataFrame` (the file-format boundary).

use crate::engine::load::infer::{self, ColumnSpec, NumberStyle, RawColumn};
use crate::engine::table::{Column as SegColumn, ColumnData, ColumnType, Table};
use polars::prelude::*;

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
pub fn from_dataframe(df: &DataFrame, style: &NumberStyle) -> PolarsResult<(Table, Vec<String>)> {
    let mut table = Table::default();
    let mut warnings = Vec::new();
    let lines: Vec<usize> = (1..=df.height()).collect();
    for c in df.columns() {
        let name = c.name().to_string();
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
                let per_sec = match unit {
                    TimeUnit::Milliseconds => 1_000,
                    TimeUnit::Microseconds => 1_000_000,
                    TimeUnit::Nanoseconds => 1_000_000_000,
                };
                let v = c.datetime()?.physical().iter();
                SegColumn::new(
                    name,
                    ColumnType::DateTime,
                    ColumnData::DateTime(v.map(|x| x.map(|x| x.div_euclid(per_sec))).collect()),
                )
            }
            dt if dt.is_primitive_numeric() => {
                let values: Vec<Option<f64>> = c.cast(&DataType::Float64)?.f64()?.iter().collect();
                let present: Vec<f64> = values.iter().flatten().copied().collect();
                let ty = infer::classify_numbers(&name, &present);
                SegColumn::new(name, ty, ColumnData::Number(values))
            }
            _ => {
                let as_text = c.cast(&DataType::String)?;
                let raw: RawColumn = as_text
                    .str()?
                    .iter()
                    .map(|v| v.filter(|s| !s.trim().is_empty()))
                    .collect();
                let spec = ColumnSpec {
                    name: &name,
                    forced: None,
                    date_format: None,
                    style,
                    lines: &lines,
                };
                let (col, w) = infer::build_column(raw, &spec);
                warnings.extend(w);
                col
            }
        };
        table.columns.push(col);
    }
    Ok((table, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let (back, _) = from_dataframe(&df, &NumberStyle::default()).unwrap();
        assert_eq!(back.columns[0].data, table.columns[0].data);
        assert_eq!(back.columns[1].data, table.columns[1].data);
        assert_eq!(back.columns[2].data, table.columns[2].data);
        assert_eq!(back.columns[3].data, table.columns[3].data);
        assert_eq!(back.columns[4].data, table.columns[4].data);
    }
}
