//! What `seglab run` writes into its folder, and the pieces `sweep` and `apply` print or write.

use super::atomic::StagedDir;
use super::clean_output::pretty_json;
use super::input_files::InputFile;
use super::pii;
use super::table_files::{write_csv_with, write_parquet};
use seglab_engine::model::SegmentModel;
use seglab_engine::outcome::RunOutcome;
use seglab_engine::recipe::ExportOptions;
use seglab_engine::reduce::pca::PcaModel;
use seglab_engine::row_status::RowStatus;
use seglab_engine::scoring::{ScoredBatch, UNSCORABLE_RULE};
use seglab_engine::segmenting::Segmented;
use seglab_engine::stability::STABLE;
use seglab_engine::sweep::SweepResult;
use seglab_engine::table::{Column, ColumnData, ColumnType, Table};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// What the manifest says of the inputs: each file and its SHA-256 (`report::input_files`).
pub fn manifest(outcome: &RunOutcome, s: &Segmented, inputs: &[InputFile]) -> Value {
    let recipe = &outcome.model.recipe;
    let prepared = &s.inputs.prepared;
    let seg = &s.segmentation;
    json!({
        "seglab_version": env!("CARGO_PKG_VERSION"),
        "recipe": recipe,
        "inputs": inputs,
        "rows": prepared.row_counts.iter().map(|(step, n)| json!({"step": step, "rows": n})).collect::<Vec<_>>(),
        "seed": recipe.seed,
        "algorithm": seg.algorithm,
        "k": seg.k,
        "silhouette": seg.silhouette_mean,
        "silhouette_rows": seg.silhouette_rows,
        "notes": seg.notes.iter().chain(&outcome.name_notes).collect::<Vec<_>>(),
        "status": outcome.status_counts(),
        "dbscan_model": seg.core_sample.as_ref().map(|c| json!({
            "core_points": c.core_rows,
            "stored": c.stored,
            "rows_labelled_differently_by_model": c.relabelled,
        })),
        "export": pii::manifest_entry(&recipe.export, &pii::detect(&prepared.cleaned, prepared.fitted.id.as_deref())),
        "seconds": s.seconds.iter().map(|(k, v)| json!({"step": k, "seconds": v})).collect::<Vec<_>>(),
    })
}

