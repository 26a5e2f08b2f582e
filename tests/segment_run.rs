//! `seglab run`, `sweep` and `apply` end to end on the sample data and a fresh generated batch.

mod common;
use common::{sample, seglab, segmented_by_id, segments_by_id, text, Scratch};
use seglab::engine::metrics::adjusted_rand_index;
use std::collections::HashMap;
use std::path::Path;

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|x| {
            h.iter()
                .zip(x.unwrap().iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .collect()
}

fn run_ok(args: &[&str]) -> String {
    let o = seglab(args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "seglab {args:?} failed: {err}");
    assert!(!err.contains("panicked"));
    out
}

#[test]
fn sample_run_recovers_the_planted_types_and_writes_everything() {
    let s = Scratch::new("run-sample");
    let out = s.path("run");
    let printed = run_ok(&["run", "--out", out.to_str().unwrap()]);
    assert!(printed.contains("5 segments"), "{printed}");
    for f in [
        "segments.csv",
        "segments.parquet",
        "personas.md",
        "personas.json",
        "sweep.csv",
        "manifest.json",
        "model.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    for chart in [
        "elbow",
        "silhouette_vs_k",
        "silhouette",
        "scatter",
        "scree",
        "profile_heatmap",
    ] {
        let png = std::fs::read(out.join("charts").join(format!("{chart}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 5_000,
            "{chart}.png"
        );
        let svg = std::fs::read_to_string(out.join("charts").join(format!("{chart}.svg"))).unwrap();
        assert!(svg.contains("<svg"), "{chart}.svg");
    }
    // Adjusted Rand index against the planted types (near-duplicates were merged away).
    let truth: HashMap<String, String> = rows(&sample("truth.csv"))
        .into_iter()
        .map(|r| (r["customer_id"].clone(), r["segment"].clone()))
        .collect();
    let mut seg = rows(&out.join("segments.csv"));
    seg.retain(|r| !r["segment_id"].is_empty());
    let mut kinds: Vec<String> = truth.values().cloned().collect();
    kinds.sort();
    kinds.dedup();
    let planted: Vec<usize> = seg
        .iter()
        .map(|r| {
            kinds
                .iter()
                .position(|k| *k == truth[&r["customer_id"]])
                .unwrap()
        })
        .collect();
    let found: Vec<usize> = seg
        .iter()
        .map(|r| r["segment_id"].parse().unwrap())
        .collect();
    let ari = adjusted_rand_index(&planted, &found).unwrap();
    println!("adjusted Rand index vs planted types: {ari:.4}");
    assert!(ari >= 0.9, "ARI {ari}");
    // Names are unique, every row has a silhouette (5,000 rows is under the sampling threshold).
    let mut names: Vec<&String> = seg.iter().map(|r| &r["segment_name"]).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(seg.iter().all(|r| r["silhouette"].parse::<f64>().is_ok()));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(
        manifest["inputs"].as_array().unwrap().len(),
        3,
        "customers, transactions and web events"
    );
    let md = std::fs::read_to_string(out.join("personas.md")).unwrap();
    for n in names {
        assert!(md.contains(&format!("## {n}")), "{n} in personas.md");
    }
    // Stability: a section in personas.md, a value per segment in personas.json, and the
    // columns of sweep.csv. The planted types are well apart: every segment comes back.
    assert!(md.contains("## How stable the segments are"), "{md}");
    let personas: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("personas.json")).unwrap()).unwrap();
    for p in personas["segments"].as_array().unwrap() {
        let j = p["stability"]["jaccard"].as_f64().unwrap();
        assert!(j >= 0.75, "{p}");
        assert_eq!(p["stability"]["verdict"], "stable");
    }
    assert_eq!(personas["stability"]["resamples"], 20);
    let sweep_csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        sweep_csv.starts_with(
            "k,inertia,silhouette,davies_bouldin,calinski_harabasz,dunn,stability,seed_ari\n"
        ),
        "{sweep_csv}"
    );
}

