//! Allocation-free CSV row assembly.
//!
//! Tens of millions of rows are written, so each row is built in a stack
//! buffer and appended to the output with a single copy. Numbers and dates
//! are formatted by hand, and short labels are copied as fixed 16-byte
//! blocks, which compiles to plain moves instead of `memcpy` calls.

use chrono::{Datelike, NaiveDate};

/// Days from 0001-01-01 (CE day 1) to 1970-01-01, matching chrono's
/// `num_days_from_ce` numbering.
pub(super) const UNIX_EPOCH_CE_DAYS: i32 = 719_163;

/// Longest row is well under 200 bytes; the slack lets a 16-byte label
/// block be written near the end.
const ROW_CAP: usize = 320;

/// A short text (≤ 16 bytes) stored zero-padded for fixed-size copies.
#[derive(Clone, Copy)]
pub(super) struct Label([u8; 16], u8);

impl Label {
    pub(super) const fn new(s: &str) -> Label {
        let b = s.as_bytes();
        assert!(b.len() <= 16, "label longer than 16 bytes");
        let mut out = [0u8; 16];
        let mut i = 0;
        while i < b.len() {
            out[i] = b[i];
            i += 1;
        }
        Label(out, b.len() as u8)
    }
}

pub(super) struct Row {
    b: [u8; ROW_CAP],
    n: usize,
}

impl Row {
    pub(super) fn new() -> Row {
        Row {
            b: [0; ROW_CAP],
            n: 0,
        }
    }

    pub(super) fn clear(&mut self) {
        self.n = 0;
    }

    pub(super) fn len(&self) -> usize {
        self.n
    }

    /// Drops everything after the first `len` bytes (reuses a row prefix).
    pub(super) fn truncate(&mut self, len: usize) {
        self.n = self.n.min(len);
    }

    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.b[..self.n]
    }

    /// Appends the row to `buf`.
    pub(super) fn flush_to(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.b[..self.n]);
    }

    #[inline]
    pub(super) fn byte(&mut self, c: u8) {
        self.b[self.n] = c;
        self.n += 1;
    }

    #[inline]
    pub(super) fn label(&mut self, l: &Label) {
        self.b[self.n..self.n + 16].copy_from_slice(&l.0);
        self.n += l.1 as usize;
    }

    /// Variable-length text (names, emails); not on the hottest paths.
    pub(super) fn text(&mut self, s: &str) {
        self.b[self.n..self.n + s.len()].copy_from_slice(s.as_bytes());
        self.n += s.len();
    }

    /// Decimal, zero-padded to at least `width` digits (never cut).
    #[inline]
    pub(super) fn num(&mut self, mut v: u64, width: usize) {
        let mut len = 1;
        let mut x = v;
        while x >= 10 {
            x /= 10;
            len += 1;
        }
        let len = len.max(width);
        let end = self.n + len;
        for i in (self.n..end).rev() {
            self.b[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        self.n = end;
    }

    /// Money in cents as `[-]units.cc`.
    pub(super) fn cents(&mut self, cents: i64) {
        if cents < 0 {
            self.byte(b'-');
        }
        let c = cents.unsigned_abs();
        self.num(c / 100, 1);
        self.byte(b'.');
        self.num(c % 100, 2);
    }

    #[inline]
    fn two(&mut self, v: u32) {
        self.b[self.n] = b'0' + (v / 10) as u8;
        self.b[self.n + 1] = b'0' + (v % 10) as u8;
        self.n += 2;
    }

    /// ISO `YYYY-MM-DD` for a chrono CE day number.
    pub(super) fn date_ce(&mut self, ce_days: i32) {
        let d = NaiveDate::from_num_days_from_ce_opt(ce_days).expect("date in range");
        self.num(d.year().max(0) as u64, 4);
        self.byte(b'-');
        self.two(d.month());
        self.byte(b'-');
        self.two(d.day());
    }

    /// `YYYY-MM-DD HH:MM:SS` for seconds since the Unix epoch; the date part
    /// comes from `cache` because rows sorted by time mostly share a day.
    #[inline]
    pub(super) fn datetime(&mut self, cache: &mut DayCache, unix_secs: i64) {
        let day = unix_secs.div_euclid(86_400);
        if day != cache.day {
            let mut r = Row::new();
            r.date_ce(day as i32 + UNIX_EPOCH_CE_DAYS);
            cache.date.copy_from_slice(&r.b[..10]);
            cache.day = day;
        }
        self.b[self.n..self.n + 10].copy_from_slice(&cache.date);
        self.n += 10;
        let s = unix_secs.rem_euclid(86_400) as u32;
        self.byte(b' ');
        self.two(s / 3600);
        self.byte(b':');
        self.two(s / 60 % 60);
        self.byte(b':');
        self.two(s % 60);
    }

    /// Fixed-width lowercase base-36 token (session ids).
    pub(super) fn base36(&mut self, mut v: u64, width: usize) {
        const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let end = self.n + width;
        for i in (self.n..end).rev() {
            self.b[i] = DIGITS[(v % 36) as usize];
            v /= 36;
        }
        self.n = end;
    }
}

/// The last formatted day, reused across consecutive rows.
pub(super) struct DayCache {
    day: i64,
    date: [u8; 10],
}

impl DayCache {
    pub(super) fn new() -> Self {
        DayCache {
            day: i64::MIN,
            date: [0; 10],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Row)) -> String {
        let mut r = Row::new();
        f(&mut r);
        String::from_utf8(r.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn numbers_and_labels() {
        assert_eq!(s(|r| r.num(0, 1)), "0");
        assert_eq!(s(|r| r.num(1234567, 1)), "1234567");
        assert_eq!(s(|r| r.num(42, 6)), "000042");
        assert_eq!(s(|r| r.num(1234567, 6)), "1234567");
        assert_eq!(s(|r| r.cents(1999)), "19.99");
        assert_eq!(s(|r| r.cents(-5)), "-0.05");
        assert_eq!(s(|r| r.cents(0)), "0.00");
        assert_eq!(s(|r| r.base36(35, 3)), "00z");
        assert_eq!(
            s(|r| {
                r.label(&Label::new("electronics"));
                r.byte(b',');
                r.label(&Label::new(""));
                r.text("Zoë");
            }),
            "electronics,Zoë"
        );
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        assert_eq!(s(|r| r.date_ce(d.num_days_from_ce())), "2026-01-01");
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(epoch.num_days_from_ce(), UNIX_EPOCH_CE_DAYS);
        let mut c = DayCache::new();
        assert_eq!(
            s(|r| r.datetime(&mut c, 86_400 + 3661)),
            "1970-01-02 01:01:01"
        );
        assert_eq!(s(|r| r.datetime(&mut c, 86_399)), "1970-01-01 23:59:59");
    }
}
