//! `seglab run` and `seglab apply` with an `[events]` web log next to the recipe: the event
//! features in segments.csv, computed by hand below; apply without the log names what is missing.

mod common;
use common::{seglab, text, Scratch};
use std::collections::HashMap;
use std::path::Path;

const CUSTOMERS: &str = "\
customer_id,income,age
C1,30000,25
C2,32000,31
C3,80000,45
C4,82000,52
C5,31000,28
C6,79000,49
C7,33000,35
C8,81000,60
";

// As of 2026-01-01 with a 30-day window: Dec 2 – Dec 31.
const EVENTS: &str = "\
customer_id,timestamp,event_type,device
C1,2025-12-30 10:00:00,view,Android
C1,2025-12-30 10:10:00,cart,Android
C1,2025-12-30 11:00:00,view,desktop
C1,2025-12-30 11:05:00,order,desktop
C1,2025-11-15 09:00:00,view,desktop
C2,2025-12-10 08:00:00,cart,ios
C2,2025-12-10 08:20:00,view,ios
C2,2025-12-10 08:25:00,order,ios
,2025-12-31 12:00:00,view,mobile
C9,2025-12-31 12:00:00,view,mobile
";

const RECIPE: &str = r#"
[events]
file = "events.csv"
window_days = 30
types = { view = ["view"], cart = ["cart"], purchase = ["order"] }

[features]
columns = ["income", "age", "sessions"]
as_of = "2026-01-01"

[cluster]
algorithm = "kmeans"
k = 2
"#;

/// customer → the row's cells by column name.
fn rows(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let m: HashMap<String, String> = h
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect();
            (m["customer_id"].clone(), m)
        })
        .collect()
}

/// The event columns of `id`, as numbers (None: empty cell).
fn features(rows: &HashMap<String, HashMap<String, String>>, id: &str) -> Vec<Option<f64>> {
    [
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
    ]
    .iter()
    .map(|c| {
        let cell = rows[id].get(*c).unwrap_or_else(|| panic!("no column {c}"));
        (!cell.is_empty()).then(|| cell.parse().unwrap())
    })
    .collect()
}

fn check(rows: &HashMap<String, HashMap<String, String>>) {
    // C1 in the window: 10:00 view, 10:10 cart (one session), 11:00 view and 11:05 order (50
    // minutes later: a second session); Nov 15 is before the window but within 90 days.
    // 4 events / 2 sessions = 2; the cart session bought nothing → abandonment 1 / 1; last
    // activity Dec 30 → 2 days; 2 Android of 4 → 0.5 mobile; 7d and 30d: 4, 90d: 5.
    assert_eq!(
        features(rows, "C1"),
        [2., 2., 2., 1., 1., 1., 2., 0.5, 4., 4., 5.]
            .map(Some)
            .to_vec()
    );
    // C2: one session on Dec 10 (gaps of 20 and 5 minutes) with a cart and an order → 0 of 1
    // abandoned; 22 days since; all 3 on iOS; nothing in the last 7 days.
    assert_eq!(
        features(rows, "C2"),
        [1., 3., 1., 1., 1., 0., 22., 1., 0., 3., 3.]
            .map(Some)
            .to_vec()
    );
    // C3 has no events: zero counts, no rates, no recency.
    let zero = Some(0.0);
    assert_eq!(
        features(rows, "C3"),
        vec![zero, None, zero, zero, zero, None, None, None, zero, zero, zero]
    );
}

#[test]
fn run_and_apply_carry_the_event_features() {
    let s = Scratch::new("web-events");
    let customers = s.file("customers.csv", CUSTOMERS.as_bytes());
    s.file("events.csv", EVENTS.as_bytes());
    let recipe = s.file("recipe.toml", RECIPE.as_bytes());
    let out = s.path("run");
    let o = seglab(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        customers.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "run failed: {stdout}\n{stderr}");
    check(&rows(&out.join("segments.csv")));

    // apply re-reads the events file the model was fitted with, as of the model's date.
    let applied = s.path("applied");
    let o = seglab(&[
        "apply",
        "--model",
        out.join("model.json").to_str().unwrap(),
        customers.to_str().unwrap(),
        "--out",
        applied.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "apply failed: {stdout}\n{stderr}");
    check(&rows(&applied.join("segments.csv")));

    // Without the log, the model's `sessions` feature cannot be computed: apply says so.
    std::fs::rename(s.path("events.csv"), s.path("moved.csv")).unwrap();
    let o = seglab(&[
        "apply",
        "--model",
        out.join("model.json").to_str().unwrap(),
        customers.to_str().unwrap(),
        "--out",
        s.path("again").to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(!o.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("event log is not there") && stderr.contains("sessions"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
