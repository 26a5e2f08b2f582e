//! Tests for profiles, persona naming (engine::personas) and the persona report, end to end on
//! hand-built tables and profiles whose answers are known.

use seglab::engine::personas::{built_in_rules, name_segments, parse_rules, Persona, PersonaRules};
use seglab::engine::profile::*;
use seglab::engine::table::{Column, ColumnData, ColumnType, Table};
use seglab::report::personas::{json, markdown, FeatureUnits};
use std::collections::BTreeMap;

fn num(name: &str, v: &[f64]) -> Column {
    Column::new(
        name,
        ColumnType::Number,
        ColumnData::Number(v.iter().map(|&x| Some(x)).collect()),
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn feature<'a>(p: &'a SegmentProfile, name: &str) -> &'a FeatureStat {
    p.numeric.iter().find(|f| f.name == name).unwrap()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn z_lift_median_and_category_shares_by_hand() {
    let table = Table::new(vec![
        num("monetary", &[10.0, 20.0, 30.0, 40.0]),
        num("delta", &[-1.0, 1.0, -1.0, 1.0]),
        Column::new(
            "loyal",
            ColumnType::Boolean,
            ColumnData::Boolean(vec![Some(true), Some(false), Some(true), Some(true)]),
        ),
        Column::new(
            "channel",
            ColumnType::Category,
            ColumnData::Text(
                [Some("web"), Some("web"), Some("store"), Some("web")]
                    .into_iter()
                    .collect(),
            ),
        ),
    ]);
    let labels = [Some(0), Some(0), Some(1), Some(1)];
    let p = profile(
        &table,
        &labels,
        &strings(&["monetary", "delta", "loyal"]),
        &strings(&["channel"]),
    );
    assert_eq!(
        p.iter().map(|p| (p.id, p.size)).collect::<Vec<_>>(),
        [(0, 2), (1, 2)]
    );
    assert!(close(p[0].share, 0.5));

    // Population mean 25, population std sqrt(125); segment 0 mean 15.
    let m = feature(&p[0], "monetary");
    assert_eq!(
        (m.mean, m.median, m.population_mean),
        (Some(15.0), Some(15.0), 25.0)
    );
    assert!(close(m.population_std, 125f64.sqrt()));
    assert!(close(m.z.unwrap(), -10.0 / 125f64.sqrt()));
    assert!(close(m.lift.unwrap(), 0.6));
    assert!(close(feature(&p[1], "monetary").lift.unwrap(), 1.4));
    // A zero population mean has no lift, but still a z.
    let d = feature(&p[1], "delta");
    assert_eq!((d.lift, d.z), (None, Some(0.0)));
    // Yes/no: share of true; population 0.75 with std sqrt(0.75 * 0.25).
    let l = feature(&p[1], "loyal");
    assert!(l.boolean && close(l.mean.unwrap(), 1.0));
    assert!(close(l.z.unwrap(), 0.25 / (0.75f64 * 0.25).sqrt()));

    // Segment 0 is all web (population 75%): lift 4/3. Segment 1 ties store/web: by value.
    let c = &p[0].top_categories[0];
    assert_eq!(
        (c.column.as_str(), c.top.len(), c.top[0].value.as_str()),
        ("channel", 1, "web")
    );
    assert!(close(c.top[0].share, 1.0) && close(c.top[0].lift, 4.0 / 3.0));
    // Values absent from the segment stay available to persona conditions, with lift 0.
    assert_eq!(
        (c.rest[0].value.as_str(), c.rest[0].count, c.rest[0].lift),
        ("store", 0, 0.0)
    );
    let tops: Vec<&str> = p[1].top_categories[0]
        .top
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(tops, ["store", "web"]);
    assert!(close(p[1].top_categories[0].top[0].lift, 2.0));

    // Distinguishing: |z| order, one entry per category column, phrases readable.
    let labels: Vec<String> = p[1].distinguishing.iter().map(|d| d.label()).collect();
    assert_eq!(labels, ["monetary", "channel = store", "loyal"]);
    assert_eq!(p[1].distinguishing[0].direction, Direction::Higher);
    assert_eq!(p[1].distinguishing[0].phrase, "monetary 40% above average");
    assert_eq!(p[0].distinguishing[0].phrase, "monetary 40% below average");
    assert_eq!(
        p[1].distinguishing[1].phrase,
        "store channel: 50% vs 25% overall"
    );
    assert_eq!(p[1].metrics("channel = store").unwrap().lift, Some(2.0));
    assert_eq!(p[1].metrics("channel=phone"), None);
}

#[test]
fn noise_gets_its_own_last_profile_and_counts_in_the_population() {
    let table = Table::new(vec![num("x", &[1.0, 2.0, 3.0, 100.0, 4.0])]);
    let labels = [Some(2), Some(2), None, None, Some(0)];
    let p = profile(&table, &labels, &strings(&["x", "missing_column"]), &[]);
    assert_eq!(
        p.iter()
            .map(|p| (p.id, p.size, p.noise))
            .collect::<Vec<_>>(),
        [(0, 1, false), (2, 2, false), (NOISE_ID, 2, true)]
    );
    assert_eq!(feature(&p[2], "x").population_mean, 22.0);
    assert_eq!(feature(&p[2], "x").median, Some(51.5));
    assert_eq!(p[0].numeric.len(), 1, "unknown columns are skipped");
    assert!(profile(&Table::default(), &[], &strings(&["x"]), &[]).is_empty());

    let rules = built_in_rules().unwrap();
    let names = name_segments(&p, &rules, &BTreeMap::new());
    assert_eq!(names[2].name, "Unassigned");
    assert_eq!(names[2].rule, None);
    let md = markdown(&p, &names, &[], &FeatureUnits::new());
    assert!(md.contains("| – | Unassigned | 2 | 40% |"), "{md}");
    assert!(md.contains("plus 2 not assigned"));
    let j = json(&p, &names, &[], &FeatureUnits::new());
    assert_eq!(j["segments"][2]["id"], serde_json::Value::Null);
    assert_eq!(j["segments"][2]["noise"], true);
}

/// Ten customers per planted type, with the values a marketer would expect of each.
fn planted() -> (Table, Vec<Option<usize>>) {
    // monetary, frequency, recency_days, tenure_days, avg_basket, income, loyal
    let types = [
        [5000.0, 30.0, 5.0, 2000.0, 170.0, 110e3, 1.0], // loyalists
        [300.0, 3.0, 700.0, 3000.0, 100.0, 60e3, 0.0],  // lapsed
        [100.0, 2.0, 20.0, 60.0, 50.0, 45e3, 0.0],      // new explorers
        [3000.0, 2.0, 150.0, 1400.0, 1500.0, 190e3, 0.0], // big-ticket
        [600.0, 40.0, 10.0, 1000.0, 15.0, 30e3, 0.0],   // bargain hunters
    ];
    let names = [
        "monetary",
        "frequency",
        "recency_days",
        "tenure_days",
        "avg_basket",
        "income",
    ];
    let (mut cols, mut labels) = (vec![Vec::new(); 7], Vec::new());
    for (id, t) in types.iter().enumerate() {
        for k in 0..10 {
            // A little spread so medians and means differ from the planted value.
            let jitter = 1.0 + (k as f64 - 4.5) * 0.01;
            for (c, v) in t.iter().enumerate() {
                cols[c].push(v * if c == 6 { 1.0 } else { jitter });
            }
            labels.push(Some(id));
        }
    }
    let mut columns: Vec<Column> = names.iter().zip(&cols).map(|(n, v)| num(n, v)).collect();
    let loyal = cols[6].iter().map(|&x| Some(x > 0.5)).collect();
    columns.push(Column::new(
        "loyalty_member",
        ColumnType::Boolean,
        ColumnData::Boolean(loyal),
    ));
    let channel = (0..50).map(|r| Some(if r < 10 || r % 3 == 0 { "store" } else { "web" }));
    columns.push(Column::new(
        "channel",
        ColumnType::Category,
        ColumnData::Text(channel.collect()),
    ));
    (Table::new(columns), labels)
}

fn planted_profiles() -> Vec<SegmentProfile> {
    let (table, labels) = planted();
    let mut numeric: Vec<String> = table.names().iter().map(|s| s.to_string()).collect();
    numeric.pop();
    profile(&table, &labels, &numeric, &strings(&["channel"]))
}

#[test]
fn planted_types_get_their_persona_names() {
    let p = planted_profiles();
    let names = name_segments(&p, &built_in_rules().unwrap(), &BTreeMap::new());
    let got: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        got,
        [
            "High-Value Loyalists",
            "Lapsed",
            "New Explorers",
            "Big-Ticket Rare Buyers",
            "Bargain Hunters"
        ]
    );
    assert!(
        names[1].description.contains("10 customers (20%)"),
        "{}",
        names[1].description
    );
    assert_eq!(p[1].distinguishing[0].feature, "recency_days");
    assert_eq!(p[1].distinguishing[0].direction, Direction::Higher);

    let mut units = FeatureUnits::new();
    units.insert("monetary".into(), "${}".into());
    units.insert("recency_days".into(), "days".into());
    let md = markdown(&p, &names, &[], &units);
    for n in &names {
        assert!(md.contains(&format!("## {}\n", n.name)), "{md}");
        assert!(
            md.contains(&format!("| {} | {} | 10 | 20% |", n.id, n.name)),
            "{md}"
        );
        assert!(md.contains(&n.description));
    }
    assert!(md.starts_with("# Customer segments\n"));
    assert!(
        md.contains("| monetary | $5,000 | $1,800 | +$3,200 (2.8×) |"),
        "{md}"
    );
    assert!(
        md.contains("| recency_days | 700 days | 177 days |"),
        "{md}"
    );
    let j = json(&p, &names, &[], &units);
    assert_eq!(j["segments"][0]["name"], "High-Value Loyalists");
    assert_eq!(j["segments"][3]["rule"], "Big-Ticket Rare Buyers");
    let monetary = j["segments"][0]["distinguishing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["feature"] == "monetary");
    assert_eq!(monetary.unwrap()["display"]["segment"], "$5,000");
    assert_eq!(j["customers"], 50);
}

/// A profile with the given z-scores (lift 1 + z/2, mean = z), for naming tests.
fn seg(id: usize, zs: &[(&str, f64)]) -> SegmentProfile {
    let numeric = zs
        .iter()
        .map(|&(name, z)| FeatureStat {
            name: name.into(),
            boolean: false,
            mean: Some(z),
            median: Some(z),
            population_mean: 0.0,
            population_std: 1.0,
            z: Some(z),
            lift: Some(1.0 + z / 2.0),
        })
        .collect();
    SegmentProfile {
        id,
        noise: false,
        size: 10,
        share: 0.1,
        numeric,
        top_categories: vec![],
        other_numeric: vec![],
        other_categories: vec![],
        distinguishing: vec![],
    }
}

fn named(p: &[SegmentProfile], rules: &PersonaRules, renames: &[(usize, &str)]) -> Vec<String> {
    let renames: BTreeMap<usize, String> =
        renames.iter().map(|&(i, n)| (i, n.to_string())).collect();
    let out: Vec<Persona> = name_segments(p, rules, &renames);
    out.into_iter().map(|n| n.name).collect()
}

const AB: &str = r#"
[[persona]]
name = "Alpha"
description = "{name}: {mean:x} on x; {top_features}"
conditions = { x = "z > 1" }
[[persona]]
name = "Beta"
description = "b"
conditions = { y = "z >= 0.5" }
[fallback]
name = "Others"
description = "o"
[noise]
name = "Noise"
description = "n"
"#;

#[test]
fn names_are_unique_next_best_rule_then_numerals() {
    let rules = parse_rules(AB, "test").unwrap();
    // C's Alpha match is strongest, A takes its next-best full match, B only matches Alpha.
    let p = [
        seg(0, &[("x", 1.5), ("y", 0.6)]),
        seg(1, &[("x", 1.2)]),
        seg(2, &[("x", 1.9)]),
        seg(3, &[]),
        // No feature values at all: nothing to place it by, so the fallback again.
        seg(4, &[]),
    ];
    assert_eq!(
        named(&p, &rules, &[]),
        ["Beta", "Alpha II", "Alpha", "Others", "Others II"]
    );
    let out = name_segments(&p, &rules, &BTreeMap::new());
    assert_eq!(out[2].description, "Alpha: 1.9 on x; nothing stands out");
    assert_eq!(out[1].rule.as_deref(), Some("Alpha"));
    assert_eq!(out[3].rule, None);

    // Two segments that are both plainly lapsed: the more lapsed keeps the plain name, and the
    // other does not settle for a partial loyalist match.
    let builtin = built_in_rules().unwrap();
    let loyal_ish = [
        ("recency_days", 1.3),
        ("monetary", 1.0),
        ("tenure_days", 1.0),
        ("loyalty_member", 1.0),
    ];
    let p = [seg(0, &loyal_ish), seg(1, &[("recency_days", 1.8)])];
    assert_eq!(named(&p, &builtin, &[]), ["Lapsed II", "Lapsed"]);
    // Without a full match, the partial match names it.
    let p = [seg(
        0,
        &[
            ("monetary", 1.0),
            ("frequency", 1.0),
            ("recency_days", -1.0),
        ],
    )];
    assert_eq!(named(&p, &builtin, &[]), ["High-Value Loyalists"]);
}

#[test]
fn renames_apply_last_and_stay_unique() {
    let rules = parse_rules(AB, "test").unwrap();
    let p = [
        seg(0, &[("x", 1.5)]),
        seg(1, &[("y", 1.0)]),
        seg(2, &[]),
        seg(3, &[]),
    ];
    // The rename claims "Alpha"; the segment that earned it automatically is numbered.
    assert_eq!(
        named(&p, &rules, &[(1, "alpha")]),
        ["Alpha II", "alpha", "Others", "Others II"]
    );
    assert_eq!(
        named(&p, &rules, &[(2, "VIP"), (3, "VIP")]),
        ["Alpha", "Beta", "VIP", "VIP II"]
    );
    let out = name_segments(&p, &rules, &BTreeMap::from([(0, "Core".to_string())]));
    assert_eq!(
        (out[0].name.as_str(), out[0].renamed, out[1].renamed),
        ("Core", true, false)
    );
    assert!(
        out[0].description.starts_with("Core: "),
        "the description uses the final name"
    );
}

#[test]
fn built_in_rules_parse() {
    let rules = built_in_rules().unwrap();
    let names: Vec<&str> = rules.personas.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "High-Value Loyalists",
            "Lapsed",
            "New Explorers",
            "Big-Ticket Rare Buyers",
            "Bargain Hunters"
        ]
    );
    assert_eq!(rules.personas[0].min_match, Some(3));
    assert_eq!(rules.personas[1].conditions[0].threshold, 1.0);
    assert_eq!(
        (rules.fallback.name.as_str(), rules.noise.name.as_str()),
        ("Mainstream Customers", "Unassigned")
    );
}

