//! K sweep: fit K-Means for every k in `k_min..=k_max`, score each fit, and recommend a k.
//!
//! Recommendation rule (also written, with the numbers, into `SweepResult::rule`):
//! 1. Kneedle knee of the inertia curve: scale k and inertia to [0, 1], flip inertia so the
//!    curve rises, and take the k where (flipped inertia − scaled k) is largest. There is no knee
//!    with fewer than 3 k values or when that difference is never positive (no convex bend).
//! 2. Within ±1 of the knee, take the k with the best silhouette; keep the knee itself when no
//!    neighbour beats its silhouette by at least `SILHOUETTE_FLAT` (silhouette is flat there).
//! 3. Without a knee, take the best silhouette overall; without silhouettes, the smallest k.
//!
//! Stability (see `stability`) is reported per k, with the chosen k's in the rule text; it does
//! not move the recommendation.
//!
//! Silhouette and Dunn are O(n²): with `silhouette_sample > 0` and more rows than that, both are
//! computed on the same seeded sample of rows (seed = `kmeans.seed`) for every k.

use serde::Serialize;

use crate::cluster::kmeans::{KMeansError, KMeansModel, KMeansParams};
use crate::job::JobControl;
use crate::matrix::Matrix;
use crate::metrics;
use crate::stability::{StabilityError, StabilityParams, STABLE};

/// Silhouette gains below this do not move the recommendation away from the knee.
pub const SILHOUETTE_FLAT: f64 = 0.01;

/// The most segments seglab fits, whatever the row count: more is no segmentation a person can
/// use, and a sweep that far takes hours.
pub const K_CAP: usize = 100;

/// Rows a segmentation needs: two segments of at least two customers each.
pub const MIN_ROWS: usize = 4;

/// The largest k for `n_rows` rows: each segment averages at least two customers, and at most
/// `K_CAP` segments.
pub fn max_k(n_rows: usize) -> usize {
    (n_rows / 2).min(K_CAP)
}

#[derive(Clone, Debug, PartialEq)]
pub struct SweepParams {
    pub k_min: usize,
    pub k_max: usize,
    /// `k` is overridden for each fit.
    pub kmeans: KMeansParams,
    /// Rows for silhouette and Dunn; 0 = always exact.
    pub silhouette_sample: usize,
    /// Bootstrap resamples for each k's stability and seed ARI; 0 = neither.
    pub stability_resamples: usize,
}

