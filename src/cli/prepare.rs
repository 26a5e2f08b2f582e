//! The CLI face of `engine::flow::prepare_inputs`: a progress bar on a terminal, warnings on
//! stderr. Shared by `clean` and `run`.

use super::CliError;
use crate::engine::flow::{self, PreparedInputs, PREPARE_STAGES};
use crate::recipe::Recipe;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;

pub fn bar(len: usize) -> ProgressBar {
    // Hidden by indicatif when stderr is not a terminal.
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

pub fn prepare_inputs(
    recipe: &mut Recipe,
    recipe_path: Option<&Path>,
    input: &Path,
    transactions: Option<&Path>,
    bar: &ProgressBar,
) -> Result<PreparedInputs, CliError> {
    debug_assert!(bar.length().unwrap_or(0) >= PREPARE_STAGES as u64);
    let inputs = flow::prepare_inputs(recipe, recipe_path, input, transactions, &mut |i, msg| {
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
