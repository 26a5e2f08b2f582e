//! Behaviour features from a transaction log, joined to the customer table: how often each
//! customer buys (frequency), how much (monetary, avg_basket) and how recently (recency_days).

use crate::engine::clean::CleaningLog;
use crate::engine::table::{date_to_days, Column, ColumnData, ColumnType, Table};
use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
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

#[derive(Default)]
struct Totals<'a> {
    invoices: FxHashSet<Cow<'a, str>>,
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
            available: table.names().join(", "),
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

/// Add the behaviour features to `customers`. Purchases (positive quantity) count towards
/// frequency and recency; returns (negative quantity) reduce monetary. Rows without a customer are
/// skipped; customers without purchases get frequency 0, monetary 0 and no recency (missing).
pub fn add_behaviour(
    customers: &mut Table,
    transactions: &Table,
    opts: &BehaviourOptions,
    as_of: NaiveDate,
    log: &mut CleaningLog,
) -> Result<(), BehaviourError> {
    let who = find(transactions, "customer", &opts.customer, "transactions")?;
    let invoice = find(transactions, "invoice", &opts.invoice, "transactions")?;
    let when = find(transactions, "timestamp", &opts.timestamp, "transactions")?;
    let qty = numbers(transactions, "quantity", &opts.quantity)?;
    let price = numbers(transactions, "unit_price", &opts.unit_price)?;
    let day = |r: usize| -> Option<i32> {
        match &when.data {
            ColumnData::Date(v) => v[r],
            ColumnData::DateTime(v) => v[r].map(|s| s.div_euclid(86_400) as i32),
            _ => None,
        }
    };
    if !matches!(when.data, ColumnData::Date(_) | ColumnData::DateTime(_)) {
        return Err(BehaviourError::WrongType {
            option: "timestamp",
            column: opts.timestamp.clone(),
            actual: when.ty.name(),
            wanted: "dates or date-times",
        });
    }
    let mut totals: FxHashMap<Cow<str>, Totals> = FxHashMap::default();
    let mut skipped = 0;
    for r in 0..transactions.n_rows() {
        let (Some(id), Some(q), Some(p)) = (who.data.text_at(r), qty[r], price[r]) else {
            skipped += 1;
            continue;
        };
        let t = totals.entry(id).or_default();
        t.spend += q * p;
        if q > 0.0 {
            if let Some(inv) = invoice.data.text_at(r) {
                t.invoices.insert(inv);
            }
            t.last_day = t.last_day.max(day(r));
        }
    }
    let ids = find(customers, "customer", &opts.customer, "customer")?;
    let today = date_to_days(as_of);
    let n = customers.n_rows();
    let mut cols: [Vec<Option<f64>>; 4] = Default::default();
    let mut matched = 0;
    for r in 0..n {
        let t = ids.data.text_at(r).and_then(|id| totals.get(&id));
        matched += t.is_some() as usize;
        let freq = t.map_or(0.0, |t| t.invoices.len() as f64);
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
            skipped,
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
    use crate::engine::table::TextColumn;

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
                &[Some("A"), Some("A"), Some("A"), Some("B"), None],
            ),
            text(
                "invoice_id",
                &[Some("1"), Some("1"), Some("2"), Some("3"), Some("4")],
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
                ]),
            ),
            num(
                "quantity",
                &[Some(2.0), Some(1.0), Some(-1.0), Some(1.0), Some(5.0)],
            ),
            num(
                "unit_price",
                &[Some(10.0), Some(5.0), Some(10.0), Some(100.0), Some(1.0)],
            ),
        ]);
        let mut customers = Table::new(vec![text(
            "customer_id",
            &[Some("A"), Some("B"), Some("C")],
        )]);
        let mut log = CleaningLog::default();
        let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        add_behaviour(
            &mut customers,
            &tx,
            &BehaviourOptions::default(),
            as_of,
            &mut log,
        )
        .unwrap();
        let col = |n: &str| {
            customers
                .column(n)
                .unwrap()
                .data
                .as_numbers()
                .unwrap()
                .to_vec()
        };
        // A: invoice 1 (2×10 + 1×5 = 25) on Dec 1; invoice 2 is a return of 10 → 15 net, one purchase invoice.
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
            add_behaviour(&mut customers, &tx, &bad, as_of, &mut log),
            Err(BehaviourError::UnknownColumn { .. })
        ));
    }
}
