use super::*;

crate::matrix::fit_raw!(TsneParams => TsneResult, TsneError, job: &JobControl);

/// Three Gaussian blobs in 5-D, `per` rows each, far apart relative to their
/// spread; the blob of row r is r / per.
fn blobs(per: usize) -> Vec<f64> {
    let mut rng = Rng::new(21);
    let mut v = Vec::new();
    for b in 0..3 {
        for _ in 0..per {
            for k in 0..5 {
                let centre = if k == b { 10.0 } else { 0.0 };
                v.push(rng.normal(centre, 1.0));
            }
        }
    }
    v
}

/// Fraction of embedded points whose nearest other point (in 2-D) has the same label.
fn nn_agreement(y: &[f64], labels: &[usize]) -> f64 {
    let n = labels.len();
    let hits = (0..n)
        .filter(|&i| {
            let nearest = (0..n)
                .filter(|&j| j != i)
                .min_by(|&a, &b| {
                    let da = (y[2 * i] - y[2 * a]).powi(2) + (y[2 * i + 1] - y[2 * a + 1]).powi(2);
                    let db = (y[2 * i] - y[2 * b]).powi(2) + (y[2 * i + 1] - y[2 * b + 1]).powi(2);
                    da.total_cmp(&db)
                })
                .unwrap();
            labels[nearest] == labels[i]
        })
        .count();
    hits as f64 / n as f64
}

fn quick() -> TsneParams {
    TsneParams {
        perplexity: 15.0,
        iterations: 400,
        ..Default::default()
    }
}

#[test]
fn separated_blobs_stay_separated() {
    let data = blobs(60);
    let r = quick().fit_raw(&data, 5, &JobControl::new()).unwrap();
    assert_eq!(r.rows, (0..180).collect::<Vec<_>>());
    assert_eq!(r.embedding.len(), 360);
    assert!(r.embedding.iter().all(|v| v.is_finite()));
    let labels: Vec<usize> = (0..180).map(|i| i / 60).collect();
    let agree = nn_agreement(&r.embedding, &labels);
    assert!(agree > 0.95, "agreement {agree}");
    // Stronger: every blob's 2-D centroid is farther from the others than the
    // blob's own mean radius.
    let centroid = |b: usize| {
        let s = (b * 60..(b + 1) * 60).fold([0.0, 0.0], |a, i| {
            [a[0] + r.embedding[2 * i], a[1] + r.embedding[2 * i + 1]]
        });
        [s[0] / 60.0, s[1] / 60.0]
    };
    for b in 0..3 {
        let c = centroid(b);
        let radius = (b * 60..(b + 1) * 60)
            .map(|i| {
                ((r.embedding[2 * i] - c[0]).powi(2) + (r.embedding[2 * i + 1] - c[1]).powi(2))
                    .sqrt()
            })
            .sum::<f64>()
            / 60.0;
        for o in (0..3).filter(|&o| o != b) {
            let co = centroid(o);
            let gap = ((c[0] - co[0]).powi(2) + (c[1] - co[1]).powi(2)).sqrt();
            assert!(
                gap > 2.0 * radius,
                "blob {b} vs {o}: gap {gap}, radius {radius}"
            );
        }
    }
}

#[test]
fn deterministic_for_a_seed_and_sampled_when_large() {
    let data = blobs(40);
    let params = TsneParams {
        perplexity: 10.0,
        iterations: 150,
        max_points: 90,
        ..Default::default()
    };
    let a = params.fit_raw(&data, 5, &JobControl::new()).unwrap();
    let b = params.fit_raw(&data, 5, &JobControl::new()).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.rows.len(), 90);
    assert!(a.was_sampled(120));
    assert!(a.rows.windows(2).all(|w| w[0] < w[1]));
    let other = TsneParams { seed: 7, ..params }
        .fit_raw(&data, 5, &JobControl::new())
        .unwrap();
    assert_ne!(a.embedding, other.embedding);
}

#[test]
fn joint_probabilities_are_symmetric_with_the_requested_perplexity() {
    let data = blobs(20);
    let n = 60;
    let p = joint_probabilities(Matrix::trusted(&data, 5), 8.0);
    let total: f64 = p.iter().sum();
    assert!((total - 1.0).abs() < 1e-12);
    for i in 0..n {
        assert_eq!(p[i * n + i], 0.0);
        for j in 0..n {
            assert_eq!(p[i * n + j], p[j * n + i]);
        }
    }
    // Each conditional row has entropy ln(perplexity), recomputed here.
    let c = conditional_probabilities(Matrix::trusted(&data, 5), 8.0);
    for row in c.chunks(n) {
        let h: f64 = row.iter().filter(|&&v| v > 0.0).map(|v| -v * v.ln()).sum();
        assert!((h - 8f64.ln()).abs() < 1e-4, "entropy {h}");
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    // Two points: each is the other's only neighbour.
    assert_eq!(
        joint_probabilities(Matrix::trusted(&[0.0, 1.0], 1), 1.0),
        vec![0.0, 0.5, 0.5, 0.0]
    );
}

#[test]
fn validation_and_cancellation() {
    let bad = TsneParams {
        perplexity: 0.0,
        ..Default::default()
    };
    assert_eq!(bad.check(), Err(TsneError::BadPerplexity(0.0)));
    let bad = TsneParams {
        learning_rate: Some(-1.0),
        ..Default::default()
    };
    assert!(bad.check().is_err());
    let job = JobControl::new();
    let p = TsneParams::default();
    assert!(matches!(
        p.fit_raw(&[0.0; 20], 2, &job),
        Err(TsneError::TooFewRows { n: 10, .. })
    ));
    job.cancel();
    assert_eq!(
        quick().fit_raw(&blobs(20), 5, &job),
        Err(TsneError::Cancelled(Cancelled))
    );
}
