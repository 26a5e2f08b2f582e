//! Default features on look-alikes of public data sets: an outcome column (telco Churn) is kept
//! out of clustering and profiled, integer codes (wholesale Channel, Region) are one-hot encoded,
//! each with a warning; listing them explicitly still clusters on them as they are.

mod common;

use common::{seglab, text, Scratch};
use serde_json::Value;
use std::path::Path;

/// A small deterministic generator, so the tables need no data files.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        lo + (self.0 >> 33) % (hi - lo + 1)
    }
}

/// Telco-shaped: new month-to-month customers with high charges (a quarter churn) and long
/// two-year customers with low charges (none churn).
fn telco() -> String {
    let mut g = Lcg(7);
    let mut s = String::from(
        "customerID,gender,SeniorCitizen,tenure,Contract,MonthlyCharges,TotalCharges,Churn\n",
    );
    for i in 0..80u64 {
        let new = i % 2 == 0;
        let tenure = if new { g.next(1, 10) } else { g.next(40, 72) };
        let cents = if new {
            g.next(7000, 10500)
        } else {
            g.next(2000, 4500)
        };
        let monthly = cents as f64 / 100.0;
        s += &format!(
            "{}-VHVEG,{},{},{tenure},{},{monthly:.2},{:.2},{}\n",
            7000 + i,
            if i % 3 == 0 { "Female" } else { "Male" },
            u8::from(i % 5 == 0),
            if new { "Month-to-month" } else { "Two year" },
            monthly * tenure as f64,
            if new && i % 4 == 0 { "Yes" } else { "No" },
        );
    }
    s
}

/// Wholesale-shaped: Channel 1 (hotel/restaurant/café: fresh, frozen) and 2 (retail: grocery,
/// detergents), Region 1/2/3, annual spend per product group.
fn wholesale() -> String {
    let mut g = Lcg(11);
    let mut s =
        String::from("Channel,Region,Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen\n");
    for i in 0..90u64 {
        let channel = if i % 3 == 0 { 2 } else { 1 };
        let region = [1, 2, 3, 3][(i % 4) as usize];
        let spend = if channel == 1 {
            [
                g.next(8000, 20000),
                g.next(1000, 4000),
                g.next(1500, 5000),
                g.next(2000, 6000),
                g.next(100, 900),
                g.next(300, 1500),
            ]
        } else {
            [
                g.next(2000, 9000),
                g.next(7000, 15000),
                g.next(10000, 25000),
                g.next(500, 2000),
                g.next(4000, 12000),
                g.next(800, 2500),
            ]
        };
        let spend: Vec<String> = spend.iter().map(u64::to_string).collect();
        s += &format!("{channel},{region},{}\n", spend.join(","));
    }
    s
}

/// `seglab ARGS`, which must succeed; stdout and stderr together (warnings go to either).
fn run(args: &[&str]) -> String {
    let o = seglab(args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "seglab {args:?} failed: {err}");
    assert!(!err.contains("panicked"), "{err}");
    format!("{out}{err}")
}

fn fitted(out: &Path) -> Value {
    let model: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    model["fitted"].clone()
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or_else(|| x["column"].as_str().unwrap()))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

const CHURN_WARNING: &str = "'Churn' looks like an outcome; it is kept out of the clustering \
     features and profiled instead; list it in features.columns to cluster on it";

#[test]
fn telco_churn_is_no_default_feature_and_is_profiled() {
    let s = Scratch::new("default-features-telco");
    let data = s.file("telco.csv", telco().as_bytes());
    let out = s.path("run");
    let printed = run(&[
        "run",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(printed.contains(CHURN_WARNING), "{printed}");
    let f = fitted(&out);
    let numeric = names(&f["numeric"]);
    assert_eq!(
        numeric,
        ["SeniorCitizen", "tenure", "MonthlyCharges", "TotalCharges"],
        "Churn is not clustered on; the 0/1 SeniorCitizen is no outcome and stays"
    );
    assert_eq!(names(&f["outcomes"]), ["Churn"]);
    // Profiled as an other column: every segment has its churn rate; the rates weighted by size give the 20 of 80.
    let personas: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("personas.json")).unwrap()).unwrap();
    let segments = personas["segments"].as_array().unwrap();
    let mut churned = 0.0;
    for seg in segments {
        let churn = seg["other_numeric"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == "Churn")
            .unwrap_or_else(|| panic!("segment {} has no Churn profile", seg["id"]));
        assert_eq!(churn["boolean"], true);
        assert!((churn["population_mean"].as_f64().unwrap() - 0.25).abs() < 1e-12);
        churned += churn["mean"].as_f64().unwrap() * seg["size"].as_f64().unwrap();
        // A segment is told apart by what it was clustered on only.
        for d in seg["distinguishing"].as_array().unwrap() {
            assert_ne!(d["feature"], "Churn", "{d}");
        }
    }
    assert!((churned - 20.0).abs() < 1e-9, "20 of 80 churned: {churned}");
    // `inspect` still shows the true type.
    let report = common::inspect_json(&data, &[]);
    assert_eq!(common::column(&report, "Churn")["type"], "boolean");
}

