#!/usr/bin/env python3
"""The peers of `seglab rfm LOG --out DIR` for benches/compare.py: the customer profile and RFM
segments from a transaction log, written the way an analyst would with pandas, polars or DuckDB.

    python peer_rfm.py pandas|polars|duckdb LOG.csv OUT_DIR

The same work as seglab's defaults on the generated log (invoice_id, customer_id, timestamp, sku,
quantity, unit_price): lines without a customer, with a zero or negative price, or cancelled
(invoice starting with "C" or a negative quantity) are left out; per customer: frequency
(distinct invoices), monetary (sum of quantity x price), first and last purchase, distinct
products, recency_days to the day after the last purchase; R, F, M scores 1-5 by minimum rank
(1 + floor(5 (rank - 1) / n), on -recency for R); the segment from assets/rfm_segments.toml.
Writes OUT_DIR/rfm.csv and OUT_DIR/timings.json (seconds: import, total). Not part of seglab;
needs the benchmark's virtualenv.
"""
import time

T0 = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
import tomllib  # noqa: E402
from pathlib import Path  # noqa: E402

MAP = Path(__file__).resolve().parents[1] / "assets" / "rfm_segments.toml"


def segment_rules():
    """[(name, (r_lo, r_hi), (f_lo, f_hi), (m_lo, m_hi))] and the catch-all name."""
    segs = tomllib.loads(MAP.read_text())["segment"]
    rules, catch = [], None
    for s in segs:
        if s.get("catch_all"):
            catch = s["name"]
            continue
        rules.append((s["name"], tuple(s.get("r", [1, 5])), tuple(s.get("f", [1, 5])), tuple(s.get("m", [1, 5]))))
    return rules, catch


def run_pandas(log, out, t):
    import numpy as np
    import pandas as pd

    t["import"] = time.perf_counter() - T0
    df = pd.read_csv(log, usecols=["invoice_id", "customer_id", "timestamp", "sku", "quantity", "unit_price"],
                     dtype={"invoice_id": str, "customer_id": str, "sku": str})
    df["timestamp"] = pd.to_datetime(df["timestamp"], format="%Y-%m-%d %H:%M:%S")
    df = df[df["customer_id"].notna() & df["quantity"].notna() & df["unit_price"].notna() & df["timestamp"].notna()]
    df = df[df["unit_price"] > 0]
    df = df[~(df["invoice_id"].str.startswith("C", na=False) | (df["quantity"] < 0))]
    df["value"] = df["quantity"] * df["unit_price"]
    df["day"] = df["timestamp"].dt.normalize()
    g = df.groupby("customer_id").agg(
        frequency=("invoice_id", "nunique"), monetary=("value", "sum"),
        first_purchase=("day", "min"), last_purchase=("day", "max"), distinct_products=("sku", "nunique"))
    as_of = df["day"].max() + pd.Timedelta(days=1)
    g["recency_days"] = (as_of - g["last_purchase"]).dt.days
    n = len(g)
    for col, src in (("r_score", -g["recency_days"]), ("f_score", g["frequency"]), ("m_score", g["monetary"])):
        g[col] = 1 + (5 * (src.rank(method="min").astype(np.int64) - 1)) // n
    rules, catch = segment_rules()
    conds = [g["r_score"].between(*r) & g["f_score"].between(*f) & g["m_score"].between(*m) for _, r, f, m in rules]
    g["rfm_segment"] = np.select(conds, [name for name, *_ in rules], default=catch)
    g.reset_index().to_csv(out / "rfm.csv", index=False)


