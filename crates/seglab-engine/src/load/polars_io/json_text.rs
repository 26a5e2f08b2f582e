//! Checks on JSON text that polars does not make: nesting depth (its parser recurses once per
//! level, so `[[[[…` 100,000 deep overflows the stack, which no panic handler can catch) and
//! where a syntax error is (polars reports a tape error without a line).

use serde::de::IgnoredAny;

/// Customer records are flat; a few levels cover arrays of records with list or object values.
pub const MAX_DEPTH: usize = 64;

/// 1-based line and column (in bytes) of a place in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub line: usize,
    pub column: usize,
}

/// The first bracket that opens level `MAX_DEPTH + 1`, outside strings. In NDJSON (`lines`)
/// each line is read on its own, so a string also ends at a line break; in a JSON array only
/// its closing quote ends it, as in a lenient parser, so no bracket hides from this count.
pub fn too_deep(bytes: &[u8], lines: bool) -> Option<Place> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut line, mut line_start) = (1, 0);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' || (lines && b == b'\n') {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(Place {
                        line,
                        column: i - line_start + 1,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The first syntax error, as serde_json sees it: for a JSON array the whole text, for NDJSON
/// each non-blank line on its own (which must hold one object).
pub fn first_error(bytes: &[u8], array: bool) -> Option<(Place, String)> {
    if array {
        return serde_json::from_slice::<IgnoredAny>(bytes)
            .err()
            .map(|e| described(&e, 0));
    }
    let mut line_no = 0;
    for line in bytes.split(|&b| b == b'\n') {
        line_no += 1;
        let Some(start) = line.iter().position(|b| !b.is_ascii_whitespace()) else {
            continue;
        };
        if line.get(start) != Some(&b'{') {
            let place = Place {
                line: line_no,
                column: start + 1,
            };
            return Some((place, "expected a JSON object (one record per line)".into()));
        }
        if let Err(e) = serde_json::from_slice::<IgnoredAny>(line) {
            return Some(described(&e, line_no - 1));
        }
    }
    None
}

/// serde_json's message without its own " at line L column C" (the caller places it).
fn described(e: &serde_json::Error, lines_before: usize) -> (Place, String) {
    let full = e.to_string();
    let message = match full.rsplit_once(" at line ") {
        Some((head, _)) => head.to_string(),
        None => full,
    };
    let place = Place {
        line: e.line() + lines_before,
        column: e.column(),
    };
    (place, message)
}

/// Integer literals that fit no 64-bit type: polars reads them as 128-bit integers, which it
/// cannot hold (it panics). They are quoted, so the column arrives as exact text.
pub struct LongIntegers {
    pub text: Vec<u8>,
    /// The keys holding them, in order of first appearance.
    pub keys: Vec<String>,
    pub first: Place,
}

pub fn quote_long_integers(bytes: &[u8]) -> Option<LongIntegers> {
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut first = None;
    let (mut in_string, mut escaped) = (false, false);
    let (mut string_start, mut last_string, mut after_string) = (0, (0, 0), false);
    let mut key: Option<(usize, usize)> = None;
    let (mut line, mut line_start) = (1, 0);
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'\n' {
            line += 1;
            line_start = i + 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' || b == b'\n' {
                in_string = false;
                last_string = (string_start, i + 1);
                after_string = true;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                string_start = i;
            }
            b':' if after_string => {
                key = Some(last_string);
                after_string = false;
            }
            b'-' | b'0'..=b'9' => {
                let end = bytes[i..]
                    .iter()
                    .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .map_or(bytes.len(), |n| i + n);
                let token = &bytes[i..end];
                let integer = token.iter().skip(1).all(u8::is_ascii_digit);
                let fits = std::str::from_utf8(token)
                    .ok()
                    .and_then(|t| t.parse::<i64>().ok())
                    .is_some();
                if integer && !fits && token.iter().any(u8::is_ascii_digit) {
                    found.push((i, end));
                    first.get_or_insert(Place {
                        line,
                        column: i - line_start + 1,
                    });
                    let name = key
                        .and_then(|(s, e)| bytes.get(s..e))
                        .and_then(|k| serde_json::from_slice::<String>(k).ok());
                    if let Some(name) = name.filter(|n| !keys.contains(n)) {
                        keys.push(name);
                    }
                }
                after_string = false;
                i = end;
                continue;
            }
            c if c.is_ascii_whitespace() => {}
            _ => after_string = false,
        }
        i += 1;
    }
    let first = first?;
    let mut text = Vec::with_capacity(bytes.len() + 2 * found.len());
    let mut from = 0;
    for (start, end) in found {
        text.extend_from_slice(&bytes[from..start]);
        text.push(b'"');
        text.extend_from_slice(&bytes[start..end]);
        text.push(b'"');
        from = end;
    }
    text.extend_from_slice(&bytes[from..]);
    Some(LongIntegers { text, keys, first })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert_eq!(
            too_deep(deep.as_bytes(), true),
            Some(Place {
                line: 1,
                column: 65
            })
        );
        let ok = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert_eq!(too_deep(ok.as_bytes(), false), None);
        let quoted = format!("{{\"a\": \"{}\\\"\"}}", "[".repeat(100));
        assert_eq!(too_deep(quoted.as_bytes(), false), None);
        let second_line = format!("{{\"a\": 1}}\n{{\"b\": {}", "[".repeat(70));
        assert_eq!(
            too_deep(second_line.as_bytes(), true).map(|p| p.line),
            Some(2)
        );
        // A raw line break inside an array's string must not hide the brackets after it.
        let hidden = format!("[\"a\n\"{}", "[".repeat(70));
        assert_eq!(too_deep(hidden.as_bytes(), false).map(|p| p.line), Some(2));
    }

    #[test]
    fn first_error_names_the_line_and_column() {
        let nd = b"{\"a\": 1}\n\n{\"a\": 2,}\n{\"a\": 3}\n";
        let (place, message) = first_error(nd, false).unwrap();
        assert_eq!(place.line, 3);
        assert!(message.contains("key must be a string"), "{message}");
        let (place, _) = first_error(b"{\"a\": 1}\n[1, 2]\n", false).unwrap();
        assert_eq!(place, Place { line: 2, column: 1 });
        let (place, _) = first_error(b"[{\"a\": 1},\n {\"a\": tru}]", true).unwrap();
        assert_eq!(place.line, 2);
        assert!(first_error(b"[{\"a\": 1}]", true).is_none());
        assert!(first_error(b"{\"a\": 1}\r\n{\"a\": 2}\r\n", false).is_none());
    }

    #[test]
    fn integers_beyond_64_bits_are_quoted_with_their_key() {
        let nd = b"{\"id\": 123456789012345678901, \"x\": -5, \"s\": \"99999999999999999999\"}\n\
                   {\"id\": 7, \"y\": 1.5e300, \"z\": -99999999999999999999}\n";
        let q = quote_long_integers(nd).unwrap();
        assert_eq!(q.keys, vec!["id".to_string(), "z".to_string()]);
        assert_eq!(q.first, Place { line: 1, column: 8 });
        let text = String::from_utf8(q.text).unwrap();
        assert!(text.contains("\"id\": \"123456789012345678901\""), "{text}");
        assert!(text.contains("\"z\": \"-99999999999999999999\""), "{text}");
        assert!(
            text.contains("\"x\": -5,") && text.contains("1.5e300"),
            "{text}"
        );
        assert!(quote_long_integers(b"{\"id\": 9223372036854775807}").is_none());
    }
}