/// The segments, their sizes and the row statuses, as `run` prints them.
pub fn summary(outcome: &RunOutcome) -> String {
    let mut out = format!("{} segments:\n", outcome.model.segments.len());
    for p in &outcome.profiles {
        let name = outcome
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
    let parts: Vec<String> = outcome
        .status_counts()
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    out.push_str(&format!("status: {}\n", parts.join(", ")));
    out
}

pub use seglab_engine::outcome::LABEL_COLUMNS;

/// The input rows with their segment id, name, status and silhouette. Label columns the input
/// already has (last month's segments.csv) are replaced, not duplicated. A row whose status takes
/// it out of the segments (unscorable) has an empty id and name; DBSCAN noise is -1, "noise".
fn labelled(
    mut t: Table,
    ids: &[Option<usize>],
    status: &[RowStatus],
    name_of: impl Fn(usize) -> String,
    silhouette: Option<&[Option<f64>]>,
) -> Table {
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
    let names: seglab_engine::table::TextColumn = ids
        .iter()
        .enumerate()
        .map(|(r, l)| segmented(r).then(|| l.map_or("noise".to_string(), &name_of)))
        .collect();
    t.columns.push(Column::new(
        "segment_name",
        ColumnType::Category,
        ColumnData::Text(names),
    ));
    let status: seglab_engine::table::TextColumn = (0..ids.len())
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

/// Everything a run writes (what `seglab run` does). `inputs`: the files read, for the manifest.
pub fn write(
    out: &Path,
    outcome: &RunOutcome,
    s: &Segmented,
    inputs: &[InputFile],
) -> io::Result<PathBuf> {
    write_formats(out, outcome, s, inputs, ExportFormats::default())
}

pub fn write_formats(
    out: &Path,
    outcome: &RunOutcome,
    s: &Segmented,
    inputs: &[InputFile],
    formats: ExportFormats,
) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    let name_of = |id: usize| outcome.model.name_of(id).to_string();
    // Every input row is listed: the removed ones after the segmented ones, with no segment.
    let removed = &s.inputs.prepared.removed;
    let extra = removed.len();
    let rows = removed.appended_to(&s.inputs.prepared.cleaned);
    let seg = &s.segmentation;
    let ids = padded(&seg.labels, extra);
    let silhouette = padded(&seg.silhouette, extra);
    // `rows` is already a copy: labelled takes it over instead of copying it again (peak memory).
    let mut table = labelled(rows, &ids, &outcome.status, name_of, Some(&silhouette));
    // How each silhouette was computed: exactly (all rows, or the seeded sample) or from the
    // centroids; empty where there is none.
    let method: seglab_engine::table::TextColumn = silhouette
        .iter()
        .enumerate()
        .map(|(r, v)| {
            v.map(|_| match seg.silhouette_exact.get(r) {
                Some(true) => "exact",
                _ => "centroid",
            })
        })
        .collect();
    table.columns.push(Column::new(
        "silhouette_method",
        ColumnType::Category,
        ColumnData::Text(method),
    ));
    let model = &outcome.model;
    write_segments(
        &dir,
        table,
        model.fitted.id.as_deref(),
        &model.recipe.export,
        formats,
    )?;
    // Units the data itself implies; money columns stay unit-less (the currency is not known).
    let units: BTreeMap<String, String> = outcome
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
    let mut personas_md = super::personas::markdown(
        &outcome.profiles,
        &outcome.personas,
        &outcome.skipped_columns,
        &units,
    );
    if let Some(rfm) = &model.fitted.rfm {
        let cleaned = &s.inputs.prepared.cleaned;
        if let Some(col) = cleaned.column("rfm_segment") {
            let order: Vec<String> = rfm.map.segments.iter().map(|x| x.name.clone()).collect();
            personas_md.push_str(&super::personas::crosstab_markdown(
                "RFM segments",
                &seg.labels,
                |id| outcome.model.name_of(id).to_string(),
                |row| col.data.text_at(row).map(|c| c.into_owned()),
                &order,
            ));
        }
    }
    let mut personas_json = super::personas::json(
        &outcome.profiles,
        &outcome.personas,
        &outcome.skipped_columns,
        &units,
    );
    if let Some(st) = &seg.stability {
        personas_md.push_str(&super::stability_report::markdown(st, name_of));
        super::stability_report::add_to_json(&mut personas_json, st);
    }
    dir.write("personas.md", personas_md.as_bytes())?;
    dir.write("personas.json", pretty_json(&personas_json).as_bytes())?;
    if let Some(sweep) = &seg.sweep {
        dir.write("sweep.csv", sweep_csv(sweep).as_bytes())?;
    }
    dir.write(
        "manifest.json",
        pretty_json(&manifest(outcome, s, inputs)).as_bytes(),
    )?;
    if let Some(p) = &s.pca {
        dir.write(
            "pca.json",
            pretty_json(&pca_summary(p, &s.inputs.prepared.features.names)).as_bytes(),
        )?;
    }
    dir.write("model.json", pretty_json(&outcome.model).as_bytes())?;
    if formats.charts {
        super::run_charts::write_all(&dir.path("charts"), outcome, s)
            .map_err(|e| io::Error::other(e.to_string()))?;
    }
    dir.commit()
}

/// `values` then `extra` empty cells: the removed rows have no label and no silhouette.
fn padded<T: Copy>(values: &[Option<T>], extra: usize) -> Vec<Option<T>> {
    values.iter().copied().chain(vec![None; extra]).collect()
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
    // Side by side: each file is one core's work (a million rows take seconds each).
    let (csv, parquet) = std::thread::scope(|s| {
        let csv = s.spawn(|| {
            if formats.csv {
                dir.write_with("segments.csv", |w| {
                    write_csv_with(&table, w, export.formula_escape)
                })
            } else {
                Ok(())
            }
        });
        let parquet = if formats.parquet {
            dir.write_with("segments.parquet", |w| write_parquet(&table, w))
        } else {
            Ok(())
        };
        (csv.join(), parquet)
    });
    csv.unwrap_or_else(|_| Err(io::Error::other("writing segments.csv failed")))?;
    parquet
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

/// `apply`'s manifest: the model, the input, the status counts and the unscorable rows' reasons.
pub fn applied_manifest(model_path: &Path, model: &SegmentModel, batch: &ScoredBatch) -> Value {
    json!({
        "seglab_version": env!("CARGO_PKG_VERSION"),
        "model": model_path.display().to_string(),
        "model_schema_version": model.schema_version,
        "input": batch.name.display().to_string(),
        "rows": batch.applied.status.len(),
        "status": batch.status_counts(),
        "unscorable_rule": UNSCORABLE_RULE,
        "unscorable": batch.warnings,
        "notes": batch.notes,
    })
}

/// `apply`'s folder: segments.csv/.parquet with a status per row, and its manifest.
pub fn write_applied(
    out: &Path,
    model: &SegmentModel,
    batch: &ScoredBatch,
    manifest: &Value,
) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    let applied = &batch.applied;
    let t = labelled(
        batch.table.clone(),
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
        "stability_sample_size": s.stability_sample.map(|(rows, _)| rows),
        "results": s.rows,
    })
}

fn sweep_csv(s: &SweepResult) -> String {
    let mut out = String::from(
        "k,inertia,silhouette,davies_bouldin,calinski_harabasz,dunn,stability,seed_ari\n",
    );
    let f = |x: Option<f64>| x.map_or(String::new(), |x| format!("{x}"));
    for r in &s.rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            r.k,
            r.inertia,
            f(r.silhouette),
            f(r.davies_bouldin),
            f(r.calinski_harabasz),
            f(r.dunn),
            f(r.stability),
            f(r.seed_ari)
        ));
    }
    out
}

pub fn sweep_table(s: &SweepResult) -> String {
    let f = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.4}"));
    let mut out = format!(
        "{:>3} {:>16} {:>11} {:>15} {:>18} {:>8} {:>10} {:>9}\n",
        "k",
        "inertia",
        "silhouette",
        "davies_bouldin",
        "calinski_harabasz",
        "dunn",
        "stability",
        "seed_ari"
    );
    for r in &s.rows {
        let mark = if r.k == s.recommended_k { " ←" } else { "" };
        out.push_str(&format!(
            "{:>3} {:>16.2} {:>11} {:>15} {:>18} {:>8} {:>10} {:>9}{mark}\n",
            r.k,
            r.inertia,
            f(r.silhouette),
            f(r.davies_bouldin),
            f(r.calinski_harabasz),
            f(r.dunn),
            f(r.stability),
            f(r.seed_ari)
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
    if let Some((rows, of)) = s.stability_sample {
        out.push_str(&format!(
            "stability and seed_ari on a seeded sample of {rows} of {of} rows\n"
        ));
    }
    let chosen = s.rows.iter().find(|r| r.k == s.recommended_k);
    if let Some(st) = chosen.and_then(|r| r.stability).filter(|&st| st < STABLE) {
        out.push_str(&format!(
            "warning: the recommended k = {} is unstable: mean clusterboot Jaccard {st:.2} \
             (>= {STABLE} is stable); its segments may not come back on new data\n",
            s.recommended_k
        ));
    }
    out
}
