//! Huge or tiny inputs and settings: wide tables, k far beyond the rows, one-hot on ids and on
//! columns with hundreds of values, too few rows. Each is refused with one clear message naming
//! the key (or flag) and the count, or handled within stated bounds, and nothing partial is left.

mod common;
use common::{sample, seglab, text, Scratch};
use std::path::Path;

/// Args for `seglab <cmd> <input> --out <out> [--recipe r.toml] <extra>`.
fn run_args(
    cmd: &str,
    s: &Scratch,
    input: &Path,
    recipe: Option<&str>,
    extra: &[&str],
) -> Vec<String> {
    let mut a = vec![
        cmd.to_string(),
        input.display().to_string(),
        "--out".into(),
        s.path("out").display().to_string(),
    ];
    if let Some(r) = recipe {
        let rp = s.file("recipe.toml", r.as_bytes());
        a.extend(["--recipe".into(), rp.display().to_string()]);
    }
    a.extend(extra.iter().map(|x| x.to_string()));
    a
}

/// The failure contract: exit 1, one `error:` line, no output, no staging folder, no panic.
/// Returns stderr.
fn fails(s: &Scratch, args: &[String]) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = seglab(&args);
    let (_, e) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    assert_eq!(e.matches("error: ").count(), 1, "one message: {e}");
    assert!(!e.contains(".partial"), "no staging path in messages: {e}");
    assert!(!s.path("out").exists(), "no output");
    no_partial_left(s);
    e
}

