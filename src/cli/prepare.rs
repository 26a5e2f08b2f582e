//! The CLI face of `engine::inputs::prepare_inputs`: a progress bar on a terminal, warnings on
//! stderr. Shared by `clean` and `run`.

use super::CliError;
use crate::engine::inputs::{self, transactions_path, PreparedInputs, PREPARE_STAGES};
use crate::engine::load::Source;
use crate::recipe::Recipe;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};

pub fn bar(len: usize) -> ProgressBar {
    // Hidden by indicatif when stderr is not a terminal.
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

/// The files a run reads: the customers (none when they come from the log), the transaction
/// log (`--transactions`, else the recipe's file relative to the recipe) and the web events.
pub fn input_files(
    recipe: &Recipe,
    recipe_path: Option<&Path>,
    input: Option<&Path>,
    transactions: Option<&Path>,
) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = input.map(Path::to_owned).into_iter().collect();
    files.extend(transactions_path(recipe, recipe_path, transactions));
    // `Recipe::from_file` made the events file's path absolute (next to the recipe).
    files.extend(
        recipe
            .events
            .as_ref()
            .and_then(|e| e.file.as_ref())
            .map(PathBuf::from),
    );
    files
}

/// `input` None: the customers are built from the transaction log.
pub fn prepare_inputs(
    recipe: &mut Recipe,
    recipe_path: Option<&Path>,
    input: Option<&Path>,
    transactions: Option<&Path>,
    with_report: bool,
    bar: &ProgressBar,
) -> Result<PreparedInputs, CliError> {
    debug_assert!(bar.length().unwrap_or(0) >= PREPARE_STAGES as u64);
    let log = transactions_path(recipe, recipe_path, transactions).map(Source::Path);
    crate::config::use_user_rfm_map(recipe, log.is_some())?;
    let input = input.map(|p| Source::Path(p.to_owned()));
    let inputs = inputs::prepare_inputs(recipe, input, log, with_report, &mut |i, msg| {
        bar.set_position(i as u64);
        bar.set_message(msg.to_string());
    })?;
    bar.suspend(|| {
        for w in &inputs.warnings {
            eprintln!("warning: {w}");
        }
    });
    Ok(inputs)
}
