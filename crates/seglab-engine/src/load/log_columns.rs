//! Two shapes of column that transaction logs have and the number guess gets wrong: dates
//! written as 8-digit integers (CDNOW's `19970101`) and codes that are numbers except for a
//! letter prefix on a few (Online Retail's `InvoiceNo`, where `C536379` marks a cancellation).

use super::dates::When;
use super::header_names::name_says_date;
use super::text::trim_cell;
use crate::table::date_to_days;
use crate::text_column::TextColumn as RawColumn;
use chrono::NaiveDate;

/// The pattern an 8-digit date is read with.
pub const YYYYMMDD: &str = "%Y%m%d";

/// The warning for a column read as 8-digit dates.
pub fn integer_dates_warning(name: &str) -> String {
    format!(
        "column '{name}' holds 8-digit dates (YYYYMMDD); read as dates. \
         Set load.types.{name} = \"integer\" to keep them numbers"
    )
}

/// The warning for a column of codes, some with a letter prefix (`count` of them, the first
/// `example` on file line `line`).
pub fn codes_warning(name: &str, count: usize, example: &str, line: usize) -> String {
    format!(
        "column '{name}' holds codes: {count} value(s) carry a letter prefix (first '{}' on \
         line {line}); read as text, not numbers",
        trim_cell(example)
    )
}

/// One cell as an 8-digit date between 1900-01-01 and 2100-12-31.
pub fn yyyymmdd(cell: &str) -> Option<i32> {
    let t = trim_cell(cell);
    if t.len() != 8 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u32 = t.parse().ok()?;
    let (y, m, d) = (n / 10_000, n / 100 % 100, n % 100);
    if !(1900..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).map(date_to_days)
}

/// Every present cell of a column whose header says it is a date read as an 8-digit date, in
/// order; None when the header does not say so or any cell is not one.
pub fn integer_dates(name: &str, raw: &RawColumn) -> Option<Vec<When>> {
    if !name_says_date(name) {
        return None;
    }
    raw.iter()
        .flatten()
        .map(|s| yyyymmdd(s).map(When::Day))
        .collect()
}

/// A code with a letter prefix: 1 to 3 ASCII letters, then one or more digits.
fn prefixed_code(cell: &str) -> bool {
    let t = trim_cell(cell);
    let letters = t.bytes().take_while(u8::is_ascii_alphabetic).count();
    let digits = &t.as_bytes()[letters..];
    (1..=3).contains(&letters) && !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// A plain code: digits only (a number such as 536365).
fn plain_code(cell: &str) -> bool {
    let t = trim_cell(cell);
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// The count of letter-prefixed codes and the row of the first, when every present cell is
/// either digits or a letter-prefixed code, and both kinds occur.
pub fn letter_prefixed(raw: &RawColumn) -> Option<(usize, usize)> {
    let (mut prefixed, mut first, mut plain) = (0, None, false);
    for (row, cell) in raw.iter().enumerate() {
        let Some(s) = cell else { continue };
        if plain_code(s) {
            plain = true;
        } else if prefixed_code(s) {
            prefixed += 1;
            first.get_or_insert(row);
            // A thousand prefixed codes and not one plain: ids such as C000001, not a mix (and
            // a million of them need not all be looked at).
            if !plain && prefixed >= 1000 {
                return None;
            }
        } else {
            return None;
        }
    }
    Some((prefixed, first?)).filter(|_| plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(cells: &[Option<&str>]) -> RawColumn {
        cells.iter().copied().collect()
    }

    #[test]
    fn eight_digit_dates_only_under_a_date_header_and_in_range() {
        let cells = raw(&[Some("19970101"), None, Some(" 20001231 ")]);
        let day = |y, m, d| date_to_days(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(
            integer_dates("order_date", &cells),
            Some(vec![
                When::Day(day(1997, 1, 1)),
                When::Day(day(2000, 12, 31))
            ])
        );
        assert!(integer_dates("InvoiceDate", &cells).is_some());
        assert_eq!(integer_dates("amount", &cells), None);
        for bad in [
            "19970230",
            "18991231",
            "21010101",
            "1997011",
            "199701011",
            "1997-1-1",
        ] {
            let cells = raw(&[Some("19970101"), Some(bad)]);
            assert_eq!(integer_dates("date", &cells), None, "{bad}");
        }
    }

    #[test]
    fn letter_prefixed_codes_among_numbers() {
        let cells = raw(&[Some("536365"), Some("C536379"), None, Some("AB12")]);
        assert_eq!(letter_prefixed(&cells), Some((2, 1)));
        // Not codes: a longer prefix, a suffix, a decimal, only prefixed values.
        for other in ["ABCD1", "536A", "12.5", "C", "-5"] {
            let cells = raw(&[Some("536365"), Some("C1"), Some(other)]);
            assert_eq!(letter_prefixed(&cells), None, "{other}");
        }
        assert_eq!(letter_prefixed(&raw(&[Some("C1"), Some("C2")])), None);
        assert_eq!(letter_prefixed(&raw(&[Some("1"), Some("2")])), None);
        // Customer ids such as C000001: a thousand prefixed and no plain one is not a mix, even
        // when a plain code comes later.
        let ids: Vec<String> = (0..1500).map(|i| format!("C{i:06}")).collect();
        let mut cells: Vec<Option<&str>> = ids.iter().map(|s| Some(s.as_str())).collect();
        cells.push(Some("123"));
        assert_eq!(letter_prefixed(&raw(&cells)), None);
        cells.insert(0, Some("123"));
        assert_eq!(letter_prefixed(&raw(&cells)), Some((1500, 1)));
    }
}
