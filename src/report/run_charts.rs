//! The charts of a run: which chart files exist depends on the algorithm and the recipe.

use super::charts;
use super::run_output::RunReport;
use crate::engine::flow::Segmented;
use crate::engine::reduce::pca::{Keep, PcaParams};
use crate::engine::segment::Algorithm;
use std::path::{Path, PathBuf};

pub fn write_all(
    dir: &Path,
    report: &RunReport,
    s: &Segmented,
) -> Result<Vec<PathBuf>, charts::ChartError> {
    std::fs::create_dir_all(dir).map_err(|e| charts::ChartError::Io {
        path: dir.to_owned(),
        source: e,
    })?;
    let mut files = Vec::new();
    let seg = &s.seg;
    let names: Vec<String> = (0..seg.k)
        .map(|id| report.model.name_of(id).to_string())
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
        files.extend(charts::silhouette_vs_k(dir, &ks, &sil, seg.k)?);
    }
    let (labels, samples): (Vec<usize>, Vec<f64>) = seg
        .labels
        .iter()
        .zip(&seg.silhouette)
        .filter_map(|(l, s)| Some(((*l)?, (*s)?)))
        .unzip();
    if !samples.is_empty() {
        files.extend(charts::silhouette_plot(
            dir, &labels, &samples, seg.k, &names,
        )?);
    }
    // The cheap default picture: the first two principal components of the clustered space.
    let picture = PcaParams {
        keep: Keep::Count(2.min(s.n_cols)),
    }
    .fit(&s.space, s.n_cols);
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
        files.extend(charts::scree(dir, &p.explained_variance_ratio)?);
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
            let eps = Some(report.model.recipe.cluster.eps);
            files.extend(charts::k_distance(
                dir,
                &seg.k_distance,
                report.model.recipe.cluster.min_points,
                eps,
            )?);
        }
        _ => {}
    }
    // Heatmap: each segment's z-score per feature (original-unit profiles).
    let features: Vec<String> = report.model.fitted.numeric.clone();
    let rows: Vec<&crate::engine::profile::SegmentProfile> =
        report.profiles.iter().filter(|p| !p.noise).collect();
    if !features.is_empty() && !rows.is_empty() {
        let mut values = Vec::with_capacity(rows.len() * features.len());
        for p in &rows {
            for f in &features {
                values.push(p.metrics(f).and_then(|m| m.z).unwrap_or(0.0));
            }
        }
        let seg_names: Vec<String> = rows
            .iter()
            .map(|p| report.model.name_of(p.id).to_string())
            .collect();
        files.extend(charts::profile_heatmap(
            dir, &seg_names, &features, &values,
        )?);
    }
    Ok(files)
}
