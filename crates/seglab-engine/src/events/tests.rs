use super::*;
use crate::table::Column;
use crate::table::{ColumnType, TextColumn};

fn text(name: &str, v: &[Option<&str>]) -> Column {
    Column::new(
        name,
        ColumnType::Text,
        ColumnData::Text(v.iter().copied().collect::<TextColumn>()),
    )
}

fn times(v: &[Option<&str>]) -> Column {
    let secs = v
        .iter()
        .map(|s| {
            s.map(|s| {
                chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                    .unwrap()
                    .and_utc()
                    .timestamp()
            })
        })
        .collect();
    Column::new(
        "event_time",
        ColumnType::DateTime,
        ColumnData::DateTime(secs),
    )
}

fn numbers(t: &Table, name: &str) -> Vec<Option<f64>> {
    t.column(name).unwrap().data.as_numbers().unwrap().to_vec()
}

/// (customer, time, event, device) of one hand-made log row.
type Row<'a> = (Option<&'a str>, Option<&'a str>, &'a str, Option<&'a str>);

const AS_OF: (i32, u32, u32) = (2026, 1, 1);

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).unwrap()
}

/// As of 2026-01-01 with the default 90-day window, which starts on 2025-10-03.
fn log() -> Table {
    #[rustfmt::skip]
    let rows: [Row; 15] = [
        (Some("A"), Some("2025-12-31 10:00"), "page_view", Some("mobile")),
        (Some("A"), Some("2025-12-31 10:20"), "product_view", Some("mobile")),
        (Some("A"), Some("2025-12-31 10:50"), "Add_To_Cart", Some("Mobile")),
        (Some("A"), Some("2025-12-31 11:30"), "page_view", Some("desktop")),
        (Some("A"), Some("2025-12-20 09:00"), "add_to_cart", Some("desktop")),
        (Some("A"), Some("2025-12-20 09:10"), "purchase", Some("iPhone")),
        (Some("A"), Some("2025-09-01 12:00"), "page_view", Some("android")),
        (Some("A"), Some("2026-01-01 08:00"), "page_view", Some("desktop")),
        (Some(" B "), Some("2025-12-29 12:00"), "product_view", None),
        (Some("B"), Some("2025-12-29 12:05"), "checkout", Some("tablet")),
        (Some("B"), Some("2025-10-10 08:00"), "page_view", Some("tablet")),
        (Some(""), Some("2025-12-30 09:00"), "product_view", Some("mobile")),
        (None, Some("2025-12-30 09:01"), "purchase", Some("mobile")),
        (Some("B"), None, "page_view", Some("tablet")),
        (Some("D"), Some("2025-12-15 09:00"), "page_view", Some("desktop")),
    ];
    Table::new(vec![
        text("user_id", &rows.map(|r| r.0)),
        times(&rows.map(|r| r.1)),
        text("event", &rows.map(|r| Some(r.2))),
        text("device", &rows.map(|r| r.3)),
    ])
}

#[test]
fn sessions_window_abandonment_shares_and_bands_by_hand() {
    let events = summarize(&log(), &EventsOptions::default()).unwrap();
    // Two anonymous rows (blank and missing id); B's row without a time is not placed.
    assert_eq!(
        (events.rows_read, events.anonymous, events.undated),
        (15, 2, 1)
    );
    let mut customers = Table::new(vec![text("user_id", &[Some("A"), Some("B"), Some("C")])]);
    let mut clean_log = CleaningLog::default();
    add_events(&mut customers, &events, as_of(), &mut clean_log).unwrap();
    let col = |n: &str| numbers(&customers, n);
    // A's window events: Dec 20 09:00 cart, 09:10 purchase (one session: 10 min apart); Dec 31
    // 10:00, 10:20, 10:50 (gaps of 20 and exactly 30 minutes: one session) and 11:30 (40
    // minutes later: a new one). Sep 1 is before the window, Jan 1 is the as-of day itself.
    // B: Oct 10 08:00 alone; Dec 29 12:00 and 12:05 together.
    assert_eq!(col("sessions"), vec![Some(3.0), Some(2.0), Some(0.0)]);
    // A: 6 events / 3 sessions; B: 3 / 2; C: no sessions, no rate.
    assert_eq!(col("events_per_session"), vec![Some(2.0), Some(1.5), None]);
    // A: page, product, page on Dec 31; B: Oct 10 page and Dec 29 product.
    assert_eq!(col("product_views"), vec![Some(3.0), Some(2.0), Some(0.0)]);
    // Event names compare without case: "Add_To_Cart" is a cart.
    assert_eq!(col("add_to_carts"), vec![Some(2.0), Some(0.0), Some(0.0)]);
    assert_eq!(col("web_purchases"), vec![Some(1.0), Some(0.0), Some(0.0)]);
    // A: the Dec 20 cart session bought, the Dec 31 morning one did not → 1 / 2. B has no
    // cart session, so no rate.
    assert_eq!(col("cart_abandonment_rate"), vec![Some(0.5), None, None]);
    // Last event before the as-of day: A Dec 31 (1 day), B Dec 29 (3 days).
    assert_eq!(
        col("days_since_last_activity"),
        vec![Some(1.0), Some(3.0), None]
    );
    // A: of 6 window events, mobile, mobile, Mobile and iPhone → 4 / 6. B: of the 2 with a
    // device, both tablets → 0.
    assert_eq!(col("mobile_share"), vec![Some(4.0 / 6.0), Some(0.0), None]);
    // 7 days = Dec 25–31: A's 4 on Dec 31, B's 2 on Dec 29. 30 days = from Dec 2: A adds the
    // two on Dec 20. 90 days = the window: B adds Oct 10.
    assert_eq!(col("events_7d"), vec![Some(4.0), Some(2.0), Some(0.0)]);
    assert_eq!(col("events_30d"), vec![Some(6.0), Some(2.0), Some(0.0)]);
    assert_eq!(col("events_90d"), vec![Some(6.0), Some(3.0), Some(0.0)]);
    assert_eq!(
        customers.column("sessions").unwrap().ty,
        ColumnType::Integer
    );
    let entry = &clean_log.entries[0];
    assert_eq!(entry.step, "events");
    // Outside: A's Sep 1 and Jan 1. Customers with events: A, B, D; matched: A and B.
    assert!(
        entry.message.starts_with(
            "15 events read, 2 anonymous (counted, not joined), 2 outside the 90-day window, \
             1 without a readable timestamp; 3 customers with events, 2 of 3 in the table matched"
        ),
        "{}",
        entry.message
    );
}

