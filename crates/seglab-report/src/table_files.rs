//! A table written as CSV or Parquet, streamed into any writer.

use crate::formula::needs_escape;
use polars::prelude::*;
use seglab_engine::frame::to_dataframe;
use seglab_engine::table::{Column, ColumnData, ColumnType, Table};
use std::fmt::Write as _;
use std::io::{self, Write};

/// A CSV for people: cells a spreadsheet would run as formulas are escaped (`report::formula`).
pub fn write_csv<W: Write>(table: &Table, out: W) -> io::Result<()> {
    write_csv_with(table, out, true)
}

/// `formula_escape` false writes every cell as it is (for machine consumers).
/// Cells are formatted into one reused buffer, so a million rows cost no allocation per cell.
pub fn write_csv_with<W: Write>(table: &Table, out: W, formula_escape: bool) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut cell = String::new();
    let field = |w: &mut csv::Writer<W>, cell: &mut String| {
        if formula_escape && needs_escape(cell) {
            cell.insert(0, '\'');
        }
        w.write_field(cell.as_bytes())
    };
    for name in table.names() {
        cell.clear();
        cell.push_str(name);
        field(&mut w, &mut cell)?;
    }
    w.write_record(None::<&[u8]>)?;
    for r in 0..table.n_rows() {
        for c in &table.columns {
            cell.clear();
            write_cell(c, r, &mut cell);
            field(&mut w, &mut cell)?;
        }
        w.write_record(None::<&[u8]>)?;
    }
    w.flush()
}

/// As `ColumnData::write_cell`, except that measurements from 1e15 up get an exponent: written
/// as 16+ plain digits they would read back as an id (text), and 1e300 would be 301 digits.
fn write_cell(c: &Column, row: usize, out: &mut String) {
    if let ColumnData::Number(v) = &c.data {
        if let Some(x) = v[row].filter(|x| x.abs() >= 1e15 && c.ty != ColumnType::Id) {
            let _ = write!(out, "{x:e}");
            return;
        }
    }
    c.data.write_cell(row, out);
}

/// Snappy (never formula-escaped: Parquet is for machines): several times faster to write than zstd, and what pandas/pyarrow use by default.
pub fn write_parquet<W: Write>(table: &Table, out: W) -> io::Result<()> {
    let to_io = |e: PolarsError| io::Error::other(e.to_string());
    let mut df = to_dataframe(table).map_err(to_io)?;
    // Ids held as numbers (whole, at most 2^53 by the loader's rule) are written as int64, so
    // readers do not take them for measurements or print them as 1.2e5.
    for c in &table.columns {
        if c.ty == ColumnType::Id && matches!(c.data, ColumnData::Number(_)) {
            let ints = df
                .column(&c.name)
                .and_then(|s| s.cast(&DataType::Int64))
                .map_err(to_io)?;
            df.with_column(ints).map_err(to_io)?;
        }
    }
    ParquetWriter::new(out)
        .with_compression(ParquetCompression::Snappy)
        .finish(&mut df)
        .map_err(to_io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting_and_leaves_missing_empty() {
        let t = Table::new(vec![
            Column::new(
                "n",
                ColumnType::Number,
                ColumnData::Number(vec![Some(1.5), None]),
            ),
            Column::new(
                "s",
                ColumnType::Text,
                ColumnData::Text([Some("a, \"b\""), Some("c")].into_iter().collect()),
            ),
            Column::new(
                "d",
                ColumnType::Date,
                ColumnData::Date(vec![Some(0), Some(59)]),
            ),
        ]);
        let mut out = Vec::new();
        write_csv(&t, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "n,s,d\n1.5,\"a, \"\"b\"\"\",1970-01-01\n,c,1970-03-01\n"
        );
    }

    #[test]
    fn ids_are_written_exactly_to_csv_and_as_int64_or_text_to_parquet() {
        let big = "1234567890123456789";
        let t = Table::new(vec![
            Column::new(
                "n_id",
                ColumnType::Id,
                ColumnData::Number(vec![Some(9_007_199_254_740_992.0), Some(7.0)]),
            ),
            Column::new(
                "t_id",
                ColumnType::Id,
                ColumnData::Text([Some(big), Some("0042")].into_iter().collect()),
            ),
            Column::new(
                "m",
                ColumnType::Number,
                ColumnData::Number(vec![Some(-2e300), Some(1e15)]),
            ),
        ]);
        let mut out = Vec::new();
        write_csv(&t, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!("n_id,t_id,m\n9007199254740992,{big},-2e300\n7,0042,1e15\n")
        );
        let mut out = Vec::new();
        write_parquet(&t, &mut out).unwrap();
        let df = ParquetReader::new(std::io::Cursor::new(out))
            .finish()
            .unwrap();
        let n = df.column("n_id").unwrap();
        assert_eq!(n.dtype(), &DataType::Int64);
        assert_eq!(n.i64().unwrap().get(0), Some(9_007_199_254_740_992));
        let t_id = df.column("t_id").unwrap();
        assert_eq!(t_id.str().unwrap().get(0), Some(big));
    }

    #[test]
    fn csv_escapes_formulas_in_names_and_cells_unless_asked_not_to() {
        let t = Table::new(vec![
            Column::new(
                "=1+1",
                ColumnType::Number,
                ColumnData::Number(vec![Some(-5.0), Some(2.5)]),
            ),
            Column::new(
                "s",
                ColumnType::Text,
                ColumnData::Text([Some("@SUM(A1)"), Some("'-x")].into_iter().collect()),
            ),
        ]);
        let csv = |escape| {
            let mut out = Vec::new();
            write_csv_with(&t, &mut out, escape).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(csv(true), "'=1+1,s\n-5,'@SUM(A1)\n2.5,''-x\n");
        assert_eq!(csv(false), "=1+1,s\n-5,@SUM(A1)\n2.5,'-x\n");
    }
}
