//! The records below the header, parsed in parallel: the body is cut into chunks at line ends
//! that are not inside a quoted field, and each chunk is read by its own CSV reader. Results are
//! joined in file order, so columns, line numbers and the first error are the same as one
//! sequential pass would give.

use super::record_parts::{check_field_lengths, check_lengths};
pub(super) use super::record_parts::{Dialect, NaTokens, Records};
use super::{infer::RawColumn, LoadError};
use rayon::prelude::*;

/// Below this size a body is read in one piece (threads would cost more than they save). Tiny
/// under test, so that the tests cut small bodies into many chunks.
const MIN_CHUNK_BYTES: usize = if cfg!(test) { 16 } else { 4 << 20 };

/// Parses `body`, whose first line is file line `first_line`, into chunks in file order (their
/// columns become one with `join`).
pub(super) fn parse(body: &str, first_line: usize, d: &Dialect) -> Result<Vec<Records>, LoadError> {
    let parts = (body.len() / MIN_CHUNK_BYTES).min(rayon::current_num_threads() * 4);
    let bytes = body.as_bytes();
    // Quotes are not special between whitespace-separated fields: every '\n' ends a line.
    let whitespace = d.delimiter == super::WHITESPACE;
    let cuts = if parts <= 1 {
        None
    } else if whitespace || memchr::memchr(b'"', bytes).is_none() {
        Some(plain_cut_points(bytes, parts))
    } else {
        cut_points(bytes, d.delimiter, parts)
    };
    let cuts = cuts.unwrap_or_else(|| vec![(0, 0)]);
    // The first error in file order wins, as in one sequential pass: rayon's own collect into a
    // Result stops at whichever chunk fails first in time, so the results are gathered first.
    let parsed: Vec<Result<Records, LoadError>> = cuts
        .par_iter()
        .enumerate()
        .map(|(i, &(start, newlines))| {
            let end = cuts.get(i + 1).map_or(body.len(), |c| c.0);
            let chunk = &body[start..end];
            // Fields are cut at the delimiter byte, which must then be a whole character.
            if whitespace {
                super::whitespace::parse(chunk, first_line + newlines, d)
            } else if !d.delimiter.is_ascii() || chunk.as_bytes().contains(&b'"') {
                parse_chunk(chunk, first_line + newlines, d)
            } else {
                parse_plain(chunk, first_line + newlines, d)
            }
        })
        .collect();
    parsed.into_iter().collect()
}

/// The chunks' columns joined in file order: each column takes over the chunks' parts (no
/// copy of the text).
pub(super) fn join(chunks: Vec<Records>, n_cols: usize) -> Records {
    let rows = chunks.iter().map(|c| c.lines.len()).sum();
    let mut lines = Vec::with_capacity(rows);
    let mut padded = 0;
    let mut columns: Vec<RawColumn> = (0..n_cols).map(|_| RawColumn::default()).collect();
    for c in chunks {
        lines.extend(c.lines);
        padded += c.padded;
        for (col, part) in columns.iter_mut().zip(c.columns) {
            col.append(part);
        }
    }
    Records {
        columns,
        lines,
        padded,
    }
}

fn parse_chunk(text: &str, first_line: usize, d: &Dialect) -> Result<Records, LoadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(d.delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut columns: Vec<RawColumn> = (0..d.expected).map(|_| RawColumn::default()).collect();
    let mut lines = Vec::new();
    let mut padded = 0;
    // csv counts lines from 1 (used for its own errors only).
    let base = first_line - 1;
    // Line numbers are counted here: csv's positions point before the terminators it skips
    // (a blank line, the '\n' of "\r\n"), which would put some records a line early.
    let bytes = text.as_bytes();
    let (mut at, mut line) = (0, first_line);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(LoadError::Malformed {
                    path: d.path.to_owned(),
                    line: e.position().map(|p| p.line() as usize + base),
                    message: e.to_string(),
                })
            }
        }
        let mut start = record.position().map_or(at, |p| p.byte() as usize);
        while matches!(bytes.get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        line += bytes[at..start].iter().filter(|&&b| b == b'\n').count();
        at = start;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        check_lengths(&record, line, d)?;
        let found = record.len();
        // Trailing empty fields (spreadsheet padding) are not a ragged row.
        let extra_blank =
            found > d.expected && record.iter().skip(d.expected).all(|f| f.is_empty());
        padded += usize::from(extra_blank);
        if found != d.expected && !extra_blank {
            return Err(LoadError::Ragged {
                path: d.path.to_owned(),
                line,
                expected: d.expected,
                found,
            });
        }
        for (i, col) in columns.iter_mut().enumerate() {
            let cell = record.get(i).unwrap_or("");
            col.push((!d.na.is_na(cell)).then_some(cell));
        }
        lines.push(line);
    }
    Ok(Records {
        columns,
        lines,
        padded,
    })
}

