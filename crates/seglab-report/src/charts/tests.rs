use std::path::{Path, PathBuf};

use super::*;

/// A fresh, empty folder per test (tests run in parallel).
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("seglab-charts-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn assert_chart(files: &ChartFiles, dir: &Path, stem: &str, title: &str) {
    assert_eq!(files.png, dir.join(format!("{stem}.png")));
    assert_eq!(files.svg, dir.join(format!("{stem}.svg")));
    let png = fs::read(&files.png).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 5_000, "PNG only {} bytes", png.len());
    let svg = fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("<svg"), "no <svg> element");
    assert!(svg.contains(title), "SVG lacks the title {title:?}");
    let _ = fs::remove_dir_all(dir);
}

fn assert_invalid<T: std::fmt::Debug>(result: Result<T, ChartError>, dir: &Path, stem: &str) {
    match result {
        Err(e @ ChartError::InvalidInput { .. }) => {
            assert_eq!(e.path(), dir.join(format!("{stem}.png")));
            assert!(e.to_string().contains(stem), "{e}");
        }
        other => panic!("expected InvalidInput, got {other:?}"),
    }
    assert!(!dir.join(format!("{stem}.png")).exists());
}

fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("Segment {i}")).collect()
}

/// Deterministic pseudo-random numbers in 0..1 (no extra test dependency).
fn noise(n: usize) -> Vec<f64> {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

#[test]
fn elbow_and_silhouette_vs_k() {
    let dir = scratch("metric-k");
    let ks: Vec<usize> = (2..=10).collect();
    let inertia: Vec<f64> = ks.iter().map(|&k| 1000.0 / k as f64).collect();
    let files = elbow(&dir, &ks, &inertia, 4).unwrap();
    assert!(fs::read_to_string(&files.svg).unwrap().contains("k = 4"));
    assert_chart(
        &files,
        &dir,
        STEM_ELBOW,
        "Elbow: inertia by number of clusters",
    );

    let sil: Vec<f64> = ks.iter().map(|&k| 0.5 - 0.01 * k as f64).collect();
    let files = silhouette_vs_k(&dir, &ks, &sil, 2).unwrap();
    assert_chart(
        &files,
        &dir,
        STEM_SILHOUETTE_VS_K,
        "Mean silhouette by number of clusters",
    );

    // A single k and a flat series still draw.
    let files = elbow(&dir, &[3], &[5.0], 3).unwrap();
    assert_chart(&files, &dir, STEM_ELBOW, "Elbow");

    // A k without a score is a gap, not an error; the result feeds `Vec::extend`.
    let mut written: Vec<PathBuf> = Vec::new();
    written.extend(silhouette_vs_k(&dir, &[1, 2, 3], &[f64::NAN, 0.4, 0.5], 3).unwrap());
    assert_eq!(written.len(), 2);
    let files = ChartFiles {
        png: written[0].clone(),
        svg: written[1].clone(),
    };
    assert_chart(&files, &dir, STEM_SILHOUETTE_VS_K, "Mean silhouette");
}

#[test]
fn metric_vs_k_rejects_bad_input() {
    let dir = scratch("metric-k-bad");
    assert_invalid(elbow(&dir, &[], &[], 2), &dir, STEM_ELBOW);
    assert_invalid(elbow(&dir, &[2, 3], &[1.0], 2), &dir, STEM_ELBOW);
    assert_invalid(
        elbow(&dir, &[2, 3], &[f64::NAN, f64::NAN], 2),
        &dir,
        STEM_ELBOW,
    );
    assert_invalid(elbow(&dir, &[2, 2], &[1.0, 2.0], 2), &dir, STEM_ELBOW);
    assert_invalid(
        silhouette_vs_k(&dir, &[2], &[], 2),
        &dir,
        STEM_SILHOUETTE_VS_K,
    );
}

#[test]
fn silhouette_plot_handles_100k_samples() {
    let dir = scratch("silhouette");
    let k = 4;
    let r = noise(100_000);
    let labels: Vec<usize> = r.iter().map(|v| ((v * 97.0) as usize) % k).collect();
    let samples: Vec<f64> = r.iter().map(|v| v * 1.2 - 0.2).collect();
    let files = silhouette_plot(&dir, &labels, &samples, k, &names(k)).unwrap();
    let svg = fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("Segment 3") && svg.contains("mean = "));
    // Outlines are decimated, so the SVG stays small however many samples there are.
    assert!(svg.len() < 300_000, "SVG is {} bytes", svg.len());
    assert_chart(
        &files,
        &dir,
        STEM_SILHOUETTE,
        "Silhouette per sample (100,000 samples, k = 4)",
    );
}

