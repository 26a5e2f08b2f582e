//! The summary of a transaction log read as a stream: memory grows with customers (and their
//! distinct invoices and products), never with the log's lines. The head of the file is loaded
//! as a table to resolve the roles and to choose, per role, a reader that gives exactly what
//! the loader gives on the head; anything the head cannot vouch for falls back to loading the
//! whole log (`NotStreamable`).

use super::codes::{distinct_per_customer, Codes};
use super::roles::{resolve, Roles};
use super::summarize::{purchase_key, when_of, Line, Rules, Verdict};
use super::{Behaviour, BehaviourError, BehaviourOptions, Totals};
use crate::load::dates::{self, DateFormat, When};
use crate::load::infer::{parse_number, NumberStyle};
use crate::load::log_columns::yyyymmdd;
use crate::load::stream::{self, Head, NotStreamable, StreamError};
use crate::load::{LoadError, Source};
use crate::table::Column;
use rayon::prelude::*;
use std::borrow::Cow;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Behaviour(#[from] BehaviourError),
}

/// A stream's error: a reason to read the log whole, or a real error.
fn fallback_or_error(e: StreamError) -> Result<NotStreamable, LogError> {
    match e {
        StreamError::Not(n) => Ok(n),
        StreamError::Load(e) => Err(LogError::Load(e)),
    }
}

/// The streaming summary and its warnings, or why the log must be loaded whole.
pub fn summarize_streaming(
    path: &Path,
    opts: &BehaviourOptions,
    segment_bytes: u64,
) -> Result<Result<(Behaviour, Vec<String>), NotStreamable>, LogError> {
    let head = match stream::head(path, &opts.load) {
        Ok(Ok(h)) => h,
        Ok(Err(n)) => return Ok(Err(n)),
        Err(e) => return fallback_or_error(e).map(Err),
    };
    let roles = resolve(&head.table, opts)?;
    let rules = Rules::new(&roles, opts)?;
    let readers = match Readers::for_head(&head, &roles, opts) {
        Ok(r) => r,
        Err(e) => return fallback_or_error(e).map(Err),
    };
    let segments = head.segments(segment_bytes);
    // Every total is order-free (integer sums, min/max, sorted sets), so the parts may be
    // read and merged in any order.
    let total = segments
        .par_iter()
        .try_fold(Part::default, |mut part, range| {
            part.segment = range.start;
            let counts = head.read_range(range.clone(), &readers.columns, &mut |cells| {
                part.add(&readers, &rules, cells)
            })?;
            part.short += counts.short;
            Ok::<Part, StreamError>(part)
        })
        .try_reduce(Part::default, |a, b| Ok(a.merge(b)));
    let total = match total {
        Ok(t) => t,
        Err(e) => return fallback_or_error(e).map(Err),
    };
    let mut warnings: Vec<String> = head
        .warnings
        .iter()
        .map(|w| format!("{}: {w}", path.display()))
        .collect();
    warnings.extend(total.warnings(path, &roles));
    let columns = head.table.names().iter().map(|n| n.to_string()).collect();
    let b = total.finish(roles, columns);
    Ok(Ok((b, warnings)))
}

/// How each role's cell is read, chosen on the head.
struct Readers {
    /// Field numbers wanted from each line, in the order of `Slot`.
    columns: Vec<usize>,
    slots: [Option<usize>; 7],
    id_as_number: bool,
    style: NumberStyle,
    when: WhenReader,
}

#[derive(Clone, Copy)]
enum Slot {
    Customer,
    Timestamp,
    Invoice,
    Quantity,
    UnitPrice,
    Amount,
    Product,
}

#[derive(Clone)]
enum WhenReader {
    Format(DateFormat),
    Yyyymmdd,
}

impl WhenReader {
    fn read(&self, cell: &str) -> Option<(i32, i64)> {
        let w = match self {
            WhenReader::Format(f) => dates::parse(cell, f)?,
            WhenReader::Yyyymmdd => When::Day(yyyymmdd(cell)?),
        };
        Some(match w {
            When::Day(d) => (d, d as i64 * 86_400),
            When::Moment(s) => (s.div_euclid(86_400) as i32, s),
        })
    }
}

