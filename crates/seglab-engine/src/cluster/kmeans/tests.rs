use super::*;

crate::matrix::fit_raw!(KMeansParams => KMeansModel, KMeansError, job: &JobControl);

fn params(k: usize) -> KMeansParams {
    KMeansParams {
        k,
        ..Default::default()
    }
}

/// Three tight, well separated 2-D blobs of `per` rows each (deterministic jitter).
fn blobs(per: usize) -> (Vec<f64>, Vec<usize>) {
    let centers = [(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)];
    let mut rng = Rng::new(5);
    let (mut x, mut truth) = (Vec::new(), Vec::new());
    for i in 0..3 * per {
        let (cx, cy) = centers[i % 3];
        x.push(cx + rng.normal(0.0, 0.5));
        x.push(cy + rng.normal(0.0, 0.5));
        truth.push(i % 3);
    }
    (x, truth)
}

#[test]
fn validation_errors() {
    let job = JobControl::new();
    let x = [0.0, 1.0, 2.0];
    assert_eq!(params(1).validate(3), Err(KMeansError::KTooSmall(1)));
    assert_eq!(
        params(4).fit_raw(&x, 1, &job),
        Err(KMeansError::KTooLarge { k: 4, n_rows: 3 })
    );
    let p = KMeansParams {
        n_init: 0,
        ..params(2)
    };
    assert_eq!(p.validate(3), Err(KMeansError::ZeroNInit));
    let p = KMeansParams {
        max_iter: 0,
        ..params(2)
    };
    assert_eq!(p.validate(3), Err(KMeansError::ZeroMaxIter));
    let p = KMeansParams {
        tol: -1.0,
        ..params(2)
    };
    assert_eq!(p.validate(3), Err(KMeansError::BadTol(-1.0)));
    assert!(matches!(
        KMeansParams {
            tol: f64::NAN,
            ..params(2)
        }
        .validate(3),
        Err(KMeansError::BadTol(_))
    ));
    assert_eq!(params(2).fit_raw(&[], 1, &job), Err(KMeansError::EmptyData));
    assert_eq!(
        params(2).fit_raw(&x, 2, &job),
        Err(KMeansError::Shape { len: 3, n_cols: 2 })
    );
    let bad = [0.0, 1.0, 2.0, f64::NAN, 4.0, 5.0];
    assert_eq!(
        params(2).fit_raw(&bad, 2, &job),
        Err(KMeansError::NonFinite(1))
    );
}

#[test]
fn hand_computed_two_clusters() {
    // {0, 1} and {10, 11}: centroids 0.5 and 10.5, inertia 4 × 0.25 = 1.
    let m = params(2)
        .fit_raw(&[0.0, 10.0, 1.0, 11.0], 1, &JobControl::new())
        .unwrap();
    let mut c = m.centroids.clone();
    c.sort_by(f64::total_cmp);
    assert_eq!(c, vec![0.5, 10.5]);
    assert_eq!(m.inertia, 1.0);
    assert_eq!(m.labels[0], m.labels[2]);
    assert_eq!(m.labels[1], m.labels[3]);
    assert_ne!(m.labels[0], m.labels[1]);
}

#[test]
fn recovers_blobs_and_predict_matches_labels() {
    let (x, truth) = blobs(100);
    let m = params(3).fit_raw(&x, 2, &JobControl::new()).unwrap();
    // Each true blob maps to exactly one label and the labels are distinct.
    let map: Vec<usize> = (0..3).map(|t| m.labels[t]).collect();
    assert!(truth.iter().zip(&m.labels).all(|(&t, &l)| map[t] == l));
    assert!(map[0] != map[1] && map[1] != map[2] && map[0] != map[2]);
    for t in 0..3 {
        let c = &m.centroids[map[t] * 2..map[t] * 2 + 2];
        let want = [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]][t];
        assert!(
            (c[0] - want[0]).abs() < 0.2 && (c[1] - want[1]).abs() < 0.2,
            "{c:?}"
        );
    }
    // inertia is the sum of squared distances to the reported centroids.
    let direct: f64 = (0..300)
        .map(|i| {
            sqdist(
                &x[i * 2..i * 2 + 2],
                &m.centroids[m.labels[i] * 2..m.labels[i] * 2 + 2],
            )
        })
        .sum();
    assert!((m.inertia - direct).abs() <= 1e-9 * direct);
    assert_eq!(m.predict(Matrix::trusted(&x, 2)), m.labels);
}

#[test]
fn same_result_on_any_thread_count() {
    // Several chunks, overlapping blobs so that many rows move between iterations.
    let mut rng = Rng::new(9);
    let x: Vec<f64> = (0..3 * CHUNK * 3)
        .map(|i| rng.normal((i % 7) as f64 * 0.3, 1.0))
        .collect();
    let p = KMeansParams {
        n_init: 2,
        ..params(6)
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| p.fit_raw(&x, 3, &JobControl::new()).unwrap())
    };
    let one = run(1);
    assert!(one.n_iter > 1);
    assert_eq!(one, run(3));
    assert_eq!(one, run(4));
}

