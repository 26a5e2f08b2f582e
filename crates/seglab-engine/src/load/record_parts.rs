//! What the record splitters share: the dialect they read with, the records they produce,
//! the NA tokens and the length limits of a record.

use super::input::{MAX_FIELD_BYTES, MAX_LINE_BYTES};
use super::{infer::RawColumn, LoadError};
use rustc_hash::FxHashSet;
use std::path::Path;

pub(super) struct Records {
    pub columns: Vec<RawColumn>,
    /// 1-based file line of every record.
    pub lines: Vec<usize>,
    /// Records with empty cells beyond the header's columns (a trailing delimiter).
    pub padded: usize,
}

pub(super) struct Dialect<'a> {
    pub path: &'a Path,
    pub delimiter: u8,
    pub na: &'a NaTokens<'a>,
    /// Columns in the header: a record with more (non-blank) or fewer fields is ragged.
    pub expected: usize,
}

/// `check_lengths` of a plain record's fields.
pub(super) fn check_field_lengths(
    fields: &[&str],
    line: usize,
    d: &Dialect,
) -> Result<(), LoadError> {
    let total: usize = fields.iter().map(|f| f.len()).sum();
    within_limits(total, fields.iter().map(|f| f.len()), line, d)
}

/// A record within the limits of `input`: a quoted field can span many short lines, so the
/// line guard alone does not bound a cell.
pub(super) fn check_lengths(
    record: &csv::StringRecord,
    line: usize,
    d: &Dialect,
) -> Result<(), LoadError> {
    within_limits(
        record.as_slice().len(),
        record.iter().map(str::len),
        line,
        d,
    )
}

/// No field longer than `MAX_FIELD_BYTES`, no record longer than `MAX_LINE_BYTES`; `total` is
/// the record's length, so the fields are looked at only when it is long.
fn within_limits(
    total: usize,
    mut field_lengths: impl Iterator<Item = usize>,
    line: usize,
    d: &Dialect,
) -> Result<(), LoadError> {
    if total <= MAX_FIELD_BYTES {
        return Ok(());
    }
    if let Some(column) = field_lengths.position(|n| n > MAX_FIELD_BYTES) {
        return Err(LoadError::FieldTooLong {
            path: d.path.to_owned(),
            line,
            column: column + 1,
            limit_kib: MAX_FIELD_BYTES >> 10,
        });
    }
    if total > MAX_LINE_BYTES {
        return Err(LoadError::LineTooLong {
            path: d.path.to_owned(),
            line,
            limit_mib: MAX_LINE_BYTES >> 20,
        });
    }
    Ok(())
}

/// The NA set, with a length check first: most cells are longer than any NA token.
pub(super) struct NaTokens<'a> {
    tokens: FxHashSet<&'a str>,
    longest: usize,
    /// First bytes of the tokens: a cell that needs no trim and starts with another byte is
    /// no token (digits never are), without a lookup.
    firsts: [bool; 256],
}

impl<'a> NaTokens<'a> {
    pub(super) fn new(values: &'a [String]) -> Self {
        let tokens: FxHashSet<&str> = values.iter().map(|s| s.trim()).collect();
        let longest = tokens.iter().map(|t| t.len()).max().unwrap_or(0);
        let mut firsts = [false; 256];
        for t in &tokens {
            if let Some(&b) = t.as_bytes().first() {
                firsts[b as usize] = true;
            }
        }
        NaTokens {
            tokens,
            longest,
            firsts,
        }
    }

    pub(super) fn is_na(&self, cell: &str) -> bool {
        // Most cells begin and end with a visible ASCII byte (nothing to trim) and are longer
        // than any token: no trim, no lookup.
        let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7f);
        let bytes = cell.as_bytes();
        if visible(bytes.first())
            && visible(bytes.last())
            && (bytes.len() > self.longest || !self.firsts[bytes[0] as usize])
        {
            return false;
        }
        let t = cell.trim();
        t.is_empty() || (t.len() <= self.longest && self.tokens.contains(t))
    }
}
