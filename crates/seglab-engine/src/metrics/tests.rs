use super::*;

// Reference values from scikit-learn 1.9.1 (numpy 2.4.6) on exactly the data built below, via
// /work/main/benches/.venv/bin/python:
//   def lcg(n, s=12345):
//       out = []
//       for _ in range(n):
//           s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
//           out.append((s >> 11) / 2.0**53)
//       return out
//   u = lcg(400)
//   X = np.array([[4.0 * (i % 3) + 2.0 * u[2*i] - 1.0, 3.0 * (i % 3 == 1) + 2.0 * u[2*i+1] - 1.0]
//                 for i in range(200)])
//   t = np.array([i % 3 for i in range(200)])
//   p = np.array([(i % 3 + 1) % 3 if i % 17 == 0 else i % 3 for i in range(200)])
//   for lab in (t, p): print(repr(M.silhouette_score(X, lab)), repr(M.davies_bouldin_score(X, lab)),
//                           repr(M.calinski_harabasz_score(X, lab)))
//   print(repr(M.adjusted_rand_score(t, p)))
//   H = np.array([[0, 0], [0, 1], [4, 0], [4, 1]], float); h = [0, 0, 1, 1]   # same 3 scores
//   M.silhouette_samples(np.array([[0.], [1.], [10.]]), [0, 0, 1])
//   M.adjusted_rand_score([0,0,1,2],[0,0,1,1]); M.adjusted_rand_score([0,1,2,0,1,2],[0,0,1,1,2,2])
// (`M` is sklearn.metrics.)
const SK_TRUE: [f64; 3] = [0.7789119272467038, 0.3169921948931058, 1778.907767511314];
const SK_PERTURBED: [f64; 3] = [0.622982551661621, 0.5172246023915348, 342.7381940529055];
const SK_ARI_TRUE_PERTURBED: f64 = 0.8290866362568156;

/// Same LCG as the Python script above.
fn lcg_unit(n: usize) -> Vec<f64> {
    let mut s: u64 = 12345;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

fn blobs() -> (Vec<f64>, Vec<usize>, Vec<usize>) {
    let u = lcg_unit(400);
    let mut x = Vec::new();
    for i in 0..200 {
        let c = i % 3;
        x.push(4.0 * c as f64 + 2.0 * u[2 * i] - 1.0);
        x.push(if c == 1 { 3.0 } else { 0.0 } + 2.0 * u[2 * i + 1] - 1.0);
    }
    let t: Vec<usize> = (0..200).map(|i| i % 3).collect();
    let p: Vec<usize> = (0..200)
        .map(|i| if i % 17 == 0 { (i % 3 + 1) % 3 } else { i % 3 })
        .collect();
    (x, t, p)
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-6 * b.abs().max(1e-12), "{a} vs {b}");
}

#[test]
fn blobs_match_scikit_learn() {
    let (x, t, p) = blobs();
    for (lab, sk) in [(&t, SK_TRUE), (&p, SK_PERTURBED)] {
        close(
            silhouette_score(Matrix::trusted(&x, 2), lab).unwrap(),
            sk[0],
        );
        close(davies_bouldin(Matrix::trusted(&x, 2), lab).unwrap(), sk[1]);
        close(
            calinski_harabasz(Matrix::trusted(&x, 2), lab).unwrap(),
            sk[2],
        );
    }
    close(adjusted_rand_index(&t, &p).unwrap(), SK_ARI_TRUE_PERTURBED);
    close(adjusted_rand_index(&p, &t).unwrap(), SK_ARI_TRUE_PERTURBED);
}

