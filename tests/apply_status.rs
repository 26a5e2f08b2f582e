//! `apply` on realistic new data: every row gets a `status`; rows that cannot be scored are
//! reported (count, reason, first rows) and get no segment, the rest are labelled. `run` writes
//! the same column; a DBSCAN model keeps only a rounded subsample of its core points.

mod apply_data;
mod common;
use apply_data::{customers_csv, model_of, trained, KMEANS, RECIPE};
use common::{run_ok, seglab, text, Scratch};
use std::collections::HashMap;
use std::path::Path;

/// customer_id → (segment_id, status) of a segments.csv, and its header.
fn statuses(path: &Path) -> (Vec<String>, HashMap<String, (String, String)>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, sid, st) = (col("customer_id"), col("segment_id"), col("status"));
    let rows = r
        .records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[id].to_string(),
                (rec[sid].to_string(), rec[st].to_string()),
            )
        })
        .collect();
    (h, rows)
}

fn apply(s: &Scratch, model: &Path, input: &Path, out: &str) -> (String, std::path::PathBuf) {
    let out = s.path(out);
    let o = seglab(&[
        "apply",
        "--model",
        model.to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "apply failed: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (stdout, out)
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn new_data_with_currency_text_gaps_and_surprises_is_labelled_and_flagged() {
    let s = Scratch::new("apply-status-mixed");
    let model = trained("").join("model.json");
    let batch = s.file(
        "batch.csv",
        b"customer_id,spend,visits,channel\n\
N0001,\"$1,234.50\",10,store\n\
N0002,\"2,000\",12,web\n\
N0003,unknown,3,web\n\
N0004,,,app\n\
N0005,300,2,phone\n\
N0006,900000,30,web\n\
N0007,,5,web\n\
N0008,5000,25,app\n",
    );
    let (stdout, out) = apply(&s, &model, &batch, "applied");
    let (_, rows) = statuses(&out.join("segments.csv"));
    let status = |id: &str| rows[id].1.as_str();
    let segment = |id: &str| rows[id].0.as_str();
    assert_eq!(status("N0001"), "ok");
    assert_eq!(status("N0002"), "ok");
    assert_eq!(status("N0003"), "unscorable");
    assert_eq!(status("N0004"), "unscorable");
    assert_eq!(status("N0005"), "unseen_category");
    assert_eq!(status("N0006"), "out_of_range");
    assert_eq!(status("N0007"), "imputed");
    assert_eq!(status("N0008"), "ok");
    for id in ["N0003", "N0004"] {
        assert_eq!(segment(id), "", "an unscorable row has no segment");
    }
    for id in ["N0001", "N0002", "N0005", "N0006", "N0007", "N0008"] {
        assert!(segment(id).parse::<usize>().is_ok(), "{id}: {:?}", rows[id]);
    }
    // The written numbers land where the plain ones of the same size do.
    assert_eq!(segment("N0008"), segment("N0006"));
    assert!(
        stdout.contains(
            "warning: 1 row(s) unscorable, text that is not a number in 'spend': row 3 (spend = 'unknown')"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("more than half of the 3 features missing: row 4 (2 of 3 missing)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("'spend': read 2 value(s) written with a currency symbol"),
        "{stdout}"
    );
    assert!(stdout.contains("labelled 6 of 8 rows"), "{stdout}");
    let m = manifest(&out);
    assert_eq!(m["status"]["unscorable"], 2, "{m}");
    assert_eq!(m["status"]["ok"], 3, "{m}");
    assert_eq!(m["status"]["imputed"], 1, "{m}");
    assert_eq!(m["status"]["unseen_category"], 1, "{m}");
    assert_eq!(m["status"]["out_of_range"], 1, "{m}");
}

#[test]
fn an_empty_feature_column_in_the_new_batch_is_imputed_or_unscorable_never_a_panic() {
    let s = Scratch::new("apply-status-empty");
    let model = trained("").join("model.json");
    // spend had gaps in training (the model has a fill value): filled, flagged imputed.
    let no_spend = s.file(
        "no_spend.csv",
        b"customer_id,spend,visits,channel\nN1,,3,web\nN2,,25,app\nN3,,11,store\n",
    );
    let (stdout, out) = apply(&s, &model, &no_spend, "a");
    assert!(stdout.contains("'spend' is empty in this file"), "{stdout}");
    let (_, rows) = statuses(&out.join("segments.csv"));
    assert!(rows
        .values()
        .all(|(seg, st)| st == "imputed" && !seg.is_empty()));
    // visits never had gaps: no fill value, so every row is unscorable, with the reason.
    let no_visits = s.file(
        "no_visits.csv",
        b"customer_id,spend,visits,channel\nN1,200,,web\nN2,5000,,app\n",
    );
    let (stdout, out) = apply(&s, &model, &no_visits, "b");
    assert!(
        stdout.contains("2 row(s) unscorable, 'visits' missing and the model has no fill value for it: row 1 (visits), row 2 (visits)"),
        "{stdout}"
    );
    let (_, rows) = statuses(&out.join("segments.csv"));
    assert!(rows
        .values()
        .all(|(seg, st)| st == "unscorable" && seg.is_empty()));
}

#[test]
fn reapplying_to_last_months_segments_csv_replaces_its_label_columns() {
    let s = Scratch::new("apply-status-relabel");
    let run = trained("");
    let (stdout, out) = apply(
        &s,
        &run.join("model.json"),
        &run.join("segments.csv"),
        "again",
    );
    assert!(
        stdout.contains("already has segment_id, segment_name, status, silhouette"),
        "{stdout}"
    );
    let (header, again) = statuses(&out.join("segments.csv"));
    for c in ["segment_id", "segment_name", "status"] {
        assert_eq!(header.iter().filter(|h| *h == c).count(), 1, "{header:?}");
    }
    let (_, before) = statuses(&run.join("segments.csv"));
    assert_eq!(again.len(), 90);
    assert!(before.iter().all(|(id, (seg, _))| &again[id].0 == seg));
}

#[test]
fn run_writes_a_status_column_and_counts_it() {
    let run = trained("");
    let (_, rows) = statuses(&run.join("segments.csv"));
    // Rows 5, 22, 39, 56, 73 have no spend: filled with the median.
    for (id, (seg, st)) in &rows {
        let i: usize = id[1..].parse().unwrap();
        let expect = if i % 17 == 5 { "imputed" } else { "ok" };
        assert_eq!(st, expect, "{id}");
        assert!(seg.parse::<usize>().is_ok());
    }
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["status"]["imputed"], 5, "{m}");
    assert_eq!(m["status"]["ok"], 85, "{m}");
}

#[test]
fn a_dbscan_model_keeps_a_rounded_subsample_of_core_points_and_counts_what_it_changes() {
    let s = Scratch::new("apply-status-dbscan");
    let data = s.file("train.csv", customers_csv(3000, 3).as_bytes());
    let recipe = s.file(
        "recipe.toml",
        format!(
            "{RECIPE}{}",
            KMEANS.replace(
                "k = 3\nk_max = 4",
                "algorithm = \"dbscan\"\neps = 0.5\nmin_points = 5"
            )
        )
        .as_bytes(),
    );
    let run = s.path("run");
    run_ok(&recipe, &data, &run);
    let m = model_of(&run);
    let core = &m["core_points"];
    let labels = core["labels"].as_array().unwrap();
    let points = core["points"].as_array().unwrap();
    assert!(
        !labels.is_empty() && labels.len() <= 1000,
        "{}",
        labels.len()
    );
    for v in points {
        let v = v.as_f64().unwrap();
        let rounded: f64 = format!("{v:.2e}").parse().unwrap();
        assert_eq!(v, rounded, "core point values keep 3 significant digits");
    }
    let man = manifest(&run);
    let d = &man["dbscan_model"];
    assert_eq!(d["stored"].as_u64().unwrap() as usize, labels.len(), "{d}");
    assert!(
        d["core_points"].as_u64().unwrap() as usize > labels.len(),
        "{d}"
    );
    // The manifest's count is exactly how many training rows apply labels differently.
    let (_, ran) = statuses(&run.join("segments.csv"));
    let (_, out) = apply(&s, &run.join("model.json"), &data, "applied");
    let (_, got) = statuses(&out.join("segments.csv"));
    let differ = ran.iter().filter(|(id, v)| got[*id].0 != v.0).count();
    assert_eq!(
        d["rows_labelled_differently_by_model"].as_u64().unwrap() as usize,
        differ,
        "{d}"
    );
    assert!(
        differ * 20 < ran.len(),
        "{differ} of {} rows relabelled",
        ran.len()
    );
}

#[test]
fn run_lists_merged_and_dropped_rows_with_their_reason_and_no_segment() {
    let s = Scratch::new("run-status-removed");
    // customers_csv plus: C9001 repeats C0001's email (merged into it), C9002 spends far beyond
    // everyone (dropped by the outlier rule), C9003 has no visits (dropped by the missing rule).
    let mut csv = customers_csv(90, 1).replacen(
        "customer_id,spend,visits,channel\n",
        "customer_id,email,spend,visits,channel\n",
        1,
    );
    csv = csv
        .lines()
        .enumerate()
        .map(|(i, line)| match i {
            0 => line.to_string(),
            _ => {
                let (id, rest) = line.split_once(',').unwrap();
                format!("{id},{}@example.com,{rest}", id.to_lowercase())
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    csv.push_str("\nC9001,c0001@example.com,210,3,web\nC9002,x@example.com,900000,4,web\nC9003,y@example.com,300,,web\n");
    let data = s.file("train.csv", csv.as_bytes());
    let recipe = s.file(
        "recipe.toml",
        format!(
            "seed = 7\n[clean.dedup]\nkeys = [\"email\"]\n[clean.outliers]\n\
             spend = {{ method = \"iqr\", factor = 3.0, action = \"drop\" }}\n\
             [clean.missing.columns]\nvisits = \"drop\"\n\
             [features]\ncolumns = [\"spend\", \"visits\"]\none_hot = [\"channel\"]\n{KMEANS}"
        )
        .as_bytes(),
    );
    let run = s.path("run");
    run_ok(&recipe, &data, &run);
    let (_, rows) = statuses(&run.join("segments.csv"));
    assert_eq!(rows.len(), 93, "every input row is listed");
    assert_eq!(rows["C9001"], (String::new(), "merged_into:C0001".into()));
    assert_eq!(rows["C9002"], (String::new(), "outlier_dropped".into()));
    assert_eq!(rows["C9003"], (String::new(), "unscorable".into()));
    assert!(
        rows["C0001"].0.parse::<usize>().is_ok(),
        "{:?}",
        rows["C0001"]
    );
    let m = manifest(&run);
    assert_eq!(m["status"]["merged_into"], 1, "{m}");
    assert_eq!(m["status"]["outlier_dropped"], 1, "{m}");
    assert_eq!(m["status"]["unscorable"], 1, "{m}");
    // The removed rows keep their own values in the other columns.
    let body = std::fs::read_to_string(run.join("segments.csv")).unwrap();
    assert!(body.contains("C9002,"), "{body}");
    assert!(body
        .lines()
        .any(|l| l.starts_with("C9002,") && l.contains("900000")));
}
