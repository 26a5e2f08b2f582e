//! Per-row preparation and blocking keys.
//!
//! Values and block keys are 64-bit hashes; a (vanishingly rare) collision
//! only adds a candidate pair or a spurious agreement on one field.

use super::normalize::{match_name, normalize_email, normalize_other, normalize_phone};
use super::DedupFields;
use rayon::prelude::*;

/// Name as compared: the normalised form, plus its tokens sorted when that
/// differs, so "Smith John" still scores 1.0 against "John Smith".
pub(super) struct Name {
    pub full: String,
    pub sorted: Option<String>,
}

impl Name {
    pub fn sorted_or_full(&self) -> &str {
        self.sorted.as_deref().unwrap_or(&self.full)
    }
}

/// All rows, reduced to what scoring needs; hash 0 means "no usable value".
/// Flat arrays keep the hot pair checks cache-friendly.
pub(super) struct Prepared {
    pub names: Vec<Option<Name>>,
    /// E-mail/phone hashes, 0 when missing or common (not evidence).
    pub email: Vec<u64>,
    pub phone: Vec<u64>,
    /// Row-major `n × m` values of the `others` columns.
    pub others: Vec<u64>,
    /// Per row, bit `j`: `others[j]` has a rare value (agreement on it is
    /// evidence). Columns past 64 only ever count as conflicts.
    pub rare: Vec<u64>,
    pub m: usize,
    /// Per row: sorted, deduplicated block keys; see [`is_name_key`].
    pub keys: Vec<Box<[u64]>>,
}

impl Prepared {
    pub fn others(&self, row: usize) -> &[u64] {
        &self.others[row * self.m..(row + 1) * self.m]
    }
}

/// Name keys have the low bit set, e-mail/phone keys have it clear.
pub(super) fn is_name_key(k: u64) -> bool {
    k & 1 == 1
}

const TAG_EMAIL: u8 = 1;
const TAG_PHONE: u8 = 2;
const TAG_NAME: u8 = 3;
const TAG_OTHER: u8 = 4;

/// Length of the token prefix whose one-deletion variants are blocked on.
const PREFIX: usize = 4;

/// FNV-1a with a splitmix64 finaliser: deterministic across runs and
/// platforms (unlike `RandomState`) and allocation-free.
struct Hasher(u64);

impl Hasher {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    fn new(tag: u8) -> Self {
        Hasher(0xcbf2_9ce4_8422_2325 ^ u64::from(tag))
    }
    fn bytes(&mut self, b: &[u8]) {
        for &x in b {
            self.0 = (self.0 ^ u64::from(x)).wrapping_mul(Self::PRIME);
        }
    }
    /// Field separator, so ("ab", "c") and ("a", "bc") differ.
    fn sep(&mut self) {
        self.0 = (self.0 ^ 0xff).wrapping_mul(Self::PRIME);
    }
    /// Never 0 (reserved for "missing"); low bit cleared for tagging.
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((h ^ (h >> 31)) & !1).max(2)
    }
}

fn hash_value(tag: u8, v: Option<String>) -> u64 {
    v.map_or(0, |v| {
        let mut h = Hasher::new(tag);
        h.bytes(v.as_bytes());
        h.finish()
    })
}

fn cell<'a>(col: Option<&'a [Option<String>]>, i: usize) -> Option<&'a str> {
    col?.get(i)?.as_deref()
}

pub(super) fn n_rows(fields: &DedupFields) -> usize {
    [fields.name, fields.email, fields.phone]
        .into_iter()
        .flatten()
        .chain(fields.others.iter().copied())
        .map(<[_]>::len)
        .max()
        .unwrap_or(0)
}

/// Values held by more than `max_block` rows, sorted. Such values (a
/// placeholder e-mail, a capital city) say little about identity.
fn common_values(values: impl ParallelIterator<Item = u64>, max_block: usize) -> Vec<u64> {
    let mut v: Vec<u64> = values.filter(|&h| h != 0).collect();
    v.par_sort_unstable();
    v.chunk_by(|x, y| x == y)
        .filter(|run| run.len() > max_block)
        .map(|run| run[0])
        .collect()
}

