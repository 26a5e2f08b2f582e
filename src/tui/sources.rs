//! The session's sources besides the customer file: attaching and detaching the transaction and
//! events logs, the log's column roles, returns and as-of date (all recipe edits, so undo works
//! and the preparation reruns), the RFM panel's job, and the offer to read a log opened as the
//! customer file as a log.

use super::action::Action;
use super::app::{App, InputPurpose, Overlay, PickPurpose, Stage};
use super::jobs::JobKind;
use super::results::{DataState, Output};
use super::rfm::RfmView;
use crate::engine::behaviour::{BehaviourOptions, Returns};
use crate::engine::inputs::LogFacts;
use std::path::{Path, PathBuf};

/// The log's column roles, in the order the Sources view lists them.
pub const ROLES: [&str; 7] = [
    "customer",
    "invoice",
    "timestamp",
    "quantity",
    "unit_price",
    "amount",
    "product",
];

/// The first entry of the column list: no column named, so the engine guesses one.
pub const GUESS: &str = "(not named: guessed from the column names)";

const LOG_IS_MAIN: &str =
    "the main file is the transaction log here: o opens a customer file to attach it to";

pub fn act(app: &mut App, a: Action) {
    match a {
        Action::ToggleSources => app.cur.sources = !app.cur.sources,
        Action::ToggleRfm => app.cur.rfm = !app.cur.rfm,
        Action::AttachTransactions if app.session.log_as_input => app.error(LOG_IS_MAIN),
        Action::AttachTransactions | Action::AttachEvents => {
            let (purpose, now) = if a == Action::AttachTransactions {
                (InputPurpose::AttachTransactions, app.log_path())
            } else {
                (InputPurpose::AttachEvents, events_path(app))
            };
            // Start from the file attached now, else from the customer file's folder.
            let text = now
                .or_else(|| app.session.input.parent().map(|p| p.join("")))
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            app.overlay = Overlay::Input { purpose, text };
        }
        Action::DetachTransactions if app.session.log_as_input => app.error(LOG_IS_MAIN),
        Action::DetachTransactions => {
            if app.log_path().is_none() {
                app.error("no transaction log is attached");
                return;
            }
            app.change(Stage::Prepare, |r| {
                if let Some(t) = &mut r.transactions {
                    t.file = None;
                }
            });
            app.say("transaction log detached (u undoes)");
        }
        Action::DetachEvents => {
            if events_path(app).is_none() {
                app.error("no events log is attached");
                return;
            }
            app.change(Stage::Prepare, |r| {
                if let Some(e) = &mut r.events {
                    e.file = None;
                }
            });
            app.say("events log detached (u undoes)");
        }
        Action::PickRole | Action::ToggleReturns if app.log_path().is_none() => {
            let key = app.keymap.hint(app.screen, Action::AttachTransactions);
            app.error(format!("no transaction log: {key} attaches one"));
        }
        Action::PickRole => {
            app.cur.sources = true;
            if facts(app).is_none() {
                app.error("the transaction log has not been read yet");
                return;
            }
            app.overlay = Overlay::Pick {
                purpose: PickPurpose::Role,
                selected: 0,
            };
        }
        Action::ToggleReturns => {
            app.cur.sources = true;
            app.change(Stage::Prepare, |r| {
                let t = r.transactions.get_or_insert_with(Default::default);
                t.returns = match t.returns {
                    Returns::Exclude => Returns::Net,
                    Returns::Net => Returns::Exclude,
                };
            });
        }
        Action::SetAsOf => {
            app.cur.sources = true;
            app.overlay = Overlay::Input {
                purpose: InputPurpose::AsOf,
                text: app.recipe.features.as_of.clone().unwrap_or_default(),
            };
        }
        _ => {}
    }
}

/// What the last preparation read from the transaction log.
pub fn facts(app: &App) -> Option<&LogFacts> {
    app.prepared.as_ref().and_then(|p| p.log.as_ref())
}

pub fn events_path(app: &App) -> Option<PathBuf> {
    let file = app.recipe.events.as_ref()?.file.as_ref()?;
    let base = (app.session.recipe_path.as_deref())
        .and_then(Path::parent)
        .unwrap_or(Path::new(""));
    Some(base.join(file))
}

/// The recipe's slot for role `i` of `ROLES`.
fn slot(o: &mut BehaviourOptions, i: usize) -> &mut Option<String> {
    match i {
        0 => &mut o.customer,
        1 => &mut o.invoice,
        2 => &mut o.timestamp,
        3 => &mut o.quantity,
        4 => &mut o.unit_price,
        5 => &mut o.amount,
        _ => &mut o.product,
    }
}