#[test]
fn more_inits_never_worse_and_runs_differ_by_seed() {
    let mut rng = Rng::new(3);
    let x: Vec<f64> = (0..4000).map(|_| rng.f64()).collect();
    let job = JobControl::new();
    let one = params(7).fit_raw(&x, 2, &job).unwrap();
    let five = KMeansParams {
        n_init: 5,
        ..params(7)
    }
    .fit_raw(&x, 2, &job)
    .unwrap();
    assert!(five.inertia <= one.inertia);
    let other = KMeansParams {
        seed: 1,
        ..params(7)
    }
    .fit_raw(&x, 2, &job)
    .unwrap();
    assert_ne!(one.centroids, other.centroids);
}

#[test]
fn empty_cluster_takes_the_farthest_row() {
    // Centre 100 gets no rows; the row farthest from its centre is 3 (distance 2 from 1).
    let x = [0.0, 1.0, 3.0, 10.0, 11.0, 12.0];
    let m = lloyd(
        Matrix::trusted(&x, 1),
        vec![1.0, 11.0, 100.0],
        50,
        0.0,
        &JobControl::new(),
        &|_| {},
    )
    .unwrap();
    assert_eq!(m.centroids, vec![0.5, 11.0, 3.0]);
    assert_eq!(m.labels, vec![0, 0, 2, 1, 1, 1]);
    assert_eq!(m.inertia, 2.5);
}

#[test]
fn duplicate_rows_fewer_than_k_distinct() {
    // Only two distinct rows but k = 3: still a valid model, every label used.
    let x = [1.0, 1.0, 1.0, 5.0, 5.0, 5.0];
    let m = params(3).fit_raw(&x, 1, &JobControl::new()).unwrap();
    assert_eq!(m.inertia, 0.0);
    let mut used = m.labels.clone();
    used.sort_unstable();
    used.dedup();
    assert_eq!(used.len(), 3);
}

#[test]
fn cancel_and_progress() {
    let (x, _) = blobs(50);
    let job = JobControl::new();
    params(3).fit_raw(&x, 2, &job).unwrap();
    assert_eq!(job.progress(), 1.0);
    job.cancel();
    assert_eq!(params(3).fit_raw(&x, 2, &job), Err(KMeansError::Cancelled));
}

#[test]
fn model_round_trips_through_serde() {
    let m = params(2)
        .fit_raw(&[0.0, 10.0, 1.0, 11.0], 1, &JobControl::new())
        .unwrap();
    let s = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<KMeansModel>(&s).unwrap(), m);
}

#[test]
fn bounds_give_the_same_result_as_plain_lloyd() {
    // Overlapping blobs over several chunks, and more centres than blobs, so centres keep
    // drifting and the bounds are exercised; the plain version computes every distance.
    let (d, k, n) = (3, 7, 3 * CHUNK + 17);
    let mut rng = Rng::new(11);
    let x: Vec<f64> = (0..n * d)
        .map(|i| rng.normal(((i / d) % 4) as f64 * 1.5, 1.0))
        .collect();
    let init: Vec<f64> = x[..k * d].to_vec();
    let m = lloyd(
        Matrix::trusted(&x, d),
        init.clone(),
        100,
        0.0,
        &JobControl::new(),
        &|_| {},
    )
    .unwrap();
    let (mut centers, mut labels, mut n_iter) = (init, vec![usize::MAX; n], 0);
    for it in 0..100 {
        let new: Vec<usize> = (0..n)
            .map(|i| distance::nearest(Matrix::trusted(&centers, d), &x[i * d..(i + 1) * d]).0)
            .collect();
        if new == labels {
            break;
        }
        labels = new;
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0.0; k];
        for (i, &l) in labels.iter().enumerate() {
            counts[l] += 1.0;
            (0..d).for_each(|c| sums[l * d + c] += x[i * d + c]);
        }
        centers = (0..k * d).map(|j| sums[j] / counts[j / d]).collect();
        n_iter = it + 1;
    }
    assert!(n_iter > 5, "{n_iter}");
    // Lloyd's count includes the final pass that finds no change.
    assert_eq!(m.n_iter, n_iter);
    assert_eq!(m.labels, labels);
    assert!(m
        .centroids
        .iter()
        .zip(&centers)
        .all(|(a, b)| (a - b).abs() < 1e-9));
    assert_eq!(m.predict(Matrix::trusted(&x, d)), m.labels);
}

