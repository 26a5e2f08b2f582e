//! `seglab run`, `seglab sweep`, `seglab apply`: from a feature table to labelled segments.

use super::flags::RunFlags;
use super::prepare::{bar, prepare_inputs, PreparedInputs};
use super::{load_recipe, CliError};
use crate::engine::behaviour::summarize;
use crate::engine::job::JobControl;
use crate::engine::load::load;
use crate::engine::model::SegmentModel;
use crate::engine::pipeline::STEPS;
use crate::engine::reduce::tsne::TsneParams;
use crate::engine::segment::{segment, Segmentation};
use crate::recipe::Recipe;
use crate::report::atomic::StagedDir;
use crate::report::run_output::{self, RunReport};
use std::path::Path;
use std::time::Instant;

/// 2-D t-SNE points and the input rows they stand for.
pub struct TsnePicture {
    pub xy: Vec<(f64, f64)>,
    pub rows: Vec<usize>,
}

/// Data layer, optional PCA, then segmentation: what `run` and `sweep` share.
pub struct Segmented {
    pub inputs: PreparedInputs,
    pub pca: Option<crate::engine::reduce::pca::PcaModel>,
    /// The matrix clustered (after PCA when used), row-major.
    pub space: Vec<f64>,
    pub n_cols: usize,
    pub seg: Segmentation,
    /// t-SNE picture (when the recipe asks).
    pub tsne: Option<TsnePicture>,
    pub seconds: Vec<(String, f64)>,
}

pub fn segment_inputs(
    recipe: &mut Recipe,
    recipe_path: Option<&Path>,
    input: &Path,
    flags: &RunFlags,
) -> Result<Segmented, CliError> {
    let t0 = Instant::now();
    let bar = bar(STEPS.len() + 3);
    let inputs = prepare_inputs(
        recipe,
        recipe_path,
        input,
        flags.transactions.as_deref(),
        &bar,
    )?;
    let t1 = Instant::now();
    bar.set_message("cluster");
    let f = &inputs.prepared.features;
    let (pca, space, n_cols) =
        run_output::reduce(recipe, &f.data, f.names.len()).map_err(|e| CliError::Run {
            path: input.to_owned(),
            message: e,
        })?;
    let job = JobControl::new();
    let mut seg =
        segment(&space, n_cols, &recipe.cluster, recipe.seed, &job).map_err(|e| CliError::Run {
            path: input.to_owned(),
            message: e.to_string(),
        })?;
    let tsne = if recipe.reduce.tsne {
        bar.set_message("t-SNE picture");
        let params = TsneParams {
            perplexity: recipe.reduce.perplexity,
            seed: recipe.seed,
            ..TsneParams::default()
        };
        let fit = params
            .fit(&space, n_cols, &job)
            .map_err(|e| CliError::Run {
                path: input.to_owned(),
                message: format!("reduce.tsne: {e}"),
            })?;
        let xy = fit.embedding.chunks(2).map(|p| (p[0], p[1])).collect();
        if fit.rows.len() < space.len() / n_cols.max(1) {
            seg.notes.push(format!(
                "the t-SNE picture shows a seeded sample of {} rows",
                fit.rows.len()
            ));
        }
        Some(TsnePicture { xy, rows: fit.rows })
    } else {
        None
    };
    bar.finish_and_clear();
    let seconds = vec![
        ("prepare".to_string(), (t1 - t0).as_secs_f64()),
        ("cluster".to_string(), t1.elapsed().as_secs_f64()),
    ];
    Ok(Segmented {
        inputs,
        pca,
        space,
        n_cols,
        seg,
        tsne,
        seconds,
    })
}

pub fn cmd_run(
    recipe_path: Option<&Path>,
    input: &Path,
    flags: &RunFlags,
    out: &Path,
) -> Result<(), CliError> {
    let mut recipe = load_recipe(recipe_path)?;
    flags.apply_to(&mut recipe);
    drop(StagedDir::create(out)?);
    let s = segment_inputs(&mut recipe, recipe_path, input, flags)?;
    print!("{}", s.inputs.prepared.log);
    let report =
        RunReport::build(&recipe, recipe_path, input, &s).map_err(|message| CliError::Run {
            path: input.to_owned(),
            message,
        })?;
    let dir = run_output::write(out, &report, &s)?;
    println!("{}", report.summary());
    for note in &s.seg.notes {
        println!("note: {note}");
    }
    println!("wrote {}", dir.display());
    std::mem::forget(s);
    Ok(())
}

pub fn cmd_sweep(
    recipe_path: Option<&Path>,
    input: &Path,
    flags: &RunFlags,
    json: bool,
) -> Result<(), CliError> {
    let mut recipe = load_recipe(recipe_path)?;
    flags.apply_to(&mut recipe);
    // A sweep is about choosing k: ignore a fixed k and always sweep with k-means.
    recipe.cluster.k = None;
    recipe.cluster.algorithm = Default::default();
    let s = segment_inputs(&mut recipe, recipe_path, input, flags)?;
    let Some(sweep) = &s.seg.sweep else {
        return Err(CliError::Run {
            path: input.to_owned(),
            message: "no sweep was run".into(),
        });
    };
    if json {
        println!(
            "{}",
            crate::report::clean_output::pretty_json(&run_output::sweep_json(sweep)).trim_end()
        );
    } else {
        print!("{}", run_output::sweep_table(sweep));
    }
    std::mem::forget(s);
    Ok(())
}

pub fn cmd_apply(
    model_path: &Path,
    input: &Path,
    transactions: Option<&Path>,
    out: &Path,
) -> Result<(), CliError> {
    let text = std::fs::read_to_string(model_path).map_err(|e| CliError::Run {
        path: model_path.to_owned(),
        message: e.to_string(),
    })?;
    let model: SegmentModel = serde_json::from_str(&text).map_err(|e| CliError::Run {
        path: model_path.to_owned(),
        message: format!("not a seglab model: {e}"),
    })?;
    drop(StagedDir::create(out)?);
    let loaded = load(input, &model.recipe.load)?;
    super::print_warnings(&loaded);
    let behaviour = match (transactions, &model.fitted.behaviour) {
        (Some(p), Some(opts)) => {
            let tx = load(p, &Default::default())?;
            super::print_warnings(&tx);
            Some(summarize(&tx.table, opts).map_err(|e| CliError::Pipeline {
                path: p.to_owned(),
                source: e.into(),
            })?)
        }
        _ => None,
    };
    let applied = model
        .apply(&loaded.table, behaviour.as_ref())
        .map_err(|e| CliError::Run {
            path: input.to_owned(),
            message: format!("cannot score these rows: {e}"),
        })?;
    let dir = run_output::write_applied(out, &model, &loaded.table, &applied)?;
    println!(
        "labelled {} rows of {} with {} segments; wrote {}",
        applied.labels.len(),
        input.display(),
        model.segments.len(),
        dir.display()
    );
    Ok(())
}

pub fn cmd_recipe_init(path: &Path) -> Result<(), CliError> {
    let text = include_str!("../../assets/default_recipe.toml");
    crate::report::atomic::write_new_file(path, text.as_bytes())?;
    println!(
        "wrote {} (every key with its default; delete what you do not change)",
        path.display()
    );
    Ok(())
}
