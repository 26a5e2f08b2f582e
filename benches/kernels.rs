//! Kernel timings for benches/compare.py (a plain binary: `harness = false`).
//!
//!     kernels kmeans     MATRIX N_COLS [--k-min 2] [--k-max 10] [--n-init 1] [--seed 0] [--repeat 1]
//!     kernels sweep      MATRIX N_COLS [--k-min 2] [--k-max 10] [--n-init 1] [--seed 0] [--repeat 1]
//!                        [--silhouette-sample 10000]
//!     kernels silhouette MATRIX N_COLS LABELS [--rows N] [--repeat 3]
//!
//! MATRIX is a raw little-endian f64 file, row-major, N_COLS columns; LABELS a raw little-endian
//! i64 file with one label per row (benches/compare.py writes both once, and
//! benches/peer_kernels.py reads the same files). Prints one JSON object on stdout:
//! `seconds` (best of --repeat), `runs` (every run) and the results.
//!
//! `kmeans` times only the k-means fits for k_min..=k_max (what scikit-learn's `KMeans.fit` does);
//! `sweep` times seglab's whole `sweep()` (fits plus inertia, sampled silhouette, Davies–Bouldin,
//! Calinski–Harabasz and Dunn per k, and the recommendation).

use std::process::exit;
use std::time::Instant;

use seglab::engine::cluster::kmeans::KMeansParams;
use seglab::engine::job::JobControl;
use seglab::engine::matrix::Matrix;
use seglab::engine::metrics::silhouette_score;
use seglab::engine::sweep::{sweep, SweepParams};

fn usage(msg: &str) -> ! {
    eprintln!("kernels: {msg}\nusage: kernels kmeans|sweep MATRIX N_COLS [options] | kernels silhouette MATRIX N_COLS LABELS [options]");
    exit(2)
}

fn read_le<const W: usize, T>(path: &str, from: fn([u8; W]) -> T) -> Vec<T> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| usage(&format!("cannot read {path}: {e}")));
    if !bytes.len().is_multiple_of(W) {
        usage(&format!(
            "{path}: {} bytes is not a multiple of {W}",
            bytes.len()
        ));
    }
    bytes
        .chunks_exact(W)
        .map(|c| from(c.try_into().expect("chunk of W bytes")))
        .collect()
}

/// `--name value` options after the positional arguments.
struct Opts(Vec<(String, String)>);

impl Opts {
    fn parse(args: &[String]) -> Opts {
        if !args.len().is_multiple_of(2) {
            usage("options come in pairs: --name value");
        }
        Opts(
            args.chunks(2)
                .map(|p| match p[0].strip_prefix("--") {
                    Some(name) => (name.to_string(), p[1].clone()),
                    None => usage(&format!("expected an option, got {}", p[0])),
                })
                .collect(),
        )
    }

    fn get(&self, name: &str, default: usize) -> usize {
        match self.0.iter().find(|(n, _)| n == name) {
            Some((_, v)) => v
                .parse()
                .unwrap_or_else(|_| usage(&format!("--{name} {v}: not a number"))),
            None => default,
        }
    }

    fn check(&self, known: &[&str]) {
        if let Some((n, _)) = self.0.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            usage(&format!("unknown option --{n}"));
        }
    }
}

fn json_list(v: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", v.into_iter().collect::<Vec<_>>().join(", "))
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:e}")
    } else {
        "null".into()
    }
}

/// Runs `f` `repeat` times; returns every wall time and the last result.
fn timed<T>(repeat: usize, mut f: impl FnMut() -> T) -> (Vec<f64>, T) {
    let mut runs = Vec::new();
    let mut last = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        last = Some(f());
        runs.push(t.elapsed().as_secs_f64());
    }
    (runs, last.expect("at least one run"))
}

