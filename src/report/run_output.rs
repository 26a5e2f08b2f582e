//! What `seglab run` writes into its folder, and the pieces `sweep` and `apply` print or write.

use super::atomic::StagedDir;
use super::clean_output::pretty_json;
use super::pii;
use super::table_files::{write_csv_with, write_parquet};
use crate::engine::flow::Segmented;
use crate::engine::matrix::Matrix;
use crate::engine::model::{Applied, SegmentModel, SegmentName};
use crate::engine::personas::{self, Persona};
use crate::engine::profile::{profile, SegmentProfile};
use crate::engine::reduce::pca::{Keep, PcaError, PcaModel, PcaParams};
use crate::engine::row_status::{count_by_kind, RowStatus, StatusFlag};
use crate::engine::sweep::SweepResult;
use crate::engine::table::{Column, ColumnData, ColumnType, Table};
use crate::recipe::{ExportOptions, Recipe};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// PCA before clustering when the recipe asks for it: (model, data to cluster, its width).
pub fn reduce(
    recipe: &Recipe,
    data: &[f64],
    n_cols: usize,
) -> Result<(Option<PcaModel>, Vec<f64>, usize), String> {
    let r = &recipe.reduce;
    let keep = match (r.pca_components, r.pca_variance) {
        (Some(c), _) => Keep::Count(c),
        (None, Some(v)) => Keep::Variance(v),
        (None, None) => return Ok((None, data.to_vec(), n_cols)),
    };
    let model = Matrix::new(data, n_cols)
        .map_err(PcaError::from)
        .and_then(|m| PcaParams { keep }.fit(m))
        .map_err(|e| format!("reduce: {e}"))?;
    let space = model.transform(data);
    let width = model.n_kept;
    Ok((Some(model), space, width))
}

pub struct RunReport {
    pub profiles: Vec<SegmentProfile>,
    pub personas: Vec<Persona>,
    pub model: SegmentModel,
    pub manifest: Value,
}

fn sha256_of(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        Err(_) => String::new(),
    }
}

impl RunReport {
    pub fn build(
        recipe: &Recipe,
        recipe_path: Option<&Path>,
        input: &Path,
        s: &Segmented,
    ) -> Result<RunReport, String> {
        let prepared = &s.inputs.prepared;
        let fitted = &prepared.fitted;
        let categories: Vec<String> = if recipe.segments.categories.is_empty() {
            fitted.one_hot.iter().map(|o| o.column.clone()).collect()
        } else {
            recipe.segments.categories.clone()
        };
        let profiles = profile(
            &prepared.cleaned,
            &s.seg.labels,
            &fitted.numeric,
            &categories,
        );
        let rules = personas::load_rules(user_personas().as_deref()).map_err(|e| e.to_string())?;
        let mut renames = BTreeMap::new();
        for (id, name) in &recipe.segments.rename {
            let id: usize = id
                .parse()
                .map_err(|_| format!("segments.rename: '{id}' is not a segment number"))?;
            renames.insert(id, name.clone());
        }
        let personas = personas::name_segments(&profiles, &rules, &renames);
        let segments = personas
            .iter()
            .filter(|p| p.id < s.seg.k)
            .map(|p| SegmentName {
                id: p.id,
                name: p.name.clone(),
            })
            .collect();
        let model = SegmentModel {
            schema_version: crate::engine::model::SCHEMA_VERSION,
            seglab_version: env!("CARGO_PKG_VERSION").to_string(),
            recipe: recipe.clone(),
            fitted: fitted.clone(),
            pca: s.pca.clone(),
            algorithm: s.seg.algorithm,
            n_cols: s.n_cols,
            centroids: s.seg.centroids.clone(),
            core_points: s.seg.core_points.clone(),
            segments,
            ranges: crate::engine::model::training_ranges(&prepared.cleaned, &fitted.numeric),
        };
        let mut inputs = vec![input.to_owned()];
        if let Some(t) = crate::engine::flow::transactions_path(recipe, recipe_path, None) {
            inputs.push(t);
        }
        let manifest = json!({
            "seglab_version": env!("CARGO_PKG_VERSION"),
            "recipe": recipe,
            "inputs": inputs.iter().map(|p| json!({"file": p.display().to_string(), "sha256": sha256_of(p)})).collect::<Vec<_>>(),
            "rows": prepared.row_counts.iter().map(|(step, n)| json!({"step": step, "rows": n})).collect::<Vec<_>>(),
            "seed": recipe.seed,
            "algorithm": s.seg.algorithm,
            "k": s.seg.k,
            "silhouette": s.seg.silhouette_mean,
            "silhouette_rows": s.seg.silhouette_rows,
            "notes": s.seg.notes,
            "status": count_by_kind(&run_status(s)),
            "dbscan_model": s.seg.core_sample.as_ref().map(|c| json!({
                "core_points": c.core_rows,
                "stored": c.stored,
                "rows_labelled_differently_by_model": c.relabelled,
            })),
            "export": pii::manifest_entry(&recipe.export, &pii::detect(&prepared.cleaned, fitted.id.as_deref())),
            "seconds": s.seconds.iter().map(|(k, v)| json!({"step": k, "seconds": v})).collect::<Vec<_>>(),
        });
        Ok(RunReport {
            profiles,
            personas,
            model,
            manifest,
        })
    }

