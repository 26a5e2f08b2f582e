//! A transaction log → totals per customer, after the hygiene rules analysts apply by hand:
//! rows without a customer, cancellations and returns, zero or negative prices, non-product
//! codes and rows outside a date window are excluded (or returns netted), each rule counted
//! with the rows and the amount it removed.

use super::roles::{resolve, Roles};
use super::{Behaviour, BehaviourError, BehaviourOptions, Returns, Totals};
use crate::table::{Column, ColumnData, Table};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use std::borrow::Cow;
use std::hash::Hasher;

/// Rows and amount a hygiene rule removed (or, for netted returns, kept as negative spend).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub rows: usize,
    /// Sum of quantity × unit price (or amount) of those rows; negative for returns.
    pub amount: f64,
    /// The same in billionths, summed exactly while lines are judged.
    #[serde(skip)]
    nanos: i128,
}

/// What the hygiene rules did to the log, in the order they apply.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Hygiene {
    pub rows_read: usize,
    pub rows_kept: usize,
    pub rules: Vec<RuleCount>,
}

impl Hygiene {
    pub(super) fn count(&mut self, rule: &str, amount: Option<f64>) {
        let c = match self.rules.iter_mut().find(|c| c.rule == rule) {
            Some(c) => c,
            None => {
                self.rules.push(RuleCount {
                    rule: rule.to_string(),
                    ..Default::default()
                });
                self.rules.last_mut().expect("just pushed")
            }
        };
        c.rows += 1;
        c.nanos += amount.map_or(0, super::nanos);
    }

    /// Rules in the order they apply, with their amounts.
    pub(super) fn settle(&mut self) {
        for c in &mut self.rules {
            c.amount = super::from_nanos(c.nanos);
        }
        let order = [
            NO_CUSTOMER,
            UNREADABLE,
            OUTSIDE,
            NON_PRODUCT,
            BAD_PRICE,
            CANCELLED,
            NETTED,
        ];
        self.rules
            .sort_by_key(|c| order.iter().position(|o| *o == c.rule));
    }

    /// Adds the counts of another part of the same log.
    pub(super) fn absorb(&mut self, other: Hygiene) {
        self.rows_read += other.rows_read;
        self.rows_kept += other.rows_kept;
        for c in other.rules {
            match self.rules.iter_mut().find(|m| m.rule == c.rule) {
                Some(m) => {
                    m.rows += c.rows;
                    m.nanos += c.nanos;
                }
                None => self.rules.push(c),
            }
        }
    }

    /// One line per rule: "excluded 9,288 cancelled lines (amount -896,812.49)".
    pub fn lines(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|c| {
                format!(
                    "{} {} line(s) (amount {})",
                    c.rule,
                    group_thousands(c.rows as f64, 0),
                    group_thousands(c.amount, 2)
                )
            })
            .collect()
    }
}

pub(crate) fn group_thousands(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.insert(0, '-');
    }
    out
}

const NO_CUSTOMER: &str = "excluded: no customer id on";
const UNREADABLE: &str = "excluded: no date, quantity or price on";
const OUTSIDE: &str = "excluded: outside the date window,";
const NON_PRODUCT: &str = "excluded: non-product codes,";
const BAD_PRICE: &str = "excluded: zero or negative price on";
const CANCELLED: &str = "excluded: cancellations and returns,";
const NETTED: &str = "netted: cancellations and returns,";

fn numbers<'t>(
    table: &'t Table,
    option: &'static str,
    name: &Option<String>,
) -> Result<Option<&'t [Option<f64>]>, BehaviourError> {
    let Some(name) = name else { return Ok(None) };
    let c = table
        .column(name)
        .expect("roles are resolved against the table");
    c.data
        .as_numbers()
        .map(Some)
        .ok_or(BehaviourError::WrongType {
            option,
            column: name.clone(),
            actual: c.ty.name(),
            wanted: "numbers",
        })
}

