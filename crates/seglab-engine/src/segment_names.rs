//! Names that follow a segment, not a segment number. A rename is stored with the segment's
//! identity (its centroid in the clustered space, its size, the space's columns); on a re-run
//! the named segments are matched to the new ones by least total centroid distance, and a name
//! goes to its match only when the old centre lies in the new segment's region (it is nearer
//! to that centroid than to any other). Numbers change when clusters are recomputed; a
//! customer group does not.

use crate::assignment::least_cost_matching;
use crate::distance::sqdist;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One `[[segments.names]]` entry of the recipe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedSegment {
    pub name: String,
    /// The segment's mean in the clustered space (scaled features, or principal components).
    pub centroid: Vec<f64>,
    /// Its size when it was named: shown in messages, not used to match.
    #[serde(default)]
    pub size: usize,
    /// The clustered space's columns; a name only follows a segment into the same space.
    #[serde(default)]
    pub columns: Vec<String>,
}

/// The segments of the current run, as names see them.
pub struct CurrentSegments<'a> {
    /// k × columns.len() (or k × n_cols when the columns are unknown), row-major.
    pub centroids: &'a [f64],
    pub sizes: &'a [usize],
    pub columns: &'a [String],
}

impl CurrentSegments<'_> {
    fn k(&self) -> usize {
        self.sizes.len()
    }

    fn centroid(&self, id: usize) -> &[f64] {
        let d = self.centroids.len() / self.k().max(1);
        &self.centroids[id * d..(id + 1) * d]
    }
}

/// Which segment each name went to, and what became of the names that found none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResolvedNames {
    pub by_id: BTreeMap<usize, String>,
    pub notes: Vec<String>,
}

/// Matches the named segments to the current ones (see the module comment), then applies the
/// numeric renames (`[segments] rename`) to ids no name took, with a note that numbers do not
/// follow re-runs.
pub fn resolve(
    names: &[NamedSegment],
    numeric: &BTreeMap<usize, String>,
    now: &CurrentSegments<'_>,
) -> ResolvedNames {
    let mut out = ResolvedNames::default();
    let k = now.k();
    let d = now.centroids.len() / k.max(1);
    let (fits, misfits): (Vec<&NamedSegment>, Vec<&NamedSegment>) = names
        .iter()
        .partition(|n| n.centroid.len() == d && (n.columns.is_empty() || n.columns == now.columns));
    for n in misfits {
        out.notes.push(format!(
            "the name '{}' was given in another clustered space ({}); it is dropped: name the segment again",
            n.name,
            if n.columns.is_empty() {
                format!("{} columns", n.centroid.len())
            } else {
                n.columns.join(", ")
            }
        ));
    }
    let olds: Vec<&[f64]> = fits.iter().map(|n| n.centroid.as_slice()).collect();
    let matched = match_centroids(&olds, now);
    for (n, m) in fits.iter().zip(matched) {
        match m {
            Some(j) => {
                out.by_id.insert(j, n.name.clone());
            }
            None => out.notes.push(format!(
                "the segment named '{}' ({} customers when named) has no close match in this run; the name is dropped",
                n.name, n.size
            )),
        }
    }
    for (&id, name) in numeric {
        if id >= k || out.by_id.contains_key(&id) {
            continue;
        }
        out.by_id.insert(id, name.clone());
        out.notes.push(format!(
            "segment {id} is named '{name}' by number ([segments] rename): a number does not follow its customers when clusters are recomputed; rename it in the workbench (or use [[segments.names]]) so the name follows the segment"
        ));
    }
    out
}

/// The least-cost matching of old centres to the current segments, where a pair counts only
/// when it is close: the old centre lies within half the distance from the new centroid to its
/// nearest neighbour (well inside the new segment's region). Leaving an old centre out costs
/// its nearest segment's radius, so a far pair never pushes a near one out of its match.
/// Old centres must have the current centroids' length.
pub fn match_centroids(olds: &[&[f64]], now: &CurrentSegments<'_>) -> Vec<Option<usize>> {
    let (n, k) = (olds.len(), now.k());
    let radius: Vec<f64> = (0..k)
        .map(|j| {
            let gap = (0..k)
                .filter(|&o| o != j)
                .map(|o| sqdist(now.centroid(j), now.centroid(o)).sqrt())
                .fold(f64::INFINITY, f64::min);
            // One segment only: any centre is its own.
            if gap.is_finite() {
                gap / 2.0
            } else {
                f64::MAX / 4.0
            }
        })
        .collect();
    let dist = |i: usize, j: usize| sqdist(olds[i], now.centroid(j)).sqrt();
    let close = |i: usize, j: usize| dist(i, j) <= radius[j];
    let finite_max = (0..n)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .filter(|&(i, j)| close(i, j))
        .map(|(i, j)| dist(i, j).max(radius[j]))
        .fold(0.0, f64::max);
    let never = 1e6 * (1.0 + finite_max);
    let cols = k + n;
    let mut cost = vec![never; n * cols];
    for i in 0..n {
        let (mut stay_out, mut best) = (never / 2.0, f64::INFINITY);
        for j in (0..k).filter(|&j| close(i, j)) {
            cost[i * cols + j] = dist(i, j);
            if dist(i, j) < best {
                (best, stay_out) = (dist(i, j), radius[j]);
            }
        }
        cost[i * cols + k + i] = stay_out;
    }
    least_cost_matching(&cost, n, cols)
        .into_iter()
        .enumerate()
        .map(|(i, m)| m.filter(|&j| j < k && close(i, j)))
        .collect()
}

