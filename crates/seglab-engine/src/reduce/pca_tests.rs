use super::*;

crate::matrix::fit_raw!(PcaParams => PcaModel, PcaError);

/// Fixed 10 × 4 dataset; the same literal is `X` in the Python below.
const X: [f64; 40] = [
    2.5, 2.4, 0.5, 1.0, 0.5, 0.7, 1.9, 3.1, 2.2, 2.9, 0.8, 0.2, //
    1.9, 2.2, 1.1, 1.7, 3.1, 3.0, 0.3, 0.9, 2.3, 2.7, 1.6, 2.2, //
    2.0, 1.6, 0.9, 1.3, 1.0, 1.1, 2.8, 2.5, 1.5, 1.6, 2.1, 0.4, //
    1.1, 0.9, 1.4, 2.9,
];

// Reference values from scikit-learn 1.9.1:
//   import numpy as np; from sklearn.decomposition import PCA
//   X = np.array(<the 10 x 4 literal above>)
//   p = PCA().fit(X); np.set_printoptions(precision=17)
//   print(repr(p.explained_variance_ratio_)); print(repr(p.explained_variance_))
//   print(repr(p.components_)); print(repr(p.transform(X)[:2]))
const SK_RATIO: [f64; 4] = [
    0.7730673719145474,
    0.1464862773164752,
    0.06811692879667575,
    0.01232942197230161,
];
const SK_VAR: [f64; 4] = [
    2.3087227580354654,
    0.4374731290791352,
    0.20342742357744992,
    0.03682113375239136,
];
#[allow(clippy::excessive_precision)] // verbatim NumPy output
const SK_COMPONENTS: [f64; 16] = [
    -4.8628659995573636e-01,
    -5.1509413021647932e-01,
    4.0394375916527769e-01,
    5.7882019587385070e-01,
    2.8746887163228441e-01,
    1.9328401778484841e-01,
    -5.2318950444742351e-01,
    7.7863706484309336e-01,
    2.3725229151140373e-01,
    6.0993594252105621e-01,
    7.1623881187567784e-01,
    2.4226320512297317e-01,
    7.9031534258075664e-01,
    -5.7034855264691076e-01,
    2.2383955466003114e-01,
    2.0382500843485474e-04,
];
const SK_SCORES_2ROWS: [f64; 8] = [
    -1.2861151569161542,
    0.24978689367396978,
    -0.2892710961736271,
    0.07769519816407999,
    2.343161738529809,
    0.2489388501192622,
    -0.28917971409803744,
    -0.21953953845592833,
];

fn assert_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol, "index {i}: got {g}, want {w}");
    }
}

#[test]
fn matches_scikit_learn() {
    let m = PcaParams {
        keep: Keep::Count(4),
    }
    .fit_raw(&X, 4)
    .unwrap();
    assert_close(&m.explained_variance_ratio, &SK_RATIO, 1e-6);
    assert_close(&m.explained_variance, &SK_VAR, 1e-6);
    assert_close(&m.components, &SK_COMPONENTS, 1e-6);
    assert_close(&m.transform(&X)[..8], &SK_SCORES_2ROWS, 1e-6);
}

#[test]
fn variance_fraction_picks_fewest_components() {
    // Cumulative ratios from above: 0.773, 0.920, 0.988, 1.0.
    let fit = |f| {
        PcaParams {
            keep: Keep::Variance(f),
        }
        .fit_raw(&X, 4)
        .unwrap()
    };
    assert_eq!(fit(0.5).n_kept, 1);
    assert_eq!(fit(0.9).n_kept, 2);
    assert_eq!(fit(0.95).n_kept, 3);
    assert_eq!(fit(1.0).n_kept, 4);
    let m = fit(0.9);
    // Scree data stays complete even when fewer components are kept.
    assert_eq!(m.explained_variance_ratio.len(), 4);
    assert_eq!(m.components.len(), 8);
    assert_eq!(m.transform(&X).len(), 20);
    // Loadings: component scaled by its standard deviation.
    let l = m.loadings();
    assert!((l[3] - SK_COMPONENTS[3] * SK_VAR[0].sqrt()).abs() < 1e-9);
}

#[test]
fn recovers_a_known_axis_on_large_data() {
    // Points along the unit direction (3, 4) / 5 with small orthogonal noise:
    // the first component must be that direction, with the analytic variances.
    let mut rng = crate::rng::Rng::new(1);
    let n = 200_000;
    let mut data = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let t = rng.normal(0.0, 3.0);
        let e = rng.normal(0.0, 0.1);
        data.push(10.0 + 0.6 * t - 0.8 * e);
        data.push(-5.0 + 0.8 * t + 0.6 * e);
    }
    let m = PcaParams {
        keep: Keep::Count(1),
    }
    .fit_raw(&data, 2)
    .unwrap();
    assert!((m.components[0] - 0.6).abs() < 1e-3, "{:?}", m.components);
    assert!((m.components[1] - 0.8).abs() < 1e-3, "{:?}", m.components);
    assert!((m.explained_variance[0] - 9.0).abs() < 0.1);
    assert!((m.explained_variance[1] - 0.01).abs() < 0.001);
    assert!((m.mean[0] - 10.0).abs() < 0.05 && (m.mean[1] + 5.0).abs() < 0.05);
}

