//! The charts of a run: which chart files exist depends on the algorithm and the recipe.

use super::charts;
use seglab_engine::matrix::Matrix;
use seglab_engine::outcome::RunOutcome;
use seglab_engine::profile::{CategoryValue, SegmentProfile};
use seglab_engine::reduce::pca::{Keep, PcaError, PcaParams};
use seglab_engine::segment::Algorithm;
use seglab_engine::segmenting::Segmented;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Rows of the profile heatmap at most: the features whose segments differ most.
pub const HEATMAP_MAX_FEATURES: usize = 40;

/// Components drawn in the scree chart at most.
pub const SCREE_MAX_COMPONENTS: usize = 50;

/// Errors name chart files relative to the run folder (`charts/…`), never the staging folder.
pub fn write_all(
    dir: &Path,
    outcome: &RunOutcome,
    s: &Segmented,
) -> Result<Vec<PathBuf>, charts::ChartError> {
    let base = dir.parent().unwrap_or(dir);
    draw_all(dir, outcome, s).map_err(|e| e.relative_to(base))
}

fn draw_all(
    dir: &Path,
    outcome: &RunOutcome,
    s: &Segmented,
) -> Result<Vec<PathBuf>, charts::ChartError> {
    std::fs::create_dir_all(dir).map_err(|e| charts::ChartError::Io {
        path: dir.to_owned(),
        source: e,
    })?;
    let mut files = Vec::new();
    let seg = &s.segmentation;
    let names: Vec<String> = (0..seg.k)
        .map(|id| outcome.model.name_of(id).to_string())
        .collect();
    if let Some(sweep) = &seg.sweep {
        let ks: Vec<usize> = sweep.rows.iter().map(|r| r.k).collect();
        let inertia: Vec<f64> = sweep.rows.iter().map(|r| r.inertia).collect();
        files.extend(charts::elbow(dir, &ks, &inertia, seg.k)?);
        let sil: Vec<f64> = sweep
            .rows
            .iter()
            .map(|r| r.silhouette.unwrap_or(f64::NAN))
            .collect();
        // Undefined for every k (e.g. all rows alike): no curve to draw.
        if sil.iter().any(|v| v.is_finite()) {
            files.extend(charts::silhouette_vs_k(dir, &ks, &sil, seg.k)?);
        }
    }
    // The exact values only (every row, or the seeded sample): the simplified silhouette of the
    // other rows is another measure and would blur the picture.
    let (labels, samples): (Vec<usize>, Vec<f64>) = seg
        .labels
        .iter()
        .zip(&seg.silhouette)
        .zip(&seg.silhouette_exact)
        .filter_map(|((l, s), &exact)| if exact { Some(((*l)?, (*s)?)) } else { None })
        .unzip();
    if !samples.is_empty() {
        files.extend(charts::silhouette_plot(
            dir, &labels, &samples, seg.k, &names,
        )?);
    }
    // The cheap default picture: the first two principal components of the clustered space
    // (none when the space is beyond the PCA bound; the run's notes say so).
    let params = PcaParams {
        keep: Keep::Count(2.min(s.n_cols)),
    };
    let picture = Matrix::new(&s.space, s.n_cols)
        .map_err(PcaError::from)
        .and_then(|m| params.fit(m));
    if let Ok(p) = picture {
        let xy2 = p.transform(&s.space);
        let w = p.n_kept.max(1);
        let xy: Vec<(f64, f64)> = xy2
            .chunks(w)
            .map(|c| (c[0], c.get(1).copied().unwrap_or(0.0)))
            .collect();
        files.extend(charts::scatter_2d(
            dir,
            &xy,
            &seg.labels,
            &names,
            "PC 1",
            "PC 2",
        )?);
        let shown = p.explained_variance_ratio.len().min(SCREE_MAX_COMPONENTS);
        files.extend(charts::scree(dir, &p.explained_variance_ratio[..shown])?);
    }
    if let Some(t) = &s.tsne {
        let labels: Vec<Option<usize>> = t.rows.iter().map(|&r| seg.labels[r]).collect();
        files.extend(charts::scatter_2d_as(
            dir, "tsne", &t.xy, &labels, &names, "t-SNE 1", "t-SNE 2",
        )?);
    }
    match seg.algorithm {
        Algorithm::Hierarchical if !seg.linkage.is_empty() => {
            let leaves = seg.linkage.len() + 1;
            files.extend(charts::dendrogram(dir, &seg.linkage, leaves, None)?);
        }
        Algorithm::Dbscan if !seg.k_distance.is_empty() => {
            let eps = Some(outcome.model.recipe.cluster.eps);
            files.extend(charts::k_distance(
                dir,
                &seg.k_distance,
                outcome.model.recipe.cluster.min_points,
                eps,
            )?);
        }
        _ => {}
    }
    // Heatmap: each segment's z-score per feature (original-unit profiles); a category feature
    // (a one-hot group) as one row per value, "Contract = Month-to-month", with the z of its
    // share, so the mix reads at a glance and no dummy column appears.
    let rows: Vec<&SegmentProfile> = outcome.profiles.iter().filter(|p| !p.noise).collect();
    // One lookup per segment: a wide table has too many features to search by name each time.
    let z_by_name: Vec<HashMap<String, f64>> = rows.iter().map(|p| heatmap_z(p)).collect();
    let z = |seg: usize, f: &str| z_by_name[seg].get(f).copied().unwrap_or(0.0);
    let all = heatmap_rows(&outcome.model.fitted.numeric, &rows);
    let features = heatmap_features(&all, |f| {
        (0..rows.len())
            .map(|seg| z(seg, f).abs())
            .fold(0.0, f64::max)
    });
    if !features.is_empty() && !rows.is_empty() {
        let mut values = Vec::with_capacity(rows.len() * features.len());
        for seg in 0..rows.len() {
            for f in &features {
                values.push(z(seg, f));
            }
        }
        let seg_names: Vec<String> = rows
            .iter()
            .map(|p| outcome.model.name_of(p.id).to_string())
            .collect();
        files.extend(charts::profile_heatmap(
            dir, &seg_names, &features, &values,
        )?);
    }
    Ok(files)
}