    pub fn summary(&self) -> String {
        let mut out = format!("{} segments:\n", self.model.segments.len());
        for p in &self.profiles {
            let name = self
                .personas
                .iter()
                .find(|x| x.id == p.id)
                .map_or("", |x| x.name.as_str());
            out.push_str(&format!(
                "  {:>2}  {:<26} {:>7} customers ({:>5.1}%)\n",
                if p.noise {
                    "-".to_string()
                } else {
                    p.id.to_string()
                },
                name,
                p.size,
                p.share * 100.0
            ));
        }
        if let Some(counts) = self.manifest["status"].as_object() {
            let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            out.push_str(&format!("status: {}\n", parts.join(", ")));
        }
        out
    }
}

/// A user's own naming rules in the config folder replace the built-in ones.
fn user_personas() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "seglab")?;
    let p = dirs.config_dir().join("personas.toml");
    p.exists().then_some(p)
}

/// The status of each row of a run's segments.csv: the cleaned rows (`imputed` where a feature
/// gap was filled), then the rows cleaning removed (`merged_into:<id>`, `outlier_dropped`, …).
fn run_status(s: &Segmented) -> Vec<RowStatus> {
    let prepared = &s.inputs.prepared;
    prepared
        .imputed
        .iter()
        .map(|&filled| {
            let mut st = RowStatus::ok();
            if filled {
                st.add(StatusFlag::Imputed);
            }
            st
        })
        .chain(prepared.removed.statuses().cloned())
        .collect()
}

/// The columns `labelled` adds.
pub const LABEL_COLUMNS: [&str; 4] = ["segment_id", "segment_name", "status", "silhouette"];

/// The input rows with their segment id, name, status and silhouette. Label columns the input
/// already has (last month's segments.csv) are replaced, not duplicated. A row whose status takes
/// it out of the segments (unscorable) has an empty id and name; DBSCAN noise is -1, "noise".
fn labelled(
    table: &Table,
    ids: &[Option<usize>],
    status: &[RowStatus],
    name_of: impl Fn(usize) -> String,
    silhouette: Option<&[Option<f64>]>,
) -> Table {
    let mut t = table.clone();
    t.columns
        .retain(|c| !LABEL_COLUMNS.contains(&c.name.as_str()));
    let segmented = |r: usize| status.get(r).is_none_or(RowStatus::keeps_segment);
    t.columns.push(Column::new(
        "segment_id",
        ColumnType::Integer,
        ColumnData::Number(
            ids.iter()
                .enumerate()
                .map(|(r, l)| segmented(r).then(|| l.map_or(-1.0, |l| l as f64)))
                .collect(),
        ),
    ));
    let names: crate::engine::table::TextColumn = ids
        .iter()
        .enumerate()
        .map(|(r, l)| segmented(r).then(|| l.map_or("noise".to_string(), &name_of)))
        .collect();
    t.columns.push(Column::new(
        "segment_name",
        ColumnType::Category,
        ColumnData::Text(names),
    ));
    let status: crate::engine::table::TextColumn = (0..ids.len())
        .map(|r| Some(status.get(r).map_or("ok".to_string(), RowStatus::to_string)))
        .collect();
    t.columns.push(Column::new(
        "status",
        ColumnType::Category,
        ColumnData::Text(status),
    ));
    if let Some(s) = silhouette {
        t.columns.push(Column::new(
            "silhouette",
            ColumnType::Number,
            ColumnData::Number(s.to_vec()),
        ));
    }
    t
}

