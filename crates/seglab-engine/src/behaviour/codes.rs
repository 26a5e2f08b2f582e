//! What the streaming summary keeps per part of a log: codes (customer ids, product codes)
//! numbered densely, and distinct keys counted per customer once all parts are in.

use super::Totals;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Codes (customer ids, product codes) → dense numbers. Codes of up to 15 bytes are kept
/// inline in the key: one probe of the table and no pointer to follow, for the lookups every
/// line makes.
#[derive(Default)]
pub(super) struct Codes {
    short: FxHashMap<u128, u32>,
    long: FxHashMap<String, u32>,
}

fn inline(id: &str) -> Option<u128> {
    let b = id.as_bytes();
    (b.len() < 16).then(|| {
        let mut key = [0u8; 16];
        key[..b.len()].copy_from_slice(b);
        key[15] = b.len() as u8;
        u128::from_le_bytes(key)
    })
}

fn outline(key: u128) -> String {
    let b = key.to_le_bytes();
    String::from_utf8_lossy(&b[..b[15] as usize]).into_owned()
}

impl Codes {
    /// The number of `code`, and whether it is new (numbers are given in order).
    pub(super) fn number(&mut self, code: &str) -> (u32, bool) {
        let next = self.len() as u32;
        let c = match inline(code) {
            Some(k) => *self.short.entry(k).or_insert(next),
            None => match self.long.get(code) {
                Some(&c) => c,
                None => *self.long.entry(code.to_string()).or_insert(next),
            },
        };
        (c, c == next)
    }

    /// The number of customer `id`, added with empty totals when new.
    pub(super) fn customer(&mut self, id: &str, totals: &mut Vec<Totals>) -> u32 {
        let (c, new) = self.number(id);
        if new {
            totals.push(Totals::default());
        }
        c
    }

    pub(super) fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    pub(super) fn into_ids(self) -> impl Iterator<Item = (String, u32)> {
        let short = self.short.into_iter().map(|(k, c)| (outline(k), c));
        short.chain(self.long)
    }
}

/// Distinct keys per customer (0..n) of (key, customer) pairs: the keys are grouped by customer
/// (a counting sort, linear), then each customer's few keys sorted.
pub(super) fn distinct_per_customer<K: Ord + Copy + Default + Send + Sync>(
    n: usize,
    pairs: &[(K, u32)],
) -> Vec<u32> {
    let mut start = vec![0usize; n + 1];
    for &(_, c) in pairs {
        start[c as usize + 1] += 1;
    }
    for c in 0..n {
        start[c + 1] += start[c];
    }
    let mut fill = start.clone();
    let mut keys = vec![K::default(); pairs.len()];
    for &(k, c) in pairs {
        keys[fill[c as usize]] = k;
        fill[c as usize] += 1;
    }
    drop(fill);
    // Blocks of customers with their keys, sorted in parallel.
    let mut counts = vec![0u32; n];
    let mut jobs: Vec<(usize, &mut [u32], &mut [K])> = Vec::new();
    let mut rest: &mut [K] = &mut keys;
    for (i, block) in counts.chunks_mut(4096).enumerate() {
        let first = i * 4096;
        let (mine, more) =
            std::mem::take(&mut rest).split_at_mut(start[first + block.len()] - start[first]);
        rest = more;
        jobs.push((first, block, mine));
    }
    jobs.into_par_iter().for_each(|(first, block, keys)| {
        let base = start[first];
        for (j, count) in block.iter_mut().enumerate() {
            let c = first + j;
            let own = &mut keys[start[c] - base..start[c + 1] - base];
            own.sort_unstable();
            *count =
                own.len().min(1) as u32 + own.windows(2).filter(|w| w[0] != w[1]).count() as u32;
        }
    });
    counts
}
