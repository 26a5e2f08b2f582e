//! Profiles over every column, end to end on look-alikes of public data sets: what was not
//! clustered on (churn, contract, gender) is profiled beside the features, a category value that
//! dominates a segment names it, and identifiers are left out with the reason.

mod common;

use common::{seglab, text, Scratch};
use serde_json::Value;
use std::collections::HashMap;
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

/// One generated telco customer, kept to count the expected shares by hand.
struct TelcoRow {
    id: String,
    no_internet: bool,
    contract: &'static str,
    churn: bool,
}

/// Telco-shaped, three planted groups of 80, 70 and 50 customers: new fiber-optic customers on
/// month-to-month contracts with high charges (many churn), long DSL customers on one- and
/// two-year contracts, and customers with no internet service (low charges, every
/// internet-dependent column "No internet service").
fn telco() -> (String, Vec<TelcoRow>) {
    let mut g = Lcg(3);
    let mut csv = String::from(
        "customerID,gender,SeniorCitizen,Partner,tenure,InternetService,OnlineSecurity,\
         Contract,MonthlyCharges,TotalCharges,Churn\n",
    );
    let mut rows = Vec::new();
    for i in 0..200u64 {
        let group = match i % 20 {
            0..=7 => 0,
            8..=14 => 1,
            _ => 2,
        };
        let (tenure, cents, internet, security, contract, churn) = match group {
            0 => (
                g.next(1, 20),
                g.next(7500, 10500),
                "Fiber optic",
                if i % 5 == 0 { "Yes" } else { "No" },
                if i % 10 == 0 {
                    "One year"
                } else {
                    "Month-to-month"
                },
                i % 2 == 0,
            ),
            1 => (
                g.next(40, 72),
                g.next(5000, 7000),
                "DSL",
                if i % 3 == 0 { "No" } else { "Yes" },
                if i % 2 == 0 { "Two year" } else { "One year" },
                i % 7 == 0,
            ),
            _ => (
                g.next(20, 60),
                g.next(1800, 2600),
                "No",
                "No internet service",
                match i % 4 {
                    0 => "Month-to-month",
                    1 => "One year",
                    _ => "Two year",
                },
                i % 9 == 0,
            ),
        };
        let monthly = cents as f64 / 100.0;
        let id = format!("{}-QWERT", 1000 + i);
        csv += &format!(
            "{id},{},{},{},{tenure},{internet},{security},{contract},{monthly:.2},{:.2},{}\n",
            if g.next(0, 1) == 0 { "Female" } else { "Male" },
            u8::from(i % 6 == 0),
            if g.next(0, 1) == 0 { "Yes" } else { "No" },
            monthly * tenure as f64,
            if churn { "Yes" } else { "No" },
        );
        rows.push(TelcoRow {
            id,
            no_internet: group == 2,
            contract,
            churn,
        });
    }
    (csv, rows)
}