#[test]
fn same_recipe_data_and_seed_give_the_same_labels() {
    let s = Scratch::new("run-repeat");
    let a = s.path("a");
    let b = s.path("b");
    run_ok(&["run", "--out", a.to_str().unwrap()]);
    run_ok(&["run", "--out", b.to_str().unwrap()]);
    assert_eq!(
        std::fs::read(a.join("segments.csv")).unwrap(),
        std::fs::read(b.join("segments.csv")).unwrap()
    );
}

#[test]
fn apply_labels_a_fresh_batch_like_run_does() {
    let s = Scratch::new("apply");
    let data = s.path("batch");
    run_ok(&[
        "demo-data",
        "--out",
        data.to_str().unwrap(),
        "--customers",
        "1500",
        "--transactions",
        "30000",
        "--web-events",
        "100",
        "--seed",
        "7",
    ]);
    // The sample recipe, pointed at this batch's transaction log.
    std::fs::copy(sample("recipe.toml"), data.join("recipe.toml")).unwrap();
    let run = s.path("run");
    let recipe = data.join("recipe.toml");
    let customers = data.join("customers.csv");
    run_ok(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        customers.to_str().unwrap(),
        "--out",
        run.to_str().unwrap(),
    ]);
    let applied = s.path("applied");
    let tx = data.join("transactions.csv");
    let model = run.join("model.json");
    run_ok(&[
        "apply",
        "--model",
        model.to_str().unwrap(),
        customers.to_str().unwrap(),
        "--transactions",
        tx.to_str().unwrap(),
        "--out",
        applied.to_str().unwrap(),
    ]);
    // The run lists the 30 merged duplicates too, with no segment.
    assert_eq!(segments_by_id(&run.join("segments.csv")).len(), 1530);
    let ran = segmented_by_id(&run.join("segments.csv"));
    assert_eq!(ran.len(), 1500);
    let got = segments_by_id(&applied.join("segments.csv"));
    assert_eq!(
        got.len(),
        1500 + 30,
        "apply scores every input row (1,500 customers + 2% planted duplicates)"
    );
    // Every customer of the run gets the same segment id and name from the model. (A recipe with
    // KNN imputation could differ on rows whose gaps KNN filled: apply uses the stored median.)
    let same = ran.iter().filter(|(id, v)| got.get(*id) == Some(v)).count();
    assert_eq!(
        same,
        ran.len(),
        "apply and run disagree on {} customers",
        ran.len() - same
    );
}

