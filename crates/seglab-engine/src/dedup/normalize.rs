//! Field normalisation used by the fuzzy matcher. Every function is total:
//! anything that cannot be normalised into a usable value becomes `None`.

/// Trim and lowercase an e-mail address. Returns `None` for empty input or
/// anything that is not shaped like `local@domain.tld`.
pub fn normalize_email(s: &str) -> Option<String> {
    let e = s.trim();
    let e = if e.is_ascii() {
        e.to_ascii_lowercase()
    } else {
        e.to_lowercase()
    };
    let (local, domain) = e.split_once('@')?;
    let shaped = !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !e.chars().any(char::is_whitespace);
    shaped.then_some(e)
}

/// Keep the digits only and the last ten of them, which drops a country code
/// or trunk prefix ("+44 20 …" and "020 …" agree). Fewer than seven digits is
/// not a phone number.
pub fn normalize_phone(s: &str) -> Option<String> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
    if digits.len() < 7 {
        return None;
    }
    let tail = &digits[digits.len().saturating_sub(10)..];
    Some(String::from_utf8_lossy(tail).into_owned())
}

/// Trim, lowercase, fold common Latin accents, strip punctuation and collapse
/// whitespace. Apostrophes vanish ("O'Brien" → "obrien"); other punctuation
/// separates tokens ("Smith,John" → "smith john").
pub fn normalize_name(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        // ASCII fast path: this runs on every row, often several times.
        if c.is_ascii_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c.to_ascii_lowercase());
        } else if matches!(c, '\'' | '’' | '`' | '´') || is_combining_mark(c) {
            // Dropped without separating: "O'Brien" → "obrien".
        } else if c.is_ascii() {
            space = true;
        } else {
            for l in c.to_lowercase() {
                if l.is_alphanumeric() {
                    if space && !out.is_empty() {
                        out.push(' ');
                    }
                    space = false;
                    out.push_str(fold_char(l).unwrap_or(l.encode_utf8(&mut [0; 4])));
                } else if !is_combining_mark(l) {
                    space = true;
                }
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Free-text value of an `others` column (dates, cities…): same folding as
/// names so "São Paulo" / "sao paulo" and "1980-01-02" / "1980/01/02" agree.
pub(crate) fn normalize_other(s: &str) -> Option<String> {
    normalize_name(s)
}

/// Tokens that carry no identity and would otherwise break name blocking
/// ("Dr John Smith" must share blocks with "John Smith").
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "jr", "sr", "ii", "iii", "iv",
];

/// Normalised name with titles/suffixes removed: the form that is compared
/// and blocked on. Falls back to the plain normalised name if only titles
/// remain.
pub(crate) fn match_name(s: &str) -> Option<String> {
    let n = normalize_name(s)?;
    let kept: Vec<&str> = n.split(' ').filter(|t| !TITLES.contains(t)).collect();
    if kept.is_empty() {
        Some(n)
    } else {
        Some(kept.join(" "))
    }
}

fn is_combining_mark(c: char) -> bool {
    // Decomposed input (NFD) carries accents as separate combining marks.
    ('\u{0300}'..='\u{036f}').contains(&c)
}

/// ASCII replacement for lowercase accented Latin letters; `None` keeps `c`.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' => "g",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ļ' | 'ĺ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'œ' => "oe",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ß' => "ss",
        'ť' | 'ţ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}
