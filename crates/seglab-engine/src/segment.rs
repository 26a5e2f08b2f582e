//! Segmentation: choose k (a k-means sweep when the recipe leaves k open), cluster with the chosen
//! algorithm, and score every row — the analytic step between the feature matrix and personas.

use crate::cluster::dbscan::{DbscanError, DbscanParams, DbscanResult};
use crate::cluster::hierarchical::{Cut, HierarchicalError, HierarchicalParams, Linkage};
use crate::cluster::kmeans::{KMeansError, KMeansParams};
use crate::distance;
use crate::final_labels;
use crate::job::JobControl;
use crate::matrix::Matrix;
use crate::metrics;
use crate::rng::Rng;
use crate::sweep::{self, SweepParams, SweepResult};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algorithm {
    #[default]
    Kmeans,
    Hierarchical,
    Dbscan,
}

/// The recipe's `[cluster]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterOptions {
    pub algorithm: Algorithm,
    /// Number of segments; omitted: the sweep's recommendation.
    pub k: Option<usize>,
    /// The sweep's range of k, inclusive.
    pub k_min: usize,
    pub k_max: usize,
    pub n_init: usize,
    pub max_iter: usize,
    pub tol: f64,
    pub linkage: Linkage,
    /// Hierarchical: cut the tree at this merge distance instead of at k clusters.
    pub cut_distance: Option<f64>,
    /// Hierarchical: rows clustered directly; the rest join the nearest cluster.
    pub max_points: usize,
    pub eps: f64,
    pub min_points: usize,
    /// Silhouette (and Dunn) on a seeded sample of this many rows above it; 0 = always exact.
    pub silhouette_sample: usize,
    /// K-means: bootstrap resamples for each segment's stability (and each k's in the sweep);
    /// 0 = off.
    pub stability_resamples: usize,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            algorithm: Algorithm::Kmeans,
            k: None,
            k_min: 2,
            k_max: 10,
            n_init: 4,
            max_iter: 300,
            tol: 1e-4,
            linkage: Linkage::Ward,
            cut_distance: None,
            max_points: 5000,
            eps: 0.5,
            min_points: 5,
            silhouette_sample: 10_000,
            stability_resamples: crate::stability::DEFAULT_RESAMPLES,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SegmentError {
    #[error("cluster.k must be at least 2, got {0}")]
    KTooSmall(usize),
    #[error("cluster.k = {k} is more than the {n_rows} rows to cluster")]
    KTooLarge { k: usize, n_rows: usize },
    #[error("cluster.k_min..k_max must satisfy 2 <= k_min <= k_max, got {k_min}..{k_max}")]
    BadKRange { k_min: usize, k_max: usize },
    #[error("cluster.eps must be a positive number, got {0}")]
    BadEps(f64),
    #[error("cluster.min_points must be at least 1")]
    ZeroMinPoints,
    #[error(transparent)]
    KMeans(#[from] KMeansError),
    #[error(transparent)]
    Hierarchical(#[from] HierarchicalError),
    #[error(transparent)]
    Dbscan(#[from] DbscanError),
    #[error(transparent)]
    Sweep(#[from] sweep::SweepError),
    #[error(transparent)]
    Stability(#[from] crate::stability::StabilityError),
}

/// Labels for every row (None = DBSCAN noise), the centroids that label new rows, and the scores.
#[derive(Clone, Debug)]
pub struct Segmentation {
    pub algorithm: Algorithm,
    pub k: usize,
    pub labels: Vec<Option<usize>>,
    /// k × n_cols, in the scaled feature space.
    pub centroids: Vec<f64>,
    pub sweep: Option<SweepResult>,
    /// Per-row silhouette: exact where `silhouette_exact` (all rows, or the seeded sample above
    /// the threshold), else the simplified one from the centroids, so every clustered row has one.
    pub silhouette: Vec<Option<f64>>,
    pub silhouette_exact: Vec<bool>,
    /// Mean of the exact values only.
    pub silhouette_mean: Option<f64>,
    pub silhouette_rows: usize,
    /// Hierarchical: the merge tree (scipy-style rows) of the clustered rows.
    pub linkage: Vec<(usize, usize, f64, usize)>,
    /// DBSCAN: the sorted k-distance curve.
    pub k_distance: Vec<f64>,
    /// DBSCAN: core rows that label new customers (a seeded sample when there are many).
    pub core_points: Option<CorePoints>,
    /// DBSCAN: how much the stored subsample of core points changes the run's own labels.
    pub core_sample: Option<CoreSample>,
    /// K-means: each segment's clusterboot stability (by id) and the seed ARI.
    pub stability: Option<crate::stability::Stability>,
    /// What an analyst should know about how the labels were made.
    pub notes: Vec<String>,
}

impl ClusterOptions {
    /// The table's rules, in the order a user meets them.
    pub fn validate(&self, n_rows: usize) -> Result<(), SegmentError> {
        if let Some(k) = self.k {
            if k < 2 {
                return Err(SegmentError::KTooSmall(k));
            }
            if k > n_rows {
                return Err(SegmentError::KTooLarge { k, n_rows });
            }
        }
        if self.k_min < 2 || self.k_min > self.k_max {
            return Err(SegmentError::BadKRange {
                k_min: self.k_min,
                k_max: self.k_max,
            });
        }
        if self.algorithm == Algorithm::Dbscan && !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(SegmentError::BadEps(self.eps));
        }
        if self.algorithm == Algorithm::Dbscan && self.min_points == 0 {
            return Err(SegmentError::ZeroMinPoints);
        }
        Ok(())
    }

    fn kmeans(&self, k: usize, seed: u64) -> KMeansParams {
        KMeansParams {
            k,
            n_init: self.n_init,
            max_iter: self.max_iter,
            tol: self.tol,
            seed,
        }
    }
}

pub fn segment(
    data: Matrix<'_>,
    opts: &ClusterOptions,
    seed: u64,
    job: &JobControl,
) -> Result<Segmentation, SegmentError> {
    let n = data.n_rows();
    opts.validate(n)?;
    let mut notes = Vec::new();
    let needs_k = opts.algorithm != Algorithm::Dbscan;
    // The sweep runs even when the recipe fixes k: its elbow and silhouette curves are how an
    // analyst judges that choice.
    let sweep = if needs_k {
        let k_max = opts.k_max.min(n);
        let params = SweepParams {
            k_min: opts.k_min,
            k_max,
            kmeans: opts.kmeans(opts.k_min, seed),
            silhouette_sample: opts.silhouette_sample,
            stability_resamples: opts.stability_resamples,
        };
        let s = sweep::sweep(data, &params, job)?;
        match opts.k {
            None => notes.push(format!(
                "k = {} chosen by the sweep: {}",
                s.recommended_k, s.rule
            )),
            Some(k) if k != s.recommended_k => notes.push(format!(
                "k = {k} set by the recipe; the sweep recommends k = {} ({})",
                s.recommended_k, s.rule
            )),
            Some(_) => {}
        }
        Some(s)
    } else {
        None
    };
    let k = opts
        .k
        .or(sweep.as_ref().map(|s| s.recommended_k))
        .unwrap_or(opts.k_min);
    let mut linkage = Vec::new();
    let mut k_distance = Vec::new();
    let mut core_points = None;
    let mut core_sample = None;
    let (labels, k): (Vec<Option<usize>>, usize) = match opts.algorithm {
        Algorithm::Kmeans => {
            let from_sweep = sweep
                .as_ref()
                .and_then(|s| s.models.iter().find(|m| m.k == k).cloned());
            let model = match from_sweep {
                Some(m) => m,
                None => opts.kmeans(k, seed).fit(data, job)?,
            };
            (model.labels.iter().map(|&l| Some(l)).collect(), k)
        }
        Algorithm::Hierarchical => {
            let params = HierarchicalParams {
                linkage: opts.linkage,
                cut: match opts.cut_distance {
                    Some(d) => Cut::Distance(d),
                    None => Cut::Clusters(k),
                },
                max_points: opts.max_points,
                seed,
            };
            let fit = params.fit(data, job)?;
            if fit.n_direct() < n {
                notes.push(format!(
                    "hierarchical clustering ran on a seeded sample of {} of {n} rows; the others joined the nearest cluster centroid",
                    fit.n_direct()
                ));
            }
            linkage = fit
                .merges
                .iter()
                .map(|m| (m.a, m.b, m.distance, m.size))
                .collect();
            if let Some(d) = opts.cut_distance {
                notes.push(format!(
                    "the tree was cut at distance {d}: {} clusters",
                    fit.n_clusters
                ));
            }
            (
                fit.labels.iter().map(|&l| Some(l)).collect(),
                fit.n_clusters,
            )
        }
        Algorithm::Dbscan => {
            let params = DbscanParams {
                eps: opts.eps,
                min_points: opts.min_points,
            };
            let fit = params.fit(data, job)?;
            k_distance = crate::cluster::dbscan::k_distance(
                data,
                opts.min_points,
                Some((opts.silhouette_sample.max(2000), seed)),
            )?;
            let k = fit.labels.iter().flatten().max().map_or(0, |m| m + 1);
            let noise = fit.labels.iter().filter(|l| l.is_none()).count();
            let core = CorePoints::sample(data, &fit, opts.eps, seed);
            let relabelled = core
                .label(data)
                .iter()
                .zip(&fit.labels)
                .filter(|(a, b)| a != b)
                .count();
            let sample = CoreSample {
                core_rows: fit.core.iter().filter(|&&c| c).count(),
                stored: core.labels.len(),
                relabelled,
            };
            notes.push(format!(
                "model.json keeps {} of {} core points (shuffled, rounded to {CORE_POINT_DIGITS} significant digits); labelled by it, {} of the run's rows get a different label than in the run",
                sample.stored, sample.core_rows, sample.relabelled
            ));
            core_sample = Some(sample);
            core_points = Some(core);
            notes.push(format!(
                "DBSCAN found {k} cluster(s) and {noise} noise row(s) (eps = {}, min_points = {})",
                opts.eps, opts.min_points
            ));
            (fit.labels, k)
        }
    };
    let mut labels = labels;
    let centroids = if opts.algorithm == Algorithm::Kmeans {
        let (centroids, moved) = final_labels::settle_kmeans(data, &mut labels, k);
        if moved > 0 {
            notes.push(format!(
                "{moved} row(s) moved to their nearest final centroid after the fit, so every label is the nearest centroid (as `apply` labels)"
            ));
        }
        centroids
    } else {
        let mut centroids = final_labels::centroids_of(data, &labels, k);
        let new_of = final_labels::canonical_order(&labels, &centroids, k);
        final_labels::renumber(&mut labels, &mut centroids, &new_of);
        if let Some(core) = core_points.as_mut() {
            for l in &mut core.labels {
                *l = new_of.get(*l).copied().unwrap_or(*l);
            }
        }
        centroids
    };
    let (mut silhouette, silhouette_rows) =
        row_silhouettes(data, &labels, opts.silhouette_sample, seed);
    let scored: Vec<f64> = silhouette.iter().flatten().copied().collect();
    let silhouette_exact: Vec<bool> = silhouette.iter().map(Option::is_some).collect();
    centroid_silhouettes(data, &labels, &centroids, k, &mut silhouette);
    let silhouette_mean =
        (!scored.is_empty()).then(|| scored.iter().sum::<f64>() / scored.len() as f64);
    if silhouette_rows < n {
        notes.push(format!(
            "silhouette computed exactly on a seeded sample of {silhouette_rows} rows"
        ));
    }
    let stability = (opts.algorithm == Algorithm::Kmeans && opts.stability_resamples > 0)
        .then(|| {
            crate::stability::of_labels(
                data,
                &labels,
                opts.stability_resamples,
                opts.kmeans(k, seed),
                job,
            )
        })
        .transpose()?
        .flatten();
    notes.extend(stability.iter().flat_map(|s| s.notes(k)));
    Ok(Segmentation {
        stability,
        core_points,
        core_sample,
        algorithm: opts.algorithm,
        k,
        labels,
        centroids,
        sweep,
        silhouette,
        silhouette_exact,
        silhouette_mean,
        silhouette_rows,
        linkage,
        k_distance,
        notes,
    })
}

/// How DBSCAN labels a new row: the cluster of the nearest stored core point within `eps`,
/// else noise (as the row would be if it had been in the data and were no core point itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorePoints {
    pub eps: f64,
    /// Row-major, `labels.len()` rows.
    pub points: Vec<f64>,
    pub labels: Vec<usize>,
}

/// Stored core points at most. model.json may leave the machine: it keeps a seeded, shuffled
/// subsample of the core points, rounded, never the customers' exact values in row order.
pub const MAX_CORE_POINTS: usize = 1_000;

/// Significant digits kept of each stored core point value (in the scaled space).
const CORE_POINT_DIGITS: usize = 3;

/// What storing a subsample of the core points costs: how many of the run's own rows the stored
/// model labels differently than the run did (rows near the edge of a cluster).
#[derive(Clone, Debug, PartialEq)]
pub struct CoreSample {
    pub core_rows: usize,
    pub stored: usize,
    pub relabelled: usize,
}

fn round_significant(x: f64) -> f64 {
    format!("{x:.prec$e}", prec = CORE_POINT_DIGITS - 1)
        .parse()
        .unwrap_or(x)
}

impl CorePoints {
    /// A seeded, shuffled cover of the core points: a core point is kept unless a kept one lies
    /// within eps/2 (so every cluster region keeps a representative), at most MAX_CORE_POINTS,
    /// values rounded to CORE_POINT_DIGITS significant digits.
    fn sample(data: Matrix<'_>, fit: &DbscanResult, eps: f64, seed: u64) -> Self {
        let mut rows: Vec<usize> = (0..fit.core.len()).filter(|&i| fit.core[i]).collect();
        Rng::stream(seed, 0xD85C).shuffle(&mut rows);
        let row = |i: usize| data.row(i);
        let cover2 = eps * eps / 4.0;
        let mut kept: Vec<usize> = Vec::new();
        for &i in &rows {
            if kept.len() == MAX_CORE_POINTS {
                break;
            }
            if kept
                .iter()
                .all(|&k| distance::sqdist(row(i), row(k)) > cover2)
            {
                kept.push(i);
            }
        }
        CorePoints {
            eps,
            points: kept
                .iter()
                .flat_map(|&i| row(i).iter().map(|&x| round_significant(x)))
                .collect(),
            labels: kept.iter().map(|&i| fit.labels[i].unwrap_or(0)).collect(),
        }
    }

    /// The nearest stored core point's cluster if it lies within eps. The nearest point is
    /// the lowest-index one at the smallest distance, as the first within eps at that distance.
    pub fn label(&self, data: Matrix<'_>) -> Vec<Option<usize>> {
        let eps2 = self.eps * self.eps;
        let points = Matrix::trusted(&self.points, data.n_cols());
        let nearest = distance::assign_with_distance(data, points);
        nearest
            .into_iter()
            .map(|(j, d)| (d <= eps2).then(|| self.labels[j]))
            .collect()
    }
}

/// The simplified silhouette (Hruschka et al.) of every clustered row without an exact one:
/// a = distance to its own centroid, b = to the nearest other, (b − a) / max(a, b).
fn centroid_silhouettes(
    data: Matrix<'_>,
    labels: &[Option<usize>],
    centroids: &[f64],
    k: usize,
    out: &mut [Option<f64>],
) {
    let d = data.n_cols();
    if k < 2 || centroids.len() != k * d {
        return;
    }
    let c = Matrix::trusted(centroids, d);
    for (r, slot) in out.iter_mut().enumerate() {
        let Some(own) = labels[r].filter(|&l| l < k && slot.is_none()) else {
            continue;
        };
        let x = data.row(r);
        let a = crate::distance::sqdist(x, c.row(own)).sqrt();
        let b = (0..k)
            .filter(|&j| j != own)
            .map(|j| crate::distance::sqdist(x, c.row(j)).sqrt())
            .fold(f64::INFINITY, f64::min);
        let m = a.max(b);
        *slot = Some(if m > 0.0 { (b - a) / m } else { 0.0 });
    }
}

/// Exact silhouette of the clustered rows, or of a seeded sample of them above `sample`.
fn row_silhouettes(
    data: Matrix<'_>,
    labels: &[Option<usize>],
    sample: usize,
    seed: u64,
) -> (Vec<Option<f64>>, usize) {
    let assigned: Vec<usize> = (0..labels.len()).filter(|&r| labels[r].is_some()).collect();
    let rows: Vec<usize> = if sample > 0 && assigned.len() > sample {
        let mut rng = crate::rng::Rng::new(seed ^ 0x5117);
        rng.sample_indices(assigned.len(), sample)
            .into_iter()
            .map(|i| assigned[i])
            .collect()
    } else {
        assigned
    };
    let mut out = vec![None; labels.len()];
    let sub = data.gather(&rows);
    let sub_labels: Vec<usize> = rows.iter().map(|&r| labels[r].unwrap_or(0)).collect();
    if let Ok(values) =
        metrics::silhouette_samples(Matrix::trusted(&sub, data.n_cols()), &sub_labels)
    {
        for (&r, v) in rows.iter().zip(values) {
            out[r] = Some(v);
        }
    }
    (out, rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand, in one dimension with centroids 0 and 10: x = 2 in segment 0 has a = 2, b = 8,
    /// so (8 − 2) / 8 = 0.75; x = 6 in segment 0 has a = 6, b = 4: (4 − 6) / 6 = −1/3. An exact
    /// value already there is kept; an unassigned row gets none.
    #[test]
    fn centroid_silhouette_by_hand() {
        let x = [2.0, 6.0, 9.0, 5.0];
        let labels = [Some(0), Some(0), Some(1), None];
        let mut out = vec![None, None, Some(0.5), None];
        centroid_silhouettes(Matrix::trusted(&x, 1), &labels, &[0.0, 10.0], 2, &mut out);
        assert_eq!(out[0], Some(0.75));
        assert!((out[1].unwrap() + 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(out[2], Some(0.5));
        assert_eq!(out[3], None);
    }

    /// The typed rules say what the recipe errors always said, to the letter.
    #[test]
    fn option_errors_keep_their_texts() {
        let err = |f: fn(&mut ClusterOptions)| {
            let mut o = ClusterOptions::default();
            f(&mut o);
            o.validate(10).unwrap_err().to_string()
        };
        assert_eq!(
            err(|o| o.k = Some(1)),
            "cluster.k must be at least 2, got 1"
        );
        assert_eq!(
            err(|o| o.k = Some(11)),
            "cluster.k = 11 is more than the 10 rows to cluster"
        );
        assert_eq!(
            err(|o| o.k_min = 11),
            "cluster.k_min..k_max must satisfy 2 <= k_min <= k_max, got 11..10"
        );
        assert_eq!(
            err(|o| {
                o.algorithm = Algorithm::Dbscan;
                o.eps = -0.5;
            }),
            "cluster.eps must be a positive number, got -0.5"
        );
        assert_eq!(
            err(|o| {
                o.algorithm = Algorithm::Dbscan;
                o.min_points = 0;
            }),
            "cluster.min_points must be at least 1"
        );
        assert_eq!(ClusterOptions::default().validate(10), Ok(()));
    }
}
