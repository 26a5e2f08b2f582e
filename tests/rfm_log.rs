//! `seglab rfm` on a hand-made log shaped like the UCI Online Retail data: cancellations
//! ('C' invoices, negative quantities), a row without a customer, a zero price, a postage line,
//! a customer with only a return. R, F, M and the scores are computed by hand below.

mod common;
use common::{seglab, text, Scratch};
use std::collections::HashMap;
use std::path::Path;

const LOG: &str = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom
536366,22633,HAND WARMER,6,12/1/2010 8:28,1.85,17850,United Kingdom
C536379,D,Discount,-1,12/1/2010 9:41,27.50,17850,United Kingdom
536370,22728,ALARM CLOCK,24,12/1/2010 8:45,3.75,12583,France
536370,POST,POSTAGE,3,12/1/2010 8:45,18.00,12583,France
536400,22728,ALARM CLOCK,12,12/5/2010 10:00,3.75,12583,France
536401,22633,HAND WARMER,2,12/2/2010 9:00,1.85,,United Kingdom
536402,22633,HAND WARMER,4,12/3/2010 9:00,0.00,13047,United Kingdom
C536403,22633,HAND WARMER,-5,12/3/2010 10:00,1.85,14000,United Kingdom
536404,22633,HAND WARMER,1,12/13/2010 12:00,1.85,13047,United Kingdom
";

/// customer → the row's cells by column name.
fn rows(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let m: HashMap<String, String> = h
                .iter()
                .cloned()
                .zip(rec.iter().map(str::to_string))
                .collect();
            (m["CustomerID"].clone(), m)
        })
        .collect()
}

