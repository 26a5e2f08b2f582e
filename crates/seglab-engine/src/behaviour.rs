//! Behaviour features from a transaction log, joined to the customer table: how often each
//! customer buys (frequency), how much (monetary, avg_basket) and how recently (recency_days).

use crate::clean::CleaningLog;
use crate::table::{date_to_days, Column, ColumnData, ColumnType, Table};
use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The recipe's `[transactions]` table: which log to read and which of its columns mean what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BehaviourOptions {
    /// The transaction file, relative to the recipe's folder (or given with --transactions).
    pub file: Option<String>,
    /// Column naming the customer, in both files.
    pub customer: String,
    pub invoice: String,
    pub timestamp: String,
    pub quantity: String,
    pub unit_price: String,
}

impl Default for BehaviourOptions {
    fn default() -> Self {
        BehaviourOptions {
            file: None,
            customer: "customer_id".into(),
            invoice: "invoice_id".into(),
            timestamp: "timestamp".into(),
            quantity: "quantity".into(),
            unit_price: "unit_price".into(),
        }
    }
}

pub const FEATURES: [&str; 4] = ["frequency", "monetary", "avg_basket", "recency_days"];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BehaviourError {
    #[error("transactions.{option}: column '{column}' is not in the {which} table (columns: {available})")]
    UnknownColumn {
        option: &'static str,
        column: String,
        which: &'static str,
        available: String,
    },
    #[error("transactions.{option}: column '{column}' is {actual}; it needs {wanted}")]
    WrongType {
        option: &'static str,
        column: String,
        actual: &'static str,
        wanted: &'static str,
    },
}

/// What the behaviour features need from a transaction log, per customer id. Much smaller than
/// the log, which can be freed before the customers are cleaned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Behaviour {
    per_customer: FxHashMap<String, Totals>,
    /// Rows without customer, quantity or price.
    skipped: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Totals {
    /// Distinct invoices with a purchase (positive quantity).
    invoices: u32,
    spend: f64,
    last_day: Option<i32>,
}

fn find<'t>(
    table: &'t Table,
    option: &'static str,
    name: &str,
    which: &'static str,
) -> Result<&'t Column, BehaviourError> {
    table
        .column(name)
        .ok_or_else(|| BehaviourError::UnknownColumn {
            option,
            column: name.to_string(),
            which,
            // Never the first line of a file that is not a table (it may be /etc/shadow).
            available: crate::load::describe_columns(&table.names()),
        })
}

fn numbers<'t>(
    table: &'t Table,
    option: &'static str,
    name: &str,
) -> Result<&'t [Option<f64>], BehaviourError> {
    let c = find(table, option, name, "transactions")?;
    c.data.as_numbers().ok_or(BehaviourError::WrongType {
        option,
        column: name.to_string(),
        actual: c.ty.name(),
        wanted: "numbers",
    })
}

/// Totals per customer. Purchases (positive quantity) count towards frequency and recency;
/// returns (negative quantity) reduce monetary. Rows without a customer, quantity or price are
/// skipped (and counted).
pub fn summarize(
    transactions: &Table,
    opts: &BehaviourOptions,
) -> Result<Behaviour, BehaviourError> {
    let who = find(transactions, "customer", &opts.customer, "transactions")?;
    let invoice = find(transactions, "invoice", &opts.invoice, "transactions")?;
    let when = find(transactions, "timestamp", &opts.timestamp, "transactions")?;
    let qty = numbers(transactions, "quantity", &opts.quantity)?;
    let price = numbers(transactions, "unit_price", &opts.unit_price)?;
    if !matches!(when.data, ColumnData::Date(_) | ColumnData::DateTime(_)) {
        return Err(BehaviourError::WrongType {
            option: "timestamp",
            column: opts.timestamp.clone(),
            actual: when.ty.name(),
            wanted: "dates or date-times",
        });
    }
    let day = |r: usize| -> Option<i32> {
        match &when.data {
            ColumnData::Date(v) => v[r],
            ColumnData::DateTime(v) => v[r].map(|s| s.div_euclid(86_400) as i32),
            _ => None,
        }
    };
    // Dense customer numbers first, so the per-row work indexes plain vectors.
    let n = transactions.n_rows();
    let mut index: FxHashMap<Cow<str>, u32> = FxHashMap::default();
    let mut totals: Vec<Totals> = Vec::new();
    // (invoice hash, customer, row) of every purchase row, for the distinct-invoice count.
    let mut purchases: Vec<(u64, u32, u32)> = Vec::with_capacity(n);
    let mut skipped = 0;
    for r in 0..n {
        let (Some(id), Some(q), Some(p)) = (who.data.text_at(r), qty[r], price[r]) else {
            skipped += 1;
            continue;
        };
        let next = index.len() as u32;
        let c = *index.entry(id).or_insert(next);
        if c == next {
            totals.push(Totals::default());
        }
        let t = &mut totals[c as usize];
        t.spend += q * p;
        if q > 0.0 {
            t.last_day = t.last_day.max(day(r));
            if let Some(inv) = invoice.data.text_at(r) {
                purchases.push((hash_of(&inv), c, r as u32));
            }
        }
    }
    // Sorting by (customer, hash) puts each customer's lines of one invoice side by side; rows
    // with equal hashes are compared by text, so a hash collision cannot merge two invoices.
    purchases.par_sort_unstable_by_key(|&(h, c, _)| (c, h));
    for run in purchases.chunk_by(|a, b| (a.1, a.0) == (b.1, b.0)) {
        let mut names: Vec<Cow<str>> = run
            .iter()
            .filter_map(|&(_, _, r)| invoice.data.text_at(r as usize))
            .collect();
        names.sort_unstable();
        names.dedup();
        totals[run[0].1 as usize].invoices += names.len() as u32;
    }
    let per_customer = index
        .into_iter()
        .map(|(id, c)| (id.into_owned(), totals[c as usize]))
        .collect();
    Ok(Behaviour {
        per_customer,
        skipped,
    })
}

