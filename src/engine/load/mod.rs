//! Load a customer table from CSV/TSV (with the quirks of real exports), Parquet or JSON/NDJSON.

pub mod dates;
pub mod infer;
mod polars_io;
mod records;
pub mod sniff;
pub mod text;

use crate::engine::table::{ColumnType, Table};
use dates::DateFormat;
use infer::{ColumnSpec, NumberStyle};
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use text::Encoding;

/// Every choice the loader makes on its own can be set here (the recipe's `[load]` table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// "auto", ",", ";", "\t" (or "tab"), "|".
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

impl TryFrom<String> for Delimiter {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.as_str() {
            "auto" => Ok(Delimiter(None)),
            "\t" | "tab" | "\\t" => Ok(Delimiter(Some(b'\t'))),
            "," | ";" | "|" => Ok(Delimiter(Some(s.as_bytes()[0]))),
            _ => Err(format!(
                "unknown delimiter '{s}': use \"auto\", \",\", \";\", \"tab\" or \"|\""
            )),
        }
    }
}

impl From<Delimiter> for String {
    fn from(d: Delimiter) -> String {
        match d.0 {
            None => "auto".into(),
            Some(b'\t') => "tab".into(),
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
}

/// A loaded table and what the loader had to guess or repair on the way.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub table: Table,
    pub warnings: Vec<String>,
}

pub fn load(path: &Path, opts: &LoadOptions) -> Result<Loaded, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Open {
        path: path.to_owned(),
        source,
    })?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(LoadError::Empty {
            path: path.to_owned(),
        });
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let (table, warnings) = match ext.as_str() {
        "parquet" | "pq" => polars_io::read_parquet(path, bytes, opts)?,
        "json" | "ndjson" | "jsonl" => polars_io::read_json(path, bytes, opts)?,
        _ => read_csv(path, bytes, opts)?,
    };
    if table.n_rows() == 0 {
        return Err(LoadError::NoRows {
            path: path.to_owned(),
        });
    }
    Ok(Loaded {
        path: path.to_owned(),
        table,
        warnings,
    })
}

fn read_csv(
    path: &Path,
    bytes: Vec<u8>,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>), LoadError> {
    let mut warnings = Vec::new();
    let (text, enc_warning) = text::decode(bytes, opts.encoding).map_err(|e| match e {
        text::DecodeError::Binary(offset) => LoadError::Binary {
            path: path.to_owned(),
            offset,
        },
        text::DecodeError::InvalidUtf8 { line } => LoadError::Encoding {
            path: path.to_owned(),
            line,
        },
    })?;
    warnings.extend(enc_warning);
    let forced_header = opts.header_row.map(|r| r.saturating_sub(1));
    let dialect = sniff::sniff(&text, opts.delimiter.0, forced_header);
    if dialect.skipped_lines > 0 {
        warnings.push(format!(
            "skipped {} line(s) above the header on line {}",
            dialect.skipped_lines,
            dialect.header_line + 1
        ));
    }
    let has_header = opts.header_row != Some(0);
    let body = &text[dialect.header_offset..];
    let na = NaTokens::new(&opts.na_values);
    let line_base = dialect.header_line;
    // The header is the first non-blank record; the records after it are read in parallel.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(dialect.delimiter)
        .from_reader(body.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut header: Option<Vec<String>> = None;
    let mut rest_start = body.len();
    loop {
        let before = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize + line_base);
                return Err(LoadError::Malformed {
                    path: path.to_owned(),
                    line,
                    message: e.to_string(),
                });
            }
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let names: Vec<String> = if has_header {
            record.iter().map(|s| s.trim().to_string()).collect()
        } else {
            (1..=record.len()).map(|i| format!("column_{i}")).collect()
        };
        header = Some(names);
        rest_start = if has_header {
            reader.position().byte() as usize
        } else {
            before
        };
        break;
    }
    drop(reader);
    let Some(mut names) = header else {
        return Err(LoadError::Empty {
            path: path.to_owned(),
        });
    };
    // The file line where the records begin (csv's own count can be one short after "\r\n").
    let first_line = line_base
        + 1
        + body.as_bytes()[..rest_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
    let chunks = records::parse(
        &body[rest_start..],
        first_line,
        &records::Dialect {
            path,
            delimiter: dialect.delimiter,
            na: &na,
            expected: names.len(),
        },
    )?;
    drop(text);
    let records::Records { columns, lines } = records::join(chunks, names.len());
    if lines.is_empty() {
        return Err(LoadError::NoRows {
            path: path.to_owned(),
        });
    }
    apply_names(path, &mut names, opts, &mut warnings)?;
    check_option_columns(path, &names, opts)?;
    let style = NumberStyle {
        thousands: opts.thousands,
        decimal: opts.decimal,
        currency: opts.currency,
    };
    let built: Vec<_> = columns
        .into_par_iter()
        .zip(names.par_iter())
        .map(|(raw, name)| {
            let spec = ColumnSpec {
                name,
                forced: opts.types.get(name).copied(),
                date_format: opts.date_formats.get(name),
                style: &style,
                lines: &lines,
            };
            infer::build_column(raw, &spec)
        })
        .collect();
    let mut table = Table::default();
    for (column, w) in built {
        warnings.extend(w);
        table.columns.push(column);
    }
    Ok((table, warnings))
}

/// The NA set, with a length check first: most cells are longer than any NA token.
struct NaTokens<'a> {
    tokens: FxHashSet<&'a str>,
    longest: usize,
}

impl<'a> NaTokens<'a> {
    fn new(values: &'a [String]) -> Self {
        let tokens: FxHashSet<&str> = values.iter().map(|s| s.trim()).collect();
        let longest = tokens.iter().map(|t| t.len()).max().unwrap_or(0);
        NaTokens { tokens, longest }
    }

    fn is_na(&self, cell: &str) -> bool {
        let t = cell.trim();
        t.is_empty() || (t.len() <= self.longest && self.tokens.contains(t))
    }
}

/// Blank header names get a placeholder; duplicates are an error (which one would a recipe mean?).
fn apply_names(
    path: &Path,
    names: &mut [String],
    opts: &LoadOptions,
    warnings: &mut Vec<String>,
) -> Result<(), LoadError> {
    if !opts.column_names.is_empty() {
        if opts.column_names.len() != names.len() {
            return Err(LoadError::ColumnNames {
                path: path.to_owned(),
                given: opts.column_names.len(),
                found: names.len(),
            });
        }
        names.clone_from_slice(&opts.column_names);
    }
    for (i, name) in names.iter_mut().enumerate() {
        if name.is_empty() {
            *name = format!("column_{}", i + 1);
            warnings.push(format!(
                "column {} has no header name; called it '{name}'",
                i + 1
            ));
        }
    }
    for i in 0..names.len() {
        if let Some(j) = names[..i].iter().position(|n| *n == names[i]) {
            return Err(LoadError::DuplicateColumn {
                path: path.to_owned(),
                name: names[i].clone(),
                first: j + 1,
                second: i + 1,
            });
        }
    }
    Ok(())
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
                available: names.join(", "),
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