#[test]
fn silhouette_plot_small_and_empty_cluster() {
    let dir = scratch("silhouette-small");
    let files = silhouette_plot(&dir, &[0, 0, 2], &[0.5, -0.2, 0.9], 3, &names(3)).unwrap();
    assert_chart(&files, &dir, STEM_SILHOUETTE, "Silhouette per sample");
}

#[test]
fn silhouette_plot_rejects_bad_input() {
    let dir = scratch("silhouette-bad");
    let n = names(2);
    assert_invalid(
        silhouette_plot(&dir, &[], &[], 2, &n),
        &dir,
        STEM_SILHOUETTE,
    );
    assert_invalid(
        silhouette_plot(&dir, &[0, 1], &[0.1], 2, &n),
        &dir,
        STEM_SILHOUETTE,
    );
    assert_invalid(
        silhouette_plot(&dir, &[0, 2], &[0.1, 0.2], 2, &n),
        &dir,
        STEM_SILHOUETTE,
    );
    assert_invalid(
        silhouette_plot(&dir, &[0, 1], &[0.1, 1.5], 2, &n),
        &dir,
        STEM_SILHOUETTE,
    );
    assert_invalid(
        silhouette_plot(&dir, &[0, 1], &[0.1, 0.2], 3, &n),
        &dir,
        STEM_SILHOUETTE,
    );
}

#[test]
fn scatter_subsamples_and_shows_noise() {
    let dir = scratch("scatter");
    let r = noise(50_000);
    let xy: Vec<(f64, f64)> = r.chunks(2).map(|c| (c[0] * 10.0, c[1] * 5.0)).collect();
    let labels: Vec<Option<usize>> = r
        .iter()
        .step_by(2)
        .map(|v| {
            if *v < 0.1 {
                None
            } else {
                Some((v * 30.0) as usize % 3)
            }
        })
        .collect();
    let files = scatter_2d(&dir, &xy, &labels, &names(3), "PC1", "PC2").unwrap();
    let svg = fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("noise") && svg.contains("Segment 2"));
    assert_chart(&files, &dir, STEM_SCATTER, "Segments by PC1 and PC2");

    let big: Vec<(f64, f64)> = (0..45_000).map(|i| (i as f64, (i % 100) as f64)).collect();
    let labels = vec![Some(0); big.len()];
    let files = scatter_2d(&dir, &big, &labels, &names(1), "x", "y").unwrap();
    let svg = fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("showing 15,000 of 45,000 points (every 3rd)"));
    assert!(svg.matches("<circle").count() <= SCATTER_MAX_POINTS + 10);
    assert_chart(&files, &dir, STEM_SCATTER, "Segments by x and y");
}

#[test]
fn scatter_rejects_bad_input() {
    let dir = scratch("scatter-bad");
    let n = names(2);
    assert_invalid(scatter_2d(&dir, &[], &[], &n, "x", "y"), &dir, STEM_SCATTER);
    assert_invalid(
        scatter_2d(&dir, &[(0.0, 0.0)], &[], &n, "x", "y"),
        &dir,
        STEM_SCATTER,
    );
    assert_invalid(
        scatter_2d(&dir, &[(0.0, 0.0)], &[Some(2)], &n, "x", "y"),
        &dir,
        STEM_SCATTER,
    );
    let inf = [(f64::INFINITY, 0.0)];
    assert_invalid(
        scatter_2d(&dir, &inf, &[None], &n, "x", "y"),
        &dir,
        STEM_SCATTER,
    );
}