#[test]
fn hand_computed_case() {
    // Two vertical pairs 4 apart. Silhouette of every row: a = 1, b = (4 + √17) / 2.
    // DB: spreads 0.5, centroid distance 4 → 0.25. CH: B = 16, W = 1 → 16·2 / 1 = 32.
    // Dunn: closest rows of different clusters 4 apart, largest diameter 1 → 4.
    // scikit-learn gives 0.7537887487646789, 0.25, 32.0.
    let h = [0.0, 0.0, 0.0, 1.0, 4.0, 0.0, 4.0, 1.0];
    let l = [0, 0, 1, 1];
    let s = 1.0 - 2.0 / (4.0 + 17f64.sqrt());
    close(s, 0.7537887487646789);
    close(silhouette_score(Matrix::trusted(&h, 2), &l).unwrap(), s);
    close(davies_bouldin(Matrix::trusted(&h, 2), &l).unwrap(), 0.25);
    close(calinski_harabasz(Matrix::trusted(&h, 2), &l).unwrap(), 32.0);
    close(dunn(Matrix::trusted(&h, 2), &l).unwrap(), 4.0);
    close(inertia(Matrix::trusted(&h, 2), &l).unwrap(), 1.0);
}

#[test]
fn dunn_hand_computed_uneven() {
    // 1-D: {0, 1, 3} and {7, 8}. Closest cross pair 3–7 = 4; largest diameter 0–3 = 3.
    let x = [0.0, 1.0, 3.0, 7.0, 8.0];
    close(
        dunn(Matrix::trusted(&x, 1), &[0, 0, 0, 1, 1]).unwrap(),
        4.0 / 3.0,
    );
    // Singletons only: every diameter is 0, the index is undefined.
    assert_eq!(
        dunn(Matrix::trusted(&[0.0, 1.0], 1), &[0, 1]),
        Err(MetricError::ZeroDiameter)
    );
}

#[test]
fn singleton_cluster_scores_zero() {
    // scikit-learn: silhouette_samples([[0],[1],[10]], [0,0,1]) == [0.9, 0.888..., 0.0]
    let s = silhouette_samples(Matrix::trusted(&[0.0, 1.0, 10.0], 1), &[0, 0, 1]).unwrap();
    close(s[0], 0.9);
    close(s[1], 8.0 / 9.0);
    assert_eq!(s[2], 0.0);
}

#[test]
fn degenerate_inputs_are_errors() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let one = ClusterCount {
        n_clusters: 1,
        n_rows: 4,
    };
    use MetricError::ClusterCount;
    assert_eq!(
        silhouette_score(Matrix::trusted(&x, 1), &[0; 4]),
        Err(one.clone())
    );
    assert_eq!(
        davies_bouldin(Matrix::trusted(&x, 1), &[0; 4]),
        Err(one.clone())
    );
    assert_eq!(calinski_harabasz(Matrix::trusted(&x, 1), &[0; 4]), Err(one));
    // As many clusters as rows.
    assert!(matches!(
        silhouette_score(Matrix::trusted(&x, 1), &[0, 1, 2, 3]),
        Err(ClusterCount { .. })
    ));
    assert!(matches!(
        silhouette_score(Matrix::trusted(&x, 1), &[0, 1]),
        Err(MetricError::Shape { .. })
    ));
    assert!(matches!(
        adjusted_rand_index(&[0], &[0, 1]),
        Err(MetricError::LengthMismatch(1, 2))
    ));
    // Unused label ids are ignored: labels {0, 2} are two clusters.
    close(
        silhouette_score(Matrix::trusted(&x, 1), &[0, 0, 2, 2]).unwrap(),
        silhouette_score(Matrix::trusted(&x, 1), &[0, 0, 1, 1]).unwrap(),
    );
}

#[test]
fn ari_small_cases() {
    // scikit-learn: 1.0, 0.5714285714285714, 0.0, -0.25
    assert_eq!(
        adjusted_rand_index(&[0, 0, 1, 1], &[1, 1, 0, 0]).unwrap(),
        1.0
    );
    close(
        adjusted_rand_index(&[0, 0, 1, 2], &[0, 0, 1, 1]).unwrap(),
        0.5714285714285714,
    );
    assert_eq!(
        adjusted_rand_index(&[0, 0, 0, 0], &[0, 1, 2, 3]).unwrap(),
        0.0
    );
    close(
        adjusted_rand_index(&[0, 1, 2, 0, 1, 2], &[0, 0, 1, 1, 2, 2]).unwrap(),
        -0.25,
    );
}