/// Which of the optional files an export writes. Personas, sweep, manifest and model are always
/// written: they are small, and `apply` and a rerun need them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportFormats {
    pub csv: bool,
    pub parquet: bool,
    /// PNG and SVG charts.
    pub charts: bool,
}

impl Default for ExportFormats {
    fn default() -> Self {
        ExportFormats {
            csv: true,
            parquet: true,
            charts: true,
        }
    }
}

/// Everything a run writes (what `seglab run` does).
pub fn write(out: &Path, report: &RunReport, s: &Segmented) -> io::Result<PathBuf> {
    write_formats(out, report, s, ExportFormats::default())
}

pub fn write_formats(
    out: &Path,
    report: &RunReport,
    s: &Segmented,
    formats: ExportFormats,
) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    let name_of = |id: usize| report.model.name_of(id).to_string();
    // Every input row is listed: the removed ones after the segmented ones, with no segment.
    let removed = &s.inputs.prepared.removed;
    let extra = removed.len();
    let rows = removed.appended_to(&s.inputs.prepared.cleaned);
    let ids: Vec<Option<usize>> = s
        .seg
        .labels
        .iter()
        .copied()
        .chain(vec![None; extra])
        .collect();
    let silhouette: Vec<Option<f64>> = s
        .seg
        .silhouette
        .iter()
        .copied()
        .chain(vec![None; extra])
        .collect();
    let table = labelled(&rows, &ids, &run_status(s), name_of, Some(&silhouette));
    let model = &report.model;
    write_segments(
        &dir,
        table,
        model.fitted.id.as_deref(),
        &model.recipe.export,
        formats,
    )?;
    // Units the data itself implies; money columns stay unit-less (the currency is not known).
    let units: BTreeMap<String, String> = report
        .model
        .fitted
        .numeric
        .iter()
        .filter_map(|f| match f.as_str() {
            "age" => Some((f.clone(), "years".to_string())),
            _ if f.ends_with("_days") => Some((f.clone(), "days".to_string())),
            _ => None,
        })
        .collect();
    dir.write(
        "personas.md",
        crate::report::personas::markdown(&report.profiles, &report.personas, &units).as_bytes(),
    )?;
    dir.write(
        "personas.json",
        pretty_json(&crate::report::personas::json(
            &report.profiles,
            &report.personas,
            &units,
        ))
        .as_bytes(),
    )?;
    if let Some(sweep) = &s.seg.sweep {
        dir.write("sweep.csv", sweep_csv(sweep).as_bytes())?;
    }
    dir.write("manifest.json", pretty_json(&report.manifest).as_bytes())?;
    if let Some(p) = &s.pca {
        dir.write(
            "pca.json",
            pretty_json(&pca_summary(p, &s.inputs.prepared.features.names)).as_bytes(),
        )?;
    }
    dir.write("model.json", pretty_json(&report.model).as_bytes())?;
    if formats.charts {
        super::run_charts::write_all(&dir.path("charts"), report, s)
            .map_err(|e| io::Error::other(e.to_string()))?;
    }
    dir.commit()
}