#[test]
fn readable_numbers() {
    assert_eq!(readable(1234567.0), "1,234,567");
    assert_eq!(readable(-1500.4), "-1,500");
    assert_eq!(readable(12.34), "12.3");
    assert_eq!(readable(0.5), "0.5");
    assert_eq!(readable(-0.001), "0");
    assert_eq!(percent(0.001), "<1%");
}

/// A distinguishing feature of a hand-made profile.
fn standout(feature: &str, value: Option<&str>, z: f64) -> Distinguishing {
    Distinguishing {
        feature: feature.into(),
        value: value.map(str::to_string),
        kind: if value.is_some() {
            FeatureKind::Category
        } else {
            FeatureKind::Number
        },
        direction: if z > 0.0 {
            Direction::Higher
        } else {
            Direction::Lower
        },
        segment: z,
        overall: 0.0,
        z,
        lift: None,
        phrase: format!("{feature} {z}"),
    }
}

#[test]
fn segments_no_rule_fits_are_named_by_what_sets_them_apart() {
    let rules = parse_rules(AB, "test").unwrap();
    // Mall-table columns no persona rule knows: the two strongest features (|z| >= 0.5) name a
    // segment, units and underscores dropped; one near the average everywhere stays "Others".
    let mut rich = seg(0, &[]);
    rich.distinguishing = vec![
        standout("Annual Income (k$)", None, 1.8),
        standout("Spending Score (1-100)", None, -1.3),
        standout("Age", None, 0.9),
    ];
    let mut young = seg(1, &[]);
    young.distinguishing = vec![
        standout("Age", None, -1.3),
        standout("Genre", Some("Female"), 0.7),
    ];
    let mut middle = seg(2, &[]);
    middle.distinguishing = vec![standout("spend_per_year", None, 0.3)];
    let out = name_segments(&[rich, young, middle], &rules, &BTreeMap::new());
    let names: Vec<&str> = out.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "High Annual Income, Low Spending Score",
            "Younger, Mostly Female",
            "Others"
        ]
    );
    assert!(out[0]
        .description
        .starts_with("What sets these customers apart: Annual Income"));
    assert_eq!(out[2].description, "o");
}

