//! Guess the CSV dialect of an export: which delimiter, and on which line the header stands.
//!
//! The header is the first non-blank record unless the evidence against it is strong: a few
//! title-like lines (one cell, or a number such as a year, or far fewer cells than the rows)
//! above a line that reads as a header (all cells named, none a number) over rows with a numeric
//! column. Records are found quote-aware, so a quoted line break in a header cell is one record.
//!
//! A file without any of the candidate delimiters whose every sampled line splits on runs of
//! spaces into the same number of fields (a whitespace-aligned log) is read as whitespace-
//! separated; one that nearly does is read as before but with a warning, never silently as one
//! column.

use super::WHITESPACE;

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Share of lines that must split on whitespace alike for the warning that the file looks
/// whitespace-aligned (all of them: it is read so without asking).
const NEARLY_ALIGNED: f64 = 0.8;
/// How many non-blank records the guess looks at, and the most bytes it reads for them.
const SAMPLE_RECORDS: usize = 200;
const SAMPLE_BYTES: usize = 2 << 20;
/// Title lines above a header: a report has one or two, never many.
const MAX_TITLE_LINES: usize = 5;
/// Longest skipped line quoted in full in the warning.
const SHOWN_CHARS: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub struct Dialect {
    pub delimiter: u8,
    /// 0-based index of the header line in the text (or of the first data line without a header).
    pub header_line: usize,
    /// Byte offset where that line starts.
    pub header_offset: usize,
    /// The non-blank lines skipped above the header, as written (for the warning).
    pub skipped: Vec<String>,
    /// Cells in most rows below the header, trailing empty cells not counted (0: no rows seen).
    pub row_width: usize,
    /// Said when the first line looks unlike the rows but is kept as the header.
    pub note: Option<String>,
    /// Said when every line reads as one column but nearly all split on whitespace alike.
    pub whitespace_hint: Option<String>,
}

#[derive(Debug, PartialEq)]
pub enum SniffError {
    /// A forced header line beyond the end of the text, which has `lines` lines.
    HeaderBeyondEnd { lines: usize },
}

/// One logical record (a quoted line break does not end it).
struct Record<'a> {
    /// 0-based physical line where it starts.
    line: usize,
    offset: usize,
    text: &'a str,
}

/// `delimiter`: forced when Some. `header_line`: forced 0-based line when Some.
pub fn sniff(
    text: &str,
    delimiter: Option<u8>,
    header_line: Option<usize>,
) -> Result<Dialect, SniffError> {
    let start = match header_line {
        Some(line) => line_offset(text, line)?,
        None => 0,
    };
    let records = records(text, start, SAMPLE_RECORDS);
    let content: Vec<&Record> = records.iter().filter(|r| !is_blank(r.text)).collect();
    let sample: Vec<&str> = content.iter().map(|r| r.text).collect();
    let whitespace_hint = delimiter
        .is_none()
        .then(|| nearly_aligned(&sample))
        .flatten();
    let delimiter = delimiter.unwrap_or_else(|| guess_delimiter(&sample));
    let widths: Vec<usize> = sample.iter().map(|l| width(l, delimiter)).collect();
    let row_width = |from: usize| widths.get(from..).and_then(mode_of).unwrap_or(0);
    let whitespace_hint = whitespace_hint.filter(|_| widths.iter().all(|&w| w <= 1));
    if let Some(line) = header_line {
        return Ok(Dialect {
            delimiter,
            header_line: line,
            header_offset: start,
            skipped: Vec::new(),
            row_width: row_width(1),
            note: None,
            whitespace_hint,
        });
    }
    let Some(first) = content.first() else {
        return Ok(Dialect {
            delimiter,
            header_line: 0,
            header_offset: 0,
            skipped: Vec::new(),
            row_width: 0,
            note: None,
            whitespace_hint: None,
        });
    };
    let header = title_lines(&sample, &widths, delimiter);
    let chosen = content[header];
    let note = (header == 0 && widths.len() > 1 && widths[0] < row_width(1)).then(|| {
        format!(
            "line {} has {} cell(s) but most rows have {}; it is read as the header \
             (set load.header_row if the header is further down)",
            first.line + 1,
            widths[0],
            row_width(1)
        )
    });
    Ok(Dialect {
        delimiter,
        header_line: chosen.line,
        header_offset: chosen.offset,
        skipped: content[..header].iter().map(|r| shown(r.text)).collect(),
        row_width: row_width(header + 1),
        note,
        whitespace_hint,
    })
}