/// segments.csv / .parquet, the files meant to leave the machine: personal data handled as
/// `[export] pii` says, formulas escaped in the CSV unless `formula_escape = false`.
fn write_segments(
    dir: &StagedDir,
    mut table: Table,
    id: Option<&str>,
    export: &ExportOptions,
    formats: ExportFormats,
) -> io::Result<()> {
    pii::protect(&mut table, id, export).map_err(io::Error::other)?;
    if formats.csv {
        dir.write_with("segments.csv", |w| {
            write_csv_with(&table, w, export.formula_escape)
        })?;
    }
    if formats.parquet {
        dir.write_with("segments.parquet", |w| write_parquet(&table, w))?;
    }
    Ok(())
}

/// Scree data and loadings with feature names: what an analyst reads to name components.
fn pca_summary(p: &PcaModel, features: &[String]) -> Value {
    let mut cumulative = 0.0;
    let scree: Vec<Value> = p
        .explained_variance_ratio
        .iter()
        .enumerate()
        .map(|(i, r)| {
            cumulative += r;
            json!({"component": i + 1, "explained_variance_ratio": r, "cumulative": cumulative})
        })
        .collect();
    let loadings = p.loadings();
    let d = features.len().max(1);
    let components: Vec<Value> = loadings
        .chunks(d)
        .take(p.n_kept)
        .enumerate()
        .map(|(i, row)| {
            let by_feature: serde_json::Map<String, Value> = features
                .iter()
                .zip(row)
                .map(|(f, v)| (f.clone(), json!(v)))
                .collect();
            json!({"component": i + 1, "loadings": by_feature})
        })
        .collect();
    json!({"kept": p.n_kept, "scree": scree, "components": components})
}

/// `apply`'s folder: segments.csv/.parquet with a status per row, and a manifest with the
/// status counts and the unscorable rows' reasons.
pub fn write_applied(
    out: &Path,
    model: &SegmentModel,
    table: &Table,
    applied: &Applied,
    manifest: &Value,
) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    let t = labelled(
        table,
        &applied.labels,
        &applied.status,
        |id| model.name_of(id).to_string(),
        None,
    );
    let export = &model.recipe.export;
    write_segments(
        &dir,
        t,
        model.fitted.id.as_deref(),
        export,
        ExportFormats::default(),
    )?;
    dir.write("manifest.json", pretty_json(manifest).as_bytes())?;
    dir.commit()
}

pub fn sweep_json(s: &SweepResult) -> Value {
    json!({
        "recommended_k": s.recommended_k,
        "rule": s.rule,
        "silhouette_sample_size": s.silhouette_sample_size,
        "results": s.rows,
    })
}

fn sweep_csv(s: &SweepResult) -> String {
    let mut out = String::from("k,inertia,silhouette,davies_bouldin,calinski_harabasz,dunn\n");
    let f = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
    for r in &s.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{}\n",
            r.k,
            r.inertia,
            f(r.silhouette),
            f(r.davies_bouldin),
            f(r.calinski_harabasz),
            f(r.dunn)
        ));
    }
    out
}

pub fn sweep_table(s: &SweepResult) -> String {
    let f = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.4}"));
    let mut out = format!(
        "{:>3} {:>16} {:>11} {:>15} {:>18} {:>8}\n",
        "k", "inertia", "silhouette", "davies_bouldin", "calinski_harabasz", "dunn"
    );
    for r in &s.rows {
        let mark = if r.k == s.recommended_k { " ←" } else { "" };
        out.push_str(&format!(
            "{:>3} {:>16.2} {:>11} {:>15} {:>18} {:>8}{mark}\n",
            r.k,
            r.inertia,
            f(r.silhouette),
            f(r.davies_bouldin),
            f(r.calinski_harabasz),
            f(r.dunn)
        ));
    }
    out.push_str(&format!(
        "recommended k = {}: {}\n",
        s.recommended_k, s.rule
    ));
    if let Some(n) = s.silhouette_sample_size {
        out.push_str(&format!(
            "silhouette and Dunn on a seeded sample of {n} rows\n"
        ));
    }
    out
}
