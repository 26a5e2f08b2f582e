use super::*;
use crate::rng::Rng;

/// Four well separated 2-D blobs.
fn four_blobs(per: usize) -> Vec<f64> {
    let centers = [(0.0, 0.0), (8.0, 0.0), (0.0, 8.0), (8.0, 8.0)];
    let mut rng = Rng::new(21);
    (0..4 * per)
        .flat_map(|i| {
            let (cx, cy) = centers[i % 4];
            [cx + rng.normal(0.0, 0.7), cy + rng.normal(0.0, 0.7)]
        })
        .collect()
}

fn params(k_min: usize, k_max: usize, sample: usize) -> SweepParams {
    SweepParams {
        k_min,
        k_max,
        kmeans: KMeansParams::default(),
        silhouette_sample: sample,
        stability_resamples: 0,
    }
}

#[test]
fn kneedle_on_known_curves() {
    // Sharp elbow at 4.
    assert_eq!(
        kneedle(&[2, 3, 4, 5, 6, 7], &[100.0, 60.0, 20.0, 18.0, 16.0, 15.0]),
        Some(4)
    );
    // Straight line and concave curve: no knee.
    assert_eq!(kneedle(&[2, 3, 4, 5], &[4.0, 3.0, 2.0, 1.0]), None);
    assert_eq!(kneedle(&[2, 3, 4], &[10.0, 9.0, 0.0]), None);
    assert_eq!(kneedle(&[2, 3], &[10.0, 1.0]), None);
}

#[test]
fn four_blobs_recommend_four() {
    let x = four_blobs(100);
    let job = JobControl::new();
    let r = sweep(Matrix::trusted(&x, 2), &params(2, 8, 0), &job).unwrap();
    assert_eq!(
        r.rows.iter().map(|r| r.k).collect::<Vec<_>>(),
        (2..=8).collect::<Vec<_>>()
    );
    assert_eq!(r.recommended_k, 4, "{}", r.rule);
    assert!(r.rule.starts_with("k=4"));
    assert_eq!(r.silhouette_sample_size, None);
    assert_eq!(r.models.len(), 7);
    assert_eq!(job.progress(), 1.0);
    let row4 = &r.rows[2];
    // Row scores agree with the metrics module on the model's labels.
    let l = &r.models[2].labels;
    assert_eq!(
        row4.silhouette,
        metrics::silhouette_score(Matrix::trusted(&x, 2), l).ok()
    );
    assert_eq!(row4.dunn, metrics::dunn(Matrix::trusted(&x, 2), l).ok());
    assert!(
        (row4.inertia - metrics::inertia(Matrix::trusted(&x, 2), l).unwrap()).abs()
            < 1e-9 * row4.inertia
    );
    // Silhouette peaks at the true k.
    let best = r
        .rows
        .iter()
        .max_by(|a, b| a.silhouette.partial_cmp(&b.silhouette).unwrap());
    assert_eq!(best.unwrap().k, 4);
}

#[test]
fn sampled_metrics_use_one_sample() {
    let x = four_blobs(100);
    let r = sweep(
        Matrix::trusted(&x, 2),
        &params(3, 5, 120),
        &JobControl::new(),
    )
    .unwrap();
    assert_eq!(r.silhouette_sample_size, Some(120));
    let idx = metrics::sample_indices(400, 120, KMeansParams::default().seed);
    for (row, m) in r.rows.iter().zip(&r.models) {
        let (xs, ls) = metrics::take_rows(Matrix::trusted(&x, 2), &m.labels, &idx);
        assert_eq!(
            row.silhouette,
            metrics::silhouette_score(Matrix::trusted(&xs, 2), &ls).ok()
        );
        assert_eq!(row.dunn, metrics::dunn(Matrix::trusted(&xs, 2), &ls).ok());
    }
}

#[test]
fn errors_and_cancel() {
    let x = four_blobs(5);
    let job = JobControl::new();
    assert_eq!(
        sweep(Matrix::trusted(&x, 2), &params(1, 4, 0), &job).unwrap_err(),
        SweepError::BadRange { k_min: 1, k_max: 4 }
    );
    assert_eq!(
        sweep(Matrix::trusted(&x, 2), &params(2, 30, 0), &job).unwrap_err(),
        SweepError::KMeans(KMeansError::KTooLarge { k: 30, n_rows: 20 })
    );
    job.cancel();
    assert_eq!(
        sweep(Matrix::trusted(&x, 2), &params(2, 4, 0), &job).unwrap_err(),
        SweepError::KMeans(KMeansError::Cancelled)
    );
}