fn rfm(s: &Scratch, recipe: &str, out: &str) -> (String, HashMap<String, HashMap<String, String>>) {
    let log = s.file("online_retail.csv", LOG.as_bytes());
    let recipe = s.file(&format!("{out}.toml"), recipe.as_bytes());
    let out = s.path(out);
    let o = seglab(&[
        "rfm",
        log.to_str().unwrap(),
        "--recipe",
        recipe.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    (stdout, rows(&out.join("rfm.csv")))
}

#[test]
fn rfm_of_an_online_retail_shaped_log_by_hand() {
    let s = Scratch::new("rfm-retail");
    let (stdout, t) = rfm(&s, "[transactions]\nexclude_products = [\"POST\"]\n", "out");
    // Roles guessed from the Online Retail header.
    assert!(stdout.contains("customer = CustomerID"), "{stdout}");
    assert!(stdout.contains("invoice = InvoiceNo"), "{stdout}");
    // Hygiene, rule by rule: 1 line without a customer (2 × 1.85), 1 postage line (3 × 18),
    // 1 zero price, 2 cancellations (-27.50 and -5 × 1.85 = -9.25).
    for line in [
        "excluded: no customer id on 1 line(s) (amount 3.70)",
        "excluded: non-product codes, 1 line(s) (amount 54.00)",
        "excluded: zero or negative price on 1 line(s) (amount 0.00)",
        "excluded: cancellations and returns, 2 line(s) (amount -36.75)",
    ] {
        assert!(stdout.contains(line), "{line}\n{stdout}");
    }
    // The last purchase is 2010-12-13, so recency counts to 2010-12-14.
    assert!(stdout.contains("as of 2010-12-14"), "{stdout}");
    // 14000 only returned something: not a customer of this log.
    assert_eq!(t.len(), 3, "{:?}", t.keys());
    let get = |id: &str, col: &str| t[id][col].clone();
    // 17850: invoices 536365 (6 × 2.55 + 6 × 3.39 = 35.64) and 536366 (6 × 1.85 = 11.10).
    assert_eq!(get("17850", "frequency"), "2");
    assert!((get("17850", "monetary").parse::<f64>().unwrap() - 46.74).abs() < 1e-9);
    assert_eq!(get("17850", "recency_days"), "13");
    // 12583: 24 × 3.75 = 90 on Dec 1, 12 × 3.75 = 45 on Dec 5 (postage left out).
    assert_eq!(get("12583", "frequency"), "2");
    assert!((get("12583", "monetary").parse::<f64>().unwrap() - 135.0).abs() < 1e-9);
    assert_eq!(get("12583", "recency_days"), "9");
    assert_eq!(get("12583", "mean_days_between_purchases"), "4");
    // 13047: its zero-price line is left out; 1.85 on Dec 13.
    assert_eq!(get("13047", "frequency"), "1");
    assert_eq!(get("13047", "recency_days"), "1");
    // n = 3. R on -recency (-13, -9, -1): ranks 1, 2, 3 → 1, 2, 4. F (2, 2, 1): the 2s share
    // rank 2 → 2, the 1 → 1. M (46.74, 135, 1.85): ranks 2, 3, 1 → 2, 4, 1.
    assert_eq!(get("17850", "rfm_code"), "122");
    assert_eq!(get("12583", "rfm_code"), "224");
    assert_eq!(get("13047", "rfm_code"), "411");
    assert_eq!(get("17850", "rfm_score"), "5");
    // The built-in map: R1 F1-2 Lost, R2 F1-2 Hibernating, R4 F1 Promising.
    assert_eq!(get("17850", "rfm_segment"), "Lost");
    assert_eq!(get("12583", "rfm_segment"), "Hibernating");
    assert_eq!(get("13047", "rfm_segment"), "Promising");
    let out = s.path("out");
    for f in [
        "rfm.parquet",
        "rfm_segments.md",
        "rfm_segments.json",
        "manifest.json",
        "charts/rfm_grid.png",
        "charts/rfm_grid.svg",
        "charts/rfm_segments.png",
        "charts/rfm_segments.svg",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    // The segments chart names each segment the run found.
    let bars = std::fs::read_to_string(out.join("charts/rfm_segments.svg")).unwrap();
    for name in ["Lost", "Hibernating", "Promising", "share of revenue"] {
        assert!(bars.contains(name), "rfm_segments.svg lacks {name:?}");
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["as_of"], "2010-12-14");
    assert_eq!(manifest["roles"]["customer"], "CustomerID");
}

#[test]
fn netted_returns_reduce_spend_and_a_returns_only_customer_stays_out() {
    let s = Scratch::new("rfm-net");
    let (stdout, t) = rfm(
        &s,
        "[transactions]\nreturns = \"net\"\nexclude_products = [\"POST\"]\n",
        "out",
    );
    assert!(
        stdout.contains("netted: cancellations and returns, 2 line(s) (amount -36.75)"),
        "{stdout}"
    );
    // 46.74 − 27.50 for 17850; frequency still counts purchases only.
    assert!((t["17850"]["monetary"].parse::<f64>().unwrap() - 19.24).abs() < 1e-9);
    assert_eq!(t["17850"]["frequency"], "2");
    assert!(!t.contains_key("14000"));
}

#[test]
fn a_log_without_the_needed_columns_says_which_and_writes_nothing() {
    let s = Scratch::new("rfm-bad");
    let log = s.file("log.csv", b"a,b,c\n1,2,3\n4,5,6\n");
    let out = s.path("out");
    let o = seglab(&["rfm", log.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let (_, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(stderr.contains("no column for the customer"), "{stderr}");
    assert!(stderr.contains("--customer"), "{stderr}");
    assert!(!out.exists());
    // Named by flags, the same file works.
    let o = seglab(&[
        "rfm",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--customer",
        "a",
        "--timestamp",
        "b",
        "--amount",
        "c",
    ]);
    let (_, stderr) = text(&o);
    assert!(!o.status.success(), "b is not a date");
    assert!(
        stderr.contains("transactions.timestamp: column 'b'"),
        "{stderr}"
    );
}

/// CDNOW's purchase log: whitespace-aligned, YYYYMMDD dates, a line total and no invoice (two
/// lines of one day are one purchase).
const CDNOW: &str = "\
customer_id date quantity dollar_value
00001 19970101  1   11.77
00002 19970112  1   12.00
00002 19970112  5   77.00
00003 19970102  2   20.76
00003 19970330  2   20.76
00003 19970402  2   19.54
00004 19970101  2   29.33
00004 19970118  2   29.73
00004 19970802  1   14.96
00004 19971212  2   26.48
";

#[test]
fn a_whitespace_log_with_integer_dates_and_line_totals() {
    let s = Scratch::new("rfm-cdnow");
    let log = s.file("cdnow.txt", CDNOW.as_bytes());
    let out = s.path("out");
    let o = seglab(&["rfm", log.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("amount = dollar_value"), "{stdout}");
    // The last purchase is 1997-12-12.
    assert!(stdout.contains("as of 1997-12-13"), "{stdout}");
    let mut r = csv::Reader::from_path(out.join("rfm.csv")).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let got: Vec<(String, String, String, String, String)> = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            let f = |n: &str| rec[col(n)].to_string();
            (
                f("customer_id"),
                f("frequency"),
                f("monetary"),
                f("recency_days"),
                f("rfm_code"),
            )
        })
        .collect();
    // Ids keep their zeros. 00002's two lines of Jan 12 are one purchase of 89. 00004: 29.33 +
    // 29.73 + 14.96 + 26.48 = 100.5. Recency to Dec 13: 346, 335, 255 (Apr 2), 1.
    // Scores (n = 4, every rank distinct except F's two 1s): R 1,2,3,4; F 1,1,3,4; M 1,3,2,4.
    let want = [
        ("00001", "1", "11.77", "346", "111"),
        ("00002", "1", "89", "335", "213"),
        ("00003", "3", "61.06", "255", "332"),
        ("00004", "4", "100.5", "1", "444"),
    ];
    let want: Vec<(String, String, String, String, String)> = want
        .iter()
        .map(|w| (w.0.into(), w.1.into(), w.2.into(), w.3.into(), w.4.into()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn run_with_only_a_log_clusters_its_customers() {
    let s = Scratch::new("run-log-only");
    let log = common::sample("transactions.csv");
    let out = s.path("out");
    let o = seglab(&[
        "run",
        "--transactions",
        log.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    // The buyers, counted here from the log itself: a customer id and a line with a positive
    // quantity and price that is not a cancellation.
    let mut r = csv::Reader::from_path(&log).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut buyers = std::collections::HashSet::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let q: f64 = rec[col("quantity")].parse().unwrap_or(0.0);
        let p: f64 = rec[col("unit_price")].parse().unwrap_or(0.0);
        let id = rec[col("customer_id")].trim();
        if !id.is_empty() && q > 0.0 && p > 0.0 && !rec[col("invoice_id")].starts_with('C') {
            buyers.insert(id.to_string());
        }
    }
    let segmented = common::segmented_by_id(&out.join("segments.csv"));
    assert_eq!(segmented.len(), buyers.len());
    assert!(segmented.keys().all(|id| buyers.contains(id)));
    assert!(
        stdout.contains("recency and ages are as of 2026-01-01"),
        "{stdout}"
    );
    // personas.md crosses the clusters with the RFM segments: every buyer counted once.
    let personas = std::fs::read_to_string(out.join("personas.md")).unwrap();
    let table = personas
        .split("## RFM segments")
        .nth(1)
        .expect("the RFM section");
    let counted: usize = table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Segment"))
        .flat_map(|l| {
            l.split('|')
                .skip(2)
                .filter_map(|c| c.trim().parse::<usize>().ok())
        })
        .sum();
    assert_eq!(counted, buyers.len());
}

#[test]
fn apply_gives_the_runs_rfm_segments_with_the_fitted_cut_points() {
    let s = Scratch::new("rfm-apply");
    let log = common::sample("transactions.csv");
    let run = s.path("run");
    let o = seglab(&[
        "run",
        "--transactions",
        log.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let by_id = |path: &Path| -> HashMap<String, String> {
        let mut r = csv::Reader::from_path(path).unwrap();
        let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        let (id, seg) = (
            h.iter().position(|x| x == "customer_id").unwrap(),
            h.iter().position(|x| x == "rfm_segment").unwrap(),
        );
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                (rec[id].to_string(), rec[seg].to_string())
            })
            .collect()
    };
    let fitted = by_id(&run.join("segments.csv"));
    assert!(fitted.values().any(|s| s == "Champions"));
    // 300 of the run's customers as new ones, with the same log: the same segments, scored by
    // the stored cut points (quintiles refitted on 300 customers would move them).
    let all = std::fs::read_to_string(run.join("segments.csv")).unwrap();
    let some: String = all.lines().take(301).map(|l| format!("{l}\n")).collect();
    let new = s.file("new.csv", some.as_bytes());
    let applied_dir = s.path("applied");
    let o = seglab(&[
        "apply",
        "--model",
        run.join("model.json").to_str().unwrap(),
        new.to_str().unwrap(),
        "--transactions",
        log.to_str().unwrap(),
        "--out",
        applied_dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{:?}", text(&o));
    let applied = by_id(&applied_dir.join("segments.csv"));
    assert_eq!(applied.len(), 300);
    for (id, seg) in &applied {
        assert_eq!(seg, &fitted[id], "{id}");
    }
}

#[test]
fn a_user_segment_map_names_the_segments_of_rfm_and_of_run() {
    let s = Scratch::new("rfm-user-map");
    let config = s.path("config");
    std::fs::create_dir_all(config.join("seglab")).unwrap();
    std::fs::write(
        config.join("seglab").join("rfm_segments.toml"),
        "[[segment]]\nname = \"Recent\"\nr = [4, 5]\ndescription = \"d\"\naction = \"a\"\n\n\
         [[segment]]\nname = \"Everyone else\"\ncatch_all = true\ndescription = \"d\"\naction = \"a\"\n",
    )
    .unwrap();
    let log = common::sample("transactions.csv");
    let with_map = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_seglab"))
            .args(args)
            .env("XDG_CONFIG_HOME", &config)
            .output()
            .unwrap();
        assert!(o.status.success(), "{:?}", text(&o));
    };
    let segments_in = |path: &Path, column: &str| -> std::collections::BTreeSet<String> {
        let mut r = csv::Reader::from_path(path).unwrap();
        let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        let i = h.iter().position(|x| x == column).unwrap();
        r.records().map(|rec| rec.unwrap()[i].to_string()).collect()
    };
    let rfm_out = s.path("rfm");
    with_map(&[
        "rfm",
        log.to_str().unwrap(),
        "--out",
        rfm_out.to_str().unwrap(),
    ]);
    let want: std::collections::BTreeSet<String> = ["Everyone else", "Recent"]
        .iter()
        .map(|x| x.to_string())
        .collect();
    assert_eq!(segments_in(&rfm_out.join("rfm.csv"), "rfm_segment"), want);
    let run_out = s.path("run");
    with_map(&[
        "run",
        "--transactions",
        log.to_str().unwrap(),
        "--out",
        run_out.to_str().unwrap(),
    ]);
    assert_eq!(
        segments_in(&run_out.join("segments.csv"), "rfm_segment"),
        want
    );
}
