//! Helpers shared by the integration tests: a scratch folder per test and the seglab binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("seglab-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn seglab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seglab"))
        .args(args)
        .output()
        .expect("run seglab")
}

/// `seglab run --recipe RECIPE DATA --out OUT`, which must succeed.
pub fn run_ok(recipe: &Path, data: &Path, out: &Path) {
    let o = seglab(&[
        "run",
        "--recipe",
        recipe.to_str().unwrap(),
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "run failed: {}", text(&o).1);
}

pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn sample(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-data")
        .join(file)
}

/// `seglab inspect --json` parsed.
pub fn inspect_json(path: &Path, extra: &[&str]) -> serde_json::Value {
    let p = path.to_str().unwrap();
    let mut args = vec!["inspect", p, "--json"];
    args.extend_from_slice(extra);
    let out = seglab(&args);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "inspect {p} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

pub fn column<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no column {name} in {report}"))
}

/// `segments_by_id` without the rows cleaning removed (merged duplicates, dropped outliers),
/// which a run lists with no segment.
pub fn segmented_by_id(path: &Path) -> std::collections::HashMap<String, (String, String)> {
    let mut rows = segments_by_id(path);
    rows.retain(|_, (segment, _)| !segment.is_empty());
    rows
}

/// customer_id → (segment_id, segment_name) of a segments.csv.
pub fn segments_by_id(path: &Path) -> std::collections::HashMap<String, (String, String)> {
    segments_by(path, "customer_id")
}

/// `id_column` → (segment_id, segment_name) of a segments.csv.
pub fn segments_by(
    path: &Path,
    id_column: &str,
) -> std::collections::HashMap<String, (String, String)> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (id, sid, name) = (col(id_column), col("segment_id"), col("segment_name"));
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (
                rec[id].to_string(),
                (rec[sid].to_string(), rec[name].to_string()),
            )
        })
        .collect()
}
