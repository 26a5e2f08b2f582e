//! `seglab clean`: the data layer only; writes the cleaned and feature tables.

use super::prepare::{bar, prepare_inputs};
use super::{load_recipe, CliError};
use crate::engine::inputs::PREPARE_STAGES;
use crate::report::{atomic::check_target, clean_output};
use std::path::Path;

pub fn cmd_clean(
    recipe_path: Option<&Path>,
    input: &Path,
    transactions: Option<&Path>,
    out: &Path,
    escape: &super::flags::EscapeFlag,
) -> Result<(), CliError> {
    let mut recipe = load_recipe(recipe_path)?;
    escape.apply_to(&mut recipe.export);
    // Refuse an existing output before doing any work.
    check_target(out)?;
    let bar = bar(PREPARE_STAGES);
    let done = prepare_inputs(
        &mut recipe,
        recipe_path,
        Some(input),
        transactions,
        true,
        &bar,
    )?;
    bar.finish_and_clear();
    let prepared = &done.prepared;
    print!("{}", prepared.log);
    let dir = clean_output::write(out, done.report.as_ref(), prepared, &recipe)?;
    let cleaned = format!(
        "cleaned table {} rows × {} columns",
        prepared.cleaned.n_rows(),
        prepared.cleaned.n_cols()
    );
    if prepared.features.names.is_empty() {
        println!("wrote {}: {cleaned}", dir.display());
        println!(
            "note: no features (no number columns, no features.one_hot): features.csv and \
             features.parquet are not written"
        );
    } else {
        println!(
            "wrote {}: {cleaned}, features {} rows × {} columns",
            dir.display(),
            prepared.features.n_rows,
            prepared.features.names.len()
        );
    }
    for f in clean_output::files_for(prepared) {
        println!("  {}", dir.join(f).display());
    }
    // The process ends next; freeing millions of cells one by one would only delay the exit.
    std::mem::forget(done);
    Ok(())
}
