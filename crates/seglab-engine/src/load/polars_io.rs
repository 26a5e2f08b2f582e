//! Parquet and JSON/NDJSON through polars, then into the engine's table.
//!
//! polars is not hardened against hostile files: deep nesting overflows its stack, some Arrow
//! types panic, and its errors name no file, line or column. Everything known is checked here
//! before polars runs, and a panic that still escapes becomes a `LoadError` naming the file.

mod json_text;
mod parquet_schema;

use super::{infer::NumberStyle, LoadError, LoadOptions};
use crate::frame::{from_dataframe, FrameError};
use crate::table::{ColumnType, Table};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

fn malformed(path: &Path, line: Option<usize>, message: impl Into<String>) -> LoadError {
    LoadError::Malformed {
        path: path.to_owned(),
        line,
        message: message.into(),
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
    guarded(path, || {
        // The reader borrows the bytes (no copy of the file).
        let mut reader = ParquetReader::new(Cursor::new(bytes.as_slice()));
        let schema = reader
            .schema()
            .map_err(|e| malformed(path, None, format!("not a readable Parquet file: {e}")))?;
        let plan = parquet_schema::plan(&schema).map_err(|r| malformed(path, None, r.message))?;
        if plan.projection.is_empty() {
            return Err(malformed(
                path,
                None,
                format!("no column seglab can read ({})", plan.warnings.join("; ")),
            ));
        }
        let df = reader
            .with_projection(Some(plan.projection))
            .finish()
            .map_err(|e| malformed(path, None, e.to_string()))?;
        let (table, mut warnings) = finish(path, &df, &opts.types, opts)?;
        warnings.splice(0..0, plan.warnings);
        Ok((table, warnings))
    })
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A file whose first non-blank byte is '[' is a JSON array of records; otherwise one record per line.
pub fn read_json(
    path: &Path,
    mut bytes: Vec<u8>,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>), LoadError> {
    if bytes.starts_with(b"\xFE\xFF") || bytes.starts_with(b"\xFF\xFE") {
        return Err(malformed(
            path,
            None,
            "is UTF-16 encoded; save it as UTF-8 and try again",
        ));
    }
    let array = bytes
        .strip_prefix(UTF8_BOM)
        .unwrap_or(&bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        == Some(&b'[');
    if !array {
        // polars samples NDJSON line lengths from 75% into the file and slices one byte past a
        // `}\n` that ends the file (a panic, polars-io ndjson/core.rs:333). Blank lines at the
        // end keep those slices inside the text; NDJSON readers skip them.
        bytes.extend_from_slice(b"\n\n\n\n");
    }
    let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(&bytes);
    if let Some(at) = json_text::too_deep(body, !array) {
        return Err(malformed(
            path,
            Some(at.line),
            format!(
                "column {}: JSON nested more than {} levels deep; seglab reads flat records",
                at.column,
                json_text::MAX_DEPTH
            ),
        ));
    }
    let mut forced = opts.types.clone();
    let mut warnings = Vec::new();
    let quoted = json_text::quote_long_integers(body);
    if let Some(q) = &quoted {
        for key in &q.keys {
            forced.entry(key.clone()).or_insert(ColumnType::Id);
        }
        warnings.push(format!(
            "integers beyond 64 bits (first on line {}, column {}) in '{}' are read as exact text (ids)",
            q.first.line,
            q.first.column,
            q.keys.join("', '")
        ));
    }
    // Quoting copies the text; only files holding such integers pay for it.
    let body = quoted.as_ref().map_or(body, |q| q.text.as_slice());
    let format = if array {
        JsonFormat::Json
    } else {
        JsonFormat::JsonLines
    };
    let parsed = guarded(path, || {
        // Every record informs the schema: a type change after row 100 must not fail the read.
        JsonReader::new(Cursor::new(body))
            .with_json_format(format)
            .infer_schema_len(None)
            .finish()
            .map_err(|e| malformed(path, None, e.to_string()))
    });
    let df = match parsed {
        Ok(df) => df,
        // polars' own message names no line; serde_json finds the first bad one.
        Err(polars_error) => match json_text::first_error(body, array) {
            Some((at, message)) => {
                return Err(malformed(
                    path,
                    Some(at.line),
                    format!("column {}: invalid JSON: {message}", at.column),
                ))
            }
            None => return Err(polars_error),
        },
    };
    drop(quoted);
    drop(bytes);
    let (table, more) = guarded(path, || finish(path, &df, &forced, opts))?;
    warnings.extend(more);
    Ok((table, warnings))
}

fn finish(
    path: &Path,
    df: &DataFrame,
    forced: &BTreeMap<String, ColumnType>,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>), LoadError> {
    let (table, warnings) = from_dataframe(df, &style(opts), forced)
        .map_err(|e: FrameError| malformed(path, None, e.to_string()))?;
    let names: Vec<String> = table.names().iter().map(|n| n.to_string()).collect();
    super::check_option_columns(path, &names, opts)?;
    Ok((table, warnings))
}

/// The last line of defence: a panic inside polars on a hostile file becomes an error naming
/// the file, and its message is not printed by the panic hook on the way.
fn guarded<T>(path: &Path, read: impl FnOnce() -> Result<T, LoadError>) -> Result<T, LoadError> {
    let outcome = quiet_panics::run(read);
    outcome.unwrap_or_else(|message| {
        Err(malformed(
            path,
            None,
            format!("could not be read (the file-format library failed: {message})"),
        ))
    })
}

mod quiet_panics {
    //! The panic hook is process-wide; it is wrapped once so that panics raised while a guarded
    //! read runs — on the reading thread or on polars' worker threads — are not printed (they
    //! become errors), while every other panic still reaches the previous hook (e.g. the TUI's
    //! terminal restore).

    use std::cell::Cell;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Once;

    static ACTIVE: AtomicUsize = AtomicUsize::new(0);
    static WRAP_HOOK: Once = Once::new();

    thread_local! {
        static GUARDED: Cell<bool> = const { Cell::new(false) };
    }

    fn quiet_here() -> bool {
        ACTIVE.load(Ordering::SeqCst) > 0
            && (GUARDED.with(Cell::get) || rayon::current_thread_index().is_some())
    }

    /// Runs `f`; a panic becomes `Err(its message)`.
    pub fn run<T>(f: impl FnOnce() -> T) -> Result<T, String> {
        WRAP_HOOK.call_once(|| {
            let previous = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                if !quiet_here() {
                    previous(info);
                }
            }));
        });
        let was_guarded = GUARDED.with(|g| g.replace(true));
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        let outcome = panic::catch_unwind(AssertUnwindSafe(f));
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
        GUARDED.with(|g| g.set(was_guarded));
        outcome.map_err(|payload| {
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_reading_becomes_an_error_naming_the_file() {
        let path = Path::new("/data/export.parquet");
        let outcome: Result<(), LoadError> = guarded(path, || panic!("activate a feature"));
        let message = outcome.unwrap_err().to_string();
        assert!(message.starts_with("/data/export.parquet"), "{message}");
        assert!(message.contains("activate a feature"), "{message}");
        // The guard leaves no trace: a normal result passes through.
        assert_eq!(guarded(path, || Ok(5)).unwrap(), 5);
    }
}