/// Day number (days since 1970-01-01) of each row's timestamp; the whole timestamp in seconds
/// for counting distinct purchases when the log has no invoice column.
pub(super) fn when_of(
    column: &Column,
) -> Result<impl Fn(usize) -> Option<(i32, i64)> + '_, BehaviourError> {
    if !matches!(column.data, ColumnData::Date(_) | ColumnData::DateTime(_)) {
        return Err(BehaviourError::WrongType {
            option: "timestamp",
            column: column.name.clone(),
            actual: column.ty.name(),
            wanted: "dates or date-times (set transactions.load.date_formats)",
        });
    }
    Ok(move |r: usize| match &column.data {
        ColumnData::Date(v) => v[r].map(|d| (d, d as i64 * 86_400)),
        ColumnData::DateTime(v) => v[r].map(|s| (s.div_euclid(86_400) as i32, s)),
        _ => None,
    })
}

fn parse_day(option: &'static str, text: &Option<String>) -> Result<Option<i32>, BehaviourError> {
    let Some(t) = text else { return Ok(None) };
    chrono::NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
        .map(|d| Some(crate::table::date_to_days(d)))
        .map_err(|_| BehaviourError::BadDate {
            option,
            value: t.clone(),
        })
}

/// One log line's values as read, by the table path or the streaming reader.
#[derive(Default)]
pub(super) struct Line<'a> {
    pub id: Option<&'a str>,
    pub quantity: Option<f64>,
    pub unit_price: Option<f64>,
    pub amount: Option<f64>,
    /// (day, whole timestamp in seconds).
    pub when: Option<(i32, i64)>,
    pub product: Option<&'a str>,
    pub invoice: Option<&'a str>,
}

/// What the hygiene rules make of a line (counted in the `Hygiene` as they judge).
pub(super) enum Verdict<'a> {
    Excluded,
    /// A cancellation netted against the customer's spend (the positive amount refunded).
    Refund {
        id: &'a str,
        amount: f64,
    },
    Purchase {
        id: &'a str,
        value: f64,
        day: i32,
        moment: i64,
    },
}

/// The hygiene rules of a recipe, ready to judge lines.
pub(super) struct Rules {
    priced: bool,
    from: Option<i32>,
    to: Option<i32>,
    excluded: FxHashSet<String>,
    cancel_prefix: String,
    returns: Returns,
}

impl Rules {
    pub(super) fn new(roles: &Roles, opts: &BehaviourOptions) -> Result<Rules, BehaviourError> {
        Ok(Rules {
            priced: roles.quantity.is_some() && roles.unit_price.is_some(),
            from: parse_day("from", &opts.from)?,
            to: parse_day("to", &opts.to)?,
            excluded: opts
                .exclude_products
                .iter()
                .map(|s| s.trim().to_string())
                .collect(),
            cancel_prefix: opts.cancel_prefix.clone(),
            returns: opts.returns,
        })
    }

