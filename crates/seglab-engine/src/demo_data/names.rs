//! Place and contact vocabularies, name handling, and the string edits used
//! for near-duplicates.

use super::fmt::{Label, Row};
use super::vocab;
use crate::rng::Rng;

/// Name lists split into words, with their lowercase ASCII spellings for
/// email addresses. Profiles store indices into these lists.
pub(super) struct Vocab {
    /// Indexed by list: 0 male, 1 female.
    pub first: [Vec<&'static str>; 2],
    pub last: Vec<&'static str>,
    pub first_ascii: [Vec<String>; 2],
    pub last_ascii: Vec<String>,
}

impl Vocab {
    pub(super) fn new() -> Vocab {
        let words = |s: &'static str| s.split_whitespace().collect::<Vec<_>>();
        let fold = |v: &[&str]| v.iter().map(|n| ascii_fold(n)).collect::<Vec<_>>();
        let first = [words(vocab::MALE_FIRST), words(vocab::FEMALE_FIRST)];
        let last = words(vocab::LAST);
        Vocab {
            first_ascii: [fold(&first[0]), fold(&first[1])],
            last_ascii: fold(&last),
            first,
            last,
        }
    }
}

/// Country name, phone country code, cities (a city always belongs to its
/// country), and a population weight.
pub(super) const COUNTRIES: &[(&str, u32, &[&str], f64)] = &[
    (
        "United States",
        1,
        &["New York", "Chicago", "Austin", "Seattle", "Miami"],
        0.30,
    ),
    (
        "United Kingdom",
        44,
        &["London", "Manchester", "Leeds", "Glasgow"],
        0.15,
    ),
    (
        "Germany",
        49,
        &["Berlin", "München", "Hamburg", "Köln"],
        0.15,
    ),
    ("France", 33, &["Paris", "Lyon", "Marseille"], 0.10),
    ("Spain", 34, &["Madrid", "Barcelona", "Sevilla"], 0.10),
    ("Canada", 1, &["Toronto", "Montréal", "Vancouver"], 0.10),
    ("Poland", 48, &["Warszawa", "Kraków", "Gdańsk"], 0.10),
];

pub(super) const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "mail.com",
    "icloud.com",
    "proton.me",
    "web.de",
];

/// Number of email local-part layouts understood by [`push_email`].
pub(super) const EMAIL_STYLES: u8 = 5;
/// Number of phone layouts understood by [`push_phone`].
pub(super) const PHONE_FORMATS: u8 = 3;

pub(super) const CHANNELS: [Label; 4] = [
    Label::new("web"),
    Label::new("store"),
    Label::new("app"),
    Label::new("phone"),
];
pub(super) const DEVICES: [Label; 3] = [
    Label::new("desktop"),
    Label::new("mobile"),
    Label::new("tablet"),
];
pub(super) const GENDERS: &[&str] = &["M", "F", "other"];

/// Lowercase ASCII spelling for email addresses; drops characters that do
/// not fold to a letter (apostrophes, spaces).
pub(super) fn ascii_fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars().flat_map(char::to_lowercase) {
        let folded = match ch {
            'a'..='z' => {
                out.push(ch);
                continue;
            }
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'í' | 'ì' | 'î' | 'ï' => "i",
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => "o",
            'ú' | 'ù' | 'û' | 'ü' => "u",
            'ñ' | 'ń' => "n",
            'ç' => "c",
            'ł' => "l",
            'ś' => "s",
            'ß' => "ss",
            'æ' => "ae",
            _ => "",
        };
        out.push_str(folded);
    }
    out
}

/// Email local part + number + domain. `first`/`last` are already folded.
pub(super) fn push_email(
    row: &mut Row,
    first: &str,
    last: &str,
    style: u8,
    number: u32,
    domain: &str,
) {
    match style {
        0 => {
            row.text(first);
            row.byte(b'.');
            row.text(last);
        }
        1 => {
            row.text(first);
            row.text(last);
        }
        2 => {
            row.text(&first[..1.min(first.len())]);
            row.byte(b'.');
            row.text(last);
        }
        3 => {
            row.text(first);
            row.byte(b'_');
            row.text(last);
        }
        _ => {
            row.text(last);
            row.byte(b'.');
            row.text(first);
        }
    }
    // Letters never end in a digit, so a distinct number makes the address
    // unique even when two customers share a name.
    row.num(number as u64, 1);
    row.byte(b'@');
    row.text(domain);
}

