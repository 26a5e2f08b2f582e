//! Customer profiles (attributes + latent behaviour), planted near-duplicates,
//! absurd values and the file order of customer rows.

use super::fmt::Row;
use super::names::{self, Vocab, COUNTRIES, EMAIL_DOMAINS, EMAIL_STYLES, PHONE_FORMATS};
use super::segments::{Segment, SEGMENTS, SHARES};
use crate::rng::Rng;

pub(super) const DAYS_PER_YEAR: f64 = 365.2425;

/// Bits of `blanks`: which cells are written empty.
pub(super) const B_INCOME: u8 = 1;
pub(super) const B_PHONE: u8 = 2;
pub(super) const B_GENDER: u8 = 4;
pub(super) const B_CITY: u8 = 8;
pub(super) const B_BIRTH: u8 = 16;
pub(super) const B_CHANNEL: u8 = 32;
/// Per-field missing rates, in bit order; about 5% of those cells overall.
const BLANK_RATES: [f64; 6] = [0.06, 0.07, 0.05, 0.03, 0.04, 0.04];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anomaly {
    None,
    Age140,
    IncomeX100,
}

impl Anomaly {
    pub(super) fn label(self) -> &'static str {
        match self {
            Anomaly::None => "",
            Anomaly::Age140 => "age_140",
            Anomaly::IncomeX100 => "income_x100",
        }
    }
}

/// One real customer. Dates are chrono CE day numbers.
pub(super) struct Profile {
    pub seg: Segment,
    /// 0 = M, 1 = F, 2 = other.
    pub gender: u8,
    /// Which first-name list `first` indexes (0 male, 1 female).
    pub name_list: u8,
    pub first: u8,
    pub last: u8,
    pub birth: i32,
    pub signup: i32,
    pub country: u8,
    pub city: u8,
    /// Income as written (already rounded to the row's style).
    pub income_cents: i64,
    /// 0 = whole thousands, 1 = whole units, 2 = with cents.
    pub income_style: u8,
    pub channel: u8,
    pub loyalty: bool,
    pub phone: u64,
    pub phone_fmt: u8,
    pub email_style: u8,
    pub email_domain: u8,
    pub email_num: u32,
    pub blanks: u8,
    pub anomaly: Anomaly,
    // Latent behaviour, consumed by the transaction and web generators.
    pub tx_weight: f64,
    pub basket: f64,
    pub last_purchase: i32,
    pub web_weight: f64,
    pub device: u8,
}

/// A planted near-duplicate row of `source` (an index into profiles).
pub(super) struct Duplicate {
    pub source: u32,
    pub name: String,
    pub email: String,
    pub phone_fmt: u8,
    pub blanks: u8,
}

pub(super) struct World {
    pub as_of: i32,
    pub profiles: Vec<Profile>,
    pub dups: Vec<Duplicate>,
    /// customers.csv order: values `< profiles.len()` are originals, the
    /// rest are `profiles.len() + duplicate index`.
    pub order: Vec<u32>,
    /// Customer id number (1-based file position) of each original.
    pub id_of: Vec<u32>,
    pub vocab: Vocab,
}

fn clamp_normal(rng: &mut Rng, (mean, sd): (f64, f64), lo: f64, hi: f64) -> f64 {
    rng.normal(mean, sd).clamp(lo, hi)
}

fn make_profile(
    rng: &mut Rng,
    as_of: i32,
    email_num: u32,
    country_w: &[f64],
    vocab: &Vocab,
) -> Profile {
    let seg = SEGMENTS[rng.choose_weighted(&SHARES)];
    let p = seg.params();
    let gender = rng.choose_weighted(&[0.48, 0.48, 0.04]) as u8;
    let name_list = if gender == 2 {
        rng.range_usize(0, 2) as u8
    } else {
        gender
    };
    let first = rng.range_usize(0, vocab.first[name_list as usize].len()) as u8;
    let last = rng.range_usize(0, vocab.last.len()) as u8;

    let age = clamp_normal(rng, p.age, 18.0, 90.0);
    let birth = as_of - (age * DAYS_PER_YEAR) as i32;
    let tenure = clamp_normal(rng, p.tenure, p.tenure_clamp.0, p.tenure_clamp.1);
    // Nobody signs up before turning 18, and nobody after `as_of`.
    let signup = (as_of - (tenure * DAYS_PER_YEAR) as i32)
        .max(birth + 6575)
        .min(as_of - 2);
    let tenure_days = (as_of - signup).max(2) as f64;
    let recency = rng
        .range_f64(p.recency.0, p.recency.1)
        .min(tenure_days - 1.0)
        .max(1.0);

    let country = rng.choose_weighted(country_w);
    let city = rng.range_usize(0, COUNTRIES[country].2.len()) as u8;

    let income = clamp_normal(rng, p.income, 8_000.0, 1.0e7);
    let income_style = rng.choose_weighted(&[0.5, 0.3, 0.2]) as u8;
    let income_cents = match income_style {
        0 => (income / 1000.0).round() as i64 * 100_000,
        1 => income.round() as i64 * 100,
        _ => (income * 100.0).round() as i64,
    };

    Profile {
        seg,
        gender,
        name_list,
        first,
        last,
        birth,
        signup,
        country: country as u8,
        city,
        income_cents,
        income_style,
        channel: rng.choose_weighted(&p.channel_w) as u8,
        loyalty: rng.bool(p.loyalty_p),
        phone: names::random_phone(rng),
        phone_fmt: rng.choose_weighted(&[0.4, 0.3, 0.3]) as u8,
        email_style: rng.range_usize(0, EMAIL_STYLES as usize) as u8,
        email_domain: rng.range_usize(0, EMAIL_DOMAINS.len()) as u8,
        email_num,
        blanks: 0,
        anomaly: Anomaly::None,
        tx_weight: p.tx_weight * clamp_normal(rng, (1.0, 0.15), 0.6, 1.4),
        basket: p.basket_lines * clamp_normal(rng, (1.0, 0.1), 0.7, 1.3),
        last_purchase: as_of - recency as i32,
        web_weight: p.web_weight * clamp_normal(rng, (1.0, 0.25), 0.3, 1.7),
        device: rng.choose_weighted(&p.device_w) as u8,
    }
}

