use super::*;

crate::matrix::fit_raw!(HierarchicalParams => HierarchicalResult, HierarchicalError, job: &JobControl);

/// 12 points in 2-D, no tied pairwise distances; `X` in the Python below.
const X: [f64; 24] = [
    0.12, 1.03, 0.48, 0.71, 1.95, 2.21, 2.33, 1.87, 0.91, 0.08, 4.02, 3.96, //
    3.71, 4.45, 2.64, 2.92, 0.27, 0.39, 4.58, 4.11, 1.44, 1.36, 3.15, 3.52,
];

// Reference values from scipy 1.17.1 / scikit-learn 1.9.1:
//   import numpy as np
//   from scipy.cluster.hierarchy import linkage, fcluster
//   from sklearn.cluster import AgglomerativeClustering
//   X = np.array(<the 12 x 2 literal above>)
//   for m in ["ward", "complete", "average", "single"]:
//       Z = linkage(X, method=m)                       # -> rows below
//       AgglomerativeClustering(n_clusters=3, linkage=m).fit_predict(X)  # -> K3
//       fcluster(Z, 1.0, criterion="distance")         # -> D1
// (fcluster(Z, 3, criterion="maxclust") gives the K3 partition too.)
type Row = (usize, usize, f64, usize);
struct Case {
    method: Linkage,
    z: [Row; 11],
    k3: [usize; 12],
    d1: [usize; 12],
}

const CASES: [Case; 4] = [
    Case {
        method: Linkage::Ward,
        z: [
            (1, 8, 0.3827531841800927, 2),
            (2, 3, 0.5099019513592785, 2),
            (5, 9, 0.5797413216254304, 2),
            (0, 12, 0.6276145313805283, 3),
            (7, 11, 0.7874642849044011, 2),
            (6, 14, 0.8329265673915477, 3),
            (4, 15, 1.0825663951924613, 4),
            (10, 13, 1.1268836083050755, 3),
            (16, 17, 2.384406285290603, 5),
            (18, 19, 3.5742748182240374, 7),
            (20, 21, 8.9658667283468, 12),
        ],
        k3: [2, 2, 1, 1, 2, 0, 0, 0, 2, 0, 1, 0],
        d1: [3, 3, 5, 5, 4, 2, 2, 1, 3, 2, 6, 1],
    },
    Case {
        method: Linkage::Complete,
        z: [
            (1, 8, 0.3827531841800927, 2),
            (2, 3, 0.5099019513592785, 2),
            (5, 9, 0.5797413216254304, 2),
            (0, 12, 0.6573431371817918, 3),
            (7, 11, 0.7874642849044011, 2),
            (6, 14, 0.9340770846134703, 3),
            (10, 13, 1.025768004960186, 3),
            (4, 15, 1.2355565547557912, 4),
            (16, 17, 2.2758954281776655, 5),
            (18, 19, 2.5365330670030697, 7),
            (20, 21, 5.693373340999166, 12),
        ],
        k3: [1, 1, 2, 2, 1, 0, 0, 0, 1, 0, 2, 0],
        d1: [5, 5, 3, 3, 6, 2, 2, 1, 5, 2, 4, 1],
    },
    Case {
        method: Linkage::Average,
        z: [
            (1, 8, 0.3827531841800927, 2),
            (2, 3, 0.5099019513592785, 2),
            (0, 12, 0.5695034601667418, 3),
            (5, 9, 0.5797413216254304, 2),
            (6, 15, 0.7569523225932195, 3),
            (7, 11, 0.7874642849044011, 2),
            (4, 14, 0.9031468585597425, 4),
            (10, 13, 1.0085149135419436, 3),
            (16, 17, 1.5797309211260044, 5),
            (18, 19, 1.993271088904287, 7),
            (20, 21, 3.7432880952491607, 12),
        ],
        k3: [2, 2, 1, 1, 2, 0, 0, 0, 2, 0, 1, 0],
        d1: [3, 3, 4, 4, 3, 1, 1, 2, 3, 1, 5, 2],
    },
    Case {
        method: Linkage::Single,
        z: [
            (1, 8, 0.3827531841800927, 2),
            (0, 12, 0.48166378315169184, 3),
            (2, 3, 0.5099019513592785, 2),
            (5, 9, 0.5797413216254304, 2),
            (6, 15, 0.5798275605729689, 3),
            (4, 13, 0.711125867902441, 4),
            (7, 11, 0.7874642849044011, 2),
            (16, 18, 0.974935895328508, 5),
            (14, 19, 0.9900505037623082, 7),
            (10, 20, 0.991261822123701, 8),
            (17, 21, 1.1593532679903913, 12),
        ],
        k3: [1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 2, 0],
        d1: [1, 1, 2, 2, 1, 2, 2, 2, 1, 2, 2, 2],
    },
];

