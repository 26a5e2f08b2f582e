#!/usr/bin/env python3
"""Benchmark seglab against pandas + scikit-learn, in one run: the data layer, the clustering
kernels, and `seglab run` end to end.

    python3 benches/compare.py [--only clean,kernels,kshapes,run,inspect,rfm] [--rows 1000000]
        [--knn-rows 20000] [--repeat 3] [--kernel-rows 1000000] [--n-init 1,3] [--sil-rows 20000]
        [--kshape-n-init 1,4,10] [--kshape-big-n-init 1,4]
        [--run-rows 1000000] [--run-transactions 5000000] [--run-repeat 1] [--kernels-bin PATH]
        [--rfm-customers 1000000] [--rfm-transactions 20000000]

From the repository root. What it does:
  1. creates/reuses the virtualenv benches/.venv and installs pandas, scikit-learn,
     scikit-learn-intelex, pyarrow, matplotlib, polars and duckdb into it (the peers' tools; never a
     seglab dependency), then re-runs itself with that interpreter;
  2. builds target/release/seglab if it is missing (or always, with --build);
  3. generates the data with `seglab demo-data` into target/bench-data/ unless it is already there;
  4. runs, as separate child processes, `seglab clean --recipe benches/clean_recipe.toml` and
     benches/peer_clean.py on the same customers.csv, --repeat times each, measuring wall time and
     peak RSS (os.wait4 -> ru_maxrss), and prints best wall time, ratio and peak memory;
  5. checks that both produced the same rows and feature columns and that the features agree;
  6. does the same for KNN imputation of income on a smaller set (seglab with knn_max_donors >= rows,
     i.e. exact, vs StandardScaler + KNNImputer(n_neighbors=5)).
  7. kernels: writes one matrix of Gaussian blobs (--kernel-rows x 6, z-scored, raw little-endian
     f64) and its labels with benches/peer_kernels.py, builds benches/kernels.rs with
     `cargo bench --bench kernels --no-run`, and times on the same files: the K-Means fits for
     k=2..10 (seglab's KMeansParams::fit vs scikit-learn's KMeans(n_clusters=k, n_init=N,
     random_state=0)) for each --n-init, with the total inertia of each side; seglab's whole
     sweep() (fits + metrics) once for reference; and the exact silhouette of the first --sil-rows
     rows with the blob labels (seglab's silhouette_score vs sklearn.metrics.silhouette_score).
  7b. kshapes (`--only kshapes`; see benches/kshapes.py): k-means inertia per k = 2..10 at equal
     n_init, seglab (single fits and the whole sweep()) against scikit-learn and
     scikit-learn-intelex, on seeded look-alikes of three public customer tables written by
     benches/peer_shapes.py (mall 200 x 3, wholesale 440 x 6 log1p + z-scored, marketing
     2,240 x 16 z-scored) for each --kshape-n-init, and on the kernels' --kernel-rows x 6 blob
     matrix for each --kshape-big-n-init; per shape a table of inertias, ratios to scikit-learn
     and the seconds of each side's whole k = 2..10. E.g.
         python3 benches/compare.py --only kshapes --repeat 1 --kshape-big-n-init 1,4
  8. run: `seglab run` (a generated recipe: the clean recipe's steps + behaviour features from the
     transactions, k=5, n_init=1, sweep 2..10 with silhouette on 10,000 rows) vs benches/peer_run.py
     on --run-rows customers and --run-transactions transactions; wall time, peak RSS, and a
     comparison of the two sides' sweep.csv and segment sizes.
  9. inspect: `seglab inspect customers.csv --json` (the --rows file, 12 columns) against
     benches/peer_inspect.py with pandas, polars and DuckDB (SUMMARIZE, approximate), each a child
     process, --repeat times; best wall time, peak RSS, ratio, and a check that the peers agree on
     rows, duplicate rows and per-column missing/distinct counts.
 10. rfm: `seglab rfm LOG --out DIR` on --rfm-transactions generated transactions (20M: a 1.24 GB
     CSV) against benches/peer_rfm.py with pandas, polars and DuckDB (the same hygiene rules,
     per-customer profile, min-rank R/F/M scores and segment map), each a child process,
     --repeat times; best wall time, peak RSS, ratio, and a check that every side gives every
     customer the same frequency, monetary, recency, scores and segment.
Outputs go to target/bench-out/ and are removed at the end unless --keep.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHES = ROOT / "benches"
VENV = BENCHES / ".venv"
VENV_PY = VENV / "bin" / "python"
PEER = BENCHES / "peer_clean.py"
PEER_KERNELS = BENCHES / "peer_kernels.py"
PEER_RUN = BENCHES / "peer_run.py"
PEER_INSPECT = BENCHES / "peer_inspect.py"
PEER_RFM = BENCHES / "peer_rfm.py"
RECIPE = BENCHES / "clean_recipe.toml"
SEGLAB = ROOT / "target" / "release" / "seglab"
DATA = ROOT / "target" / "bench-data"
WORK = ROOT / "target" / "bench-out"
PEER_DEPS = ["pandas", "scikit-learn", "scikit-learn-intelex", "pyarrow", "matplotlib", "polars", "duckdb"]
T0_ENV = "SEGLAB_BENCH_T0"
SCALED = ["log1p(income)", "age", "tenure_days"]


def log(msg):
    print(msg, flush=True)


# ---------------------------------------------------------------- setup


def bootstrap():
    """Make sure benches/.venv has the peer's packages, then continue inside it."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    os.environ.setdefault(T0_ENV, repr(time.time()))
    if not VENV_PY.exists():
        log(f"creating virtualenv {VENV.relative_to(ROOT)}")
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    probe = subprocess.run([str(VENV_PY), "-c", "import pandas, sklearn, sklearnex, pyarrow, matplotlib, polars, duckdb"], capture_output=True)
    if probe.returncode != 0:
        log(f"installing {' '.join(PEER_DEPS)} into {VENV.relative_to(ROOT)}")
        subprocess.check_call([str(VENV_PY), "-m", "pip", "install", "--quiet", *PEER_DEPS])
    os.execv(str(VENV_PY), [str(VENV_PY), str(Path(__file__).resolve()), *sys.argv[1:]])


