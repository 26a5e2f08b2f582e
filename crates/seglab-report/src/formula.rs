//! Spreadsheet formula injection (OWASP "CSV injection"): a CSV cell that starts with `=`, `+`,
//! `-`, `@`, tab or CR may be run as a formula when a person opens the file in a spreadsheet.
//! Such cells get a leading `'`, which spreadsheets show as text; numbers such as `-5` or `+3.2`
//! are left alone.
//!
//! The escape is reversible, so seglab's own readers give back exactly what was written: a cell
//! that already looks escaped (quotes followed by a trigger) gets one more quote, and `unescape`
//! removes exactly one quote from exactly those cells.

use seglab_engine::table::{ColumnData, Table};
use std::borrow::Cow;
use std::path::Path;

/// The first characters that make a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain decimal number (`-5`, `+3.2`, `1e-3`): spreadsheets read these as numbers, not formulas.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let digits_from = |mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i, i - start)
    };
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let (end, int_digits) = digits_from(i);
    i = end;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        (i, frac_digits) = digits_from(i + 1);
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, exp_digits) = digits_from(i);
        if exp_digits == 0 {
            return false;
        }
        i = end;
    }
    i == b.len()
}

fn is_formula_like(s: &str) -> bool {
    s.starts_with(TRIGGERS) && !is_plain_number(s)
}

/// True when the cell is written with a leading `'`: it would be read as a formula, or it is
/// quotes followed by such a cell (so that undoing the escape is exact).
pub fn needs_escape(cell: &str) -> bool {
    is_formula_like(cell.trim_start_matches('\''))
}

/// The cell as it goes into a CSV meant for people.
pub fn escape(cell: &str) -> Cow<'_, str> {
    if needs_escape(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The inverse of `escape`: `unescape(&escape(x)) == x` for every string.
pub fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_escape(rest) => rest,
        _ => cell,
    }
}

/// Undo the escape on every header name and text cell, in place.
pub fn unescape_table(table: &mut Table) {
    for c in &mut table.columns {
        let name = unescape(&c.name);
        if name.len() != c.name.len() {
            c.name = name.to_string();
        }
        if let ColumnData::Text(t) = &mut c.data {
            let escaped = t.iter().flatten().any(|s| s.starts_with('\''));
            if escaped {
                *t = t.map(|_, cell| cell.map(|s| Cow::Borrowed(unescape(s))));
            }
        }
    }
}

/// seglab's label columns: a CSV that has them is a seglab `segments.csv`.
const LABEL_COLUMNS: [&str; 2] = ["segment_id", "segment_name"];

/// When `path` is a `segments.csv` seglab wrote (a CSV with seglab's label columns), undo the
/// formula escape so the values are exactly those seglab wrote. A `manifest.json` beside it that
/// records `"formula_escape": false` means the file was written raw and is left as it is.
/// Parquet and JSON files are never escaped. Returns whether anything was undone.
pub fn undo_escape_of_seglab_output(path: &Path, table: &mut Table) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let text_file = !matches!(
        ext.as_deref(),
        Some("parquet" | "pq" | "json" | "ndjson" | "jsonl")
    );
    let labelled = LABEL_COLUMNS.iter().all(|l| table.column(l).is_some());
    if !text_file || !labelled || written_raw(path) {
        return false;
    }
    unescape_table(table);
    true
}

/// The run's manifest says its CSVs were written without the escape.
fn written_raw(csv: &Path) -> bool {
    let Some(dir) = csv.parent() else {
        return false;
    };
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return false;
    };
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|m| m["export"]["formula_escape"].as_bool())
        == Some(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use seglab_engine::table::{Column, ColumnType};

    #[test]
    fn formula_cells_get_a_quote_and_numbers_do_not() {
        for (cell, written) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+SUM(A1)", "'+SUM(A1)"),
            ("-2+3", "'-2+3"),
            ("@SUM(1)", "'@SUM(1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-", "'-"),
            ("+49 30 1234", "'+49 30 1234"),
            ("-inf", "'-inf"),
            ("'=1", "''=1"),
            ("''@x", "'''@x"),
            ("-5", "-5"),
            ("+3.2", "+3.2"),
            ("-.5", "-.5"),
            ("-1e-3", "-1e-3"),
            ("'hello", "'hello"),
            ("'-5", "'-5"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(escape(cell), written, "{cell:?}");
            assert_eq!(unescape(written), cell, "{written:?}");
        }
        assert!(!is_plain_number("-1e"));
        assert!(!is_plain_number("+."));
        assert!(!is_plain_number("1.2.3"));
    }

    #[test]
    fn unescape_inverts_escape_on_every_short_string_of_tricky_characters() {
        let alphabet = ['\'', '=', '-', '+', '@', '\t', '5', '.', 'a', 'e'];
        let mut level = vec![String::new()];
        let mut strings = level.clone();
        for _ in 0..4 {
            level = level
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(level.iter().cloned());
        }
        for s in &strings {
            let e = escape(s);
            assert_eq!(unescape(&e), s, "{s:?} -> {e:?}");
            assert!(!is_formula_like(&e), "{s:?} -> {e:?} is still a formula");
        }
    }

    #[test]
    fn a_labelled_csv_is_unescaped_and_other_files_are_not() {
        let table = || {
            let text = |v: &[&str]| ColumnData::Text(v.iter().map(|s| Some(*s)).collect());
            Table::new(vec![
                Column::new("'=h", ColumnType::Text, text(&["'=x", "'hi", "'-5"])),
                Column::new("segment_id", ColumnType::Integer, text(&["0", "1", "0"])),
                Column::new(
                    "segment_name",
                    ColumnType::Category,
                    text(&["'@a", "b", "c"]),
                ),
            ])
        };
        let mut t = table();
        assert!(undo_escape_of_seglab_output(
            Path::new("/nonexistent/segments.csv"),
            &mut t
        ));
        assert_eq!(t.names(), ["=h", "segment_id", "segment_name"]);
        let cells = |t: &Table, c: usize| t.columns[c].data.to_text_values();
        assert_eq!(
            cells(&t, 0),
            [Some("=x".into()), Some("'hi".into()), Some("'-5".into())]
        );
        assert_eq!(cells(&t, 2)[0].as_deref(), Some("@a"));
        let mut p = table();
        assert!(!undo_escape_of_seglab_output(
            Path::new("segments.parquet"),
            &mut p
        ));
        assert_eq!(p, table());
        let mut unlabelled = table();
        unlabelled.columns.truncate(1);
        let before = unlabelled.clone();
        assert!(!undo_escape_of_seglab_output(
            Path::new("x.csv"),
            &mut unlabelled
        ));
        assert_eq!(unlabelled, before);
    }
}