/// True when two labelings describe the same partition (labels may be renamed).
fn same_partition(a: &[usize], b: &[usize]) -> bool {
    use std::collections::HashMap;
    let (mut ab, mut ba) = (HashMap::new(), HashMap::new());
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| *ab.entry(*x).or_insert(*y) == *y && *ba.entry(*y).or_insert(*x) == *x)
}

#[test]
fn merge_trees_match_scipy() {
    let job = JobControl::new();
    for case in &CASES {
        let z = linkage(Matrix::trusted(&X, 2), case.method, &job).unwrap();
        assert_eq!(z.len(), 11);
        for (got, want) in z.iter().zip(&case.z) {
            assert_eq!(
                (got.a, got.b, got.size),
                (want.0, want.1, want.3),
                "{:?}",
                case.method
            );
            assert!(
                (got.distance - want.2).abs() < 1e-9,
                "{:?}: {} vs {}",
                case.method,
                got.distance,
                want.2
            );
        }
    }
}

#[test]
fn flat_labels_match_scikit_learn_and_fcluster() {
    let job = JobControl::new();
    for case in &CASES {
        let params = HierarchicalParams {
            linkage: case.method,
            cut: Cut::Clusters(3),
            ..Default::default()
        };
        let r = params.fit_raw(&X, 2, &job).unwrap();
        assert_eq!(r.n_clusters, 3);
        assert_eq!(r.n_direct(), 12);
        assert!(same_partition(&r.labels, &case.k3), "{:?}", case.method);
        let (d1, _) = r.relabel(Matrix::trusted(&X, 2), Cut::Distance(1.0));
        assert!(same_partition(&d1, &case.d1), "{:?}", case.method);
    }
}

#[test]
fn cut_extremes() {
    let job = JobControl::new();
    let z = linkage(Matrix::trusted(&X, 2), Linkage::Average, &job).unwrap();
    assert_eq!(cut_tree(&z, 12, Cut::Clusters(1)), vec![0; 12]);
    assert_eq!(
        cut_tree(&z, 12, Cut::Clusters(50)),
        (0..12).collect::<Vec<_>>()
    );
    assert_eq!(
        cut_tree(&z, 12, Cut::Distance(0.0)),
        (0..12).collect::<Vec<_>>()
    );
}

/// Three tight, far-apart blobs of `per` points each in 3-D; blob = row / per.
fn blobs(per: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    let centres = [[0.0, 0.0, 0.0], [20.0, 0.0, 5.0], [0.0, 20.0, -5.0]];
    let mut v = Vec::new();
    for c in &centres {
        for _ in 0..per {
            v.extend(c.iter().map(|m| rng.normal(*m, 1.0)));
        }
    }
    v
}

#[test]
fn sampled_fit_assigns_the_rest_to_centroids() {
    let data = blobs(1000, 3);
    let params = HierarchicalParams {
        max_points: 300,
        cut: Cut::Clusters(3),
        ..Default::default()
    };
    let r = params.fit_raw(&data, 3, &JobControl::new()).unwrap();
    assert_eq!(r.n_direct(), 300);
    assert_eq!(r.merges.len(), 299);
    assert_eq!(r.labels.len(), 3000);
    let truth: Vec<usize> = (0..3000).map(|i| i / 1000).collect();
    assert!(same_partition(&r.labels, &truth));
    // Same seed, same sample.
    assert_eq!(params.fit_raw(&data, 3, &JobControl::new()).unwrap(), r);
}

#[test]
fn validation_and_cancellation() {
    let bad = |cut| HierarchicalParams {
        cut,
        ..Default::default()
    };
    assert_eq!(
        bad(Cut::Clusters(0)).check(),
        Err(HierarchicalError::ZeroClusters)
    );
    assert!(bad(Cut::Distance(-1.0)).check().is_err());
    let p = HierarchicalParams::default();
    let job = JobControl::new();
    assert!(matches!(
        p.fit_raw(&[1.0; 3], 2, &job),
        Err(HierarchicalError::Matrix(
            crate::matrix::MatrixError::Shape { .. }
        ))
    ));
    assert_eq!(p.fit_raw(&[], 2, &job), Err(HierarchicalError::Empty));
    // A single row is one cluster.
    let one = p.fit_raw(&[1.0, 2.0], 2, &job).unwrap();
    assert_eq!((one.labels, one.n_clusters), (vec![0], 1));
    job.cancel();
    assert_eq!(
        p.fit_raw(&X, 2, &job),
        Err(HierarchicalError::Cancelled(Cancelled))
    );
}
