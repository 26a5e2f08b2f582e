//! The workbench's state and what each action does to it. Drawing lives in `views`, recipe
//! edits in `edit`, background work in `jobs`: this file wires them together.

use super::action::Action;
use super::jobs::{JobError, JobKind, Jobs};
use super::keymap::{Key, Keymap};
use super::results::{DataState, KView, Output, SegResult};
use super::screen::Screen;
use super::theme::ThemeKind;
use crate::engine::inputs::{self, transactions_path, PreparedInputs, PREPARE_STAGES};
use crate::engine::inspect::inspect;
use crate::engine::load::{load, Source};
use crate::engine::outcome::RunOutcome;
use crate::engine::segmenting::segment_prepared;
use crate::recipe::Recipe;
use crate::report::input_files;
use crate::report::run_output::{self, ExportFormats};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The files the session works on.
#[derive(Clone, Debug)]
pub struct Session {
    pub input: PathBuf,
    pub recipe_path: Option<PathBuf>,
    pub transactions: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum InputPurpose {
    OpenFile,
    Rename(usize),
    OutDir,
    Eps,
    MinPoints,
    NInit,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    None,
    Help,
    Palette { query: String, selected: usize },
    Input { purpose: InputPurpose, text: String },
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
}

/// Which later stages a recipe change invalidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Load,
    Prepare,
    Cluster,
    Names,
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
    pub jobs: Jobs<Output>,
    pub cur: Cursor,
    pub quit: bool,
    undo: Vec<Recipe>,
    redo: Vec<Recipe>,
}

