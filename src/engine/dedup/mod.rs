//! Fuzzy customer deduplication on column slices: blocking, pair scoring and
//! grouping. Pure algorithm — no I/O.
//!
//! # Matching rule
//! Fields are normalised first ([`normalize_email`], [`normalize_phone`],
//! [`normalize_name`]; `others` values get the name folding, titles such as
//! "Dr"/"Jr" are ignored in names). A pair of rows matches when:
//! 1. **email**: both have the same normalised e-mail — unless the names are
//!    clearly different people (similarity < 0.6) *and* an `others` column
//!    disagrees (a shared household mailbox); or
//! 2. **phone**: same normalised phone, no `others` column disagrees, and the
//!    name similarity is ≥ `threshold − 0.05` (or, when a name is missing on
//!    either side, at least one `others` column agrees); or
//! 3. **name**: name similarity ≥ `threshold`, at least one `others` column
//!    agrees and none disagrees.
//!
//! "Disagrees" means both rows have a value and the values differ. So two
//! "John Smith"s with different e-mail, phone and birth date never match.
//! E-mails or phones shared by more than `max_block` rows (placeholders such
//! as `none@example.com`) are not evidence on their own.
//!
//! # Blocking
//! Only rows sharing a block key are compared: the e-mail, the phone, and
//! name keys that survive a one-character typo in either the first or the
//! last name token (see `block::name_keys`). Blocks of at most `max_block`
//! rows are compared pairwise; larger ones are cut by each `others` value
//! (rule 3 needs one to agree) and long runs get a sorted-neighbourhood
//! window, so the cost stays linear in the row count.

mod block;
mod normalize;
#[cfg(test)]
mod tests;

pub use normalize::{normalize_email, normalize_name, normalize_phone};

use block::Prepared;
use rayon::prelude::*;
use std::cmp::Ordering;

/// String similarity used for names, both in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Similarity {
    #[default]
    JaroWinkler,
    /// Normalised: `1 − distance / max(len)`, in characters.
    Levenshtein,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FuzzyParams {
    /// Minimum name similarity for a name-based match.
    pub threshold: f64,
    pub similarity: Similarity,
    /// Blocks with more rows than this are not compared all-pairs.
    pub max_block: usize,
}

impl Default for FuzzyParams {
    fn default() -> Self {
        FuzzyParams {
            threshold: 0.90,
            similarity: Similarity::JaroWinkler,
            max_block: 200,
        }
    }
}

/// Columns to deduplicate on; every slice is indexed by row. Missing columns
/// and short slices count as empty values.
#[derive(Debug, Clone, Default)]
pub struct DedupFields<'a> {
    pub name: Option<&'a [Option<String>]>,
    pub email: Option<&'a [Option<String>]>,
    pub phone: Option<&'a [Option<String>]>,
    /// Extra columns that must not disagree when both sides have a value
    /// (e.g. birth_date, city). Used as evidence.
    pub others: Vec<&'a [Option<String>]>,
}

/// Two rows judged to be the same customer, `a < b`.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchPair {
    pub a: usize,
    pub b: usize,
    /// Name similarity when both names are present, else 1.0 (exact key).
    pub score: f64,
    /// Which evidence matched, e.g. "email", "phone+name 0.95",
    /// "name 0.93+birth_date".
    pub reason: String,
}

/// Find matching row pairs, sorted by `(a, b)`, without duplicates.
/// `others` columns are called `other1`, `other2`, … in reasons; use
/// [`find_fuzzy_matches_labeled`] to name them.
pub fn find_fuzzy_matches(fields: &DedupFields, params: &FuzzyParams) -> Vec<MatchPair> {
    find_fuzzy_matches_labeled(fields, params, &[])
}

