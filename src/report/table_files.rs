//! A table as CSV or Parquet bytes.

use crate::engine::frame::to_dataframe;
use crate::engine::table::Table;
use polars::prelude::*;

pub fn csv_bytes(table: &Table) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(table.n_rows() * 64));
    let _ = w.write_record(table.names());
    let mut row: Vec<String> = Vec::with_capacity(table.n_cols());
    for r in 0..table.n_rows() {
        row.clear();
        row.extend(
            table
                .columns
                .iter()
                .map(|c| c.data.display(r).unwrap_or_default()),
        );
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

pub fn parquet_bytes(table: &Table) -> PolarsResult<Vec<u8>> {
    let mut df = to_dataframe(table)?;
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf).finish(&mut df)?;
    Ok(buf)
}