def ensure_seglab(force):
    if force or not SEGLAB.exists():
        log("cargo build --release")
        subprocess.check_call(["cargo", "build", "--release"], cwd=ROOT)
    if not SEGLAB.exists():
        sys.exit(f"no binary at {SEGLAB} after cargo build --release")


def ensure_data(customers, seed):
    d = DATA / f"customers-{customers}-s{seed}"
    csv = d / "customers.csv"
    if not csv.exists():
        log(f"generating {customers:,} customers into {d.relative_to(ROOT)}")
        subprocess.run(
            [str(SEGLAB), "demo-data", "--out", str(d), "--customers", str(customers),
             "--transactions", "1000", "--web-events", "1000", "--seed", str(seed), "--force"],
            check=True, stdout=subprocess.DEVNULL)
    return csv


def ensure_run_data(customers, transactions, seed):
    d = DATA / f"run-c{customers}-t{transactions}-s{seed}"
    if not (d / "transactions.csv").exists():
        log(f"generating {customers:,} customers and {transactions:,} transactions into {d.relative_to(ROOT)}")
        subprocess.run(
            [str(SEGLAB), "demo-data", "--out", str(d), "--customers", str(customers),
             "--transactions", str(transactions), "--web-events", "1000", "--seed", str(seed), "--force"],
            check=True, stdout=subprocess.DEVNULL)
    return d / "customers.csv", d / "transactions.csv"


def ensure_kernel_data(rows, cols=6):
    """The shared matrix and labels of the kernel benchmark, written once by peer_kernels.py."""
    d = DATA / f"kernels-{rows}x{cols}-s0"
    if not (d / "labels.i64").exists():
        log(f"writing {rows:,} x {cols} Gaussian blobs into {d.relative_to(ROOT)}")
        subprocess.run([str(VENV_PY), str(PEER_KERNELS), "data", str(d), "--rows", str(rows), "--cols", str(cols)],
                       check=True, stdout=subprocess.DEVNULL)
    return d / "matrix.f64", d / "labels.i64", cols


CARGO_BENCH_LINES = '[[bench]]\nname = "kernels"\nharness = false'


def ensure_kernels():
    """Builds benches/kernels.rs (bench profile = release) and returns the binary's path."""
    log("cargo bench --bench kernels --no-run")
    p = subprocess.run(["cargo", "bench", "--bench", "kernels", "--no-run", "--message-format=json-render-diagnostics"],
                       cwd=ROOT, stdout=subprocess.PIPE, text=True)
    exe = None
    for line in p.stdout.splitlines():
        msg = json.loads(line) if line.startswith("{") else {}
        if msg.get("reason") == "compiler-artifact" and msg.get("target", {}).get("name") == "kernels":
            exe = msg.get("executable") or exe
    if p.returncode != 0 or not exe:
        sys.exit(f"could not build the kernels bench (exit {p.returncode}); Cargo.toml needs\n{CARGO_BENCH_LINES}")
    return exe


