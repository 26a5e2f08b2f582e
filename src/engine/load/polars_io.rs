//! Parquet and JSON/NDJSON through polars, then into the engine's table.

use super::{infer::NumberStyle, LoadError, LoadOptions};
use crate::engine::frame::from_dataframe;
use crate::engine::table::Table;
use polars::prelude::*;
use std::io::Cursor;
use std::path::Path;

fn malformed(path: &Path, e: PolarsError) -> LoadError {
    LoadError::Malformed {
        path: path.to_owned(),
        line: None,
        message: e.to_string(),
    }
}

fn style(opts: &LoadOptions) -> NumberStyle {
    NumberStyle {
        thousands: opts.thousands,
        decimal: opts.decimal,
        currency: opts.currency,
    }
}

pub fn read_parquet(
    path: &Path,
    bytes: Vec<u8>,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>), LoadError> {
    let df = ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(|e| malformed(path, e))?;
    finish(path, &df, opts)
}

/// A file whose first non-blank byte is '[' is a JSON array of records; otherwise one record per line.
pub fn read_json(
    path: &Path,
    bytes: Vec<u8>,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>), LoadError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let format = if first == Some(b'[') {
        JsonFormat::Json
    } else {
        JsonFormat::JsonLines
    };
    let df = JsonReader::new(Cursor::new(bytes))
        .with_json_format(format)
        .finish()
        .map_err(|e| malformed(path, e))?;
    finish(path, &df, opts)
}

fn finish(
    path: &Path,
    df: &DataFrame,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>), LoadError> {
    let names: Vec<String> = df.columns().iter().map(|c| c.name().to_string()).collect();
    super::check_option_columns(path, &names, opts)?;
    from_dataframe(df, &style(opts)).map_err(|e| malformed(path, e))
}
