//! Load a customer table from CSV/TSV (with the quirks of real exports), Parquet or JSON/NDJSON.

mod csv_table;
pub mod dates;
pub mod header_names;
pub mod infer;
pub mod input;
pub mod log_columns;
mod polars_io;
mod record_parts;
mod records;
pub mod sniff;
pub mod stream;
pub mod text;
mod whitespace;

use crate::table::{ColumnType, Table};
use dates::DateFormat;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use text::Encoding;

/// Every choice the loader makes on its own can be set here (the recipe's `[load]` table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// "auto", ",", ";", "\t" (or "tab"), "|", "whitespace" (or " ": runs of spaces and tabs).
    pub delimiter: Delimiter,
    /// 1-based line of the header; 0 means the file has no header. Omitted: found automatically.
    pub header_row: Option<usize>,
    /// Cells (after trimming) that mean "missing". Whitespace-only cells are always missing.
    pub na_values: Vec<String>,
    pub encoding: Encoding,
    /// Thousands separator to strip from numbers, e.g. "," or ".".
    pub thousands: Option<char>,
    /// Decimal mark, "." or ",".
    pub decimal: char,
    /// Strip currency symbols ($ € £ ¥) and read (12.00) as negative.
    pub currency: bool,
    /// Replace the header names (same count as the columns).
    pub column_names: Vec<String>,
    /// Force a column's type: number, integer, category, date, datetime, boolean, id, email, text.
    pub types: BTreeMap<String, ColumnType>,
    /// A column's date format: "iso", "mdy", "dmy" or a pattern like "%d.%m.%Y".
    pub date_formats: BTreeMap<String, DateFormat>,
}

pub const DEFAULT_NA: [&str; 13] = [
    "", "NA", "N/A", "n/a", "na", "null", "NULL", "Null", "NaN", "nan", "None", "?", "#N/A",
];

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            delimiter: Delimiter::default(),
            header_row: None,
            na_values: DEFAULT_NA.iter().map(|s| s.to_string()).collect(),
            encoding: Encoding::Auto,
            thousands: None,
            decimal: '.',
            currency: false,
            column_names: Vec::new(),
            types: BTreeMap::new(),
            date_formats: BTreeMap::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Delimiter(pub Option<u8>);

impl Delimiter {
    /// Fields separated by runs of spaces and tabs (a whitespace-aligned log such as CDNOW's).
    /// The space byte stands for the whole run: a single space is never a CSV delimiter.
    pub const WHITESPACE: Delimiter = Delimiter(Some(WHITESPACE));
}

/// The byte that stands for "runs of spaces and tabs" wherever a delimiter byte is expected.
pub const WHITESPACE: u8 = b' ';

impl TryFrom<String> for Delimiter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "auto" => Ok(Delimiter(None)),
            "\t" | "tab" | "\\t" => Ok(Delimiter(Some(b'\t'))),
            "," | ";" | "|" => Ok(Delimiter(Some(s.as_bytes()[0]))),
            "whitespace" | " " | "\\s+" => Ok(Delimiter::WHITESPACE),
            _ => Err(format!(
                "unknown delimiter '{s}': use \"auto\", \",\", \";\", \"tab\", \"|\" or \"whitespace\""
            )),
        }
    }
}