impl World {
    pub(super) fn first_name(&self, p: &Profile) -> &'static str {
        self.vocab.first[p.name_list as usize][p.first as usize]
    }

    pub(super) fn last_name(&self, p: &Profile) -> &'static str {
        self.vocab.last[p.last as usize]
    }

    /// The original's email as written in its own row.
    pub(super) fn push_email(&self, row: &mut Row, p: &Profile) {
        names::push_email(
            row,
            &self.vocab.first_ascii[p.name_list as usize][p.first as usize],
            &self.vocab.last_ascii[p.last as usize],
            p.email_style,
            p.email_num,
            EMAIL_DOMAINS[p.email_domain as usize],
        );
    }

    /// Builds every customer, the duplicates, anomalies and row order.
    pub(super) fn build(customers: usize, seed: u64, as_of: i32) -> World {
        let mut rng = Rng::stream(seed, 0);
        // Email numbers: idx -> idx * 7919 + offset (mod a power of ten at
        // least 10x the customer count) is a bijection, so numbers are
        // unique without looking sequential.
        let mut modulus: u64 = 1000;
        while modulus < customers as u64 * 10 {
            modulus *= 10;
        }
        let offset = rng.range_usize(0, modulus as usize) as u64;
        let country_w: Vec<f64> = COUNTRIES.iter().map(|c| c.3).collect();
        let vocab = Vocab::new();
        let mut profiles: Vec<Profile> = (0..customers as u64)
            .map(|i| {
                let num = ((i * 7919 + offset) % modulus) as u32;
                make_profile(&mut rng, as_of, num, &country_w, &vocab)
            })
            .collect();

        let mut world = World {
            as_of,
            profiles: Vec::new(),
            dups: Vec::new(),
            order: Vec::new(),
            id_of: Vec::new(),
            vocab,
        };

        let mut rng = Rng::stream(seed, 1);
        for p in profiles.iter_mut() {
            for (bit, &rate) in BLANK_RATES.iter().enumerate() {
                if rng.bool(rate) {
                    p.blanks |= 1 << bit;
                }
            }
        }

        // Near-duplicates: ~2% of customers get a second, slightly different row.
        let n_dups = (customers as f64 * 0.02).round() as usize;
        let sources = rng.sample_indices(customers, n_dups);
        let mut is_source = vec![false; customers];
        for &s in &sources {
            is_source[s] = true;
        }
        world.profiles = profiles;
        world.dups = sources
            .iter()
            .map(|&s| world.make_duplicate(&mut rng, s))
            .collect();

        // Absurd values on rows that have no duplicate, so truth stays simple.
        let candidates: Vec<usize> = (0..customers).filter(|&i| !is_source[i]).collect();
        let n_age = rng.range_usize(3, 6);
        let n_income = rng.range_usize(3, 6);
        let n_anom = (n_age + n_income).min(candidates.len() / 4);
        let mut picked: Vec<usize> = rng
            .sample_indices(candidates.len(), n_anom)
            .into_iter()
            .map(|i| candidates[i])
            .collect();
        rng.shuffle(&mut picked);
        for (k, &i) in picked.iter().enumerate() {
            let p = &mut world.profiles[i];
            if k < n_age.min(n_anom) {
                p.anomaly = Anomaly::Age140;
                p.birth = as_of - (140.0 * DAYS_PER_YEAR) as i32 - rng.range_usize(0, 300) as i32;
                p.blanks &= !B_BIRTH;
            } else {
                p.anomaly = Anomaly::IncomeX100;
                p.income_cents *= 100;
                p.blanks &= !B_INCOME;
            }
        }

        // Shuffle duplicates in among the originals; ids follow file order.
        let total = customers + world.dups.len();
        let mut order: Vec<u32> = (0..total as u32).collect();
        rng.shuffle(&mut order);
        let mut id_of = vec![0u32; customers];
        for (pos, &r) in order.iter().enumerate() {
            if (r as usize) < customers {
                id_of[r as usize] = pos as u32 + 1;
            }
        }
        world.order = order;
        world.id_of = id_of;
        world
    }

    fn make_duplicate(&self, rng: &mut Rng, source: usize) -> Duplicate {
        let p = &self.profiles[source];
        let (mut first, mut last) = (
            self.first_name(p).to_string(),
            self.last_name(p).to_string(),
        );
        if rng.bool(0.5) {
            first = names::typo(&first, rng);
        } else {
            last = names::typo(&last, rng);
        }
        let mut row = Row::new();
        self.push_email(&mut row, p);
        let email = String::from_utf8_lossy(row.as_bytes()).into_owned();
        let email = names::messy_email(&email, rng);
        let phone_fmt = if rng.bool(0.4) {
            (p.phone_fmt + 1 + rng.range_usize(0, 2) as u8) % PHONE_FORMATS
        } else {
            p.phone_fmt
        };
        let mut blanks = p.blanks;
        if rng.bool(0.3) {
            blanks |= 1 << rng.range_usize(0, BLANK_RATES.len());
        }
        Duplicate {
            source: source as u32,
            name: format!("{first} {last}"),
            email,
            phone_fmt,
            blanks,
        }
    }
}
