//! The headless command line: every step the TUI will offer, driven from flags and a recipe.

use crate::engine::demo_data::{self, DemoOptions};
use crate::engine::inspect::inspect;
use crate::engine::load::{load, LoadError, Loaded};
use crate::engine::pipeline::{prepare, PipelineError, STEPS};
use crate::recipe::{Recipe, RecipeError};
use crate::report::{clean_output, inspect_text};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "seglab",
    version,
    about = "A terminal workbench for customer segmentation"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Data-quality report of a table: types, missing values, ranges, outliers, duplicates.
    Inspect {
        /// CSV/TSV, Parquet or JSON/NDJSON file.
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Recipe whose [load] options to use (delimiter, types, date formats, ...).
        #[arg(long)]
        recipe: Option<PathBuf>,
    },
    /// Clean a table and write the cleaned, feature-ready result into a new folder.
    Clean {
        /// Recipe file (TOML); defaults apply to everything it leaves out.
        #[arg(long)]
        recipe: Option<PathBuf>,
        input: PathBuf,
        /// Output folder; must not exist yet (or be empty).
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate a seeded sample data set with planted customer types and messiness.
    DemoData {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 5_000)]
        customers: usize,
        #[arg(long, default_value_t = 100_000)]
        transactions: usize,
        #[arg(long, default_value_t = 100_000)]
        web_events: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Replace files that exist in the output folder.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    #[error("{path}: {source}")]
    Pipeline {
        path: PathBuf,
        source: PipelineError,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None => welcome(),
        Some(Command::Inspect { file, json, recipe }) => {
            cmd_inspect(&file, json, recipe.as_deref())
        }
        Some(Command::Clean { recipe, input, out }) => cmd_clean(recipe.as_deref(), &input, &out),
        Some(Command::DemoData {
            out,
            customers,
            transactions,
            web_events,
            seed,
            force,
        }) => {
            let opts = DemoOptions {
                customers,
                transactions,
                web_events,
                seed,
                force,
                ..DemoOptions::default()
            };
            let s = demo_data::write_demo_data(&out, &opts)?;
            println!(
                "wrote {}: {} customers (+{} planted near-duplicates), {} transactions, {} web events",
                out.display(),
                s.customers,
                s.duplicates,
                s.transactions,
                s.web_events
            );
            for f in s.files {
                println!("  {}", f.display());
            }
            Ok(())
        }
    }
}

/// The bundled sample data: next to the working directory when run from a clone, else the crate's.
pub fn sample_data_dir() -> PathBuf {
    let local = PathBuf::from("sample-data");
    if local.join("customers.csv").exists() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
    }
}

fn welcome() -> Result<(), CliError> {
    let file = sample_data_dir().join("customers.csv");
    cmd_inspect(&file, false, None)?;
    println!(
        "\nThe interactive workbench is on its way. Meanwhile, the command line does the data layer:\n  \
         seglab inspect FILE [--json]\n  seglab clean --recipe sample-data/recipe.toml {} --out out/clean\n  \
         seglab demo-data --out DIR [--customers N]\nSee `seglab --help`.",
        file.display()
    );
    Ok(())
}

fn load_recipe(path: Option<&Path>) -> Result<Recipe, CliError> {
    Ok(match path {
        Some(p) => Recipe::from_file(p)?,
        None => Recipe::default(),
    })
}

fn print_warnings(loaded: &Loaded) {
    for w in &loaded.warnings {
        eprintln!("warning: {}: {w}", loaded.path.display());
    }
}

fn cmd_inspect(file: &Path, json: bool, recipe: Option<&Path>) -> Result<(), CliError> {
    let recipe = load_recipe(recipe)?;
    let loaded = load(file, &recipe.load)?;
    let report = inspect(&file.display().to_string(), &loaded.table, &loaded.warnings);
    if json {
        println!("{}", clean_output::pretty_json(&report).trim_end());
    } else {
        print!("{}", inspect_text::render(&report));
    }
    Ok(())
}

fn cmd_clean(recipe_path: Option<&Path>, input: &Path, out: &Path) -> Result<(), CliError> {
    let recipe = load_recipe(recipe_path)?;
    // Refuse an existing output before doing any work.
    drop(crate::report::atomic::StagedDir::create(out)?);
    // Hidden by indicatif when stderr is not a terminal.
    let bar =
        ProgressBar::with_draw_target(Some(STEPS.len() as u64 + 2), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("load");
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
    let prepared = prepare(loaded.table, &recipe, today, &mut |i| {
        bar.set_position(i as u64 + 2);
        bar.set_message(STEPS[i]);
    })
    .map_err(|source| CliError::Pipeline {
        path: input.to_owned(),
        source,
    })?;
    bar.finish_and_clear();
    print!("{}", prepared.log);
    let dir = clean_output::write(out, &report, &prepared, &recipe)?;
    println!(
        "wrote {}: cleaned table {} rows × {} columns, features {} rows × {} columns",
        dir.display(),
        prepared.cleaned.n_rows(),
        prepared.cleaned.n_cols(),
        prepared.features.n_rows,
        prepared.features.names.len()
    );
    for f in clean_output::FILES {
        println!("  {}", dir.join(f).display());
    }
    // The process ends next; freeing millions of cells one by one would only delay it.
    std::mem::forget(prepared);
    Ok(())
}