#[test]
fn sweep_json_has_the_documented_shape() {
    let out = run_ok(&["sweep", "--json", "--k-range", "2..6"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let k = v["recommended_k"].as_u64().unwrap();
    assert!((2..=6).contains(&k));
    assert!(v["rule"].as_str().unwrap().contains("Kneedle"));
    assert!(v.get("silhouette_sample_size").is_some());
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for key in [
        "k",
        "inertia",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "dunn",
        "stability",
        "seed_ari",
    ] {
        assert!(results[0].get(key).is_some(), "{key}");
    }
    // Stability and seed ARI are on by default (20 resamples), within their ranges; the
    // sample's planted types come back at the recommended k.
    for r in results {
        let st = r["stability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&st), "{r}");
        assert!(r["seed_ari"].as_f64().unwrap() <= 1.0, "{r}");
    }
    let chosen = results.iter().find(|r| r["k"] == k).unwrap();
    assert!(chosen["stability"].as_f64().unwrap() >= 0.75, "{chosen}");
    assert!(v["stability_sample_size"].is_null());
    // Switched off, both are null.
    let off = run_ok(&[
        "sweep",
        "--json",
        "--k-range",
        "2..3",
        "--stability-resamples",
        "0",
    ]);
    let off: serde_json::Value = serde_json::from_str(&off).unwrap();
    assert!(off["results"][0]["stability"].is_null());
    assert!(off["results"][0]["seed_ari"].is_null());
    // Inertia falls as k grows.
    let inertia: Vec<f64> = results
        .iter()
        .map(|r| r["inertia"].as_f64().unwrap())
        .collect();
    assert!(inertia.windows(2).all(|w| w[1] < w[0]), "{inertia:?}");
}

#[test]
fn hierarchical_and_dbscan_runs_draw_their_own_charts() {
    let s = Scratch::new("algos");
    let h = s.path("h");
    run_ok(&[
        "run",
        "--algo",
        "hierarchical",
        "--k",
        "5",
        "--out",
        h.to_str().unwrap(),
    ]);
    assert!(h.join("charts/dendrogram.png").exists());
    let d = s.path("d");
    let recipe = s.file(
        "dbscan.toml",
        std::fs::read_to_string(sample("recipe.toml"))
            .unwrap()
            .replace(
                "transactions.csv",
                sample("transactions.csv").to_str().unwrap(),
            )
            .replace("web_events.csv", sample("web_events.csv").to_str().unwrap())
            .replace(
                "algorithm = \"kmeans\"",
                "algorithm = \"dbscan\"\neps = 0.6\nmin_points = 10",
            )
            .as_bytes(),
    );
    run_ok(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        sample("customers.csv").to_str().unwrap(),
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(d.join("charts/k_distance.png").exists());
    // apply with a DBSCAN model: the run's noise stays noise (no core point within eps) and
    // clustered rows keep their cluster (a border row within eps of two clusters' cores may
    // go to the nearer one, as DBSCAN itself leaves that to the visiting order).
    let applied = s.path("d-applied");
    run_ok(&[
        "apply",
        "--model",
        d.join("model.json").to_str().unwrap(),
        sample("customers.csv").to_str().unwrap(),
        "--transactions",
        sample("transactions.csv").to_str().unwrap(),
        "--out",
        applied.to_str().unwrap(),
    ]);
    let ran = segmented_by_id(&d.join("segments.csv"));
    let got = segments_by_id(&applied.join("segments.csv"));
    let noise: Vec<&String> = ran
        .iter()
        .filter(|(_, v)| v.1 == "noise")
        .map(|(id, _)| id)
        .collect();
    assert!(
        !noise.is_empty() && noise.len() < ran.len(),
        "{} noise rows",
        noise.len()
    );
    assert!(
        noise.iter().all(|id| got[*id] == ran[*id]),
        "noise stays noise"
    );
    // The model keeps a rounded subsample of core points (privacy), so border rows may be
    // labelled differently: the manifest counts exactly those, and they stay few.
    let same = ran.iter().filter(|(id, v)| got.get(*id) == Some(v)).count();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap();
    let counted = manifest["dbscan_model"]["rows_labelled_differently_by_model"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(ran.len() - same, counted, "{}", manifest["dbscan_model"]);
    assert!(
        same * 100 >= ran.len() * 95,
        "{same} of {} agree",
        ran.len()
    );
}

#[test]
fn bad_cluster_settings_give_clear_errors() {
    let s = Scratch::new("badrun");
    for (args, expect) in [
        (vec!["--k", "1"], "k must be at least 2"),
        (vec!["--k", "999999"], "cluster.k (--k) = 999999"),
    ] {
        let out = s.path("o");
        let mut a = vec!["run", "--out", out.to_str().unwrap()];
        a.extend(args.iter());
        let o = seglab(&a);
        let (_, e) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{e}");
        assert!(e.contains(expect), "{e}");
        assert!(!out.exists());
    }
    let recipe = s.file("r.toml", b"[cluster]\neps = 0\nalgorithm = \"dbscan\"\n");
    let o = seglab(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        sample("customers.csv").to_str().unwrap(),
        "--out",
        s.path("x").to_str().unwrap(),
    ]);
    assert!(
        text(&o).1.contains("eps must be a positive number"),
        "{}",
        text(&o).1
    );
    let recipe = s.file("r2.toml", b"[cluster]\nalgorithm = \"kmedoids\"\n");
    let o = seglab(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        sample("customers.csv").to_str().unwrap(),
        "--out",
        s.path("y").to_str().unwrap(),
    ]);
    let e = text(&o).1;
    assert!(e.contains("line 2") && e.contains("kmedoids"), "{e}");
}

#[test]
fn pca_runs_keep_the_variance_asked_for_and_apply_reuses_them() {
    let s = Scratch::new("pca");
    let text = std::fs::read_to_string(sample("recipe.toml"))
        .unwrap()
        .replace(
            "transactions.csv",
            sample("transactions.csv").to_str().unwrap(),
        )
        .replace("web_events.csv", sample("web_events.csv").to_str().unwrap());
    let recipe = s.file(
        "pca.toml",
        format!("{text}\n[reduce]\npca_variance = 0.9\n").as_bytes(),
    );
    let out = s.path("run");
    let customers = sample("customers.csv");
    run_ok(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        customers.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let pca: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("pca.json")).unwrap()).unwrap();
    let kept = pca["kept"].as_u64().unwrap() as usize;
    let cumulative: Vec<f64> = pca["scree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["cumulative"].as_f64().unwrap())
        .collect();
    assert!(
        cumulative[kept - 1] >= 0.9 && (kept == 1 || cumulative[kept - 2] < 0.9),
        "{cumulative:?} kept {kept}"
    );
    assert!(kept < 7, "7 features, fewer components");
    assert_eq!(pca["components"].as_array().unwrap().len(), kept);
    let applied = s.path("applied");
    let model = out.join("model.json");
    let tx = sample("transactions.csv");
    run_ok(&[
        "apply",
        "--model",
        model.to_str().unwrap(),
        customers.to_str().unwrap(),
        "--transactions",
        tx.to_str().unwrap(),
        "--out",
        applied.to_str().unwrap(),
    ]);
    let ran: HashMap<String, String> = rows(&out.join("segments.csv"))
        .into_iter()
        .filter(|r| !r["segment_id"].is_empty())
        .map(|r| (r["customer_id"].clone(), r["segment_id"].clone()))
        .collect();
    let got: HashMap<String, String> = rows(&applied.join("segments.csv"))
        .into_iter()
        .map(|r| (r["customer_id"].clone(), r["segment_id"].clone()))
        .collect();
    assert!(
        ran.iter().all(|(id, seg)| got.get(id) == Some(seg)),
        "apply through PCA gives the run's segments"
    );
}

/// Every clustered row gets a silhouette: exact on the seeded sample, from the centroids on the
/// rest, with `silhouette_method` saying which; the removed rows get neither.
#[test]
fn every_segmented_row_has_a_silhouette_and_says_how() {
    let s = common::Scratch::new("silhouette-every-row");
    let recipe = std::fs::read_to_string(common::sample("recipe.toml"))
        .unwrap()
        .replace("[cluster]", "[cluster]\nsilhouette_sample = 700")
        .replace(
            "file = \"transactions.csv\"",
            &format!("file = {:?}", common::sample("transactions.csv")),
        )
        .replace(
            "file = \"web_events.csv\"",
            &format!("file = {:?}", common::sample("web_events.csv")),
        );
    let recipe = s.file("recipe.toml", recipe.as_bytes());
    let out = s.path("run");
    common::run_ok(&recipe, &common::sample("customers.csv"), &out);
    let mut r = csv::Reader::from_path(out.join("segments.csv")).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, sil, method) = (
        col("segment_id"),
        col("silhouette"),
        col("silhouette_method"),
    );
    let (mut exact, mut centroid, mut none) = (0, 0, 0);
    for rec in r.records() {
        let rec = rec.unwrap();
        match (&rec[id], &rec[method]) {
            ("", "") => none += 1,
            (_, "exact") => exact += 1,
            (_, "centroid") => centroid += 1,
            other => panic!("unexpected {other:?}"),
        }
        if !rec[id].is_empty() {
            let v: f64 = rec[sil].parse().unwrap();
            assert!((-1.0..=1.0).contains(&v), "{v}");
        }
    }
    assert_eq!(exact, 700);
    // 5,100 rows: 5,000 clustered after dedup, 100 merged duplicates without a segment.
    assert_eq!(centroid, 5000 - 700);
    assert_eq!(none, 100);
}
