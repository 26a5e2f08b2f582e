//! Behaviour features from a transaction log: the log is cleaned by hygiene rules and summed
//! per customer (`summarize`), then joined to the customer table (`add_behaviour`) or made into
//! one (`customers_from_log`): how often each customer buys (frequency), how much (monetary,
//! avg_basket), how recently (recency_days) and since when.

mod codes;
pub(crate) mod roles;
mod stream;
mod summarize;

pub use roles::{resolve as resolve_roles, Roles};
pub use stream::{summarize_log, summarize_streaming, LogError, LogReading};
pub use summarize::{describe_roles, summarize, Hygiene, RuleCount};

use crate::clean::CleaningLog;
use crate::load::LoadOptions;
use crate::table::{date_to_days, Column, ColumnData, ColumnType, Table, TextColumn};
use chrono::NaiveDate;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// The recipe's `[transactions]` table: which log to read, which of its columns mean what (each
/// guessed from common names when left out), and the hygiene rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BehaviourOptions {
    /// The transaction file, relative to the recipe's folder (or given with --transactions).
    pub file: Option<String>,
    /// Column naming the customer, in the log and in the customer table.
    pub customer: Option<String>,
    pub invoice: Option<String>,
    pub timestamp: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
    /// A line total, for logs without quantity × unit price (CDNOW's dollar_value).
    pub amount: Option<String>,
    pub product: Option<String>,
    /// Invoices starting with this are cancellations (Online Retail's "C536379"); "" for none.
    pub cancel_prefix: String,
    pub returns: Returns,
    /// Product codes that are not products (postage, fees): their lines are left out.
    pub exclude_products: Vec<String>,
    /// Date window "YYYY-MM-DD" (inclusive); lines outside it are left out.
    pub from: Option<String>,
    pub to: Option<String>,
    /// How to read the log: the `[load]` keys (delimiter, types, date_formats, ...).
    pub load: LoadOptions,
    /// The RFM segment map a front end read from the user's config folder (None: the built-in
    /// one). Not in the saved recipe: the model keeps the map the run used.
    #[serde(skip)]
    pub rfm_map: Option<crate::rfm::RfmSegmentMap>,
}

impl Default for BehaviourOptions {
    fn default() -> Self {
        BehaviourOptions {
            file: None,
            customer: None,
            invoice: None,
            timestamp: None,
            quantity: None,
            unit_price: None,
            amount: None,
            product: None,
            cancel_prefix: "C".into(),
            returns: Returns::default(),
            exclude_products: Vec::new(),
            from: None,
            to: None,
            load: LoadOptions::default(),
            rfm_map: None,
        }
    }
}

/// What cancellations and returns (negative quantity, or a cancel-prefixed invoice) do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Returns {
    /// Left out (with a count): customers are judged on what they bought.
    #[default]
    Exclude,
    /// Subtracted from monetary; frequency and recency count purchases only.
    Net,
}

/// Columns added to a customer table, in order. The first four are the long-standing features.
pub const FEATURES: [&str; 4] = ["frequency", "monetary", "avg_basket", "recency_days"];
/// More per-customer columns from the log (dates, spans, products).
pub const EXTRA: [&str; 5] = [
    "first_purchase",
    "last_purchase",
    "days_since_first_purchase",
    "mean_days_between_purchases",
    "distinct_products",
];

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
    #[error(
        "the transaction log has no column for the {role} (guessed: {guessed}; columns: {available}); name it with transactions.{role} in the recipe or --{flag}",
        flag = role.replace('_', "-")
    )]
    MissingRole {
        role: &'static str,
        guessed: String,
        available: String,
    },
    #[error("transactions.{option} '{value}' is not a date like 2011-12-31")]
    BadDate { option: &'static str, value: String },
    #[error("the transaction log has no purchases left after the hygiene rules ({hygiene})")]
    NoPurchases { hygiene: String },
}

pub(crate) fn unknown_column(
    table: &Table,
    option: &'static str,
    name: &str,
    which: &'static str,
) -> BehaviourError {
    BehaviourError::UnknownColumn {
        option,
        column: name.to_string(),
        which,
        // Never the first line of a file that is not a table (it may be /etc/shadow).
        available: crate::load::describe_columns(&table.names()),
    }
}

/// What the behaviour features need from a transaction log, per customer id. Much smaller than
/// the log, which can be freed before the customers are cleaned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Behaviour {
    per_customer: FxHashMap<String, Totals>,
    pub hygiene: Hygiene,
    /// The last purchase day in the log after the hygiene rules (days since 1970-01-01).
    pub last_day: Option<i32>,
    pub roles: Roles,
    /// The log's column names, in file order (for choosing other roles).
    pub columns: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Totals {
    /// Distinct invoices with a purchase (distinct timestamps when the log has no invoices).
    purchases: u32,
    /// Net spend in billionths: integer sums are the same in any order, so a log read in
    /// parallel parts sums to exactly what one pass gives.
    spend: i128,
    first_day: Option<i32>,
    last_day: Option<i32>,
    products: Option<u32>,
}

