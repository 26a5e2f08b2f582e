//! `seglab run`, `seglab sweep`, `seglab apply`: from a feature table to labelled segments.

use super::flags::RunFlags;
use super::prepare::{bar, input_files, prepare_inputs};
use super::{load_recipe, CliError};
use crate::engine::inputs::PREPARE_STAGES;
use crate::engine::job::JobControl;
use crate::engine::load::{load, Source};
use crate::engine::model::SegmentModel;
use crate::engine::outcome::RunOutcome;
use crate::engine::scoring::score_batch;
use crate::engine::segmenting::{check_settings, segment_prepared, Segmented};
use crate::recipe::Recipe;
use crate::report::atomic::check_target;
use crate::report::{input_files, run_output};
use std::path::Path;
use std::time::Instant;

/// Inputs prepared with a progress bar, then `engine::segmenting::segment_prepared`.
pub fn segment_inputs(
    recipe: &mut Recipe,
    recipe_path: Option<&Path>,
    input: Option<&Path>,
    flags: &RunFlags,
) -> Result<Segmented, CliError> {
    // Settings no data can satisfy are refused before any file is read.
    check_settings(recipe)?;
    let t0 = Instant::now();
    let bar = bar(PREPARE_STAGES + 1);
    let inputs = prepare_inputs(
        recipe,
        recipe_path,
        input,
        flags.transactions.as_deref(),
        false,
        &bar,
    )?;
    bar.set_position(PREPARE_STAGES as u64);
    bar.set_message(if recipe.reduce.tsne {
        "cluster, t-SNE picture"
    } else {
        "cluster"
    });
    let prepare_seconds = t0.elapsed().as_secs_f64();
    let s = segment_prepared(
        recipe,
        std::sync::Arc::new(inputs),
        prepare_seconds,
        &JobControl::new(),
    )?;
    bar.finish_and_clear();
    Ok(s)
}

/// `input` None: customers from the `--transactions` log.
pub fn cmd_run(
    recipe_path: Option<&Path>,
    input: Option<&Path>,
    flags: &RunFlags,
    out: &Path,
) -> Result<(), CliError> {
    let mut recipe = load_recipe(recipe_path)?;
    flags.apply_to(&mut recipe);
    check_target(out)?;
    let s = segment_inputs(&mut recipe, recipe_path, input, flags)?;
    print!("{}", s.inputs.prepared.log);
    let rules = crate::config::persona_rules()?;
    let outcome = RunOutcome::build(&recipe, &s, &rules).map_err(|source| CliError::Outcome {
        path: s.inputs.name.clone(),
        source,
    })?;
    let files = input_files(&recipe, recipe_path, input, flags.transactions.as_deref());
    let dir = run_output::write(out, &outcome, &s, &input_files::describe(&files))?;
    println!("{}", run_output::summary(&outcome));
    for note in s.segmentation.notes.iter().chain(&outcome.name_notes) {
        // A note that is a warning already says so.
        match note.starts_with("warning: ") {
            true => println!("{note}"),
            false => println!("note: {note}"),
        }
    }
    println!("wrote {}", dir.display());
    // The process ends next; freeing millions of cells one by one would only delay the exit.
    std::mem::forget(s);
    Ok(())
}

pub fn cmd_sweep(
    recipe_path: Option<&Path>,
    input: Option<&Path>,
    flags: &RunFlags,
    json: bool,
) -> Result<(), CliError> {
    let mut recipe = load_recipe(recipe_path)?;
    flags.apply_to(&mut recipe);
    // A sweep is about choosing k: ignore a fixed k and always sweep with k-means.
    recipe.cluster.k = None;
    recipe.cluster.algorithm = Default::default();
    let s = segment_inputs(&mut recipe, recipe_path, input, flags)?;
    let Some(sweep) = &s.segmentation.sweep else {
        return Err(CliError::NoSweep {
            path: s.inputs.name.clone(),
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
    // As in `cmd_run`: the process ends next.
    std::mem::forget(s);
    Ok(())
}

pub fn cmd_apply(
    model_path: &Path,
    input: &Path,
    transactions: Option<&Path>,
    as_of: Option<&str>,
    out: &Path,
    export: &super::flags::ExportFlags,
) -> Result<(), CliError> {
    let text = std::fs::read_to_string(model_path).map_err(|source| CliError::ReadModel {
        path: model_path.to_owned(),
        source,
    })?;
    let (mut model, model_notes) =
        SegmentModel::from_json(&text).map_err(|source| CliError::Model {
            path: model_path.to_owned(),
            source,
        })?;
    export.apply_to(&mut model.recipe.export);
    if let Some(day) = as_of {
        // Checked like the recipe's: a date that does not parse stops here, naming the flag.
        chrono::NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
            .map_err(|_| CliError::Rfm(super::rfm_cmd::RfmCmdError::AsOf(day.to_string())))?;
        model.fitted.as_of = day.trim().to_string();
    }
    check_target(out)?;
    // Last month's segments.csv, written by seglab with formulas escaped, reads back exactly.
    let mut loaded = load(input, &model.recipe.load)?;
    crate::report::formula::undo_escape_of_seglab_output(input, &mut loaded.table);
    super::print_warnings(&loaded);
    let input_source = Source::Table {
        name: input.to_owned(),
        table: loaded.table,
    };
    let batch = score_batch(
        &model,
        model_notes,
        input_source,
        transactions.map(|p| Source::Path(p.to_owned())),
    )?;
    for w in &batch.load_warnings {
        eprintln!("warning: {w}");
    }
    let manifest = run_output::applied_manifest(model_path, &model, &batch);
    let dir = run_output::write_applied(out, &model, &batch, &manifest)?;
    for w in &batch.warnings {
        println!("warning: {w}");
    }
    for note in &batch.notes {
        println!("note: {note}");
    }
    println!(
        "labelled {} of {} rows of {} with {} segments; status: {}; wrote {}",
        batch.scored_rows(),
        batch.applied.status.len(),
        input.display(),
        model.segments.len(),
        batch
            .status_counts()
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
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
