//! The workbench's state and what each action does to it. Drawing lives in `views`, recipe
//! edits in `edit`, background work in `jobs`: this file wires them together.

use super::action::Action;
use super::jobs::{JobError, JobKind, Jobs};
use super::keymap::{Key, Keymap};
use super::results::{DataState, KView, Output, SegResult};
use super::rfm::RfmView;
use super::screen::Screen;
pub use super::stage::Stage;
use super::theme::ThemeKind;
use crate::engine::inputs::{self, transactions_path, PreparedInputs, PREPARE_STAGES};
use crate::engine::load::Source;
use crate::engine::outcome::RunOutcome;
use crate::engine::segmenting::segment_prepared;
use crate::recipe::Recipe;
use crate::report::run_output::ExportFormats;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The files the session works on.
#[derive(Clone, Debug)]
pub struct Session {
    pub input: PathBuf,
    pub recipe_path: Option<PathBuf>,
    pub transactions: Option<PathBuf>,
    /// `input` is a transaction log: the customers are its buyers (no customer table).
    pub log_as_input: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InputPurpose {
    OpenFile,
    Rename(usize),
    OutDir,
    Eps,
    MinPoints,
    NInit,
    AttachTransactions,
    AttachEvents,
    AsOf,
    CompareWith,
}

/// A list to pick from: first the role, then the log column that plays it.
#[derive(Clone, Debug, PartialEq)]
pub enum PickPurpose {
    Role,
    Column(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Palette {
        query: String,
        selected: usize,
    },
    Input {
        purpose: InputPurpose,
        text: String,
    },
    Pick {
        purpose: PickPurpose,
        selected: usize,
    },
    /// The file just loaded looks like a transaction log: use its buyers as the customers?
    LogOffer,
}

/// Selections and scroll positions, per screen.
#[derive(Clone, Debug, Default)]
pub struct Cursor {
    pub column: usize,
    pub row: usize,
    pub table_col: usize,
    pub clean: usize,
    pub pair: usize,
    pub feature: usize,
    pub k: usize,
    pub segment: usize,
    /// Data: the transaction log's details instead of the columns and rows.
    pub sources: bool,
    /// Segments: the RFM panel instead of the cluster segments.
    pub rfm: bool,
    pub rfm_segment: usize,
    /// First customer shown in the RFM panel's list.
    pub rfm_row: usize,
    /// Segments: the comparison with an earlier export.
    pub compare: bool,
}

pub struct App {
    pub screen: Screen,
    pub recipe: Recipe,
    pub session: Session,
    pub keymap: Keymap,
    pub theme: ThemeKind,
    pub presentation: bool,
    pub overlay: Overlay,
    pub status: String,
    pub status_is_error: bool,
    pub data: Option<DataState>,
    /// A file being opened (`o`): the session switches to it only once it has loaded, so a
    /// failed open leaves the data, sweep and names of the current one intact.
    pub opening: Option<PathBuf>,
    /// Why the session's input could not be loaded (shown in the Data pane).
    pub load_error: Option<String>,
    pub prepared: Option<Arc<PreparedInputs>>,
    pub scree: Vec<f64>,
    /// Mean of each numeric column after cleaning.
    pub means: std::collections::BTreeMap<String, f64>,
    pub result: Option<SegResult>,
    /// The result was computed from an older recipe.
    pub result_stale: bool,
    pub kview: Option<KView>,
    pub out_dir: PathBuf,
    pub formats: ExportFormats,
    pub exported: Vec<String>,
    /// The folder of this session's last export (what `compare_export` compares with).
    pub last_export: Option<PathBuf>,
    /// Counts results (segments, renames) so a comparison of an older one is never shown.
    pub result_gen: u64,
    pub comparison: Option<super::compare::ComparisonView>,
    pub jobs: Jobs<Output>,
    pub cur: Cursor,
    /// Counts finished preparations, so a result computed from older ones is never shown.
    pub prepared_gen: u64,
    pub rfm: Option<RfmView>,
    /// Why the last preparation failed (the Sources view shows it next to the log).
    pub prepare_error: Option<String>,
    /// A loaded file that looks like a log, waiting for the answer to `Overlay::LogOffer`.
    pub pending_log: Option<(PathBuf, Box<DataState>)>,
    pub quit: bool,
    undo: Vec<Recipe>,
    redo: Vec<Recipe>,
}

impl App {
    /// Starts loading and preparing `session.input` in the background.
    pub fn new(mut session: Session, mut recipe: Recipe, keymap: Keymap) -> App {
        // A --transactions log becomes the recipe's, so attaching, detaching and undo all work on
        // one place (absolute: the recipe's folder is not the log's).
        if let Some(t) = session.transactions.take() {
            let abs = std::fs::canonicalize(&t).unwrap_or(t);
            recipe
                .transactions
                .get_or_insert_with(Default::default)
                .file = Some(abs.display().to_string());
        }
        let mut app = App {
            screen: Screen::Data,
            recipe,
            session,
            keymap,
            theme: ThemeKind::Dark,
            presentation: false,
            overlay: Overlay::None,
            status: String::new(),
            status_is_error: false,
            data: None,
            opening: None,
            load_error: None,
            prepared: None,
            scree: Vec::new(),
            means: Default::default(),
            result: None,
            result_stale: false,
            kview: None,
            out_dir: super::writes::next_free(Path::new("out"), "seglab"),
            formats: ExportFormats::default(),
            exported: Vec::new(),
            last_export: None,
            result_gen: 0,
            comparison: None,
            jobs: Jobs::default(),
            cur: Cursor::default(),
            prepared_gen: 0,
            rfm: None,
            prepare_error: None,
            pending_log: None,
            quit: false,
            undo: Vec::new(),
            redo: Vec::new(),
        };
        app.start(Stage::Load);
        app
    }