/// How many leading records are titles (0 unless the evidence is strong).
fn title_lines(sample: &[&str], widths: &[usize], delimiter: u8) -> usize {
    let mode = widths.get(1..).and_then(mode_of).unwrap_or(0);
    let Some(candidate) = widths.iter().position(|&w| w == mode) else {
        return 0;
    };
    if candidate == 0 || candidate > MAX_TITLE_LINES || mode < 2 {
        return 0;
    }
    let cells = |i: usize| split_cells(sample[i], delimiter);
    let titles_like = (0..candidate).all(|i| {
        let w = widths[i];
        w < mode && (w <= 1 || w * 2 <= mode || cells(i).iter().any(|c| is_number(c)))
    });
    let header = cells(candidate);
    let header_like = header.len() >= mode
        && header[..mode]
            .iter()
            .all(|c| !c.trim().is_empty() && !is_number(c));
    if !titles_like || !header_like {
        return 0;
    }
    // A header cell over a column of numbers is the strongest sign; a lone title cell above a
    // wide table is strong enough on its own.
    let rows: Vec<Vec<String>> = (candidate + 1..sample.len()).map(cells).collect();
    let numeric_below = (0..mode).any(|j| {
        let filled: Vec<&String> = rows
            .iter()
            .filter_map(|r| r.get(j))
            .filter(|c| !c.trim().is_empty())
            .collect();
        let numbers = filled.iter().filter(|c| is_number(c)).count();
        !filled.is_empty() && numbers * 5 >= filled.len() * 4
    });
    let lone_titles = mode >= 3 && widths[..candidate].iter().all(|&w| w <= 1);
    if numeric_below || lone_titles {
        candidate
    } else {
        0
    }
}

fn is_number(cell: &str) -> bool {
    let t = cell.trim().trim_start_matches(['$', '€', '£']);
    !t.is_empty() && t.replace([',', ' '], "").parse::<f64>().is_ok()
}

/// A line for the warning: as written, cut only when very long.
fn shown(line: &str) -> String {
    match line.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_string(),
    }
}

/// Byte offset of 0-based physical line `line`, or how many lines the text has.
fn line_offset(text: &str, line: usize) -> Result<usize, SniffError> {
    if line == 0 {
        return Ok(0);
    }
    let mut seen = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            seen += 1;
            if seen == line && i + 1 < text.len() {
                return Ok(i + 1);
            }
        }
    }
    let lines = seen + usize::from(!text.is_empty() && !text.ends_with('\n'));
    Err(SniffError::HeaderBeyondEnd { lines })
}

/// Up to `max` records from `start`, split at line breaks outside quoted fields. A quote opens
/// a quoted field only at the start of a field (after any candidate delimiter), as CSV readers
/// do, so `5" screen` does not swallow the lines after it.
fn records(text: &str, start: usize, max: usize) -> Vec<Record<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut line, mut at) = (text[..start].matches('\n').count(), start);
    let (mut quoted, mut field_start) = (false, true);
    let mut newlines = 0;
    let mut i = start;
    while i < bytes.len() && out.len() < max && i - start < SAMPLE_BYTES {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            } else if b == b'\n' {
                newlines += 1;
            }
        } else if b == b'"' && field_start {
            quoted = true;
        } else if b == b'\n' {
            out.push(Record {
                line,
                offset: at,
                text: text[at..i].trim_end_matches('\r'),
            });
            line += newlines + 1;
            newlines = 0;
            at = i + 1;
        }
        field_start = !quoted && (b == b'\n' || CANDIDATES.contains(&b));
        i += 1;
    }
    // Stopped by the byte budget: end on a character boundary.
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if at < i && out.len() < max && (i >= bytes.len() || out.is_empty()) {
        out.push(Record {
            line,
            offset: at,
            text: text[at..i].trim_end_matches(['\r', '\n']),
        });
    }
    out
}

/// Blank, or only delimiters and spaces (spreadsheets pad empty rows with commas).
fn is_blank(line: &str) -> bool {
    line.bytes()
        .all(|b| b.is_ascii_whitespace() || CANDIDATES.contains(&b))
}

/// The cells of one record (quotes removed, `""` unescaped; between whitespace-separated
/// fields quotes are not special).
fn split_cells(record: &str, delimiter: u8) -> Vec<String> {
    if delimiter == WHITESPACE {
        return super::whitespace::fields(record)
            .map(str::to_string)
            .collect();
    }
    let mut cells = vec![String::new()];
    let (mut quoted, mut field_start) = (false, true);
    let mut chars = record.chars().peekable();
    while let Some(c) = chars.next() {
        let cell = cells.last_mut().expect("one cell at least");
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
            continue;
        }
        if c == '"' && field_start {
            quoted = true;
            field_start = false;
        } else if c == delimiter as char {
            cells.push(String::new());
            field_start = true;
        } else {
            cell.push(c);
            field_start = false;
        }
    }
    cells
}

/// Cells on one record, trailing empty cells (a trailing delimiter, padding) not counted.
fn width(record: &str, delimiter: u8) -> usize {
    let cells = split_cells(record, delimiter);
    cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1)
}

