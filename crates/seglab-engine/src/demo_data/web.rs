//! web_events.csv: browsing sessions following a page_view → product_view →
//! add_to_cart → checkout → purchase funnel, with volume and conversion by
//! planted type, plus anonymous visitors.
//!
//! Session ids are a keyed bijection of (visitor, session number), so they
//! look random yet are unique without coordination between chunks.

use super::customers::push_customer_id;
use super::fmt::{DayCache, Label, Row, UNIX_EPOCH_CE_DAYS};
use super::names::DEVICES;
use super::profiles::World;
use super::segments::{
    cumulative, draw_rank, pick, segment_cat_cums, sku_code, ANON_CAT_W, CATEGORIES,
    CATEGORY_LABELS, N_CAT,
};
use super::{apportion, time_order, CHUNK};
use crate::rng::Rng;

pub const HEADER: &str = "customer_id,session_id,timestamp,event_type,page,device\n";

const ANON_SHARE: f64 = 0.08;
/// The click log keeps one year.
const HISTORY_DAYS: i32 = 365;
const EVENT_TYPES: [Label; 5] = [
    Label::new("page_view"),
    Label::new("product_view"),
    Label::new("add_to_cart"),
    Label::new("checkout"),
    Label::new("purchase"),
];
const PAGE_CATEGORY: Label = Label::new("/c/");
const PAGE_PRODUCT: Label = Label::new("/p/");
const PAGES_FIXED: [Label; 3] = [
    Label::new("/cart"),
    Label::new("/checkout"),
    Label::new("/checkout/done"),
];
const CHECKOUT_P: f64 = 0.6;
const PURCHASE_P: f64 = 0.8;
/// Bits of the session key: visitor << SEQ_BITS | session number.
const SEQ_BITS: u32 = 22;
const TOKEN_BITS: u32 = 46;
/// 36^9 > 2^46, so every token fits in nine base-36 characters.
const TOKEN_CHARS: usize = 9;

pub(super) struct WebPlan {
    events: Vec<u32>,
    chunk_anon: Vec<u32>,
}

impl WebPlan {
    pub(super) fn new(world: &World, total: usize) -> WebPlan {
        let n = world.profiles.len();
        let anon = if n == 0 {
            total
        } else {
            (total as f64 * ANON_SHARE).round() as usize
        };
        let n_chunks = n.div_ceil(CHUNK).max(1);
        WebPlan {
            events: apportion(world.profiles.iter().map(|p| p.web_weight), total - anon),
            chunk_anon: apportion((0..n_chunks).map(|_| 1.0), anon),
        }
    }

    pub(super) fn chunks(&self) -> usize {
        self.chunk_anon.len()
    }
}

/// Keyed bijection on 46 bits (xor, odd multiplies and xorshifts are each
/// invertible), so distinct keys give distinct tokens.
fn session_token(key: u64, salt: u64) -> u64 {
    let mask = (1u64 << TOKEN_BITS) - 1;
    let mut x = (key ^ salt) & mask;
    x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15) & mask;
    x ^= x >> 23;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9) & mask;
    x ^ (x >> 21)
}

struct Event {
    ts: i64,
    /// Customer id number, 0 when anonymous.
    customer: u32,
    session: u64,
    kind: u8,
    /// 0 home, 1 category, 2 product, 3 cart, 4 checkout, 5 confirmation.
    page: u8,
    cat: u8,
    rank: u16,
    device: u8,
}

struct Visitor<'a> {
    customer: u32,
    key: u64,
    first_day: i32,
    cat_cum: &'a [f64; N_CAT],
    price_pref: f64,
    views: f64,
    cart_p: f64,
    device: Option<u8>,
}

