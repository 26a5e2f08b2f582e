//! Guess the CSV dialect of an export: which delimiter, and on which line the header stands.

const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// How many non-blank lines the guess looks at.
const SAMPLE_LINES: usize = 200;

#[derive(Clone, Debug, PartialEq)]
pub struct Dialect {
    pub delimiter: u8,
    /// 0-based index of the header line in the text (or of the first data line without a header).
    pub header_line: usize,
    /// Byte offset where that line starts.
    pub header_offset: usize,
    /// Non-blank lines skipped before the header (a title, a note), for a warning.
    pub skipped_lines: usize,
}

/// `delimiter`: forced when Some. `header_line`: forced 0-based line when Some.
pub fn sniff(text: &str, delimiter: Option<u8>, header_line: Option<usize>) -> Dialect {
    let lines = first_lines(text, SAMPLE_LINES * 2);
    let content: Vec<&(usize, usize, &str)> = lines.iter().filter(|l| !is_blank(l.2)).collect();
    let sample: Vec<&str> = content.iter().take(SAMPLE_LINES).map(|l| l.2).collect();
    let delimiter = delimiter.unwrap_or_else(|| guess_delimiter(&sample));
    if let Some(line) = header_line {
        let offset = lines.get(line).map_or(text.len(), |l| l.1);
        return Dialect {
            delimiter,
            header_line: line,
            header_offset: offset,
            skipped_lines: 0,
        };
    }
    // The header is the first line with as many fields as most lines have; title lines above it
    // (common in report exports) have fewer.
    let counts: Vec<usize> = sample.iter().map(|l| count_fields(l, delimiter)).collect();
    let mode = mode_of(&counts).unwrap_or(1);
    let pos = counts.iter().position(|&c| c == mode).unwrap_or(0);
    let (line, offset) = content.get(pos).map_or((0, 0), |l| (l.0, l.1));
    Dialect {
        delimiter,
        header_line: line,
        header_offset: offset,
        skipped_lines: pos,
    }
}

/// (line index, byte offset, line text without the line break) for the first `max` lines.
fn first_lines(text: &str, max: usize) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').take(max).enumerate() {
        out.push((i, offset, raw.trim_end_matches(['\n', '\r'])));
        offset += raw.len();
    }
    out
}

/// Blank, or only delimiters and spaces (spreadsheets pad empty rows with commas).
fn is_blank(line: &str) -> bool {
    line.bytes()
        .all(|b| b.is_ascii_whitespace() || CANDIDATES.contains(&b))
}

/// Fields on one line, ignoring delimiters inside double quotes.
pub fn count_fields(line: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 1;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delimiter && !in_quotes {
            n += 1;
        }
    }
    n
}

fn mode_of(values: &[usize]) -> Option<usize> {
    let mut counts: std::collections::BTreeMap<usize, usize> = Default::default();
    for &v in values {
        *counts.entry(v).or_default() += 1;
    }
    // Most frequent; on a tie the larger field count (a title line has fewer fields).
    counts
        .into_iter()
        .max_by_key(|&(v, c)| (c, v))
        .map(|(v, _)| v)
}

/// The candidate that splits most lines into the same number (> 1) of fields.
fn guess_delimiter(lines: &[&str]) -> u8 {
    let mut best = (b',', 0usize, 0usize);
    for &d in &CANDIDATES {
        let counts: Vec<usize> = lines.iter().map(|l| count_fields(l, d)).collect();
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
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_each_delimiter() {
        for d in [",", ";", "\t", "|"] {
            let text = format!("a{d}b{d}c\n1{d}2{d}3\n4{d}5{d}6\n");
            assert_eq!(sniff(&text, None, None).delimiter, d.as_bytes()[0]);
        }
    }

    #[test]
    fn semicolon_file_with_decimal_commas() {
        let text = "name;amount\nAnn;1,5\nBob;2,25\nCy;3\n";
        assert_eq!(sniff(text, None, None).delimiter, b';');
    }

    #[test]
    fn header_after_blank_and_title_lines() {
        let text = "\n\nSales export 2024\n\nid,name,city\n1,Ann,Oslo\n2,Bob,Rome\n";
        let d = sniff(text, None, None);
        assert_eq!(d.header_line, 4);
        assert_eq!(&text[d.header_offset..d.header_offset + 12], "id,name,city");
        assert_eq!(d.skipped_lines, 1);
    }

    #[test]
    fn quoted_delimiters_do_not_count() {
        let text = "a,b\n\"x, y\",1\n\"p, q\",2\n";
        let d = sniff(text, None, None);
        assert_eq!(d.delimiter, b',');
        assert_eq!(d.header_line, 0);
    }
}