impl App {
    /// Starts loading and preparing `session.input` in the background.
    pub fn new(session: Session, recipe: Recipe, keymap: Keymap) -> App {
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
            out_dir: next_free(Path::new("out"), "seglab"),
            formats: ExportFormats::default(),
            exported: Vec::new(),
            jobs: Jobs::default(),
            cur: Cursor::default(),
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
        let stage = stage_between(&self.recipe, &r);
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
                    let loaded = load(&input, &recipe.load)?;
                    let name = input.display().to_string();
                    let report = inspect(&name, &loaded.table, &loaded.warnings);
                    Ok(Output::Loaded(Box::new(DataState::new(
                        name,
                        loaded.table,
                        report,
                    ))))
                });
            }
            Stage::Prepare => {
                // A load under way prepares when it finishes; after a failed one the table on
                // screen no longer matches the recipe's load options, so nothing is prepared.
                let ready = !self.jobs.is_running(JobKind::Load) && self.load_error.is_none();
                let Some(data) = self.data.as_ref().filter(|_| ready) else {
                    return;
                };
                let table = data.table.clone();
                self.jobs.start(JobKind::Prepare, move |job| {
                    let mut recipe = recipe;
                    let log = transactions_path(
                        &recipe,
                        session.recipe_path.as_deref(),
                        session.transactions.as_deref(),
                    );
                    let input = Source::Table {
                        name: session.input.clone(),
                        table,
                    };
                    let inputs = inputs::prepare_inputs(
                        &mut recipe,
                        Some(input),
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
                        self.error(format!("{}: {e}", kind.label()))
                    }
                }
                return;
            }
        };
        match out {
            Output::Loaded(d) => {
                self.load_error = None;
                self.say(format!("loaded {} ({} rows)", d.path, d.report.rows));
                self.cur.column = self.cur.column.min(d.table.n_cols().saturating_sub(1));
                self.data = Some(*d);
                match self.opening.take() {
                    Some(path) => self.switch_input(path),
                    None => self.start(Stage::Prepare),
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
            }
            Output::Segmented(r) => {
                self.say(format!(
                    "{} segments ({:?}); ← → browse k, Enter uses it",
                    r.segmented.segmentation.k, r.segmented.segmentation.algorithm
                ));
                self.cur.k = r.segmented.segmentation.k;
                self.cur.segment = 0;
                self.result = Some(*r);
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
                self.say("renamed");
            }
            Output::KView(v) => self.kview = Some(*v),
            Output::Exported(files) => {
                self.say(format!(
                    "wrote {} files to {}",
                    files.len(),
                    self.out_dir.display()
                ));
                self.exported = files;
            }
        }
    }

    /// The opened file loaded: it becomes the session's input, and what was derived from the
    /// previous one is dropped (the recipe and its undo history stay).
    fn switch_input(&mut self, path: PathBuf) {
        super::recent::remember(&path.display().to_string());
        self.session.input = path;
        // A new file: its own columns, so the previous transaction log no longer applies.
        self.session.transactions = None;
        self.prepared = None;
        self.result = None;
        self.result_stale = false;
        self.kview = None;
        self.start(Stage::Prepare);
    }

    fn export(&mut self) {
        let Some(res) = &self.result else {
            self.error("nothing to export yet: run the sweep on the Cluster screen (r)");
            return;
        };
        if self.result_stale {
            self.error("the segments are out of date: run the sweep again (Cluster, r)");
            return;
        }
        if self.out_dir.exists() {
            // Exported before: a new folder, never over the old one.
            self.out_dir = next_free(self.out_dir.parent().unwrap_or(Path::new("out")), "seglab");
        }
        let formats = self.formats;
        let (seg, mut outcome, recipe, out) = (
            res.segmented.clone(),
            res.outcome.clone(),
            self.recipe.clone(),
            self.out_dir.clone(),
        );
        let mut files = vec![self.session.input.clone()];
        files.extend(transactions_path(
            &self.recipe,
            self.session.recipe_path.as_deref(),
            self.session.transactions.as_deref(),
        ));
        self.jobs.start(JobKind::Export, move |_| {
            // Named with the recipe as it is now: a rename just made is in the files.
            outcome.rename(&recipe, &crate::config::persona_rules()?)?;
            let inputs = input_files::describe(&files);
            let dir = run_output::write_formats(&out, &outcome, &seg, &inputs, formats)?;
            Ok(Output::Exported(list_files(&dir)))
        });
    }

    fn save_recipe(&mut self) {
        let path = self.out_dir.with_extension("toml");
        let recipe = super::edit::reproducible(self);
        let header = format!(
            "# Saved by the seglab workbench. Reproduce its segments with:\n#   seglab run --recipe {} {} --out DIR\n",
            path.display(),
            self.session.input.display()
        );
        let text = header + &recipe.to_toml();
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match crate::report::atomic::write_new_file(&path, text.as_bytes()) {
            Ok(()) => self.say(format!(
                "saved {}: seglab run --recipe {} {} --out DIR",
                path.display(),
                path.display(),
                self.session.input.display()
            )),
            Err(e) => self.error(e.to_string()),
        }
    }
}

/// The earliest stage that differs between two recipes.
/// `what path: error`, or `what: error` when the error names the path itself (load errors do).
pub fn naming(what: &str, path: &Path, error: &str) -> String {
    let shown = path.display().to_string();
    if error.contains(&shown) {
        format!("{what}: {error}")
    } else {
        format!("{what} {shown}: {error}")
    }
}

fn stage_between(a: &Recipe, b: &Recipe) -> Stage {
    if a.load != b.load {
        Stage::Load
    } else if a.clean != b.clean
        || a.features != b.features
        || a.scale != b.scale
        || a.transactions != b.transactions
    {
        Stage::Prepare
    } else if a.segments != b.segments && a.cluster == b.cluster && a.reduce == b.reduce {
        Stage::Names
    } else {
        Stage::Cluster
    }
}

/// `dir/stem-N` for the first N that does not exist yet.
pub fn next_free(dir: &Path, stem: &str) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("{stem}-{n}")))
        .find(|p| !p.exists() && !p.with_extension("toml").exists())
        .unwrap_or_else(|| dir.join(stem))
}

fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(dir) {
                out.push(rel.display().to_string());
            }
        }
    }
    out.sort();
    out
}
