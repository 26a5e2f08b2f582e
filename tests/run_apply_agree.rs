//! `apply` with a run's model on the run's own input gives every row the run's segment: the
//! run's labels are the nearest final centroid, found as `apply` finds it, and model.json keeps
//! every number bit for bit. Checked on near-tie data (rows on the bisector of two groups) and
//! on generated tables of several shapes, through log1p and PCA.

mod common;
use common::{run_ok, seglab, segments_by_id, text, Scratch};

/// A seeded generator, so every table is the same on every machine.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64) / (1u64 << 53) as f64
    }
}

fn apply_ok(model: &std::path::Path, data: &std::path::Path, out: &std::path::Path) {
    let o = seglab(&[
        "apply",
        "--model",
        model.to_str().unwrap(),
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "apply failed: {}", text(&o).1);
}

/// Runs the recipe on the table, applies the model to the same file, and returns
/// (rows compared, rows that disagree).
fn run_then_apply(name: &str, csv: &str, recipe: &str) -> (usize, usize) {
    let s = Scratch::new(name);
    let data = s.file("data.csv", csv.as_bytes());
    let recipe = s.file("recipe.toml", recipe.as_bytes());
    let run = s.path("run");
    run_ok(&recipe, &data, &run);
    let applied = s.path("applied");
    apply_ok(&run.join("model.json"), &data, &applied);
    let ran = segments_by_id(&run.join("segments.csv"));
    let got = segments_by_id(&applied.join("segments.csv"));
    let labelled: Vec<_> = ran.iter().filter(|(_, (sid, _))| !sid.is_empty()).collect();
    let differ = labelled
        .iter()
        .filter(|(id, v)| got.get(*id) != Some(v))
        .count();
    (labelled.len(), differ)
}

/// Two groups around x = ±1 and a third of the rows within 1e-9 of the bisector x = 0, where
/// the last move of a centroid decides the side.
fn near_ties(n: usize, seed: u64) -> String {
    let mut r = Lcg(seed);
    let mut out = String::from("customer_id,x,y\n");
    for i in 0..n {
        let (x, y) = match i % 3 {
            0 => (-1.0 + 0.3 * r.next(), r.next()),
            1 => (1.0 - 0.3 * r.next(), r.next()),
            _ => ((r.next() - 0.5) * 2e-9, r.next()),
        };
        out.push_str(&format!("C{i:05},{x:e},{y}\n"));
    }
    out
}

#[test]
fn near_tie_rows_get_the_same_segment_from_run_and_apply() {
    let recipe = "seed = 3\n[features]\ncolumns = [\"x\", \"y\"]\n[cluster]\nk = 2\nn_init = 1\n";
    let (n, differ) = run_then_apply("agree-ties", &near_ties(900, 11), recipe);
    assert_eq!(n, 900);
    assert_eq!(differ, 0, "{differ} of {n} near-tie rows disagree");
}

/// Skewed spend-like columns (lognormal-ish), a count and a uniform column: no clear clusters,
/// so k-means stops on its tolerance with rows near several boundaries.
fn skewed(n: usize, seed: u64) -> String {
    let mut r = Lcg(seed);
    let mut out = String::from("customer_id,spend,orders,tenure,score\n");
    for i in 0..n {
        let spend = (3.0 + 2.0 * (r.next() + r.next() + r.next() - 1.5)).exp();
        let orders = (r.next() * r.next() * 40.0).floor();
        let tenure = r.next() * 72.0;
        let score = r.next() * 100.0;
        out.push_str(&format!(
            "C{i:05},{spend:.2},{orders},{tenure:.1},{score:.0}\n"
        ));
    }
    out
}

/// The property over shapes and settings: every labelled row agrees, whatever the data, seed,
/// k, log1p or PCA.
#[test]
fn apply_on_a_runs_own_input_reproduces_every_label() {
    let cases = [
        ("uniform-k5", skewed(1200, 1), "seed = 1\n[features]\ncolumns = [\"tenure\", \"score\"]\n[cluster]\nk = 5\nn_init = 1\ntol = 0.01\n"),
        ("skewed-log1p-k6", skewed(1500, 2), "seed = 9\n[features]\ncolumns = [\"spend\", \"orders\", \"tenure\", \"score\"]\nlog1p = [\"spend\", \"orders\"]\n[cluster]\nk = 6\nn_init = 2\ntol = 0.001\n"),
        ("skewed-pca-k4", skewed(1000, 3), "seed = 4\n[features]\ncolumns = [\"spend\", \"orders\", \"tenure\", \"score\"]\n[reduce]\npca_components = 3\n[cluster]\nk = 4\nn_init = 1\ntol = 0.05\n"),
        ("near-ties-k3", near_ties(600, 5), "seed = 8\n[features]\ncolumns = [\"x\", \"y\"]\n[cluster]\nk = 3\nn_init = 1\ntol = 0.1\n"),
    ];
    for (name, csv, recipe) in cases {
        let (n, differ) = run_then_apply(name, &csv, recipe);
        assert!(n > 500, "{name}: only {n} labelled rows");
        assert_eq!(differ, 0, "{name}: {differ} of {n} rows disagree");
    }
}
