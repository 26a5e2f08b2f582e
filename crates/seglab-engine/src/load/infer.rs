//! Raw text cells → typed columns: numbers (with optional thousands separators, decimal commas
//! and currency symbols), booleans, dates, and the semantic kinds of text (id, email, category).

use super::dates::{self, DateFormat, When};
use super::log_columns;
use super::text::trim_cell;
use crate::table::{Column, ColumnData, ColumnType};
use rustc_hash::FxHashSet;

/// Cells as read from the file: a text column whose missing cells are the NA tokens.
pub use crate::text_column::TextColumn as RawColumn;

fn present(raw: &RawColumn) -> impl Iterator<Item = (usize, &str)> {
    raw.iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|s| (i, s)))
}

/// How numbers are written in this file.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberStyle {
    pub thousands: Option<char>,
    pub decimal: char,
    pub currency: bool,
}

impl Default for NumberStyle {
    fn default() -> Self {
        NumberStyle {
            thousands: None,
            decimal: '.',
            currency: false,
        }
    }
}

const CURRENCY: [char; 6] = ['$', '€', '£', '¥', '₹', '₩'];

pub fn parse_number(s: &str, style: &NumberStyle) -> Option<f64> {
    let t = trim_cell(s);
    let plain = style.thousands.is_none() && style.decimal == '.' && !style.currency;
    let v: f64 = if plain {
        match plain_decimal(t.as_bytes()) {
            Some(v) => v,
            None => t.parse().ok()?,
        }
    } else {
        let mut cleaned = String::with_capacity(t.len());
        let (body, negative) = match t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
            Some(inner) if style.currency => (inner, true),
            _ => (t, false),
        };
        for c in body.chars() {
            if Some(c) == style.thousands || (style.currency && CURRENCY.contains(&c)) {
                continue;
            }
            if style.currency && c == ' ' {
                continue;
            }
            cleaned.push(if c == style.decimal { '.' } else { c });
        }
        let v: f64 = cleaned.parse().ok()?;
        if negative {
            -v
        } else {
            v
        }
    };
    // Rust reads "inf" and "nan" as numbers; in a customer table they are not.
    v.is_finite().then_some(v)
}

/// "-12.50" and the like (at most 15 digits) read as `str::parse` reads them, faster: the digits
/// make an integer below 2^53 and a power of ten up to 10^15 is exact, so the one division
/// rounds correctly (Clinger's fast path). None: any other shape, for `str::parse`.
#[inline]
fn plain_decimal(b: &[u8]) -> Option<f64> {
    let (negative, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    let (mut mantissa, mut count, mut scale, mut dot) = (0u64, 0u32, 0i32, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + (c - b'0') as u64;
                count += 1;
                scale += i32::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    if count == 0 || count > 15 || (dot && digits.last() == Some(&b'.')) {
        return None;
    }
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let v = mantissa as f64 / POW10[scale as usize];
    Some(if negative { -v } else { v })
}

/// "007" or "02134" are codes (zip, account), not quantities.
fn has_leading_zero(s: &str) -> bool {
    let t = trim_cell(s).trim_start_matches(['-', '+']);
    t.len() > 1 && t.starts_with('0') && t.as_bytes()[1].is_ascii_digit()
}

/// 16 or more digits (a card, account or id number): beyond what f64 holds exactly (2^53 has
/// 16 digits), and never a quantity. Kept as text.
pub fn is_long_digit_string(s: &str) -> bool {
    let t = trim_cell(s);
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    digits.len() >= 16 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Integers up to 2^53 are exact in f64; ids beyond that must stay text.
const EXACT_IN_F64: f64 = 9_007_199_254_740_992.0;

pub fn parse_bool(s: &str) -> Option<bool> {
    // Compared without lower-casing into a new string: this runs on every cell of a column.
    let t = trim_cell(s);
    let is = |words: [&str; 4]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if is(["true", "yes", "y", "t"]) {
        Some(true)
    } else if is(["false", "no", "n", "f"]) {
        Some(false)
    } else {
        None
    }
}

fn looks_like_email(s: &str) -> bool {
    let t = trim_cell(s);
    if t.is_ascii() {
        ascii_email(t.as_bytes())
    } else {
        any_email(t)
    }
}

/// `looks_like_email` of any trimmed text.
fn any_email(t: &str) -> bool {
    match t.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !t.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    }
}

/// `looks_like_email` of ASCII text in one pass over its bytes (it runs on every cell of every
/// text column): one '@' with something before it, a '.' inside the domain, no whitespace
/// (`char::is_whitespace` of ASCII: space and '\t'..='\r').
fn ascii_email(b: &[u8]) -> bool {
    let mut at = None;
    let mut dot_in_domain = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'@' if at.is_some() => return false,
            b'@' => at = Some(i),
            b'.' if at.is_some() => dot_in_domain = true,
            b' ' | b'\t'..=b'\r' => return false,
            _ => {}
        }
    }
    match at {
        Some(i) => {
            i > 0 && dot_in_domain && b[i + 1..].first() != Some(&b'.') && b.last() != Some(&b'.')
        }
        None => false,
    }
}