pub(super) fn prepare(fields: &DedupFields, max_block: usize) -> Prepared {
    let n = n_rows(fields);
    let m = fields.others.len();
    let exact = |col, tag, norm: fn(&str) -> Option<String>| {
        let mut h: Vec<u64> = (0..n)
            .into_par_iter()
            .map(|i| hash_value(tag, cell(col, i).and_then(norm)))
            .collect();
        let common = common_values(h.par_iter().copied(), max_block);
        if !common.is_empty() {
            h.par_iter_mut()
                .filter(|h| common.binary_search(h).is_ok())
                .for_each(|h| *h = 0);
        }
        h
    };
    let email = exact(fields.email, TAG_EMAIL, normalize_email);
    let phone = exact(fields.phone, TAG_PHONE, normalize_phone);
    let others: Vec<u64> = (0..n * m)
        .into_par_iter()
        .map(|k| {
            let v = cell(Some(fields.others[k % m]), k / m).and_then(normalize_other);
            hash_value(TAG_OTHER, v)
        })
        .collect();
    let common: Vec<Vec<u64>> = (0..m.min(64))
        .map(|j| common_values(others.par_iter().skip(j).step_by(m).copied(), max_block))
        .collect();
    let rare: Vec<u64> = (0..n)
        .into_par_iter()
        .map(|i| {
            let row = &others[i * m..(i + 1) * m];
            common.iter().enumerate().fold(0, |mask, (j, c)| {
                let rare = row[j] != 0 && c.binary_search(&row[j]).is_err();
                mask | (u64::from(rare) << j)
            })
        })
        .collect();
    let (names, keys): (Vec<Option<Name>>, Vec<Box<[u64]>>) = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut keys: Vec<u64> = [email[i], phone[i]].into_iter().filter(|&k| k != 0).collect();
            let name = cell(fields.name, i).and_then(match_name).map(|full| {
                let mut tokens: Vec<&str> = full.split(' ').collect();
                name_keys(tokens[0], tokens[tokens.len() - 1], &mut keys);
                tokens.sort_unstable();
                let sorted = tokens.join(" ");
                let sorted = (sorted != full).then_some(sorted);
                Name { full, sorted }
            });
            keys.sort_unstable();
            keys.dedup();
            (name, keys.into_boxed_slice())
        })
        .unzip();
    Prepared {
        names,
        email,
        phone,
        others,
        rare,
        m,
        keys,
    }
}

/// Name keys that survive any single-character edit (substitution,
/// insertion, deletion, adjacent swap) in one of the two outer tokens:
/// (whole token X, one-deletion variant of the first `PREFIX` chars of Y),
/// for (X, Y) = (first, last) and (last, first). An edit in Y leaves X whole
/// and the two prefixes share a deletion variant; an edit in X is covered by
/// the mirrored key. Using both orders also makes swapped first/last names
/// share keys.
fn name_keys(first: &str, last: &str, keys: &mut Vec<u64>) {
    for (x, y) in [(first, last), (last, first)] {
        let prefix: Vec<char> = y.chars().take(PREFIX).collect();
        // skip == len means "no deletion": the prefix itself.
        for skip in 0..=prefix.len() {
            let mut h = Hasher::new(TAG_NAME);
            h.bytes(x.as_bytes());
            h.sep();
            for (_, c) in prefix.iter().enumerate().filter(|&(j, _)| j != skip) {
                h.bytes(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            keys.push(h.finish() | 1);
        }
    }
}

/// All (key, row) entries sorted, then cut into blocks of two or more rows:
/// `(key, start, end)` ranges into the returned row vector.
pub(super) fn blocks(p: &Prepared) -> (Vec<u32>, Vec<(u64, usize, usize)>) {
    let mut entries: Vec<(u64, u32)> = p
        .keys
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, k)| k.iter().map(move |&k| (k, i as u32)))
        .collect();
    entries.par_sort_unstable();
    let mut ranges = Vec::new();
    let mut start = 0;
    for run in entries.chunk_by(|x, y| x.0 == y.0) {
        if run.len() >= 2 {
            ranges.push((run[0].0, start, start + run.len()));
        }
        start += run.len();
    }
    let members = entries.into_par_iter().map(|(_, r)| r).collect();
    (members, ranges)
}