def run_recipe():
    """benches/clean_recipe.toml plus behaviour features and clustering: what peer_run.py does."""
    text = RECIPE.read_text()
    text = text.replace('columns = ["income", "age", "tenure_days"]\none_hot = ["channel"]\nlog1p = ["income"]',
                        'columns = ["income", "age", "tenure_days", "frequency", "monetary", "avg_basket", "recency_days"]\n'
                        'log1p = ["income", "monetary", "avg_basket"]')
    text += ('\n[cluster]\nalgorithm = "kmeans"\nk = 5\nk_min = 2\nk_max = 10\nn_init = 1\n'
             'silhouette_sample = 10000\n')
    parsed = tomllib.loads(text)
    assert len(parsed["features"]["columns"]) == 7 and "one_hot" not in parsed["features"], parsed["features"]
    fd, path = tempfile.mkstemp(prefix="seglab-run-recipe-", suffix=".toml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return Path(path)


def count_rows(csv):
    n = 0
    with open(csv, "rb") as f:
        while chunk := f.read(1 << 24):
            n += chunk.count(b"\n")
    return n - 1


def knn_recipe(donors):
    """benches/clean_recipe.toml with income imputed by KNN over all donors (exact)."""
    lines = RECIPE.read_text().splitlines()
    i = lines.index("[clean.missing]")
    extra = ['columns = { income = "knn" }', "knn_k = 5", f"knn_max_donors = {donors}"]
    text = "\n".join(lines[: i + 1] + extra + lines[i + 1:]) + "\n"
    parsed = tomllib.loads(text)["clean"]["missing"]
    assert parsed["columns"] == {"income": "knn"} and parsed["knn_max_donors"] >= donors, parsed
    fd, path = tempfile.mkstemp(prefix="seglab-knn-recipe-", suffix=".toml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return Path(path)


def machine():
    from importlib.metadata import version

    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), 0)
    seglab = subprocess.run([str(SEGLAB), "--version"], capture_output=True, text=True).stdout.strip() if SEGLAB.exists() else "-"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    log(f"machine: nproc {len(os.sched_getaffinity(0))} ({cpu}), {mem / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}")
    log(f"seglab:  {seglab} (git {commit or '?'}{' + uncommitted changes in src' if dirty else ''})")
    log(f"peer:    python {platform.python_version()}, pandas {version('pandas')}, numpy {version('numpy')}, "
        f"scikit-learn {version('scikit-learn')}, pyarrow {version('pyarrow')}, matplotlib {version('matplotlib')}, "
        f"polars {version('polars')}, duckdb {version('duckdb')}, scikit-learn-intelex {version('scikit-learn-intelex')}")


# ---------------------------------------------------------------- measuring