#[test]
fn sampled_silhouette_reports_size_and_full_sample_is_exact() {
    let (x, t, _) = blobs();
    let exact = silhouette_score(Matrix::trusted(&x, 2), &t).unwrap();
    let all = silhouette_score_sampled(Matrix::trusted(&x, 2), &t, Some((500, 1))).unwrap();
    assert_eq!(
        all,
        SampledScore {
            score: exact,
            sample_size: 200
        }
    );
    let s = silhouette_score_sampled(Matrix::trusted(&x, 2), &t, Some((60, 7))).unwrap();
    assert_eq!(s.sample_size, 60);
    assert_ne!(s.score, exact);
    assert!((s.score - exact).abs() < 0.1);
    assert_eq!(
        s,
        silhouette_score_sampled(Matrix::trusted(&x, 2), &t, Some((60, 7))).unwrap()
    );
}

#[test]
fn pairwise_kernel_agrees_with_naive_across_blocks() {
    // 75 rows: two full blocks and a partial one, 3 columns.
    let u = lcg_unit(225);
    let x: Vec<f64> = u
        .iter()
        .enumerate()
        .map(|(i, v)| v + (i / 75) as f64)
        .collect();
    let l: Vec<usize> = (0..75).map(|i| (i * 7) % 4).collect();
    let dist = |i: usize, j: usize| sqdist(&x[i * 3..i * 3 + 3], &x[j * 3..j * 3 + 3]).sqrt();
    let got = silhouette_samples(Matrix::trusted(&x, 3), &l).unwrap();
    for i in 0..75 {
        let mean_to = |c: usize| {
            let (s, n) = (0..75)
                .filter(|&j| l[j] == c && j != i)
                .fold((0.0, 0), |(s, n), j| (s + dist(i, j), n + 1));
            s / n as f64
        };
        let a = mean_to(l[i]);
        let b = (0..4)
            .filter(|&c| c != l[i])
            .map(mean_to)
            .fold(f64::INFINITY, f64::min);
        close(got[i], (b - a) / a.max(b));
    }
}

#[test]
fn silhouette_kernels_agree_and_do_not_depend_on_threads() {
    // 1000 rows in 4 columns, clusters of very different sizes (one singleton, unused ids 3
    // and 8), so blocks of the sorted rows hold several clusters.
    let (n, d) = (1000, 4);
    let u = lcg_unit(n * d);
    let l: Vec<usize> = (0..n)
        .map(|i| match i % 97 {
            0 if i == 0 => 9,
            0..=2 => 5,
            3..=40 => 0,
            41..=80 => 1,
            _ => 2 + 5 * (i % 2),
        })
        .collect();
    let x: Vec<f64> = (0..n * d).map(|e| u[e] + 0.7 * l[e / d] as f64).collect();
    let c = check_labelled(Matrix::trusted(&x, d), &l).unwrap();
    let fast = silhouette_samples(Matrix::trusted(&x, d), &l).unwrap();
    assert_eq!(
        fast,
        silhouette::samples(Matrix::trusted(&x, d), &l, &c, true)
    );
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(
        fast,
        one.install(|| silhouette_samples(Matrix::trusted(&x, d), &l).unwrap())
    );
    let dist = |i: usize, j: usize| sqdist(&x[i * d..(i + 1) * d], &x[j * d..(j + 1) * d]).sqrt();
    for i in (0..n).step_by(7) {
        let mean_to = |c: usize| {
            let (s, m) = (0..n)
                .filter(|&j| l[j] == c && j != i)
                .fold((0.0, 0), |(s, m), j| (s + dist(i, j), m + 1));
            s / m as f64
        };
        if i == 0 {
            assert_eq!(fast[i], 0.0);
            continue;
        }
        let a = mean_to(l[i]);
        let b = [0, 1, 2, 5, 7, 9]
            .into_iter()
            .filter(|&c| c != l[i])
            .map(mean_to)
            .fold(f64::INFINITY, f64::min);
        let want = (b - a) / a.max(b);
        assert!(
            (fast[i] - want).abs() <= 1e-12,
            "{i}: {} vs {want}",
            fast[i]
        );
    }
}
