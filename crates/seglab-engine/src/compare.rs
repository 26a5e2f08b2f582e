//! Two runs side by side: where each customer went (a migration matrix by customer id), which
//! old segment became which new one (matched by centroid, as names are matched on a re-run;
//! by shared customers when the runs clustered different columns), how far each matched
//! centroid moved, and the segments that are new or gone.

use crate::assignment::least_cost_matching;
use crate::distance::sqdist;
use crate::model::SegmentModel;
use crate::segment_names::{match_centroids, CurrentSegments};
use crate::segmenting::Segmented;
use rustc_hash::FxHashMap;
use serde::Serialize;

/// One run as the comparison reads it.
pub struct RunSegments {
    /// Segment names by id, `0..k`.
    pub names: Vec<String>,
    /// k × columns.len(), in the clustered space.
    pub centroids: Vec<f64>,
    pub columns: Vec<String>,
    /// (customer id, segment id; None: in the run without a segment).
    pub customers: Vec<(String, Option<usize>)>,
}

impl RunSegments {
    fn k(&self) -> usize {
        self.names.len()
    }

    /// The run on screen, as a comparison reads it: its clustered rows by customer id (the
    /// first column when the recipe names no id column). A pass over every row: off the UI
    /// thread.
    pub fn of_run(model: &SegmentModel, s: &Segmented) -> RunSegments {
        let cleaned = &s.inputs.prepared.cleaned;
        let id = s
            .inputs
            .prepared
            .fitted
            .id
            .as_deref()
            .and_then(|name| cleaned.column(name))
            .or_else(|| cleaned.columns.first());
        let labels = &s.segmentation.labels;
        let mut customers: Vec<(String, Option<usize>)> = match id {
            Some(col) => (0..labels.len())
                .filter_map(|r| col.data.display(r).map(|id| (id, labels[r])))
                .collect(),
            None => Vec::new(),
        };
        // Rows cleaning removed are in the run without a segment, as in its segments.csv.
        if let Some(col) = id {
            let removed = s.inputs.prepared.removed.values_of(&col.name);
            customers.extend(removed.into_iter().flatten().map(|id| (id, None)));
        }
        RunSegments {
            names: (0..model.centroids.len() / model.n_cols.max(1))
                .map(|id| model.name_of(id).to_string())
                .collect(),
            centroids: model.centroids.clone(),
            columns: model.space_columns(),
            customers,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// Same clustered columns: least total centroid distance among close pairs.
    Centroid,
    /// Different columns: most shared customers.
    Customers,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentMatch {
    pub old: usize,
    pub old_name: String,
    pub new: usize,
    pub new_name: String,
    /// Distance between the two centroids (same clustered space only).
    pub centroid_shift: Option<f64>,
    /// Share of the old segment's customers (present in both runs) now in its match.
    pub stayed: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub matched_by: MatchedBy,
    pub old_names: Vec<String>,
    pub new_names: Vec<String>,
    /// Customers per (old segment, new segment): `(old_k + 1) × (new_k + 1)`, row-major; the
    /// last row and column are "no segment" (not in that run, or in it without a segment).
    pub migration: Vec<Vec<usize>>,
    pub matches: Vec<SegmentMatch>,
    /// New segments no old one matched; old segments that matched none.
    pub new_segments: Vec<usize>,
    pub vanished: Vec<usize>,
    pub customers_in_both: usize,
    pub only_old: usize,
    pub only_new: usize,
    /// Customers of both runs whose segment is not the match of their old one.
    pub moved: usize,
}

pub fn compare(old: &RunSegments, new: &RunSegments) -> Comparison {
    let (ko, kn) = (old.k(), new.k());
    let mut migration = vec![vec![0usize; kn + 1]; ko + 1];
    let old_of = by_id(&old.customers);
    let new_of = by_id(&new.customers);
    let mut seen = FxHashMap::default();
    let (mut both, mut only_old) = (0, 0);
    for (id, _) in &old.customers {
        let Some(s) = old_of.get(id.as_str()) else {
            continue;
        };
        if seen.insert(id.as_str(), ()).is_some() {
            continue;
        }
        let row = s.filter(|&s| s < ko).unwrap_or(ko);
        match new_of.get(id.as_str()) {
            Some(t) => {
                both += 1;
                migration[row][t.filter(|&t| t < kn).unwrap_or(kn)] += 1;
            }
            None => {
                only_old += 1;
                migration[row][kn] += 1;
            }
        }
    }
    let mut only_new = 0;
    for (id, _) in &new.customers {
        if seen.insert(id.as_str(), ()).is_none() {
            only_new += 1;
            let t = new_of[id.as_str()];
            migration[ko][t.filter(|&t| t < kn).unwrap_or(kn)] += 1;
        }
    }
    let same_space = !old.columns.is_empty() && old.columns == new.columns;
    let (matched_by, pairs) = if same_space {
        let now = CurrentSegments {
            centroids: &new.centroids,
            sizes: &vec![0; kn],
            columns: &new.columns,
        };
        let d = old.columns.len();
        let olds: Vec<&[f64]> = old.centroids.chunks_exact(d).collect();
        (MatchedBy::Centroid, match_centroids(&olds, &now))
    } else {
        (MatchedBy::Customers, match_by_customers(&migration, ko, kn))
    };
    let d = new.columns.len().max(1);
    let mut matches = Vec::new();
    let mut moved = 0;
    for (o, m) in pairs.iter().enumerate() {
        let row_total: usize = migration[o][..kn].iter().sum();
        let Some(n) = *m else {
            moved += row_total;
            continue;
        };
        moved += row_total - migration[o][n];
        matches.push(SegmentMatch {
            old: o,
            old_name: old.names[o].clone(),
            new: n,
            new_name: new.names[n].clone(),
            centroid_shift: same_space.then(|| {
                sqdist(
                    &old.centroids[o * d..(o + 1) * d],
                    &new.centroids[n * d..(n + 1) * d],
                )
                .sqrt()
            }),
            stayed: if row_total == 0 {
                0.0
            } else {
                migration[o][n] as f64 / row_total as f64
            },
        });
    }
    Comparison {
        matched_by,
        old_names: old.names.clone(),
        new_names: new.names.clone(),
        new_segments: (0..kn).filter(|n| !pairs.contains(&Some(*n))).collect(),
        vanished: (0..ko).filter(|&o| pairs[o].is_none()).collect(),
        migration,
        matches,
        customers_in_both: both,
        only_old,
        only_new,
        moved,
    }
}

/// Each customer once: a row with a segment wins over a row of the same id without one (a
/// duplicate merged into it by cleaning).
fn by_id(customers: &[(String, Option<usize>)]) -> FxHashMap<&str, Option<usize>> {
    let mut out: FxHashMap<&str, Option<usize>> = FxHashMap::default();
    for (id, s) in customers {
        let slot = out.entry(id.as_str()).or_insert(*s);
        if slot.is_none() {
            *slot = *s;
        }
    }
    out
}

/// Old → new by most shared customers (least total of the negated counts); a pair that shares
/// no customer is no match.
fn match_by_customers(migration: &[Vec<usize>], ko: usize, kn: usize) -> Vec<Option<usize>> {
    let cost: Vec<f64> = (0..ko)
        .flat_map(|o| (0..kn).map(move |n| -(migration[o][n] as f64)))
        .collect();
    least_cost_matching(&cost, ko, kn)
        .into_iter()
        .enumerate()
        .map(|(o, m)| m.filter(|&n| migration[o][n] > 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(names: &[&str], centroids: &[f64], customers: &[(&str, Option<usize>)]) -> RunSegments {
        RunSegments {
            names: names.iter().map(|s| s.to_string()).collect(),
            centroids: centroids.to_vec(),
            columns: vec!["x".into()],
            customers: customers
                .iter()
                .map(|(id, s)| (id.to_string(), *s))
                .collect(),
        }
    }

    /// By hand: old segments at 0 and 10, new at 10.5, 0.2 and 30 (ids permuted, one new).
    /// a, b stay with the low group (now id 1), c moves from high to the new one, d stays high
    /// (now id 0), e leaves, f arrives.
    #[test]
    fn migration_matches_and_shifts_by_hand() {
        let old = run(
            &["Low", "High"],
            &[0.0, 10.0],
            &[
                ("a", Some(0)),
                ("b", Some(0)),
                ("c", Some(1)),
                ("d", Some(1)),
                ("e", Some(0)),
            ],
        );
        let new = run(
            &["High2", "Low2", "Far"],
            &[10.5, 0.2, 30.0],
            &[
                ("a", Some(1)),
                ("b", Some(1)),
                ("c", Some(2)),
                ("d", Some(0)),
                ("f", None),
            ],
        );
        let c = compare(&old, &new);
        assert_eq!(c.matched_by, MatchedBy::Centroid);
        assert_eq!(
            c.migration,
            vec![vec![0, 2, 0, 1], vec![1, 0, 1, 0], vec![0, 0, 0, 1]]
        );
        assert_eq!((c.customers_in_both, c.only_old, c.only_new), (4, 1, 1));
        assert_eq!(c.matches.len(), 2);
        assert_eq!((c.matches[0].old, c.matches[0].new), (0, 1));
        assert!((c.matches[0].centroid_shift.unwrap() - 0.2).abs() < 1e-12);
        assert!((c.matches[0].stayed - 1.0).abs() < 1e-12);
        assert_eq!((c.matches[1].old, c.matches[1].new), (1, 0));
        assert!((c.matches[1].stayed - 0.5).abs() < 1e-12);
        assert_eq!(c.new_segments, vec![2]);
        assert!(c.vanished.is_empty());
        assert_eq!(c.moved, 1);
    }

    /// A duplicate row of a customer (merged by cleaning, no segment) does not count twice,
    /// and the row with the segment is the one compared.
    #[test]
    fn duplicate_ids_count_once_with_their_segment() {
        let old = run(
            &["A"],
            &[0.0],
            &[("a", None), ("a", Some(0)), ("b", Some(0))],
        );
        let new = run(
            &["A"],
            &[0.1],
            &[("a", Some(0)), ("b", Some(0)), ("b", None)],
        );
        let c = compare(&old, &new);
        assert_eq!(c.migration, vec![vec![2, 0], vec![0, 0]]);
        assert_eq!(
            (c.customers_in_both, c.only_old, c.only_new, c.moved),
            (2, 0, 0, 0)
        );
    }

    /// Different columns: matched by shared customers, no shift.
    #[test]
    fn other_columns_match_by_customers() {
        let old = run(
            &["A", "B"],
            &[0.0, 1.0],
            &[("a", Some(0)), ("b", Some(1)), ("c", Some(1))],
        );
        let mut new = run(
            &["P", "Q"],
            &[0.0, 1.0],
            &[("a", Some(1)), ("b", Some(0)), ("c", Some(0))],
        );
        new.columns = vec!["y".into()];
        let c = compare(&old, &new);
        assert_eq!(c.matched_by, MatchedBy::Customers);
        assert_eq!((c.matches[0].old, c.matches[0].new), (0, 1));
        assert_eq!((c.matches[1].old, c.matches[1].new), (1, 0));
        assert_eq!(c.matches[0].centroid_shift, None);
        assert_eq!(c.moved, 0);
    }
}