#[test]
fn listed_churn_is_clustered_on_without_a_warning() {
    let s = Scratch::new("default-features-telco-listed");
    let data = s.file("telco.csv", telco().as_bytes());
    let out = s.path("run");
    let printed = run(&[
        "run",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--features",
        "tenure,MonthlyCharges,Churn",
    ]);
    assert!(
        !printed.contains("looks like an outcome; it is kept out"),
        "{printed}"
    );
    // A note in the cleaning log, not a warning.
    assert!(
        printed.contains(
            "Churn: looks like an outcome; clustered on because features.columns lists it"
        ),
        "{printed}"
    );
    let f = fitted(&out);
    assert_eq!(names(&f["numeric"]), ["tenure", "MonthlyCharges", "Churn"]);
    assert!(names(&f["outcomes"]).is_empty());
}

#[test]
fn wholesale_channel_and_region_become_categories() {
    let s = Scratch::new("default-features-wholesale");
    let data = s.file("wholesale.csv", wholesale().as_bytes());
    let out = s.path("run");
    let printed = run(&[
        "run",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    for (column, n) in [("Channel", 2), ("Region", 3)] {
        let warning = format!(
            "'{column}' holds {n} integer codes; treated as a category; set \
             load.types.{column} = \"number\" to use it as a number"
        );
        assert!(printed.contains(&warning), "{printed}");
    }
    let f = fitted(&out);
    assert_eq!(
        names(&f["numeric"]),
        [
            "Fresh",
            "Milk",
            "Grocery",
            "Frozen",
            "Detergents_Paper",
            "Delicassen"
        ]
    );
    assert_eq!(names(&f["one_hot"]), ["Channel", "Region"]);
    let mut channel: Vec<String> = names(&f["one_hot"][0]["categories"]);
    channel.sort();
    assert_eq!(channel, ["1", "2"]);
    let segments = std::fs::read_to_string(out.join("segments.csv")).unwrap();
    assert_eq!(segments.lines().count(), 91, "header and every row");
    // A name built on a code says which column it is ("Mostly Channel 2", never "Mostly 2").
    let personas: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("personas.json")).unwrap()).unwrap();
    for seg in personas["segments"].as_array().unwrap() {
        let name = seg["name"].as_str().unwrap();
        for bare in [
            "Mostly 1", "Mostly 2", "Mostly 3", "Few 1", "Few 2", "Few 3",
        ] {
            assert!(!name.contains(bare), "{name}");
        }
    }
    // The loader's types are untouched: `inspect` shows integers.
    let report = common::inspect_json(&data, &[]);
    assert_eq!(common::column(&report, "Channel")["type"], "integer");
}

#[test]
fn a_code_typed_as_number_stays_a_number() {
    let s = Scratch::new("default-features-wholesale-number");
    let data = s.file("wholesale.csv", wholesale().as_bytes());
    let recipe = s.file("recipe.toml", b"[load]\ntypes = { Channel = \"number\" }\n");
    let out = s.path("run");
    let printed = run(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!printed.contains("'Channel' holds"), "{printed}");
    assert!(
        printed.contains("'Region' holds 3 integer codes"),
        "{printed}"
    );
    let f = fitted(&out);
    assert_eq!(names(&f["numeric"])[0], "Channel");
    assert_eq!(names(&f["one_hot"]), ["Region"]);
}
