//! Date and date-time parsing for the formats analysts meet in exports, and the guess of which
//! format a column uses (with ambiguity reported rather than hidden).

use crate::table::date_to_days;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::fmt;

/// How a column's dates are written. In a recipe: "iso", "ymd", "mdy", "dmy", or a chrono
/// pattern such as "%d.%m.%Y".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DateFormat {
    /// Year first: 2024-03-01, 2024/03/01, with an optional time.
    Ymd,
    /// Month first: 3/1/2024.
    Mdy,
    /// Day first: 1/3/2024, 1-3-2024, 1.3.2024.
    Dmy,
    Pattern(String),
}

impl TryFrom<String> for DateFormat {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "iso" | "ymd" => Ok(DateFormat::Ymd),
            "mdy" | "m/d/y" => Ok(DateFormat::Mdy),
            "dmy" | "d/m/y" => Ok(DateFormat::Dmy),
            _ if s.contains('%') => Ok(DateFormat::Pattern(s)),
            _ => Err(format!(
                "unknown date format '{s}': use iso, mdy, dmy or a pattern like %d.%m.%Y"
            )),
        }
    }
}

impl From<DateFormat> for String {
    fn from(f: DateFormat) -> String {
        f.to_string()
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateFormat::Ymd => write!(f, "iso"),
            DateFormat::Mdy => write!(f, "mdy"),
            DateFormat::Dmy => write!(f, "dmy"),
            DateFormat::Pattern(p) => write!(f, "{p}"),
        }
    }
}

/// A parsed cell: a date, or a date with a time of day.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum When {
    Day(i32),
    Moment(i64),
}

/// Three numbers and an optional time, as written: "3/1/2024 13:05", "2024-03-01T13:05:00Z".
struct Parts {
    nums: [u32; 3],
    year_first: bool,
    sep: u8,
    time: Option<u32>,
}

fn split(s: &str) -> Option<Parts> {
    let s = super::text::trim_cell(s);
    let b = s.as_bytes();
    let mut nums = [0u32; 3];
    let mut lens = [0usize; 3];
    let mut i = 0;
    let mut sep = 0u8;
    for k in 0..3 {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            nums[k] = nums[k].checked_mul(10)?.checked_add((b[i] - b'0') as u32)?;
            i += 1;
        }
        lens[k] = i - start;
        if lens[k] == 0 || lens[k] > 4 {
            return None;
        }
        if k < 2 {
            let c = *b.get(i)?;
            if !matches!(c, b'-' | b'/' | b'.') || (k == 1 && c != sep) {
                return None;
            }
            sep = c;
            i += 1;
        }
    }
    let year_first = lens[0] == 4;
    if !year_first && lens[2] != 4 {
        return None;
    }
    let time = if i == b.len() {
        None
    } else {
        if !matches!(b[i], b' ' | b'T') {
            return None;
        }
        Some(parse_time(&s[i + 1..])?)
    };
    Some(Parts {
        nums,
        year_first,
        sep,
        time,
    })
}

/// "HH:MM[:SS[.fff]][Z]" → seconds of the day.
fn parse_time(s: &str) -> Option<u32> {
    let s = super::text::trim_cell(s).trim_end_matches('Z');
    let s = s.split('.').next()?;
    let mut it = s.split(':');
    let h: u32 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let sec: u32 = it.next().map_or(Some(0), |x| x.parse().ok())?;
    if it.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(h * 3600 + m * 60 + sec.min(59))
}

fn to_when(y: u32, m: u32, d: u32, time: Option<u32>) -> Option<When> {
    let date = NaiveDate::from_ymd_opt(y as i32, m, d)?;
    let days = date_to_days(date);
    Some(match time {
        None => When::Day(days),
        Some(t) => When::Moment(days as i64 * 86_400 + t as i64),
    })
}