#[test]
fn scree_plot() {
    let dir = scratch("scree");
    let files = scree(&dir, &[0.5, 0.25, 0.125, 0.0625]).unwrap();
    assert!(fs::read_to_string(&files.svg)
        .unwrap()
        .contains("cumulative"));
    assert_chart(
        &files,
        &dir,
        STEM_SCREE,
        "Scree: variance explained per component",
    );
    assert_invalid(scree(&dir, &[]), &dir, STEM_SCREE);
    assert_invalid(scree(&dir, &[0.5, -0.1]), &dir, STEM_SCREE);
    assert_invalid(scree(&dir, &[3.0, 2.0]), &dir, STEM_SCREE);
}

/// A valid chain linkage: each merge adds the next leaf to the growing cluster.
fn chain(n: usize) -> Vec<(usize, usize, f64, usize)> {
    let mut rows = vec![(0, 1, 1.0, 2)];
    for i in 1..n - 1 {
        rows.push((i + 1, n + i - 1, 1.0 + i as f64, i + 2));
    }
    rows
}

#[test]
fn dendrogram_full_truncated_and_cut() {
    let dir = scratch("dendrogram");
    let merges = [
        (0, 1, 0.5, 2),
        (2, 3, 0.7, 2),
        (4, 5, 2.0, 3),
        (6, 7, 3.5, 5),
    ];
    let files = dendrogram(&dir, &merges, 5, Some(1.0)).unwrap();
    assert_chart(
        &files,
        &dir,
        STEM_DENDROGRAM,
        "cut at 1.00 gives 3 clusters",
    );

    let files = dendrogram(&dir, &chain(200), 200, None).unwrap();
    let svg = fs::read_to_string(&files.svg).unwrap();
    // lastp: the collapsed subtree holding the first 171 leaves shows its size.
    assert!(svg.contains("(171)"), "no collapsed-leaf label");
    assert_chart(
        &files,
        &dir,
        STEM_DENDROGRAM,
        "Dendrogram (200 leaves, last 29 merges)",
    );
}

#[test]
fn dendrogram_rejects_bad_input() {
    let dir = scratch("dendrogram-bad");
    assert_invalid(dendrogram(&dir, &[], 1, None), &dir, STEM_DENDROGRAM);
    assert_invalid(dendrogram(&dir, &[], 3, None), &dir, STEM_DENDROGRAM);
    // Refers to cluster 3 before it exists.
    assert_invalid(
        dendrogram(&dir, &[(0, 3, 1.0, 2), (1, 2, 2.0, 2)], 3, None),
        &dir,
        STEM_DENDROGRAM,
    );
    // Wrong size column.
    assert_invalid(
        dendrogram(&dir, &[(0, 1, 1.0, 5)], 2, None),
        &dir,
        STEM_DENDROGRAM,
    );
    assert_invalid(
        dendrogram(&dir, &[(0, 1, f64::NAN, 2)], 2, None),
        &dir,
        STEM_DENDROGRAM,
    );
    assert_invalid(
        dendrogram(&dir, &[(0, 1, 1.0, 2)], 2, Some(-1.0)),
        &dir,
        STEM_DENDROGRAM,
    );
}

#[test]
fn k_distance_curve() {
    let dir = scratch("k-distance");
    let d: Vec<f64> = (0..50_000)
        .map(|i| (i as f64 / 5_000.0).exp() / 1e3)
        .collect();
    let files = k_distance(&dir, &d, 4, Some(1.0)).unwrap();
    assert!(fs::read_to_string(&files.svg).unwrap().contains("eps = "));
    assert_chart(
        &files,
        &dir,
        STEM_K_DISTANCE,
        "k-distance curve (k = 4, 50,000 points)",
    );
    assert_invalid(k_distance(&dir, &[], 4, None), &dir, STEM_K_DISTANCE);
    assert_invalid(
        k_distance(&dir, &[1.0, -2.0], 4, None),
        &dir,
        STEM_K_DISTANCE,
    );
    assert_invalid(
        k_distance(&dir, &[1.0], 4, Some(f64::NAN)),
        &dir,
        STEM_K_DISTANCE,
    );
}

