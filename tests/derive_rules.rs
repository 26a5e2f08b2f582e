//! `[derive]`, `[[rules]]` and `[score]` through the seglab binary: the values in segments.csv
//! (computed by hand below) and the same labels from `apply` with the run's model.

mod common;
use common::{run_ok, seglab, text, Scratch};
use std::collections::HashMap;
use std::path::Path;

const CUSTOMERS: &str = "\
ID,Year_Birth,Income,MntWines,MntFruits,NumWebPurchases,NumWebVisitsMonth,Recency
1,1960,50000,100,20,0,7,10
2,1970,60000,300,50,4,2,40
3,1980,20000,10,5,0,9,80
4,1990,80000,900,100,6,3,5
5,1985,30000,50,10,2,8,60
6,1975,40000,200,0,1,0,20
";

const RECIPE: &str = r#"
seed = 3
[features]
columns = ["total_spend", "Income", "age"]
age_from = "Year_Birth"
as_of = "2026-01-01"

[derive]
total_spend = "MntWines + MntFruits"
spend_per_visit = "total_spend / NumWebVisitsMonth"
born_before_1975 = "Year_Birth < 1975"

[[rules]]
name = "Browsing Enthusiasts"
when = "NumWebVisitsMonth >= 5 and NumWebPurchases == 0"

[[rules]]
name = "Big Spenders"
when = "total_spend >= 300"

[score]
weights = { total_spend = 0.5, Recency = -0.5 }
tiers = [{ name = "VIP", min = 0.8 }, { name = "Core", min = 0.5 }, { name = "Occasional", min = 0.0 }]

[cluster]
k = 2
"#;

/// segments.csv rows by customer id.
fn by_id(path: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let row: HashMap<String, String> = header
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            (row["ID"].clone(), row)
        })
        .collect()
}

#[test]
fn derived_columns_and_labels_reach_segments_csv_and_apply_repeats_them() {
    let s = Scratch::new("derive-rules");
    let data = s.file("customers.csv", CUSTOMERS.as_bytes());
    let recipe = s.file("recipe.toml", RECIPE.as_bytes());
    let out = s.path("run");
    run_ok(&recipe, &data, &out);
    let rows = by_id(&out.join("segments.csv"));
    let header = csv::Reader::from_path(out.join("segments.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let names: Vec<&str> = header.iter().collect();
    let at = |n: &str| names.iter().position(|h| *h == n).unwrap();
    assert!(at("rule_segment") < at("segment_id") && at("tier") < at("segment_id"));

    // total_spend = wines + fruits; age = 2026 − birth year; 200 / 0 visits is missing.
    let want_spend = [
        ("1", "120"),
        ("2", "350"),
        ("3", "15"),
        ("4", "1000"),
        ("5", "60"),
        ("6", "200"),
    ];
    for (id, spend) in want_spend {
        assert_eq!(rows[id]["total_spend"], spend, "customer {id}");
    }
    assert_eq!(rows["1"]["age"], "66");
    assert_eq!(rows["4"]["age"], "36");
    assert_eq!(rows["1"]["born_before_1975"], "true");
    assert_eq!(rows["6"]["born_before_1975"], "false");
    assert_eq!(rows["6"]["spend_per_visit"], "");
    assert_eq!(rows["2"]["spend_per_visit"], "175");

    // 1 and 3 browse without buying; 2 and 4 spend 300 or more; 5 and 6 neither.
    let want_rule = [
        ("1", "Browsing Enthusiasts"),
        ("2", "Big Spenders"),
        ("3", "Browsing Enthusiasts"),
        ("4", "Big Spenders"),
        ("5", "Other"),
        ("6", "Other"),
    ];
    for (id, rule) in want_rule {
        assert_eq!(rows[id]["rule_segment"], rule, "customer {id}");
    }

    // Ranks over 6 customers (n − 1 = 5). total_spend 15 < 60 < 120 < 200 < 350 < 1000;
    // Recency 5 < 10 < 20 < 40 < 60 < 80, lower is better so it counts as 1 − rank.
    // Customer 1: 0.5·(2/5) + 0.5·(1 − 1/5) = 0.6, and so on.
    let want_score = [
        ("1", 0.6, "Core"),
        ("2", 0.5 * 0.8 + 0.5 * 0.4, "Core"),
        ("3", 0.0, "Occasional"),
        ("4", 1.0, "VIP"),
        ("5", 0.5 * 0.2 + 0.5 * 0.2, "Occasional"),
        ("6", 0.5 * 0.6 + 0.5 * 0.6, "Core"),
    ];
    for (id, score, tier) in want_score {
        let got: f64 = rows[id]["score"].parse().unwrap();
        assert!(
            (got - score).abs() < 1e-9,
            "customer {id}: {got} vs {score}"
        );
        assert_eq!(rows[id]["tier"], tier, "customer {id}");
    }

    let applied = s.path("applied");
    let model = out.join("model.json");
    let o = seglab(&[
        "apply",
        "--model",
        model.to_str().unwrap(),
        data.to_str().unwrap(),
        "--out",
        applied.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "apply failed: {}", text(&o).1);
    let again = by_id(&applied.join("segments.csv"));
    for (id, row) in &rows {
        for column in [
            "total_spend",
            "spend_per_visit",
            "rule_segment",
            "score",
            "tier",
            "segment_id",
        ] {
            assert_eq!(again[id][column], row[column], "customer {id}, {column}");
        }
    }

    // A model whose rule no longer parses is refused by its JSON path before any row is read.
    let mut edited: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    edited["fitted"]["labels"]["rules"][0]["when"] = "NumWebPurchases ==".into();
    let broken = s.file("broken.json", edited.to_string().as_bytes());
    let o = seglab(&[
        "apply",
        "--model",
        broken.to_str().unwrap(),
        data.to_str().unwrap(),
        "--out",
        s.path("applied-broken").to_str().unwrap(),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("fitted.labels.rules[0].when: expected a value after '=='"),
        "{err}"
    );
}

#[test]
fn a_bad_rule_stops_the_run_with_a_caret_and_no_output() {
    let s = Scratch::new("derive-rules-bad");
    let data = s.file("customers.csv", CUSTOMERS.as_bytes());
    let recipe = RECIPE.replace(
        "when = \"total_spend >= 300\"",
        "when = \"total_spend >= 300 and\"",
    );
    let recipe = s.file("recipe.toml", recipe.as_bytes());
    let out = s.path("run");
    let o = seglab(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let (_, err) = text(&o);
    assert!(
        err.contains(
            "rules[1].when (Big Spenders): expected a value after 'and'\n  \
             total_spend >= 300 and\n                        ^"
        ),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    assert!(!out.exists());
}