/// `parse_chunk` for text without a quote character, where a record is a line and a field is
/// what lies between delimiters: split here without the CSV reader's per-record copy, into
/// columns sized for the chunk up front. Same records, lines and errors as `parse_chunk`:
/// '\r', '\n' and "\r\n" end a record, empty lines are skipped, and lines are counted by '\n'.
fn parse_plain(text: &str, first_line: usize, d: &Dialect) -> Result<Records, LoadError> {
    let bytes = text.as_bytes();
    let rows_max = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    // Room for every byte of the chunk in each column's text: capacity never touched costs no
    // memory, and no column is copied while it grows.
    let mut columns: Vec<RawColumn> = (0..d.expected)
        .map(|_| RawColumn::with_capacity(rows_max, text.len() / d.expected.max(1) * 2 + 64))
        .collect();
    let mut lines = Vec::with_capacity(rows_max);
    let mut padded = 0;
    let mut fields: Vec<&str> = Vec::with_capacity(d.expected + 1);
    let mut line = first_line;
    let mut at = 0;
    while at < bytes.len() {
        // One pass over the line: fields cut at the delimiter, the record ends at '\r' or '\n'.
        fields.clear();
        let (mut start, mut end) = (at, at);
        while let Some(&b) = bytes.get(end) {
            if b == d.delimiter {
                fields.push(&text[start..end]);
                start = end + 1;
            } else if b == b'\n' || b == b'\r' {
                break;
            }
            end += 1;
        }
        fields.push(&text[start..end]);
        let empty = end == at;
        let record_line = line;
        // Past the terminator(s): blank lines in between are skipped, as the CSV reader does.
        let mut next = end;
        while let Some(&b) = bytes.get(next) {
            if b == b'\n' {
                line += 1;
            } else if b != b'\r' {
                break;
            }
            next += 1;
        }
        at = next;
        if empty {
            continue;
        }
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        check_field_lengths(&fields, record_line, d)?;
        let found = fields.len();
        let extra_blank = found > d.expected && fields[d.expected..].iter().all(|f| f.is_empty());
        padded += usize::from(extra_blank);
        if found != d.expected && !extra_blank {
            return Err(LoadError::Ragged {
                path: d.path.to_owned(),
                line: record_line,
                expected: d.expected,
                found,
            });
        }
        for (i, col) in columns.iter_mut().enumerate() {
            let cell = fields.get(i).copied().unwrap_or("");
            col.push((!d.na.is_na(cell)).then_some(cell));
        }
        lines.push(record_line);
    }
    Ok(Records {
        columns,
        lines,
        padded,
    })
}

/// `cut_points` of a body without quotes, where every '\n' ends a line: a cut just after the
/// first '\n' past each target offset, and the newlines before each counted in parallel (a
/// serial pass over every byte of a 100 MB file was a tenth of the whole load).
fn plain_cut_points(body: &[u8], parts: usize) -> Vec<(usize, usize)> {
    let target = body.len() / parts;
    let mut starts = vec![0];
    for k in 1..parts {
        let from = (k * target).max(*starts.last().expect("starts with 0"));
        match memchr::memchr(b'\n', &body[from..]) {
            Some(at) if from + at + 1 < body.len() => {
                if from + at + 1 > *starts.last().expect("starts with 0") {
                    starts.push(from + at + 1);
                }
            }
            _ => break,
        }
    }
    let counts: Vec<usize> = starts
        .par_iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = starts.get(i + 1).map_or(body.len(), |&e| e);
            memchr::memchr_iter(b'\n', &body[start..end]).count()
        })
        .collect();
    let mut before = 0;
    starts
        .iter()
        .zip(counts)
        .map(|(&start, n)| {
            let cut = (start, before);
            before += n;
            cut
        })
        .collect()
}