/// Like [`find_fuzzy_matches`], with `other_labels[i]` naming `others[i]` in
/// the reasons (e.g. `["birth_date", "city"]`).
pub fn find_fuzzy_matches_labeled(
    fields: &DedupFields,
    params: &FuzzyParams,
    other_labels: &[&str],
) -> Vec<MatchPair> {
    let max_block = params.max_block.max(2);
    let prep = block::prepare(fields, max_block);
    let (members, ranges) = block::blocks(&prep);
    let labels: Vec<String> = (0..prep.m)
        .map(|j| match other_labels.get(j) {
            Some(l) => l.to_string(),
            None => format!("other{}", j + 1),
        })
        .collect();
    let scorer = Scorer {
        p: &prep,
        params,
        labels: &labels,
    };
    let mut found: Vec<MatchPair> = ranges
        .par_iter()
        .flat_map_iter(|&(key, s, e)| {
            let block = &members[s..e];
            if block::is_name_key(key) {
                scorer.name_block(key, block)
            } else {
                scorer.exact_block(key, block)
            }
        })
        .collect();
    found.par_sort_unstable_by_key(|m| (m.a, m.b));
    found.dedup_by_key(|m| (m.a, m.b));
    found
}

struct Scorer<'a> {
    p: &'a Prepared,
    params: &'a FuzzyParams,
    labels: &'a [String],
}

/// Below this size a name block is scanned pair by pair instead of being cut
/// by value (sorting would cost more than it saves).
const SCAN_BLOCK: usize = 16;