#[test]
fn jacobi_diagonalises_exactly_known_matrix() {
    // [[2,1],[1,2]] has eigenvalues 3 and 1.
    let (vals, vecs) = jacobi_eigen(vec![2.0, 1.0, 1.0, 2.0], 2);
    let mut v = vals.clone();
    v.sort_by(f64::total_cmp);
    assert!((v[0] - 1.0).abs() < 1e-14 && (v[1] - 3.0).abs() < 1e-14);
    let norm: f64 = vecs.iter().map(|x| x * x).sum();
    assert!((norm - 2.0).abs() < 1e-14);
}

#[test]
fn rejects_bad_input() {
    let p = PcaParams::default();
    assert_eq!(
        p.fit_raw(&[1.0, 2.0, 3.0], 2),
        Err(PcaError::Matrix(crate::matrix::MatrixError::Shape {
            len: 3,
            n_cols: 2
        }))
    );
    assert_eq!(p.fit_raw(&[1.0, 2.0], 2), Err(PcaError::TooFewRows(1)));
    assert_eq!(
        p.fit_raw(&[1.0, 2.0, f64::NAN, 1.0], 2),
        Err(PcaError::Matrix(crate::matrix::MatrixError::NonFinite {
            row: 1,
            col: 0
        }))
    );
    let c = PcaParams {
        keep: Keep::Count(3),
    };
    assert!(c.fit_raw(&X, 4).is_ok());
    assert!(matches!(c.fit_raw(&X, 2), Err(PcaError::BadCount { .. })));
    let f = PcaParams {
        keep: Keep::Variance(1.5),
    };
    assert_eq!(f.check(), Err(PcaError::BadFraction(1.5)));
}

/// Rows of seeded noise plus a strong shared direction, so the spectrum is not flat.
fn wide(n_rows: usize, n_cols: usize) -> Vec<f64> {
    let mut rng = crate::rng::Rng::new(5);
    (0..n_rows)
        .flat_map(|r| {
            let t = r as f64 - n_rows as f64 / 2.0;
            (0..n_cols)
                .map(|c| t * (c % 3) as f64 + rng.normal(0.0, 1.0))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn wide_data_goes_through_the_gram_matrix_and_agrees_with_the_covariance() {
    let (n, d) = (6, 10);
    let x = wide(n, d);
    // Six components of six rows: five with variance, the sixth without.
    let m = PcaParams {
        keep: Keep::Count(6),
    }
    .fit_raw(&x, d)
    .unwrap();
    // The same numbers from the covariance route (fine at this size).
    let mean = column_means(Matrix::trusted(&x, d));
    let cov = Eigen::of_covariance(Matrix::trusted(&x, d), &mean);
    let want_var = cov.variances(d);
    assert_eq!(m.explained_variance.len(), d);
    assert_close(&m.explained_variance, &want_var, 1e-9);
    // n rows span at most n - 1 centred directions.
    assert!(m.explained_variance[n - 1..].iter().all(|v| v.abs() < 1e-9));
    let mut want = Vec::new();
    for i in 0..n - 1 {
        let mut v = cov.component(i, Matrix::trusted(&x, d), &mean, &want);
        let big = (0..d)
            .max_by(|&a, &b| v[a].abs().total_cmp(&v[b].abs()))
            .unwrap();
        if v[big] < 0.0 {
            v.iter_mut().for_each(|x| *x = -*x);
        }
        want.extend(v);
    }
    assert_close(&m.components[..(n - 1) * d], &want, 1e-7);
    // The sixth component has no variance: scores along it are zero, and it is still a unit
    // vector orthogonal to the others.
    let scores = m.transform(&x);
    assert!(scores.chunks(n).all(|s| s[n - 1].abs() < 1e-7));
    for a in 0..n {
        for b in 0..n {
            let dot: f64 = (0..d)
                .map(|j| m.components[a * d + j] * m.components[b * d + j])
                .sum();
            assert!(
                (dot - (a == b) as u8 as f64).abs() < 1e-9,
                "{a}·{b} = {dot}"
            );
        }
    }
}

#[test]
fn very_wide_data_is_cheap_and_oversized_data_is_refused() {
    // 20 rows × 100,000 columns: a covariance would be 80 GB; the Gram matrix is 20 × 20.
    let x = wide(20, 100_000);
    let m = PcaParams {
        keep: Keep::Count(2),
    }
    .fit_raw(&x, 100_000)
    .unwrap();
    assert_eq!(m.components.len(), 200_000);
    assert!(m.explained_variance_ratio[0] > 0.5);
    assert_eq!(
        PcaParams {
            keep: Keep::Count(21)
        }
        .fit_raw(&x, 100_000),
        Err(PcaError::CountBeyondRows {
            count: 21,
            n_rows: 20
        })
    );
    let n = MAX_PCA_DIM + 1;
    let big = vec![0.0; n * n];
    assert_eq!(
        PcaParams::default().fit_raw(&big, n),
        Err(PcaError::TooLarge {
            n_rows: n,
            n_cols: n
        })
    );
}