/// `seglab ARGS`, which must succeed.
fn run(args: &[&str]) {
    let o = seglab(args);
    let (_, err) = text(&o);
    assert!(o.status.success(), "seglab {args:?} failed: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn personas(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("personas.json")).unwrap()).unwrap()
}

/// id column → segment id, from segments.csv.
fn segment_of(out: &Path, id_column: &str) -> HashMap<String, String> {
    let mut r = csv::Reader::from_path(out.join("segments.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, seg) = (col(id_column), col("segment_id"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[id].to_string(), rec[seg].to_string())
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn find<'a>(list: &'a Value, key: &str, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x[key] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

#[test]
fn telco_no_internet_segment_says_so_with_its_churn_and_contract_mix() {
    let s = Scratch::new("other-columns-telco");
    let (csv, rows) = telco();
    let data = s.file("telco.csv", csv.as_bytes());
    let out = s.path("run");
    let (data, out_s) = (data.to_str().unwrap(), out.to_str().unwrap());
    run(&["run", data, "--out", out_s, "--k", "3", "--seed", "1"]);

    // The planted no-internet customers make up exactly one segment.
    let seg_of = segment_of(&out, "customerID");
    let planted: Vec<&TelcoRow> = rows.iter().filter(|r| r.no_internet).collect();
    let id = seg_of[&planted[0].id].clone();
    let members: Vec<&TelcoRow> = rows.iter().filter(|r| seg_of[&r.id] == id).collect();
    assert_eq!(
        members.len(),
        planted.len(),
        "segment {id} is the planted group"
    );
    assert!(members.iter().all(|r| r.no_internet));

    let report = personas(&out);
    let seg = report["segments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id.parse::<u64>().unwrap())
        .unwrap();
    let said = format!("{} {}", seg["name"], seg["description"]).to_lowercase();
    assert!(said.contains("no internet service"), "{said}");
    // OnlineSecurity = "No internet service" says the same thing: listed once.
    let apart: Vec<&str> = seg["distinguishing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["feature"].as_str().unwrap())
        .collect();
    assert!(apart.contains(&"InternetService"), "{apart:?}");
    assert!(!apart.contains(&"OnlineSecurity"), "{apart:?}");

    // Churn is an other column: its rate in the segment and overall, counted by hand.
    let n = rows.len() as f64;
    let k = planted.len() as f64;
    let churn_all = rows.iter().filter(|r| r.churn).count() as f64 / n;
    let churn_seg = planted.iter().filter(|r| r.churn).count() as f64 / k;
    let churn = find(&seg["other_numeric"], "name", "Churn");
    assert!(close(churn["mean"].as_f64().unwrap(), churn_seg), "{churn}");
    assert!(close(churn["population_mean"].as_f64().unwrap(), churn_all));
    assert!(close(
        churn["lift"].as_f64().unwrap(),
        churn_seg / churn_all
    ));
    assert!(
        find(&seg["numeric"], "name", "tenure")["mean"].is_number(),
        "features stay in numeric"
    );
    assert!(seg["numeric"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["name"] != "Churn"));

    // The contract mix, with shares and lift against everyone.
    let contract = find(&seg["other_categories"], "column", "Contract");
    for v in contract["top"].as_array().unwrap() {
        let value = v["value"].as_str().unwrap();
        let share = planted.iter().filter(|r| r.contract == value).count() as f64 / k;
        let overall = rows.iter().filter(|r| r.contract == value).count() as f64 / n;
        assert!(close(v["share"].as_f64().unwrap(), share), "{v}");
        assert!(close(v["population_share"].as_f64().unwrap(), overall));
        assert!(close(v["lift"].as_f64().unwrap(), share / overall));
    }
    assert_eq!(
        contract["top"][0]["value"], "Two year",
        "three in five of the group"
    );

    // personas.md: the other columns with lift, the identifier left out with its reason.
    let md = std::fs::read_to_string(out.join("personas.md")).unwrap();
    let churn_row = format!(
        "| Churn | {:.0}% | {:.0}% |",
        churn_seg * 100.0,
        churn_all * 100.0
    );
    assert!(md.contains(&churn_row), "{churn_row} in\n{md}");
    assert!(md.contains("| InternetService = No | 100% | 25% | +75 pts (4.0×) |"));
    // It names the segment, marked as a column the segments were not made from.
    assert!(md.contains("| InternetService = No (not clustered on) | 100% | 25% |"));
    assert!(md.contains("## Columns not profiled"), "{md}");
    assert!(md.contains("- customerID: identifier"), "{md}");
    // Not as dummy columns, and no column the data does not have.
    assert!(!md.contains("Contract_"), "{md}");
}

/// Mall-shaped, five planted groups of 30 (income in k$, spending score 1-100, age): the
/// classic careful, careless, average, target and sensible customers. Gender is not clustered on.
fn mall() -> (String, Vec<(String, usize, bool)>) {
    let mut g = Lcg(5);
    let mut csv = String::from("CustomerID,Gender,Age,Annual Income (k$),Spending Score (1-100)\n");
    let mut rows = Vec::new();
    // (income, score, age) ranges per group.
    let groups = [
        ((15, 35), (5, 35), (35, 60)),   // low income, low score
        ((15, 35), (65, 99), (19, 30)),  // low income, high score, young
        ((45, 65), (40, 60), (40, 70)),  // average
        ((80, 130), (70, 99), (28, 38)), // high income, high score
        ((80, 130), (1, 30), (35, 58)),  // high income, low score
    ];
    for i in 0..150u64 {
        let group = (i % 5) as usize;
        let ((il, ih), (sl, sh), (al, ah)) = groups[group];
        let female = g.next(0, 9) < 6;
        let id = (i + 1).to_string();
        csv += &format!(
            "{id},{},{},{},{}\n",
            if female { "Female" } else { "Male" },
            g.next(al, ah),
            g.next(il, ih),
            g.next(sl, sh)
        );
        rows.push((id, group, female));
    }
    (csv, rows)
}

#[test]
fn mall_groups_get_five_fitting_names_and_gender_is_an_other_column() {
    let s = Scratch::new("other-columns-mall");
    let (csv, rows) = mall();
    let data = s.file("mall.csv", csv.as_bytes());
    let out = s.path("run");
    let (data, out_s) = (data.to_str().unwrap(), out.to_str().unwrap());
    run(&["run", data, "--out", out_s, "--k", "5", "--seed", "1"]);
    let seg_of = segment_of(&out, "CustomerID");
    let report = personas(&out);
    let segments = report["segments"].as_array().unwrap();
    // Each planted group is one segment; its name says what was planted.
    let expected: [&[&str]; 5] = [
        &["Low Annual Income", "Low Spending Score"],
        &["Low Annual Income", "High Spending Score", "Younger"],
        // The planted average group: older, and in the middle on income and spending.
        &[
            "Older",
            "Mid-Range Annual Income",
            "Mid-Range Spending Score",
        ],
        &["High Annual Income", "High Spending Score", "Younger"],
        &["High Annual Income", "Low Spending Score"],
    ];
    let mut names = Vec::new();
    for (group, words) in expected.iter().enumerate() {
        let members: Vec<&String> = rows
            .iter()
            .filter(|r| r.1 == group)
            .map(|r| &seg_of[&r.0])
            .collect();
        assert!(
            members.iter().all(|m| *m == members[0]),
            "group {group} split"
        );
        let seg = segments
            .iter()
            .find(|x| x["id"] == members[0].parse::<u64>().unwrap())
            .unwrap();
        let name = seg["name"].as_str().unwrap().to_string();
        let parts: Vec<&str> = name.split(", ").collect();
        assert!(
            parts.iter().all(|p| words.contains(p)),
            "group {group}: {name}"
        );
        if group == 2 {
            assert!(
                name.contains("Mid-Range"),
                "the middle group says so: {name}"
            );
        }
        // Gender was not clustered on: profiled as an other column, shares counted by hand.
        let gender = find(&seg["other_categories"], "column", "Gender");
        let in_group: Vec<&(String, usize, bool)> = rows.iter().filter(|r| r.1 == group).collect();
        let share = in_group.iter().filter(|r| r.2).count() as f64 / in_group.len() as f64;
        let overall = rows.iter().filter(|r| r.2).count() as f64 / rows.len() as f64;
        let f = find(&gender["top"], "value", "Female");
        assert!(close(f["share"].as_f64().unwrap(), share), "{f}");
        assert!(close(f["population_share"].as_f64().unwrap(), overall));
        names.push(name);
    }
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "{names:?}");
    let md = std::fs::read_to_string(out.join("personas.md")).unwrap();
    assert!(md.contains("| Gender = Female |"), "{md}");
    assert!(md.contains("- CustomerID: identifier"), "{md}");
}