    pub fn say(&mut self, msg: impl Into<String>) {
        self.status = msg.into();
        self.status_is_error = false;
    }

    pub fn error(&mut self, msg: impl Into<String>) {
        self.status = msg.into();
        self.status_is_error = true;
    }

    pub fn on_key(&mut self, key: Key) {
        if self.overlay != Overlay::None && super::overlay::on_key(self, key) {
            return;
        }
        if let Some(a) = self.keymap.action(self.screen, key) {
            self.act(a);
        }
    }

    pub fn act(&mut self, a: Action) {
        match a {
            Action::Quit => self.quit = true,
            Action::NextScreen => self.screen = self.screen.next(),
            Action::PrevScreen => self.screen = self.screen.prev(),
            Action::GotoData => self.screen = Screen::Data,
            Action::GotoClean => self.screen = Screen::Clean,
            Action::GotoFeatures => self.screen = Screen::Features,
            Action::GotoCluster => self.screen = Screen::Cluster,
            Action::GotoSegments => self.screen = Screen::Segments,
            Action::GotoExport => self.screen = Screen::Export,
            Action::Help => {
                self.overlay = if self.overlay == Overlay::Help {
                    Overlay::None
                } else {
                    Overlay::Help
                }
            }
            Action::Palette => {
                self.overlay = Overlay::Palette {
                    query: String::new(),
                    selected: 0,
                }
            }
            Action::Cancel => self.cancel(),
            Action::Undo => self.undo(),
            Action::Redo => self.redo(),
            Action::CycleTheme => self.theme = self.theme.next(),
            Action::Presentation => self.presentation = !self.presentation,
            Action::Open => {
                self.overlay = Overlay::Input {
                    purpose: InputPurpose::OpenFile,
                    text: self.session.input.display().to_string(),
                }
            }
            Action::EditOutDir => {
                self.overlay = Overlay::Input {
                    purpose: InputPurpose::OutDir,
                    text: self.out_dir.display().to_string(),
                }
            }
            Action::RunSweep => self.start(Stage::Cluster),
            Action::Export => self.export(),
            Action::SaveRecipe => self.save_recipe(),
            Action::AttachTransactions
            | Action::AttachEvents
            | Action::DetachTransactions
            | Action::DetachEvents
            | Action::ToggleSources
            | Action::PickRole
            | Action::ToggleReturns
            | Action::SetAsOf
            | Action::ToggleRfm => super::sources::act(self, a),
            Action::CompareExport => super::compare::act(self),
            other => super::edit::act(self, other),
        }
    }