impl Readers {
    fn for_head(
        head: &Head,
        roles: &Roles,
        opts: &BehaviourOptions,
    ) -> Result<Readers, StreamError> {
        let names = head.table.names();
        let mut columns = Vec::new();
        let mut slots = [None; 7];
        for (slot, role) in [
            (Slot::Customer, Some(&roles.customer)),
            (Slot::Timestamp, Some(&roles.timestamp)),
            (Slot::Invoice, roles.invoice.as_ref()),
            (Slot::Quantity, roles.quantity.as_ref()),
            (Slot::UnitPrice, roles.unit_price.as_ref()),
            (Slot::Amount, roles.amount.as_ref()),
            (Slot::Product, roles.product.as_ref()),
        ] {
            if let Some(name) = role {
                let field = names.iter().position(|n| n == name).expect("resolved");
                slots[slot as usize] = Some(columns.len());
                columns.push(field);
            }
        }
        let load = &opts.load;
        let style = NumberStyle {
            thousands: load.thousands,
            decimal: load.decimal,
            currency: load.currency,
        };
        let mut cells: Vec<Vec<Option<String>>> = Vec::new();
        head.head_records(&columns, &mut |c| {
            cells.push(c.iter().map(|s| s.map(str::to_string)).collect())
        })?;
        let column = |name: &String| head.table.column(name).expect("resolved");
        let slot_cells = |slot: Slot| -> Vec<Option<&str>> {
            let i = slots[slot as usize].expect("role present");
            cells.iter().map(|row| row[i].as_deref()).collect()
        };
        let mismatch = || StreamError::Not(NotStreamable::HeadMismatch);
        // Codes (customer, invoice, product) as written, trimmed; a customer column the loader
        // typed as numbers is keyed as it displays them ("17850" for "17850.0").
        let text_agrees = |col: &Column, raw: &[Option<&str>], number: bool| {
            raw.iter().enumerate().all(|(r, cell)| {
                let mine = cell.and_then(|c| id_key(c, number, &style));
                let theirs = col.data.text_at(r);
                mine.as_deref().map(str::trim).filter(|s| !s.is_empty())
                    == theirs.as_deref().map(str::trim).filter(|s| !s.is_empty())
            })
        };
        let customer = column(&roles.customer);
        let id_as_number = if text_agrees(customer, &slot_cells(Slot::Customer), false) {
            false
        } else if text_agrees(customer, &slot_cells(Slot::Customer), true) {
            true
        } else {
            return Err(mismatch());
        };
        for (slot, name) in [
            (Slot::Invoice, &roles.invoice),
            (Slot::Product, &roles.product),
        ] {
            if let Some(n) = name {
                if !text_agrees(column(n), &slot_cells(slot), false) {
                    return Err(mismatch());
                }
            }
        }
        for (slot, name) in [
            (Slot::Quantity, &roles.quantity),
            (Slot::UnitPrice, &roles.unit_price),
            (Slot::Amount, &roles.amount),
        ] {
            let Some(n) = name else { continue };
            let Some(theirs) = column(n).data.as_numbers() else {
                return Err(mismatch());
            };
            let raw = slot_cells(slot);
            if raw
                .iter()
                .zip(theirs)
                .any(|(c, t)| c.and_then(|c| parse_number(c, &style)) != *t)
            {
                return Err(mismatch());
            }
        }
        let ts = column(&roles.timestamp);
        let Ok(theirs) = when_of(ts) else {
            return Err(mismatch());
        };
        let raw = slot_cells(Slot::Timestamp);
        let candidates: Vec<WhenReader> = match load.date_formats.get(&roles.timestamp) {
            Some(f) => vec![WhenReader::Format(f.clone())],
            None => vec![
                WhenReader::Format(DateFormat::Ymd),
                WhenReader::Format(DateFormat::Mdy),
                WhenReader::Format(DateFormat::Dmy),
                WhenReader::Yyyymmdd,
            ],
        };
        let when = candidates
            .into_iter()
            .find(|reader| {
                raw.iter()
                    .enumerate()
                    .all(|(r, c)| c.and_then(|c| reader.read(c)) == theirs(r))
            })
            .ok_or_else(mismatch)?;
        Ok(Readers {
            columns,
            slots,
            id_as_number,
            style,
            when,
        })
    }

    fn cell<'a>(&self, cells: &[Option<&'a str>], slot: Slot) -> Option<&'a str> {
        cells[self.slots[slot as usize]?]
    }
}

/// A customer id as the loader keys it: the text, or a number's display.
fn id_key<'a>(cell: &'a str, number: bool, style: &NumberStyle) -> Option<Cow<'a, str>> {
    if !number {
        return Some(Cow::Borrowed(cell));
    }
    let x = parse_number(cell, style)?;
    Some(Cow::Owned(if x.fract() == 0.0 && x.abs() < 1e15 {
        (x as i64).to_string()
    } else {
        x.to_string()
    }))
}

