//! `apply` with a hand-edited or foreign model.json: every inconsistency is one clear error
//! naming the file and the JSON path (exit 1, no output folder, never a panic). Each case was a
//! panic or a silently wrong labelling before model files were validated on load.

mod apply_data;
mod common;
use apply_data::{model_of, trained};
use common::{seglab, text, Scratch};
use serde_json::{json, Value};
use std::path::Path;

/// Applies an edited copy of the model to the training file: (exit code, stdout, stderr).
fn apply_edited(
    s: &Scratch,
    run: &Path,
    edit: impl FnOnce(&mut Value),
) -> (Option<i32>, String, String) {
    let mut m = model_of(run);
    edit(&mut m);
    let model = s.file(
        "model.json",
        serde_json::to_string_pretty(&m).unwrap().as_bytes(),
    );
    apply_file(s, run, &model)
}

fn apply_file(s: &Scratch, run: &Path, model: &Path) -> (Option<i32>, String, String) {
    let input = run.parent().unwrap().join("train.csv");
    let out = s.path("applied");
    let o = seglab(&[
        "apply",
        "--model",
        model.to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(!stderr.contains("panicked"), "{stderr}");
    if o.status.code() != Some(0) {
        assert!(!out.exists(), "a failed apply left {}", out.display());
    }
    (o.status.code(), stdout, stderr)
}

/// The edit is refused with exit 1 and a message naming model.json and `expect`.
fn refused(name: &str, extra: &'static str, expect: &str, edit: impl FnOnce(&mut Value)) {
    let s = Scratch::new(&format!("model-json-{name}"));
    let (code, _, stderr) = apply_edited(&s, &trained(extra), edit);
    assert_eq!(code, Some(1), "{name}: {stderr}");
    assert!(stderr.contains("model.json: "), "{name}: {stderr}");
    assert!(
        stderr.contains(expect),
        "{name}: expected '{expect}' in: {stderr}"
    );
}

#[test]
fn a_model_as_run_writes_it_applies_and_has_schema_version_1() {
    let run = trained("");
    let m = model_of(&run);
    assert_eq!(m["schema_version"], 1);
    assert_eq!(m["ranges"].as_array().unwrap().len(), 2, "{}", m["ranges"]);
    let s = Scratch::new("model-json-ok");
    let (code, stdout, stderr) = apply_edited(&s, &run, |_| {});
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("labelled 90 of 90 rows"), "{stdout}");
}

#[test]
fn a_model_without_schema_version_is_read_as_version_0_with_a_note() {
    let s = Scratch::new("model-json-v0");
    let (code, stdout, stderr) = apply_edited(&s, &trained(""), |m| {
        let o = m.as_object_mut().unwrap();
        o.remove("schema_version");
        o.remove("ranges");
    });
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("read as version 0"), "{stdout}");
}

#[test]
fn a_newer_schema_version_is_refused() {
    refused("v2", "", "schema_version: 2 is newer", |m| {
        m["schema_version"] = json!(2)
    });
}

#[test]
fn not_json_or_wrong_shape_is_not_a_seglab_model() {
    let s = Scratch::new("model-json-garbage");
    let run = trained("");
    let model = s.file("model.json", b"{\"centroids\": [1, 2,");
    let (code, _, stderr) = apply_file(&s, &run, &model);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("not a seglab model"), "{stderr}");
    refused("neg-ncols", "", "not a seglab model", |m| {
        m["n_cols"] = json!(-3)
    });
}

#[test]
fn clip_bounds_with_low_above_high_are_refused_not_a_clamp_panic() {
    refused("bounds", "", "fitted.bounds[0]: low 5 > high 3", |m| {
        m["fitted"]["bounds"][0]["low"] = json!(5.0);
        m["fitted"]["bounds"][0]["high"] = json!(3.0);
    });
}

#[test]
fn kept_indices_out_of_range_short_or_unordered_are_refused() {
    refused("kept-oob", "", "fitted.kept[1]: 99 is out of range", |m| {
        m["fitted"]["kept"][1] = json!(99)
    });
    refused("kept-short", "", "fitted.scaler.columns", |m| {
        m["fitted"]["kept"].as_array_mut().unwrap().pop();
    });
    refused("kept-empty", "", "fitted.kept: is empty", |m| {
        m["fitted"]["kept"] = json!([]);
        m["fitted"]["scaler"]["columns"] = json!([]);
    });
    refused("kept-order", "", "fitted.kept[1]: 0 after 1", |m| {
        m["fitted"]["kept"][0] = json!(1);
        m["fitted"]["kept"][1] = json!(0);
    });
}