/// A log1p feature is judged where it was clustered: segment 0 (four spends of 1 and one of
/// 1,000) has the higher mean in currency, but in log1p space it is the low-spend group, which
/// is how k-means saw it. By hand: log1p values 0.693 ×4 and 6.909 → mean 1.936; segment 1 all
/// log1p(50) = 3.932; population mean 2.934 and standard deviation about 2.02, so segment 0's z
/// is (1.936 − 2.934) / 2.02 ≈ −0.49.
#[test]
fn log1p_features_are_profiled_in_the_clustered_space() {
    let spend: Vec<Option<f64>> = [1.0, 1.0, 1.0, 1.0, 1000.0, 50.0, 50.0, 50.0, 50.0, 50.0]
        .iter()
        .map(|&x| Some(x))
        .collect();
    let table = Table::new(vec![Column::new(
        "spend",
        ColumnType::Number,
        ColumnData::Number(spend),
    )]);
    let labels: Vec<Option<usize>> = (0..10).map(|i| Some(usize::from(i >= 5))).collect();
    let z0 = |p: &[SegmentProfile]| p[0].numeric[0].z.unwrap();
    let plain = profile(&table, &labels, &strings(&["spend"]), &[]);
    let logged = profile_in_space(
        &table,
        &labels,
        &strings(&["spend"]),
        &[],
        &strings(&["spend"]),
    );
    assert!(z0(&plain) > 0.0, "{}", z0(&plain));
    assert!((-0.52..-0.46).contains(&z0(&logged)), "{}", z0(&logged));
    // The mean stays in the column's units.
    assert_eq!(logged[0].numeric[0].mean, Some(200.8));
}

