//! Behaviour from web events: a click-stream log (page views, add-to-carts, purchases) read into
//! a compact per-customer list (`summarize`), then made into feature columns of the customer
//! table as of the run's date (`add_events`): sessions, views, carts, abandonment, recency of
//! activity, mobile share and event counts by recency band.

mod activity;
pub mod load;
mod roles;
#[cfg(test)]
mod tests;

pub use activity::COLUMNS;
pub use roles::{resolve as resolve_roles, EventRoles};

use crate::clean::CleaningLog;
use crate::load::LoadOptions;
use crate::table::{date_to_days, ColumnData, Table};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// The recipe's `[events]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventsOptions {
    /// The event log, relative to the recipe's folder (made absolute when the recipe is read).
    pub file: Option<String>,
    /// Column naming the customer, in the log and in the customer table.
    pub customer: Option<String>,
    pub timestamp: Option<String>,
    pub event_type: Option<String>,
    pub session: Option<String>,
    pub device: Option<String>,
    /// Days before the as-of date whose events count towards sessions, views, carts and shares.
    pub window_days: u32,
    pub types: EventTypes,
    /// How to read the log: the `[load]` keys.
    pub load: LoadOptions,
}

/// Which event values mean what (compared trimmed, ignoring case); others are only counted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventTypes {
    pub view: Vec<String>,
    pub cart: Vec<String>,
    pub purchase: Vec<String>,
}

impl Default for EventTypes {
    fn default() -> Self {
        let list = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        EventTypes {
            view: list(&["page_view", "product_view"]),
            cart: list(&["add_to_cart"]),
            purchase: list(&["purchase"]),
        }
    }
}

impl Default for EventsOptions {
    fn default() -> Self {
        EventsOptions {
            file: None,
            customer: None,
            timestamp: None,
            event_type: None,
            session: None,
            device: None,
            window_days: 90,
            types: EventTypes::default(),
            load: LoadOptions::default(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EventsError {
    #[error(
        "events.{option}: column '{column}' is not in the {which} table (columns: {available})"
    )]
    UnknownColumn {
        option: &'static str,
        column: String,
        which: &'static str,
        available: String,
    },
    #[error("events.{option}: column '{column}' is {actual}; it needs {wanted}")]
    WrongType {
        option: &'static str,
        column: String,
        actual: &'static str,
        wanted: &'static str,
    },
    #[error(
        "the event log has no column for the {role} (guessed: {guessed}; columns: {available}); \
         name it with events.{role} in the recipe"
    )]
    MissingRole {
        role: &'static str,
        guessed: String,
        available: String,
    },
}

pub(crate) fn unknown_column(
    table: &Table,
    option: &'static str,
    name: &str,
    which: &'static str,
) -> EventsError {
    EventsError::UnknownColumn {
        option,
        column: name.to_string(),
        which,
        available: crate::load::describe_columns(&table.names()),
    }
}

/// What an event means for the features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    View,
    Cart,
    Purchase,
    Other,
}

/// One event of a known customer, small enough to keep every one: the window and the recency
/// bands depend on the as-of date, which is only known when the customers are prepared.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Event {
    /// Seconds since 1970-01-01 (midnight for date-only timestamps).
    at: i64,
    kind: Kind,
    /// The session column's value, numbered across the log; None: inferred by the gap.
    session: Option<u32>,
    /// None when the log has no device column or this event's device is missing.
    mobile: Option<bool>,
}

/// The event log per customer id, with what reading it found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Events {
    per_customer: FxHashMap<String, Vec<Event>>,
    pub roles: EventRoles,
    pub window_days: u32,
    pub rows_read: usize,
    /// Events without a customer id: counted, not joined to anyone.
    pub anonymous: usize,
    /// Events of a customer without a readable timestamp.
    pub undated: usize,
}

impl Events {
    /// Customers with at least one (dated) event.
    pub fn customers(&self) -> usize {
        self.per_customer.len()
    }
}

fn is_mobile(device: &str) -> bool {
    let d = device.to_lowercase();
    ["mobile", "phone", "android", "ios"]
        .iter()
        .any(|m| d.contains(m))
}

