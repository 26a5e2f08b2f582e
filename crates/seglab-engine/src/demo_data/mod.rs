//! Seeded generator for the sample e-commerce data set: messy customers,
//! transactions and web events with five planted customer types, plus a
//! `truth.csv` answer key (type, planted duplicate, planted anomaly).
//!
//! Same options → byte-identical files, whatever the thread count: all
//! randomness comes from [`Rng`](crate::rng::Rng) streams keyed by
//! seed and chunk, and chunks are written in order.
//!
//! What is planted (details and numbers in `segments.rs`/`profiles.rs`):
//! - types, drawn 25/20/20/20/15%: high_value_loyalist, bargain_hunter,
//!   new_explorer, lapsed, big_ticket_rare; separable on income, age,
//!   tenure, loyalty and on per-customer frequency, spend, basket, recency;
//! - missing cells (empty fields): income 6%, phone 7%, gender 5%, city 3%,
//!   birth_date 4%, channel 4%;
//! - ~2% near-duplicate rows (new id, shuffled in): same person with email
//!   case/whitespace changed, a one-letter name typo, 40% a different phone
//!   layout, 30% one more field blanked. They are second accounts that were
//!   never used: no transactions or web events of their own;
//! - 3–5 birth dates giving age ~140 and 3–5 incomes ×100, on customers
//!   without a duplicate (listed in truth.csv's `anomaly` column);
//! - transactions: ~1% guest rows (empty customer_id), ~2% return lines
//!   (`R` invoices, negative quantity), ~0.5% zero prices, discounts;
//! - web events: ~8% anonymous rows, sessions following a narrowing funnel.
//!
//! Activity files are written in chunks of 8192 customers, each sorted by
//! time, so a large file is a sequence of time-ordered runs; the default
//! 5000-customer set is a single fully time-ordered run.

mod customers;
mod fmt;
mod names;
mod profiles;
mod segments;
mod transactions;
mod vocab;
mod web;

use std::io::{self, Write};
use std::path::PathBuf;

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

use profiles::World;

pub use customers::{CUSTOMERS_HEADER, TRUTH_HEADER};
pub use transactions::HEADER as TRANSACTIONS_HEADER;
pub use web::HEADER as WEB_EVENTS_HEADER;

pub const FILE_NAMES: [&str; 4] = [
    "customers.csv",
    "transactions.csv",
    "web_events.csv",
    "truth.csv",
];

/// Session ids stay unique up to ~16M visitors (see `web.rs`); keep a margin.
pub const MAX_CUSTOMERS: usize = 10_000_000;

/// Customers handled by one generation chunk (and one RNG stream). Fixed so
/// output does not depend on the machine.
const CHUNK: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    /// Distinct customers; planted near-duplicates (~2%) come on top.
    pub customers: usize,
    /// Rows of transactions.csv.
    pub transactions: usize,
    /// Rows of web_events.csv.
    pub web_events: usize,
    pub seed: u64,
    /// "Today": ages, tenure and recency are measured from here.
    pub as_of: NaiveDate,
    /// Overwrite existing files instead of refusing.
    pub force: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            customers: 5000,
            transactions: 100_000,
            web_events: 100_000,
            seed: 42,
            as_of: NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date"),
            force: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub files: Vec<PathBuf>,
    /// Distinct customers (rows of customers.csv minus `duplicates`).
    pub customers: usize,
    /// Planted near-duplicate rows in customers.csv.
    pub duplicates: usize,
    pub transactions: usize,
    pub web_events: usize,
}

/// Writes customers.csv, transactions.csv, web_events.csv and truth.csv into
/// `dir` (created if missing). Refuses with `ErrorKind::AlreadyExists` if any
/// of them exists, unless `opts.force`. Each file is written to a temporary
/// file in `dir` and renamed into place, so readers never see a partial file.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DemoError {
    #[error("at most {MAX_CUSTOMERS} customers are supported")]
    TooManyCustomers,
    #[error("as_of must be between the years 1900 and 9000")]
    AsOfYear,
}

/// One of the generated files, in `FILE_NAMES` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoFile {
    Customers,
    Transactions,
    WebEvents,
    Truth,
}

impl DemoFile {
    pub const ALL: [DemoFile; 4] = [
        DemoFile::Customers,
        DemoFile::Transactions,
        DemoFile::WebEvents,
        DemoFile::Truth,
    ];

    pub fn file_name(self) -> &'static str {
        FILE_NAMES[self as usize]
    }
}

/// The planned data set: every file is a pure function of the options, written to any sink
/// (the report layer puts them in files).
pub struct DemoData {
    world: World,
    tx_plan: transactions::TxPlan,
    web_plan: web::WebPlan,
    opts: DemoOptions,
}