/// A 0/1 column (telco's SeniorCitizen) is a yes/no column: profiled as a share and named as
/// one ("Mostly Senior Citizen", not "High SeniorCitizen"); camel-case names read as words.
#[test]
fn a_zero_one_column_is_a_share_and_camel_case_reads_as_words() {
    let senior: Vec<Option<f64>> = (0..20).map(|i| Some(f64::from(i < 6))).collect();
    let charges: Vec<Option<f64>> = (0..20)
        .map(|i| Some(if i < 10 { 90.0 } else { 20.0 }))
        .collect();
    let table = Table::new(vec![
        Column::new(
            "SeniorCitizen",
            ColumnType::Integer,
            ColumnData::Number(senior),
        ),
        Column::new(
            "MonthlyCharges",
            ColumnType::Number,
            ColumnData::Number(charges),
        ),
    ]);
    let labels: Vec<Option<usize>> = (0..20).map(|i| Some(usize::from(i >= 10))).collect();
    let p = profile(
        &table,
        &labels,
        &strings(&["SeniorCitizen", "MonthlyCharges"]),
        &[],
    );
    let senior = &p[0].numeric[0];
    assert!(senior.boolean);
    // Segment 0 (rows 0-9): rows 0-5 are seniors: 60% against 30% overall.
    let d = p[0]
        .distinguishing
        .iter()
        .find(|d| d.feature == "SeniorCitizen")
        .unwrap();
    assert_eq!(d.phrase, "SeniorCitizen: 60% vs 30% overall");
    let names = name_segments(&p, &built_in_rules().unwrap(), &BTreeMap::new());
    assert_eq!(names[0].name, "High Monthly Charges, Mostly Senior Citizen");
    // Segment 1 has no senior at all (0% against 30%): "No", not "Few".
    assert_eq!(names[1].name, "Low Monthly Charges, No Senior Citizen");
}