#[test]
fn profile_heatmap_with_missing_value() {
    let dir = scratch("heatmap");
    let segs = names(3);
    let feats: Vec<String> = ["recency", "frequency", "monetary value"]
        .map(String::from)
        .to_vec();
    let values = [1.5, -0.2, 0.0, -2.0, f64::NAN, 0.7, 0.1, 0.3, -1.1];
    let files = profile_heatmap(&dir, &segs, &feats, &values).unwrap();
    let svg = fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("monetary value") && svg.contains("n/a") && svg.contains("+1.50"));
    assert_chart(&files, &dir, STEM_PROFILE_HEATMAP, "Segment profiles");
    assert_invalid(
        profile_heatmap(&dir, &[], &feats, &[]),
        &dir,
        STEM_PROFILE_HEATMAP,
    );
    assert_invalid(
        profile_heatmap(&dir, &segs, &feats, &values[..8]),
        &dir,
        STEM_PROFILE_HEATMAP,
    );
}

#[test]
fn rfm_segment_shares_bars() {
    let dir = scratch("rfm-segments");
    let segs: Vec<String> = [
        "Champions",
        "Can't Lose Them",
        "A segment with a rather long name that must not be cut",
        "No purchases",
    ]
    .map(String::from)
    .to_vec();
    let files = segment_shares(
        &dir,
        &segs,
        &[120, 35, 845, 0],
        &[12.0, 3.5, 84.5, 0.0],
        &[40.2, 9.8, 50.0, 0.0],
    )
    .unwrap();
    let svg = fs::read_to_string(&files.svg).unwrap();
    // The SVG escapes the apostrophe; every name is there in full, with its size.
    for name in [
        "Champions (n=120)",
        "Can&apos;t Lose Them (n=35)",
        "A segment with a rather long name that must not be cut (n=845)",
        "No purchases (n=0)",
    ] {
        assert!(svg.contains(name), "SVG lacks {name:?}");
    }
    for word in bars::SERIES {
        assert!(svg.contains(word), "SVG lacks the legend {word:?}");
    }
    assert!(
        svg.contains("84.5%") && svg.contains("40.2%"),
        "no value labels"
    );
    assert_chart(
        &files,
        &dir,
        STEM_RFM_SEGMENTS,
        "RFM segments: customers and revenue",
    );

    let one = segs[..1].to_vec();
    assert_invalid(
        segment_shares(&dir, &[], &[], &[], &[]),
        &dir,
        STEM_RFM_SEGMENTS,
    );
    assert_invalid(
        segment_shares(&dir, &one, &[1], &[100.0], &[]),
        &dir,
        STEM_RFM_SEGMENTS,
    );
    assert_invalid(
        segment_shares(&dir, &one, &[1], &[f64::NAN], &[1.0]),
        &dir,
        STEM_RFM_SEGMENTS,
    );
    assert_invalid(
        segment_shares(&dir, &one, &[1], &[100.0], &[-3.0]),
        &dir,
        STEM_RFM_SEGMENTS,
    );
}

#[test]
fn helpers() {
    assert_eq!(
        int_ticks(2, 10, 25),
        (2..=10).map(f64::from).collect::<Vec<_>>()
    );
    assert_eq!(
        int_ticks(1, 100, 10),
        (1..=10).map(|i| f64::from(i * 10)).collect::<Vec<_>>()
    );
    assert_eq!(fmt_count(1234567), "1,234,567");
    assert_eq!(shorten("abcdef", 4), "abc…");
    assert_eq!(segment_color(12), PALETTE[0]);
}