impl DemoData {
    pub fn plan(opts: &DemoOptions) -> Result<DemoData, DemoError> {
        if opts.customers > MAX_CUSTOMERS {
            return Err(DemoError::TooManyCustomers);
        }
        if !(1900..=9000).contains(&opts.as_of.year()) {
            return Err(DemoError::AsOfYear);
        }
        let world = World::build(opts.customers, opts.seed, opts.as_of.num_days_from_ce());
        let tx_plan = transactions::TxPlan::new(&world, opts.transactions);
        let web_plan = web::WebPlan::new(&world, opts.web_events);
        Ok(DemoData {
            world,
            tx_plan,
            web_plan,
            opts: opts.clone(),
        })
    }

    /// Writes one file's bytes; the activity files are generated in parallel chunks and
    /// written in chunk order.
    pub fn write(&self, file: DemoFile, mut w: &mut (dyn Write + Send)) -> io::Result<()> {
        let (world, seed) = (&self.world, self.opts.seed);
        let w = &mut w;
        match file {
            DemoFile::Customers => customers::write_customers(world, w),
            DemoFile::Truth => customers::write_truth(world, w),
            DemoFile::Transactions => {
                w.write_all(transactions::HEADER.as_bytes())?;
                write_chunks(w, self.tx_plan.chunks(), |c, buf| {
                    transactions::write_chunk(world, &self.tx_plan, seed, c, buf)
                })
            }
            DemoFile::WebEvents => {
                w.write_all(web::HEADER.as_bytes())?;
                write_chunks(w, self.web_plan.chunks(), |c, buf| {
                    web::write_chunk(world, &self.web_plan, seed, c, buf)
                })
            }
        }
    }

    /// What was generated, with the files it went to.
    pub fn summary(&self, files: Vec<PathBuf>) -> DemoSummary {
        DemoSummary {
            files,
            customers: self.world.profiles.len(),
            duplicates: self.world.dups.len(),
            transactions: self.opts.transactions,
            web_events: self.opts.web_events,
        }
    }
}

fn apportion(weights: impl Iterator<Item = f64> + Clone, total: usize) -> Vec<u32> {
    let sum: f64 = weights.clone().sum();
    let mut out = Vec::new();
    let (mut acc, mut prev) = (0.0f64, 0usize);
    for w in weights {
        acc += w;
        let upto = if sum > 0.0 {
            ((acc / sum * total as f64).round() as usize).min(total)
        } else {
            0
        };
        out.push((upto - prev) as u32);
        prev = upto;
    }
    // Guard against the running sum ending a hair below `sum`.
    if let Some(last) = out.last_mut() {
        *last += (total - prev) as u32;
    }
    out
}

/// Indices of `ts` in time order, ties in index order, each packed as
/// `(seconds since the earliest possible time) << 32 | index`: sorting plain
/// integers is much faster than a stable sort of the rows themselves.
fn time_order(ts: impl Iterator<Item = i64>, as_of_ce: i32) -> Vec<u64> {
    // Nothing is dated more than ~34 years (2^30 s) before `as_of`.
    let origin = (as_of_ce - fmt::UNIX_EPOCH_CE_DAYS) as i64 * 86_400 - (1 << 30);
    let mut keys: Vec<u64> = ts
        .enumerate()
        .map(|(i, t)| ((t - origin).clamp(0, u32::MAX as i64) as u64) << 32 | i as u64)
        .collect();
    keys.sort_unstable();
    keys
}

/// Generates chunks in parallel, in batches, and writes them in chunk order;
/// writing one batch overlaps with generating the next.
fn write_chunks<W, F>(out: &mut W, n_chunks: usize, gen: F) -> io::Result<()>
where
    W: Write + Send,
    F: Fn(usize, &mut Vec<u8>) + Sync,
{
    let batch = (rayon::current_num_threads() * 2).max(2);
    let mut pending: Vec<Vec<u8>> = Vec::new();
    let mut start = 0;
    while start < n_chunks || !pending.is_empty() {
        let end = (start + batch).min(n_chunks);
        let (written, next) = rayon::join(
            || pending.iter().try_for_each(|b| out.write_all(b)),
            || {
                (start..end)
                    .into_par_iter()
                    .map(|c| {
                        let mut buf = Vec::new();
                        gen(c, &mut buf);
                        buf
                    })
                    .collect::<Vec<_>>()
            },
        );
        written?;
        pending = next;
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_is_exact() {
        let parts = apportion([1.0, 2.0, 0.0, 3.5].into_iter(), 13);
        assert_eq!(parts.iter().sum::<u32>(), 13);
        assert_eq!(parts[2], 0);
        assert_eq!(apportion([0.0, 0.0].into_iter(), 3), vec![0, 3]);
    }
}