/// Reads the log into per-customer event lists, sorted by time.
pub fn summarize(log: &Table, opts: &EventsOptions) -> Result<Events, EventsError> {
    let roles = resolve_roles(log, opts)?;
    let col = |n: &str| log.column(n).expect("roles are resolved against the table");
    let who = col(&roles.customer);
    let when = col(&roles.timestamp);
    if !matches!(when.data, ColumnData::Date(_) | ColumnData::DateTime(_)) {
        return Err(EventsError::WrongType {
            option: "timestamp",
            column: when.name.clone(),
            actual: when.ty.name(),
            wanted: "dates or date-times (set events.load.date_formats)",
        });
    }
    let what = col(&roles.event_type);
    let session = roles.session.as_deref().map(col);
    let device = roles.device.as_deref().map(col);
    let of_kind =
        |list: &[String]| -> Vec<String> { list.iter().map(|s| s.trim().to_lowercase()).collect() };
    let (views, carts, buys) = (
        of_kind(&opts.types.view),
        of_kind(&opts.types.cart),
        of_kind(&opts.types.purchase),
    );
    let mut events = Events {
        roles: roles.clone(),
        window_days: opts.window_days,
        rows_read: log.n_rows(),
        ..Default::default()
    };
    let mut sessions: FxHashMap<String, u32> = FxHashMap::default();
    for r in 0..log.n_rows() {
        let Some(id) = who.data.text_at(r).filter(|s| !s.trim().is_empty()) else {
            events.anonymous += 1;
            continue;
        };
        let at = match &when.data {
            ColumnData::Date(v) => v[r].map(|d| d as i64 * 86_400),
            ColumnData::DateTime(v) => v[r],
            _ => None,
        };
        let Some(at) = at else {
            events.undated += 1;
            continue;
        };
        let name = what
            .data
            .text_at(r)
            .map(|s| s.trim().to_lowercase())
            .unwrap_or_default();
        let kind = if views.contains(&name) {
            Kind::View
        } else if carts.contains(&name) {
            Kind::Cart
        } else if buys.contains(&name) {
            Kind::Purchase
        } else {
            Kind::Other
        };
        let session = session
            .and_then(|c| c.data.text_at(r))
            .filter(|s| !s.trim().is_empty())
            .map(|s| match sessions.get(s.trim()) {
                Some(&n) => n,
                None => {
                    let next = sessions.len() as u32;
                    sessions.insert(s.trim().to_string(), next);
                    next
                }
            });
        let mobile = device
            .and_then(|c| c.data.text_at(r))
            .filter(|s| !s.trim().is_empty())
            .map(|s| is_mobile(&s));
        let event = Event {
            at,
            kind,
            session,
            mobile,
        };
        // Looked up before inserting: an owned key per row would allocate for every event.
        match events.per_customer.get_mut(id.trim()) {
            Some(list) => list.push(event),
            None => {
                events
                    .per_customer
                    .insert(id.trim().to_string(), vec![event]);
            }
        }
    }
    for list in events.per_customer.values_mut() {
        list.sort_by_key(|e| e.at);
    }
    Ok(events)
}

/// Adds the event columns to `customers` as of `as_of`, and one "events" entry to the cleaning
/// log with what was read, left anonymous, fell outside the window and was matched.
pub fn add_events(
    customers: &mut Table,
    events: &Events,
    as_of: NaiveDate,
    log: &mut CleaningLog,
) -> Result<(), EventsError> {
    let key = &events.roles.customer;
    let ids = customers
        .column(key)
        .ok_or_else(|| unknown_column(customers, "customer", key, "customer"))?;
    let n = customers.n_rows();
    let found: Vec<Option<&[Event]>> = (0..n)
        .map(|r| {
            ids.data
                .text_at(r)
                .and_then(|id| events.per_customer.get(id.trim()))
                .map(Vec::as_slice)
        })
        .collect();
    let matched = found.iter().filter(|f| f.is_some()).count();
    let today = date_to_days(as_of);
    let outside: usize = events
        .per_customer
        .values()
        .map(|list| activity::outside_window(list, today, events.window_days))
        .sum();
    let columns = activity::columns(
        found.into_iter(),
        today,
        events.window_days,
        events.roles.device.is_some(),
    );
    let added = columns.len();
    for c in columns {
        customers.put(c);
    }
    let undated = if events.undated > 0 {
        format!(", {} without a readable timestamp", events.undated)
    } else {
        String::new()
    };
    log.add(
        "events",
        None,
        format!(
            "{} events read, {} anonymous (counted, not joined), {} outside the {}-day window{undated}; \
             {} customers with events, {matched} of {n} in the table matched",
            events.rows_read,
            events.anonymous,
            outside,
            events.window_days,
            events.customers(),
        ),
        (n, n),
        n * added,
    );
    Ok(())
}
