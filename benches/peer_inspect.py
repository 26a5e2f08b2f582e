#!/usr/bin/env python3
"""The peers of `seglab inspect FILE --json` for benches/compare.py: the same per-column summary
written the way an analyst would with pandas, polars or DuckDB.

    python peer_inspect.py pandas|polars|duckdb INPUT.csv OUT_DIR

Per column: type, missing count, distinct count, min/median/max/mean and the 1.5*IQR outlier
count (linear quantiles, as seglab) for numbers, min/median/max for dates, the five most common
values for text; plus the number of rows and of duplicate rows (rows equal to an earlier row).

DuckDB runs `SUMMARIZE SELECT * FROM read_csv_auto(...)`, which is approximate: distinct counts
are HyperLogLog estimates (approx_unique), quantiles are approximate, and it has no top values
or duplicate rows. It is the "one query" peer, not an exact equivalent.

Writes OUT_DIR/inspect.json (the summary) and OUT_DIR/timings.json (seconds: import, read,
summary, total). Not part of seglab; needs the benchmark's virtualenv.
"""
import time

T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

# The generated customers file's date columns (pandas reads them as text otherwise).
DATE_COLS = ["birth_date", "signup_date"]


def num(x):
    return None if x is None or x != x else float(x)


def run_pandas(path, t):
    import pandas as pd

    t["import"] = time.perf_counter() - T0
    df = pd.read_csv(path)
    for c in DATE_COLS:
        if c in df:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d", errors="coerce")
    t["read"] = time.perf_counter() - T0 - sum(t.values())
    cols = []
    for name, s in df.items():
        info = {"name": name, "type": str(s.dtype), "missing": int(s.isna().sum()), "distinct": int(s.nunique())}
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            q1, q3 = s.quantile([0.25, 0.75])
            lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
            info.update(min=num(s.min()), median=num(s.median()), max=num(s.max()), mean=num(s.mean()),
                        outliers=int(((s < lo) | (s > hi)).sum()))
        elif pd.api.types.is_datetime64_any_dtype(s):
            info.update(min=str(s.min().date()), median=str(s.median().date()), max=str(s.max().date()))
        else:
            top = s.value_counts().head(5)
            info["top"] = [{"value": str(k), "count": int(v)} for k, v in top.items()]
        cols.append(info)
    dups = int(df.duplicated().sum())
    return {"rows": len(df), "duplicate_rows": dups, "columns": cols}


def run_polars(path, t):
    import polars as pl

    t["import"] = time.perf_counter() - T0
    df = pl.read_csv(path, try_parse_dates=True, infer_schema_length=10_000)
    t["read"] = time.perf_counter() - T0 - sum(t.values())
    # One select over every column: polars runs the expressions in parallel.
    exprs = []
    for name, dtype in df.schema.items():
        c = pl.col(name)
        exprs += [c.null_count().alias(f"{name}|missing"), c.drop_nulls().n_unique().alias(f"{name}|distinct")]
        if dtype.is_numeric():
            q1, q3 = c.quantile(0.25, "linear"), c.quantile(0.75, "linear")
            lo, hi = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
            exprs += [c.min().cast(pl.Float64).alias(f"{name}|min"), c.median().alias(f"{name}|median"),
                      c.max().cast(pl.Float64).alias(f"{name}|max"), c.mean().alias(f"{name}|mean"),
                      ((c < lo) | (c > hi)).sum().alias(f"{name}|outliers")]
        elif dtype.is_temporal():
            exprs += [c.min().cast(pl.String).alias(f"{name}|min"), c.median().cast(pl.Date).cast(pl.String)
                      .alias(f"{name}|median"), c.max().cast(pl.String).alias(f"{name}|max")]
        else:
            top = c.drop_nulls().value_counts(sort=True).head(5)
            exprs.append(top.implode().alias(f"{name}|top"))
    row = df.select(exprs).row(0, named=True)
    cols = []
    for name, dtype in df.schema.items():
        info = {"name": name, "type": str(dtype)}
        for key in ("missing", "distinct", "min", "median", "max", "mean", "outliers", "top"):
            if f"{name}|{key}" in row:
                info[key] = row[f"{name}|{key}"]
        if "top" in info:
            info["top"] = [{"value": str(d[name]), "count": int(d["count"])} for d in info["top"]]
        cols.append(info)
    dups = df.height - df.unique().height
    return {"rows": df.height, "duplicate_rows": dups, "columns": cols}


def run_duckdb(path, t):
    import duckdb

    t["import"] = time.perf_counter() - T0
    con = duckdb.connect()
    esc = str(path).replace("'", "''")
    rows = con.execute(f"SUMMARIZE SELECT * FROM read_csv_auto('{esc}')").fetchall()
    t["read"] = 0.0  # read and summary are one query
    names = [d[0] for d in con.description]
    cols = []
    n = 0
    for r in rows:
        r = dict(zip(names, r))
        n = int(r["count"])
        missing = round(float(r["null_percentage"]) * n / 100)
        cols.append({"name": r["column_name"], "type": r["column_type"], "missing": missing,
                     "distinct": int(r["approx_unique"]), "min": r["min"], "median": r["q50"], "max": r["max"],
                     "mean": r["avg"]})
    return {"rows": n, "duplicate_rows": None, "columns": cols}


# ---------------------------------------------------------------- used by compare.py


def check(s_report, peers, log):
    """Warns where a peer disagrees with seglab on rows, duplicate rows or a column's missing or
    distinct count; `peers` maps a name to its inspect.json."""
    for name, p in peers.items():
        pcols = {c["name"]: c for c in p["columns"]}
        approx = " (approx_unique and a rounded null_percentage: estimates)" if name == "duckdb" else ""
        diffs = []
        for c in s_report["columns"]:
            q = pcols.get(c["name"])
            if q is None:
                diffs.append(f"{c['name']}: missing from the peer")
                continue
            for key in ("missing", "distinct"):
                if c[key] != q.get(key):
                    diffs.append(f"{c['name']}.{key} {c[key]} vs {q.get(key)}")
        dup = p["duplicate_rows"]
        head = (f"  {name}: rows {p['rows']:,} (seglab {s_report['rows']:,}), duplicate rows "
                f"{'n/a' if dup is None else dup} (seglab {s_report['duplicate_rows']})")
        if p["rows"] != s_report["rows"] or (dup is not None and dup != s_report["duplicate_rows"]):
            head = "  WARNING" + head[1:]
        log(head + (f"; per-column missing/distinct all equal" if not diffs else ""))
        if diffs:
            tag = "  note:" if name == "duckdb" else "  WARNING:"
            log(f"  {tag} {len(diffs)} difference(s){approx}: " + "; ".join(diffs))


def main():
    which, path, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    t = {}
    report = {"pandas": run_pandas, "polars": run_polars, "duckdb": run_duckdb}[which](path, t)
    t["summary"] = time.perf_counter() - T0 - sum(t.values())
    t["total"] = time.perf_counter() - T0
    report["file"] = str(path)
    (out / "inspect.json").write_text(json.dumps(report, default=str, indent=1))
    (out / "timings.json").write_text(json.dumps(t))


if __name__ == "__main__":
    main()