/// Scores of one k; `None` where the metric is undefined for this fit (see `metrics`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SweepRow {
    pub k: usize,
    pub inertia: f64,
    pub silhouette: Option<f64>,
    pub davies_bouldin: Option<f64>,
    pub calinski_harabasz: Option<f64>,
    pub dunn: Option<f64>,
    /// Mean clusterboot Jaccard over the segments (>= 0.75 stable; see `stability`).
    pub stability: Option<f64>,
    /// Mean ARI between this fit and fits at other seeds.
    pub seed_ari: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SweepResult {
    pub rows: Vec<SweepRow>,
    pub recommended_k: usize,
    /// Human-readable rule and the numbers it used.
    pub rule: String,
    /// Rows used for silhouette and Dunn when sampled; `None` when exact.
    pub silhouette_sample_size: Option<usize>,
    /// One model per row, same order.
    pub models: Vec<KMeansModel>,
    /// The ks whose own fit had more inertia than k−1's and were refit from k−1's centroids
    /// plus one (so inertia never rises with k).
    pub refits: Vec<usize>,
    /// Rows stability was computed on and the row count, when it was on a sample.
    pub stability_sample: Option<(usize, usize)>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SweepError {
    #[error("invalid k range {k_min}..={k_max}: need 2 <= k_min <= k_max")]
    BadRange { k_min: usize, k_max: usize },
    #[error(transparent)]
    KMeans(#[from] KMeansError),
    #[error(transparent)]
    Stability(#[from] StabilityError),
}

pub fn sweep(
    data: Matrix<'_>,
    params: &SweepParams,
    job: &JobControl,
) -> Result<SweepResult, SweepError> {
    let (k_min, k_max) = (params.k_min, params.k_max);
    if k_min < 2 || k_max < k_min {
        return Err(SweepError::BadRange { k_min, k_max });
    }
    // Validate everything (including k_max <= rows) before the first expensive fit.
    let n_rows = data.n_rows();
    KMeansParams {
        k: k_max,
        ..params.kmeans.clone()
    }
    .validate(n_rows)?;

    let sample = (params.silhouette_sample > 0 && params.silhouette_sample < n_rows)
        .then(|| metrics::sample_indices(n_rows, params.silhouette_sample, params.kmeans.seed));
    // Work per k is roughly proportional to k: share the progress bar that way.
    let total: f64 = (k_min..=k_max).map(|k| k as f64).sum();
    let mut done = 0.0;
    let mut rows = Vec::new();
    let mut models: Vec<KMeansModel> = Vec::new();
    let mut refits = Vec::new();
    let mut stability_sample = None;
    // With stability on, it takes about as long as the fit: half a k's share for the fit.
    let fit_share = if params.stability_resamples > 0 {
        0.5
    } else {
        0.8
    };
    for k in k_min..=k_max {
        job.check().map_err(KMeansError::from)?;
        let share = k as f64 / total;
        let start = done;
        // The fit, then stability, then 20% of a k's share for the metrics.
        let progress = |f: f64| job.set_progress(start + share * fit_share * f);
        let p = KMeansParams {
            k,
            ..params.kmeans.clone()
        };
        let mut model = p.fit_with_progress(data, job, &progress)?;
        // More segments never fit worse: a k above k−1 starts again from k−1's centroids plus
        // the row farthest from them (Lloyd from there cannot rise above k−1's inertia).
        if let Some(prev) = models
            .last()
            .filter(|m: &&KMeansModel| model.inertia > m.inertia)
        {
            let refit = p.fit_from(data, prev.split_farthest(data), job)?;
            if refit.inertia < model.inertia {
                model = refit;
                refits.push(k);
            }
        }
        let stability = if params.stability_resamples > 0 {
            let s = StabilityParams::new(params.stability_resamples, p.clone()).compute(
                data,
                &model.labels,
                job,
            )?;
            if s.rows < s.of_rows {
                stability_sample = Some((s.rows, s.of_rows));
            }
            job.set_progress(start + share * 0.8);
            Some(s)
        } else {
            None
        };
        job.check().map_err(KMeansError::from)?;
        let labels = &model.labels;
        let (sil, dunn) = match &sample {
            Some(idx) => {
                let (x, l) = metrics::take_rows(data, labels, idx);
                let x = Matrix::trusted(&x, data.n_cols());
                (
                    metrics::silhouette_score(x, &l).ok(),
                    metrics::dunn(x, &l).ok(),
                )
            }
            None => (
                metrics::silhouette_score(data, labels).ok(),
                metrics::dunn(data, labels).ok(),
            ),
        };
        rows.push(SweepRow {
            k,
            inertia: model.inertia,
            silhouette: sil,
            davies_bouldin: metrics::davies_bouldin(data, labels).ok(),
            calinski_harabasz: metrics::calinski_harabasz(data, labels).ok(),
            dunn,
            stability: stability.as_ref().and_then(|s| s.mean),
            seed_ari: stability.as_ref().and_then(|s| s.seed_ari),
        });
        models.push(model);
        done += share;
        job.set_progress(done);
    }
    let (recommended_k, mut rule) = recommend(&rows);
    if !refits.is_empty() {
        let ks: Vec<String> = refits.iter().map(|k| k.to_string()).collect();
        rule.push_str(&format!(
            "; k = {} refit from k − 1's centroids plus one (their own fit had more inertia)",
            ks.join(", ")
        ));
    }
    if let Some(st) = rows
        .iter()
        .find(|r| r.k == recommended_k)
        .and_then(|r| r.stability)
    {
        let verdict = if st >= STABLE { "stable" } else { "unstable" };
        rule.push_str(&format!(
            "; k={recommended_k} is {verdict}: mean clusterboot Jaccard {st:.2} over {} \
             bootstrap resamples (>= {STABLE} is stable; reported, not used to choose k)",
            params.stability_resamples
        ));
    }
    Ok(SweepResult {
        rows,
        recommended_k,
        rule,
        silhouette_sample_size: sample.map(|s| s.len()),
        models,
        refits,
        stability_sample,
    })
}

/// Kneedle knee of a decreasing, convex curve `(ks, ys)`; `None` if there is no bend.
pub fn kneedle(ks: &[usize], ys: &[f64]) -> Option<usize> {
    if ks.len() < 3 {
        return None;
    }
    let (k0, k1) = (ks[0] as f64, ks[ks.len() - 1] as f64);
    let y_max = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let y_min = ys.iter().copied().fold(f64::INFINITY, f64::min);
    // Also rejects NaN and a flat curve.
    if y_max.partial_cmp(&y_min) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let mut best: Option<(usize, f64)> = None;
    for (&k, &y) in ks.iter().zip(ys) {
        let x = (k as f64 - k0) / (k1 - k0);
        let diff = (y_max - y) / (y_max - y_min) - x;
        if diff > 0.0 && best.is_none_or(|(_, b)| diff > b) {
            best = Some((k, diff));
        }
    }
    best.map(|(k, _)| k)
}

/// The recommendation rule from the module docs; returns (k, rule text).
fn recommend(rows: &[SweepRow]) -> (usize, String) {
    let ks: Vec<usize> = rows.iter().map(|r| r.k).collect();
    let inertia: Vec<f64> = rows.iter().map(|r| r.inertia).collect();
    let sil = |k: usize| rows.iter().find(|r| r.k == k).and_then(|r| r.silhouette);
    // Best silhouette among `cands` (ties: smaller k).
    let best_sil = |cands: &mut dyn Iterator<Item = usize>| -> Option<(usize, f64)> {
        cands.filter_map(|k| sil(k).map(|s| (k, s))).fold(
            None,
            |b: Option<(usize, f64)>, (k, s)| match b {
                Some((_, bs)) if bs >= s => b,
                _ => Some((k, s)),
            },
        )
    };
    match kneedle(&ks, &inertia) {
        Some(knee) => {
            let lo = knee.saturating_sub(1).max(ks[0]);
            let hi = (knee + 1).min(ks[ks.len() - 1]);
            let window = best_sil(&mut (lo..=hi));
            let chosen = match (window, sil(knee)) {
                (Some((k, s)), Some(sk)) if s - sk >= SILHOUETTE_FLAT => k,
                (Some((k, _)), None) => k,
                _ => knee,
            };
            let detail = match window {
                Some((k, s)) => format!("best silhouette in k={lo}..={hi} is k={k} ({s:.3})"),
                None => format!("no silhouette in k={lo}..={hi}"),
            };
            let text = format!(
                "k={chosen}: Kneedle knee of inertia at k={knee}; {detail}; rule: best silhouette \
                 within ±1 of the knee, the knee itself unless a neighbour's silhouette is at least \
                 {SILHOUETTE_FLAT} higher"
            );
            (chosen, text)
        }
        None => match best_sil(&mut ks.iter().copied()) {
            Some((k, s)) => (
                k,
                format!(
                    "k={k}: inertia curve has no knee (Kneedle); best silhouette overall ({s:.3})"
                ),
            ),
            None => (
                ks[0],
                format!("k={}: no knee and no silhouette; smallest k", ks[0]),
            ),
        },
    }
}

#[cfg(test)]
mod tests;