/// Byte offsets where about `parts` chunks start (each just after a '\n' outside quotes), with
/// the number of '\n' before each. None when a quote is used in a way that makes the quoting
/// state uncertain (a quote in the middle of an unquoted field): then one reader does it all.
fn cut_points(body: &[u8], delimiter: u8, parts: usize) -> Option<Vec<(usize, usize)>> {
    let target = body.len() / parts;
    let mut cuts = vec![(0, 0)];
    let mut newlines = 0;
    let mut quoted = false;
    let mut prev = b'\n';
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        if b == b'"' {
            if quoted {
                match body.get(i + 1) {
                    // An escaped quote inside a quoted field.
                    Some(b'"') => {
                        i += 2;
                        prev = b'"';
                        continue;
                    }
                    Some(&n) if n == delimiter || n == b'\n' || n == b'\r' => quoted = false,
                    None => quoted = false,
                    Some(_) => return None,
                }
            } else if prev == delimiter || prev == b'\n' || prev == b'\r' {
                quoted = true;
            } else {
                return None;
            }
        } else if b == b'\n' && !quoted {
            newlines += 1;
            let next = i + 1;
            if next < body.len() && next >= cuts.last().map_or(0, |c| c.0) + target {
                cuts.push((next, newlines));
            }
        } else if b == b'\n' {
            newlines += 1;
        }
        prev = b;
        i += 1;
    }
    Some(cuts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn cuts_skip_newlines_inside_quotes() {
        let body = b"a,\"x\ny\",1\nb,2,3\nc,\"q\"\"\n\",4\nd,5,6\n";
        let cuts = cut_points(body, b',', 8).unwrap();
        for &(start, newlines) in &cuts[1..] {
            let before = &body[..start];
            assert_eq!(before.iter().filter(|&&b| b == b'\n').count(), newlines);
            // Every cut starts a record: a, b, c or d.
            assert!(matches!(body[start], b'b' | b'c' | b'd'), "cut at {start}");
        }
        assert!(cuts.len() > 2);
    }

    fn read(body: &str, first_line: usize) -> Result<Records, LoadError> {
        let na = NaTokens::new(&[]);
        let d = Dialect {
            path: Path::new("t.csv"),
            delimiter: b',',
            na: &na,
            expected: 3,
        };
        parse(body, first_line, &d).map(|chunks| join(chunks, 3))
    }

    #[test]
    fn chunks_join_to_the_sequential_result() {
        let (mut body, mut want, mut line) = (String::new(), Vec::new(), 2);
        for i in 0..200 {
            match i % 5 {
                0 => {
                    body.push_str(&format!("{i},\"two\nlines\",x\n"));
                    want.push(line);
                    line += 2;
                }
                1 => {
                    body.push('\n');
                    line += 1;
                }
                2 => {
                    body.push_str(&format!("{i},\"say \"\"hi\"\"\",\n"));
                    want.push(line);
                    line += 1;
                }
                _ => {
                    body.push_str(&format!("{i},plain,y\r\n"));
                    want.push(line);
                    line += 1;
                }
            }
        }
        let many = read(&body, 2).unwrap();
        let na = NaTokens::new(&[]);
        let d = Dialect {
            path: Path::new("t.csv"),
            delimiter: b',',
            na: &na,
            expected: 3,
        };
        let one = parse_chunk(&body, 2, &d).unwrap();
        assert_eq!(many.lines, one.lines);
        assert_eq!(many.columns, one.columns);
        // Blank lines skipped; every record on the line it starts on.
        assert_eq!(many.lines, want);
        assert_eq!(&want[..5], &[2, 5, 6, 7, 8]);
        assert_eq!(many.columns[1].get(0), Some("two\nlines"));
        assert_eq!(many.columns[1].get(1), Some("say \"hi\""));
        assert_eq!(many.columns[2].get(1), None);
    }

    #[test]
    fn plain_chunks_read_as_the_csv_reader_does() {
        let na = NaTokens::new(&[]);
        let d = Dialect {
            path: Path::new("t.csv"),
            delimiter: b',',
            na: &na,
            expected: 3,
        };
        let body = "1,a,b\r\n\n2, ,\r3,x,y,,\n\r\n , , \n4,NA,z";
        let (plain, csv) = (
            parse_plain(body, 5, &d).unwrap(),
            parse_chunk(body, 5, &d).unwrap(),
        );
        assert_eq!((&plain.lines, plain.padded), (&csv.lines, csv.padded));
        assert_eq!(plain.columns, csv.columns);
        assert_eq!(plain.lines, vec![5, 7, 7, 10]);
        for ragged in ["1,2,3\n4,5\n", "1,2,3\n\n4,5,6,7\n"] {
            let a = parse_plain(ragged, 2, &d).map(|r| r.lines);
            let b = parse_chunk(ragged, 2, &d).map(|r| r.lines);
            match (a, b) {
                (
                    Err(LoadError::Ragged { line: x, .. }),
                    Err(LoadError::Ragged { line: y, .. }),
                ) => {
                    assert_eq!(x, y)
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn the_first_ragged_line_in_file_order_is_reported() {
        let mut body = String::new();
        for i in 0..100 {
            body.push_str(&format!("{i},a,b\n"));
        }
        body.push_str("100,a\n");
        for i in 101..200 {
            body.push_str(&format!("{i},a\n"));
        }
        match read(&body, 2) {
            Err(LoadError::Ragged { line, found, .. }) => assert_eq!((line, found), (102, 2)),
            other => panic!("{:?}", other.map(|r| r.lines.len())),
        }
    }

    #[test]
    fn plain_cuts_start_lines_and_count_the_newlines_before() {
        let body = b"a,1\n\nbb,22\r\nccc,333\nd,4\ne,5";
        for parts in 1..12 {
            let cuts = plain_cut_points(body, parts);
            assert_eq!(cuts[0], (0, 0));
            for w in cuts.windows(2) {
                assert!(w[0].0 < w[1].0);
            }
            for &(start, newlines) in &cuts[1..] {
                assert_eq!(body[start - 1], b'\n', "parts {parts}: cut at {start}");
                assert_eq!(
                    body[..start].iter().filter(|&&b| b == b'\n').count(),
                    newlines
                );
            }
        }
        assert!(plain_cut_points(body, 4).len() > 2);
    }

    #[test]
    fn a_stray_quote_means_one_reader() {
        assert!(cut_points(b"a,5\" screen,1\nb,2,3\n", b',', 2).is_none());
        assert!(cut_points(b"a,\"x\"y,1\nb,2,3\n", b',', 2).is_none());
    }

    #[test]
    fn chunks_read_in_parallel_join_to_the_sequential_result() {
        let mut body = String::new();
        for i in 0..300 {
            body.push_str(match i % 4 {
                0 => "  1 19970101\t2  3.5\n",
                1 => "\n",
                2 => "2 19970102 1 \"x\r\n",
                _ => "3\t\t19970103 4 NA\n",
            });
        }
        let na_values = vec!["NA".to_string()];
        let na = NaTokens::new(&na_values);
        let d = Dialect {
            path: Path::new("t.txt"),
            delimiter: crate::load::WHITESPACE,
            na: &na,
            expected: 4,
        };
        let chunks = parse(&body, 2, &d).unwrap();
        assert!(chunks.len() > 1, "cut into chunks");
        let many = join(chunks, 4);
        let one = super::super::whitespace::parse(&body, 2, &d).unwrap();
        assert_eq!(many.lines, one.lines);
        assert_eq!(many.columns, one.columns);
        assert_eq!(&one.lines[..4], &[2, 4, 5, 6]);
        assert_eq!(one.columns[3].get(1), Some("\"x"));
        assert_eq!(one.columns[3].get(2), None);
    }
}
