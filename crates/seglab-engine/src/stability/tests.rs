use super::*;

/// `per` rows around each of `centers` (2-D), sd 0.5, rows interleaved; labels = blob ids.
fn blobs(centers: &[(f64, f64)], per: usize, seed: u64) -> (Vec<f64>, Vec<usize>) {
    let mut rng = Rng::new(seed);
    let m = centers.len();
    let x = (0..m * per)
        .flat_map(|i| {
            let (cx, cy) = centers[i % m];
            [cx + rng.normal(0.0, 0.5), cy + rng.normal(0.0, 0.5)]
        })
        .collect();
    (x, (0..m * per).map(|i| i % m).collect())
}

fn kmeans(k: usize, seed: u64) -> KMeansParams {
    KMeansParams {
        k,
        n_init: 4,
        seed,
        ..KMeansParams::default()
    }
}

/// Reference {0,1,2 | 3,4}, other {0,1 | 2,3,4}. By hand: C0 = {0,1,2} vs D0 = {0,1}: 2 / 3;
/// vs D1 = {2,3,4}: 1 / 5; best 2/3. C1 = {3,4} vs D0: 0; vs D1: 2 / 3. Cluster 2 of the
/// reference has no row: None.
#[test]
fn best_jaccards_by_hand() {
    let got = best_jaccards(&[0, 0, 0, 1, 1], &[0, 0, 1, 1, 1], 3, 2);
    assert_eq!(got, vec![Some(2.0 / 3.0), Some(2.0 / 3.0), None]);
    // Relabelling the other clustering changes nothing; identical partitions score 1.
    assert_eq!(
        best_jaccards(&[0, 0, 1, 1], &[1, 1, 0, 0], 2, 2),
        vec![Some(1.0), Some(1.0)]
    );
}

/// Resample means by hand: segment 0 scored 1.0 and 0.5 (mean 0.75); segment 1 was absent
/// from the first resample, so its mean is over the second only.
#[test]
fn resample_mean_skips_absent_segments() {
    let per = vec![vec![Some(1.0), None], vec![Some(0.5), Some(0.25)]];
    assert_eq!(mean_per_segment(&per, 2), vec![Some(0.75), Some(0.25)]);
}

/// A tiny case by hand: rows 0, 1, 2 sit at 0 and rows 3, 4, 5 at 10 (1-D); the reference puts
/// row 2 with the far group: C0 = {0, 1}, C1 = {2, 3, 4, 5}. A resample holding both groups is
/// split by k-means into D0 = its rows at 0 and D1 = its rows at 10, so on its distinct rows:
/// J(C0) = |C0 drawn| / |D0| (C0 lies inside D0), and
/// J(C1) = max(|D1| / (|D1| + [row 2 drawn]), [row 2 drawn] / (|D0| + |C1 drawn| − 1)).
/// The draws are replayed from the resample streams; the seed is one whose resamples all hold
/// both groups (checked), so every resample has those values.
#[test]
fn clusterboot_on_a_tiny_case_by_hand() {
    let x = [0.0, 0.0, 0.0, 10.0, 10.0, 10.0];
    let labels = [0, 0, 1, 1, 1, 1];
    let (seed, b) = (7, 5);
    let p = StabilityParams {
        resamples: b,
        seeds: 0,
        max_rows: 100,
        kmeans: kmeans(2, seed),
    };
    let s = p
        .compute(Matrix::trusted(&x, 1), &labels, &JobControl::new())
        .unwrap();
    let (mut sum0, mut sum1) = (0.0, 0.0);
    for r in 0..b as u64 {
        let mut rng = Rng::stream(seed, r);
        let mut drawn = [false; 6];
        (0..6).for_each(|_| drawn[rng.range_usize(0, 6)] = true);
        let count = |rows: &[usize]| rows.iter().filter(|&&i| drawn[i]).count() as f64;
        let (d0, d1, row2) = (count(&[0, 1, 2]), count(&[3, 4, 5]), count(&[2]));
        assert!(d0 > 0.0 && d1 > 0.0, "resample {r} misses a group");
        sum0 += count(&[0, 1]) / d0;
        let c1 = count(&[2, 3, 4, 5]);
        sum1 += (d1 / (d1 + row2)).max(row2 / (d0 + c1 - row2));
    }
    let (j0, j1) = (sum0 / b as f64, sum1 / b as f64);
    assert!(
        (s.per_segment[0].unwrap() - j0).abs() < 1e-12,
        "{s:?} vs {j0}"
    );
    assert!(
        (s.per_segment[1].unwrap() - j1).abs() < 1e-12,
        "{s:?} vs {j1}"
    );
    assert!(
        j0 < 1.0 && j1 < 1.0,
        "the unnatural segments are not found exactly"
    );
    assert_eq!((s.rows, s.seed_ari), (6, None));
}

