//! Whitespace-aligned text (a transaction log such as CDNOW's, read by pandas with
//! `sep='\s+'`): fields are separated by runs of spaces and tabs, space at either end of a line
//! is ignored, and quotes are not special (no field holds a space, so none needs quoting).

use super::record_parts::{check_field_lengths, Dialect, Records};
use super::{infer::RawColumn, LoadError};

/// The fields of one line (or record).
pub(super) fn fields(line: &str) -> impl Iterator<Item = &str> {
    line.split([' ', '\t']).filter(|f| !f.is_empty())
}

/// Where the record starting at `at` ends (its '\r' or '\n', or the end), and where the next
/// one starts (past one "\r\n", '\r' or '\n').
fn record_end(bytes: &[u8], at: usize) -> (usize, usize) {
    let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let next = match bytes.get(end..end + 2) {
        Some(b"\r\n") => end + 2,
        _ => (end + 1).min(bytes.len()),
    };
    (end, next)
}

/// The first record of `body` with a field: its fields, the offset where it starts and the
/// offset where the next record starts.
pub(super) fn first_record(body: &str) -> Option<(Vec<&str>, usize, usize)> {
    let bytes = body.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let (end, next) = record_end(bytes, at);
        let cells: Vec<&str> = fields(&body[at..end]).collect();
        if !cells.is_empty() {
            return Some((cells, at, next));
        }
        at = next;
    }
    None
}

/// The records of `text`, whose first line is file line `first_line`, read as
/// `records::parse_plain` reads a delimited chunk: '\r', '\n' and "\r\n" end a record, blank
/// lines are skipped, lines are counted by '\n', and a record with more or fewer fields than
/// the header is ragged.
pub(super) fn parse(text: &str, first_line: usize, d: &Dialect) -> Result<Records, LoadError> {
    let bytes = text.as_bytes();
    let rows_max = memchr::memchr_iter(b'\n', bytes).count() + 1;
    let mut columns: Vec<RawColumn> = (0..d.expected)
        .map(|_| RawColumn::with_capacity(rows_max, text.len() / d.expected.max(1) + 64))
        .collect();
    let mut lines = Vec::with_capacity(rows_max);
    let mut cells: Vec<&str> = Vec::with_capacity(d.expected + 1);
    let (mut at, mut line) = (0, first_line);
    while at < bytes.len() {
        let (end, next) = record_end(bytes, at);
        let record_line = line;
        line += bytes[end..next].iter().filter(|&&b| b == b'\n').count();
        cells.clear();
        cells.extend(fields(&text[at..end]));
        at = next;
        if cells.is_empty() {
            continue;
        }
        check_field_lengths(&cells, record_line, d)?;
        if cells.len() != d.expected {
            return Err(LoadError::Ragged {
                path: d.path.to_owned(),
                line: record_line,
                expected: d.expected,
                found: cells.len(),
            });
        }
        for (col, cell) in columns.iter_mut().zip(&cells) {
            col.push((!d.na.is_na(cell)).then_some(*cell));
        }
        lines.push(record_line);
    }
    Ok(Records {
        columns,
        lines,
        padded: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::record_parts::NaTokens;
    use std::path::Path;

    fn read(text: &str, expected: usize) -> Result<Records, LoadError> {
        let na_values = vec!["NA".to_string()];
        let na = NaTokens::new(&na_values);
        let d = Dialect {
            path: Path::new("t.txt"),
            delimiter: crate::load::WHITESPACE,
            na: &na,
            expected,
        };
        parse(text, 2, &d)
    }

    #[test]
    fn runs_of_spaces_and_tabs_separate_fields() {
        let r = read(
            "  00001 19970101  1   11.77\n\n00002\t19970112 \t 1 NA  \r\n",
            4,
        )
        .unwrap();
        assert_eq!(r.lines, vec![2, 4]);
        assert_eq!(r.columns[0].get(0), Some("00001"));
        assert_eq!(r.columns[3].get(0), Some("11.77"));
        assert_eq!(r.columns[0].get(1), Some("00002"));
        assert_eq!(r.columns[2].get(1), Some("1"));
        assert_eq!(r.columns[3].get(1), None, "NA is missing");
    }

    #[test]
    fn quotes_are_not_special() {
        let r = read("\"a b\" 2\n", 3).unwrap();
        assert_eq!(r.columns[0].get(0), Some("\"a"));
        assert_eq!(r.columns[1].get(0), Some("b\""));
    }

    #[test]
    fn a_line_with_another_field_count_is_ragged_with_its_line() {
        match read("1 2 3\n4 5 6\n\n7 8\n", 3) {
            Err(LoadError::Ragged { line, found, .. }) => assert_eq!((line, found), (5, 2)),
            other => panic!("{:?}", other.map(|r| r.lines)),
        }
    }

    #[test]
    fn the_first_record_skips_blank_lines() {
        let body = "\n   \r\n id  date\tqty \r\n1 2 3\n";
        let (cells, start, next) = first_record(body).unwrap();
        assert_eq!(cells, vec!["id", "date", "qty"]);
        assert_eq!(&body[start..next], " id  date\tqty \r\n");
        assert_eq!(first_record(" \n\t\n"), None);
    }
}