/// Why a pattern cannot read dates (an unknown `%` directive, or no day in it), else None.
pub fn pattern_problem(format: &DateFormat) -> Option<String> {
    let DateFormat::Pattern(p) = format else {
        return None;
    };
    use chrono::format::{Item, StrftimeItems};
    if StrftimeItems::new(p).any(|i| matches!(i, Item::Error)) {
        return Some("an unknown or incomplete % directive".into());
    }
    // chrono cannot make a date without a year, and a month and day (or a day of the year).
    let has = |ds: &[&str]| ds.iter().any(|d| p.contains(d));
    let year = has(&["%Y", "%y", "%G", "%C", "%F", "%D", "%x", "%c", "%+", "%s"]);
    let day = has(&[
        "%d", "%e", "%j", "%F", "%D", "%x", "%c", "%+", "%s", "%U", "%W", "%V",
    ]);
    if !year || !day {
        return Some("it needs a year and a day, e.g. %Y and %d".into());
    }
    None
}

pub fn parse(s: &str, format: &DateFormat) -> Option<When> {
    if let DateFormat::Pattern(p) = format {
        let s = super::text::trim_cell(s);
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, p) {
            return Some(When::Moment(dt.and_utc().timestamp()));
        }
        return NaiveDate::parse_from_str(s, p)
            .ok()
            .map(|d| When::Day(date_to_days(d)));
    }
    let p = split(s)?;
    let [a, b, c] = p.nums;
    match (format, p.year_first) {
        (DateFormat::Ymd, true) => to_when(a, b, c, p.time),
        (DateFormat::Mdy, false) => to_when(c, a, b, p.time),
        (DateFormat::Dmy, false) => to_when(c, b, a, p.time),
        _ => None,
    }
}

/// The outcome of looking at a whole column of date-like text.
#[derive(Debug, PartialEq)]
pub struct DateGuess {
    pub format: DateFormat,
    /// Set when both day-first and month-first read every value.
    pub ambiguous: bool,
}

/// Which format reads every value; None when the column is not dates.
pub fn guess<'a>(values: impl Iterator<Item = &'a str>) -> Option<DateGuess> {
    guess_and_read(values).map(|(g, _)| g)
}