/// Fields on one record, ignoring delimiters inside quoted fields.
pub fn count_fields(record: &str, delimiter: u8) -> usize {
    split_cells(record, delimiter).len()
}

fn mode_of(values: &[usize]) -> Option<usize> {
    let mut counts: std::collections::BTreeMap<usize, usize> = Default::default();
    for &v in values {
        *counts.entry(v).or_default() += 1;
    }
    // Most frequent; on a tie the larger count (a title line has fewer fields).
    counts
        .into_iter()
        .max_by_key(|&(v, c)| (c, v))
        .map(|(v, _)| v)
}

/// The candidate that splits most records into the same number (> 1) of fields; whitespace
/// when none splits them all alike, none holds ',' ';' or '|', and runs of spaces and tabs
/// split every one into the same number (> 1) of fields.
fn guess_delimiter(records: &[&str]) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for &d in &CANDIDATES {
        let counts: Vec<usize> = records.iter().map(|l| count_fields(l, d)).collect();
        let Some(mode) = mode_of(&counts) else {
            continue;
        };
        if mode < 2 {
            continue;
        }
        let agree = counts.iter().filter(|&&c| c == mode).count();
        if (agree, mode) > (best.1, best.2) {
            best = (d, agree, mode);
        }
    }
    let unanimous = best.2 >= 2 && best.1 == records.len();
    if !unanimous && whitespace_aligned(records, 1.0).is_some() {
        return WHITESPACE;
    }
    best.0
}

/// The field count that at least `share` of the records (two or more, with no ',', ';' or '|')
/// split into on whitespace, and how many do, when that count is above one.
fn whitespace_aligned(records: &[&str], share: f64) -> Option<(usize, usize)> {
    let other = |r: &&str| r.bytes().any(|b| matches!(b, b',' | b';' | b'|'));
    if records.len() < 2 || records.iter().any(other) {
        return None;
    }
    let counts: Vec<usize> = records
        .iter()
        .map(|r| super::whitespace::fields(r).count())
        .collect();
    let mode = mode_of(&counts)?;
    let agree = counts.iter().filter(|&&c| c == mode).count();
    (mode >= 2 && agree as f64 >= share * records.len() as f64).then_some((mode, agree))
}

