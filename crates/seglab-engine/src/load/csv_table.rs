//! A CSV/TSV export → a table: decode, find the dialect and header, read the records (in
//! parallel), then type each column.

use super::input::MAX_FIELD_BYTES;
use super::{
    check_option_columns, dates, infer, records, sniff, text, whitespace, LoadError, LoadOptions,
};
use crate::table::{ColumnData, Table};
use infer::{ColumnSpec, NumberStyle};
use rayon::prelude::*;
use std::path::Path;

pub(super) fn read_csv(
    path: &Path,
    bytes: Vec<u8>,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>), LoadError> {
    read_csv_layout(path, bytes, opts).map(|(table, warnings, _)| (table, warnings))
}

/// Where the records of a delimited text begin and how they are split: what a reader that
/// streams the rest of a file needs from its head.
pub(super) struct Layout {
    pub delimiter: u8,
    /// Offset in the decoded text of the first record after the header.
    pub records_start: usize,
}

/// `read_csv`, and the layout it found.
pub(super) fn read_csv_layout(
    path: &Path,
    bytes: Vec<u8>,
    opts: &LoadOptions,
) -> Result<(Table, Vec<String>, Layout), LoadError> {
    check_date_patterns(path, opts)?;
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
    let dialect = sniff::sniff(&text, opts.delimiter.0, forced_header).map_err(|e| match e {
        sniff::SniffError::HeaderBeyondEnd { lines } => LoadError::HeaderRowBeyondEnd {
            path: path.to_owned(),
            header_row: opts.header_row.unwrap_or(0),
            lines,
        },
    })?;
    if !dialect.skipped.is_empty() {
        let shown: Vec<String> = dialect.skipped.iter().map(|l| format!("'{l}'")).collect();
        warnings.push(format!(
            "skipped {} line(s) above the header on line {}: {}",
            dialect.skipped.len(),
            dialect.header_line + 1,
            shown.join(", ")
        ));
    }
    warnings.extend(dialect.whitespace_hint.clone());
    let body = &text[dialect.header_offset..];
    let has_header = opts.header_row != Some(0)
        && !(opts.header_row.is_none() && headless_log(body, dialect.delimiter, &mut warnings));
    let na = records::NaTokens::new(&opts.na_values);
    let line_base = dialect.header_line;
    // The header is the first non-blank record; the records after it are read in parallel.
    let first = if dialect.delimiter == super::WHITESPACE {
        whitespace_header(path, body, has_header, line_base)?
    } else {
        csv_header(path, body, dialect.delimiter, has_header, line_base)?
    };
    let Some((mut names, rest_start)) = first else {
        return Err(LoadError::Empty {
            path: path.to_owned(),
        });
    };
    // Rows wider than the header: the header lacks names for the last columns.
    if !has_header || names.len() >= dialect.row_width {
        warnings.extend(dialect.note);
    } else {
        let from = names.len() + 1;
        names.extend((from..=dialect.row_width).map(|i| format!("column_{i}")));
        warnings.push(format!(
            "the header on line {} has {} name(s) but most rows have {} cells; \
             the extra column(s) are called column_{from}..column_{} \
             (set load.header_row if the header is further down)",
            line_base + 1,
            from - 1,
            dialect.row_width,
            dialect.row_width
        ));
    }
    // The file line where the records begin (csv's own count can be one short after "\r\n").
    let first_line = line_base
        + 1
        + body.as_bytes()[..rest_start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
    let layout = Layout {
        delimiter: dialect.delimiter,
        records_start: dialect.header_offset + rest_start,
    };
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
    let records::Records {
        mut columns,
        lines,
        padded,
    } = records::join(chunks, names.len());
    if lines.is_empty() {
        return Err(LoadError::NoRows {
            path: path.to_owned(),
        });
    }
    if padded > 0 {
        warnings.push(format!(
            "{padded} row(s) end with empty cells beyond the header's {} columns \
             (a trailing delimiter); they are ignored",
            names.len()
        ));
    }
    drop_empty_trailing(&mut names, &mut columns, opts, &mut warnings);
    apply_names(path, &mut names, opts, &mut warnings)?;
    check_option_columns(path, &names, opts)?;
    let style = NumberStyle {
        thousands: opts.thousands,
        decimal: opts.decimal,
        currency: opts.currency,
    };
    // The first value of each column given a date format, in case the format reads none.
    let first_dated: Vec<Option<(usize, String)>> = columns
        .iter()
        .zip(&names)
        .map(|(raw, name)| {
            opts.date_formats.get(name)?;
            let row = (0..raw.len()).find(|&r| !raw.is_null(r))?;
            Some((row, raw.get(row)?.to_string()))
        })
        .collect();
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
    for ((column, w), first) in built.into_iter().zip(first_dated) {
        let dated = matches!(column.data, ColumnData::Date(_) | ColumnData::DateTime(_));
        if let (true, Some((row, example))) = (dated, first) {
            if column.data.null_count() == column.data.len() {
                return Err(LoadError::DateFormatMatchesNothing {
                    path: path.to_owned(),
                    pattern: opts.date_formats[&column.name].to_string(),
                    column: column.name,
                    example,
                    line: lines[row],
                });
            }
        }
        warnings.extend(w);
        table.columns.push(column);
    }
    Ok((table, warnings, layout))
}

/// The header of a delimited body (or the first record's column names when the file has no
/// header), and the offset where the records after it start; None: no non-blank record.
fn csv_header(
    path: &Path,
    body: &str,
    delimiter: u8,
    has_header: bool,
    line_base: usize,
) -> Result<Option<(Vec<String>, usize)>, LoadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
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
        if let Some(column) = record.iter().position(|f| f.len() > MAX_FIELD_BYTES) {
            return Err(LoadError::FieldTooLong {
                path: path.to_owned(),
                line: line_base + 1,
                column: column + 1,
                limit_kib: MAX_FIELD_BYTES >> 10,
            });
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
    Ok(header.map(|names| (names, rest_start)))
}

/// `csv_header` of a whitespace-separated body.
fn whitespace_header(
    path: &Path,
    body: &str,
    has_header: bool,
    line_base: usize,
) -> Result<Option<(Vec<String>, usize)>, LoadError> {
    let Some((cells, start, next)) = whitespace::first_record(body) else {
        return Ok(None);
    };
    if let Some(column) = cells.iter().position(|f| f.len() > MAX_FIELD_BYTES) {
        return Err(LoadError::FieldTooLong {
            path: path.to_owned(),
            line: line_base + 1,
            column: column + 1,
            limit_kib: MAX_FIELD_BYTES >> 10,
        });
    }
    Ok(Some(if has_header {
        (cells.iter().map(|s| s.to_string()).collect(), next)
    } else {
        (
            (1..=cells.len()).map(|i| format!("column_{i}")).collect(),
            start,
        )
    }))
}

/// A whitespace-aligned log whose first line holds only numbers (CDNOW's has no header): the
/// line is data, said in a warning. A CSV keeps its first line as the header, as it always has.
fn headless_log(body: &str, delimiter: u8, warnings: &mut Vec<String>) -> bool {
    if delimiter != super::WHITESPACE {
        return false;
    }
    let Some((cells, ..)) = whitespace::first_record(body) else {
        return false;
    };
    let style = NumberStyle::default();
    let numbers = cells
        .iter()
        .all(|c| infer::parse_number(c, &style).is_some());
    if numbers {
        warnings.push(format!(
            "the first line holds only numbers, so the file has no header: the columns are \
             called column_1..column_{} (name them with load.column_names, or set \
             load.header_row = 1 if that line is the header)",
            cells.len()
        ));
    }
    numbers
}

/// A pattern chrono cannot use is an error before the file is read (it would empty the column).
fn check_date_patterns(path: &Path, opts: &LoadOptions) -> Result<(), LoadError> {
    for (column, format) in &opts.date_formats {
        if let Some(reason) = dates::pattern_problem(format) {
            return Err(LoadError::BadDatePattern {
                path: path.to_owned(),
                column: column.clone(),
                pattern: format.to_string(),
                reason,
            });
        }
    }
    Ok(())
}

/// Columns at the end with no header name and no value (every row ends with a delimiter) are
/// dropped with a note, unless load.column_names names them.
fn drop_empty_trailing(
    names: &mut Vec<String>,
    columns: &mut Vec<infer::RawColumn>,
    opts: &LoadOptions,
    warnings: &mut Vec<String>,
) {
    if !opts.column_names.is_empty() {
        return;
    }
    let mut dropped = 0;
    while names.len() > 1
        && names.last().is_some_and(|n| n.is_empty())
        && columns.last().is_some_and(|c| c.null_count() == c.len())
    {
        names.pop();
        columns.pop();
        dropped += 1;
    }
    if dropped > 0 {
        warnings.push(format!(
            "dropped {dropped} empty column(s) without a name at the end of each line \
             (a trailing delimiter)"
        ));
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
    // A hash map, not a pairwise scan: a header of 100,000 names must not cost 10^10 compares.
    let mut first_seen: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if let Some(&j) = first_seen.get(name.as_str()) {
            return Err(LoadError::DuplicateColumn {
                path: path.to_owned(),
                name: name.clone(),
                first: j + 1,
                second: i + 1,
            });
        }
        first_seen.insert(name, i);
    }
    Ok(())
}
