//! Comparing the segments on screen with an earlier export: which segment became which, how
//! many customers moved, new and vanished segments. Read off the UI thread; a comparison made
//! for an older result is dropped when it arrives.

use super::app::{App, InputPurpose, Overlay};
use super::jobs::JobKind;
use super::results::Output;
use crate::engine::compare::{compare, Comparison, RunSegments};
use crate::report::run_folder::read_run;
use std::path::PathBuf;

/// A comparison and what it was made from.
pub struct ComparisonView {
    /// The export compared with.
    pub dir: PathBuf,
    /// `App::result_gen` of the result compared.
    pub result_gen: u64,
    pub comparison: Comparison,
}

/// The compare key: with the last export of this session, else ask for a run folder.
pub fn act(app: &mut App) {
    if app.cur.compare {
        app.cur.compare = false;
        return;
    }
    if app.result.is_none() {
        app.error("no segments yet: run the sweep on the Cluster screen first");
        return;
    }
    match app.last_export.clone() {
        Some(dir) => start(app, dir),
        None => {
            app.overlay = Overlay::Input {
                purpose: InputPurpose::CompareWith,
                text: String::new(),
            }
        }
    }
}

/// Compares the result on screen with the run folder `dir` (its segments.csv and model.json).
pub fn start(app: &mut App, dir: PathBuf) {
    let Some(res) = &app.result else { return };
    let (model, segmented) = (res.outcome.model.clone(), res.segmented.clone());
    let result_gen = app.result_gen;
    app.cur.compare = true;
    app.jobs.start(JobKind::Compare, move |_| {
        let now = RunSegments::of_run(&model, &segmented);
        let old = read_run(&dir)?;
        let comparison = compare(&old, &now);
        Ok(Output::Compared(Box::new(ComparisonView {
            dir,
            result_gen,
            comparison,
        })))
    });
}

/// A finished comparison: shown only if it is of the result on screen.
pub fn finish(app: &mut App, v: ComparisonView) {
    if v.result_gen != app.result_gen {
        return;
    }
    let c = &v.comparison;
    app.say(format!(
        "compared with {}: {} of {} customers moved",
        v.dir.display(),
        c.moved,
        c.customers_in_both
    ));
    app.comparison = Some(v);
}