    fn cancel(&mut self) {
        if self.overlay != Overlay::None {
            self.overlay = Overlay::None;
            return;
        }
        let kinds: Vec<JobKind> = self.jobs.running.keys().copied().collect();
        if kinds.is_empty() {
            return;
        }
        for k in &kinds {
            self.jobs.cancel(*k);
        }
        if kinds.contains(&JobKind::Load) {
            self.opening = None;
        }
        self.say(format!(
            "cancelled: {}",
            kinds
                .iter()
                .map(|k| k.label())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    /// Applies a recipe edit (undoable) and reruns what it invalidates.
    pub fn change(&mut self, stage: Stage, edit: impl FnOnce(&mut Recipe)) {
        let before = self.recipe.clone();
        edit(&mut self.recipe);
        if self.recipe == before {
            return;
        }
        self.undo.push(before);
        self.redo.clear();
        self.after_change(stage);
    }

    fn after_change(&mut self, stage: Stage) {
        match stage {
            Stage::Names => self.start(Stage::Names),
            Stage::Cluster => self.result_stale = self.result.is_some(),
            s => {
                self.result_stale = self.result.is_some();
                self.start(s);
            }
        }
    }

    fn undo(&mut self) {
        self.travel(true);
    }

    fn redo(&mut self) {
        self.travel(false);
    }

    /// One step back (undo) or forward (redo) in the recipe history.
    fn travel(&mut self, back: bool) {
        let (from, to) = if back {
            (&mut self.undo, &mut self.redo)
        } else {
            (&mut self.redo, &mut self.undo)
        };
        let Some(r) = from.pop() else {
            self.say(if back {
                "nothing to undo"
            } else {
                "nothing to redo"
            });
            return;
        };
        let stage = Stage::between(&self.recipe, &r);
        to.push(std::mem::replace(&mut self.recipe, r));
        self.say(if back { "undone" } else { "redone" });
        self.after_change(stage);
    }

    /// Starts the job for `stage` (later stages follow when it finishes).
    pub fn start(&mut self, stage: Stage) {
        let recipe = self.recipe.clone();
        let session = self.session.clone();
        match stage {
            Stage::Load => {
                let input = self.opening.clone().unwrap_or(session.input);
                // Preparing follows once the table has loaded (see `finish`): it is read once.
                self.jobs.start(JobKind::Load, move |_| {
                    let data = DataState::load(&input, &recipe.load)?;
                    Ok(Output::Loaded(Box::new(data)))
                });
            }
            Stage::Prepare => {
                // A load under way prepares when it finishes; after a failed one the table on
                // screen no longer matches the recipe's load options, so nothing is prepared.
                let ready = !self.jobs.is_running(JobKind::Load) && self.load_error.is_none();
                let Some(data) = self.data.as_ref().filter(|_| ready) else {
                    return;
                };
                // A log as the main file is read again as a log, as `seglab run --transactions
                // LOG` reads it (with the [transactions] load options), and has no customers.
                let table = (!session.log_as_input).then(|| data.table.clone());
                let log = self.log_path();
                self.jobs.start(JobKind::Prepare, move |job| {
                    let mut recipe = recipe;
                    crate::config::use_user_rfm_map(&mut recipe, log.is_some())?;
                    let input = table.map(|table| Source::Table {
                        name: session.input.clone(),
                        table,
                    });
                    let inputs = inputs::prepare_inputs(
                        &mut recipe,
                        input,
                        log.map(Source::Path),
                        false,
                        &mut |i, _| job.set_progress(i as f64 / PREPARE_STAGES as f64),
                    )?;
                    let scree = super::results::scree(&inputs);
                    let means = super::results::column_means(&inputs);
                    Ok(Output::Prepared(Arc::new(inputs), scree, means))
                });
            }
            Stage::Cluster => {
                let Some(prepared) = self.prepared.clone() else {
                    self.error("the data is not prepared yet (see the Clean screen)");
                    return;
                };
                self.jobs.start(JobKind::Segment, move |job| {
                    let s = segment_prepared(&recipe, prepared, 0.0, job)?;
                    let outcome = RunOutcome::build(&recipe, &s, &crate::config::persona_rules()?)?;
                    Ok(Output::Segmented(Box::new(SegResult::new(
                        s,
                        outcome,
                        recipe.seed,
                    ))))
                });
            }
            Stage::Names => {
                if let Some(res) = &self.result {
                    let mut outcome = res.outcome.clone();
                    self.jobs.start(JobKind::Rename, move |_| {
                        outcome.rename(&recipe, &crate::config::persona_rules()?)?;
                        Ok(Output::Renamed(Box::new(outcome)))
                    });
                }
            }
        }
    }

    pub fn start_kview(&mut self, k: usize) {
        let Some(res) = &self.result else { return };
        let (seg, rows) = (res.segmented.clone(), res.rows.clone());
        self.jobs.start(JobKind::KView, move |_| {
            KView::compute(&seg, &rows, k)
                .map(|v| Output::KView(Box::new(v)))
                .ok_or(JobError::NoSweepModel(k))
        });
    }

    /// Takes finished jobs' results; true when something changed on screen.
    pub fn poll_jobs(&mut self) -> bool {
        let done = self.jobs.poll();
        let changed = !done.is_empty();
        for (kind, result) in done {
            self.finish(kind, result);
        }
        changed
    }

    /// Blocks until no job runs (tests drive the app this way: no sleeps).
    pub fn wait_idle(&mut self, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        while self.jobs.busy() && std::time::Instant::now() < deadline {
            for (kind, result) in self.jobs.wait(Duration::from_millis(200)) {
                self.finish(kind, result);
            }
        }
    }

    fn finish(&mut self, kind: JobKind, result: Result<Output, JobError>) {
        let out = match result {
            Ok(o) => o,
            Err(e) => {
                let e = e.to_string();
                match (kind, self.opening.take()) {
                    // The current session stays as it was.
                    (JobKind::Load, Some(path)) => self.error(naming("cannot open", &path, &e)),
                    (JobKind::Load, None) => {
                        self.error(format!("{}: {e}", kind.label()));
                        self.load_error = Some(e);
                    }
                    (_, opening) => {
                        self.opening = opening;
                        self.error(format!("{}: {e}", kind.label()));
                        if kind == JobKind::Prepare {
                            self.prepare_error = Some(e);
                        }
                    }
                }
                return;
            }
        };
        match out {
            Output::Loaded(d) => {
                // A log opened as the customer file: ask before anything changes (a reload of
                // the log the session already reads as one is not asked about again).
                if d.log_hint.is_some() && (self.opening.is_some() || !self.session.log_as_input) {
                    let path = self
                        .opening
                        .take()
                        .unwrap_or_else(|| self.session.input.clone());
                    super::sources::offer_log(self, path, d);
                } else {
                    let as_log = self.session.log_as_input && self.opening.is_none();
                    self.take_loaded(*d, as_log);
                }
            }
            Output::Prepared(p, scree, means) => {
                self.scree = scree;
                self.means = means;
                let c = p.prepared.features.n_rows;
                self.say(format!(
                    "cleaned: {c} rows × {} features",
                    p.prepared.features.names.len()
                ));
                self.prepared = Some(p);
                self.prepared_gen += 1;
                self.prepare_error = None;
                super::sources::start_rfm(self);
            }
            Output::Segmented(r) => {
                self.say(format!(
                    "{} segments ({:?}); ← → browse k, Enter uses it",
                    r.segmented.segmentation.k, r.segmented.segmentation.algorithm
                ));
                self.cur.k = r.segmented.segmentation.k;
                self.cur.segment = 0;
                self.result = Some(*r);
                self.result_gen += 1;
                self.result_stale = false;
                self.kview = None;
                if self
                    .result
                    .as_ref()
                    .is_some_and(|r| r.segmented.segmentation.sweep.is_some())
                {
                    self.start_kview(self.cur.k);
                }
            }
            Output::Renamed(outcome) => {
                if let Some(r) = &mut self.result {
                    r.outcome = *outcome;
                }
                self.result_gen += 1;
                self.say("renamed");
            }
            Output::KView(v) => self.kview = Some(*v),
            // Computed from an older preparation: dropped, the current one's job is under way.
            Output::Rfm(v) if v.inputs == self.prepared_gen => self.rfm = Some(*v),
            Output::Rfm(_) => {}
            Output::Exported(files) => {
                self.say(format!(
                    "wrote {} files to {}",
                    files.len(),
                    self.out_dir.display()
                ));
                self.exported = files;
                self.last_export = Some(self.out_dir.clone());
            }
            Output::Compared(v) => super::compare::finish(self, *v),
        }
    }

    /// A loaded table goes on screen; an opened file becomes the session's input (`as_log`:
    /// read as a transaction log, its buyers the customers).
    pub(super) fn take_loaded(&mut self, d: DataState, as_log: bool) {
        self.load_error = None;
        self.say(format!("loaded {} ({} rows)", d.path, d.report.rows));
        self.cur.column = self.cur.column.min(d.table.n_cols().saturating_sub(1));
        self.data = Some(d);
        match self.opening.take() {
            Some(path) => self.switch_input(path, as_log),
            None => {
                self.session.log_as_input = as_log;
                self.start(Stage::Prepare)
            }
        }
    }

    /// The opened file loaded: it becomes the session's input, and what was derived from the
    /// previous one is dropped (the recipe and its undo history stay).
    fn switch_input(&mut self, path: PathBuf, as_log: bool) {
        super::recent::remember(&path.display().to_string());
        self.session.input = path;
        self.session.log_as_input = as_log;
        self.prepared = None;
        self.prepare_error = None;
        self.rfm = None;
        self.result = None;
        self.result_stale = false;
        self.kview = None;
        self.start(Stage::Prepare);
    }

    /// The transaction log the session reads: the main file when it is one, else the recipe's
    /// (a --transactions flag was moved into the recipe by `new`).
    pub fn log_path(&self) -> Option<PathBuf> {
        if self.session.log_as_input {
            return Some(self.session.input.clone());
        }
        transactions_path(
            &self.recipe,
            self.session.recipe_path.as_deref(),
            self.session.transactions.as_deref(),
        )
    }
}

/// `what path: error`, or `what: error` when the error names the path itself (load errors do).
pub fn naming(what: &str, path: &Path, error: &str) -> String {
    let shown = path.display().to_string();
    if error.contains(&shown) {
        format!("{what}: {error}")
    } else {
        format!("{what} {shown}: {error}")
    }
}
