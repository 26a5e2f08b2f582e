//! The five planted customer types and the behaviour parameters that make
//! them separable. Means are several within-type spreads apart on income,
//! age, tenure, frequency, spend, basket size and recency.

use super::fmt::Label;

/// Product categories: name, SKU prefix, list-price range in cents.
pub(super) const CATEGORIES: &[(&str, u8, u32, u32)] = &[
    ("grocery", b'G', 150, 1_200),
    ("household", b'H', 200, 2_500),
    ("beauty", b'B', 400, 4_500),
    ("books", b'K', 600, 3_500),
    ("toys", b'T', 800, 7_000),
    ("apparel", b'A', 1_200, 12_000),
    ("sports", b'S', 1_500, 18_000),
    ("home", b'M', 1_500, 25_000),
    ("electronics", b'E', 4_000, 120_000),
    ("furniture", b'F', 12_000, 250_000),
    ("jewelry", b'J', 15_000, 350_000),
];
pub(super) const N_CAT: usize = 11;
/// Category names as fixed-size labels for the row writers.
pub(super) const CATEGORY_LABELS: [Label; N_CAT] = {
    let mut out = [Label::new(""); N_CAT];
    let mut i = 0;
    while i < N_CAT {
        out[i] = Label::new(CATEGORIES[i].0);
        i += 1;
    }
    out
};
/// SKUs per category; prices rise with the SKU's rank inside its category.
pub(super) const SKUS_PER_CAT: u32 = 400;

/// Price rank of a SKU drawn around a preferred position `pref` in [0, 1]:
/// a triangular bump of half-width `spread` (cheaper than a normal draw and
/// called once per row).
pub(super) fn draw_rank(rng: &mut crate::rng::Rng, pref: f64, spread: f64) -> u32 {
    let t = (pref + spread * (rng.f64() + rng.f64() - 1.0)).clamp(0.0, 1.0);
    (t * (SKUS_PER_CAT - 1) as f64 + 0.5) as u32
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Segment {
    HighValueLoyalist,
    BargainHunter,
    NewExplorer,
    Lapsed,
    BigTicketRare,
}

pub(super) const SEGMENTS: [Segment; 5] = [
    Segment::HighValueLoyalist,
    Segment::BargainHunter,
    Segment::NewExplorer,
    Segment::Lapsed,
    Segment::BigTicketRare,
];
/// Deliberately unequal so cluster sizes are not a giveaway.
pub(super) const SHARES: [f64; 5] = [0.25, 0.20, 0.20, 0.20, 0.15];

/// Per-type distribution parameters. `(mean, sd)` pairs are normal draws
/// (clamped where noted in `profiles.rs`); `(lo, hi)` pairs are uniform.
pub(super) struct Params {
    pub income: (f64, f64),
    pub age: (f64, f64),
    /// Tenure in years.
    pub tenure: (f64, f64),
    pub tenure_clamp: (f64, f64),
    pub loyalty_p: f64,
    /// Weights over `names::CHANNELS`.
    pub channel_w: [f64; 4],
    /// Weights over `names::DEVICES`.
    pub device_w: [f64; 3],
    /// Relative number of transaction lines.
    pub tx_weight: f64,
    /// Mean lines per invoice.
    pub basket_lines: f64,
    /// Days between the last purchase and `as_of`.
    pub recency: (f64, f64),
    pub cat_w: [f64; N_CAT],
    /// Preferred position in a category's price ladder, 0 = cheapest.
    pub price_pref: f64,
    pub max_qty: usize,
    pub discount_p: f64,
    /// Relative number of web events.
    pub web_weight: f64,
    /// Mean product views per session beyond the first.
    pub views: f64,
    pub cart_p: f64,
}

const HVL: Params = Params {
    income: (110_000.0, 12_000.0),
    age: (48.0, 6.0),
    tenure: (5.5, 1.0),
    tenure_clamp: (3.0, 9.0),
    loyalty_p: 0.9,
    channel_w: [2.0, 3.0, 4.0, 1.0],
    device_w: [5.0, 4.0, 1.0],
    tx_weight: 2.0,
    basket_lines: 3.0,
    recency: (1.0, 21.0),
    cat_w: [1.0, 1.0, 3.0, 2.0, 1.0, 4.0, 3.0, 3.0, 2.0, 0.5, 0.5],
    price_pref: 0.55,
    max_qty: 3,
    discount_p: 0.05,
    web_weight: 1.0,
    views: 2.0,
    cart_p: 0.45,
};

const BARGAIN: Params = Params {
    income: (32_000.0, 6_000.0),
    age: (34.0, 6.0),
    tenure: (3.0, 0.8),
    tenure_clamp: (1.3, 5.0),
    loyalty_p: 0.4,
    channel_w: [5.0, 2.0, 3.0, 0.5],
    device_w: [3.0, 6.0, 1.0],
    tx_weight: 2.3,
    basket_lines: 1.3,
    recency: (1.0, 35.0),
    cat_w: [6.0, 4.0, 3.0, 1.0, 1.0, 2.0, 0.5, 0.5, 0.2, 0.0, 0.0],
    price_pref: 0.12,
    max_qty: 6,
    discount_p: 0.35,
    web_weight: 1.0,
    views: 2.5,
    cart_p: 0.4,
};

const EXPLORER: Params = Params {
    income: (48_000.0, 8_000.0),
    age: (24.0, 3.0),
    tenure: (0.5, 0.25),
    tenure_clamp: (0.05, 0.9),
    loyalty_p: 0.15,
    channel_w: [4.0, 1.0, 5.0, 0.2],
    device_w: [2.0, 7.0, 1.0],
    tx_weight: 0.22,
    basket_lines: 1.4,
    recency: (1.0, 45.0),
    cat_w: [1.0, 0.5, 2.0, 3.0, 2.0, 4.0, 1.0, 1.0, 1.0, 0.0, 0.2],
    price_pref: 0.35,
    max_qty: 2,
    discount_p: 0.1,
    web_weight: 5.0,
    views: 3.5,
    cart_p: 0.12,
};

const LAPSED: Params = Params {
    income: (62_000.0, 10_000.0),
    age: (60.0, 6.0),
    tenure: (8.0, 1.2),
    tenure_clamp: (5.0, 12.0),
    loyalty_p: 0.3,
    channel_w: [2.0, 5.0, 1.0, 2.0],
    device_w: [6.0, 2.0, 2.0],
    tx_weight: 0.65,
    basket_lines: 2.0,
    recency: (420.0, 900.0),
    cat_w: [1.0, 1.0, 1.0, 3.0, 2.0, 2.0, 1.0, 2.0, 0.5, 0.3, 0.2],
    price_pref: 0.35,
    max_qty: 3,
    discount_p: 0.05,
    web_weight: 0.15,
    views: 1.5,
    cart_p: 0.1,
};

const BIG_TICKET: Params = Params {
    income: (190_000.0, 20_000.0),
    age: (52.0, 6.0),
    tenure: (4.0, 1.0),
    tenure_clamp: (2.0, 7.0),
    loyalty_p: 0.35,
    channel_w: [3.0, 4.0, 1.0, 1.0],
    device_w: [6.0, 2.0, 2.0],
    tx_weight: 0.16,
    basket_lines: 1.1,
    recency: (70.0, 300.0),
    cat_w: [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 1.0, 5.0, 4.0, 3.0],
    price_pref: 0.75,
    max_qty: 1,
    discount_p: 0.03,
    web_weight: 0.5,
    views: 3.0,
    cart_p: 0.25,
};

/// Guest (anonymous) shoppers and visitors.
pub(super) const ANON_CAT_W: [f64; N_CAT] = [3.0, 2.0, 2.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.2, 0.2];

impl Segment {
    pub(super) fn name(self) -> &'static str {
        match self {
            Segment::HighValueLoyalist => "high_value_loyalist",
            Segment::BargainHunter => "bargain_hunter",
            Segment::NewExplorer => "new_explorer",
            Segment::Lapsed => "lapsed",
            Segment::BigTicketRare => "big_ticket_rare",
        }
    }

    pub(super) fn params(self) -> &'static Params {
        match self {
            Segment::HighValueLoyalist => &HVL,
            Segment::BargainHunter => &BARGAIN,
            Segment::NewExplorer => &EXPLORER,
            Segment::Lapsed => &LAPSED,
            Segment::BigTicketRare => &BIG_TICKET,
        }
    }
}

