//! The bundled sample data: inspect reads every file right, cleaning finds the planted
//! near-duplicates and absurd values, and the same recipe gives the same output twice.

mod common;
use common::{column, inspect_json, sample, seglab, text, Scratch};
use seglab::engine::behaviour::summarize;
use seglab::engine::load::{load, LoadOptions};
use seglab::engine::preparation::prepare;
use seglab::recipe::Recipe;
use std::collections::{HashMap, HashSet};

fn read_csv(path: &std::path::Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn inspect_reads_each_sample_file() {
    let truth = read_csv(&sample("truth.csv"));
    let r = inspect_json(&sample("customers.csv"), &[]);
    assert_eq!(r["rows"], truth.len());
    for (c, ty) in [
        ("customer_id", "id"),
        ("email", "email"),
        ("birth_date", "date"),
        ("signup_date", "date"),
        ("income", "number"),
        ("channel", "category"),
        ("loyalty_member", "boolean"),
    ] {
        assert_eq!(column(&r, c)["type"], ty, "customers.{c}");
    }
    assert_eq!(column(&r, "customer_id")["distinct"], truth.len());
    assert!(column(&r, "income")["missing"].as_u64().unwrap() > 0);

    let t = inspect_json(&sample("transactions.csv"), &[]);
    assert_eq!(column(&t, "timestamp")["type"], "datetime");
    assert_eq!(column(&t, "quantity")["type"], "integer");
    assert_eq!(column(&t, "customer_id")["type"], "id");
    assert!(
        column(&t, "quantity")["min"].as_f64().unwrap() < 0.0,
        "returns are negative quantities"
    );
    assert!(
        column(&t, "customer_id")["missing"].as_u64().unwrap() > 0,
        "rows with no customer"
    );

    let w = inspect_json(&sample("web_events.csv"), &[]);
    let events = column(&w, "event_type");
    assert_eq!(events["type"], "category");
    assert_eq!(events["distinct"], 5);
}

/// Root customer of each id: the original for a planted near-duplicate, itself otherwise.
fn planted_roots() -> HashMap<String, String> {
    read_csv(&sample("truth.csv"))
        .into_iter()
        .map(|r| {
            let root = if r["duplicate_of"].is_empty() {
                r["customer_id"].clone()
            } else {
                r["duplicate_of"].clone()
            };
            (r["customer_id"].clone(), root)
        })
        .collect()
}

/// `seglab clean` of the sample customers with the sample recipe into `s/name`.
fn clean_sample(s: &Scratch, name: &str) -> std::path::PathBuf {
    let out = s.path(name);
    let o = seglab(&[
        "clean",
        "--recipe",
        sample("recipe.toml").to_str().unwrap(),
        sample("customers.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    out
}

#[test]
fn cleaning_finds_the_planted_near_duplicates() {
    let s = Scratch::new("sample-clean");
    let out = clean_sample(&s, "out");
    let roots = planted_roots();
    let planted: HashSet<(String, String)> = roots
        .iter()
        .filter(|(id, root)| id != root)
        .map(|(id, root)| (root.clone(), id.clone()))
        .collect();
    // Group ids by the merge group seglab reports, then compare pairs within groups.
    let mut groups: HashMap<String, HashSet<String>> = HashMap::new();
    for p in read_csv(&out.join("duplicates.csv")) {
        let g = groups.entry(p["group"].clone()).or_default();
        g.insert(p["id_a"].clone());
        g.insert(p["id_b"].clone());
    }
    let mut found = 0;
    let mut correct = 0;
    let mut group_of: HashMap<&String, &String> = HashMap::new();
    for (g, ids) in &groups {
        for a in ids {
            group_of.insert(a, g);
            for b in ids {
                if a < b {
                    found += 1;
                    correct += (roots[a] == roots[b]) as usize;
                }
            }
        }
    }
    let recalled = planted
        .iter()
        .filter(|(a, b)| group_of.contains_key(a) && group_of.get(a) == group_of.get(b))
        .count();
    let precision = correct as f64 / found.max(1) as f64;
    let recall = recalled as f64 / planted.len() as f64;
    println!("near-duplicates: {} planted, {found} pairs found, precision {precision:.3}, recall {recall:.3}", planted.len());
    assert!(planted.len() >= 50, "the sample plants ~2% near-duplicates");
    assert!(precision >= 0.95, "precision {precision}");
    assert!(recall >= 0.90, "recall {recall}");

    // The absurd incomes (×100) are clipped and nothing in the features is NaN or infinite.
    let cleaned = read_csv(&out.join("cleaned.csv"));
    let merged_away: usize = groups.values().map(|ids| ids.len() - 1).sum();
    assert_eq!(
        cleaned.len(),
        roots.len() - merged_away,
        "one row per merge group stays"
    );
    let max_income = cleaned
        .iter()
        .filter_map(|r| r["income"].parse::<f64>().ok())
        .fold(0.0, f64::max);
    assert!(
        max_income < 1_000_000.0,
        "max income after clipping {max_income}"
    );
    let features = std::fs::read_to_string(out.join("features.csv")).unwrap();
    assert!(!features.contains("NaN") && !features.contains("inf"));
    for f in [
        "cleaned.parquet",
        "features.parquet",
        "transform.json",
        "cleaning_log.txt",
        "inspect.json",
        "recipe.toml",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
}

#[test]
fn same_recipe_and_data_give_the_same_output() {
    let s = Scratch::new("sample-repeat");
    let run = |name: &str| {
        let out = clean_sample(&s, name);
        (
            std::fs::read(out.join("features.csv")).unwrap(),
            std::fs::read(out.join("cleaned.csv")).unwrap(),
        )
    };
    assert_eq!(run("a"), run("b"));
}

#[test]
fn the_fitted_transform_reproduces_the_features() {
    let mut recipe = Recipe::from_file(&sample("recipe.toml")).unwrap();
    let loaded = load(&sample("customers.csv"), &LoadOptions::default()).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let tx = load(&sample("transactions.csv"), &LoadOptions::default()).unwrap();
    let behaviour = summarize(&tx.table, recipe.transactions.as_ref().unwrap()).unwrap();
    // The sample's derived columns use the web event features.
    let events = seglab::engine::events::load::from_recipe(&mut recipe, &mut Vec::new())
        .unwrap()
        .expect("the sample recipe names its event log");
    let prepared = prepare(
        loaded.table,
        Some(&behaviour),
        Some(&events),
        &recipe,
        today,
        &mut |_| {},
    )
    .unwrap();
    // Round-trip the transform through its JSON form, as a later `apply` will; behaviour features
    // are recomputed from the transaction log.
    let json = serde_json::to_string(&prepared.fitted).unwrap();
    let fitted: seglab::engine::preparation::FittedFeatures = serde_json::from_str(&json).unwrap();
    let again = fitted
        .transform(&prepared.cleaned, Some(&behaviour))
        .unwrap();
    assert_eq!(again.names, prepared.features.names);
    assert_eq!(again.n_rows, prepared.features.n_rows);
    let worst = again
        .data
        .iter()
        .zip(&prepared.features.data)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-12, "max difference {worst}");
    // z-scored features have mean 0 and (population) standard deviation 1.
    let w = again.names.len();
    for j in 0..4 {
        let col: Vec<f64> = (0..again.n_rows).map(|r| again.data[r * w + j]).collect();
        let mean = col.iter().sum::<f64>() / col.len() as f64;
        let var = col.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / col.len() as f64;
        assert!(
            mean.abs() < 1e-9 && (var - 1.0).abs() < 1e-9,
            "{}: mean {mean} var {var}",
            again.names[j]
        );
    }
}
