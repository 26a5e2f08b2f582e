use super::*;

crate::matrix::fit_raw!(DbscanParams => DbscanResult, DbscanError, job: &JobControl);

// Reference values from scikit-learn 1.9.1:
//   import numpy as np; from sklearn.cluster import DBSCAN
//   rng = np.random.default_rng(7)
//   a = rng.normal([0, 0], 0.35, (12, 2)); b = rng.normal([2.2, 0.4], 0.35, (12, 2))
//   noise = rng.uniform(-2, 4, (8, 2))
//   X = np.round(np.vstack([a, b, noise]), 2); X = X[rng.permutation(len(X))]
//   print(X.tolist())
//   for eps, ms in [(0.5, 4), (0.8, 5)]:
//       m = DBSCAN(eps=eps, min_samples=ms).fit(X)
//       print(m.labels_.tolist(), sorted(m.core_sample_indices_.tolist()))
const X: [f64; 64] = [
    2.68, -0.14, 1.54, 1.63, -0.47, -0.16, -0.44, 0.09, -1.1, 2.9, 0.04, -0.33, 1.59,
    -1.64, //
    0.17, 0.12, -1.1, 0.64, -0.17, -0.22, 0.0, 0.1, 1.32, 0.21, -0.16, -0.35, 2.18, 0.44, //
    1.66, 0.23, 2.19, 0.71, 2.0, 0.36, 2.24, 0.42, 0.33, -0.06, 2.57, 0.12, 1.83, 2.06, //
    2.5, 0.44, 2.25, 0.33, -0.64, -0.08, 0.28, 3.87, -0.1, -0.31, 3.23, 0.17, -0.67, -0.45, //
    0.02, 0.47, -0.01, 0.24, 1.77, 0.43, 1.86, 0.12,
];
const SK_LABELS_05_4: [i32; 32] = [
    1, -1, 0, 0, -1, 0, -1, 0, -1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, -1, 1, 1, 0, -1, 0, -1, 0, 0,
    0, 1, 1,
];
const SK_CORE_05_4: [usize; 22] = [
    2, 3, 5, 7, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 25, 28, 29, 30, 31,
];
const SK_LABELS_08_5: [i32; 32] = [
    0, -1, 1, 1, -1, 1, -1, 1, -1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, -1, 0, 0, 1, -1, 1, 0, 1, 1, 1,
    0, 0,
];
const SK_CORE_08_5: [usize; 25] = [
    0, 2, 3, 5, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 25, 27, 28, 29, 30, 31,
];

fn sk(labels: &[i32]) -> Vec<Option<usize>> {
    labels
        .iter()
        .map(|&l| (l >= 0).then_some(l as usize))
        .collect()
}

fn run(eps: f64, min_points: usize, data: &[f64], d: usize) -> DbscanResult {
    DbscanParams { eps, min_points }
        .fit(Matrix::new(data, d).unwrap(), &JobControl::new())
        .unwrap()
}

#[test]
fn matches_scikit_learn() {
    for (eps, min, labels, core) in [
        (0.5, 4, &SK_LABELS_05_4, &SK_CORE_05_4[..]),
        (0.8, 5, &SK_LABELS_08_5, &SK_CORE_08_5[..]),
    ] {
        let r = run(eps, min, &X, 2);
        // Numbering by first core row reproduces scikit-learn's labels exactly
        // (a stronger check than equality up to renaming).
        assert_eq!(r.labels, sk(labels), "eps {eps}");
        let got_core: Vec<usize> = (0..32).filter(|&i| r.core[i]).collect();
        assert_eq!(got_core, core, "eps {eps}");
        assert_eq!(r.n_clusters, 2);
        assert_eq!(r.n_noise, labels.iter().filter(|&&l| l < 0).count());
    }
}

