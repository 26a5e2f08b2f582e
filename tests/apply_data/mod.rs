//! Training data and a recipe shared by the model.json and apply tests.

#![allow(dead_code)]

use super::common::{seglab, text};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `n` customers in three spend/visits groups, a channel category and a few spend gaps.
pub fn customers_csv(n: usize, seed: u64) -> String {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as f64) / (1u64 << 31) as f64
    };
    let mut out = String::from("customer_id,spend,visits,channel\n");
    for i in 0..n {
        let g = i % 3;
        let spend = [200.0, 1500.0, 5000.0][g] * (0.8 + 0.4 * next());
        let visits = [2.0, 10.0, 25.0][g] + (next() * 4.0).floor();
        let channel = ["web", "store", "app"][(i / 3 + g) % 3];
        let spend = if i % 17 == 5 {
            String::new()
        } else {
            format!("{spend:.2}")
        };
        out.push_str(&format!("C{i:04},{spend},{visits},{channel}\n"));
    }
    out
}

pub const RECIPE: &str = r#"seed = 7
[clean.outliers]
spend = { method = "iqr", factor = 3.0, action = "clip" }
[features]
columns = ["spend", "visits"]
one_hot = ["channel"]
"#;

/// The [cluster] table unless the test brings its own.
pub const KMEANS: &str = "[cluster]\nk = 3\nk_max = 4\n";

/// A run of `RECIPE` (plus `extra` keys) on 90 customers, made once per test binary.
pub fn trained(extra: &'static str) -> PathBuf {
    static RUNS: OnceLock<std::sync::Mutex<std::collections::HashMap<&'static str, PathBuf>>> =
        OnceLock::new();
    let runs = RUNS.get_or_init(Default::default);
    let mut runs = runs.lock().unwrap();
    runs.entry(extra)
        .or_insert_with(|| {
            let dir = std::env::temp_dir().join(format!(
                "seglab-test-model-json-base-{}-{}",
                std::process::id(),
                runs_len_tag(extra)
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("train.csv"), customers_csv(90, 1)).unwrap();
            let cluster = if extra.contains("[cluster]") {
                ""
            } else {
                KMEANS
            };
            std::fs::write(dir.join("recipe.toml"), format!("{RECIPE}{cluster}{extra}")).unwrap();
            let out = dir.join("run");
            let o = seglab(&[
                "run",
                "--recipe",
                dir.join("recipe.toml").to_str().unwrap(),
                dir.join("train.csv").to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ]);
            assert!(o.status.success(), "training run failed: {}", text(&o).1);
            out
        })
        .clone()
}

fn runs_len_tag(extra: &str) -> String {
    extra
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(24)
        .collect()
}

pub fn model_of(run: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("model.json")).unwrap()).unwrap()
}