    /// The rules in order: no customer, unreadable, date window, non-product codes, bad price,
    /// cancellations (excluded or netted).
    pub(super) fn judge<'a>(&self, l: &Line<'a>, hygiene: &mut Hygiene) -> Verdict<'a> {
        let line = if self.priced {
            match (l.quantity, l.unit_price) {
                (Some(q), Some(p)) => Some((Some(q), p, q * p)),
                _ => None,
            }
        } else {
            l.amount.map(|a| (l.quantity, 0.0, a))
        };
        let Some(id) = l.id.map(str::trim).filter(|s| !s.is_empty()) else {
            hygiene.count(NO_CUSTOMER, line.map(|l| l.2));
            return Verdict::Excluded;
        };
        let (Some((q, p, value)), Some((day, moment))) = (line, l.when) else {
            hygiene.count(UNREADABLE, line.map(|l| l.2));
            return Verdict::Excluded;
        };
        if self.from.is_some_and(|f| day < f) || self.to.is_some_and(|t| day > t) {
            hygiene.count(OUTSIDE, Some(value));
            return Verdict::Excluded;
        }
        if !self.excluded.is_empty() && l.product.is_some_and(|c| self.excluded.contains(c.trim()))
        {
            hygiene.count(NON_PRODUCT, Some(value));
            return Verdict::Excluded;
        }
        let cancelled = q.is_some_and(|q| q < 0.0)
            || (!self.priced && value < 0.0)
            || (!self.cancel_prefix.is_empty()
                && l.invoice
                    .is_some_and(|i| i.trim().starts_with(&self.cancel_prefix)));
        if (self.priced && p <= 0.0) || (!self.priced && value == 0.0) {
            hygiene.count(BAD_PRICE, Some(value));
            return Verdict::Excluded;
        }
        if cancelled && self.returns == Returns::Exclude {
            hygiene.count(CANCELLED, Some(value));
            return Verdict::Excluded;
        }
        // A cancellation line is a refund whatever the sign it was written with.
        if cancelled {
            hygiene.count(NETTED, Some(-value.abs()));
            return Verdict::Refund {
                id,
                amount: value.abs(),
            };
        }
        hygiene.rows_kept += 1;
        Verdict::Purchase {
            id,
            value,
            day,
            moment,
        }
    }
}

/// Totals per customer after the hygiene rules. Purchases count towards frequency and
/// recency; netted returns only reduce monetary.
pub fn summarize(
    transactions: &Table,
    opts: &BehaviourOptions,
) -> Result<Behaviour, BehaviourError> {
    let roles = resolve(transactions, opts)?;
    let who = transactions.column(&roles.customer).expect("resolved");
    let invoice = roles.invoice.as_ref().and_then(|n| transactions.column(n));
    let product = roles.product.as_ref().and_then(|n| transactions.column(n));
    let when = when_of(transactions.column(&roles.timestamp).expect("resolved"))?;
    let qty = numbers(transactions, "quantity", &roles.quantity)?;
    let price = numbers(transactions, "unit_price", &roles.unit_price)?;
    let amount = numbers(transactions, "amount", &roles.amount)?;
    let rules = Rules::new(&roles, opts)?;
    let n = transactions.n_rows();
    let mut hygiene = Hygiene {
        rows_read: n,
        ..Default::default()
    };
    // Dense customer numbers first, so the per-row work indexes plain vectors.
    let mut index: FxHashMap<String, u32> = FxHashMap::default();
    let mut totals: Vec<Totals> = Vec::new();
    // (purchase key hash, customer, row) of every purchase row, for distinct purchases; and
    // (product hash, customer, row) for distinct products.
    let mut purchases: Vec<(u64, u32, u32)> = Vec::with_capacity(n);
    let mut products: Vec<(u64, u32, u32)> = Vec::new();
    let mut last_day: Option<i32> = None;
    for r in 0..n {
        let id = who.data.text_at(r);
        let inv = invoice.and_then(|c| c.data.text_at(r));
        let code = product.and_then(|c| c.data.text_at(r));
        let line = Line {
            id: id.as_deref(),
            quantity: qty.and_then(|q| q[r]),
            unit_price: price.and_then(|p| p[r]),
            amount: amount.and_then(|a| a[r]),
            when: when(r),
            product: code.as_deref(),
            invoice: inv.as_deref(),
        };
        let verdict = rules.judge(&line, &mut hygiene);
        let (Verdict::Refund { id, .. } | Verdict::Purchase { id, .. }) = verdict else {
            continue;
        };
        let c = customer_number(&mut index, &mut totals, id);
        let t = &mut totals[c as usize];
        match verdict {
            Verdict::Refund { amount, .. } => t.refund(amount),
            Verdict::Purchase {
                value, day, moment, ..
            } => {
                t.buy(value, day);
                last_day = last_day.max(Some(day));
                let key = purchase_key(inv.as_deref(), moment);
                purchases.push((key, c, r as u32));
                if let Some(code) = &code {
                    products.push((hash_of(code.trim().as_bytes()), c, r as u32));
                }
            }
            Verdict::Excluded => {}
        }
    }
    hygiene.settle();
    // Each customer's purchases of one invoice side by side; rows with equal hashes are compared
    // by their key, so a hash collision cannot merge two invoices.
    let key_of = |r: u32| -> Cow<str> {
        match invoice {
            Some(c) => Cow::Owned(
                c.data
                    .text_at(r as usize)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            ),
            None => Cow::Owned(when(r as usize).map_or(0, |w| w.1).to_string()),
        }
    };
    for (t, n) in distinct_per_customer(&mut purchases, key_of) {
        totals[t as usize].purchases = n;
    }
    let product_of = |r: u32| -> Cow<str> {
        let code = product
            .and_then(|c| c.data.text_at(r as usize))
            .unwrap_or_default();
        Cow::Owned(code.trim().to_string())
    };
    for (t, n) in distinct_per_customer(&mut products, product_of) {
        totals[t as usize].products = Some(n);
    }
    let per_customer = index
        .into_iter()
        .map(|(id, c)| (id, totals[c as usize]))
        .collect();
    Ok(Behaviour {
        per_customer,
        hygiene,
        last_day,
        roles,
        columns: transactions.names().iter().map(|n| n.to_string()).collect(),
    })
}

