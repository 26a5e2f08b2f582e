//! A name stays with its customers across re-runs: segment ids are canonical (largest first),
//! a name is kept with the segment's centroid, and on a re-run it goes to the matching segment
//! even when the ids have moved. `seglab compare` shows where customers went.

mod common;
use common::{run_ok, seglab, segments_by, text, Scratch};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Three income/spending groups of the given sizes (ids G<group>-<n>), seeded jitter.
fn mall(sizes: [usize; 3], seed: u64) -> String {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 11) as f64) / (1u64 << 53) as f64
    };
    let centres = [(110.0, 85.0), (55.0, 50.0), (25.0, 15.0)];
    let mut out = String::from("CustomerID,Annual Income (k$),Spending Score (1-100)\n");
    for (g, &n) in sizes.iter().enumerate() {
        for i in 0..n {
            let (inc, sp) = centres[g];
            out.push_str(&format!(
                "G{g}-{i:03},{:.0},{:.0}\n",
                inc + (next() - 0.5) * 20.0,
                sp + (next() - 0.5) * 20.0
            ));
        }
    }
    out
}

const RECIPE: &str = "seed = 5\n[features]\ncolumns = [\"Annual Income (k$)\", \"Spending Score (1-100)\"]\n[cluster]\nk = 3\n";

fn json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// CustomerID → (segment_id, segment_name) of a segments.csv.
fn segments_by_id(path: &std::path::Path) -> HashMap<String, (String, String)> {
    segments_by(path, "CustomerID")
}

/// customer → segment name of the rows with a segment.
fn names(run: &std::path::Path) -> HashMap<String, String> {
    segments_by_id(&run.join("segments.csv"))
        .into_iter()
        .filter(|(_, (sid, _))| !sid.is_empty())
        .map(|(id, (_, name))| (id, name))
        .collect()
}

#[test]
fn a_name_follows_its_customers_when_ids_change() {
    let s = Scratch::new("identity");
    // This month group 0 (high income) is the largest, so it is segment 0.
    let march = s.file("march.csv", mall([120, 90, 60], 1).as_bytes());
    let recipe = s.file("recipe.toml", RECIPE.as_bytes());
    let a = s.path("a");
    run_ok(&recipe, &march, &a);
    let ids = segments_by_id(&a.join("segments.csv"));
    let vip_id = &ids["G0-000"].0;
    assert_eq!(vip_id, "0", "the largest group is segment 0");
    // Name it as the workbench does: with its centroid, size and clustered columns.
    let model = json(&a.join("model.json"));
    let n_cols = model["n_cols"].as_u64().unwrap() as usize;
    let centroid: Vec<f64> = model["centroids"].as_array().unwrap()[..n_cols]
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let named = format!(
        "{RECIPE}[segments]\nrename = {{ \"1\" = \"By number\" }}\n[[segments.names]]\nname = \"VIP Big Spenders\"\ncentroid = {centroid:?}\nsize = 120\ncolumns = [\"Annual Income (k$)\", \"Spending Score (1-100)\"]\n"
    );
    let named = s.file("named.toml", named.as_bytes());
    // Next month the high-income group shrank: it is now the smallest, segment 2.
    let april = s.file("april.csv", mall([40, 90, 60], 2).as_bytes());
    let b = s.path("b");
    let o = seglab(&[
        "run",
        "--recipe",
        named.to_str().unwrap(),
        april.to_str().unwrap(),
        "--out",
        b.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    let got = names(&b);
    let vip: HashSet<&String> = got
        .iter()
        .filter(|(_, n)| n.as_str() == "VIP Big Spenders")
        .map(|(id, _)| id)
        .collect();
    let group0: HashSet<&String> = got.keys().filter(|id| id.starts_with("G0-")).collect();
    assert_eq!(vip, group0, "the name went to other customers");
    assert_eq!(segments_by_id(&b.join("segments.csv"))["G0-000"].0, "2");
    // The numeric rename stays on number 1 and says that it does not follow re-runs.
    assert!(
        stdout.contains("segment 1 is named 'By number' by number"),
        "{stdout}"
    );
    let model_b = json(&b.join("model.json"));
    assert!(model_b["segments"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == 2 && s["name"] == "VIP Big Spenders"));

    // compare: every customer of both runs stayed with its match; the VIP segment moved
    // from id 0 to id 2.
    let cmp = s.path("cmp");
    let o = seglab(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out",
        cmp.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let c = json(&cmp.join("compare.json"));
    assert_eq!(c["matched_by"], "centroid");
    // Both months share ids G0-000..G0-039, G1-000..G1-089 and G2-000..G2-059.
    assert_eq!(c["customers_in_both"], 40 + 90 + 60);
    assert_eq!(c["only_in_old"], 80);
    assert_eq!(c["moved"], 0);
    let counts = &c["migration"]["counts"];
    assert_eq!(counts[0][2], 40, "G0 went from segment 0 to segment 2");
    assert_eq!(counts[0][3], 80, "80 of G0 are not in the new run");
    let m0 = c["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["old"] == 0)
        .unwrap();
    assert_eq!(m0["new"], 2);
    assert!(cmp.join("compare.md").is_file());
    assert!(cmp.join("charts/migration.png").is_file());
    assert!(cmp.join("charts/migration.svg").is_file());
}

/// A named segment that no longer exists loses its name, with a note naming it.
#[test]
fn a_name_without_a_match_is_dropped_with_a_note() {
    let s = Scratch::new("identity-drop");
    let data = s.file("d.csv", mall([120, 90, 60], 3).as_bytes());
    let recipe = format!(
        "{RECIPE}[[segments.names]]\nname = \"Ghosts\"\ncentroid = [40.0, -40.0]\nsize = 7\ncolumns = [\"Annual Income (k$)\", \"Spending Score (1-100)\"]\n"
    );
    let recipe = s.file("r.toml", recipe.as_bytes());
    let out = s.path("out");
    let o = seglab(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("'Ghosts' (7 customers when named) has no close match"),
        "{stdout}"
    );
    assert!(!names(&out).values().any(|n| n == "Ghosts"));
}