pub use super::header_names::name_says_id;

/// What a caller asks of one column.
pub struct ColumnSpec<'a> {
    pub name: &'a str,
    pub forced: Option<ColumnType>,
    pub date_format: Option<&'a DateFormat>,
    pub style: &'a NumberStyle,
    /// File line of each row, for messages.
    pub lines: &'a [usize],
}

/// Consumes the raw cells: a text column keeps them as they are, without a copy.
pub fn build_column(raw: RawColumn, spec: &ColumnSpec) -> (Column, Vec<String>) {
    let mut warnings = Vec::new();
    let (ty, guessed) = match spec.forced {
        Some(t) => (t, Guessed::None),
        None => guess_type(&raw, spec, &mut warnings),
    };
    let data = convert(raw, ty, spec, guessed, &mut warnings);
    let ty = match (&data, ty) {
        (ColumnData::DateTime(_), ColumnType::Date) => ColumnType::DateTime,
        (ColumnData::Date(_), ColumnType::DateTime) => ColumnType::Date,
        _ => ty,
    };
    (Column::new(spec.name, ty, data), warnings)
}

/// What the guess already worked out, so that the conversion does not do it again.
enum Guessed {
    None,
    /// The format of a date column.
    Dates(DateFormat),
    /// Every present cell read as a date, in order (the format was guessed from them).
    ReadDates(Vec<When>),
    /// Every cell as a boolean.
    Booleans(Vec<Option<bool>>),
    /// Every cell as a number (all present cells parsed).
    Numbers(Vec<Option<f64>>),
}

/// The column's type, and what the guess parsed on the way (so the conversion does not parse
/// again). One pass per test, no per-cell allocation: these run on every column of
/// multi-million-row transaction logs.
fn guess_type(
    raw: &RawColumn,
    spec: &ColumnSpec,
    warnings: &mut Vec<String>,
) -> (ColumnType, Guessed) {
    let n = raw.len() - raw.null_count();
    if n == 0 {
        warnings.push(format!(
            "column '{}' has no values (all missing)",
            spec.name
        ));
        return (ColumnType::Text, Guessed::None);
    }
    // A date format asked for wins over every guess (19970101 would read as a number).
    if let Some(f) = spec.date_format {
        return (ColumnType::Date, Guessed::Dates(f.clone()));
    }
    if let Some(read) = log_columns::integer_dates(spec.name, raw) {
        warnings.push(log_columns::integer_dates_warning(spec.name));
        return (ColumnType::Date, Guessed::ReadDates(read));
    }
    if let Some(bools) = read_booleans(raw) {
        return (ColumnType::Boolean, Guessed::Booleans(bools));
    }
    // Non-numbers: how many and the first. Past 10% no warning is due, so counting stops.
    // Until the first, the numbers are kept: they are the column if every cell is one.
    let (mut bad, mut first_bad) = (0usize, None);
    let mut nums: Vec<Option<f64>> = Vec::with_capacity(raw.len());
    for (row, cell) in raw.iter().enumerate() {
        let Some(s) = cell else {
            if bad == 0 {
                nums.push(None);
            }
            continue;
        };
        let v = parse_number(s, spec.style);
        if v.is_none() || has_leading_zero(s) || is_long_digit_string(s) {
            bad += 1;
            if first_bad.is_none() {
                first_bad = Some((row, s));
                nums = Vec::new();
            }
            if bad * 10 > n {
                break;
            }
        } else if bad == 0 {
            nums.push(v);
        }
    }
    if bad == 0 {
        return (classify_parsed(spec.name, &nums), Guessed::Numbers(nums));
    }
    // Numbers with a letter prefix on some (C536379: a cancelled invoice) are codes: reading
    // them as numbers would lose the prefix.
    if let Some((count, row)) = log_columns::letter_prefixed(raw) {
        let example = raw.get(row).unwrap_or("");
        let line = spec.lines.get(row).copied().unwrap_or(0);
        warnings.push(log_columns::codes_warning(spec.name, count, example, line));
        let ty = if super::header_names::name_says_code(spec.name) {
            ColumnType::Id
        } else {
            classify_text(spec.name, raw, n)
        };
        return (ty, Guessed::None);
    }
    if bad * 10 <= n && n >= 10 {
        let (row, value) = first_bad.expect("bad > 0");
        let hint = if spec.style.thousands.is_none() && value.contains(',') {
            " (thousands separators? set load.thousands = \",\")"
        } else {
            ""
        };
        warnings.push(format!(
            "column '{}' is mostly numbers but {} value(s) are not, first '{}' on line {}{}; \
             read as text. Add the token to load.na_values or set load.types.{} = \"number\"",
            spec.name, bad, value, spec.lines[row], hint, spec.name
        ));
    }
    if let Some((g, read)) = dates::guess_and_read(present(raw).map(|(_, s)| s)) {
        if g.ambiguous {
            warnings.push(format!(
                "column '{}': dates read both day-first and month-first; read as {}. \
                 Set load.date_formats.{} = \"dmy\" or \"mdy\" to choose",
                spec.name, g.format, spec.name
            ));
        }
        return (ColumnType::Date, Guessed::ReadDates(read));
    }
    (classify_text(spec.name, raw, n), Guessed::None)
}