/// Per role: the column the last preparation used (None: no column), and whether it was guessed.
pub fn resolved_roles(f: &LogFacts) -> Vec<(&'static str, Option<String>, bool)> {
    let r = &f.roles;
    let cols = [
        Some(r.customer.clone()),
        r.invoice.clone(),
        Some(r.timestamp.clone()),
        r.quantity.clone(),
        r.unit_price.clone(),
        r.amount.clone(),
        r.product.clone(),
    ];
    ROLES
        .iter()
        .zip(cols)
        .map(|(role, col)| {
            let guessed = col
                .as_ref()
                .is_some_and(|c| r.guessed.contains(&format!("{role} = {c}")));
            (*role, col, guessed)
        })
        .collect()
}

/// The entries of a pick list.
pub fn pick_options(app: &App, purpose: &PickPurpose) -> Vec<String> {
    let Some(f) = facts(app) else {
        return Vec::new();
    };
    match purpose {
        PickPurpose::Role => resolved_roles(f)
            .into_iter()
            .map(|(role, col, guessed)| {
                let col = col.unwrap_or_else(|| "-".into());
                let mark = if guessed { " (guessed)" } else { "" };
                format!("{role:<11} {col}{mark}")
            })
            .collect(),
        PickPurpose::Column(_) => std::iter::once(GUESS.to_string())
            .chain(f.columns.iter().cloned())
            .collect(),
    }
}

/// Enter on a pick list: a role leads to its columns; a column is set in the recipe.
pub fn pick(app: &mut App, purpose: PickPurpose, selected: usize) {
    match purpose {
        PickPurpose::Role => {
            let i = selected.min(ROLES.len() - 1);
            // The list opens on the column the role has now.
            let now = facts(app).and_then(|f| {
                let col = resolved_roles(f)[i].1.clone()?;
                f.columns.iter().position(|c| *c == col)
            });
            app.overlay = Overlay::Pick {
                purpose: PickPurpose::Column(i),
                selected: now.map_or(0, |p| p + 1),
            };
        }
        PickPurpose::Column(i) => {
            let column = match selected {
                0 => None,
                n => facts(app).and_then(|f| f.columns.get(n - 1).cloned()),
            };
            let shown = column.clone().unwrap_or_else(|| "guessed".into());
            app.change(Stage::Prepare, |r| {
                *slot(r.transactions.get_or_insert_with(Default::default), i) = column;
            });
            app.say(format!("{} = {shown}", ROLES[i]));
        }
    }
}

/// Enter in the attach and as-of inputs.
pub fn submit(app: &mut App, purpose: InputPurpose, text: String) {
    if purpose == InputPurpose::AsOf {
        if text.is_empty() {
            app.change(Stage::Prepare, |r| r.features.as_of = None);
            app.say("as-of: the day after the last purchase in the log");
        } else if chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d").is_ok() {
            app.change(Stage::Prepare, |r| r.features.as_of = Some(text));
        } else {
            app.error(format!(
                "as-of must be a date like 2011-12-10, got '{text}'"
            ));
        }
        return;
    }
    let path = PathBuf::from(&text);
    if !path.is_file() {
        app.error(format!("{text}: no such file"));
        return;
    }
    // Absolute: the recipe's folder is not the file's (as `reproducible` saves them).
    let abs = std::fs::canonicalize(&path).unwrap_or(path);
    let file = Some(abs.display().to_string());
    if purpose == InputPurpose::AttachTransactions {
        app.change(Stage::Prepare, |r| {
            r.transactions.get_or_insert_with(Default::default).file = file
        });
        app.cur.sources = true;
        app.say(format!("transaction log: {}", abs.display()));
    } else {
        app.change(Stage::Prepare, |r| {
            r.events.get_or_insert_with(Default::default).file = file
        });
        app.say(format!("events log: {}", abs.display()));
    }
}

/// The file just loaded looks like a transaction log: ask what to do with it.
pub fn offer_log(app: &mut App, path: PathBuf, data: Box<DataState>) {
    app.pending_log = Some((path, data));
    app.overlay = Overlay::LogOffer;
}

/// The answer to `Overlay::LogOffer`. Yes: the log becomes the main file, read as a log, its
/// buyers the customers. No: the session stays as it was (a first file is shown as a table).
pub fn answer_offer(app: &mut App, yes: bool) {
    app.overlay = Overlay::None;
    let Some((path, data)) = app.pending_log.take() else {
        return;
    };
    if yes {
        app.opening = Some(path.clone());
        app.take_loaded(*data, true);
        app.say(format!(
            "customers from the transaction log {}",
            path.display()
        ));
    } else if app.data.is_none() && path == app.session.input {
        app.take_loaded(*data, false);
    } else {
        app.say(format!("kept {}", app.session.input.display()));
    }
}

/// Starts the RFM panel's job for the current preparation (when it read a log).
pub fn start_rfm(app: &mut App) {
    app.rfm = None;
    let Some(p) = app.prepared.clone() else {
        return;
    };
    if p.log.is_none() || p.prepared.fitted.rfm.is_none() {
        app.jobs.cancel(JobKind::Rfm);
        return;
    }
    let inputs = app.prepared_gen;
    app.jobs.start(JobKind::Rfm, move |_| {
        Ok(Output::Rfm(Box::new(RfmView::compute(&p, inputs)?)))
    });
}
