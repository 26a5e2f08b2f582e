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
    };
    let s = serde_json::to_string(&row).unwrap();
    assert_eq!(
        s,
        r#"{"k":3,"inertia":1.5,"silhouette":0.5,"davies_bouldin":null,"calinski_harabasz":2.0,"dunn":null}"#
    );
}
