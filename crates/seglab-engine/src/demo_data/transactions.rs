//! transactions.csv: invoice lines whose frequency, basket, price level,
//! categories and recency follow each customer's planted type.
//!
//! Work is split into fixed chunks of customers, each with its own RNG
//! stream, so output does not depend on the number of threads. Invoice ids
//! are planned up front (per-customer invoice counts), which lets every
//! chunk number its invoices without waiting for the others.

use super::customers::push_customer_id;
use super::fmt::{DayCache, Row, UNIX_EPOCH_CE_DAYS};
use super::names::CHANNELS;
use super::profiles::World;
use super::segments::{
    cumulative, draw_rank, pick, segment_cat_cums, sku_code, sku_price_cents, ANON_CAT_W,
    CATEGORIES, CATEGORY_LABELS, N_CAT,
};
use super::{apportion, time_order, CHUNK};
use crate::rng::Rng;

pub const HEADER: &str =
    "invoice_id,customer_id,timestamp,sku,category,quantity,unit_price,channel\n";

/// Share of rows from guest checkouts (empty customer_id).
const ANON_SHARE: f64 = 0.01;
/// Chance that a later invoice returns items of an earlier one.
const RETURN_P: f64 = 0.025;
const ZERO_PRICE_P: f64 = 0.005;
/// The log covers the three years before `as_of`.
const HISTORY_DAYS: i32 = 1095;

pub(super) struct TxPlan {
    lines: Vec<u32>,
    invoices: Vec<u32>,
    chunk_anon: Vec<u32>,
    /// Number of invoices before each chunk (ids are 1-based).
    chunk_base: Vec<u64>,
}

impl TxPlan {
    pub(super) fn new(world: &World, total: usize) -> TxPlan {
        let n = world.profiles.len();
        let anon = if n == 0 {
            total
        } else {
            (total as f64 * ANON_SHARE).round() as usize
        };
        let lines = apportion(world.profiles.iter().map(|p| p.tx_weight), total - anon);
        let invoices: Vec<u32> = lines
            .iter()
            .zip(&world.profiles)
            .map(|(&l, p)| {
                if l == 0 {
                    0
                } else {
                    ((l as f64 / p.basket).round() as u32).clamp(1, l)
                }
            })
            .collect();
        let n_chunks = n.div_ceil(CHUNK).max(1);
        let chunk_anon = apportion((0..n_chunks).map(|_| 1.0), anon);
        let mut chunk_base = Vec::with_capacity(n_chunks);
        let mut acc = 0u64;
        for (c, &anon_c) in chunk_anon.iter().enumerate() {
            chunk_base.push(acc);
            let range = c * CHUNK..((c + 1) * CHUNK).min(n);
            acc += invoices[range].iter().map(|&m| m as u64).sum::<u64>() + anon_c as u64;
        }
        TxPlan {
            lines,
            invoices,
            chunk_anon,
            chunk_base,
        }
    }

    pub(super) fn chunks(&self) -> usize {
        self.chunk_base.len()
    }
}

struct Invoice {
    ts: i64,
    /// Customer id number, 0 for a guest.
    customer: u32,
    first_line: u32,
    n_lines: u32,
    channel: u8,
    is_return: bool,
}

#[derive(Clone, Copy)]
struct Line {
    cat: u8,
    rank: u16,
    qty: i16,
    cents: u32,
}

fn day_to_secs(rng: &mut Rng, ce_day: i32) -> i64 {
    // Trading hours 08:00–22:00.
    (ce_day - UNIX_EPOCH_CE_DAYS) as i64 * 86_400 + 8 * 3600 + rng.range_usize(0, 14 * 3600) as i64
}

fn new_line(
    rng: &mut Rng,
    cat_cum: &[f64; N_CAT],
    pref: f64,
    max_qty: usize,
    discount_p: f64,
) -> Line {
    let cat = pick(rng, cat_cum);
    let rank = draw_rank(rng, pref, 0.3);
    let mut cents = sku_price_cents(cat, rank);
    if rng.bool(ZERO_PRICE_P) {
        cents = 0;
    } else if rng.bool(discount_p) {
        cents = (cents as f64 * rng.range_f64(0.5, 0.85)).round() as u32;
    }
    let qty = if rng.bool(0.55) {
        1
    } else {
        rng.range_usize(1, max_qty + 1)
    };
    Line {
        cat: cat as u8,
        rank: rank as u16,
        qty: qty as i16,
        cents,
    }
}