#[test]
fn hand_case_border_point_between_two_clusters() {
    // 1-D, eps 0.27, min 4: {0.75..1.0} and {0..0.25} are all core; 0.5 has
    // only 3 points within eps (0.25, itself, 0.75), so it is a border point
    // reachable from both clusters and goes to the earlier one (first core row);
    // 2.0 is noise.
    let data = [0.8, 0.9, 1.0, 0.75, 0.5, 0.0, 0.1, 0.2, 0.25, 2.0];
    let r = run(0.27, 4, &data, 1);
    let s = |l| Some(l);
    assert_eq!(
        r.labels,
        vec![s(0), s(0), s(0), s(0), s(0), s(1), s(1), s(1), s(1), None]
    );
    assert_eq!(
        r.core,
        vec![true, true, true, true, false, true, true, true, true, false]
    );
    // min_points 1: every point is core, so 0.5 now chains both groups into
    // one cluster and the isolated 2.0 forms its own.
    let r = run(0.27, 1, &data, 1);
    assert_eq!(
        r.labels,
        vec![s(0), s(0), s(0), s(0), s(0), s(0), s(0), s(0), s(0), s(1)]
    );
    assert_eq!(r.n_noise, 0);
}

#[test]
fn large_grid_matches_brute_force() {
    // Seeded 3-D data, big enough for a multi-level tree and several chunks of
    // rayon work; compare core flags with an O(n²) count.
    let mut rng = Rng::new(5);
    let n = 3000;
    let data: Vec<f64> = (0..n * 3).map(|_| rng.normal(0.0, 1.0)).collect();
    let (eps, min) = (0.3, 6);
    let r = run(eps, min, &data, 3);
    for i in 0..n {
        let count = (0..n)
            .filter(|&j| {
                let s: f64 = (0..3)
                    .map(|k| (data[i * 3 + k] - data[j * 3 + k]).powi(2))
                    .sum();
                s <= eps * eps
            })
            .count();
        assert_eq!(r.core[i], count >= min, "row {i}");
    }
    assert!(r.n_clusters > 1 && r.n_noise > 0);
}

#[test]
fn k_distance_curve() {
    let data = [0.0, 1.0, 3.0, 7.0];
    // k counts the row itself: k = 2 is the nearest other row.
    assert_eq!(
        k_distance(Matrix::trusted(&data, 1), 2, None).unwrap(),
        vec![4.0, 2.0, 1.0, 1.0]
    );
    assert_eq!(
        k_distance(Matrix::trusted(&data, 1), 1, None).unwrap(),
        vec![0.0; 4]
    );
    assert_eq!(
        k_distance(Matrix::trusted(&data, 1), 4, None).unwrap(),
        vec![7.0, 7.0, 6.0, 4.0]
    );
    let s = k_distance(Matrix::trusted(&data, 1), 2, Some((2, 9))).unwrap();
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|v| [4.0, 2.0, 1.0].contains(v)));
    assert_eq!(
        k_distance(Matrix::trusted(&data, 1), 0, None),
        Err(DbscanError::ZeroK)
    );
    assert_eq!(
        k_distance(Matrix::trusted(&data, 1), 5, None),
        Err(DbscanError::KTooLarge { k: 5, n: 4 })
    );
    // Consistency with fit: core exactly when k-distance (k = min_points) ≤ eps.
    let mut rng = Rng::new(8);
    let pts: Vec<f64> = (0..400).map(|_| rng.normal(0.0, 1.0)).collect();
    let kd = k_distance(Matrix::trusted(&pts, 2), 5, None).unwrap();
    let r = run(0.25, 5, &pts, 2);
    let n_core = r.core.iter().filter(|&&c| c).count();
    assert_eq!(n_core, kd.iter().filter(|&&v| v <= 0.25).count());
}

#[test]
fn validation() {
    let p = |eps, min_points| DbscanParams { eps, min_points }.check();
    assert_eq!(p(0.0, 3), Err(DbscanError::BadEps(0.0)));
    assert!(p(f64::NAN, 3).is_err());
    assert_eq!(p(1.0, 0), Err(DbscanError::ZeroMinPoints));
    assert!(p(1.0, 1).is_ok());
    let job = JobControl::new();
    let d = DbscanParams::default();
    assert!(matches!(
        d.fit_raw(&[1.0; 3], 2, &job),
        Err(DbscanError::Matrix(
            crate::matrix::MatrixError::Shape { .. }
        ))
    ));
    assert_eq!(d.fit_raw(&[], 2, &job).unwrap().labels, vec![]);
    job.cancel();
    assert_eq!(
        d.fit_raw(&X, 2, &job),
        Err(DbscanError::Cancelled(Cancelled))
    );
}