fn hash_of(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    s.hash(&mut h);
    h.finish()
}

/// Add the behaviour features to `customers`: customers without purchases get frequency 0,
/// monetary 0 and no recency (missing).
pub fn add_behaviour(
    customers: &mut Table,
    behaviour: &Behaviour,
    opts: &BehaviourOptions,
    as_of: NaiveDate,
    log: &mut CleaningLog,
) -> Result<(), BehaviourError> {
    let ids = find(customers, "customer", &opts.customer, "customer")?;
    let today = date_to_days(as_of);
    let n = customers.n_rows();
    let mut cols: [Vec<Option<f64>>; 4] = Default::default();
    let mut matched = 0;
    for r in 0..n {
        let t = ids
            .data
            .text_at(r)
            .and_then(|id| behaviour.per_customer.get(id.as_ref()));
        matched += t.is_some() as usize;
        let freq = t.map_or(0.0, |t| t.invoices as f64);
        let spend = t.map_or(0.0, |t| t.spend);
        cols[0].push(Some(freq));
        cols[1].push(Some(spend));
        cols[2].push(Some(if freq > 0.0 { spend / freq } else { 0.0 }));
        cols[3].push(t.and_then(|t| t.last_day).map(|d| (today - d) as f64));
    }
    for (name, values) in FEATURES.iter().zip(cols) {
        let ty = if *name == "frequency" || *name == "recency_days" {
            ColumnType::Integer
        } else {
            ColumnType::Number
        };
        let column = Column::new(*name, ty, ColumnData::Number(values));
        match customers.index_of(name) {
            Some(i) => customers.columns[i] = column,
            None => customers.columns.push(column),
        }
    }
    log.add(
        "behaviour",
        None,
        format!(
            "{} of {n} customers have transactions ({} transaction rows without customer, quantity or price skipped); added {}",
            matched,
            behaviour.skipped,
            FEATURES.join(", ")
        ),
        (n, n),
        n * FEATURES.len(),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::TextColumn;

    fn text(name: &str, v: &[Option<&str>]) -> Column {
        Column::new(
            name,
            ColumnType::Id,
            ColumnData::Text(v.iter().copied().collect::<TextColumn>()),
        )
    }

    fn num(name: &str, v: &[Option<f64>]) -> Column {
        Column::new(name, ColumnType::Number, ColumnData::Number(v.to_vec()))
    }

    #[test]
    fn frequency_spend_basket_and_recency_by_hand() {
        let day = |s: &str| {
            Some(date_to_days(
                NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap(),
            ))
        };
        let tx = Table::new(vec![
            text(
                "customer_id",
                &[Some("A"), Some("A"), Some("A"), Some("B"), None, Some("A")],
            ),
            text(
                "invoice_id",
                &[
                    Some("1"),
                    Some("1"),
                    Some("2"),
                    Some("3"),
                    Some("4"),
                    Some("1"),
                ],
            ),
            Column::new(
                "timestamp",
                ColumnType::Date,
                ColumnData::Date(vec![
                    day("2025-12-01"),
                    day("2025-12-01"),
                    day("2025-12-21"),
                    day("2025-06-01"),
                    day("2025-12-30"),
                    day("2025-12-01"),
                ]),
            ),
            num(
                "quantity",
                &[
                    Some(2.0),
                    Some(1.0),
                    Some(-1.0),
                    Some(1.0),
                    Some(5.0),
                    Some(1.0),
                ],
            ),
            num(
                "unit_price",
                &[
                    Some(10.0),
                    Some(5.0),
                    Some(10.0),
                    Some(100.0),
                    Some(1.0),
                    Some(0.0),
                ],
            ),
        ]);
        let mut customers = Table::new(vec![text(
            "customer_id",
            &[Some("A"), Some("B"), Some("C")],
        )]);
        let mut log = CleaningLog::default();
        let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let opts = BehaviourOptions::default();
        let summary = summarize(&tx, &opts).unwrap();
        add_behaviour(&mut customers, &summary, &opts, as_of, &mut log).unwrap();
        let col = |n: &str| {
            customers
                .column(n)
                .unwrap()
                .data
                .as_numbers()
                .unwrap()
                .to_vec()
        };
        // A: invoice 1 (2×10 + 1×5 + 1×0 = 25, its last line after B's) on Dec 1; invoice 2 is a
        // return of 10 → 15 net, one purchase invoice.
        assert_eq!(col("frequency"), vec![Some(1.0), Some(1.0), Some(0.0)]);
        assert_eq!(col("monetary"), vec![Some(15.0), Some(100.0), Some(0.0)]);
        assert_eq!(col("avg_basket"), vec![Some(15.0), Some(100.0), Some(0.0)]);
        assert_eq!(col("recency_days"), vec![Some(31.0), Some(214.0), None]);
        assert!(log.entries[0].message.contains("2 of 3 customers"));
        let bad = BehaviourOptions {
            quantity: "qty".into(),
            ..Default::default()
        };
        assert!(matches!(
            summarize(&tx, &bad),
            Err(BehaviourError::UnknownColumn { .. })
        ));
    }
}
