#!/usr/bin/env python3
"""The peer for benches/compare.py: what `seglab clean --recipe benches/clean_recipe.toml` does,
written the way an analyst would with pandas + scikit-learn.

    python peer_clean.py INPUT.csv OUT_DIR [--knn] [--as-of 2026-01-01]

Steps (same order as seglab): read CSV -> inspect stats of the input -> trim text, lower-case
email -> drop exact duplicate rows -> age / tenure_days -> clip income and age at 1.5*IQR
fences -> median fill (income, age, tenure_days) and mode fill (channel) -> one-hot channel,
signed log1p(income), StandardScaler on the numeric features -> write cleaned.csv/.parquet,
features.csv/.parquet, inspect.json.

--knn fills income with StandardScaler + KNNImputer(n_neighbors=5) over income/age/tenure_days
instead of the median (age is median-filled first, as seglab does).

Also writes fitted.json (fences, fill values, scaler) and timings.json (seconds per phase) so the
driver can compare results and show where the time goes. Not part of seglab; needs the
benchmark's virtualenv (pandas, scikit-learn, pyarrow).
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.impute import KNNImputer, SimpleImputer  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

DATE_COLS = ["birth_date", "signup_date"]
NUMERIC = ["income", "age", "tenure_days"]
CLIP = ["age", "income"]
ONE_HOT = "channel"
ID = "customer_id"


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


def inspect(df, path):
    cols = []
    for name, s in df.items():
        info = {
            "name": name,
            "type": str(s.dtype),
            "missing": int(s.isna().sum()),
            "missing_pct": round(100 * s.isna().mean(), 1),
            "distinct": int(s.nunique()),
        }
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            lo, hi = iqr_fences(s)
            info.update(
                min=s.min(), median=s.median(), max=s.max(), mean=s.mean(),
                outliers=int(((s < lo) | (s > hi)).sum()),
            )
        elif pd.api.types.is_datetime64_any_dtype(s):
            info.update(min=str(s.min().date()), median=str(s.median().date()), max=str(s.max().date()))
        else:
            top = s.value_counts().head(5)
            info["top"] = [{"value": str(k), "count": int(v)} for k, v in top.items()]
        cols.append(info)
    return {"file": str(path), "rows": len(df), "duplicate_rows": int(df.duplicated().sum()), "columns": cols}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("out")
    ap.add_argument("--knn", action="store_true", help="KNN-impute income (StandardScaler + KNNImputer)")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--as-of", default="2026-01-01")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    phase = Phases()

    df = pd.read_csv(args.input)
    for c in DATE_COLS:
        df[c] = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
    phase("read csv")

    report = inspect(df, args.input)
    phase("inspect")

    for c in df.select_dtypes(include=["object", "string"]).columns:
        df[c] = df[c].str.strip()
    df["email"] = df["email"].str.lower()
    phase("trim + lower")
    df = df.drop_duplicates(ignore_index=True)
    phase("drop duplicates")

    as_of = pd.Timestamp(args.as_of)
    born = df["birth_date"]
    before_birthday = (born.dt.month * 100 + born.dt.day) > (as_of.month * 100 + as_of.day)
    df["age"] = as_of.year - born.dt.year - before_birthday.astype(int)
    df["tenure_days"] = (as_of - df["signup_date"]).dt.days
    phase("age + tenure")

    fitted = {"bounds": {}, "fills": {}}
    for c in CLIP:
        lo, hi = iqr_fences(df[c])
        df[c] = df[c].clip(lo, hi)
        fitted["bounds"][c] = [lo, hi]
    phase("clip outliers")

    if args.knn:
        rest = [c for c in NUMERIC if c != "income"]
        med = SimpleImputer(strategy="median")
        df[rest] = med.fit_transform(df[rest])
        fitted["fills"].update(dict(zip(rest, med.statistics_.tolist())))
        scaler = StandardScaler()
        z = scaler.fit_transform(df[NUMERIC])
        z = KNNImputer(n_neighbors=args.k).fit_transform(z)
        df["income"] = scaler.inverse_transform(z)[:, 0]
        fitted["fills"]["income"] = "knn"
        phase("knn impute")
    else:
        med = SimpleImputer(strategy="median")
        df[NUMERIC] = med.fit_transform(df[NUMERIC])
        fitted["fills"].update(dict(zip(NUMERIC, med.statistics_.tolist())))
    mode = df[ONE_HOT].mode().iloc[0]
    df[ONE_HOT] = df[ONE_HOT].fillna(mode)
    fitted["fills"][ONE_HOT] = mode
    phase("fill missing")

    feats = df[[ID]].copy()
    feats["log1p(income)"] = np.sign(df["income"]) * np.log1p(df["income"].abs())
    feats["age"] = df["age"]
    feats["tenure_days"] = df["tenure_days"]
    scaled = ["log1p(income)", "age", "tenure_days"]
    scaler = StandardScaler()
    feats[scaled] = scaler.fit_transform(feats[scaled])
    fitted["scaler"] = {c: [m, s] for c, m, s in zip(scaled, scaler.mean_.tolist(), scaler.scale_.tolist())}
    feats = pd.concat([feats, pd.get_dummies(df[ONE_HOT], prefix=ONE_HOT, prefix_sep="=", dtype="int8")], axis=1)
    phase("features + scale")

    df.to_csv(out / "cleaned.csv", index=False)
    feats.to_csv(out / "features.csv", index=False)
    phase("write csv")
    df.to_parquet(out / "cleaned.parquet", index=False, engine="pyarrow")
    feats.to_parquet(out / "features.parquet", index=False, engine="pyarrow")
    phase("write parquet")
    with open(out / "inspect.json", "w") as f:
        json.dump(report, f, indent=2, default=str)
    with open(out / "fitted.json", "w") as f:
        json.dump(fitted, f, indent=2, default=str)
    phase("write json")

    phase.out["total"] = time.perf_counter() - T0
    with open(out / "timings.json", "w") as f:
        json.dump(phase.out, f, indent=2)
    print(f"wrote {out}: cleaned {len(df)} rows x {df.shape[1]} columns, features {len(feats)} rows x {feats.shape[1] - 1} columns")


if __name__ == "__main__":
    main()