/// Running sums of `w`, so repeated weighted draws cost one uniform and a
/// short scan (hot path: one category draw per row).
pub(super) fn cumulative(w: &[f64; N_CAT]) -> [f64; N_CAT] {
    let mut out = *w;
    for i in 1..N_CAT {
        out[i] += out[i - 1];
    }
    out
}

/// Index drawn from running sums made by [`cumulative`]; zero-weight
/// entries are never picked.
pub(super) fn pick(rng: &mut crate::rng::Rng, cum: &[f64; N_CAT]) -> usize {
    let x = rng.f64() * cum[N_CAT - 1];
    cum.iter().position(|&c| x < c).unwrap_or(N_CAT - 1)
}

/// Category running sums for each segment, in `SEGMENTS` order.
pub(super) fn segment_cat_cums() -> [[f64; N_CAT]; 5] {
    SEGMENTS.map(|s| cumulative(&s.params().cat_w))
}

/// List price of a SKU: quadratic in its rank so most SKUs are cheap and a
/// few are expensive; always ends in .99 (or .49 for cheap items).
pub(super) fn sku_price_cents(cat: usize, rank: u32) -> u32 {
    let (_, _, lo, hi) = CATEGORIES[cat];
    let t = rank as f64 / (SKUS_PER_CAT - 1) as f64;
    let raw = lo as f64 + (hi - lo) as f64 * t * t;
    let whole = (raw / 100.0) as u32;
    if whole < 5 {
        whole * 100 + 49
    } else {
        whole * 100 + 99
    }
}

/// The SKU number shown in files: a fixed permutation of the price rank so
/// codes do not reveal price order.
pub(super) fn sku_code(rank: u32) -> u32 {
    (rank * 73 + 29) % SKUS_PER_CAT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_one_and_codes_are_a_permutation() {
        assert!((SHARES.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let mut seen = vec![false; SKUS_PER_CAT as usize];
        for r in 0..SKUS_PER_CAT {
            seen[sku_code(r) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(CATEGORIES.len(), N_CAT);
        // Tables are indexed with `segment as usize`.
        for (i, s) in SEGMENTS.iter().enumerate() {
            assert_eq!(*s as usize, i);
        }
    }

    #[test]
    fn prices_rise_with_rank() {
        for c in 0..N_CAT {
            assert!(sku_price_cents(c, 0) <= sku_price_cents(c, SKUS_PER_CAT - 1));
        }
    }
}