#[test]
fn short_scaler_and_zero_or_huge_scale_are_refused() {
    refused(
        "scaler-short",
        "",
        "fitted.scaler.columns: 4 columns",
        |m| {
            m["fitted"]["scaler"]["columns"]
                .as_array_mut()
                .unwrap()
                .pop();
        },
    );
    refused(
        "scale-0",
        "",
        "fitted.scaler.columns[0].scale: 0 must be positive",
        |m| m["fitted"]["scaler"]["columns"][0]["scale"] = json!(0.0),
    );
    refused(
        "center-huge",
        "",
        "fitted.scaler.columns[1].center: 1e300",
        |m| m["fitted"]["scaler"]["columns"][1]["center"] = json!(1e300),
    );
}

#[test]
fn empty_huge_or_ragged_centroids_are_refused() {
    refused("centroids-empty", "", "centroids: is empty", |m| {
        m["centroids"] = json!([])
    });
    refused("centroids-huge", "", "centroids[2]: 1e308", |m| {
        m["centroids"][2] = json!(1e308)
    });
    refused(
        "centroids-ragged",
        "",
        "is not a whole number of centroids",
        |m| {
            m["centroids"].as_array_mut().unwrap().pop();
        },
    );
}

#[test]
fn fewer_names_than_centroids_or_unknown_ids_are_refused() {
    refused(
        "names-short",
        "",
        "segments: 2 names for 3 centroids",
        |m| {
            m["segments"].as_array_mut().unwrap().pop();
        },
    );
    refused(
        "names-id",
        "",
        "segments[0].id: 7 but there are only 3",
        |m| m["segments"][0]["id"] = json!(7),
    );
}

#[test]
fn wrong_zero_or_huge_n_cols_is_refused() {
    refused(
        "ncols-wrong",
        "",
        "n_cols: 3 but fitted.kept gives 5",
        |m| m["n_cols"] = json!(3),
    );
    // n_cols = 0 made nearest-centroid chunking panic (chunk size zero).
    refused("ncols-zero", "", "n_cols: 0 but", |m| {
        m["n_cols"] = json!(0)
    });
    // A huge n_cols overflowed a capacity computation.
    refused("ncols-huge", "", "n_cols: 18446744073709551615", |m| {
        m["n_cols"] = json!(u64::MAX)
    });
}

#[test]
fn fills_and_log1p_must_match_the_features() {
    refused(
        "fill-text",
        "",
        "fitted.fills[0].value: 'lots' is not a number",
        |m| m["fitted"]["fills"][0]["value"] = json!("lots"),
    );
    refused("log1p", "", "fitted.log1p[0]: 'height'", |m| {
        m["fitted"]["log1p"] = json!(["height"])
    });
}

const PCA: &str = "[reduce]\npca_components = 2\n";

#[test]
fn pca_of_the_wrong_shape_is_refused() {
    assert!(model_of(&trained(PCA))["pca"].is_object());
    refused("pca-mean", PCA, "pca.mean: 4 values", |m| {
        m["pca"]["mean"].as_array_mut().unwrap().pop();
    });
    refused("pca-components", PCA, "pca.components: 9 values", |m| {
        m["pca"]["components"].as_array_mut().unwrap().pop();
    });
    refused(
        "pca-kept",
        PCA,
        "pca.n_kept: 9 must be between 1 and 5",
        |m| m["pca"]["n_kept"] = json!(9),
    );
    refused("pca-ncols", PCA, "n_cols: 5 but pca.n_kept gives 2", |m| {
        m["n_cols"] = json!(5)
    });
}

const DBSCAN: &str = "[cluster]\nalgorithm = \"dbscan\"\neps = 0.8\nmin_points = 4\n";

#[test]
fn dbscan_core_points_of_the_wrong_shape_are_refused() {
    let extra = DBSCAN;
    let m = model_of(&trained(extra));
    assert_eq!(m["algorithm"], "dbscan", "{}", m["algorithm"]);
    refused(
        "core-label",
        extra,
        "core_points.labels[0]: 40 but there are only",
        |m| m["core_points"]["labels"][0] = json!(40),
    );
    refused("core-points", extra, "core_points.points", |m| {
        m["core_points"]["points"].as_array_mut().unwrap().pop();
    });
    refused("core-missing", extra, "core_points: missing", |m| {
        m.as_object_mut().unwrap().remove("core_points");
    });
    refused(
        "core-eps",
        extra,
        "core_points.eps: 0 must be positive",
        |m| m["core_points"]["eps"] = json!(0.0),
    );
    refused("core-kmeans", "", "core_points: only a DBSCAN model", |m| {
        m["core_points"] = json!({"eps": 1.0, "points": [], "labels": []})
    });
}
