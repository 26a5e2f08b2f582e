//! Bytes → text: byte-order marks, UTF-16, Windows-1252 fallback, and binary detection.

use serde::{Deserialize, Serialize};

/// In a recipe: "auto", or a WHATWG label (case-insensitive) such as "utf-8", "utf8",
/// "windows-1252", "cp1252", "latin1" or "iso-8859-1".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Encoding {
    /// UTF-8 when valid, otherwise Windows-1252 (with a warning).
    #[default]
    Auto,
    Utf8,
    Windows1252,
}

/// The WHATWG Encoding Standard's labels for UTF-8 and windows-1252 (browsers read every
/// Latin-1 label as windows-1252, and so does seglab).
const UTF8_LABELS: [&str; 6] = [
    "utf-8",
    "utf8",
    "unicode-1-1-utf-8",
    "unicode11utf8",
    "unicode20utf8",
    "x-unicode20utf8",
];
const WINDOWS_1252_LABELS: [&str; 17] = [
    "windows-1252",
    "cp1252",
    "x-cp1252",
    "latin1",
    "latin-1",
    "l1",
    "iso-8859-1",
    "iso8859-1",
    "iso88591",
    "iso_8859-1",
    "iso_8859-1:1987",
    "iso-ir-100",
    "csisolatin1",
    "ibm819",
    "cp819",
    "us-ascii",
    "ascii",
];

impl TryFrom<String> for Encoding {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let label = s.trim().to_ascii_lowercase();
        if label == "auto" {
            Ok(Encoding::Auto)
        } else if UTF8_LABELS.contains(&label.as_str()) {
            Ok(Encoding::Utf8)
        } else if WINDOWS_1252_LABELS.contains(&label.as_str()) {
            Ok(Encoding::Windows1252)
        } else {
            Err(format!(
                "unknown encoding '{s}': use \"auto\", \"utf-8\" or \"windows-1252\" \
                 (also \"cp1252\", \"latin1\", \"iso-8859-1\")"
            ))
        }
    }
}

impl From<Encoding> for String {
    fn from(e: Encoding) -> String {
        match e {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Windows1252 => "windows-1252",
        }
        .into()
    }
}

#[derive(Debug, PartialEq)]
pub enum DecodeError {
    /// Looks like a binary file; byte offset of the first telling byte.
    Binary(usize),
    /// Explicit UTF-8 requested but the bytes are not; line of the first bad byte.
    InvalidUtf8 { line: usize },
}

/// Decode a whole file (valid UTF-8 is taken over without a copy). Returns the text and a
/// warning when the encoding was guessed.
pub fn decode(
    mut bytes: Vec<u8>,
    encoding: Encoding,
) -> Result<(String, Option<String>), DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok((decode_utf16(rest, u16::from_le_bytes), None));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok((decode_utf16(rest, u16::from_be_bytes), None));
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if let Some(offset) = binary_offset(&bytes) {
        return Err(DecodeError::Binary(offset));
    }
    match encoding {
        Encoding::Windows1252 => Ok((windows_1252(&bytes), None)),
        Encoding::Utf8 | Encoding::Auto => match String::from_utf8(bytes) {
            Ok(s) => Ok((s, None)),
            Err(err) => {
                let e = err.utf8_error();
                let bytes = err.into_bytes();
                let line = 1 + bytes[..e.valid_up_to()]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count();
                if encoding == Encoding::Utf8 {
                    return Err(DecodeError::InvalidUtf8 { line });
                }
                let warning = format!(
                    "not valid UTF-8 (first bad byte on line {line}); read as Windows-1252/Latin-1. \
                     Set load.encoding in the recipe to choose"
                );
                Ok((windows_1252(&bytes), Some(warning)))
            }
        },
    }
}

/// A NUL byte or a high share of control bytes in the first 64 KiB means this is not a text table.
pub fn binary_offset(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    if let Some(pos) = head.iter().position(|&b| b == 0) {
        return Some(pos);
    }
    let is_control = |b: u8| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C);
    let controls = head.iter().filter(|&&b| is_control(b)).count();
    if !head.is_empty() && controls * 20 > head.len() {
        return head.iter().position(|&b| is_control(b));
    }
    None
}

fn decode_utf16(bytes: &[u8], to_unit: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| to_unit([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Windows-1252 differs from Latin-1 only in 0x80..=0x9F; unassigned bytes map to U+FFFD.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
    '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{FFFD}',
    'ž', 'Ÿ',
];

fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
            _ => b as char,
        })
        .collect()
}

/// `str::trim`, answered from the two end bytes when both are visible ASCII (nearly every
/// cell): the Unicode-aware trim is a call and a loop per cell on every pass over a column.
#[inline]
pub(super) fn trim_cell(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x7f);
    let bytes = s.as_bytes();
    if visible(bytes.first()) && visible(bytes.last()) {
        s
    } else {
        s.trim()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_utf8_bom() {
        let (s, w) = decode(b"\xEF\xBB\xBFa,b\n".to_vec(), Encoding::Auto).unwrap();
        assert_eq!(s, "a,b\n");
        assert!(w.is_none());
    }

    #[test]
    fn latin1_bytes_are_transcoded_with_a_warning() {
        // "Müller" and "€5" in Windows-1252.
        let (s, w) = decode(b"name\nM\xFCller\n\x805\n".to_vec(), Encoding::Auto).unwrap();
        assert_eq!(s, "name\nMüller\n€5\n");
        assert!(w.unwrap().contains("line 2"));
        assert_eq!(
            decode(b"x\n\xFC".to_vec(), Encoding::Utf8),
            Err(DecodeError::InvalidUtf8 { line: 2 })
        );
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "a;b\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(bytes, Encoding::Auto).unwrap().0, "a;b\n");
    }

    #[test]
    fn whatwg_labels_are_accepted_in_any_case() {
        for label in ["windows-1252", "CP1252", "latin1", "ISO-8859-1", "x-cp1252"] {
            assert_eq!(
                Encoding::try_from(label.to_string()),
                Ok(Encoding::Windows1252),
                "{label}"
            );
        }
        for label in ["utf-8", "UTF8", "utf8"] {
            assert_eq!(Encoding::try_from(label.to_string()), Ok(Encoding::Utf8));
        }
        let e = Encoding::try_from("ebcdic".to_string()).unwrap_err();
        assert!(e.contains("'ebcdic'") && e.contains("windows-1252"), "{e}");
        assert_eq!(String::from(Encoding::Windows1252), "windows-1252");
    }

    #[test]
    fn binary_garbage_is_refused() {
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert!(matches!(
            decode(garbage, Encoding::Auto),
            Err(DecodeError::Binary(_))
        ));
    }
}
