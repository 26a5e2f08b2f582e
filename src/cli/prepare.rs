//! Load the input (and the transaction log, when the recipe asks for one), inspect it, and run
//! the data layer, with a progress bar on a terminal. Shared by `clean` and `run`.

use super::{print_warnings, CliError};
use crate::engine::behaviour::{summarize, Behaviour};
use crate::engine::inspect::{inspect, InspectReport};
use crate::engine::load::load;
use crate::engine::pipeline::{prepare, Prepared, STEPS};
use crate::recipe::Recipe;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};

pub struct PreparedInputs {
    pub report: InspectReport,
    pub prepared: Prepared,
}

/// The transaction log: `--transactions` wins, else the recipe's file relative to the recipe.
pub fn transactions_path(
    recipe: &Recipe,
    recipe_path: Option<&Path>,
    flag: Option<&Path>,
) -> Option<PathBuf> {
    if let Some(f) = flag {
        return Some(f.to_owned());
    }
    let file = recipe.transactions.as_ref()?.file.as_ref()?;
    let base = recipe_path.and_then(Path::parent).unwrap_or(Path::new(""));
    Some(base.join(file))
}

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
    bar.set_message("load");
    // The transaction log first: it is summarised and freed before the customers are read, so
    // the two tables are never held together (peak memory).
    let tx_path = transactions_path(recipe, recipe_path, transactions);
    let behaviour: Option<Behaviour> = match &tx_path {
        Some(p) => {
            let t = load(p, &Default::default())?;
            bar.suspend(|| print_warnings(&t));
            // A --transactions flag without a [transactions] table uses the default column names.
            let opts = recipe.transactions.get_or_insert_with(Default::default);
            // The log is freed here: only the per-customer totals go on.
            Some(summarize(&t.table, opts).map_err(|e| CliError::Pipeline {
                path: p.clone(),
                source: e.into(),
            })?)
        }
        None => None,
    };
    let loaded = load(input, &recipe.load)?;
    bar.suspend(|| print_warnings(&loaded));
    bar.set_position(1);
    bar.set_message("inspect");
    let report = inspect(
        &input.display().to_string(),
        &loaded.table,
        &loaded.warnings,
    );
    let today = chrono::Local::now().date_naive();
    let prepared = prepare(loaded.table, behaviour.as_ref(), recipe, today, &mut |i| {
        bar.set_position(i as u64 + 2);
        bar.set_message(STEPS[i]);
    })
    .map_err(|source| CliError::Pipeline {
        path: input.to_owned(),
        source,
    })?;
    Ok(PreparedInputs { report, prepared })
}
