//! Writing files from the workbench: the export (segments, personas, charts, model) and the
//! session saved as a recipe. Kept apart from `app` so the state machine stays readable.

use super::app::App;
use super::jobs::JobKind;
use super::results::Output;
use crate::report::input_files;
use crate::report::run_output;
use std::path::{Path, PathBuf};

impl App {
    pub(super) fn export(&mut self) {
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
        // With customers built from a log, the input is that log: listed once.
        files.extend(self.log_path().filter(|_| !self.session.log_as_input));
        self.jobs.start(JobKind::Export, move |_| {
            // Named with the recipe as it is now: a rename just made is in the files.
            outcome.rename(&recipe, &crate::config::persona_rules()?)?;
            let inputs = input_files::describe(&files);
            let dir = run_output::write_formats(&out, &outcome, &seg, &inputs, formats)?;
            Ok(Output::Exported(list_files(&dir)))
        });
    }

    pub(super) fn save_recipe(&mut self) {
        let path = self.out_dir.with_extension("toml");
        let recipe = super::edit::reproducible(self);
        // Customers built from a log: the log is given as one, as the run that built them did.
        let input = if self.session.log_as_input {
            format!("--transactions {}", self.session.input.display())
        } else {
            self.session.input.display().to_string()
        };
        let header = format!(
            "# Saved by the seglab workbench. Reproduce its segments with:\n#   seglab run --recipe {} {input} --out DIR\n",
            path.display(),
        );
        let text = header + &recipe.to_toml();
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        match crate::report::atomic::write_new_file(&path, text.as_bytes()) {
            Ok(()) => self.say(format!(
                "saved {}: seglab run --recipe {} {input} --out DIR",
                path.display(),
                path.display(),
            )),
            Err(e) => self.error(e.to_string()),
        }
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
