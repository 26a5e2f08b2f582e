//! The headless command line: every step the TUI will offer, driven from flags and a recipe.

mod clean;
pub mod compare_cmd;
pub mod flags;
pub mod prepare;
pub mod rfm_cmd;
pub mod segment_cmds;

use crate::engine::demo_data::DemoOptions;
use crate::engine::inputs::InputsError;
use crate::engine::inspect::inspect;
use crate::engine::load::{load, LoadError, Loaded};
use crate::engine::model::ModelError;
use crate::engine::outcome::OutcomeError;
use crate::engine::scoring::ScoringError;
use crate::engine::segmenting::SegmentingError;
use crate::recipe::{Recipe, RecipeError};
use crate::report::{clean_output, inspect_text};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
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
        /// Transaction log for behaviour features (overrides the recipe's transactions.file).
        #[arg(long)]
        transactions: Option<PathBuf>,
        #[command(flatten)]
        escape: flags::EscapeFlag,
    },
    /// Clean, build features, cluster, judge, profile and name segments; write everything into a new folder.
    Run {
        /// Recipe file (TOML); flags below override it.
        #[arg(long)]
        recipe: Option<PathBuf>,
        /// Customer table (default: the bundled sample customers).
        input: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        flags: flags::RunFlags,
    },
    /// Run k-means over a range of k and print every metric per k with a recommended k.
    Sweep {
        #[arg(long)]
        recipe: Option<PathBuf>,
        input: Option<PathBuf>,
        /// Print as JSON: recommended_k, rule, silhouette_sample_size, results.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        flags: flags::RunFlags,
    },
    /// The interactive workbench (also what `seglab` alone opens in a terminal).
    Tui {
        /// Customer table (default: the bundled sample customers with the sample recipe).
        input: Option<PathBuf>,
        /// Recipe to start from.
        #[arg(long)]
        recipe: Option<PathBuf>,
        /// Transaction log for behaviour features (overrides the recipe's transactions.file).
        #[arg(long)]
        transactions: Option<PathBuf>,
    },
    /// Label new customers with a model.json written by `seglab run`.
    Apply {
        #[arg(long)]
        model: PathBuf,
        input: PathBuf,
        /// Transaction log of the new customers (when the model uses behaviour features).
        #[arg(long)]
        transactions: Option<PathBuf>,
        /// Date recency is counted to, YYYY-MM-DD (default: the model's as-of date); the RFM
        /// cut points stay the model's.
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        export: flags::ExportFlags,
    },
    /// RFM scores and named segments (Champions, At Risk, ...) from a transaction log alone.
    Rfm {
        /// Transaction log (CSV/TSV, whitespace-aligned text, Parquet or JSON).
        log: PathBuf,
        /// Recipe whose [transactions] table (columns, hygiene rules, load options) to use.
        #[arg(long)]
        recipe: Option<PathBuf>,
        /// Date recency is counted to (default: the day after the last purchase).
        #[arg(long)]
        as_of: Option<String>,
        /// Output folder (default: <log name>-rfm); must not exist yet (or be empty).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        roles: rfm_cmd::RoleFlags,
    },
    /// Compare two runs: where customers moved (by customer id), which segment became which
    /// (matched by centroid), how far centroids moved, new and vanished segments.
    Compare {
        /// The earlier run's folder (with segments.csv and model.json).
        old: PathBuf,
        /// The new run's folder.
        new: PathBuf,
        /// Output folder; must not exist yet (or be empty).
        #[arg(long)]
        out: PathBuf,
    },
    /// Recipe helpers.
    Recipe {
        #[command(subcommand)]
        action: RecipeAction,
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

#[derive(Subcommand, Debug)]
pub enum RecipeAction {
    /// Write a commented recipe with every key and its default.
    Init {
        #[arg(default_value = "recipe.toml")]
        path: PathBuf,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Recipe(#[from] RecipeError),
    #[error(transparent)]
    Inputs(#[from] InputsError),
    /// Segmenting failed, or a setting is beyond what seglab (or the data) allows: k,
    /// min_points, too few rows; or the user cancelled.
    #[error(transparent)]
    Segmenting(#[from] SegmentingError),
    #[error("{path}: {source}")]
    Outcome { path: PathBuf, source: OutcomeError },
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error("{path}: {source}")]
    ReadModel {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Model { path: PathBuf, source: ModelError },
    #[error(transparent)]
    Scoring(#[from] ScoringError),
    #[error("{path}: no sweep was run")]
    NoSweep { path: PathBuf },
    #[error("seglab tui: {0}")]
    Tui(#[from] crate::tui::TuiError),
    #[error(transparent)]
    Rfm(#[from] rfm_cmd::RfmCmdError),
    #[error(transparent)]
    Compare(#[from] crate::report::run_folder::RunFolderError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub fn execute(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None if std::io::stdout().is_terminal() && std::io::stdin().is_terminal() => {
            cmd_tui(None, None, None)
        }
        None => welcome(),
        Some(Command::Tui {
            input,
            recipe,
            transactions,
        }) => cmd_tui(input, recipe, transactions),
        Some(Command::Inspect { file, json, recipe }) => {
            cmd_inspect(&file, json, recipe.as_deref())
        }
        Some(Command::Clean {
            recipe,
            input,
            out,
            transactions,
            escape,
        }) => clean::cmd_clean(
            recipe.as_deref(),
            &input,
            transactions.as_deref(),
            &out,
            &escape,
        ),
        Some(Command::Run {
            recipe,
            input,
            out,
            flags,
        }) => {
            let (recipe, input) = sample_defaults(recipe, input, &flags);
            segment_cmds::cmd_run(recipe.as_deref(), input.as_deref(), &flags, &out)
        }
        Some(Command::Sweep {
            recipe,
            input,
            json,
            flags,
        }) => {
            let (recipe, input) = sample_defaults(recipe, input, &flags);
            segment_cmds::cmd_sweep(recipe.as_deref(), input.as_deref(), &flags, json)
        }
        Some(Command::Apply {
            model,
            input,
            transactions,
            as_of,
            out,
            export,
        }) => segment_cmds::cmd_apply(
            &model,
            &input,
            transactions.as_deref(),
            as_of.as_deref(),
            &out,
            &export,
        ),
        Some(Command::Rfm {
            log,
            recipe,
            as_of,
            out,
            roles,
        }) => rfm_cmd::cmd_rfm(
            &log,
            recipe.as_deref(),
            &roles,
            as_of.as_deref(),
            out.as_deref(),
        ),
        Some(Command::Compare { old, new, out }) => compare_cmd::cmd_compare(&old, &new, &out),
        Some(Command::Recipe {
            action: RecipeAction::Init { path },
        }) => segment_cmds::cmd_recipe_init(&path),
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
            // The OS's own errors name no path; seglab's (too many customers, ...) need none.
            let s = crate::report::demo_files::write_demo_data(&out, &opts).map_err(|e| match e
                .raw_os_error()
            {
                Some(_) => crate::report::atomic::at(&out, e),
                None => e,
            })?;
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

/// Without an input, the bundled sample customers with the sample recipe (when none is given).
/// No customer table: with `--transactions` the customers come from the log (None); with
/// neither, the bundled sample and its recipe.
fn sample_defaults(
    recipe: Option<PathBuf>,
    input: Option<PathBuf>,
    flags: &flags::RunFlags,
) -> (Option<PathBuf>, Option<PathBuf>) {
    if input.is_none() && flags.transactions.is_some() {
        return (recipe, None);
    }
    let (recipe, input) = with_sample(recipe, input);
    (recipe, Some(input))
}

/// The input, else the bundled sample customers with the sample recipe.
fn with_sample(recipe: Option<PathBuf>, input: Option<PathBuf>) -> (Option<PathBuf>, PathBuf) {
    match input {
        Some(i) => (recipe, i),
        None => {
            let dir = sample_data_dir();
            (
                recipe.or(Some(dir.join("recipe.toml"))),
                dir.join("customers.csv"),
            )
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

fn cmd_tui(
    input: Option<PathBuf>,
    recipe: Option<PathBuf>,
    transactions: Option<PathBuf>,
) -> Result<(), CliError> {
    let (recipe_path, input) = with_sample(recipe, input);
    let recipe = load_recipe(recipe_path.as_deref())?;
    let session = crate::tui::app::Session {
        input,
        recipe_path,
        transactions,
        log_as_input: false,
    };
    Ok(crate::tui::open(session, recipe)?)
}

fn welcome() -> Result<(), CliError> {
    let file = sample_data_dir().join("customers.csv");
    cmd_inspect(&file, false, None)?;
    println!(
        "\nRun seglab in a terminal to open the interactive workbench. The command line does it all too:\n  \
         seglab run --out out/run            segment the sample customers end to end\n  \
         seglab sweep --k-range 2..8         metrics per k and the recommended k\n  \
         seglab clean --recipe sample-data/recipe.toml {} --out out/clean\n  \
         seglab inspect FILE [--json]\n  seglab demo-data --out DIR [--customers N]\nSee `seglab --help`.",
        file.display()
    );
    Ok(())
}

pub(crate) fn load_recipe(path: Option<&Path>) -> Result<Recipe, CliError> {
    Ok(match path {
        Some(p) => Recipe::from_file(p)?,
        None => Recipe::default(),
    })
}

pub(crate) fn print_warnings(loaded: &Loaded) {
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