/// Every cell as a boolean, or None at the first present cell that is not one.
fn read_booleans(raw: &RawColumn) -> Option<Vec<Option<bool>>> {
    let mut out = Vec::new();
    for cell in raw.iter() {
        out.push(match cell {
            Some(s) => Some(parse_bool(s)?),
            None => None,
        });
    }
    Some(out)
}

pub fn classify_numbers(name: &str, nums: &[f64]) -> ColumnType {
    classify_values(name, nums.iter().copied())
}

/// `classify_numbers` of the present cells.
fn classify_parsed(name: &str, cells: &[Option<f64>]) -> ColumnType {
    classify_values(name, cells.iter().flatten().copied())
}

fn classify_values(name: &str, nums: impl Iterator<Item = f64> + Clone) -> ColumnType {
    let integral = nums.clone().all(|v| v.fract() == 0.0 && v.abs() < 9e15);
    if integral && name_says_id(name) {
        // Two different values are enough to tell; no set of all of them.
        let mut values = nums.map(f64::to_bits);
        let first = values.next();
        if values.any(|v| Some(v) != first) {
            return ColumnType::Id;
        }
    }
    if integral {
        ColumnType::Integer
    } else {
        ColumnType::Number
    }
}

fn classify_text(name: &str, raw: &RawColumn, n: usize) -> ColumnType {
    // Emails need 90% of the cells: counting stops once that cannot be reached.
    let mut others = 0;
    let mut cells = present(raw);
    let emails_possible = |others: usize| (n - others) * 10 >= n * 9;
    while emails_possible(others) {
        match cells.next() {
            Some((_, s)) if !looks_like_email(s) => others += 1,
            Some(_) => {}
            None => return ColumnType::Email,
        }
    }
    // A header that says "id" is believed even when values repeat (a foreign key such as
    // customer_id in a transactions table), unless it holds only one value.
    if name_says_id(name) {
        let mut values = present(raw).map(|(_, s)| trim_cell(s));
        let first = values.next();
        if values.any(|v| Some(v) != first) {
            return ColumnType::Id;
        }
    }
    let code_like = n >= 20
        && present(raw)
            .all(|(_, s)| s.bytes().any(|b| b.is_ascii_digit()) && !trim_cell(s).contains(' '));
    // Counting distinct values stops once the answer is known: past `many` distinct values it
    // is not a category, and a repeated value rules out codes (every value unique).
    let many = 50.max(n / 20);
    let mut distinct: FxHashSet<&str> = FxHashSet::default();
    distinct.reserve(n.min(1 << 16));
    let mut repeated = false;
    for (_, s) in present(raw) {
        repeated |= !distinct.insert(trim_cell(s));
        if distinct.len() > many && (repeated || !code_like) {
            return ColumnType::Text;
        }
    }
    let d = distinct.len();
    if code_like && d == n {
        return ColumnType::Id;
    }
    if d <= 50 || d * 20 <= n {
        ColumnType::Category
    } else {
        ColumnType::Text
    }
}

