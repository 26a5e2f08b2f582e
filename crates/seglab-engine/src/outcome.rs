//! A run's outcome, built in one place: the segment profiles, their persona names, the model
//! that labels new customers and the status of every input row. The report layer writes it;
//! the CLI and the workbench show it.

use crate::model::{training_ranges, SegmentModel, SegmentName, SCHEMA_VERSION};
use crate::other_columns::{add_to_profiles, choose, SkippedColumn};
use crate::personas::{name_segments, Persona, PersonaRules};
use crate::profile::{profile_in_space, SegmentProfile};
use crate::recipe::Recipe;
use crate::row_status::{count_by_kind, RowStatus, StatusFlag};
use crate::segment_names::{self, CurrentSegments};
use crate::segmenting::Segmented;
use std::collections::BTreeMap;

/// The columns a labelled segments.csv adds to the input's (`run` and `apply`).
pub const LABEL_COLUMNS: [&str; 4] = ["segment_id", "segment_name", "status", "silhouette"];

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum OutcomeError {
    #[error("segments.rename: '{0}' is not a segment number")]
    RenameId(String),
}

#[derive(Clone, Debug)]
pub struct RunOutcome {
    pub profiles: Vec<SegmentProfile>,
    pub personas: Vec<Persona>,
    pub model: SegmentModel,
    /// Every input row: the segmented ones in order, then the rows cleaning removed.
    pub status: Vec<RowStatus>,
    /// Segments found (DBSCAN noise is not one).
    pub k: usize,
    /// What became of names that did not find their segment, and renames kept by number.
    pub name_notes: Vec<String>,
    /// Columns neither clustered on nor profiled (identifiers, contact details, free text).
    pub skipped_columns: Vec<SkippedColumn>,
}

impl RunOutcome {
    /// `rules`: the persona rules the front end chose (built-in, or the user's own file).
    pub fn build(
        recipe: &Recipe,
        s: &Segmented,
        rules: &PersonaRules,
    ) -> Result<RunOutcome, OutcomeError> {
        let prepared = &s.inputs.prepared;
        let fitted = &prepared.fitted;
        let seg = &s.segmentation;
        let categories: Vec<String> = if recipe.segments.categories.is_empty() {
            fitted.one_hot.iter().map(|o| o.column.clone()).collect()
        } else {
            recipe.segments.categories.clone()
        };
        let mut profiles = profile_in_space(
            &prepared.cleaned,
            &seg.labels,
            &fitted.numeric,
            &categories,
            &fitted.log1p,
        );
        // Everything else (churn rate, contract mix, gender) is profiled beside the features;
        // outcome-like columns (Churn) never tell a segment apart: it was not clustered on them.
        let one_hot = fitted.one_hot.iter().map(|o| &o.column);
        let features: Vec<String> = fitted
            .numeric
            .iter()
            .chain(one_hot)
            .chain(&categories)
            .cloned()
            .collect();
        let other = choose(&prepared.cleaned, fitted.id.as_deref(), &features);
        add_to_profiles(&mut profiles, &prepared.cleaned, &seg.labels, &other);
        for p in &mut profiles {
            p.distinguishing
                .retain(|d| !fitted.outcomes.contains(&d.feature));
        }
        let model = SegmentModel {
            schema_version: SCHEMA_VERSION,
            seglab_version: env!("CARGO_PKG_VERSION").to_string(),
            recipe: recipe.clone(),
            fitted: fitted.clone(),
            pca: s.pca.clone(),
            algorithm: seg.algorithm,
            n_cols: s.n_cols,
            centroids: seg.centroids.clone(),
            core_points: seg.core_points.clone(),
            segments: Vec::new(),
            ranges: training_ranges(&prepared.cleaned, &fitted.numeric),
        };
        let mut outcome = RunOutcome {
            profiles,
            personas: Vec::new(),
            model,
            status: run_status(s),
            k: seg.k,
            name_notes: Vec::new(),
            skipped_columns: other.skipped,
        };
        outcome.rename(recipe, rules)?;
        Ok(outcome)
    }

    /// Names the segments again (the recipe's renames or the rules changed); the profiles, the
    /// model's centroids and the statuses stay as they are. Names kept with a segment's
    /// identity go to the segment they match (see `segment_names`).
    pub fn rename(&mut self, recipe: &Recipe, rules: &PersonaRules) -> Result<(), OutcomeError> {
        let mut numeric = BTreeMap::new();
        for (id, name) in &recipe.segments.rename {
            let id: usize = id.parse().map_err(|_| OutcomeError::RenameId(id.clone()))?;
            numeric.insert(id, name.clone());
        }
        let columns = self.model.space_columns();
        let sizes = self.sizes();
        let resolved = segment_names::resolve(
            &recipe.segments.names,
            &numeric,
            &CurrentSegments {
                centroids: &self.model.centroids,
                sizes: &sizes,
                columns: &columns,
            },
        );
        self.name_notes = resolved.notes;
        self.personas = name_segments(&self.profiles, rules, &resolved.by_id);
        self.model.segments = self
            .personas
            .iter()
            .filter(|p| p.id < self.k)
            .map(|p| SegmentName {
                id: p.id,
                name: p.name.clone(),
            })
            .collect();
        self.model.recipe = recipe.clone();
        Ok(())
    }

    /// Rows per segment id, `0..k`.
    pub fn sizes(&self) -> Vec<usize> {
        (0..self.k)
            .map(|id| {
                self.profiles
                    .iter()
                    .find(|p| p.id == id)
                    .map_or(0, |p| p.size)
            })
            .collect()
    }

    /// Gives segment `id` a name that follows it across re-runs: stored in the recipe with the
    /// segment's centroid, size and clustered columns.
    pub fn pin_name(&self, recipe: &mut Recipe, id: usize, name: String) {
        let columns = self.model.space_columns();
        let sizes = self.sizes();
        let now = CurrentSegments {
            centroids: &self.model.centroids,
            sizes: &sizes,
            columns: &columns,
        };
        let seg = &mut recipe.segments;
        segment_names::pin(&mut seg.names, &mut seg.rename, &now, id, name);
    }

    /// Rows per status kind (`ok`, `imputed`, `merged_into`, …).
    pub fn status_counts(&self) -> BTreeMap<String, usize> {
        count_by_kind(&self.status)
    }
}

/// The status of each row of a run's segments.csv: the cleaned rows (`imputed` where a feature
/// gap was filled), then the rows cleaning removed (`merged_into:<id>`, `outlier_dropped`, …).
fn run_status(s: &Segmented) -> Vec<RowStatus> {
    let prepared = &s.inputs.prepared;
    prepared
        .imputed
        .iter()
        .map(|&filled| {
            let mut st = RowStatus::ok();
            if filled {
                st.add(StatusFlag::Imputed);
            }
            st
        })
        .chain(prepared.removed.statuses().cloned())
        .collect()
}