/// `guess`, with every value as read in the format guessed (in order): the loader keeps them
/// instead of parsing a million dates a second time.
pub fn guess_and_read<'a>(values: impl Iterator<Item = &'a str>) -> Option<(DateGuess, Vec<When>)> {
    let (mut ymd, mut mdy, mut dmy) = (true, true, true);
    let mut slash = false;
    let mut any = false;
    // The readings of the formats still possible: a year-first value reads one way (ymd), any
    // other value two ways (month first, day first); the two kinds never mix.
    let (mut first_read, mut day_first_read) = (Vec::new(), Vec::new());
    for v in values {
        let p = split(v)?;
        any = true;
        let [a, b, c] = p.nums;
        if p.year_first {
            mdy = false;
            dmy = false;
            match to_when(a, b, c, p.time) {
                Some(w) if ymd => first_read.push(w),
                _ => ymd = false,
            }
        } else {
            ymd = false;
            slash |= p.sep == b'/';
            match to_when(c, a, b, p.time) {
                Some(w) if mdy => first_read.push(w),
                _ => mdy = false,
            }
            match to_when(c, b, a, p.time) {
                Some(w) if dmy => day_first_read.push(w),
                _ => dmy = false,
            }
        }
        if !(ymd || mdy || dmy) {
            return None;
        }
    }
    if !any {
        return None;
    }
    let ambiguous = mdy && dmy;
    let format = if ymd {
        DateFormat::Ymd
    } else if ambiguous {
        // US exports write month first with slashes; dashes and dots are day-first by custom.
        if slash {
            DateFormat::Mdy
        } else {
            DateFormat::Dmy
        }
    } else if mdy {
        DateFormat::Mdy
    } else {
        DateFormat::Dmy
    };
    let read = if format == DateFormat::Dmy {
        day_first_read
    } else {
        first_read
    };
    Some((DateGuess { format, ambiguous }, read))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> When {
        When::Day(date_to_days(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
    }

    #[test]
    fn parses_each_written_form() {
        assert_eq!(parse("2024-03-01", &DateFormat::Ymd), Some(day(2024, 3, 1)));
        assert_eq!(parse("3/1/2024", &DateFormat::Mdy), Some(day(2024, 3, 1)));
        assert_eq!(parse("1/3/2024", &DateFormat::Dmy), Some(day(2024, 3, 1)));
        assert_eq!(parse("01-03-2024", &DateFormat::Dmy), Some(day(2024, 3, 1)));
        assert_eq!(parse("1.3.2024", &DateFormat::Dmy), Some(day(2024, 3, 1)));
        assert_eq!(
            parse("1970-01-02 00:01:05", &DateFormat::Ymd),
            Some(When::Moment(86_465))
        );
        assert_eq!(
            parse("1970-01-02T00:01:05.250Z", &DateFormat::Ymd),
            Some(When::Moment(86_465))
        );
        let p = DateFormat::try_from("%d %b %Y".to_string()).unwrap();
        assert_eq!(parse("01 Mar 2024", &p), Some(day(2024, 3, 1)));
        assert_eq!(parse("2024-02-30", &DateFormat::Ymd), None);
        assert_eq!(parse("hello", &DateFormat::Ymd), None);
    }

    #[test]
    fn the_guess_reads_each_value_as_parse_does() {
        for column in [
            &["2024-03-01", "1999-12-31 23:59", "2000-02-29"][..],
            &["3/1/2024", "12/31/2023"],
            &["31.1.2024", "1.2.2024 10:00"],
            &["3-1-2024", "4-2-2023"],
        ] {
            let (g, read) = guess_and_read(column.iter().copied()).unwrap();
            let want: Vec<When> = column
                .iter()
                .map(|s| parse(s, &g.format).unwrap())
                .collect();
            assert_eq!(read, want, "{column:?} as {}", g.format);
        }
    }

    #[test]
    fn guesses_the_format_and_reports_ambiguity() {
        let g = guess(["3/1/2024", "12/31/2023"].into_iter()).unwrap();
        assert_eq!((g.format, g.ambiguous), (DateFormat::Mdy, false));
        let g = guess(["3/1/2024", "31/12/2023"].into_iter()).unwrap();
        assert_eq!((g.format, g.ambiguous), (DateFormat::Dmy, false));
        let g = guess(["3/1/2024", "4/2/2023"].into_iter()).unwrap();
        assert_eq!((g.format, g.ambiguous), (DateFormat::Mdy, true));
        let g = guess(["3-1-2024", "4-2-2023"].into_iter()).unwrap();
        assert_eq!((g.format, g.ambiguous), (DateFormat::Dmy, true));
        assert!(guess(["2024-01-05", "x"].into_iter()).is_none());
        assert!(guess(["13/13/2024"].into_iter()).is_none());
        assert!(guess(["12345"].into_iter()).is_none());
    }

    #[test]
    fn invalid_patterns_are_named() {
        let bad = |p: &str| pattern_problem(&DateFormat::Pattern(p.into()));
        assert!(bad("%d.%m.%Y").is_none());
        assert!(bad("%Y-%m-%d %H:%M").is_none());
        assert!(bad("%Q-%m").unwrap().contains("directive"));
        assert!(bad("%d.%m.%").unwrap().contains("directive"));
        assert!(bad("%d.%m").unwrap().contains("year"));
        assert!(pattern_problem(&DateFormat::Dmy).is_none());
    }

    #[test]
    fn recipe_names_parse() {
        assert_eq!(DateFormat::try_from("DMY".to_string()), Ok(DateFormat::Dmy));
        assert!(DateFormat::try_from("dd/mm".to_string()).is_err());
    }
}
