#!/usr/bin/env python3
"""The scikit-learn side of benches/compare.py's kernel benchmark (benches/kernels.rs is seglab's).

    python peer_kernels.py data DIR [--rows 1000000] [--cols 6] [--centers 8] [--seed 0]
    python peer_kernels.py shapes DIR [--seed 0]
    python peer_kernels.py kmeans MATRIX N_COLS [--k-min 2] [--k-max 10] [--n-init 1] [--repeat 1] [--intelex]
    python peer_kernels.py silhouette MATRIX N_COLS LABELS [--rows N] [--repeat 3]

`data` writes the shared inputs once: DIR/matrix.f64 (Gaussian blobs, z-scored per column, raw
little-endian float64, row-major) and DIR/labels.i64 (each row's blob, int64). The other two time
scikit-learn on those files and print one JSON object, shaped like kernels.rs's output:
`shapes` writes the look-alikes of public customer tables that benches/kshapes.py sweeps (see
peer_shapes.py), DIR/NAME.f64 each, and DIR/shapes.json with their shapes.
`kmeans` fits KMeans(n_clusters=k, n_init=N, random_state=0) for every k (defaults otherwise:
lloyd, k-means++, max_iter=300, tol=1e-4), with --intelex through scikit-learn-intelex's patched
KMeans (`sklearnex.patch_sklearn()` first); `silhouette` is sklearn.metrics.silhouette_score
(exact) on the first --rows rows with the given labels. Seconds are the best of --repeat.
Not part of seglab; needs the benchmark's virtualenv (numpy, scikit-learn, scikit-learn-intelex).
"""
import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_info


def load(matrix, n_cols):
    return np.fromfile(matrix, dtype="<f8").reshape(-1, n_cols)


def timed(repeat, f):
    runs, result = [], None
    for _ in range(max(repeat, 1)):
        t = time.perf_counter()
        result = f()
        runs.append(time.perf_counter() - t)
    return runs, result


def report(kind, x, runs, **rest):
    threads = max((p.get("num_threads", 1) for p in threadpool_info()), default=1)
    print(json.dumps({"kernel": kind, "rows": x.shape[0], "cols": x.shape[1], "threads": threads,
                      "seconds": min(runs), "runs": runs, **rest}))


def make_data(args):
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    centers = rng.uniform(-6, 6, size=(args.centers, args.cols))
    stds = rng.uniform(0.8, 2.0, size=args.centers)
    x, y = make_blobs(n_samples=args.rows, centers=centers, cluster_std=stds, random_state=args.seed)
    x = (x - x.mean(0)) / x.std(0)
    x.astype("<f8").tofile(out / "matrix.f64")
    y.astype("<i8").tofile(out / "labels.i64")
    print(json.dumps({"rows": args.rows, "cols": args.cols, "centers": args.centers, "dir": str(out)}))


def make_shapes(args):
    from peer_shapes import write_shapes

    print(json.dumps(write_shapes(Path(args.dir), args.seed)))


def kmeans(args):
    if args.intelex:
        # Must run before sklearn.cluster is imported, or the stock KMeans is used.
        from sklearnex import patch_sklearn

        patch_sklearn(verbose=False)
    from sklearn.cluster import KMeans

    x = load(args.matrix, args.n_cols)

    def sweep():
        per_k = []
        for k in range(args.k_min, args.k_max + 1):
            t = time.perf_counter()
            km = KMeans(n_clusters=k, n_init=args.n_init, random_state=0).fit(x)
            per_k.append((k, float(km.inertia_), int(km.n_iter_), time.perf_counter() - t))
        return per_k

    runs, per_k = timed(args.repeat, sweep)
    report("kmeans", x, runs, n_init=args.n_init, peer="intelex" if args.intelex else "sklearn", total_inertia=sum(r[1] for r in per_k),
           k=[r[0] for r in per_k], inertia=[r[1] for r in per_k], n_iter=[r[2] for r in per_k],
           fit_seconds=[r[3] for r in per_k])


def silhouette(args):
    labels = np.fromfile(args.labels, dtype="<i8")
    rows = min(args.rows or len(labels), len(labels))
    x = load(args.matrix, args.n_cols)[:rows]
    runs, score = timed(args.repeat, lambda: silhouette_score(x, labels[:rows]))
    report("silhouette", x, runs, silhouette=float(score))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="kind", required=True)
    d = sub.add_parser("data")
    d.add_argument("dir")
    d.add_argument("--rows", type=int, default=1_000_000)
    d.add_argument("--cols", type=int, default=6)
    d.add_argument("--centers", type=int, default=8)
    d.add_argument("--seed", type=int, default=0)
    sh = sub.add_parser("shapes")
    sh.add_argument("dir")
    sh.add_argument("--seed", type=int, default=0)
    k = sub.add_parser("kmeans")
    s = sub.add_parser("silhouette")
    for p in (k, s):
        p.add_argument("matrix")
        p.add_argument("n_cols", type=int)
    k.add_argument("--k-min", type=int, default=2)
    k.add_argument("--k-max", type=int, default=10)
    k.add_argument("--n-init", type=int, default=1)
    k.add_argument("--repeat", type=int, default=1)
    k.add_argument("--intelex", action="store_true")
    s.add_argument("labels")
    s.add_argument("--rows", type=int, default=0)
    s.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    {"data": make_data, "shapes": make_shapes, "kmeans": kmeans, "silhouette": silhouette}[args.kind](args)


if __name__ == "__main__":
    main()
