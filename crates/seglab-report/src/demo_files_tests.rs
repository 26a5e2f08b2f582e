//! The demo data set written as files: determinism, no overwrite, content and planted structure.

use std::collections::HashMap;
use std::path::PathBuf;

use super::*;
use chrono::NaiveDate;
use seglab_engine::demo_data::{
    CUSTOMERS_HEADER, MAX_CUSTOMERS, TRANSACTIONS_HEADER, TRUTH_HEADER, WEB_EVENTS_HEADER,
};
use std::fs;

/// A fresh, empty scratch directory per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seglab-demo-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn small(customers: usize, rows: usize) -> DemoOptions {
    DemoOptions {
        customers,
        transactions: rows,
        web_events: rows,
        ..DemoOptions::default()
    }
}

/// Rows split on commas: generated fields never contain commas or quotes.
fn read_rows(path: &Path) -> (String, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    assert!(!text.contains('"'));
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len().max(1) as f64
}

#[test]
fn same_seed_gives_identical_bytes() {
    let (a, b, c) = (scratch("det-a"), scratch("det-b"), scratch("det-c"));
    let opts = small(300, 6000);
    write_demo_data(&a, &opts).unwrap();
    write_demo_data(&b, &opts).unwrap();
    write_demo_data(&c, &DemoOptions { seed: 7, ..opts }).unwrap();
    for f in FILE_NAMES {
        assert_eq!(
            fs::read(a.join(f)).unwrap(),
            fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    assert_ne!(
        fs::read(a.join("customers.csv")).unwrap(),
        fs::read(c.join("customers.csv")).unwrap()
    );
    for d in [a, b, c] {
        fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn refuses_to_overwrite_unless_forced() {
    let dir = scratch("force");
    let opts = small(50, 500);
    write_demo_data(&dir, &opts).unwrap();
    let err = write_demo_data(&dir, &opts).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("customers.csv"), "{err}");
    write_demo_data(
        &dir,
        &DemoOptions {
            force: true,
            ..opts
        },
    )
    .unwrap();
    // No temporary files are left behind.
    assert_eq!(fs::read_dir(&dir).unwrap().count(), FILE_NAMES.len());
    fs::remove_dir_all(dir).unwrap();
}

/// The full behavioural check on one mid-sized set (fast enough in debug).
#[test]
fn content_counts_mess_and_planted_structure() {
    let dir = scratch("content");
    let opts = small(2000, 40_000);
    let s = write_demo_data(&dir, &opts).unwrap();
    assert_eq!((s.customers, s.duplicates), (2000, 40));
    assert_eq!(s.files.len(), 4);

    let (h, cust) = read_rows(&dir.join("customers.csv"));
    assert_eq!(h, CUSTOMERS_HEADER.trim_end());
    let (h, truth) = read_rows(&dir.join("truth.csv"));
    assert_eq!(h, TRUTH_HEADER.trim_end());
    let (h, tx) = read_rows(&dir.join("transactions.csv"));
    assert_eq!(h, TRANSACTIONS_HEADER.trim_end());
    let (h, web) = read_rows(&dir.join("web_events.csv"));
    assert_eq!(h, WEB_EVENTS_HEADER.trim_end());
    assert_eq!(cust.len(), 2040);
    assert_eq!(truth.len(), 2040);
    assert_eq!((tx.len(), web.len()), (40_000, 40_000));
    assert!(cust.iter().all(|r| r.len() == 12));
    assert!(tx.iter().all(|r| r.len() == 8) && web.iter().all(|r| r.len() == 6));

    let by_id: HashMap<&str, &Vec<String>> = cust.iter().map(|r| (r[0].as_str(), r)).collect();
    let seg: HashMap<&str, &str> = truth
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();

    // Duplicates: new id, same normalised email, name differs, spread out.
    let dups: Vec<(usize, &Vec<String>)> = truth
        .iter()
        .enumerate()
        .filter(|(_, r)| !r[2].is_empty())
        .collect();
    assert_eq!(dups.len(), 40);
    assert!(dups.iter().any(|(pos, _)| *pos < 1000));
    for (_, t) in &dups {
        let (d, o) = (by_id[t[0].as_str()], by_id[t[2].as_str()]);
        assert_ne!(d[0], o[0]);
        assert_ne!(d[1], o[1]);
        assert_ne!(d[2], o[2]);
        assert_eq!(d[2].trim().to_lowercase(), o[2]);
        assert_eq!(seg[t[0].as_str()], seg[t[2].as_str()]);
    }

    // Missing cells over income, phone, gender, city, birth_date, channel.
    let blank = cust
        .iter()
        .flat_map(|r| [9, 3, 4, 7, 5, 10].map(|i| r[i].is_empty()))
        .filter(|&b| b)
        .count() as f64
        / (cust.len() * 6) as f64;
    assert!((0.03..0.08).contains(&blank), "blank share {blank}");
    let count = |label: &str| truth.iter().filter(|r| r[3] == label).count();
    assert!((3..=5).contains(&count("age_140")) && (3..=5).contains(&count("income_x100")));

    // Planted types differ in the expected directions.
    let as_of = opts.as_of;
    let days_before =
        |d: &str| (as_of - NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()).num_days() as f64;
    let clean: Vec<&Vec<String>> = cust
        .iter()
        .zip(&truth)
        .filter(|(_, t)| t[2].is_empty() && t[3].is_empty())
        .map(|(c, _)| c)
        .collect();
    let feature = |segment: &str, f: &dyn Fn(&Vec<String>) -> Option<f64>| {
        let v: Vec<f64> = clean
            .iter()
            .filter(|r| seg[r[0].as_str()] == segment)
            .filter_map(|r| f(r))
            .collect();
        mean(&v)
    };
    let income = |r: &Vec<String>| r[9].parse::<f64>().ok();
    let age = |r: &Vec<String>| (!r[5].is_empty()).then(|| days_before(&r[5]) / 365.25);
    let tenure = |r: &Vec<String>| Some(days_before(&r[8]));
    assert!(feature("high_value_loyalist", &income) > 2.0 * feature("bargain_hunter", &income));
    assert!(feature("big_ticket_rare", &income) > feature("high_value_loyalist", &income));
    assert!(feature("new_explorer", &age) + 15.0 < feature("lapsed", &age));
    assert!(feature("new_explorer", &tenure) < 365.0);
    assert!(feature("lapsed", &tenure) > 3.0 * 365.0);

    // Per-customer transaction aggregates.
    let mut spend: HashMap<&str, (f64, usize, f64)> = HashMap::new();
    let (mut anon, mut returns, mut zero) = (0, 0, 0);
    for r in &tx {
        let qty: f64 = r[5].parse().unwrap();
        let price: f64 = r[6].parse().unwrap();
        returns += (qty < 0.0) as usize;
        zero += (price == 0.0) as usize;
        if r[1].is_empty() {
            anon += 1;
            continue;
        }
        assert!(seg.contains_key(r[1].as_str()), "unknown customer {}", r[1]);
        let since = days_before(&r[2][..10]);
        let e = spend.entry(r[1].as_str()).or_insert((0.0, 0, f64::MAX));
        e.0 += qty * price;
        e.1 += 1;
        e.2 = e.2.min(since);
    }
    assert!((300..=500).contains(&anon), "anonymous rows {anon}");
    assert!((400..=1400).contains(&returns), "returns {returns}");
    assert!((100..=350).contains(&zero), "zero prices {zero}");
    assert!(dups.iter().all(|(_, t)| !spend.contains_key(t[0].as_str())));
    let agg = |segment: &str, pick: &dyn Fn(&(f64, usize, f64)) -> f64| {
        let v: Vec<f64> = spend
            .iter()
            .filter(|(id, _)| seg[**id] == segment)
            .map(|(_, a)| pick(a))
            .collect();
        mean(&v)
    };
    let lines = |a: &(f64, usize, f64)| a.1 as f64;
    let recency = |a: &(f64, usize, f64)| a.2;
    let per_line = |a: &(f64, usize, f64)| a.0 / a.1 as f64;
    assert!(agg("bargain_hunter", &lines) > 3.0 * agg("new_explorer", &lines));
    assert!(agg("lapsed", &recency) > 365.0);
    assert!(agg("high_value_loyalist", &recency) < 30.0);
    assert!(agg("big_ticket_rare", &per_line) > 5.0 * agg("high_value_loyalist", &per_line));
    assert!(agg("high_value_loyalist", &per_line) > 3.0 * agg("bargain_hunter", &per_line));

    // Web funnel narrows; explorers browse far more than lapsed customers.
    let kinds = [
        "page_view",
        "product_view",
        "add_to_cart",
        "checkout",
        "purchase",
    ];
    let n_kind = |k: &str| web.iter().filter(|r| r[3] == k).count();
    let funnel: Vec<usize> = kinds.iter().map(|k| n_kind(k)).collect();
    assert!(funnel.windows(2).skip(1).all(|w| w[0] > w[1]), "{funnel:?}");
    let mut per_seg: HashMap<&str, usize> = HashMap::new();
    for r in web.iter().filter(|r| !r[0].is_empty()) {
        *per_seg.entry(seg[r[0].as_str()]).or_default() += 1;
    }
    assert!(per_seg["new_explorer"] > 10 * per_seg.get("lapsed").copied().unwrap_or(0));
    assert!(web.iter().any(|r| r[0].is_empty()));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn zero_customers_still_writes_valid_files() {
    let dir = scratch("empty");
    let s = write_demo_data(&dir, &small(0, 10)).unwrap();
    assert_eq!((s.customers, s.duplicates), (0, 0));
    let (_, tx) = read_rows(&dir.join("transactions.csv"));
    assert_eq!(tx.len(), 10);
    assert!(tx.iter().all(|r| r[1].is_empty()));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn rejects_out_of_range_options() {
    let dir = scratch("invalid");
    let too_many = DemoOptions {
        customers: MAX_CUSTOMERS + 1,
        ..DemoOptions::default()
    };
    let err = write_demo_data(&dir, &too_many).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    let ancient = DemoOptions {
        as_of: NaiveDate::from_ymd_opt(1500, 1, 1).unwrap(),
        ..DemoOptions::default()
    };
    let err = write_demo_data(&dir, &ancient).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(!dir.exists(), "nothing is created for rejected options");
}