impl Totals {
    fn buy(&mut self, value: f64, day: i32) {
        self.spend += nanos(value);
        self.first_day = Some(self.first_day.map_or(day, |f| f.min(day)));
        self.last_day = Some(self.last_day.map_or(day, |l| l.max(day)));
    }

    fn refund(&mut self, amount: f64) {
        self.spend -= nanos(amount);
    }

    /// Adds another part of the same customer's log (purchases and products are counted
    /// after all parts are in).
    fn absorb(&mut self, other: &Totals) {
        self.spend += other.spend;
        for (mine, theirs, pick) in [
            (
                &mut self.first_day,
                other.first_day,
                i32::min as fn(i32, i32) -> i32,
            ),
            (&mut self.last_day, other.last_day, i32::max),
        ] {
            *mine = match (*mine, theirs) {
                (Some(a), Some(b)) => Some(pick(a, b)),
                (a, b) => a.or(b),
            };
        }
    }
}

impl Behaviour {
    /// The default as-of date: the day after the last purchase.
    pub fn default_as_of(&self) -> Option<NaiveDate> {
        crate::table::days_to_date(self.last_day? + 1)
    }

    /// Customers in the log with at least one purchase.
    pub fn buyers(&self) -> usize {
        self.per_customer
            .values()
            .filter(|t| t.purchases > 0)
            .count()
    }

    fn has_products(&self) -> bool {
        self.roles.product.is_some()
    }
}

/// An amount in billionths (exact to a billionth; beyond 2^53 billionths as exact as f64).
pub(crate) fn nanos(x: f64) -> i128 {
    (x * 1e9).round() as i128
}

pub(crate) fn from_nanos(n: i128) -> f64 {
    n as f64 / 1e9
}

/// The behaviour columns of customers whose totals are `rows` (None: no activity).
fn columns_for<'a>(
    rows: impl Iterator<Item = Option<&'a Totals>>,
    today: i32,
    products: bool,
) -> Vec<Column> {
    let mut nums: [Vec<Option<f64>>; 7] = Default::default();
    let mut dates: [Vec<Option<i32>>; 2] = Default::default();
    for t in rows {
        let freq = t.map_or(0.0, |t| t.purchases as f64);
        let spend = crate::stats::tidy(t.map_or(0.0, |t| from_nanos(t.spend)));
        let (first, last) = (t.and_then(|t| t.first_day), t.and_then(|t| t.last_day));
        nums[0].push(Some(freq));
        nums[1].push(Some(spend));
        nums[2].push(Some(if freq > 0.0 {
            crate::stats::tidy(spend / freq)
        } else {
            0.0
        }));
        nums[3].push(last.map(|d| (today - d) as f64));
        nums[4].push(first.map(|d| (today - d) as f64));
        nums[5].push(match (first, last) {
            (Some(f), Some(l)) if freq > 1.0 => {
                Some(crate::stats::tidy((l - f) as f64 / (freq - 1.0)))
            }
            _ => None,
        });
        nums[6].push(Some(t.and_then(|t| t.products).unwrap_or(0) as f64));
        dates[0].push(first);
        dates[1].push(last);
    }
    let [freq, spend, basket, recency, since_first, between, products_col] = nums;
    let [first, last] = dates;
    let int = |name: &str, v| Column::new(name, ColumnType::Integer, ColumnData::Number(v));
    let num = |name: &str, v| Column::new(name, ColumnType::Number, ColumnData::Number(v));
    let date = |name: &str, v| Column::new(name, ColumnType::Date, ColumnData::Date(v));
    let mut out = vec![
        int("frequency", freq),
        num("monetary", spend),
        num("avg_basket", basket),
        int("recency_days", recency),
        date("first_purchase", first),
        date("last_purchase", last),
        int("days_since_first_purchase", since_first),
        num("mean_days_between_purchases", between),
    ];
    if products {
        out.push(int("distinct_products", products_col));
    }
    out
}

/// Adds the behaviour columns to `customers`: customers without purchases get frequency 0,
/// monetary 0 and no recency (missing).
pub fn add_behaviour(
    customers: &mut Table,
    behaviour: &Behaviour,
    as_of: NaiveDate,
    log: &mut CleaningLog,
) -> Result<(), BehaviourError> {
    let key = &behaviour.roles.customer;
    let ids = customers
        .column(key)
        .ok_or_else(|| unknown_column(customers, "customer", key, "customer"))?;
    let n = customers.n_rows();
    let found: Vec<Option<&Totals>> = (0..n)
        .map(|r| {
            ids.data
                .text_at(r)
                .and_then(|id| behaviour.per_customer.get(id.trim()))
        })
        .collect();
    let matched = found.iter().filter(|t| t.is_some()).count();
    let known: rustc_hash::FxHashSet<String> = (0..n)
        .filter_map(|r| ids.data.text_at(r).map(|s| s.trim().to_string()))
        .collect();
    let unknown = behaviour
        .per_customer
        .keys()
        .filter(|k| !known.contains(k.as_str()))
        .count();
    let columns = columns_for(
        found.into_iter(),
        date_to_days(as_of),
        behaviour.has_products(),
    );
    let added: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    for c in columns {
        customers.put(c);
    }
    let more = added.len().saturating_sub(FEATURES.len());
    log.add(
        "behaviour",
        None,
        format!(
            "{matched} of {n} customers have transactions ({unknown} customer id(s) of the log \
             are not in the table); added {} and {more} more",
            FEATURES.join(", ")
        ),
        (n, n),
        n * added.len(),
    );
    Ok(())
}