#[test]
fn rows_serialize() {
    let row = SweepRow {
        k: 3,
        inertia: 1.5,
        silhouette: Some(0.5),
        davies_bouldin: None,
        calinski_harabasz: Some(2.0),
        dunn: None,
        stability: Some(0.8),
        seed_ari: None,
    };
    let s = serde_json::to_string(&row).unwrap();
    assert_eq!(
        s,
        r#"{"k":3,"inertia":1.5,"silhouette":0.5,"davies_bouldin":null,"calinski_harabasz":2.0,"dunn":null,"stability":0.8,"seed_ari":null}"#
    );
}

/// The sweep's inertia never rises with k: a k whose own fit lands above k−1's is refit from
/// k−1's centroids plus one (which can only lower it). Checked on structureless and on
/// grid-like data with one seeding per k, where local optima are common.
#[test]
fn inertia_never_rises_with_k() {
    let job = JobControl::new();
    for seed in 0..20u64 {
        let mut rng = Rng::new(seed);
        let n = 400 + 20 * seed as usize;
        // Heavy tails: a few far rows pull single seedings into poor optima.
        let x: Vec<f64> = (0..n * 3)
            .map(|i| match (seed + i as u64) % 3 {
                0 => rng.normal(0.0, 1.0).powi(3),
                1 => (rng.normal(0.0, 3.0)).round(),
                _ => rng.normal(0.0, 1.0).powi(5),
            })
            .collect();
        let p = SweepParams {
            k_min: 2,
            k_max: 15,
            kmeans: KMeansParams {
                n_init: 1,
                max_iter: 1,
                seed,
                ..Default::default()
            },
            silhouette_sample: 200,
            stability_resamples: 0,
        };
        let r = sweep(Matrix::trusted(&x, 3), &p, &job).unwrap();
        for w in r.rows.windows(2) {
            assert!(
                w[1].inertia <= w[0].inertia,
                "seed {seed}: k={} {} > k={} {}",
                w[1].k,
                w[1].inertia,
                w[0].k,
                w[0].inertia
            );
        }
        // The models are the ones the rows describe.
        for (row, m) in r.rows.iter().zip(&r.models) {
            assert_eq!(row.inertia, m.inertia);
            assert_eq!(m.centroids.len(), row.k * 3);
        }
        // A refit k is one whose own fit rose; the refit always lands at or below k−1.
        for k in &r.refits {
            assert!(r.rows.iter().any(|row| row.k == *k));
        }
    }
}

/// What the refit rests on: Lloyd started from a model's centroids plus its farthest row ends
/// with no more inertia than the model, whatever the model (here: poor one-pass fits).
#[test]
fn a_split_start_never_fits_worse_than_the_model_it_grows() {
    let job = JobControl::new();
    for seed in 0..20u64 {
        let mut rng = Rng::new(seed);
        let x: Vec<f64> = (0..600 * 2).map(|_| rng.normal(0.0, 1.0).powi(3)).collect();
        let data = Matrix::trusted(&x, 2);
        for k in 2..8 {
            let p = KMeansParams {
                k,
                n_init: 1,
                max_iter: 1,
                seed,
                ..Default::default()
            };
            let m = p.fit(data, &job).unwrap();
            let start = m.split_farthest(data);
            assert_eq!(start.len(), (k + 1) * 2);
            let grown = KMeansParams { k: k + 1, ..p }
                .fit_from(data, start, &job)
                .unwrap();
            assert!(
                grown.inertia <= m.inertia,
                "seed {seed} k {k}: {} > {}",
                grown.inertia,
                m.inertia
            );
        }
    }
}

/// With stability on, every k has a stability and a seed ARI, the true k's blobs come back in
/// every resample, and the rule reports the chosen k's stability; the other columns are the same
/// as without it.
#[test]
fn stability_per_k() {
    let x = four_blobs(100);
    let x = Matrix::trusted(&x, 2);
    let job = JobControl::new();
    let off = sweep(x, &params(2, 6, 0), &job).unwrap();
    let on = sweep(
        x,
        &SweepParams {
            stability_resamples: 10,
            ..params(2, 6, 0)
        },
        &job,
    )
    .unwrap();
    assert_eq!(on.recommended_k, 4);
    for (a, b) in on.rows.iter().zip(&off.rows) {
        assert_eq!((a.inertia, a.silhouette), (b.inertia, b.silhouette));
        assert!(a.stability.is_some() && a.seed_ari.is_some(), "k={}", a.k);
        assert_eq!((b.stability, b.seed_ari), (None, None));
    }
    let k4 = &on.rows[2];
    assert!(k4.stability.unwrap() >= 0.9, "{k4:?}");
    assert!(k4.seed_ari.unwrap() > 0.99, "{k4:?}");
    assert!(
        on.rule.contains("k=4 is stable: mean clusterboot Jaccard"),
        "{}",
        on.rule
    );
    assert!(!off.rule.contains("clusterboot"));
    assert_eq!(on.stability_sample, None);
    assert_eq!(job.progress(), 1.0);
}