/// Totals of one segment (or, merged, of the whole log).
#[derive(Default)]
struct Part {
    index: Codes,
    totals: Vec<Totals>,
    /// (purchase key hash, customer): distinct per customer once sorted. A 64-bit hash: two of
    /// one customer's invoices would have to hash alike to be counted once.
    purchases: Vec<(u64, u32)>,
    last_purchase: Option<(u64, u32)>,
    /// The previous line's customer and number.
    last_customer: Option<(String, u32)>,
    /// (customer, product number).
    products: Vec<(u32, u32)>,
    product_index: Codes,
    hygiene: super::Hygiene,
    last_day: Option<i32>,
    short: usize,
    /// Start of the segment being read, to keep the earliest example of a bad cell.
    segment: u64,
    /// Cells present but unreadable: count, and the first example (by segment).
    bad_numbers: (usize, Option<(u64, String)>),
    bad_dates: (usize, Option<(u64, String)>),
}

impl Part {
    fn add(&mut self, readers: &Readers, rules: &Rules, cells: &[Option<&str>]) {
        self.hygiene.rows_read += 1;
        let id_cell = readers.cell(cells, Slot::Customer);
        let id = id_cell.and_then(|c| id_key(c, readers.id_as_number, &readers.style));
        let segment = self.segment;
        let number = |slot: Slot, bad: &mut (usize, Option<(u64, String)>)| {
            let c = readers.cell(cells, slot)?;
            let x = parse_number(c, &readers.style);
            if x.is_none() {
                bad.0 += 1;
                bad.1.get_or_insert_with(|| (segment, c.to_string()));
            }
            x
        };
        let quantity = number(Slot::Quantity, &mut self.bad_numbers);
        let unit_price = number(Slot::UnitPrice, &mut self.bad_numbers);
        let amount = number(Slot::Amount, &mut self.bad_numbers);
        let when = readers.cell(cells, Slot::Timestamp).and_then(|c| {
            let w = readers.when.read(c);
            if w.is_none() {
                self.bad_dates.0 += 1;
                self.bad_dates
                    .1
                    .get_or_insert_with(|| (segment, c.to_string()));
            }
            w
        });
        let invoice = readers.cell(cells, Slot::Invoice);
        let product = readers.cell(cells, Slot::Product);
        let line = Line {
            id: id.as_deref(),
            quantity,
            unit_price,
            amount,
            when,
            product,
            invoice,
        };
        let verdict = rules.judge(&line, &mut self.hygiene);
        let (Verdict::Refund { id, .. } | Verdict::Purchase { id, .. }) = verdict else {
            return;
        };
        // The lines of one invoice follow each other: the same customer as the line before.
        let c = match &self.last_customer {
            Some((last, c)) if last == id => *c,
            _ => {
                let c = self.index.customer(id, &mut self.totals);
                let last = self.last_customer.get_or_insert_with(|| (String::new(), c));
                last.0.clear();
                last.0.push_str(id);
                last.1 = c;
                c
            }
        };
        let t = &mut self.totals[c as usize];
        match verdict {
            Verdict::Refund { amount, .. } => t.refund(amount),
            Verdict::Purchase {
                value, day, moment, ..
            } => {
                t.buy(value, day);
                self.last_day = self.last_day.max(Some(day));
                let key = purchase_key(invoice, moment);
                // Lines of one invoice usually follow each other: one entry for them.
                if self.last_purchase != Some((key, c)) {
                    self.purchases.push((key, c));
                    self.last_purchase = Some((key, c));
                }
                if let Some(code) = product {
                    let (p, _) = self.product_index.number(code.trim());
                    self.products.push((c, p));
                }
            }
            Verdict::Excluded => {}
        }
    }

    /// The two parts as one (the larger takes in the smaller: fewer lookups).
    fn merge(self, other: Part) -> Part {
        let (mut big, small) = if self.index.len() >= other.index.len() {
            (self, other)
        } else {
            (other, self)
        };
        big.absorb(small);
        big
    }

