//! One customer's events (sorted by time) → the event features as of a day.

use super::{Event, Kind};
use crate::table::{Column, ColumnData, ColumnType};
use rustc_hash::FxHashMap;

/// Columns added to the customer table, in order (`mobile_share` only with a device column).
pub const COLUMNS: [&str; 11] = [
    "sessions",
    "events_per_session",
    "product_views",
    "add_to_carts",
    "web_purchases",
    "cart_abandonment_rate",
    "days_since_last_activity",
    "mobile_share",
    "events_7d",
    "events_30d",
    "events_90d",
];

/// More than this many seconds without an event ends an inferred session (the analytics norm).
const SESSION_GAP: i64 = 30 * 60;
const DAY: i64 = 86_400;

/// The window's events are those of the `days` whole days before `today` (today excluded).
fn within(e: &Event, today: i32, days: u32) -> bool {
    let end = today as i64 * DAY;
    e.at < end && e.at >= end - days as i64 * DAY
}

pub(super) fn outside_window(events: &[Event], today: i32, days: u32) -> usize {
    events.iter().filter(|e| !within(e, today, days)).count()
}

#[derive(Debug, Default, PartialEq)]
struct Activity {
    sessions: u32,
    events: u32,
    views: u32,
    carts: u32,
    purchases: u32,
    /// Sessions with an add-to-cart, and those of them without a purchase.
    cart_sessions: u32,
    abandoned: u32,
    last_day: Option<i32>,
    with_device: u32,
    mobile: u32,
    bands: [u32; 3],
}

fn activity(events: &[Event], today: i32, days: u32) -> Activity {
    let mut a = Activity::default();
    // Session number → (has a cart, has a purchase); named sessions are numbered first-seen,
    // inferred ones each time the gap since the previous unnamed event exceeds SESSION_GAP.
    let mut flags: Vec<(bool, bool)> = Vec::new();
    let mut named: FxHashMap<u32, usize> = FxHashMap::default();
    let mut last_unnamed: Option<(i64, usize)> = None;
    for e in events {
        let day = e.at.div_euclid(DAY) as i32;
        if day < today {
            a.last_day = Some(a.last_day.map_or(day, |l| l.max(day)));
        }
        for (band, len) in [7, 30, 90].into_iter().enumerate() {
            if within(e, today, len) {
                a.bands[band] += 1;
            }
        }
        if !within(e, today, days) {
            continue;
        }
        let s = match e.session {
            Some(id) => *named.entry(id).or_insert_with(|| {
                flags.push((false, false));
                flags.len() - 1
            }),
            None => match last_unnamed {
                Some((at, s)) if e.at - at <= SESSION_GAP => s,
                _ => {
                    flags.push((false, false));
                    flags.len() - 1
                }
            },
        };
        if e.session.is_none() {
            last_unnamed = Some((e.at, s));
        }
        a.events += 1;
        match e.kind {
            Kind::View => a.views += 1,
            Kind::Cart => {
                a.carts += 1;
                flags[s].0 = true;
            }
            Kind::Purchase => {
                a.purchases += 1;
                flags[s].1 = true;
            }
            Kind::Other => {}
        }
        if let Some(m) = e.mobile {
            a.with_device += 1;
            a.mobile += m as u32;
        }
    }
    a.sessions = flags.len() as u32;
    a.cart_sessions = flags.iter().filter(|f| f.0).count() as u32;
    a.abandoned = flags.iter().filter(|f| f.0 && !f.1).count() as u32;
    a
}

fn ratio(num: u32, den: u32) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The event columns of customers whose events are `rows` (None: no events at all).
pub(super) fn columns<'a>(
    rows: impl Iterator<Item = Option<&'a [Event]>>,
    today: i32,
    days: u32,
    device: bool,
) -> Vec<Column> {
    let mut v: [Vec<Option<f64>>; 11] = Default::default();
    for events in rows {
        let a = events.map_or_else(Activity::default, |e| activity(e, today, days));
        let count = |x: u32| Some(x as f64);
        let values = [
            count(a.sessions),
            ratio(a.events, a.sessions),
            count(a.views),
            count(a.carts),
            count(a.purchases),
            ratio(a.abandoned, a.cart_sessions),
            a.last_day.map(|d| (today - d) as f64),
            ratio(a.mobile, a.with_device),
            count(a.bands[0]),
            count(a.bands[1]),
            count(a.bands[2]),
        ];
        for (col, x) in v.iter_mut().zip(values) {
            col.push(x);
        }
    }
    let rates = [1, 5, 7];
    COLUMNS
        .iter()
        .zip(v)
        .enumerate()
        .filter(|(i, _)| device || *i != 7)
        .map(|(i, (name, data))| {
            let ty = if rates.contains(&i) {
                ColumnType::Number
            } else {
                ColumnType::Integer
            };
            Column::new(*name, ty, ColumnData::Number(data))
        })
        .collect()
}