fn print_timings(kind: &str, rows: usize, cols: usize, runs: &[f64], rest: &str) {
    let best = runs.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{{\"kernel\": \"{kind}\", \"rows\": {rows}, \"cols\": {cols}, \"threads\": {}, \"seconds\": {best}, \"runs\": {}, {rest}}}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        json_list(runs.iter().map(|r| r.to_string())),
    );
}

fn main() {
    // `cargo bench` appends `--bench`; ignore it.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.len() < 3 {
        usage("missing arguments");
    }
    let (kind, matrix, n_cols) = (args[0].as_str(), &args[1], &args[2]);
    let n_cols: usize = n_cols
        .parse()
        .unwrap_or_else(|_| usage("N_COLS must be a number"));
    let mut data = read_le::<8, f64>(matrix, f64::from_le_bytes);
    if n_cols == 0 || !data.len().is_multiple_of(n_cols) {
        usage(&format!(
            "{matrix}: {} values do not make rows of {n_cols}",
            data.len()
        ));
    }
    let job = JobControl::new();
    match kind {
        "kmeans" | "sweep" => {
            let o = Opts::parse(&args[3..]);
            o.check(&[
                "k-min",
                "k-max",
                "n-init",
                "seed",
                "repeat",
                "silhouette-sample",
                "stability",
            ]);
            let n_rows = data.len() / n_cols;
            let x = Matrix::new(&data, n_cols).unwrap_or_else(|e| usage(&e.to_string()));
            let (k_min, k_max) = (o.get("k-min", 2), o.get("k-max", 10));
            let base = KMeansParams {
                k: k_min,
                n_init: o.get("n-init", 1),
                max_iter: 300,
                tol: 1e-4,
                seed: o.get("seed", 0) as u64,
            };
            let repeat = o.get("repeat", 1);
            // (k, inertia, iterations, seconds) per k, or the sweep's rows.
            let (runs, per_k): (_, Vec<(usize, f64, usize, f64)>) = if kind == "kmeans" {
                timed(repeat, || {
                    (k_min..=k_max)
                        .map(|k| {
                            let t = Instant::now();
                            let p = KMeansParams { k, ..base.clone() };
                            let m = p.fit(x, &job).unwrap_or_else(|e| usage(&e.to_string()));
                            (k, m.inertia, m.n_iter, t.elapsed().as_secs_f64())
                        })
                        .collect()
                })
            } else {
                let params = SweepParams {
                    k_min,
                    k_max,
                    kmeans: base.clone(),
                    silhouette_sample: o.get("silhouette-sample", 10_000),
                    stability_resamples: o.get("stability", 0),
                };
                timed(repeat, || {
                    let r = sweep(x, &params, &job).unwrap_or_else(|e| usage(&e.to_string()));
                    r.rows
                        .iter()
                        .zip(&r.models)
                        .map(|(row, m)| (row.k, row.inertia, m.n_iter, f64::NAN))
                        .collect()
                })
            };
            let total: f64 = per_k.iter().map(|r| r.1).sum();
            let rest = format!(
                "\"n_init\": {}, \"total_inertia\": {}, \"k\": {}, \"inertia\": {}, \"n_iter\": {}, \"fit_seconds\": {}",
                base.n_init,
                num(total),
                json_list(per_k.iter().map(|r| r.0.to_string())),
                json_list(per_k.iter().map(|r| num(r.1))),
                json_list(per_k.iter().map(|r| r.2.to_string())),
                json_list(per_k.iter().map(|r| num(r.3))),
            );
            print_timings(kind, n_rows, n_cols, &runs, &rest);
        }
        "silhouette" => {
            let Some(labels_path) = args.get(3) else {
                usage("missing LABELS")
            };
            let o = Opts::parse(&args[4..]);
            o.check(&["rows", "repeat"]);
            let labels: Vec<usize> = read_le::<8, i64>(labels_path, i64::from_le_bytes)
                .into_iter()
                .map(|l| usize::try_from(l).unwrap_or_else(|_| usage("labels must be >= 0")))
                .collect();
            let rows = o.get("rows", labels.len()).min(labels.len());
            if data.len() / n_cols < rows {
                usage("fewer matrix rows than --rows");
            }
            data.truncate(rows * n_cols);
            let labels = &labels[..rows];
            let x = Matrix::new(&data, n_cols).unwrap_or_else(|e| usage(&e.to_string()));
            let (runs, score) = timed(o.get("repeat", 3), || {
                silhouette_score(x, labels).unwrap_or_else(|e| usage(&e.to_string()))
            });
            print_timings(
                kind,
                rows,
                n_cols,
                &runs,
                &format!("\"silhouette\": {}", num(score)),
            );
        }
        _ => usage(&format!("unknown kernel {kind}")),
    }
}