#[test]
fn named_sessions_span_gaps_and_a_short_window_cuts() {
    let t = Table::new(vec![
        text("customer_id", &[Some("E"), Some("E"), Some("E"), Some("E")]),
        times(&[
            Some("2025-12-31 10:00"),
            Some("2025-12-31 13:00"),
            Some("2025-12-31 14:00"),
            Some("2025-12-20 14:00"),
        ]),
        text(
            "action",
            &[Some("cart"), Some("buy"), Some("cart"), Some("cart")],
        ),
        text(
            "session_id",
            &[Some("s1"), Some("s1"), Some("s2"), Some("s3")],
        ),
    ]);
    let opts = EventsOptions {
        window_days: 7,
        types: EventTypes {
            view: vec![],
            cart: vec!["cart".into()],
            purchase: vec!["buy".into()],
        },
        ..Default::default()
    };
    let events = summarize(&t, &opts).unwrap();
    assert_eq!(events.roles.session.as_deref(), Some("session_id"));
    let mut customers = Table::new(vec![text("customer_id", &[Some("E")])]);
    add_events(
        &mut customers,
        &events,
        as_of(),
        &mut CleaningLog::default(),
    )
    .unwrap();
    // The 7-day window (Dec 25–31) leaves out s3. s1 is one session despite its 3-hour gap and
    // bought; s2 carted without buying → 2 sessions, abandonment 1 / 2.
    assert_eq!(numbers(&customers, "sessions"), vec![Some(2.0)]);
    assert_eq!(numbers(&customers, "add_to_carts"), vec![Some(2.0)]);
    assert_eq!(
        numbers(&customers, "cart_abandonment_rate"),
        vec![Some(0.5)]
    );
    // No device column: no mobile share at all.
    assert!(customers.column("mobile_share").is_none());
}

#[test]
fn bad_timestamps_and_missing_join_columns_are_errors() {
    let t = Table::new(vec![
        text("customer_id", &[Some("E")]),
        text("timestamp", &[Some("yesterday")]),
        text("event", &[Some("page_view")]),
    ]);
    assert!(matches!(
        summarize(&t, &EventsOptions::default()),
        Err(EventsError::WrongType {
            option: "timestamp",
            ..
        })
    ));
    let events = summarize(&log(), &EventsOptions::default()).unwrap();
    let mut customers = Table::new(vec![text("customer_id", &[Some("A")])]);
    assert!(matches!(
        add_events(
            &mut customers,
            &events,
            as_of(),
            &mut CleaningLog::default()
        ),
        Err(EventsError::UnknownColumn {
            option: "customer",
            ..
        })
    ));
}

#[test]
fn the_recipe_table_parses_round_trips_and_resolves_its_file_next_to_the_recipe() {
    use crate::recipe::Recipe;
    let text = r#"
[events]
file = "clicks.csv"
event_type = "action"
window_days = 30
types = { view = ["view"], cart = ["cart"], purchase = ["order"] }
[events.load]
delimiter = ";"
"#;
    let dir = std::env::temp_dir().join(format!("seglab-events-recipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("r.toml");
    std::fs::write(&path, text).unwrap();
    let r = Recipe::from_file(&path).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let e = r.events.clone().unwrap();
    // Made absolute next to the recipe, wherever seglab runs from.
    assert_eq!(
        e.file.as_deref().map(std::path::PathBuf::from),
        Some(dir.join("clicks.csv"))
    );
    assert_eq!(
        (e.window_days, e.event_type.as_deref()),
        (30, Some("action"))
    );
    assert_eq!(e.types.purchase, vec!["order".to_string()]);
    assert_eq!(e.load.delimiter.0, Some(b';'));
    let again = Recipe::parse(&r.to_toml(), std::path::Path::new("copy.toml")).unwrap();
    assert_eq!(again, r);
    // Left out: the documented defaults; misspelt keys are refused by name.
    let d = Recipe::parse("[events]\n", std::path::Path::new("r.toml")).unwrap();
    assert_eq!(d.events.unwrap(), EventsOptions::default());
    let bad = Recipe::parse("[events]\nwindow = 7\n", std::path::Path::new("r.toml"));
    assert!(bad.unwrap_err().to_string().contains("window"));
}
