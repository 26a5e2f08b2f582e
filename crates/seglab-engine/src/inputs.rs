//! The inputs of a run, read once: the customers table and the optional transaction log, from
//! any `Source`, inspected and prepared (cleaned, features built and scaled).

use crate::behaviour::{
    customers_from_log, summarize_log, Behaviour, Hygiene, LogError, LogReading, Roles,
};
use crate::inspect::{inspect, InspectReport};
use crate::load::{load_source, LoadError, Source};
use crate::preparation::{prepare, PreparationError, Prepared, STEPS};
use crate::recipe::Recipe;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum InputsError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Events(#[from] crate::events::load::EventsLoadError),
    #[error("{path}: {source}")]
    Preparation {
        path: PathBuf,
        source: PreparationError,
    },
    #[error(
        "no customer table and no transaction log: give a customer table, --transactions, or both"
    )]
    NoInput,
    #[error(
        "{path} looks like a transaction log, not a customer table: {rows} rows but only \
         {distinct} distinct {customer} values, with dates ({timestamp}) and amounts. Segment \
         its customers with `seglab run --transactions {path} --out DIR`, or see their RFM \
         segments with `seglab rfm {path}`"
    )]
    LogAsCustomers {
        path: PathBuf,
        rows: usize,
        distinct: usize,
        customer: String,
        timestamp: String,
    },
}

/// A "customer table" whose customer column repeats heavily and that has the columns of a log
/// (a date and amounts) is a log given in the wrong place: clustering its rows would treat
/// every purchase as a customer. Public so a front end can offer to read it as a log instead.
pub fn refuse_log_as_customers(
    path: &Path,
    table: &crate::table::Table,
) -> Result<(), InputsError> {
    let Ok(roles) = crate::behaviour::resolve_roles(table, &Default::default()) else {
        return Ok(());
    };
    let (Some(ids), Some(when)) = (
        table.column(&roles.customer),
        table.column(&roles.timestamp),
    ) else {
        return Ok(());
    };
    let dated = matches!(
        when.data,
        crate::table::ColumnData::Date(_) | crate::table::ColumnData::DateTime(_)
    );
    let rows = table.n_rows();
    let present: Vec<String> = (0..rows)
        .filter_map(|r| ids.data.text_at(r).map(|s| s.trim().to_string()))
        .collect();
    let distinct = present.iter().collect::<rustc_hash::FxHashSet<_>>().len();
    if dated && rows >= 20 && distinct * 2 <= present.len() {
        return Err(InputsError::LogAsCustomers {
            path: path.to_owned(),
            rows,
            distinct,
            customer: roles.customer,
            timestamp: roles.timestamp,
        });
    }
    Ok(())
}

/// Progress stages reported by `prepare_inputs`: load, inspect, then the preparation's steps.
pub const PREPARE_STAGES: usize = STEPS.len() + 2;

pub struct PreparedInputs {
    /// The customers' file, or the name that stands for it (messages, the manifest).
    pub name: PathBuf,
    /// The data-quality report of the customers as loaded, when asked for (`clean` writes it).
    pub report: Option<InspectReport>,
    pub prepared: Prepared,
    /// Loader warnings, each prefixed with its file.
    pub warnings: Vec<String>,
    /// What the transaction log was, when one was read (the workbench shows it).
    pub log: Option<LogFacts>,
}

/// The transaction log as the run read it: its columns, the roles they play, what the hygiene
/// rules removed, and the as-of date a run without `features.as_of` uses.
#[derive(Clone, Debug, PartialEq)]
pub struct LogFacts {
    pub path: PathBuf,
    pub columns: Vec<String>,
    pub roles: Roles,
    pub hygiene: Hygiene,
    pub default_as_of: Option<chrono::NaiveDate>,
}

/// The transaction log: `flag` wins, else the recipe's file relative to the recipe.
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

/// `progress(stage, name)` is called before each of the `PREPARE_STAGES` stages. A
/// `transactions` log without a `[transactions]` table in the recipe uses the default columns.
/// Without `input`, the customers are the log's buyers (one row each, with their behaviour).
pub fn prepare_inputs(
    recipe: &mut Recipe,
    input: Option<Source>,
    transactions: Option<Source>,
    with_report: bool,
    progress: &mut dyn FnMut(usize, &str),
) -> Result<PreparedInputs, InputsError> {
    progress(0, "load");
    let mut warnings = Vec::new();
    // The transaction log first: it is summarised and freed before the customers are read, so
    // the two tables are never held together (peak memory).
    let mut log_name: Option<PathBuf> = None;
    let behaviour: Option<Behaviour> = match transactions {
        Some(source) => {
            let opts = recipe.transactions.get_or_insert_with(Default::default);
            let p = source.name().to_owned();
            log_name = Some(p.clone());
            let (b, w) = summarize_log(source, opts, LogReading::Auto).map_err(|e| match e {
                LogError::Load(e) => InputsError::Load(e),
                LogError::Behaviour(e) => InputsError::Preparation {
                    path: p.clone(),
                    source: e.into(),
                },
            })?;
            warnings.extend(w);
            // The saved recipe and the model name every column the run used.
            b.roles.pin(opts);
            if !b.roles.guessed.is_empty() {
                warnings.push(format!(
                    "{}: guessed: {}",
                    p.display(),
                    b.roles.guessed.join(", ")
                ));
            }
            Some(b)
        }
        None => None,
    };
    let events = crate::events::load::from_recipe(recipe, &mut warnings)?;
    let loaded = match (input, &behaviour) {
        (Some(input), _) => {
            let loaded = load_source(input, &recipe.load)?;
            refuse_log_as_customers(&loaded.path, &loaded.table)?;
            loaded
        }
        (None, Some(b)) => {
            let name = log_name.clone().unwrap_or_default();
            let failed = |source: PreparationError| InputsError::Preparation {
                path: name.clone(),
                source,
            };
            // The as-of date `prepare` will use: the stated one, else the log's end.
            let as_of = match (&recipe.features.as_of, b.default_as_of()) {
                (None, Some(day)) => day,
                _ => {
                    crate::features::as_of_date(&recipe.features, chrono::Local::now().date_naive())
                        .map_err(|e| failed(e.into()))?
                }
            };
            let table = customers_from_log(b, as_of).map_err(|e| failed(e.into()))?;
            crate::load::Loaded {
                path: name,
                table,
                warnings: Vec::new(),
            }
        }
        (None, None) => return Err(InputsError::NoInput),
    };
    let name = loaded.path;
    warnings.extend(
        loaded
            .warnings
            .iter()
            .map(|w| format!("{}: {w}", name.display())),
    );
    progress(1, "inspect");
    // Only `clean` writes the report; the workbench has its own from loading.
    let report =
        with_report.then(|| inspect(&name.display().to_string(), &loaded.table, &loaded.warnings));
    let log = match (&behaviour, log_name) {
        (Some(b), Some(path)) => Some(LogFacts {
            path,
            columns: b.columns.clone(),
            roles: b.roles.clone(),
            hygiene: b.hygiene.clone(),
            default_as_of: b.default_as_of(),
        }),
        _ => None,
    };
    let today = chrono::Local::now().date_naive();
    let prepared = prepare(
        loaded.table,
        behaviour.as_ref(),
        events.as_ref(),
        recipe,
        today,
        &mut |i| progress(i + 2, STEPS[i]),
    )
    .map_err(|source| InputsError::Preparation {
        path: name.clone(),
        source,
    })?;
    Ok(PreparedInputs {
        name,
        report,
        prepared,
        warnings,
        log,
    })
}