    fn absorb(&mut self, mut other: Part) {
        // The memory of the previous line belongs to a reading, not to merged parts.
        self.last_customer = None;
        self.last_purchase = None;
        let mut customers = vec![0u32; other.totals.len()];
        let index = std::mem::take(&mut other.index);
        for (id, c) in index.into_ids() {
            let mine = self.index.customer(&id, &mut self.totals);
            self.totals[mine as usize].absorb(&other.totals[c as usize]);
            customers[c as usize] = mine;
        }
        let mut products = vec![0u32; other.product_index.len()];
        let codes = std::mem::take(&mut other.product_index);
        for (code, p) in codes.into_ids() {
            products[p as usize] = self.product_index.number(&code).0;
        }
        self.purchases.extend(
            other
                .purchases
                .iter()
                .map(|&(k, c)| (k, customers[c as usize])),
        );
        self.products.extend(
            other
                .products
                .iter()
                .map(|&(c, p)| (customers[c as usize], products[p as usize])),
        );
        self.hygiene.absorb(other.hygiene);
        self.last_day = self.last_day.max(other.last_day);
        self.short += other.short;
        for (mine, theirs) in [
            (&mut self.bad_numbers, other.bad_numbers),
            (&mut self.bad_dates, other.bad_dates),
        ] {
            mine.0 += theirs.0;
            // The example from the earliest segment, whatever the order of merging.
            mine.1 = match (mine.1.take(), theirs.1) {
                (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
                (a, b) => a.or(b),
            };
        }
    }

    fn warnings(&self, path: &Path, roles: &Roles) -> Vec<String> {
        let mut out = Vec::new();
        let p = path.display();
        if self.short > 0 {
            out.push(format!(
                "{p}: {} line(s) have fewer cells than the header; their missing cells are empty",
                self.short
            ));
        }
        if let (n @ 1.., Some((_, example))) = &self.bad_numbers {
            out.push(format!(
                "{p}: {n} quantity/price/amount cell(s) are not numbers (first: '{example}'); \
                 their lines are excluded as unreadable"
            ));
        }
        if let (n @ 1.., Some((_, example))) = &self.bad_dates {
            out.push(format!(
                "{p}: {n} {} cell(s) are not dates in the format of the first lines (first: \
                 '{example}'); their lines are excluded as unreadable",
                roles.timestamp
            ));
        }
        out
    }

    fn finish(mut self, roles: Roles, columns: Vec<String>) -> Behaviour {
        let n = self.totals.len();
        let purchases = std::mem::take(&mut self.purchases);
        let products = std::mem::take(&mut self.products);
        let with_products = roles.product.is_some();
        // Two counts, each partly one core's work: side by side.
        let (bought, distinct) = rayon::join(
            || distinct_per_customer(n, &purchases),
            || {
                with_products.then(|| {
                    let pairs: Vec<(u32, u32)> = products.iter().map(|&(c, p)| (p, c)).collect();
                    distinct_per_customer(n, &pairs)
                })
            },
        );
        drop((purchases, products));
        for (t, k) in self.totals.iter_mut().zip(bought) {
            t.purchases = k;
        }
        for (t, k) in self.totals.iter_mut().zip(distinct.into_iter().flatten()) {
            t.products = Some(k);
        }
        self.hygiene.settle();
        let totals = self.totals;
        let per_customer = self
            .index
            .into_ids()
            .map(|(id, c)| (id, totals[c as usize]))
            .collect();
        Behaviour {
            per_customer,
            hygiene: self.hygiene,
            last_day: self.last_day,
            roles,
            columns,
        }
    }
}

/// Which reading of the log `summarize_log` used; tests compare the two.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogReading {
    /// Streaming when the log is large and plain enough, else whole.
    Auto,
    Whole,
    /// Streaming in segments of this many bytes (whole when not streamable).
    Streaming {
        segment_bytes: u64,
    },
}

/// Logs smaller than this are loaded whole: the table reader is fast enough and keeps every
/// message of the loader (ragged lines, types) exactly.
const STREAM_FROM_BYTES: u64 = 64 << 20;

/// The behaviour summary of a log, with the loader's warnings (prefixed with its name). A file
/// is streamed when `reading` says so (`Auto`: when it is large) and it is streamable.
pub fn summarize_log(
    source: Source,
    opts: &BehaviourOptions,
    reading: LogReading,
) -> Result<(Behaviour, Vec<String>), LogError> {
    if let Source::Path(path) = &source {
        let large =
            std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() >= STREAM_FROM_BYTES);
        let segments = match reading {
            LogReading::Auto if large => Some(stream::SEGMENT_BYTES),
            LogReading::Streaming { segment_bytes } => Some(segment_bytes),
            _ => None,
        };
        if let Some(size) = segments {
            if let Ok(done) = summarize_streaming(path, opts, size)? {
                return Ok(done);
            }
        }
    }
    let t = crate::load::load_source(source, &opts.load)?;
    let warnings = t
        .warnings
        .iter()
        .map(|w| format!("{}: {w}", t.path.display()))
        .collect();
    let b = super::summarize(&t.table, opts)?;
    Ok((b, warnings))
}