impl From<Delimiter> for String {
    fn from(d: Delimiter) -> String {
        match d.0 {
            None => "auto".into(),
            Some(b'\t') => "tab".into(),
            Some(WHITESPACE) => "whitespace".into(),
            Some(b) => (b as char).to_string(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is empty")]
    Empty { path: PathBuf },
    #[error("{path} has a header but no data rows")]
    NoRows { path: PathBuf },
    #[error("{path} is not a text table (binary byte at offset {offset}); seglab reads CSV/TSV, Parquet (.parquet) and JSON (.json/.ndjson)")]
    Binary { path: PathBuf, offset: usize },
    #[error(
        "{path} line {line}: not valid UTF-8 (set load.encoding = \"windows-1252\" or \"auto\")"
    )]
    Encoding { path: PathBuf, line: usize },
    #[error("{path} line {line}: expected {expected} fields as in the header, found {found}")]
    Ragged {
        path: PathBuf,
        line: usize,
        expected: usize,
        found: usize,
    },
    #[error("{path}: columns {first} and {second} are both named '{name}'; rename one in the file or set load.column_names")]
    DuplicateColumn {
        path: PathBuf,
        name: String,
        first: usize,
        second: usize,
    },
    #[error("{path}: load.column_names has {given} names but the file has {found} columns")]
    ColumnNames {
        path: PathBuf,
        given: usize,
        found: usize,
    },
    #[error("{path}: load.{option} names column '{column}', which is not in the file (columns: {available})")]
    UnknownColumn {
        path: PathBuf,
        option: &'static str,
        column: String,
        available: String,
    },
    #[error("{path}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
    Malformed {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },
    #[error("{path} is {kind}, not a regular file; seglab reads CSV/TSV, Parquet and JSON files")]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{path} line {line}: a line longer than {limit_mib} MiB; this does not look like a table (is it the right file?)")]
    LineTooLong {
        path: PathBuf,
        line: usize,
        limit_mib: usize,
    },
    #[error("{path} line {line}, column {column}: a cell longer than {limit_kib} KiB; this does not look like a customer table")]
    FieldTooLong {
        path: PathBuf,
        line: usize,
        column: usize,
        limit_kib: usize,
    },
    #[error("{path}: load.header_row = {header_row}, but the file has only {lines} line(s)")]
    HeaderRowBeyondEnd {
        path: PathBuf,
        header_row: usize,
        lines: usize,
    },
    #[error("{path}: load.date_formats.{column} = \"{pattern}\" is not a valid date pattern ({reason}); use iso, mdy, dmy or a pattern like %d.%m.%Y")]
    BadDatePattern {
        path: PathBuf,
        column: String,
        pattern: String,
        reason: String,
    },
    #[error("{path}: no value of column '{column}' matches load.date_formats.{column} = \"{pattern}\" (first '{example}' on line {line})")]
    DateFormatMatchesNothing {
        path: PathBuf,
        column: String,
        pattern: String,
        example: String,
        line: usize,
    },
}

/// Column names for a message, or a note that the file does not look like a table. An input
/// that is not a table (`/etc/shadow` given as a transactions file) has its first line read as
/// the header: echoing it would print the file's contents.
pub fn describe_columns<S: AsRef<str>>(names: &[S]) -> String {
    let plausible = |n: &S| {
        let n = n.as_ref();
        n.chars().count() <= 64
            && !n
                .chars()
                .any(|c| c.is_control() || matches!(c, ':' | '*' | '=' | '$' | '\\' | '!'))
    };
    if names.len() >= 2 && names.iter().all(plausible) {
        let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
        names.join(", ")
    } else {
        format!(
            "{} column(s); names not shown because the file does not look like a table",
            names.len()
        )
    }
}

/// A loaded table and what the loader had to guess or repair on the way.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub table: Table,
    pub warnings: Vec<String>,
}

/// Where a table comes from. A file is read with every guard; bytes or a reader already at
/// hand (a test's, a query result's, a future binding's) get the same checks, with `name`
/// standing for the path in messages and its extension choosing the format; a table already
/// in memory (the workbench's) is taken as it is and never read again.
pub enum Source {
    Path(PathBuf),
    Bytes {
        name: PathBuf,
        bytes: Vec<u8>,
    },
    Reader {
        name: PathBuf,
        reader: Box<dyn std::io::Read + Send>,
    },
    Table {
        name: PathBuf,
        table: Table,
    },
}

impl Source {
    /// The path, or the name that stands for it in messages.
    pub fn name(&self) -> &Path {
        match self {
            Source::Path(name)
            | Source::Bytes { name, .. }
            | Source::Reader { name, .. }
            | Source::Table { name, .. } => name,
        }
    }
}

impl From<&Path> for Source {
    fn from(path: &Path) -> Self {
        Source::Path(path.to_owned())
    }
}

pub fn load(path: &Path, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    load_source(Source::Path(path.to_owned()), opts)
}

/// Loads any `Source`. `opts` apply to what is parsed here; a `Source::Table` was parsed
/// already and is returned as it is.
pub fn load_source(source: Source, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    let path = source.name().to_owned();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let is_text = !matches!(ext.as_str(), "parquet" | "pq" | "json" | "ndjson" | "jsonl");
    let bytes = match source {
        Source::Path(p) => input::read(&p, is_text)?,
        Source::Bytes { bytes, .. } => {
            input::check_bytes(&path, &bytes, is_text)?;
            bytes
        }
        Source::Reader { reader, .. } => input::read_from(&path, reader, is_text, 0)?,
        Source::Table { table, .. } => return loaded(path, table, Vec::new()),
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(LoadError::Empty { path });
    }
    let (table, warnings) = match ext.as_str() {
        "parquet" | "pq" => polars_io::read_parquet(&path, bytes, opts)?,
        "json" | "ndjson" | "jsonl" => polars_io::read_json(&path, bytes, opts)?,
        _ => csv_table::read_csv(&path, bytes, opts)?,
    };
    loaded(path, table, warnings)
}

fn loaded(path: PathBuf, table: Table, warnings: Vec<String>) -> Result<Loaded, LoadError> {
    if table.n_rows() == 0 {
        return Err(LoadError::NoRows { path });
    }
    Ok(Loaded {
        path,
        table,
        warnings,
    })
}

pub(crate) fn check_option_columns(
    path: &Path,
    names: &[String],
    opts: &LoadOptions,
) -> Result<(), LoadError> {
    let unknown = |option: &'static str, keys: Vec<&String>| {
        keys.into_iter()
            .find(|k| !names.contains(k))
            .map(|column| LoadError::UnknownColumn {
                path: path.to_owned(),
                option,
                column: column.clone(),
                available: describe_columns(names),
            })
    };
    if let Some(e) = unknown("types", opts.types.keys().collect()) {
        return Err(e);
    }
    if let Some(e) = unknown("date_formats", opts.date_formats.keys().collect()) {
        return Err(e);
    }
    Ok(())
}