impl Scorer<'_> {
    /// Rows sharing a (rare) e-mail or phone: every pair is a candidate.
    /// E-mail/phone values held by more than `max_block` rows have no block.
    fn exact_block(&self, key: u64, block: &[u32]) -> Vec<MatchPair> {
        let mut out = Vec::new();
        for (i, &a) in block.iter().enumerate() {
            for &b in &block[i + 1..] {
                let (a, b) = (a.min(b) as usize, a.max(b) as usize);
                let rare = self.first_rare_agreement(a, b).is_some();
                if self.canonical_key(a, b, rare) == key {
                    out.extend(self.score(a, b));
                }
            }
        }
        out
    }

    /// Rows sharing a name key. Without an e-mail/phone in common (those
    /// pairs come from their own blocks) a match needs a rare `others` value
    /// in common, so only such pairs are candidates: a large block is cut by
    /// each column's value, and since a rare value has at most `max_block`
    /// rows, so has every piece. The cost stays linear however common the
    /// name.
    fn name_block(&self, key: u64, block: &[u32]) -> Vec<MatchPair> {
        let mut out = Vec::new();
        let mut visit = |a: u32, b: u32, column: Option<usize>| {
            let (a, b) = (a.min(b) as usize, a.max(b) as usize);
            let first = self.first_rare_agreement(a, b);
            // Each pair once: in its first agreeing column, in its first
            // candidate block.
            if first.is_some()
                && column.is_none_or(|j| first == Some(j))
                && self.canonical_key(a, b, true) == key
            {
                out.extend(self.score(a, b));
            }
        };
        if block.len() <= SCAN_BLOCK {
            for (i, &a) in block.iter().enumerate() {
                for &b in &block[i + 1..] {
                    visit(a, b, None);
                }
            }
            return out;
        }
        let mut order = Vec::with_capacity(block.len());
        for j in 0..self.p.m.min(64) {
            let val = |r: u32| self.p.others[r as usize * self.p.m + j];
            order.clear();
            order.extend(block.iter().copied().filter(|&r| self.p.rare[r as usize] >> j & 1 == 1));
            order.sort_unstable_by_key(|&r| (val(r), r));
            for run in order.chunk_by(|&x, &y| val(x) == val(y)) {
                for (i, &a) in run.iter().enumerate() {
                    for &b in &run[i + 1..] {
                        visit(a, b, Some(j));
                    }
                }
            }
        }
        out
    }

    /// First `others` column where both rows hold the same rare value.
    fn first_rare_agreement(&self, a: usize, b: usize) -> Option<usize> {
        let p = self.p;
        let both_rare = p.rare[a] & p.rare[b];
        if both_rare == 0 {
            return None;
        }
        let (oa, ob) = (p.others(a), p.others(b));
        (0..p.m.min(64)).find(|&j| both_rare >> j & 1 == 1 && oa[j] == ob[j])
    }

    /// The block where a pair is scored: the first key the two rows share
    /// that generates it — any e-mail/phone key, or a name key when the rows
    /// share a rare `others` value. 0 when none.
    fn canonical_key(&self, a: usize, b: usize, rare_other: bool) -> u64 {
        let (ka, kb) = (&self.p.keys[a], &self.p.keys[b]);
        let (mut i, mut j) = (0, 0);
        while i < ka.len() && j < kb.len() {
            match ka[i].cmp(&kb[j]) {
                Ordering::Less => i += 1,
                Ordering::Greater => j += 1,
                Ordering::Equal if rare_other || !block::is_name_key(ka[i]) => return ka[i],
                Ordering::Equal => {
                    i += 1;
                    j += 1;
                }
            }
        }
        0
    }

    fn name_sim(&self, a: usize, b: usize) -> Option<f64> {
        let (x, y) = (self.p.names[a].as_ref()?, self.p.names[b].as_ref()?);
        let sim = |p: &str, q: &str| match self.params.similarity {
            Similarity::JaroWinkler => strsim::jaro_winkler(p, q),
            Similarity::Levenshtein => strsim::normalized_levenshtein(p, q),
        };
        let mut s = sim(&x.full, &y.full);
        if s < 1.0 && (x.sorted.is_some() || y.sorted.is_some()) {
            s = s.max(sim(x.sorted_or_full(), y.sorted_or_full()));
        }
        Some(s)
    }

    /// The matching rule of the module docs; `a < b`.
    fn score(&self, a: usize, b: usize) -> Option<MatchPair> {
        let p = self.p;
        let email_eq = p.email[a] != 0 && p.email[a] == p.email[b];
        let phone_eq = p.phone[a] != 0 && p.phone[a] == p.phone[b];
        let rare_agree = self.first_rare_agreement(a, b).is_some();
        let (oa, ob) = (p.others(a), p.others(b));
        let conflict = oa.iter().zip(ob).any(|(&x, &y)| x != 0 && y != 0 && x != y);
        // Cheap exits before the string similarity.
        if !email_eq && (conflict || !(phone_eq || rare_agree)) {
            return None;
        }
        let sim = self.name_sim(a, b);
        let pair = |score: f64, reason: String| MatchPair {
            a,
            b,
            score,
            reason,
        };
        let with_others = |mut r: String| {
            for (j, label) in self.labels.iter().enumerate() {
                if oa[j] != 0 && oa[j] == ob[j] {
                    r.push('+');
                    r.push_str(label);
                }
            }
            r
        };
        let thr = self.params.threshold;
        if email_eq {
            let household = conflict && sim.is_some_and(|s| s < 0.6);
            return (!household).then(|| pair(sim.unwrap_or(1.0), "email".into()));
        }
        match sim {
            Some(s) if phone_eq && s >= thr - 0.05 => Some(pair(s, format!("phone+name {s:.2}"))),
            Some(s) if s >= thr && rare_agree => Some(pair(s, with_others(format!("name {s:.2}")))),
            None if phone_eq && rare_agree => Some(pair(1.0, with_others("phone".into()))),
            _ => None,
        }
    }
}

/// Union-find over the pairs: groups of two or more rows, each sorted, the
/// groups ordered by their first row. Pairs naming rows `>= n_rows` are
/// ignored.
pub fn group_matches(n_rows: usize, pairs: &[MatchPair]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n_rows).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            // Path halving keeps the trees shallow without recursion.
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for p in pairs.iter().filter(|p| p.a < n_rows && p.b < n_rows) {
        let (x, y) = (root(&mut parent, p.a), root(&mut parent, p.b));
        // The smaller root wins, so every root is its set's minimum.
        if x != y {
            parent[x.max(y)] = x.min(y);
        }
    }
    let mut by_root: Vec<Vec<usize>> = vec![Vec::new(); n_rows];
    for i in 0..n_rows {
        let r = root(&mut parent, i);
        by_root[r].push(i);
    }
    // Rows are visited in order, so each group is sorted, and groups come
    // out ordered by their root, which is their first row.
    by_root.into_iter().filter(|g| g.len() >= 2).collect()
}