def measure(cmd, out_dir, logfile):
    """Run cmd as a child; return (wall seconds, peak RSS in MiB). out_dir is removed first.

    A child's ru_maxrss also counts the memory of the process it was forked from, up to its exec
    (Linux records the old address space's high-water mark at exec). So the driver stays small
    while measuring: pandas & co. are imported only for the checks, after all runs.
    """
    assert "pandas" not in sys.modules, "import pandas only after measuring (it would inflate ru_maxrss)"
    shutil.rmtree(out_dir, ignore_errors=True)
    for stale in out_dir.parent.glob(f".{out_dir.name}.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)
    with open(logfile, "wb") as f:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        tail = Path(logfile).read_text(errors="replace")[-3000:]
        sys.exit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{tail}")
    return wall, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def bench(name, seglab_cmd, peer_cmd, s_out, p_out, repeat):
    runs = {"seglab": [], "peer": []}
    for r in range(repeat):
        for side, cmd, out in (("seglab", seglab_cmd, s_out), ("peer", peer_cmd, p_out)):
            wall, rss = measure(cmd, out, WORK / f"{out.name}.log")
            runs[side].append((wall, rss))
            if side == "peer":
                runs.setdefault("peer_import", []).append(json.loads((out / "timings.json").read_text())["import"])
            log(f"  {name} run {r + 1}/{repeat} {side:6s} {wall:7.2f} s  {rss:7.0f} MiB")
    return runs


INSPECT_PEERS = ("pandas", "polars", "duckdb")


def bench_inspect(csv, repeat):
    """Best wall time and max peak RSS of seglab inspect and of each peer, one process per run."""
    runs = {side: [] for side in ("seglab", *INSPECT_PEERS)}
    for r in range(repeat):
        for side in runs:
            out = WORK / f"inspect-{side}"
            if side == "seglab":
                cmd = [str(SEGLAB), "inspect", str(csv), "--json"]
            else:
                cmd = [str(VENV_PY), str(PEER_INSPECT), side, str(csv), str(out)]
            wall, rss = measure(cmd, out, WORK / f"inspect-{side}.log")
            runs[side].append((wall, rss))
            log(f"  inspect run {r + 1}/{repeat} {side:6s} {wall:7.2f} s  {rss:7.0f} MiB")
    return runs


RFM_PEERS = ("pandas", "polars", "duckdb")


def bench_rfm(log_csv, repeat):
    """Best wall time and max peak RSS of seglab rfm and of each peer, one process per run."""
    runs = {side: [] for side in ("seglab", *RFM_PEERS)}
    for r in range(repeat):
        for side in runs:
            out = WORK / f"rfm-{side}"
            if side == "seglab":
                cmd = [str(SEGLAB), "rfm", str(log_csv), "--out", str(out)]
            else:
                cmd = [str(VENV_PY), str(PEER_RFM), side, str(log_csv), str(out)]
            wall, rss = measure(cmd, out, WORK / f"rfm-{side}.log")
            runs[side].append((wall, rss))
            log(f"  rfm run {r + 1}/{repeat} {side:6s} {wall:7.2f} s  {rss:7.0f} MiB")
    return runs


def check_rfm(runs):
    import pandas as pd

    cols = ["frequency", "monetary", "recency_days", "r_score", "f_score", "m_score", "rfm_segment"]
    s = pd.read_csv(WORK / "rfm-seglab" / "rfm.csv", dtype={"customer_id": str}).set_index("customer_id")[cols]
    log(f"  seglab: {len(s):,} customers")
    for side in RFM_PEERS:
        p = pd.read_csv(WORK / f"rfm-{side}" / "rfm.csv", dtype={"customer_id": str}).set_index("customer_id")[cols]
        p = p.reindex(s.index)
        same = {c: int((p[c] == s[c]).sum()) if c != "monetary" else int(((p[c] - s[c]).abs() < 1e-6 * s[c].abs().clip(lower=1)).sum())
                for c in cols}
        bad = {c: len(s) - k for c, k in same.items() if k != len(s)}
        log(f"  {side}: {len(p.dropna(how='all')):,} customers; " + ("every column agrees" if not bad else f"differ: {bad}"))
    best = {side: min(w for w, _ in r) for side, r in runs.items()}
    peak = {side: max(m for _, m in r) for side, r in runs.items()}
    log("  " + ", ".join(f"{side} {best[side]:.2f} s / {peak[side]:.0f} MiB ({best[side] / best['seglab']:.1f}x seglab)"
                         for side in runs))


def check_inspect(runs, csv):
    sys.path.insert(0, str(BENCHES))
    import peer_inspect

    s = json.loads((WORK / "inspect-seglab.log").read_text())
    peers = {p: json.loads((WORK / f"inspect-{p}" / "inspect.json").read_text()) for p in INSPECT_PEERS}
    log(f"\n[5] inspect: do the results agree? ({csv.relative_to(ROOT)}, {len(s['columns'])} columns)")
    peer_inspect.check(s, peers, log)
    for p in INSPECT_PEERS:
        t = json.loads((WORK / f"inspect-{p}" / "timings.json").read_text())
        log(f"  {p} phases (last run): " + ", ".join(f"{k} {v:.2f}" for k, v in t.items()))
    best = {side: (min(w for w, _ in r), max(m for _, m in r)) for side, r in runs.items()}
    head = f"{'inspect ' + format(s['rows'], ',') + ' rows, whole process':40s} {'best s':>8s} {'peak MB':>8s} {'peer/seglab':>12s}"
    log("\n" + head)
    log("-" * len(head))
    for side, (wall, mb) in best.items():
        ratio = "" if side == "seglab" else f"{wall / best['seglab'][0]:11.2f}x"
        name = side + (" (SUMMARIZE, approximate)" if side == "duckdb" else "")
        log(f"{name:40s} {wall:8.2f} {mb:8.0f} {ratio:>12s}")
    log("(best wall time of the runs incl. interpreter start and imports; MB = peak RSS in MiB, max of the runs)")


def kernel(cmd, name):
    """Runs one kernel command (it prints a JSON object last); returns that object and peak RSS."""
    _, rss = measure(cmd, WORK / name, WORK / f"{name}.log")
    out = json.loads((WORK / f"{name}.log").read_text().strip().splitlines()[-1])
    out["rss"] = rss
    return out


def bench_kernels(exe, matrix, labels, cols, n_inits, sil_rows, repeat):
    """[(label, seglab result, peer result, what is compared)], seglab's sweep() result."""
    rows = []
    for n_init in n_inits:
        args = [str(matrix), str(cols), "--k-min", "2", "--k-max", "10", "--n-init", str(n_init)]
        s = kernel([exe, "kmeans", *args, "--seed", "0"], f"kernels-kmeans-s-{n_init}")
        log(f"  kmeans n_init={n_init} seglab {s['seconds']:7.2f} s  total inertia {s['total_inertia']:.6e}")
        p = kernel([str(VENV_PY), str(PEER_KERNELS), "kmeans", *args], f"kernels-kmeans-p-{n_init}")
        log(f"  kmeans n_init={n_init} peer   {p['seconds']:7.2f} s  total inertia {p['total_inertia']:.6e}")
        rows.append((f"kmeans k=2..10 n_init={n_init}, {s['rows']:,}x{cols}", s, p, "total_inertia"))
    sw = kernel([exe, "sweep", str(matrix), str(cols), "--n-init", "1", "--seed", "0"], "kernels-sweep")
    log(f"  seglab sweep() k=2..10 n_init=1 incl. metrics {sw['seconds']:7.2f} s")
    args = [str(matrix), str(cols), str(labels), "--rows", str(sil_rows), "--repeat", str(repeat)]
    s = kernel([exe, "silhouette", *args], "kernels-sil-s")
    p = kernel([str(VENV_PY), str(PEER_KERNELS), "silhouette", *args], "kernels-sil-p")
    log(f"  silhouette {sil_rows:,} rows: seglab {s['seconds']:.3f} s ({s['silhouette']:.12f}), "
        f"peer {p['seconds']:.3f} s ({p['silhouette']:.12f})")
    rows.append((f"exact silhouette {s['rows']:,} rows (same labels)", s, p, "silhouette"))
    return rows, sw


# ---------------------------------------------------------------- checking


def read_features(d):
    import pandas as pd

    return pd.read_parquet(d / "features.parquet")


def check_clean(s_out, p_out):
    import pandas as pd
    import pyarrow.parquet as pq

    s_rows = pq.read_metadata(s_out / "cleaned.parquet").num_rows
    p_rows = pq.read_metadata(p_out / "cleaned.parquet").num_rows
    sf, pf = read_features(s_out), read_features(p_out)
    s_cols = [c for c in sf.columns if c != "customer_id"]
    p_cols = [c for c in pf.columns if c != "customer_id"]
    same = s_rows == p_rows and len(s_cols) == len(p_cols) and set(s_cols) == set(p_cols)
    log(f"  cleaned rows: seglab {s_rows:,}, peer {p_rows:,}; feature columns: seglab {len(s_cols)}, peer {len(p_cols)}"
        f" -> {'SAME' if same else 'DIFFERENT'}")
    if set(s_cols) != set(p_cols):
        log(f"  only seglab: {sorted(set(s_cols) - set(p_cols))}; only peer: {sorted(set(p_cols) - set(s_cols))}")

    head = sf.head(1000).merge(pf, on="customer_id", suffixes=("_s", "_p"))
    parts = []
    for c in SCALED:
        d = (head[c + "_s"] - head[c + "_p"]).abs()
        parts.append(f"{c} {d.mean():.2e} (max {d.max():.1e})")
    onehot = [c for c in s_cols if "=" in c and c in p_cols]
    agree = min((head[c + "_s"] == head[c + "_p"].astype(float)).mean() for c in onehot) if onehot else float("nan")
    log(f"  features, first {len(head)} rows by customer_id, mean |seglab - peer| of z-scores: " + "; ".join(parts))
    log(f"  one-hot columns equal on {agree:.1%} of those rows ({len(onehot)} columns)")

    t = json.loads((s_out / "transform.json").read_text())
    f = json.loads((p_out / "fitted.json").read_text())
    for b in t["bounds"]:
        lo, hi = f["bounds"][b["column"]]
        log(f"  clip fences {b['column']:7s} seglab [{b['low']:.4f}, {b['high']:.4f}]  peer [{lo:.4f}, {hi:.4f}]")
    fills = {x["column"]: x["value"] for x in t["fills"]}
    log("  fill values  seglab " + ", ".join(f"{k}={v}" for k, v in fills.items())
        + " | peer " + ", ".join(f"{k}={f['fills'].get(k)}" for k in fills))

    si = json.loads((s_out / "inspect.json").read_text())
    pi = json.loads((p_out / "inspect.json").read_text())
    pcols = {c["name"]: c for c in pi["columns"]}
    miss = sum(c["missing"] == pcols.get(c["name"], {}).get("missing") for c in si["columns"])
    dist = sum(c["distinct"] == pcols.get(c["name"], {}).get("distinct") for c in si["columns"])
    n = len(si["columns"])
    log(f"  inspect: rows {si['rows']:,} / {pi['rows']:,}, duplicate rows {si['duplicate_rows']} / {pi['duplicate_rows']}, "
        f"missing counts equal on {miss}/{n} columns, distinct counts on {dist}/{n}")


def check_knn(csv, s_out, p_out):
    import pandas as pd

    raw = pd.read_csv(csv, usecols=["customer_id", "income"])
    gaps = raw.loc[raw["income"].isna(), ["customer_id"]]
    s = pd.read_parquet(s_out / "cleaned.parquet", columns=["customer_id", "income"])
    p = pd.read_parquet(p_out / "cleaned.parquet", columns=["customer_id", "income"])
    m = gaps.merge(s, on="customer_id").merge(p, on="customer_id", suffixes=("_s", "_p"))
    d = (m["income_s"] - m["income_p"]).abs()
    equal = (d <= 1e-6 * m["income_p"].abs().clip(lower=1)).mean()
    line = next((ln for ln in (s_out / "cleaning_log.txt").read_text().splitlines() if "nearest" in ln), "?")
    differ = m.loc[~(d <= 1e-6 * m["income_p"].abs().clip(lower=1)), "customer_id"]
    log(f"  {len(m):,} imputed incomes compared; identical on {equal:.1%}; mean |diff| {d.mean():.2f} "
        f"(max {d.max():.2f}; median imputed income {m['income_p'].median():.0f})")
    if len(differ):
        tied = knn_ties(s_out, raw["income"].isna().to_numpy(), set(differ))
        log(f"  of the {len(differ)} that differ, {tied} have a tie at the 5th-nearest distance "
            f"(equidistant donors; seglab breaks ties by row order, KNNImputer by argpartition)")
    log(f"  seglab's log: {line.strip()}")
    log(f"  rows: seglab {len(s):,}, peer {len(p):,}; still missing after fill: seglab {int(s['income'].isna().sum())}, "
        f"peer {int(p['income'].isna().sum())}")


def knn_ties(s_out, missing, ids, k=5):
    """How many of the rows `ids` have >k donors at or within the k-th nearest distance, in seglab's
    space (z-scored age and tenure_days of the cleaned table; income is the target)."""
    import numpy as np
    import pandas as pd

    t = pd.read_parquet(s_out / "cleaned.parquet", columns=["customer_id", "age", "tenure_days"])
    x = t[["age", "tenure_days"]].to_numpy(float)
    z = (x - np.nanmean(x, 0)) / np.nanstd(x, 0)
    donors = z[~missing]
    tied = 0
    for r in np.flatnonzero(t["customer_id"].isin(ids).to_numpy()):
        dist = np.sort(np.sqrt(((donors - z[r]) ** 2).sum(1)))
        tied += bool(np.isclose(dist[k - 1], dist[k], rtol=1e-9, atol=1e-12))
    return tied


# ---------------------------------------------------------------- report


def check_kernels(rows, sw):
    for name, s, p, _ in rows:
        if "inertia" not in s:
            continue
        worse = [k for k, a, b in zip(s["k"], s["inertia"], p["inertia"]) if a > b * (1 + 1e-4)]
        log(f"  {name}: inertia per k (seglab / peer): " + ", ".join(
            f"k={k} {a / b:.4f}" for k, a, b in zip(s["k"], s["inertia"], p["inertia"])))
        log(f"    seglab higher (worse) at k={worse or 'none'}; iterations seglab {s['n_iter']}, peer {p['n_iter']}")
        log(f"    seconds per k seglab " + " ".join(f"{t:.2f}" for t in s["fit_seconds"])
            + " | peer " + " ".join(f"{t:.2f}" for t in p["fit_seconds"]))
    log(f"  seglab sweep() (fits + inertia, silhouette and Dunn on 10,000 rows, Davies-Bouldin, Calinski-Harabasz): "
        f"{sw['seconds']:.2f} s, total inertia {sw['total_inertia']:.6e}")
    log(f"  threads: seglab {rows[0][1]['threads']} (rayon), scikit-learn {rows[0][2]['threads']} (OpenMP/BLAS; "
        f"silhouette_score runs pairwise_distances_chunked with n_jobs=None)")


def check_run(s_out, p_out):
    import pandas as pd

    ss, ps = pd.read_csv(s_out / "sweep.csv"), pd.read_csv(p_out / "sweep.csv")
    m = ss.merge(ps, on="k", suffixes=("_s", "_p"))
    log("  sweep k: inertia seglab / peer, silhouette (10,000-row sample) seglab / peer")
    for r in m.itertuples():
        log(f"    k={r.k:2d}  {r.inertia_s:14.1f} {r.inertia_p:14.1f} ({r.inertia_s / r.inertia_p:.4f})   "
            f"{r.silhouette_s:.4f} {r.silhouette_p:.4f}")
    log(f"  total inertia k=2..10: seglab {m.inertia_s.sum():.6e}, peer {m.inertia_p.sum():.6e} "
        f"(ratio {m.inertia_s.sum() / m.inertia_p.sum():.4f})")
    seg = pd.read_parquet(s_out / "segments.parquet", columns=["segment_id"])["segment_id"]
    peer = json.loads((p_out / "result.json").read_text())
    log(f"  rows segmented: seglab {len(seg):,}, peer {peer['rows']:,}; k=5 sizes seglab "
        f"{sorted(seg.value_counts().tolist(), reverse=True)}, peer {sorted(peer['sizes'], reverse=True)}")
    files = lambda d: sorted(str(f.relative_to(d)) for f in d.rglob("*") if f.is_file())  # noqa: E731
    log(f"  files seglab: {', '.join(files(s_out))}")
    log(f"  files peer:   {', '.join(files(p_out))}")


def summarize_kernels(rows):
    head = f"{'kernel (same f64 matrix both sides)':50s} {'seglab s':>9s} {'peer s':>9s} {'ratio':>7s} {'seglab value':>14s} {'peer value':>14s}"
    log("")
    log(head)
    log("-" * len(head))
    for name, s, p, what in rows:
        log(f"{name:50s} {s['seconds']:9.2f} {p['seconds']:9.2f} {p['seconds'] / s['seconds']:6.2f}x "
            f"{s[what]:14.6g} {p[what]:14.6g}")
    log("(kmeans: one pass over k=2..10, value = total inertia (lower is better); silhouette: best of the runs, value = score)")


def summarize(table, driver_mb):
    head = f"{'step':50s} {'seglab s':>9s} {'peer s':>9s} {'ratio':>7s} {'seglab MB':>10s} {'peer MB':>9s}"
    log("")
    log(head)
    log("-" * len(head))
    notes = []
    for name, runs in table:
        s_best = min(w for w, _ in runs["seglab"])
        p_best = min(w for w, _ in runs["peer"])
        s_mb = max(m for _, m in runs["seglab"])
        p_mb = max(m for _, m in runs["peer"])
        log(f"{name:50s} {s_best:9.2f} {p_best:9.2f} {p_best / s_best:6.2f}x {s_mb:10.0f} {p_mb:9.0f}")
        p_work = min(w - i for (w, _), i in zip(runs["peer"], runs["peer_import"]))
        notes.append(f"  {name.split(' rows')[0]} rows: peer without its ~{min(runs['peer_import']):.1f} s of imports "
                     f"(a notebook pays it once) {p_work:.2f} s, ratio {p_work / s_best:.2f}x")
    for note in notes:
        log(note)
    low = min(m for _, runs in table for side in ("seglab", "peer") for _, m in runs[side])
    log("(best wall time of the runs; ratio = peer / seglab, >1 means seglab is faster; MB = peak RSS in MiB, max of the runs)")
    if low <= driver_mb:
        log(f"(warning: a peak of {low:.0f} MiB is not above the driver's own {driver_mb:.0f} MiB, so it may be overstated)")


def peer_phases(p_out):
    t = json.loads((p_out / "timings.json").read_text())
    total = t.pop("total")
    return f"{total:.2f} s = " + ", ".join(f"{k} {v:.2f}" for k, v in t.items())


def main():
    bootstrap()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="clean,kernels,kshapes,run,inspect,rfm",
                    help="comma-separated parts to run: clean (incl. knn), kernels, kshapes, run, inspect, rfm "
                         "(default: all)")
    ap.add_argument("--rows", type=int, default=1_000_000, help="customers for the clean benchmark (default 1,000,000)")
    ap.add_argument("--knn-rows", type=int, default=20_000, help="customers for the KNN benchmark (default 20,000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per side; the best wall time is reported (default 3)")
    ap.add_argument("--kernel-rows", type=int, default=1_000_000, help="rows of the k-means matrix (default 1,000,000)")
    ap.add_argument("--n-init", default="1,3", help="comma-separated n_init values for the k-means kernel (default 1,3)")
    ap.add_argument("--kshape-n-init", default="1,4,10", help="n_init values for kshapes' small tables (default 1,4,10)")
    ap.add_argument("--kshape-big-n-init", default="1,4",
                    help="n_init values for kshapes' --kernel-rows matrix (default 1,4; empty: skip it)")
    ap.add_argument("--kernels-bin", help="a prebuilt benches/kernels.rs binary (skips cargo bench --no-run)")
    ap.add_argument("--sil-rows", type=int, default=20_000, help="rows for the exact silhouette (default 20,000)")
    ap.add_argument("--run-rows", type=int, default=1_000_000, help="customers for seglab run (default 1,000,000)")
    ap.add_argument("--run-transactions", type=int, default=5_000_000,
                    help="transactions for seglab run (default 5,000,000)")
    ap.add_argument("--run-repeat", type=int, default=1, help="runs per side of seglab run (default 1)")
    ap.add_argument("--rfm-customers", type=int, default=1_000_000, help="customers in the rfm log (default 1,000,000)")
    ap.add_argument("--rfm-transactions", type=int, default=20_000_000,
                    help="transactions in the rfm log (default 20,000,000: a 1.24 GB CSV)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--build", action="store_true", help="run cargo build --release even if the binary exists")
    ap.add_argument("--keep", action="store_true", help="keep the outputs in target/bench-out/")
    args = ap.parse_args()
    only = set(args.only.split(","))
    parts = {"clean", "kernels", "kshapes", "run", "inspect", "rfm"}
    if not only <= parts:
        ap.error(f"--only: unknown part(s) {sorted(only - parts)}")
    t0 = float(os.environ.get(T0_ENV, time.time()))

    if only - {"kernels", "kshapes"}:  # those two use benches/kernels.rs, not the binary
        ensure_seglab(args.build)
    kernels_exe = (args.kernels_bin or ensure_kernels()) if only & {"kernels", "kshapes"} else None
    machine()
    WORK.mkdir(parents=True, exist_ok=True)
    table, kernel_rows, checks = [], [], []

    if "clean" in only:
        csv = ensure_data(args.rows, args.seed)
        knn_csv = ensure_data(args.knn_rows, args.seed)
        n, n_knn = count_rows(csv), count_rows(knn_csv)
        peer = [str(VENV_PY), str(PEER)]

        log(f"\n[1] clean: {csv.relative_to(ROOT)} ({n:,} rows incl. planted near-duplicates), recipe {RECIPE.relative_to(ROOT)}")
        s_out, p_out = WORK / "seglab-clean", WORK / "peer-clean"
        runs = bench("clean", [str(SEGLAB), "clean", "--recipe", str(RECIPE), str(csv), "--out", str(s_out)],
                     peer + [str(csv), str(p_out)], s_out, p_out, args.repeat)
        table.append((f"clean {n:,} rows (inspect+clean+features+write)", runs))

        log(f"\n[2] knn: {knn_csv.relative_to(ROOT)} ({n_knn:,} rows), income by 5 nearest neighbours, all donors")
        recipe = knn_recipe(n_knn)
        try:
            ks_out, kp_out = WORK / "seglab-knn", WORK / "peer-knn"
            runs = bench("knn", [str(SEGLAB), "clean", "--recipe", str(recipe), str(knn_csv), "--out", str(ks_out)],
                         peer + [str(knn_csv), str(kp_out), "--knn"], ks_out, kp_out, args.repeat)
        finally:
            recipe.unlink()
        table.append((f"clean + knn income {n_knn:,} rows (exact)", runs))

        def clean_checks():
            log("\n[1] clean: do the results agree?")
            check_clean(s_out, p_out)
            log(f"  peer phases (last run): {peer_phases(p_out)}")
            log("\n[2] knn: do the results agree?")
            check_knn(knn_csv, ks_out, kp_out)
            log(f"  peer phases (last run): {peer_phases(kp_out)}")
        checks.append(clean_checks)

    if "kernels" in only:
        matrix, labels, cols = ensure_kernel_data(args.kernel_rows)
        n_inits = [int(v) for v in args.n_init.split(",")]
        log(f"\n[3] kernels: {matrix.relative_to(ROOT)} ({args.kernel_rows:,} x {cols}), binary {Path(kernels_exe).name}")
        kernel_rows, sw = bench_kernels(kernels_exe, matrix, labels, cols, n_inits, args.sil_rows, args.repeat)
        checks.append(lambda: (log("\n[3] kernels: details"), check_kernels(kernel_rows, sw)))

    if "kshapes" in only:
        sys.path.insert(0, str(BENCHES))
        import kshapes

        ints = lambda v: [int(x) for x in v.split(",") if x]  # noqa: E731
        shapes = [(*s, ints(args.kshape_n_init)) for s in kshapes.ensure_data(DATA, VENV_PY, PEER_KERNELS, log)]
        if ints(args.kshape_big_n_init):
            matrix, _, cols = ensure_kernel_data(args.kernel_rows)
            shapes.append(("blobs", matrix, args.kernel_rows, cols, ints(args.kshape_big_n_init)))
        log(f"\n[3b] kshapes: k-means k=2..10 on {', '.join(s[0] for s in shapes)}, seglab vs scikit-learn(-intelex)")
        kshape_rows = kshapes.bench(kernels_exe, VENV_PY, PEER_KERNELS, shapes, args.repeat, kernel, log)
        checks.append(lambda: kshapes.report(kshape_rows, log))

    if "run" in only:
        customers, transactions = ensure_run_data(args.run_rows, args.run_transactions, args.seed)
        n_run = count_rows(customers)
        log(f"\n[4] run: {customers.relative_to(ROOT)} ({n_run:,} rows) + {args.run_transactions:,} transactions, "
            f"k=5 after a sweep over k=2..10, n_init=1")
        recipe = run_recipe()
        try:
            rs_out, rp_out = WORK / "seglab-run", WORK / "peer-run"
            runs = bench("run", [str(SEGLAB), "run", "--recipe", str(recipe), str(customers),
                                 "--transactions", str(transactions), "--out", str(rs_out)],
                         [str(VENV_PY), str(PEER_RUN), str(customers), str(transactions), str(rp_out)],
                         rs_out, rp_out, args.run_repeat)
        finally:
            recipe.unlink()
        table.append((f"run {n_run:,} rows + {args.run_transactions:,} tx (end to end)", runs))

        def run_checks():
            log("\n[4] run: do the results agree?")
            check_run(rs_out, rp_out)
            steps = json.loads((rs_out / "manifest.json").read_text()).get("seconds", [])
            log("  seglab phases (last run, manifest.json): " + ", ".join(f"{x['step']} {x['seconds']:.2f}" for x in steps)
                + " (the rest of the wall time: writing the folder and charts)")
            log(f"  peer phases (last run): {peer_phases(rp_out)}")
        checks.append(run_checks)

    if "inspect" in only:
        csv = ensure_data(args.rows, args.seed)
        log(f"\n[5] inspect: {csv.relative_to(ROOT)} ({count_rows(csv):,} rows), seglab inspect --json vs "
            f"{', '.join(INSPECT_PEERS)}")
        inspect_runs = bench_inspect(csv, args.repeat)
        checks.append(lambda: check_inspect(inspect_runs, csv))

    if "rfm" in only:
        _, log_csv = ensure_run_data(args.rfm_customers, args.rfm_transactions, args.seed)
        log(f"\n[6] rfm: {log_csv.relative_to(ROOT)} ({args.rfm_transactions:,} transactions, "
            f"{log_csv.stat().st_size / 1e9:.2f} GB), seglab rfm vs {', '.join(RFM_PEERS)}")
        rfm_runs = bench_rfm(log_csv, args.repeat)
        checks.append(lambda: (log("\n[6] rfm: do the results agree?"), check_rfm(rfm_runs)))

    driver_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for check in checks:
        check()
    if table:
        summarize(table, driver_mb)
    if kernel_rows:
        summarize_kernels(kernel_rows)
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    log(f"\nwhole script: {time.time() - t0:.0f} s wall")


if __name__ == "__main__":
    main()