#[test]
fn large_data_is_seeded_on_a_sample() {
    // 12 blobs of uneven size and spread, more rows than SAMPLE_SEEDING_ROWS.
    let mut rng = Rng::new(21);
    let centres: Vec<(f64, f64, f64)> = (0..12)
        .map(|_| {
            (
                rng.range_f64(0.0, 20.0),
                rng.range_f64(0.0, 20.0),
                rng.range_f64(0.3, 1.5),
            )
        })
        .collect();
    let n = SAMPLE_SEEDING_ROWS + 20_000;
    let mut x = Vec::with_capacity(n * 2);
    for i in 0..n {
        let (cx, cy, s) = centres[(i * i) % 12];
        x.push(rng.normal(cx, s));
        x.push(rng.normal(cy, s));
    }
    let p = params(12);
    let job = JobControl::new();
    let seeded = p.fit_raw(&x, 2, &job).unwrap();
    // The plain path: one greedy k-means++ seeding of all rows, from the same stream.
    let tol_abs = p.tol * mean_variance(Matrix::trusted(&x, 2));
    let start = kmeans_pp(
        Matrix::trusted(&x, 2),
        12,
        &mut Rng::stream(p.seed, 0),
        &job,
    )
    .unwrap();
    let plain = lloyd(
        Matrix::trusted(&x, 2),
        start,
        p.max_iter,
        tol_abs,
        &job,
        &|_| {},
    )
    .unwrap();
    assert!(
        seeded.inertia <= plain.inertia * (1.0 + 1e-9),
        "sample-seeded {} vs plain {}",
        seeded.inertia,
        plain.inertia
    );
    assert!(
        seeded.n_iter <= plain.n_iter,
        "{} vs {}",
        seeded.n_iter,
        plain.n_iter
    );
    // Still deterministic and independent of the thread count.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    assert_eq!(pool.install(|| p.fit_raw(&x, 2, &job).unwrap()), seeded);
}

/// Every label is the nearest final centroid (ties to the lower index), exactly as `apply`
/// assigns new rows: on data full of near ties (binary one-hot-like columns, repeated rows, a
/// coarse grid) across many seeds, sizes and k.
#[test]
fn labels_are_the_nearest_final_centroid_on_tied_data() {
    let job = JobControl::new();
    let mut wrong = 0;
    let mut total = 0;
    for seed in 0..40u64 {
        let mut rng = Rng::new(seed);
        let (n, d) = (300 + (seed as usize % 7) * 150, 2 + seed as usize % 5);
        let mut x = Vec::with_capacity(n * d);
        for _ in 0..n {
            for c in 0..d {
                x.push(match c % 3 {
                    0 => f64::from(rng.normal(0.0, 1.0) > 0.3) / 3f64.sqrt(),
                    1 => (rng.normal(0.0, 2.0) * 2.0).round() / 2.0,
                    _ => rng.normal(0.0, 1.0) * 1e-3 + f64::from(rng.normal(0.0, 1.0) > 0.0),
                });
            }
        }
        for k in [2, 3, 5, 8] {
            let p = KMeansParams {
                k,
                n_init: 2,
                seed,
                ..Default::default()
            };
            let m = p.fit_raw(&x, d, &job).unwrap();
            let c = Matrix::trusted(&m.centroids, d);
            for (i, row) in x.chunks_exact(d).enumerate() {
                total += 1;
                if crate::distance::nearest(c, row).0 != m.labels[i] {
                    wrong += 1;
                }
            }
        }
    }
    assert_eq!(
        wrong, 0,
        "{wrong} of {total} labels are not the nearest final centroid"
    );
}

/// A Lloyd optimum with two centres in one blob and one centre for the other two: no row move
/// leaves it, one centre swap does, and the swap search finds the blob means.
#[test]
fn swap_search_leaves_a_shared_blob_optimum() {
    let (x, truth) = blobs(200);
    let data = Matrix::trusted(&x, 2);
    let job = JobControl::new();
    let tol_abs = 1e-4 * mean_variance(data);
    // Two centres left and right inside blob (0, 0); one between (10, 0) and (0, 10).
    let stuck = lloyd(
        data,
        vec![-0.3, 0.0, 0.3, 0.0, 5.0, 5.0],
        300,
        tol_abs,
        &job,
        &|_| {},
    )
    .unwrap();
    let means: Vec<Vec<f64>> = (0..3)
        .map(|b| {
            let rows: Vec<&[f64]> = (0..truth.len())
                .filter(|&i| truth[i] == b)
                .map(|i| data.row(i))
                .collect();
            (0..2)
                .map(|c| rows.iter().map(|r| r[c]).sum::<f64>() / rows.len() as f64)
                .collect()
        })
        .collect();
    let optimum: f64 = (0..truth.len())
        .map(|i| sqdist(data.row(i), &means[truth[i]]))
        .sum();
    assert!(
        stuck.inertia > 1.5 * optimum,
        "{} vs {optimum}",
        stuck.inertia
    );
    let mut rng = Rng::new(3);
    let found = refine::swap_search(data, stuck.clone(), 2, 300, tol_abs, &mut rng, &job).unwrap();
    assert!(
        (found.inertia - optimum).abs() <= 1e-9 * optimum,
        "{} vs {optimum}",
        found.inertia
    );
    // Never worse than the start, whatever the swaps draw.
    for seed in 0..20 {
        let m = refine::swap_search(
            data,
            stuck.clone(),
            1,
            300,
            tol_abs,
            &mut Rng::new(seed),
            &job,
        )
        .unwrap();
        assert!(m.inertia <= stuck.inertia);
    }
}