fn convert(
    raw: RawColumn,
    ty: ColumnType,
    spec: &ColumnSpec,
    guessed: Guessed,
    warnings: &mut Vec<String>,
) -> ColumnData {
    let mut failed: Vec<usize> = Vec::new();
    let n = raw.len();
    let (guessed, nums) = match guessed {
        Guessed::Dates(f) => (Some(f), None),
        Guessed::Numbers(v) => (None, Some(v)),
        Guessed::Booleans(v) if ty == ColumnType::Boolean => return ColumnData::Boolean(v),
        Guessed::ReadDates(read) if matches!(ty, ColumnType::Date | ColumnType::DateTime) => {
            let mut read = read.into_iter();
            return dates_to_column(raw.iter().map(|c| c.and_then(|_| read.next())).collect());
        }
        Guessed::Booleans(_) | Guessed::ReadDates(_) | Guessed::None => (None, None),
    };
    let data = match ty {
        ColumnType::Number | ColumnType::Integer if nums.is_some() => {
            ColumnData::Number(nums.expect("checked"))
        }
        ColumnType::Id if nums.as_ref().is_some_and(|v| whole_exact(v)) => {
            ColumnData::Number(nums.expect("checked"))
        }
        ColumnType::Number | ColumnType::Integer => ColumnData::Number(
            (0..n)
                .map(|i| {
                    let s = raw.get(i)?;
                    let v = parse_number(s, spec.style);
                    if v.is_none() {
                        failed.push(i);
                    }
                    v
                })
                .collect(),
        ),
        ColumnType::Id if numeric_id(&raw, spec.style) => ColumnData::Number(
            (0..n)
                .map(|i| raw.get(i).and_then(|s| parse_number(s, spec.style)))
                .collect(),
        ),
        ColumnType::Boolean => ColumnData::Boolean(
            (0..n)
                .map(|i| {
                    let s = raw.get(i)?;
                    let v = parse_bool(s);
                    if v.is_none() {
                        failed.push(i);
                    }
                    v
                })
                .collect(),
        ),
        ColumnType::Date | ColumnType::DateTime => {
            let format = guessed
                .or_else(|| spec.date_format.cloned())
                .unwrap_or_else(|| {
                    dates::guess(present(&raw).map(|(_, s)| s).filter(|s| {
                        [DateFormat::Ymd, DateFormat::Mdy, DateFormat::Dmy]
                            .iter()
                            .any(|f| dates::parse(s, f).is_some())
                    }))
                    .map_or(DateFormat::Ymd, |g| g.format)
                });
            let parsed: Vec<Option<When>> = (0..n)
                .map(|i| {
                    let s = raw.get(i)?;
                    let v = dates::parse(s, &format);
                    if v.is_none() {
                        failed.push(i);
                    }
                    v
                })
                .collect();
            dates_to_column(parsed)
        }
        _ => {
            return ColumnData::Text(raw);
        }
    };
    if let Some(&first) = failed.first() {
        warnings.push(format!(
            "column '{}': {} value(s) could not be read as {}, first '{}' on line {}; \
             they are treated as missing",
            spec.name,
            failed.len(),
            ty.name(),
            raw.get(first).unwrap_or(""),
            spec.lines[first]
        ));
    }
    data
}

/// Numbers that passed the guess (no leading zeros, no long digit strings) make a numeric id
/// when `numeric_id` would say so: every one whole and exact in f64.
fn whole_exact(cells: &[Option<f64>]) -> bool {
    cells
        .iter()
        .flatten()
        .all(|v| v.fract() == 0.0 && v.abs() <= EXACT_IN_F64)
}

/// An id column is kept as numbers only when every value is a whole number f64 holds exactly
/// (it then joins with ids written as "12346.0"); otherwise its text is kept as written.
fn numeric_id(raw: &RawColumn, style: &NumberStyle) -> bool {
    present(raw).all(|(_, s)| {
        !has_leading_zero(s)
            && !is_long_digit_string(s)
            && parse_number(s, style).is_some_and(|v| v.fract() == 0.0 && v.abs() <= EXACT_IN_F64)
    })
}

/// Date-only columns stay dates; as soon as one cell has a time, the column is date-times.
fn dates_to_column(parsed: Vec<Option<When>>) -> ColumnData {
    let any_time = parsed.iter().any(|w| matches!(w, Some(When::Moment(_))));
    if any_time {
        ColumnData::DateTime(
            parsed
                .into_iter()
                .map(|w| {
                    w.map(|w| match w {
                        When::Day(d) => d as i64 * 86_400,
                        When::Moment(s) => s,
                    })
                })
                .collect(),
        )
    } else {
        ColumnData::Date(
            parsed
                .into_iter()
                .map(|w| match w {
                    Some(When::Day(d)) => Some(d),
                    _ => None,
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests;