/// The warning for lines that nearly all split on whitespace alike (but not all: a title line,
/// a header whose names hold spaces, a stray line).
fn nearly_aligned(records: &[&str]) -> Option<String> {
    if records.len() < 3 || whitespace_aligned(records, 1.0).is_some() {
        return None;
    }
    // Two fields are too common in a one-column file to hint at (a date and a time, a full
    // name); a log worth aligning has more.
    let (fields, agree) = whitespace_aligned(records, NEARLY_ALIGNED).filter(|f| f.0 >= 3)?;
    Some(format!(
        "every line reads as one column, but {agree} of the first {} lines split on spaces \
         into {fields} fields; if the columns are aligned with spaces, set \
         load.delimiter = \"whitespace\" (and load.header_row if a title line is above the header)",
        records.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(text: &str) -> Dialect {
        sniff(text, None, None).unwrap()
    }

    #[test]
    fn finds_each_delimiter() {
        for d in [",", ";", "\t", "|"] {
            let text = format!("a{d}b{d}c\n1{d}2{d}3\n4{d}5{d}6\n");
            assert_eq!(auto(&text).delimiter, d.as_bytes()[0]);
        }
    }

    #[test]
    fn semicolon_file_with_decimal_commas() {
        let text = "name;amount\nAnn;1,5\nBob;2,25\nCy;3\n";
        assert_eq!(auto(text).delimiter, b';');
    }

    #[test]
    fn header_after_blank_and_title_lines() {
        let text = "\n\nSales export 2024\n\nid,name,city\n1,Ann,Oslo\n2,Bob,Rome\n";
        let d = auto(text);
        assert_eq!(d.header_line, 4);
        assert_eq!(&text[d.header_offset..d.header_offset + 12], "id,name,city");
        assert_eq!(d.skipped, vec!["Sales export 2024"]);
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        let text = "a,b\n\"x, y\",1\n\"p, q\",2\n";
        let d = auto(text);
        assert_eq!(d.delimiter, b',');
        assert_eq!(d.header_line, 0);
    }

    #[test]
    fn the_first_line_stays_the_header_without_strong_evidence() {
        // A trailing comma on every row.
        let d = auto("id,spend,visits\n1,10,2,\n2,20,3,\n3,30,4,\n");
        assert_eq!((d.header_line, d.row_width), (0, 3));
        // A header shorter than the rows.
        let d = auto("id,spend\n1,10,2\n2,20,3\n3,30,4\n");
        assert_eq!((d.header_line, d.row_width), (0, 3));
        assert!(d.note.unwrap().contains("line 1 has 2 cell(s)"));
        // Text rows under a short header: no sign that line 1 is a title.
        assert_eq!(auto("name,city\nAnn,Oslo,x\nBob,Rome,y\n").header_line, 0);
        // A quoted line break inside a header cell.
        let d = auto("\"first\nname\",age,spend\nAnn,30,5\nBob,40,6\n");
        assert_eq!((d.header_line, d.row_width), (0, 3));
    }

    #[test]
    fn a_title_padded_with_commas_is_skipped_and_shown() {
        let text = "Customer report,2024,,\nid,spend,visits,city\n1,10,2,Oslo\n2,20,3,Rome\n";
        let d = auto(text);
        assert_eq!(d.header_line, 1);
        assert_eq!(d.skipped, vec!["Customer report,2024,,"]);
        let text = "Customer report,2024,\nid,spend,visits\n1,10,2\n2,20,3\n";
        assert_eq!(auto(text).header_line, 1);
    }

    #[test]
    fn a_forced_header_line_past_the_end_says_how_many_lines() {
        assert_eq!(
            sniff("a,b\n1,2\n", None, Some(999_998)),
            Err(SniffError::HeaderBeyondEnd { lines: 2 })
        );
        assert_eq!(
            sniff("a,b\n1,2", None, Some(5)),
            Err(SniffError::HeaderBeyondEnd { lines: 2 })
        );
        let text: String = (0..1000).map(|i| format!("{i},x\n")).collect();
        let d = sniff(&text, None, Some(600)).unwrap();
        assert_eq!(&text[d.header_offset..d.header_offset + 5], "600,x");
    }

    #[test]
    fn a_huge_first_line_is_sampled_up_to_the_budget_on_a_char_boundary() {
        let text = format!("{}\n", "é,".repeat(SAMPLE_BYTES));
        let recs = records(&text, 0, 10);
        assert_eq!(recs.len(), 1);
        assert!(recs[0].text.len() <= SAMPLE_BYTES);
    }

    #[test]
    fn a_stray_quote_mid_field_does_not_join_lines() {
        let text = "item,size\nTV,5\" screen\nPC,15\" screen\nX,1\n";
        let recs = records(text, 0, 10);
        assert_eq!(recs.len(), 4);
        assert_eq!(recs[2].text, "PC,15\" screen");
    }

    #[test]
    fn a_whitespace_aligned_log_is_read_on_runs_of_spaces() {
        // CDNOW's purchase log: aligned with spaces, no other delimiter.
        let text =
            "00001 19970101  1   11.77\n00002 19970112  1   12.00\n  00003\t19970102  2   20.76\n";
        let d = auto(text);
        assert_eq!((d.delimiter, d.row_width), (WHITESPACE, 4));
        assert_eq!(d.whitespace_hint, None);
        let d = auto("customer_id date quantity amount\n1 19970101 1 11.77\n2 19970112 1 12\n");
        assert_eq!(
            (d.delimiter, d.header_line, d.row_width),
            (WHITESPACE, 0, 4)
        );
    }

    #[test]
    fn text_with_spaces_in_a_delimited_file_is_not_whitespace_aligned() {
        let d = auto("name,city\nAnn Lee,New York\nBob Ray,Oslo\n");
        assert_eq!(d.delimiter, b',');
        // Tab-separated cells holding spaces stay tab-separated.
        let d = auto("name\tcity\nAnn Lee\tNew York\nBob Ray\tSan Jose\n");
        assert_eq!(d.delimiter, b'\t');
        // One column of free text: the lines do not split alike.
        let d = auto("comment\nvery nice shop\ngood\nslow delivery again\n");
        assert_ne!(d.delimiter, WHITESPACE);
        assert_eq!(d.whitespace_hint, None);
    }

    #[test]
    fn a_nearly_aligned_file_read_as_one_column_says_so() {
        let text = "Customer Id  Date  Qty  Amount\n1 19970101 1 11.77\n2 19970112 1 12\n\
                    3 19970102 2 20.76\n4 19970101 2 20.00\n";
        let d = auto(text);
        assert_ne!(d.delimiter, WHITESPACE);
        let hint = d.whitespace_hint.expect("a hint");
        assert!(
            hint.contains("4 of the first 5 lines") && hint.contains("into 4 fields"),
            "{hint}"
        );
        assert!(hint.contains("load.delimiter = \"whitespace\""), "{hint}");
        // One column of date-times (two words each) under a one-word header: no hint.
        let times: String = (1..=20)
            .map(|d| format!("2024-01-{d:02} 10:00\n"))
            .collect();
        assert_eq!(auto(&format!("ordered_at\n{times}")).whitespace_hint, None);
        // Asked for a delimiter: no second guess.
        assert_eq!(sniff(text, Some(b','), None).unwrap().whitespace_hint, None);
    }
}