/// Four well-separated blobs: every segment comes back in every resample and at every seed.
#[test]
fn separated_blobs_are_stable() {
    let (x, _) = blobs(&[(0.0, 0.0), (8.0, 0.0), (0.0, 8.0), (8.0, 8.0)], 150, 3);
    let x = Matrix::trusted(&x, 2);
    let job = JobControl::new();
    let run = kmeans(4, 11).fit(x, &job).unwrap();
    let s = StabilityParams::new(20, kmeans(4, 11))
        .compute(x, &run.labels, &job)
        .unwrap();
    for (id, j) in s.per_segment.iter().enumerate() {
        assert!(j.unwrap() >= 0.9, "segment {id}: {j:?}");
    }
    assert!(s.mean.unwrap() >= 0.9);
    assert!(s.seed_ari.unwrap() > 0.99, "{:?}", s.seed_ari);
    assert!(s.notes(4).is_empty(), "{:?}", s.notes(4));
}

/// Uniform noise in six features (as many as a customer table) has no segments: k = 5 cuts it
/// differently on every resample. (A 2-D square is no such case: its corners make one k = 5
/// tiling that k-means finds again, mean Jaccard 0.84 in a trial; in 6-D the trial gave 0.38.)
#[test]
fn uniform_noise_at_k5_is_unstable_and_says_so() {
    let mut rng = Rng::new(5);
    let x: Vec<f64> = (0..6 * 1000).map(|_| rng.f64()).collect();
    let x = Matrix::trusted(&x, 6);
    let job = JobControl::new();
    let run = kmeans(5, 1).fit(x, &job).unwrap();
    let s = StabilityParams::new(20, kmeans(5, 1))
        .compute(x, &run.labels, &job)
        .unwrap();
    let mean = s.mean.unwrap();
    assert!(
        mean < STABLE,
        "mean {mean}, per segment {:?}",
        s.per_segment
    );
    assert!(s.seed_ari.unwrap() < 0.9, "{:?}", s.seed_ari);
    let notes = s.notes(5);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("warning: k = 5 is unstable")),
        "{notes:?}"
    );
}

/// Same data and seed: the same numbers, on one thread or several.
#[test]
fn deterministic_and_thread_count_independent() {
    let (x, _) = blobs(&[(0.0, 0.0), (3.0, 0.0), (1.5, 2.5)], 200, 9);
    let x = Matrix::trusted(&x, 2);
    let job = JobControl::new();
    let run = kmeans(3, 2).fit(x, &job).unwrap();
    let p = StabilityParams {
        max_rows: 400,
        ..StabilityParams::new(8, kmeans(3, 2))
    };
    let a = p.compute(x, &run.labels, &job).unwrap();
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = one.install(|| p.compute(x, &run.labels, &job).unwrap());
    assert_eq!(a, b);
    assert_eq!((a.rows, a.of_rows), (400, 600));
    assert!(a.notes(3)[0].contains("seeded sample of 400 of 600 rows"));
    // Another seed draws other resamples.
    let other = StabilityParams::new(8, kmeans(3, 3))
        .compute(x, &run.labels, &job)
        .unwrap();
    assert_ne!(a.per_segment, other.per_segment);
}

#[test]
fn bad_inputs_are_typed_errors() {
    let x = [0.0, 1.0, 2.0, 3.0];
    let x = Matrix::trusted(&x, 1);
    let job = JobControl::new();
    let p = StabilityParams::new(5, kmeans(2, 0));
    assert_eq!(
        p.compute(x, &[0, 1], &job),
        Err(StabilityError::LabelCount { labels: 2, rows: 4 })
    );
    assert_eq!(
        p.compute(x, &[0, 1, 2, 0], &job),
        Err(StabilityError::LabelOutOfRange { label: 2, k: 2 })
    );
    let none = StabilityParams {
        resamples: 0,
        ..p.clone()
    };
    assert_eq!(
        none.compute(x, &[0, 0, 1, 1], &job),
        Err(StabilityError::NoResamples)
    );
}
