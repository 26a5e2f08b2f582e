#!/usr/bin/env python3
"""The peer for benches/compare.py's end-to-end benchmark: what `seglab run` does with the benchmark's
run recipe, written the way an analyst would with pandas + scikit-learn (+ matplotlib for charts).

    python peer_run.py CUSTOMERS.csv TRANSACTIONS.csv OUT_DIR [--k 5] [--k-min 2] [--k-max 10]
                       [--silhouette-sample 10000] [--as-of 2026-01-01]

Steps (same order as seglab): read customers and transactions -> trim text, lower-case email ->
drop exact duplicate rows -> per customer from the transactions: frequency (distinct purchase
invoices, quantity > 0), monetary (sum of quantity x unit_price, returns included), avg_basket
(monetary / frequency, 0 without purchases), recency_days (as-of date - last purchase day) ->
age / tenure_days -> clip income and age at 1.5*IQR fences -> median fill -> signed log1p(income,
monetary, avg_basket) -> StandardScaler -> KMeans(k, n_init=1, random_state=0) for k_min..k_max
with inertia, silhouette on a 10,000-row sample, Davies-Bouldin and Calinski-Harabasz ->
the model for --k -> per-row silhouette on the same sample -> per-segment size, means and medians
in original units -> write segments.csv/.parquet, personas.md/.json, sweep.csv and PNG charts
(elbow, silhouette vs k, PCA scatter of a 20,000-row subsample).

Writes timings.json (seconds per phase) for the driver. Not part of seglab; needs the benchmark's
virtualenv (pandas, scikit-learn, pyarrow, matplotlib).
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_samples  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

ID = "customer_id"
FEATURES = ["income", "age", "tenure_days", "frequency", "monetary", "avg_basket", "recency_days"]
LOG1P = ["income", "monetary", "avg_basket"]
CLIP = ["age", "income"]
SCATTER_POINTS = 20_000


class Phases:
    def __init__(self):
        self.t = time.perf_counter()
        self.out = {"import": self.t - T0}

    def __call__(self, name):
        now = time.perf_counter()
        self.out[name] = self.out.get(name, 0.0) + now - self.t
        self.t = now


def iqr_fences(s, factor=1.5):
    q1, q3 = s.quantile([0.25, 0.75])
    iqr = q3 - q1
    return q1 - factor * iqr, q3 + factor * iqr


def behaviour(tx, as_of):
    """frequency, monetary, avg_basket, recency_days per customer from the transaction log."""
    tx = tx.dropna(subset=[ID, "quantity", "unit_price"])
    tx = tx.assign(spend=tx["quantity"] * tx["unit_price"])
    buys = tx[tx["quantity"] > 0]
    per = pd.DataFrame({
        "frequency": buys.groupby(ID)["invoice_id"].nunique(),
        "monetary": tx.groupby(ID)["spend"].sum(),
        "last": buys.groupby(ID)["timestamp"].max(),
    })
    per["frequency"] = per["frequency"].fillna(0)
    per["recency_days"] = (as_of - per.pop("last").dt.normalize()).dt.days
    return per


def signed_log1p(s):
    return np.sign(s) * np.log1p(s.abs())


def charts(out, sweep, k, z, labels):
    out.mkdir(exist_ok=True)
    for col, title in (("inertia", "Elbow: inertia by k"), ("silhouette", "Silhouette by k")):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        ax.plot(sweep["k"], sweep[col], marker="o")
        ax.axvline(k, color="grey", linestyle="--", label=f"k = {k}")
        ax.set(xlabel="k", ylabel=col, title=title)
        ax.legend()
        fig.savefig(out / ("elbow.png" if col == "inertia" else "silhouette_vs_k.png"), dpi=100)
        plt.close(fig)
    step = max(1, len(z) // SCATTER_POINTS)
    xy = PCA(n_components=2, random_state=0).fit(z).transform(z[::step])
    fig, ax = plt.subplots(figsize=(7, 6))
    sc = ax.scatter(xy[:, 0], xy[:, 1], c=labels[::step], cmap="tab10", s=3, alpha=0.6)
    ax.legend(*sc.legend_elements(), title="segment", loc="best", fontsize="small")
    ax.set(xlabel="PC 1", ylabel="PC 2", title=f"Segments (every {step}th customer)")
    fig.savefig(out / "scatter.png", dpi=100)
    plt.close(fig)


def personas(out, profile, n):
    with open(out / "personas.json", "w") as f:
        json.dump({"customers": n, "segments": profile}, f, indent=2)
    lines = ["# Segments", ""]
    for p in profile:
        lines += [f"## Segment {p['segment_id']}", "",
                  f"{p['size']:,} customers ({p['share']:.1%})", "",
                  "| feature | mean | median | overall mean |", "|---|---|---|---|"]
        lines += [f"| {c} | {p['mean'][c]:.2f} | {p['median'][c]:.2f} | {p['overall_mean'][c]:.2f} |" for c in FEATURES]
        lines.append("")
    (out / "personas.md").write_text("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("customers")
    ap.add_argument("transactions")
    ap.add_argument("out")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--k-min", type=int, default=2)
    ap.add_argument("--k-max", type=int, default=10)
    ap.add_argument("--silhouette-sample", type=int, default=10_000)
    ap.add_argument("--as-of", default="2026-01-01")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    as_of = pd.Timestamp(args.as_of)
    phase = Phases()

    df = pd.read_csv(args.customers, parse_dates=["birth_date", "signup_date"], date_format="%Y-%m-%d")
    phase("read customers")
    tx = pd.read_csv(args.transactions, usecols=["invoice_id", ID, "timestamp", "quantity", "unit_price"],
                     parse_dates=["timestamp"], date_format="%Y-%m-%d %H:%M:%S")
    phase("read transactions")

    for c in df.select_dtypes(include=["object", "string"]).columns:
        df[c] = df[c].str.strip()
    df["email"] = df["email"].str.lower()
    df = df.drop_duplicates(ignore_index=True)
    phase("trim + dedup")

    df = df.join(behaviour(tx, as_of), on=ID)
    del tx
    df[["frequency", "monetary"]] = df[["frequency", "monetary"]].fillna(0)
    df["avg_basket"] = (df["monetary"] / df["frequency"]).where(df["frequency"] > 0, 0.0)
    phase("behaviour")

    born = df["birth_date"]
    before_birthday = (born.dt.month * 100 + born.dt.day) > (as_of.month * 100 + as_of.day)
    df["age"] = as_of.year - born.dt.year - before_birthday.astype(int)
    df["tenure_days"] = (as_of - df["signup_date"]).dt.days
    for c in CLIP:
        df[c] = df[c].clip(*iqr_fences(df[c]))
    df[FEATURES] = df[FEATURES].fillna(df[FEATURES].median())
    phase("derive + clip + fill")

    x = df[FEATURES].copy()
    x[LOG1P] = signed_log1p(x[LOG1P])
    z = StandardScaler().fit_transform(x)
    phase("features + scale")

    rng = np.random.RandomState(0)
    sample = np.sort(rng.choice(len(z), size=min(args.silhouette_sample, len(z)), replace=False))
    rows, models = [], {}
    for k in range(args.k_min, args.k_max + 1):
        km = KMeans(n_clusters=k, n_init=1, random_state=0).fit(z)
        models[k] = km
        sil = silhouette_samples(z[sample], km.labels_[sample])
        rows.append({"k": k, "inertia": km.inertia_, "silhouette": sil.mean(),
                     "davies_bouldin": davies_bouldin_score(z, km.labels_),
                     "calinski_harabasz": calinski_harabasz_score(z, km.labels_)})
    sweep = pd.DataFrame(rows)
    phase("kmeans sweep")

    labels = models[args.k].labels_
    df["segment_id"] = labels
    df["segment_name"] = "Segment " + df["segment_id"].astype(str)
    df["silhouette"] = np.nan
    df.loc[sample, "silhouette"] = silhouette_samples(z[sample], labels[sample])
    overall = df[FEATURES].mean()
    groups = df.groupby("segment_id")[FEATURES]
    means, medians, sizes = groups.mean(), groups.median(), groups.size()
    profile = [{"segment_id": int(s), "size": int(sizes[s]), "share": sizes[s] / len(df),
                "mean": means.loc[s].to_dict(), "median": medians.loc[s].to_dict(),
                "overall_mean": overall.to_dict()} for s in sizes.index]
    phase("profiles")

    df.to_csv(out / "segments.csv", index=False)
    phase("write csv")
    df.to_parquet(out / "segments.parquet", index=False, engine="pyarrow")
    phase("write parquet")
    sweep.to_csv(out / "sweep.csv", index=False)
    personas(out, profile, len(df))
    phase("write sweep + personas")
    charts(out / "charts", sweep, args.k, z, labels)
    phase("charts")

    phase.out["total"] = time.perf_counter() - T0
    with open(out / "timings.json", "w") as f:
        json.dump(phase.out, f, indent=2)
    with open(out / "result.json", "w") as f:
        json.dump({"k": args.k, "inertia": float(models[args.k].inertia_), "sizes": sizes.tolist(),
                   "rows": len(df)}, f)
    print(f"wrote {out}: {len(df)} customers, k = {args.k}, sizes {sizes.tolist()}")


if __name__ == "__main__":
    main()