/// A segment's z per heatmap row: numbers by name, category values as "column = value".
fn heatmap_z(p: &SegmentProfile) -> HashMap<String, f64> {
    let numbers = p
        .numeric
        .iter()
        .map(|f| (f.name.clone(), f.z.unwrap_or(0.0)));
    let values = p.top_categories.iter().flat_map(|c| {
        c.top
            .iter()
            .chain(&c.rest)
            .map(|v| (format!("{} = {}", c.column, v.value), v.z))
    });
    numbers.chain(values).collect()
}

/// The heatmap's candidate rows: the number features, then each category feature's values,
/// most common overall first.
fn heatmap_rows(numeric: &[String], profiles: &[&SegmentProfile]) -> Vec<String> {
    let mut out = numeric.to_vec();
    let mut seen: Vec<&str> = Vec::new();
    // A segment without any value in a column has no statistic for it: look at every segment.
    for c in profiles.iter().flat_map(|p| &p.top_categories) {
        if seen.contains(&c.column.as_str()) {
            continue;
        }
        seen.push(&c.column);
        let mut values: Vec<&CategoryValue> = c.top.iter().chain(&c.rest).collect();
        values.sort_by(|a, b| {
            b.population_share
                .total_cmp(&a.population_share)
                .then_with(|| a.value.cmp(&b.value))
        });
        out.extend(values.iter().map(|v| format!("{} = {}", c.column, v.value)));
    }
    out
}

/// The heatmap's features in their order: all of them, or the `HEATMAP_MAX_FEATURES` with the
/// largest `spread` (a wide table would make a picture thousands of rows tall).
fn heatmap_features(all: &[String], spread: impl Fn(&str) -> f64) -> Vec<String> {
    if all.len() <= HEATMAP_MAX_FEATURES {
        return all.to_vec();
    }
    let mut order: Vec<(usize, f64)> = all
        .iter()
        .enumerate()
        .map(|(i, f)| (i, spread(f)))
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut keep: Vec<usize> = order
        .iter()
        .take(HEATMAP_MAX_FEATURES)
        .map(|(i, _)| *i)
        .collect();
    keep.sort_unstable();
    keep.into_iter().map(|i| all[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use seglab_engine::profile::CategoryStat;

    fn value(value: &str, population_share: f64, z: f64) -> CategoryValue {
        CategoryValue {
            value: value.into(),
            count: 1,
            share: 0.5,
            population_share,
            lift: 0.5 / population_share,
            z,
        }
    }

    #[test]
    fn a_category_feature_is_one_heatmap_row_per_value_most_common_first() {
        let p = SegmentProfile {
            id: 0,
            noise: false,
            size: 2,
            share: 1.0,
            numeric: vec![],
            top_categories: vec![CategoryStat {
                column: "Contract".into(),
                top: vec![value("Two year", 0.25, 1.2)],
                rest: vec![
                    value("Month-to-month", 0.55, -0.8),
                    value("One year", 0.2, 0.1),
                ],
            }],
            other_numeric: vec![],
            other_categories: vec![],
            distinguishing: vec![],
        };
        let rows = heatmap_rows(&["tenure".to_string()], &[&p]);
        assert_eq!(
            rows,
            [
                "tenure",
                "Contract = Month-to-month",
                "Contract = Two year",
                "Contract = One year"
            ]
        );
        let z = heatmap_z(&p);
        assert_eq!(z["Contract = Month-to-month"], -0.8);
        assert_eq!(z["Contract = Two year"], 1.2);
    }

    #[test]
    fn heatmap_keeps_the_features_that_differ_most_in_their_order() {
        let few: Vec<String> = (0..3).map(|i| format!("f{i}")).collect();
        assert_eq!(heatmap_features(&few, |_| 0.0), few);
        let many: Vec<String> = (0..100).map(|i| format!("f{i}")).collect();
        // Spread grows with the index: the last 40 are kept, in order.
        let kept = heatmap_features(&many, |f| f[1..].parse::<f64>().unwrap());
        assert_eq!(kept, many[60..].to_vec());
    }
}