fn no_partial_left(s: &Scratch) {
    let left: Vec<String> = std::fs::read_dir(&s.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

fn succeeds(args: &[String]) -> (String, String) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = seglab(&args);
    let (out, e) = text(&o);
    assert!(o.status.success(), "{e}");
    (out, e)
}

/// `rows` customers with `cols` numeric columns, seeded and deterministic, two planted groups.
fn numeric_table(s: &Scratch, name: &str, rows: usize, cols: usize) -> std::path::PathBuf {
    let mut t = String::from("customer_id");
    for c in 0..cols {
        t.push_str(&format!(",x{c}"));
    }
    t.push('\n');
    let mut state: u64 = 7;
    for r in 0..rows {
        t.push_str(&format!("C{r:05}"));
        for _ in 0..cols {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let noise = (state >> 40) as f64 / (1u64 << 24) as f64;
            let v = (r % 2) as f64 * 10.0 + noise;
            t.push_str(&format!(",{v:.3}"));
        }
        t.push('\n');
    }
    s.file(name, t.as_bytes())
}

#[test]
fn wide_input_is_segmented_without_a_columns_squared_matrix() {
    // 20 rows × 20,000 columns: a covariance for the PCA picture would be 3.2 GB (the issue's
    // 100,000 columns, 80 GB, run by hand: 1 GB peak; too slow for the test suite).
    let s = Scratch::new("wide");
    let input = numeric_table(&s, "wide.csv", 20, 20_000);
    let (stdout, _) = succeeds(&run_args("run", &s, &input, None, &["--k-range", "2..4"]));
    let out = s.path("out");
    assert!(out.join("segments.csv").exists(), "{stdout}");
    // The picture comes from the 20 × 20 Gram matrix.
    assert!(out.join("charts/scatter.png").exists());
    assert!(out.join("charts/scree.png").exists());
    // The two planted groups are found.
    let seg = common::segments_by_id(&out.join("segments.csv"));
    let same = |a: usize, b: usize| seg[&format!("C{a:05}")].0 == seg[&format!("C{b:05}")].0;
    assert!(!same(0, 1));
    for r in 2..20 {
        assert!(same(r, r % 2), "row {r}");
    }
    no_partial_left(&s);
}

#[test]
fn k_far_beyond_the_cap_is_refused_before_reading() {
    let s = Scratch::new("kcap");
    let input = sample("customers.csv");
    let e = fails(
        &s,
        &run_args("run", &s, &input, None, &["--k-range", "2..1000000"]),
    );
    assert!(
        e.contains("cluster.k_max (--k-range) = 1000000") && e.contains("at most 100"),
        "{e}"
    );
    let e = fails(
        &s,
        &run_args("run", &s, &input, Some("[cluster]\nk_max = 100000\n"), &[]),
    );
    assert!(e.contains("cluster.k_max (--k-range) = 100000"), "{e}");
    // `sweep` writes no folder: its arguments are the input and the range.
    let sweep: Vec<String> = ["sweep", input.to_str().unwrap(), "--k-range", "2..5000"]
        .map(String::from)
        .to_vec();
    let e = fails(&s, &sweep);
    assert!(e.contains("= 5000"), "{e}");
}

#[test]
fn k_beyond_half_the_rows_is_refused_and_a_long_sweep_is_shortened() {
    let s = Scratch::new("krows");
    let input = numeric_table(&s, "t.csv", 30, 3);
    let e = fails(&s, &run_args("run", &s, &input, None, &["--k", "20"]));
    assert!(
        e.contains("t.csv")
            && e.contains("cluster.k (--k) = 20 is too many segments for 30 rows: at most 15"),
        "{e}"
    );
    let e = fails(
        &s,
        &run_args("run", &s, &input, None, &["--k-range", "16..20"]),
    );
    assert!(e.contains("cluster.k_min (--k-range) = 16"), "{e}");
    // The default k_max (10) on 12 rows: the sweep stops at 6 and says so.
    let small = numeric_table(&s, "small.csv", 12, 3);
    let (stdout, _) = succeeds(&run_args("run", &s, &small, None, &[]));
    assert!(
        stdout.contains("the sweep stops at k = 6 instead of cluster.k_max = 10"),
        "{stdout}"
    );
    let sweep = std::fs::read_to_string(s.path("out").join("sweep.csv")).unwrap();
    assert_eq!(sweep.lines().count(), 1 + 5, "k = 2..=6: {sweep}");
}

#[test]
fn too_few_rows_are_named_before_any_chart() {
    let s = Scratch::new("fewrows");
    let input = s.file("two.csv", b"customer_id,income,age\nA,10,30\nB,20,40\n");
    let e = fails(&s, &run_args("run", &s, &input, None, &[]));
    assert!(
        e.contains("two.csv: 2 row(s) to segment; seglab needs at least 4 rows"),
        "{e}"
    );
    // Duplicates removed by cleaning count too, and the message says how many were loaded.
    let dup = s.file(
        "dup.csv",
        b"customer_id,income,age\nA,10,30\nA,10,30\nA,10,30\nB,20,40\n",
    );
    let e = fails(&s, &run_args("run", &s, &dup, None, &[]));
    assert!(
        e.contains("2 row(s) to segment after cleaning (4 loaded)"),
        "{e}"
    );
}

#[test]
fn dbscan_on_three_rows_names_min_points() {
    let s = Scratch::new("dbscan3");
    let input = s.file(
        "three.csv",
        b"customer_id,income,age\nA,10,30\nB,20,40\nC,30,50\n",
    );
    let e = fails(
        &s,
        &run_args(
            "run",
            &s,
            &input,
            Some("[cluster]\nalgorithm = \"dbscan\"\n"),
            &[],
        ),
    );
    assert!(
        e.contains("cluster.min_points = 5 is more than the 3 rows to cluster")
            && e.contains("lower cluster.min_points"),
        "{e}"
    );
    assert!(!e.contains("k = 5"), "{e}");
}

#[test]
fn one_hot_on_an_id_is_refused_with_a_hint() {
    let s = Scratch::new("onehotid");
    let input = sample("customers.csv");
    let e = fails(
        &s,
        &run_args(
            "run",
            &s,
            &input,
            Some("[features]\none_hot = [\"customer_id\"]\n"),
            &[],
        ),
    );
    assert!(
        e.contains("features.one_hot names 'customer_id', which looks like an identifier")
            && e.contains("distinct values")
            && e.contains("remove it from features.one_hot"),
        "{e}"
    );
}

#[test]
fn one_hot_on_many_categories_is_capped_with_a_warning() {
    let s = Scratch::new("onehotcap");
    // 60 rows, 30 cities: city c appears 1 or 3 times.
    let mut t = String::from("customer_id,city,spend\n");
    let mut r = 0;
    for c in 0..30 {
        for _ in 0..(if c < 15 { 3 } else { 1 }) {
            t.push_str(&format!("C{r:03},city{c:02},{}\n", r * 7 % 50));
            r += 1;
        }
    }
    let input = s.file("cities.csv", t.as_bytes());
    let (stdout, stderr) = succeeds(&run_args(
        "clean",
        &s,
        &input,
        Some("[features]\none_hot = [\"city\"]\n"),
        &[],
    ));
    let said = format!("{stdout}{stderr}");
    assert!(
        said.contains("column 'city' has 30 distinct values")
            && said.contains("the other 10 share the feature 'city=(other)'"),
        "{said}"
    );
    let mut rd = csv::Reader::from_path(s.path("out").join("features.csv")).unwrap();
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    let cities: Vec<&String> = header.iter().filter(|h| h.starts_with("city=")).collect();
    assert_eq!(cities.len(), 21, "{header:?}");
    assert_eq!(cities[20], "city=(other)");
    let log = std::fs::read_to_string(s.path("out").join("cleaning_log.txt")).unwrap();
    assert!(log.contains("'city' has 30 distinct values"), "{log}");
}