/// Names segment `id` of the current run: the entry for it is replaced (a name that matched
/// it, or a numeric rename of it, goes), so one segment has one name.
pub fn pin(
    names: &mut Vec<NamedSegment>,
    numeric: &mut BTreeMap<String, String>,
    now: &CurrentSegments<'_>,
    id: usize,
    name: String,
) {
    if id >= now.k() {
        return;
    }
    let resolved = resolve(names, &BTreeMap::new(), now);
    if let Some(old) = resolved.by_id.get(&id) {
        names.retain(|n| &n.name != old || n.centroid.len() != now.centroid(id).len());
    }
    numeric.remove(&id.to_string());
    names.push(NamedSegment {
        name,
        centroid: now.centroid(id).to_vec(),
        size: now.sizes[id],
        columns: now.columns.to_vec(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, c: &[f64]) -> NamedSegment {
        NamedSegment {
            name: name.into(),
            centroid: c.to_vec(),
            size: 10,
            columns: vec!["a".into(), "b".into()],
        }
    }

    fn cols() -> Vec<String> {
        vec!["a".into(), "b".into()]
    }

    /// The new run found the same three groups in another order and slightly moved: each name
    /// goes to the group it was given to, whatever its number.
    #[test]
    fn names_follow_moved_and_renumbered_segments() {
        let names = [named("VIP", &[3.0, 3.0]), named("Lapsed", &[-2.0, 0.0])];
        let centroids = [-1.9, 0.1, 0.0, 0.0, 3.2, 2.9];
        let columns = cols();
        let now = CurrentSegments {
            centroids: &centroids,
            sizes: &[50, 40, 10],
            columns: &columns,
        };
        let r = resolve(&names, &BTreeMap::new(), &now);
        assert_eq!(r.by_id.get(&2).map(String::as_str), Some("VIP"));
        assert_eq!(r.by_id.get(&0).map(String::as_str), Some("Lapsed"));
        assert_eq!(r.by_id.len(), 2);
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    /// Two names whose groups merged into one: the closer keeps it, the other is dropped with
    /// a note naming it; a name from another feature set is dropped too; a numeric rename
    /// fills a free id, with its warning.
    #[test]
    fn lost_segments_drop_their_names_with_a_note() {
        let mut other_space = named("Old", &[1.0, 1.0]);
        other_space.columns = vec!["x".into(), "y".into()];
        let names = [
            named("A", &[0.0, 0.2]),
            named("B", &[0.0, -0.9]),
            other_space,
        ];
        let centroids = [0.0, 0.0, 10.0, 10.0];
        let columns = cols();
        let now = CurrentSegments {
            centroids: &centroids,
            sizes: &[80, 20],
            columns: &columns,
        };
        let numeric = BTreeMap::from([(1, "Far".to_string()), (7, "Gone".to_string())]);
        let r = resolve(&names, &numeric, &now);
        assert_eq!(r.by_id.get(&0).map(String::as_str), Some("A"));
        assert_eq!(r.by_id.get(&1).map(String::as_str), Some("Far"));
        let notes = r.notes.join("\n");
        assert!(
            notes.contains("'B'") && notes.contains("no close match"),
            "{notes}"
        );
        assert!(notes.contains("'Old'") && notes.contains("x, y"), "{notes}");
        assert!(
            notes.contains("segment 1 is named 'Far' by number"),
            "{notes}"
        );
        assert!(!notes.contains("Gone"), "{notes}");
    }

    /// Pinning replaces the segment's earlier name and its numeric rename.
    #[test]
    fn pin_keeps_one_name_per_segment() {
        let centroids = [0.0, 0.0, 5.0, 5.0];
        let columns = cols();
        let now = CurrentSegments {
            centroids: &centroids,
            sizes: &[6, 4],
            columns: &columns,
        };
        let mut names = vec![named("First", &[5.1, 4.9])];
        let mut numeric = BTreeMap::from([("1".to_string(), "Num".to_string())]);
        pin(&mut names, &mut numeric, &now, 1, "Second".into());
        assert!(numeric.is_empty());
        assert_eq!(names.len(), 1);
        assert_eq!(names[0].name, "Second");
        assert_eq!(names[0].centroid, vec![5.0, 5.0]);
        assert_eq!(names[0].size, 4);
    }
}