/// The hygiene rules' counts as one cleaning-log entry (the log's rows, not the customers').
pub fn log_hygiene(behaviour: &Behaviour, log: &mut CleaningLog) {
    let h = &behaviour.hygiene;
    let mut parts = vec![format!("columns: {}", describe_roles(&behaviour.roles))];
    parts.extend(h.lines());
    log.add(
        "transactions",
        None,
        format!(
            "{} of {} log lines are purchases; {}",
            h.rows_kept,
            h.rows_read,
            parts.join("; ")
        ),
        (h.rows_read, h.rows_kept),
        0,
    );
}

/// One row per customer of the log with at least one purchase (id order: sorted), with the
/// behaviour columns: the customer table when only a log is given.
pub fn customers_from_log(
    behaviour: &Behaviour,
    as_of: NaiveDate,
) -> Result<Table, BehaviourError> {
    let ids: Vec<(&String, &Totals)> = behaviour
        .per_customer
        .iter()
        .filter(|(_, t)| t.purchases > 0)
        .collect();
    if ids.is_empty() {
        return Err(BehaviourError::NoPurchases {
            hygiene: behaviour.hygiene.lines().join("; "),
        });
    }
    // Numeric ids in numeric order ("2" before "10"), then the rest by text; each id parsed once.
    let mut keyed: Vec<(Option<f64>, &String, &Totals)> = ids
        .into_iter()
        .map(|(id, t)| (id.parse::<f64>().ok(), id, t))
        .collect();
    keyed.par_sort_unstable_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.1.cmp(b.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(b.1),
    });
    let ids: Vec<(&String, &Totals)> = keyed.into_iter().map(|(_, id, t)| (id, t)).collect();
    let id_col: TextColumn = ids.iter().map(|(id, _)| Some(id.as_str())).collect();
    let mut table = Table::new(vec![Column::new(
        behaviour.roles.customer.as_str(),
        ColumnType::Id,
        ColumnData::Text(id_col),
    )]);
    for c in columns_for(
        ids.iter().map(|(_, t)| Some(*t)),
        date_to_days(as_of),
        behaviour.has_products(),
    ) {
        table.put(c);
    }
    Ok(table)
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
    fn sums_lose_their_float_noise_only() {
        assert_eq!(crate::stats::tidy(29.33 + 29.73 + 14.96 + 26.48), 100.5);
        assert_eq!(crate::stats::tidy(1234567.891), 1234567.891);
        assert_eq!(crate::stats::tidy(-0.1 - 0.2), -0.3);
        assert_eq!(crate::stats::tidy(20.353333333333335), 20.3533333333);
        assert_eq!(crate::stats::tidy(0.0), 0.0);
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
        // The sample's names, stated (guessing would take them too).
        let opts = BehaviourOptions {
            customer: Some("customer_id".into()),
            invoice: Some("invoice_id".into()),
            returns: Returns::Net,
            ..Default::default()
        };
        let summary = summarize(&tx, &opts).unwrap();
        add_behaviour(&mut customers, &summary, as_of, &mut log).unwrap();
        let col = |n: &str| {
            customers
                .column(n)
                .unwrap()
                .data
                .as_numbers()
                .unwrap()
                .to_vec()
        };
        // A: invoice 1 (2×10 + 1×5 = 25; its 0-price line is excluded) on Dec 1; invoice 2 is a
        // return of 10, netted → 15, one purchase invoice.
        assert_eq!(col("frequency"), vec![Some(1.0), Some(1.0), Some(0.0)]);
        assert_eq!(col("monetary"), vec![Some(15.0), Some(100.0), Some(0.0)]);
        assert_eq!(col("avg_basket"), vec![Some(15.0), Some(100.0), Some(0.0)]);
        assert_eq!(col("recency_days"), vec![Some(31.0), Some(214.0), None]);
        assert!(log.entries[0].message.contains("2 of 3 customers"));
        let rules: Vec<(&str, usize, f64)> = summary
            .hygiene
            .rules
            .iter()
            .map(|c| (c.rule.as_str(), c.rows, c.amount))
            .collect();
        assert_eq!(
            rules,
            vec![
                ("excluded: no customer id on", 1, 5.0),
                ("excluded: zero or negative price on", 1, 0.0),
                ("netted: cancellations and returns,", 1, -10.0),
            ]
        );
        let bad = BehaviourOptions {
            quantity: Some("qty".into()),
            ..Default::default()
        };
        assert!(matches!(
            summarize(&tx, &bad),
            Err(BehaviourError::UnknownColumn { .. })
        ));
    }
}
