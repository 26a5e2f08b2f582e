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

    fn outer(&self) -> (&str, &str) {
        let first = self.full.split(' ').next().unwrap_or("");
        let last = self.full.rsplit(' ').next().unwrap_or("");
        (first, last)
    }

    /// First and last tokens pairwise within a few typos of each other
    /// (either order, for swapped names), or — when a typo split or merged
    /// tokens — the names without spaces. Middle tokens are not compared.
    pub fn tokens_close(&self, other: &Name) -> bool {
        let close = |x: &str, y: &str| {
            let (lx, ly) = (x.chars().count(), y.chars().count());
            let allowed = 1 + lx.max(ly) / 6;
            // The distance is at least the length difference: skip the DP.
            x == y || (lx.abs_diff(ly) <= allowed && strsim::osa_distance(x, y) <= allowed)
        };
        let ((f1, l1), (f2, l2)) = (self.outer(), other.outer());
        let merged = || self.full.matches(' ').count() != other.full.matches(' ').count();
        (close(f1, f2) && close(l1, l2))
            || (close(f1, l2) && close(l1, f2))
            || (merged() && close(&self.full.replace(' ', ""), &other.full.replace(' ', "")))
    }

    /// Best of: whole names, sorted tokens, and (with equal token counts)
    /// the length-weighted mean of token-by-token similarities. The last
    /// keeps one typo from costing more than its share: Jaro counts a
    /// repeated letter as a transposition ("mary rennaro" / "maqy rennaro"
    /// is only 0.88 as a whole).
    pub fn similarity(&self, other: &Name, sim: impl Fn(&str, &str) -> f64) -> f64 {
        let mut s = sim(&self.full, &other.full);
        if s < 1.0 && (self.sorted.is_some() || other.sorted.is_some()) {
            s = s.max(sim(self.sorted_or_full(), other.sorted_or_full()));
        }
        let (ta, tb) = (self.full.split(' '), other.full.split(' '));
        if s < 1.0 && ta.clone().count() == tb.clone().count() {
            let (mut num, mut den) = (0.0, 0.0);
            for (x, y) in ta.zip(tb) {
                let w = x.chars().count().max(y.chars().count()) as f64;
                num += w * sim(x, y);
                den += w;
            }
            s = s.max(num / den);
        }
        s
    }
}

/// All rows, reduced to what scoring needs; hash 0 means "no usable value".
pub(super) struct Prepared {
    pub names: Vec<Option<Name>>,
    /// Per row, contiguous so a pair check touches few cache lines: e-mail
    /// hash, phone hash (both 0 when missing or common: not evidence), the
    /// rare mask (bit `j`: `others[j]` holds a rare value; columns past 64
    /// only ever count as conflicts), then the `m` `others` hashes.
    cells: Vec<u64>,
    pub m: usize,
    /// Per row: sorted, deduplicated block keys (e-mail, phone, name keys).
    pub keys: Vec<Box<[u64]>>,
}

impl Prepared {
    fn row(&self, r: usize) -> &[u64] {
        let w = 3 + self.m;
        &self.cells[r * w..(r + 1) * w]
    }
    pub fn email(&self, r: usize) -> u64 {
        self.row(r)[0]
    }
    pub fn phone(&self, r: usize) -> u64 {
        self.row(r)[1]
    }
    pub fn rare(&self, r: usize) -> u64 {
        self.row(r)[2]
    }
    pub fn others(&self, r: usize) -> &[u64] {
        &self.row(r)[3..]
    }
}

const TAG_EMAIL: u8 = 1;
const TAG_PHONE: u8 = 2;
const TAG_NAME: u8 = 3;
const TAG_OTHER: u8 = 4;

/// Characters of each name token used in its block key.
const PREFIX: usize = 2;

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
    /// Never 0, which stands for "missing".
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (h ^ (h >> 31)).max(1)
    }
}

fn hash_value(tag: u8, v: Option<String>) -> u64 {
    v.map_or(0, |v| {
        let mut h = Hasher::new(tag);
        h.bytes(v.as_bytes());
        h.finish()
    })
}

fn cell(col: Option<&[Option<String>]>, i: usize) -> Option<&str> {
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

/// Values held by more than `limit` rows, sorted. Such values (a
/// placeholder e-mail, a capital city) say little about identity.
fn common_values(values: impl ParallelIterator<Item = u64>, limit: usize) -> Vec<u64> {
    let mut v: Vec<u64> = values.filter(|&h| h != 0).collect();
    v.par_sort_unstable();
    v.chunk_by(|x, y| x == y)
        .filter(|run| run.len() > limit)
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
    // A city held by 2 % of the rows is no evidence of identity, a birth
    // date held by 0.005 % is: only values shared by at most 0.1 % of the
    // rows (at least 5, at most `max_block`) count as agreement.
    let distinct_limit = (n / 1000).max(5).min(max_block);
    let common: Vec<Vec<u64>> = (0..m.min(64))
        .map(|j| {
            common_values(
                others.par_iter().skip(j).step_by(m).copied(),
                distinct_limit,
            )
        })
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
            let mut keys: Vec<u64> = [email[i], phone[i]]
                .into_iter()
                .filter(|&k| k != 0)
                .collect();
            let name = cell(fields.name, i).and_then(match_name).map(|full| {
                if rare[i] != 0 {
                    name_keys(&full, rare[i], &others[i * m..(i + 1) * m], &mut keys);
                }
                let mut tokens: Vec<&str> = full.split(' ').collect();
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
    let cells = (0..n)
        .into_par_iter()
        .flat_map_iter(|i| {
            let head = [email[i], phone[i], rare[i]];
            head.into_iter()
                .chain(others[i * m..(i + 1) * m].iter().copied())
        })
        .collect();
    Prepared {
        names,
        cells,
        m,
        keys,
    }
}

/// Name keys. Without a shared e-mail or phone (those have their own
/// keys) a pair needs a shared rare `others` value to match at all, so name
/// keys exist only combined with each of the row's rare values: (first
/// `PREFIX` chars of a name token, rare value). A one-character typo changes
/// at most one token, and the other token's key still meets; swapped or
/// missing tokens meet too. Blocks stay within the rare-value limit however
/// common the name.
fn name_keys(name: &str, rare: u64, row: &[u64], keys: &mut Vec<u64>) {
    let mut prefixes: Vec<&str> = name
        .split(' ')
        .map(|t| t.char_indices().nth(PREFIX).map_or(t, |(end, _)| &t[..end]))
        .collect();
    prefixes.sort_unstable();
    prefixes.dedup();
    for p in prefixes {
        let rare_values = row.iter().enumerate().take(64);
        for (j, v) in rare_values.filter(|&(j, _)| rare >> j & 1 == 1) {
            let mut h = Hasher::new(TAG_NAME);
            h.bytes(p.as_bytes());
            h.sep();
            h.bytes(&[j as u8]);
            h.bytes(&v.to_le_bytes());
            keys.push(h.finish());
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
