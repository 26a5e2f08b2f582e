//! Fuzzy customer deduplication on column slices: blocking, pair scoring and
//! grouping. Pure algorithm — no I/O.
//!
//! # Matching rule
//! Fields are normalised first ([`normalize_email`], [`normalize_phone`],
//! [`normalize_name`]; `others` values get the name folding; titles such as
//! "Dr"/"Jr" are ignored in names). A value is *rare* when few rows
//! hold it: an e-mail or phone at most `max_block` rows (more is a
//! placeholder), an `others` value at most 0.1 % of the rows (at least 5, at
//! most `max_block`) — a birth date is, a city usually is not. Agreement
//! counts only on rare values; disagreement (both sides have a value
//! and they differ) always counts. A pair matches when:
//! 1. **email**: the same rare e-mail — unless the names are clearly
//!    different (similarity < 0.6) *and* an `others` column disagrees (a
//!    shared household mailbox); or
//! 2. **phone**: the same rare phone, no `others` column disagrees,
//!    and name similarity ≥ `threshold − 0.05` (or, with a name missing, a
//!    rare `others` value agrees); or
//! 3. **name**: name similarity ≥ `threshold`, a rare `others` value
//!    agrees, none disagrees, and it is not the case that both e-mails and
//!    both phones are present and differ.
//!
//! Name similarity is the best of the chosen measure on the whole names, on
//! their sorted tokens and token by token; it is 0 unless the first and last
//! tokens are each within a few typos of the other name's (either order).
//! So two "John Smith"s with different e-mail, phone and birth date never
//! match, nor do "Robert Hernández" and "Søren Hernández" born the same day.
//!
//! # Blocking
//! Only rows sharing a block key are compared. Keys: the rare e-mail,
//! the rare phone, and (first two letters of a name token, rare
//! `others` value) for every token and value — rule 3 needs such a value
//! anyway, and a one-letter typo spares the other token's key. Common
//! values get no key, so no block exceeds `max_block` rows; each block is
//! compared pairwise and each pair scored once, in the first block the two
//! rows share. The work is linear in the row count.

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
    /// Largest block compared pairwise: values held by more rows are too
    /// common to be evidence and get no block.
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
    /// Name similarity when both names are present (0 when they are clearly
    /// different, possible for an e-mail match), else 1.0.
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
        .flat_map_iter(|&(key, s, e)| scorer.block(key, &members[s..e]))
        .collect();
    found.par_sort_unstable_by_key(|m| (m.a, m.b));
    // Each pair is scored in one block only; this is a cheap safety net.
    found.dedup_by_key(|m| (m.a, m.b));
    found
}

/// A shared phone is strong evidence, so the name may be a little further
/// off than `threshold` (a typo in a short name costs more than 0.05).
const PHONE_SLACK: f64 = 0.05;

/// Below this name similarity, rows sharing an e-mail are different people
/// (when an `others` column confirms it).
const HOUSEHOLD_SIM: f64 = 0.6;

struct Scorer<'a> {
    p: &'a Prepared,
    params: &'a FuzzyParams,
    labels: &'a [String],
}

impl Scorer<'_> {
    /// Every pair of a block, scored only in the first block the two rows
    /// share, so a pair met under several keys is scored once.
    fn block(&self, key: u64, block: &[u32]) -> Vec<MatchPair> {
        let mut out = Vec::new();
        for (i, &a) in block.iter().enumerate() {
            for &b in &block[i + 1..] {
                let (a, b) = (a.min(b) as usize, a.max(b) as usize);
                // The cheap field checks first: most pairs fail them.
                if self.viable(a, b) && self.first_shared_key(a, b) == key {
                    out.extend(self.score(a, b));
                }
            }
        }
        out
    }

    /// Some `others` column where both rows hold the same rare value.
    fn rare_agreement(&self, a: usize, b: usize) -> bool {
        let p = self.p;
        let both_rare = p.rare(a) & p.rare(b);
        let (oa, ob) = (p.others(a), p.others(b));
        both_rare != 0 && (0..p.m.min(64)).any(|j| both_rare >> j & 1 == 1 && oa[j] == ob[j])
    }

    /// Smallest block key of both rows (keys are kept sorted); 0 for none.
    fn first_shared_key(&self, a: usize, b: usize) -> u64 {
        let (ka, kb) = (&self.p.keys[a], &self.p.keys[b]);
        let (mut i, mut j) = (0, 0);
        while i < ka.len() && j < kb.len() {
            match ka[i].cmp(&kb[j]) {
                Ordering::Less => i += 1,
                Ordering::Greater => j += 1,
                Ordering::Equal => return ka[i],
            }
        }
        0
    }

    /// Both rows have an e-mail and a phone, and both differ: a second
    /// account usually keeps one of them, two namesakes keep neither.
    fn contact_conflict(&self, a: usize, b: usize) -> bool {
        let p = self.p;
        let differ = |x: u64, y: u64| x != 0 && y != 0 && x != y;
        differ(p.email(a), p.email(b)) && differ(p.phone(a), p.phone(b))
    }

    /// Name similarity (see `Name::similarity`), or 0 when the outer tokens
    /// are not typo-close: a long shared surname must not carry "Robert
    /// Hernández" to "Søren Hernández".
    fn name_sim(&self, a: usize, b: usize) -> Option<f64> {
        let (x, y) = (self.p.names[a].as_ref()?, self.p.names[b].as_ref()?);
        if !x.tokens_close(y) {
            return Some(0.0);
        }
        Some(match self.params.similarity {
            Similarity::JaroWinkler => x.similarity(y, strsim::jaro_winkler),
            Similarity::Levenshtein => x.similarity(y, strsim::normalized_levenshtein),
        })
    }

    /// Whether the rows can match at all, judged without the names: some
    /// evidence agrees and, short of a shared e-mail, no `others` conflicts.
    fn viable(&self, a: usize, b: usize) -> bool {
        let p = self.p;
        let same = |x: u64, y: u64| x != 0 && x == y;
        same(p.email(a), p.email(b))
            || (!self.conflict(a, b) && (same(p.phone(a), p.phone(b)) || self.rare_agreement(a, b)))
    }

    /// Some `others` column where both rows have a value and they differ.
    fn conflict(&self, a: usize, b: usize) -> bool {
        let (oa, ob) = (self.p.others(a), self.p.others(b));
        oa.iter().zip(ob).any(|(&x, &y)| x != 0 && y != 0 && x != y)
    }

    /// The matching rule of the module docs; `a < b`.
    fn score(&self, a: usize, b: usize) -> Option<MatchPair> {
        if !self.viable(a, b) {
            return None;
        }
        let p = self.p;
        let email_eq = p.email(a) != 0 && p.email(a) == p.email(b);
        let phone_eq = p.phone(a) != 0 && p.phone(a) == p.phone(b);
        let rare_agree = self.rare_agreement(a, b);
        let conflict = self.conflict(a, b);
        let (oa, ob) = (p.others(a), p.others(b));
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
            let household = conflict && sim.is_some_and(|s| s < HOUSEHOLD_SIM);
            return (!household).then(|| pair(sim.unwrap_or(1.0), "email".into()));
        }
        match sim {
            Some(s) if phone_eq && s >= thr - PHONE_SLACK => {
                Some(pair(s, format!("phone+name {s:.2}")))
            }
            Some(s) if s >= thr && rare_agree && !self.contact_conflict(a, b) => {
                Some(pair(s, with_others(format!("name {s:.2}"))))
            }
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