/// A 10-digit national number as `+CC AAA-BBB-CCCC`, `(AAA) BBB CCCC` or
/// `AAABBBCCCC`.
pub(super) fn push_phone(row: &mut Row, digits: u64, country_code: u32, format: u8) {
    let (a, b, c) = (digits / 10_000_000, digits / 10_000 % 1000, digits % 10_000);
    match format {
        0 => {
            row.byte(b'+');
            row.num(country_code as u64, 1);
            row.byte(b' ');
            row.num(a, 3);
            row.byte(b'-');
            row.num(b, 3);
            row.byte(b'-');
            row.num(c, 4);
        }
        1 => {
            row.byte(b'(');
            row.num(a, 3);
            row.text(") ");
            row.num(b, 3);
            row.byte(b' ');
            row.num(c, 4);
        }
        _ => row.num(digits, 10),
    }
}

/// A random plausible national number (area and exchange never start with 0/1).
pub(super) fn random_phone(rng: &mut Rng) -> u64 {
    let area = rng.range_usize(201, 990) as u64;
    let exchange = rng.range_usize(200, 1000) as u64;
    let line = rng.range_usize(0, 10_000) as u64;
    area * 10_000_000 + exchange * 10_000 + line
}

/// One-character typo: swap two neighbours, drop one, or replace one.
/// Always returns a string different from `word` when it has ≥ 2 letters.
pub(super) fn typo(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    if chars.len() < 2 {
        chars.push('e');
        return chars.into_iter().collect();
    }
    // Keep the first letter so the name still sorts and reads similarly.
    let pos = rng.range_usize(1, chars.len());
    match rng.range_usize(0, 3) {
        0 if chars[pos - 1] != chars[pos] => chars.swap(pos - 1, pos),
        1 if chars.len() > 3 => {
            chars.remove(pos);
        }
        _ => {
            let old = chars[pos];
            let mut new = (b'a' + rng.range_usize(0, 26) as u8) as char;
            if new == old {
                new = if old == 'z' {
                    'a'
                } else {
                    (old as u8 + 1) as char
                };
            }
            chars[pos] = new;
        }
    }
    chars.into_iter().collect()
}

/// Email variant that normalises (trim + lowercase) back to the original:
/// changed letter case, sometimes padded with spaces.
pub(super) fn messy_email(email: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(email.len() + 4);
    let pad = rng.range_usize(0, 4);
    if pad & 1 == 1 {
        out.push_str("  ");
    }
    match rng.range_usize(0, 3) {
        // Title case after separators: "John.Smith12@Mail.com".
        0 => {
            let mut upper_next = true;
            for ch in email.chars() {
                out.push(if upper_next {
                    ch.to_ascii_uppercase()
                } else {
                    ch
                });
                upper_next = matches!(ch, '.' | '_' | '@');
            }
        }
        1 => out.push_str(&email.to_ascii_uppercase()),
        _ => {
            let mut it = email.chars();
            if let Some(c) = it.next() {
                out.push(c.to_ascii_uppercase());
            }
            out.extend(it);
        }
    }
    if pad & 2 == 2 {
        out.push(' ');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_email() {
        assert_eq!(ascii_fold("Zoë"), "zoe");
        assert_eq!(ascii_fold("O'Brien"), "obrien");
        assert_eq!(ascii_fold("Małgorzata"), "malgorzata");
        assert_eq!(ascii_fold("Wiśniewski"), "wisniewski");
        let mut r = Row::new();
        push_email(&mut r, "jose", "nunez", 0, 12, "mail.com");
        assert_eq!(r.as_bytes(), b"jose.nunez12@mail.com");
        for (name, _, _, _) in COUNTRIES {
            assert!(!name.contains(','));
        }
        // Profiles index names with u8; emails need a letter in every name.
        let v = Vocab::new();
        for list in [&v.first[0], &v.first[1], &v.last] {
            assert!(list.len() > 50 && list.len() <= 255);
        }
        for a in v.first_ascii.iter().flatten().chain(&v.last_ascii) {
            assert!(
                !a.is_empty() && a.bytes().all(|b| b.is_ascii_lowercase()),
                "{a}"
            );
        }
    }

    #[test]
    fn phones() {
        let mut r = Row::new();
        push_phone(&mut r, 5_551_234_567, 1, 0);
        r.byte(b'|');
        push_phone(&mut r, 5_551_234_567, 1, 1);
        r.byte(b'|');
        push_phone(&mut r, 5_551_234_567, 1, 2);
        assert_eq!(r.as_bytes(), b"+1 555-123-4567|(555) 123 4567|5551234567");
    }

    #[test]
    fn typos_differ_and_emails_normalise_back() {
        let mut r = Rng::new(1);
        for _ in 0..500 {
            let t = typo("Müller", &mut r);
            assert_ne!(t, "Müller");
            let e = messy_email("john.smith12@mail.com", &mut r);
            assert_ne!(e, "john.smith12@mail.com");
            assert_eq!(e.trim().to_lowercase(), "john.smith12@mail.com");
        }
    }
}
