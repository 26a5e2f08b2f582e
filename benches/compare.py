#!/usr/bin/env python3
"""Benchmark seglab's data layer against pandas + scikit-learn, in one run.

    python3 benches/compare.py [--rows 1000000] [--knn-rows 20000] [--repeat 3]

From the repository root. What it does:
  1. creates/reuses the virtualenv benches/.venv and installs pandas, scikit-learn and pyarrow into
     it (the peer's tools; never a seglab dependency), then re-runs itself with that interpreter;
  2. builds target/release/seglab if it is missing (or always, with --build);
  3. generates the data with `seglab demo-data` into target/bench-data/ unless it is already there;
  4. runs, as separate child processes, `seglab clean --recipe benches/clean_recipe.toml` and
     benches/peer_clean.py on the same customers.csv, --repeat times each, measuring wall time and
     peak RSS (os.wait4 -> ru_maxrss), and prints best wall time, ratio and peak memory;
  5. checks that both produced the same rows and feature columns and that the features agree;
  6. does the same for KNN imputation of income on a smaller set (seglab with knn_max_donors >= rows,
     i.e. exact, vs StandardScaler + KNNImputer(n_neighbors=5)).
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
RECIPE = BENCHES / "clean_recipe.toml"
SEGLAB = ROOT / "target" / "release" / "seglab"
DATA = ROOT / "target" / "bench-data"
WORK = ROOT / "target" / "bench-out"
PEER_DEPS = ["pandas", "scikit-learn", "pyarrow"]
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
    probe = subprocess.run([str(VENV_PY), "-c", "import pandas, sklearn, pyarrow"], capture_output=True)
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
    seglab = subprocess.run([str(SEGLAB), "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    log(f"machine: nproc {len(os.sched_getaffinity(0))} ({cpu}), {mem / 2**20:.1f} GiB RAM, {platform.system()} {platform.release()}")
    log(f"seglab:  {seglab} (git {commit or '?'}{' + uncommitted changes in src' if dirty else ''})")
    log(f"peer:    python {platform.python_version()}, pandas {version('pandas')}, numpy {version('numpy')}, "
        f"scikit-learn {version('scikit-learn')}, pyarrow {version('pyarrow')}")


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
    ap.add_argument("--rows", type=int, default=1_000_000, help="customers for the clean benchmark (default 1,000,000)")
    ap.add_argument("--knn-rows", type=int, default=20_000, help="customers for the KNN benchmark (default 20,000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per side; the best wall time is reported (default 3)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--build", action="store_true", help="run cargo build --release even if the binary exists")
    ap.add_argument("--keep", action="store_true", help="keep the outputs in target/bench-out/")
    args = ap.parse_args()
    t0 = float(os.environ.get(T0_ENV, time.time()))

    ensure_seglab(args.build)
    machine()
    WORK.mkdir(parents=True, exist_ok=True)
    csv = ensure_data(args.rows, args.seed)
    knn_csv = ensure_data(args.knn_rows, args.seed)
    n, n_knn = count_rows(csv), count_rows(knn_csv)
    peer = [str(VENV_PY), str(PEER)]
    table = []

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
    driver_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    log("\n[1] clean: do the results agree?")
    check_clean(s_out, p_out)
    log(f"  peer phases (last run): {peer_phases(p_out)}")
    log("\n[2] knn: do the results agree?")
    check_knn(knn_csv, ks_out, kp_out)
    log(f"  peer phases (last run): {peer_phases(kp_out)}")

    summarize(table, driver_mb)
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)
    log(f"\nwhole script: {time.time() - t0:.0f} s wall")


if __name__ == "__main__":
    main()
