//! Seeded generator for the sample e-commerce data set: messy customers,
//! transactions and web events with five planted customer types, plus a
//! `truth.csv` answer key (type, planted duplicate, planted anomaly).
//!
//! Same options → byte-identical files, whatever the thread count: all
//! randomness comes from [`Rng`](crate::engine::rng::Rng) streams keyed by
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

#[cfg(test)]
mod tests;

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;

use profiles::World;

/// Output file names, in the order reported by [`DemoSummary::files`].
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
pub fn write_demo_data(dir: &Path, opts: &DemoOptions) -> io::Result<DemoSummary> {
    if opts.customers > MAX_CUSTOMERS {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("at most {MAX_CUSTOMERS} customers are supported"),
        ));
    }
    if !(1900..=9000).contains(&opts.as_of.year()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "as_of must be between the years 1900 and 9000",
        ));
    }
    fs::create_dir_all(dir)?;
    let paths: Vec<PathBuf> = FILE_NAMES.iter().map(|f| dir.join(f)).collect();
    if !opts.force {
        // Check all first so a refusal leaves the directory untouched.
        if let Some(p) = paths.iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists (use force to overwrite)", p.display()),
            ));
        }
    }

    let world = World::build(opts.customers, opts.seed, opts.as_of.num_days_from_ce());
    let tx_plan = transactions::TxPlan::new(&world, opts.transactions);
    let web_plan = web::WebPlan::new(&world, opts.web_events);

    // customers.csv and truth.csv are written on one thread while the
    // activity files keep the others busy.
    let (people, activity) = rayon::join(
        || -> io::Result<()> {
            write_atomic(&paths[0], |w| customers::write_customers(&world, w))?;
            write_atomic(&paths[3], |w| customers::write_truth(&world, w))
        },
        || -> io::Result<()> {
            write_atomic(&paths[1], |w| {
                w.write_all(transactions::HEADER.as_bytes())?;
                write_chunks(w, tx_plan.chunks(), |c, buf| {
                    transactions::write_chunk(&world, &tx_plan, opts.seed, c, buf)
                })
            })?;
            write_atomic(&paths[2], |w| {
                w.write_all(web::HEADER.as_bytes())?;
                write_chunks(w, web_plan.chunks(), |c, buf| {
                    web::write_chunk(&world, &web_plan, opts.seed, c, buf)
                })
            })
        },
    );
    people?;
    activity?;

    Ok(DemoSummary {
        files: paths,
        customers: world.profiles.len(),
        duplicates: world.dups.len(),
        transactions: opts.transactions,
        web_events: opts.web_events,
    })
}

/// Splits `total` into integer parts proportional to `weights` by rounding
/// the running sum: parts add up to exactly `total` and each is within one
/// of its exact share. With all-zero weights the last part takes `total`.
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

/// Writes through a temporary sibling file renamed into place; on any
/// error the temporary file is removed and the target left as it was.
fn write_atomic(
    path: &Path,
    body: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        body(&mut w)?;
        w.flush()?;
        drop(w);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
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
