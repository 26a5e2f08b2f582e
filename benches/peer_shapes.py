"""Seeded look-alikes of three public customer tables, for benches/kshapes.py's k-means sweeps.

Not the tables themselves (they are not shipped): matrices of the same size, feature count, skew
and rough group structure, scaled the way a seglab recipe scales the originals. Those shapes are
where seglab's k-means landed above scikit-learn's at equal n_init before (issue 11).

  mall       200 x 3    age, annual income, spending score: five groups of differing spread
                        (the Mall Customers table), z-scored.
  wholesale  440 x 6    six annual spend columns, lognormal with two channels and a few tiny
                        spends (the Wholesale Customers table), log1p then z-scored.
  marketing  2,240 x 16 income, kids, recency, six spend and five purchase-count columns, age:
                        skewed and zero-inflated (the Marketing Campaign table), z-scored.

Each is a raw little-endian float64 file, row-major (what benches/kernels.rs reads).
"""
import json

import numpy as np


def zscore(x):
    return (x - x.mean(0)) / x.std(0)


def mall(rng):
    # (rows, income mean/sd in k$, spending mean/sd, age mean/sd): the five groups the table shows.
    groups = [(81, 55, 9, 50, 6, 43, 16), (39, 87, 16, 82, 9, 33, 4), (35, 88, 16, 17, 10, 41, 11),
              (22, 26, 7, 79, 10, 25, 5), (23, 26, 7, 21, 13, 45, 13)]
    parts = []
    for n, im, isd, sm, ssd, am, asd in groups:
        age = np.clip(rng.normal(am, asd, n), 18, 70)
        income = np.clip(rng.normal(im, isd, n), 15, 140)
        spend = np.clip(rng.normal(sm, ssd, n), 1, 99)
        parts.append(np.column_stack([age, income, spend]))
    # The table holds whole years, k$ and scores.
    return zscore(np.round(np.vstack(parts)))


def wholesale(rng):
    # Fresh, Milk, Grocery, Frozen, Detergents_Paper, Delicassen: log-space means and spreads per
    # channel (hotel/restaurant/cafe vs retail); milk, grocery and detergents move together.
    chans = [(298, [9.2, 7.8, 8.0, 7.6, 5.9, 6.8], [1.3, 1.0, 1.0, 1.2, 1.3, 1.2]),
             (142, [8.5, 9.0, 9.5, 6.9, 8.5, 7.0], [1.4, 0.7, 0.6, 1.1, 0.8, 1.1])]
    corr = np.eye(6)
    for a, b, r in [(1, 2, 0.75), (1, 4, 0.65), (2, 4, 0.8), (0, 3, 0.35), (3, 5, 0.3)]:
        corr[a, b] = corr[b, a] = r
    parts = []
    for n, mu, sd in chans:
        cov = corr * np.outer(sd, sd)
        parts.append(rng.multivariate_normal(mu, cov, n))
    spend = np.round(np.exp(np.vstack(parts)))
    # A few tiny spends (the table has 3s and 5s): far-left outliers after log1p.
    tiny = rng.random(spend.shape) < 0.015
    spend[tiny] = rng.integers(1, 60, tiny.sum())
    return zscore(np.log1p(spend))


def marketing(rng, n=2240):
    wealth = rng.normal(0, 1, n)
    income = np.clip(52_000 + 21_000 * wealth, 1_730, None)
    rich = rng.random(n) < 0.004  # a handful of six-figure outliers
    income[rich] = rng.uniform(150_000, 670_000, rich.sum())
    kids = rng.choice(3, n, p=[0.58, 0.40, 0.02]) * (wealth < 0.8)
    teens = rng.choice(3, n, p=[0.52, 0.46, 0.02])
    recency = rng.integers(0, 100, n)
    age = np.clip(rng.normal(52, 12, n), 18, 95).round()
    # Spends: lognormal, rising with wealth, falling with children, zero for some.
    appetite = wealth - 0.6 * kids - 0.25 * teens + rng.normal(0, 0.5, n)
    spends = []
    for base, slope, zero in [(5.0, 1.3, 0.01), (2.5, 1.1, 0.18), (4.0, 1.5, 0.0), (2.8, 1.1, 0.17),
                              (2.5, 1.1, 0.19), (3.3, 0.8, 0.03)]:
        s = np.exp(base + slope * appetite + rng.normal(0, 0.6, n)).round()
        s[rng.random(n) < zero] = 0
        spends.append(np.minimum(s, 2_500))
    lam = np.exp(0.35 * appetite[:, None] + np.log([2.3, 4.0, 2.6, 5.8, 5.3]))
    counts = rng.poisson(lam).astype(float)
    counts[:, 0] = rng.poisson(np.exp(0.8 - 0.3 * appetite + 0.4 * kids))  # deals: the thrifty
    counts[:, 4] = rng.poisson(np.exp(1.7 - 0.3 * appetite))  # web visits: browsing, not buying
    x = np.column_stack([income, kids, teens, recency, *spends, counts, age])
    return zscore(x)


SHAPES = {"mall": mall, "wholesale": wholesale, "marketing": marketing}


def write_shapes(out, seed):
    """Writes OUT/NAME.f64 for every shape and OUT/shapes.json ({name: [rows, cols]})."""
    out.mkdir(parents=True, exist_ok=True)
    info = {}
    for i, (name, make) in enumerate(SHAPES.items()):
        x = make(np.random.default_rng([seed, i]))
        assert np.isfinite(x).all(), name
        x.astype("<f8").tofile(out / f"{name}.f64")
        info[name] = list(x.shape)
    (out / "shapes.json").write_text(json.dumps(info))
    return info
