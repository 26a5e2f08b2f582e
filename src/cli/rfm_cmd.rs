//! `seglab rfm LOG`: RFM scores and named segments from a transaction log alone.

use super::{load_recipe, CliError};
use crate::engine::behaviour::{
    customers_from_log, describe_roles, summarize_log, BehaviourOptions, LogError, LogReading,
};
use crate::engine::rfm;
use crate::report::atomic::check_target;
use crate::report::{input_files, rfm_output};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// Column roles given on the command line (each overrides the recipe's `[transactions]`).
#[derive(clap::Args, Debug, Default)]
pub struct RoleFlags {
    #[arg(long)]
    pub customer: Option<String>,
    #[arg(long)]
    pub invoice: Option<String>,
    #[arg(long)]
    pub timestamp: Option<String>,
    #[arg(long)]
    pub quantity: Option<String>,
    #[arg(long)]
    pub unit_price: Option<String>,
    #[arg(long)]
    pub amount: Option<String>,
    #[arg(long)]
    pub product: Option<String>,
}

impl RoleFlags {
    fn apply_to(&self, o: &mut BehaviourOptions) {
        let set = |flag: &Option<String>, slot: &mut Option<String>| {
            if flag.is_some() {
                slot.clone_from(flag);
            }
        };
        set(&self.customer, &mut o.customer);
        set(&self.invoice, &mut o.invoice);
        set(&self.timestamp, &mut o.timestamp);
        set(&self.quantity, &mut o.quantity);
        set(&self.unit_price, &mut o.unit_price);
        set(&self.amount, &mut o.amount);
        set(&self.product, &mut o.product);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RfmCmdError {
    #[error("{path}: {source}")]
    Behaviour {
        path: PathBuf,
        source: crate::engine::behaviour::BehaviourError,
    },
    #[error("{path}: {source}")]
    Rfm {
        path: PathBuf,
        source: rfm::RfmError,
    },
    #[error(transparent)]
    Map(#[from] rfm::RfmMapError),
    #[error("--as-of '{0}' is not a date like 2011-12-10")]
    AsOf(String),
}

pub fn cmd_rfm(
    log_path: &Path,
    recipe_path: Option<&Path>,
    roles: &RoleFlags,
    as_of: Option<&str>,
    out: Option<&Path>,
) -> Result<(), CliError> {
    let recipe = load_recipe(recipe_path)?;
    let mut opts = recipe.transactions.clone().unwrap_or_default();
    roles.apply_to(&mut opts);
    let out = out.map(Path::to_owned).unwrap_or_else(|| {
        let stem = log_path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("log");
        PathBuf::from(format!("{stem}-rfm"))
    });
    check_target(&out)?;
    let map = crate::config::rfm_map()?;
    // The manifest's SHA-256 of the log, read meanwhile: its time hides in the phases that
    // leave a core idle.
    let hashing = {
        let path = log_path.to_owned();
        std::thread::spawn(move || input_files::describe(&[path]))
    };
    let (behaviour, warnings) =
        summarize_log(log_path.into(), &opts, LogReading::Auto).map_err(|e| match e {
            LogError::Load(e) => CliError::from(e),
            LogError::Behaviour(source) => RfmCmdError::Behaviour {
                path: log_path.to_owned(),
                source,
            }
            .into(),
        })?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    if !behaviour.roles.guessed.is_empty() {
        println!("guessed: {}", behaviour.roles.guessed.join(", "));
    }
    println!("columns: {}", describe_roles(&behaviour.roles));
    let h = &behaviour.hygiene;
    println!("{} of {} lines are purchases", h.rows_kept, h.rows_read);
    for line in h.lines() {
        println!("  {line}");
    }
    let (day, from) = match as_of.or(recipe.features.as_of.as_deref()) {
        Some(text) => (
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| RfmCmdError::AsOf(text.to_string()))?,
            "as stated".to_string(),
        ),
        None => (
            behaviour.default_as_of().ok_or_else(|| RfmCmdError::Rfm {
                path: log_path.to_owned(),
                source: rfm::RfmError::NoBuyers,
            })?,
            "the day after the last purchase; pin it with --as-of".to_string(),
        ),
    };
    println!("as of {day} ({from})");
    let behaviour_error = |source| RfmCmdError::Behaviour {
        path: log_path.to_owned(),
        source,
    };
    let mut table = customers_from_log(&behaviour, day).map_err(behaviour_error)?;
    let rfm_error = |source| RfmCmdError::Rfm {
        path: log_path.to_owned(),
        source,
    };
    let cuts = rfm::fit(&table).map_err(rfm_error)?;
    rfm::add_scores(&mut table, &cuts, &map).map_err(rfm_error)?;
    let segments = rfm::summarize(&table, &map).map_err(rfm_error)?;
    let files = hashing
        .join()
        .unwrap_or_else(|_| input_files::describe(&[log_path.to_owned()]));
    let dir = rfm_output::write(
        &out,
        &rfm_output::RfmReport {
            table: &table,
            segments: &segments,
            behaviour: &behaviour,
            cuts: &cuts,
            as_of: day.to_string(),
            as_of_from: from,
            inputs: &files,
            formula_escape: recipe.export.formula_escape,
        },
    )?;
    println!(
        "{} customers in {} RFM segments:",
        table.n_rows(),
        segments.len()
    );
    for s in &segments {
        println!(
            "  {:<20} {:>7} customers {:>5.1}%  revenue {:>5.1}%",
            s.segment, s.customers, s.share_pct, s.revenue_share_pct
        );
    }
    println!("wrote {}", dir.display());
    Ok(())
}