/// Generates and formats one chunk of customers (plus its guest rows).
pub(super) fn write_chunk(world: &World, plan: &TxPlan, seed: u64, c: usize, buf: &mut Vec<u8>) {
    let mut rng = Rng::stream(seed, (1 << 40) | c as u64);
    let n = world.profiles.len();
    let as_of = world.as_of;
    let range = c * CHUNK..((c + 1) * CHUNK).min(n);
    let anon = plan.chunk_anon[c] as usize;
    let n_inv = plan.invoices[range.clone()]
        .iter()
        .map(|&m| m as usize)
        .sum::<usize>()
        + anon;
    let n_lines = plan.lines[range.clone()]
        .iter()
        .map(|&l| l as usize)
        .sum::<usize>()
        + anon;
    let cat_cums = segment_cat_cums();
    let anon_cum = cumulative(&ANON_CAT_W);
    let mut invoices: Vec<Invoice> = Vec::with_capacity(n_inv);
    let mut lines: Vec<Line> = Vec::with_capacity(n_lines);
    let mut days: Vec<i32> = Vec::new();
    let mut per_inv: Vec<u32> = Vec::new();

    for i in range {
        let (n_lines, m) = (plan.lines[i], plan.invoices[i] as usize);
        if m == 0 {
            continue;
        }
        let p = &world.profiles[i];
        let par = p.seg.params();
        let end = p.last_purchase;
        let start = p.signup.max(as_of - HISTORY_DAYS).min(end);
        // The newest invoice sits exactly on the planted last-purchase day.
        days.clear();
        days.extend((1..m).map(|_| rng.range_usize(start as usize, end as usize + 1) as i32));
        days.sort_unstable();
        days.push(end);
        per_inv.clear();
        per_inv.resize(m, 1);
        for _ in 0..n_lines as usize - m {
            per_inv[rng.range_usize(0, m)] += 1;
        }
        let first_inv = invoices.len();
        for k in 0..m {
            let first_line = lines.len() as u32;
            let mut is_return = k > 0 && rng.bool(RETURN_P);
            let mut not_before = i64::MIN;
            if is_return {
                let src = &invoices[first_inv + rng.range_usize(0, k)];
                // A return comes at least an hour after its purchase.
                not_before = src.ts + 3600;
                if src.is_return {
                    is_return = false;
                } else {
                    let (s0, sn) = (src.first_line as usize, src.n_lines as usize);
                    // Consecutive source lines from a random start: distinct
                    // items whenever the return is no larger than the purchase.
                    let from = rng.range_usize(0, sn);
                    for j in 0..per_inv[k] as usize {
                        let mut l = lines[s0 + (from + j) % sn];
                        l.qty = -(rng.range_usize(1, l.qty as usize + 1) as i16);
                        lines.push(l);
                    }
                }
            }
            if !is_return {
                for _ in 0..per_inv[k] {
                    let cum = &cat_cums[p.seg as usize];
                    let l = new_line(&mut rng, cum, par.price_pref, par.max_qty, par.discount_p);
                    lines.push(l);
                }
            }
            let channel = if rng.bool(0.8) {
                p.channel
            } else {
                rng.range_usize(0, CHANNELS.len()) as u8
            };
            invoices.push(Invoice {
                ts: day_to_secs(&mut rng, days[k]).max(not_before),
                customer: world.id_of[i],
                first_line,
                n_lines: per_inv[k],
                channel,
                is_return,
            });
        }
    }
    for _ in 0..anon {
        let first_line = lines.len() as u32;
        lines.push(new_line(&mut rng, &anon_cum, 0.3, 2, 0.1));
        let day = rng.range_usize((as_of - HISTORY_DAYS) as usize, as_of as usize) as i32;
        invoices.push(Invoice {
            ts: day_to_secs(&mut rng, day),
            customer: 0,
            first_line,
            n_lines: 1,
            channel: rng.choose_weighted(&[0.35, 0.65]) as u8,
            is_return: false,
        });
    }

    // Each chunk reads like a time-ordered export; ids follow that order.
    let order = time_order(invoices.iter().map(|inv| inv.ts), as_of);
    let mut days = DayCache::new();
    let mut row = Row::new();
    buf.reserve(lines.len() * 72);
    for (rank, &key) in order.iter().enumerate() {
        let inv = &invoices[key as u32 as usize];
        // invoice_id, customer_id and timestamp are shared by the lines.
        row.clear();
        row.byte(if inv.is_return { b'R' } else { b'I' });
        row.num(plan.chunk_base[c] + rank as u64 + 1, 6);
        row.byte(b',');
        if inv.customer != 0 {
            push_customer_id(&mut row, inv.customer);
        }
        row.byte(b',');
        row.datetime(&mut days, inv.ts);
        row.byte(b',');
        let prefix = row.len();
        for l in &lines[inv.first_line as usize..(inv.first_line + inv.n_lines) as usize] {
            row.truncate(prefix);
            row.byte(CATEGORIES[l.cat as usize].1);
            row.num(sku_code(l.rank as u32) as u64, 3);
            row.byte(b',');
            row.label(&CATEGORY_LABELS[l.cat as usize]);
            row.byte(b',');
            if l.qty < 0 {
                row.byte(b'-');
            }
            row.num(l.qty.unsigned_abs() as u64, 1);
            row.byte(b',');
            row.cents(l.cents as i64);
            row.byte(b',');
            row.label(&CHANNELS[inv.channel as usize]);
            row.byte(b'\n');
            row.flush_to(buf);
        }
    }
}