/// The dense number of customer `id` (trimmed), added with empty totals when new.
pub(super) fn customer_number(
    index: &mut FxHashMap<String, u32>,
    totals: &mut Vec<Totals>,
    id: &str,
) -> u32 {
    if let Some(&c) = index.get(id) {
        return c;
    }
    let c = totals.len() as u32;
    index.insert(id.to_string(), c);
    totals.push(Totals::default());
    c
}

/// (customer, distinct keys) from (hash, customer, row) triples.
fn distinct_per_customer<'a>(
    keyed: &mut [(u64, u32, u32)],
    key: impl Fn(u32) -> Cow<'a, str>,
) -> Vec<(u32, u32)> {
    keyed.par_sort_unstable_by_key(|&(h, c, _)| (c, h));
    let mut counts: Vec<(u32, u32)> = Vec::new();
    for run in keyed.chunk_by(|a, b| (a.1, a.0) == (b.1, b.0)) {
        let distinct = if run.len() == 1 {
            1
        } else {
            let mut names: Vec<Cow<str>> = run.iter().map(|&(_, _, r)| key(r)).collect();
            names.sort_unstable();
            names.dedup();
            names.len() as u32
        };
        match counts.last_mut() {
            Some(last) if last.0 == run[0].1 => last.1 += distinct,
            _ => counts.push((run[0].1, distinct)),
        }
    }
    counts
}

/// What makes purchases one: the invoice, else the moment (a log without invoices).
pub(super) fn purchase_key(invoice: Option<&str>, moment: i64) -> u64 {
    match invoice {
        Some(i) => hash_of(i.trim().as_bytes()),
        None => hash_of(&moment.to_le_bytes()),
    }
}

fn hash_of(bytes: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish()
}

/// The roles as resolved, for messages: "customer = CustomerID, invoice = InvoiceNo, ...".
pub fn describe_roles(roles: &Roles) -> String {
    let mut parts = vec![
        format!("customer = {}", roles.customer),
        format!("timestamp = {}", roles.timestamp),
    ];
    for (role, col) in [
        ("invoice", &roles.invoice),
        ("quantity", &roles.quantity),
        ("unit_price", &roles.unit_price),
        ("amount", &roles.amount),
        ("product", &roles.product),
    ] {
        if let Some(c) = col {
            parts.push(format!("{role} = {c}"));
        }
    }
    parts.join(", ")
}