def run_polars(log, out, t):
    import polars as pl

    t["import"] = time.perf_counter() - T0
    df = pl.scan_csv(log, schema_overrides={"invoice_id": pl.Utf8, "customer_id": pl.Utf8, "sku": pl.Utf8})
    df = (df.select(["invoice_id", "customer_id", "timestamp", "sku", "quantity", "unit_price"])
          .with_columns(pl.col("timestamp").str.strptime(pl.Datetime, "%Y-%m-%d %H:%M:%S"))
          .filter(pl.col("customer_id").is_not_null() & pl.col("quantity").is_not_null()
                  & pl.col("unit_price").is_not_null() & pl.col("timestamp").is_not_null())
          .filter(pl.col("unit_price") > 0)
          .filter(~(pl.col("invoice_id").str.starts_with("C") | (pl.col("quantity") < 0)))
          .with_columns((pl.col("quantity") * pl.col("unit_price")).alias("value"),
                        pl.col("timestamp").dt.date().alias("day")))
    g = df.group_by("customer_id").agg(
        pl.col("invoice_id").n_unique().alias("frequency"), pl.col("value").sum().alias("monetary"),
        pl.col("day").min().alias("first_purchase"), pl.col("day").max().alias("last_purchase"),
        pl.col("sku").n_unique().alias("distinct_products")).collect()
    as_of = g["last_purchase"].max()
    g = g.with_columns(((pl.lit(as_of) - pl.col("last_purchase")).dt.total_days() + 1).alias("recency_days"))
    n = g.height
    g = g.with_columns(
        (1 + (5 * ((-pl.col("recency_days")).rank("min") - 1)) // n).alias("r_score"),
        (1 + (5 * (pl.col("frequency").rank("min") - 1)) // n).alias("f_score"),
        (1 + (5 * (pl.col("monetary").rank("min") - 1)) // n).alias("m_score"))
    rules, catch = segment_rules()
    expr = pl.lit(catch)
    for name, r, f, m in reversed(rules):
        cond = (pl.col("r_score").is_between(*r) & pl.col("f_score").is_between(*f) & pl.col("m_score").is_between(*m))
        expr = pl.when(cond).then(pl.lit(name)).otherwise(expr)
    g.with_columns(expr.alias("rfm_segment")).write_csv(out / "rfm.csv")


def run_duckdb(log, out, t):
    import duckdb

    t["import"] = time.perf_counter() - T0
    rules, catch = segment_rules()
    case = " ".join(
        f"WHEN r_score BETWEEN {r[0]} AND {r[1]} AND f_score BETWEEN {f[0]} AND {f[1]} "
        f"AND m_score BETWEEN {m[0]} AND {m[1]} THEN '{name.replace(chr(39), chr(39) * 2)}'"
        for name, r, f, m in rules)
    catch_sql = "NULL" if catch is None else "'" + catch.replace("'", "''") + "'"
    log_sql = str(log).replace("'", "''")
    out_sql = str(out / "rfm.csv").replace("'", "''")
    duckdb.sql(f"""
    COPY (
      WITH lines AS (
        SELECT invoice_id, customer_id, CAST(timestamp AS DATE) AS day, sku, quantity * unit_price AS value
        FROM read_csv('{log_sql}', types = {{'invoice_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'sku': 'VARCHAR',
                                             'timestamp': 'TIMESTAMP'}})
        WHERE customer_id IS NOT NULL AND quantity IS NOT NULL AND unit_price IS NOT NULL AND timestamp IS NOT NULL
          AND unit_price > 0 AND NOT (starts_with(invoice_id, 'C') OR quantity < 0)
      ),
      per AS (
        SELECT customer_id, count(DISTINCT invoice_id) AS frequency, sum(value) AS monetary,
               min(day) AS first_purchase, max(day) AS last_purchase, count(DISTINCT sku) AS distinct_products
        FROM lines GROUP BY customer_id
      ),
      dated AS (
        SELECT *, date_diff('day', last_purchase, (SELECT max(last_purchase) FROM per) + 1) AS recency_days FROM per
      ),
      scored AS (
        SELECT *, 1 + (5 * (rank() OVER (ORDER BY -recency_days) - 1)) // count(*) OVER () AS r_score,
                  1 + (5 * (rank() OVER (ORDER BY frequency) - 1)) // count(*) OVER () AS f_score,
                  1 + (5 * (rank() OVER (ORDER BY monetary) - 1)) // count(*) OVER () AS m_score
        FROM dated
      )
      SELECT *, CASE {case} ELSE {catch_sql} END AS rfm_segment FROM scored
    ) TO '{out_sql}' (HEADER)
    """)


def main():
    which, log, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    t = {}
    {"pandas": run_pandas, "polars": run_polars, "duckdb": run_duckdb}[which](log, out, t)
    t["total"] = time.perf_counter() - T0
    (out / "timings.json").write_text(json.dumps(t))


if __name__ == "__main__":
    main()