/// Appends sessions for one visitor until exactly `budget` events exist; the
/// last session may be cut short, as when a log export ends mid-visit.
fn sessions(rng: &mut Rng, v: &Visitor, as_of: i32, salt: u64, budget: u32, out: &mut Vec<Event>) {
    let mut left = budget;
    let mut seq = 0u64;
    while left > 0 {
        let session = session_token(v.key << SEQ_BITS | (seq & ((1 << SEQ_BITS) - 1)), salt);
        seq += 1;
        let day = rng.range_usize(v.first_day as usize, as_of as usize) as i32;
        // Start 07:00–21:00; at most ~2 h long, so a session ends the same day.
        let mut ts = (day - UNIX_EPOCH_CE_DAYS) as i64 * 86_400
            + 7 * 3600
            + rng.range_usize(0, 14 * 3600) as i64;
        let device = match v.device {
            Some(d) if rng.bool(0.85) => d,
            _ => rng.choose_weighted(&[4.0, 5.0, 1.0]) as u8,
        };
        let mut push = |kind: u8, page: u8, cat: usize, rank: u32, rng: &mut Rng| -> bool {
            if left == 0 {
                return false;
            }
            out.push(Event {
                ts,
                customer: v.customer,
                session,
                kind,
                page,
                cat: cat as u8,
                rank: rank as u16,
                device,
            });
            left -= 1;
            ts += 5 + rng.range_usize(0, 90) as i64;
            true
        };
        let cat = pick(rng, v.cat_cum);
        let landing = if rng.bool(0.5) { 0 } else { 1 };
        push(0, landing, cat, 0, rng);
        let mut views = 1;
        while views < 30 && rng.bool(v.views / (1.0 + v.views)) {
            views += 1;
        }
        for _ in 0..views {
            let cat = pick(rng, v.cat_cum);
            if rng.bool(0.2) && !push(0, 1, cat, 0, rng) {
                break;
            }
            let rank = draw_rank(rng, v.price_pref, 0.35);
            if !push(1, 2, cat, rank, rng) {
                break;
            }
        }
        if rng.bool(v.cart_p)
            && push(2, 3, 0, 0, rng)
            && rng.bool(CHECKOUT_P)
            && push(3, 4, 0, 0, rng)
            && rng.bool(PURCHASE_P)
        {
            push(4, 5, 0, 0, rng);
        }
    }
}

pub(super) fn write_chunk(world: &World, plan: &WebPlan, seed: u64, c: usize, buf: &mut Vec<u8>) {
    let mut rng = Rng::stream(seed, (2 << 40) | c as u64);
    let salt = Rng::stream(seed, 3 << 40).next_u64();
    let n = world.profiles.len();
    let as_of = world.as_of;
    let range = c * CHUNK..((c + 1) * CHUNK).min(n);
    let total = plan.events[range.clone()]
        .iter()
        .map(|&e| e as usize)
        .sum::<usize>();
    let cat_cums = segment_cat_cums();
    let anon_cum = cumulative(&ANON_CAT_W);
    let mut events: Vec<Event> = Vec::with_capacity(total + plan.chunk_anon[c] as usize);
    for i in range {
        if plan.events[i] == 0 {
            continue;
        }
        let p = &world.profiles[i];
        let par = p.seg.params();
        let v = Visitor {
            customer: world.id_of[i],
            key: i as u64,
            first_day: p.signup.max(as_of - HISTORY_DAYS).min(as_of - 1),
            cat_cum: &cat_cums[p.seg as usize],
            price_pref: par.price_pref,
            views: par.views,
            cart_p: par.cart_p,
            device: Some(p.device),
        };
        sessions(&mut rng, &v, as_of, salt, plan.events[i], &mut events);
    }
    // One anonymous pseudo-visitor per chunk; its key lies past all customers.
    let anon = Visitor {
        customer: 0,
        key: (n + c) as u64,
        first_day: as_of - HISTORY_DAYS,
        cat_cum: &anon_cum,
        price_pref: 0.3,
        views: 1.0,
        cart_p: 0.05,
        device: None,
    };
    sessions(
        &mut rng,
        &anon,
        as_of,
        salt,
        plan.chunk_anon[c],
        &mut events,
    );

    // Ties keep generation order, so a session stays in funnel order.
    let order = time_order(events.iter().map(|e| e.ts), as_of);
    let mut days = DayCache::new();
    let mut row = Row::new();
    buf.reserve(events.len() * 80);
    for &key in &order {
        let e = &events[key as u32 as usize];
        row.clear();
        if e.customer != 0 {
            push_customer_id(&mut row, e.customer);
        }
        row.byte(b',');
        row.base36(e.session, TOKEN_CHARS);
        row.byte(b',');
        row.datetime(&mut days, e.ts);
        row.byte(b',');
        row.label(&EVENT_TYPES[e.kind as usize]);
        row.byte(b',');
        match e.page {
            0 => row.byte(b'/'),
            1 => {
                row.label(&PAGE_CATEGORY);
                row.label(&CATEGORY_LABELS[e.cat as usize]);
            }
            2 => {
                row.label(&PAGE_PRODUCT);
                row.byte(CATEGORIES[e.cat as usize].1);
                row.num(sku_code(e.rank as u32) as u64, 3);
            }
            p => row.label(&PAGES_FIXED[p as usize - 3]),
        }
        row.byte(b',');
        row.label(&DEVICES[e.device as usize]);
        row.byte(b'\n');
        row.flush_to(buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_for_distinct_keys() {
        let mut seen = std::collections::HashSet::new();
        for visitor in 0..200u64 {
            for seq in 0..50u64 {
                assert!(seen.insert(session_token(visitor << SEQ_BITS | seq, 99)));
            }
        }
        assert!(seen.iter().all(|&t| t < 1 << TOKEN_BITS));
        assert!(36f64.powi(TOKEN_CHARS as i32) > (1u64 << TOKEN_BITS) as f64);
    }
}