/// A segment where nothing stands out is named by the axes the others are told apart by, not
/// the fallback: x spreads 2.3 (in z) across the segments, y 0.4 (too little to name by).
#[test]
fn a_middle_segment_is_named_by_the_axes_it_sits_between() {
    let rules = parse_rules(AB, "test").unwrap();
    let p = [
        seg(0, &[("x", 1.2), ("y", 0.2)]),
        seg(1, &[("x", -1.1), ("y", -0.2)]),
        seg(2, &[("x", 0.1), ("y", 0.1)]),
    ];
    let out = name_segments(&p, &rules, &BTreeMap::new());
    assert_eq!(out[2].name, "Mid-Range X");
    assert!(
        out[2].description.starts_with("In the middle on what sets"),
        "{}",
        out[2].description
    );
    assert_eq!(out[0].name, "Alpha");
}

/// A unit in a column name ("basket_eur", "Spend (USD)") is not part of a segment's name.
#[test]
fn units_stay_out_of_segment_names() {
    let basket: Vec<Option<f64>> = (0..20)
        .map(|i| Some(if i < 10 { 90.0 } else { 20.0 }))
        .collect();
    let table = Table::new(vec![Column::new(
        "basket_eur",
        ColumnType::Number,
        ColumnData::Number(basket),
    )]);
    let labels: Vec<Option<usize>> = (0..20).map(|i| Some(usize::from(i >= 10))).collect();
    let p = profile(&table, &labels, &strings(&["basket_eur"]), &[]);
    let names = name_segments(&p, &built_in_rules().unwrap(), &BTreeMap::new());
    assert_eq!(names[0].name, "High Basket");
    assert_eq!(names[1].name, "Low Basket");
}
