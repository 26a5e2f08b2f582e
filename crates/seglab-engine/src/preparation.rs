//! The data layer end to end: clean → derive → outliers → missing → features → scale.
//! One function for the CLI, the TUI and the tests, and the fitted transform for new data.

use crate::behaviour::{self, Behaviour};
use crate::clean::{
    dedup_step, missing, outliers, text, CleanError, CleaningLog, DuplicatePair, MissingRule,
    RemovedRows,
};
use crate::features::{self, FeatureError, FeatureMatrix, OneHot};
use crate::recipe::Recipe;
use crate::scale::{self, FittedScaler};
use crate::table::Table;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PreparationError {
    #[error(transparent)]
    Clean(#[from] CleanError),
    #[error(transparent)]
    Feature(#[from] FeatureError),
    #[error(transparent)]
    Behaviour(#[from] behaviour::BehaviourError),
    #[error(transparent)]
    Events(#[from] crate::events::EventsError),
    #[error(transparent)]
    Derive(#[from] crate::derived_columns::DeriveError),
    #[error(transparent)]
    Labels(#[from] crate::labels::LabelError),
    #[error(transparent)]
    RfmMap(#[from] crate::rfm::RfmMapError),
    #[error(transparent)]
    Rfm(#[from] crate::rfm::RfmError),
}

/// RFM as fitted on the run's customers: the score cut points and the segment map, so that new
/// customers are scored and named the same way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedRfm {
    pub cuts: crate::rfm::RfmCuts,
    pub map: crate::rfm::RfmSegmentMap,
}

/// Everything learned from the data that new data needs to be prepared the same way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FittedFeatures {
    /// "YYYY-MM-DD"
    pub as_of: String,
    pub age_from: Option<String>,
    pub tenure_from: Option<String>,
    pub behaviour: Option<behaviour::BehaviourOptions>,
    /// `[events]` with its roles named and its file absolute; `apply` re-reads that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<crate::events::EventsOptions>,
    pub id: Option<String>,
    pub fills: Vec<missing::Fill>,
    pub bounds: Vec<outliers::Bounds>,
    pub numeric: Vec<String>,
    /// Outcome-like columns (Churn, Response) that are not features: profiled beside them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<String>,
    pub log1p: Vec<String>,
    pub one_hot: Vec<OneHot>,
    /// Indices into numeric-then-one-hot raw features that survived (constant ones may be dropped).
    pub kept: Vec<usize>,
    pub scaler: FittedScaler,
    /// `[derive]` of the recipe, recomputed on new data.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub derive: std::collections::BTreeMap<String, String>,
    /// Rule, lifecycle and score labels (see `labels`).
    #[serde(default)]
    pub labels: crate::labels::FittedLabels,
    /// RFM scores and segments (with a transaction log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rfm: Option<FittedRfm>,
}

pub struct Prepared {
    pub cleaned: Table,
    pub features: FeatureMatrix,
    pub fitted: FittedFeatures,
    pub log: CleaningLog,
    pub duplicates: Vec<DuplicatePair>,
    /// (step, rows after it), for manifests and the status bar.
    pub row_counts: Vec<(String, usize)>,
    /// Per row of `cleaned`: a feature was missing and filled.
    pub imputed: Vec<bool>,
    /// Rows cleaning removed (merged duplicates, dropped outliers, dropped for a missing value).
    pub removed: RemovedRows,
}

/// Temporary column marking rows with a feature gap (a name no input column can have).
const GAPS_COLUMN: &str = "\u{0}seglab_gaps";

pub const STEPS: [&str; 6] = [
    "normalize text",
    "deduplicate",
    "derive features",
    "outliers",
    "missing values",
    "encode and scale",
];

/// `progress(i)` is called before step i of `STEPS`.
/// `behaviour`: the summary of the log named by the recipe's `[transactions]`.
pub fn prepare(
    mut table: Table,
    behaviour: Option<&Behaviour>,
    events: Option<&crate::events::Events>,
    recipe: &Recipe,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize),
) -> Result<Prepared, PreparationError> {
    let opts = &recipe.clean;
    let mut log = CleaningLog::default();
    let mut removed = RemovedRows::default();
    let mut counts = vec![("loaded".to_string(), table.n_rows())];
    progress(0);
    if opts.trim {
        text::trim_all(&mut table, &mut log);
    }
    text::case_fold(&mut table, &opts.case_fold, &mut log)?;
    progress(1);
    let duplicates = dedup_step::apply(&mut table, &opts.dedup, &mut log, &mut removed)?;
    counts.push(("deduplicated".into(), table.n_rows()));
    progress(2);
    let fo = &recipe.features;
    // Without a stated date, a log's own end is "now": counting recency to today would make every
    // customer of a 2011 log lapsed by thousands of days.
    let log_end = behaviour.and_then(Behaviour::default_as_of);
    let as_of = match log_end {
        Some(day) if fo.as_of.is_none() => {
            log.warn(format!(
                "features.as_of is not set; recency and ages are as of {day}, the day after the last purchase in the transaction log. Set features.as_of to pin it"
            ));
            day
        }
        _ => features::as_of_date(fo, today)?,
    };
    if fo.as_of.is_none()
        && log_end.is_none()
        && (fo.age_from.is_some() || fo.tenure_from.is_some())
    {
        log.warn(format!("features.as_of is not set; age and tenure are as of today ({as_of}). Set it to reproduce this run later"));
    }
    let mut rfm = None;
    if let Some(b) = behaviour {
        behaviour::log_hygiene(b, &mut log);
        behaviour::add_behaviour(&mut table, b, as_of, &mut log)?;
        let map = recipe
            .transactions
            .as_ref()
            .and_then(|t| t.rfm_map.as_ref());
        rfm = add_rfm(&mut table, map, &mut log)?;
    }
    if let Some(e) = events {
        crate::events::add_events(&mut table, e, as_of, &mut log)?;
    }
    features::derive(&mut table, fo, as_of)?;
    crate::derived_columns::add_derived(&mut table, &recipe.derive, as_of)?;
    // Cleaning works on any table: without features it goes on and only the feature matrix is
    // empty (`clean` then skips features.csv; segmenting refuses).
    let (numeric, one_hot) = match features::select(&table, fo) {
        Ok(selected) => selected,
        Err(FeatureError::Empty) => {
            log.warn(
                "no features: the table has no number columns and features.one_hot is empty; \
                 the table is cleaned, but there is nothing to segment on"
                    .to_string(),
            );
            (Vec::new(), Vec::new())
        }
        Err(e) => return Err(e.into()),
    };
    // What the defaults kept out or re-typed is said, so an outcome left out of the features or a
    // code read as a category is never a silent choice.
    if let Some(d) = features::defaults(&table, fo) {
        for w in crate::default_features::warnings(&d) {
            log.warn(w);
        }
    }
    let chosen: Vec<String> = numeric.iter().chain(&one_hot).cloned().collect();
    let outcomes = crate::default_features::outcome_columns(&table, &chosen);
    let n = table.n_rows();
    for name in numeric.iter().filter(|name| {
        table
            .column(name)
            .is_some_and(crate::default_features::looks_like_outcome)
    }) {
        log.add(
            "features",
            Some(name),
            "looks like an outcome; clustered on because features.columns lists it".into(),
            (n, n),
            0,
        );
    }
    for w in features::one_hot_warnings(&table, &one_hot) {
        log.warn(w);
    }
    // After feature selection: the label columns are outputs, never features.
    let labels = crate::labels::fit(
        &table,
        &recipe.rules,
        recipe.lifecycle.as_ref(),
        recipe.score.as_ref(),
    )?;
    crate::labels::add_to_table(&mut table, &labels, as_of, &mut log)?;
    progress(3);
    let bounds = outliers::apply(&mut table, &opts.outliers, &mut log, &mut removed)?;
    counts.push(("outliers".into(), table.n_rows()));
    progress(4);
    let mut rules: Vec<(String, MissingRule)> = opts
        .missing
        .columns
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Columns by name, looked up once: a table may have 100,000 columns.
    let by_name: std::collections::HashMap<&str, &crate::table::Column> =
        table.columns.iter().map(|c| (c.name.as_str(), c)).collect();
    for (names, rule) in [
        (&numeric, &opts.missing.default_numeric),
        (&one_hot, &opts.missing.default_category),
    ] {
        for name in names {
            let has_gaps = by_name
                .get(name.as_str())
                .is_some_and(|c| c.data.null_count() > 0);
            if has_gaps && !opts.missing.columns.contains_key(name) {
                rules.push((name.clone(), rule.clone()));
            }
        }
    }
    // Which rows have a gap in a feature, carried through the missing step (which may drop rows)
    // as a temporary column: the `imputed` status of run's segments.csv.
    let mut gaps: Vec<Option<bool>> = vec![Some(false); table.n_rows()];
    for c in numeric
        .iter()
        .chain(&one_hot)
        .filter_map(|name| by_name.get(name.as_str()))
        .filter(|c| c.data.null_count() > 0)
    {
        for (r, gap) in gaps.iter_mut().enumerate() {
            if c.data.is_null(r) {
                *gap = Some(true);
            }
        }
    }
    table.columns.push(crate::table::Column::new(
        GAPS_COLUMN,
        crate::table::ColumnType::Boolean,
        crate::table::ColumnData::Boolean(gaps),
    ));
    let fills = missing::apply(
        &mut table,
        &rules,
        &opts.missing,
        &numeric,
        recipe.seed,
        &mut log,
        &mut removed,
    );
    let imputed: Vec<bool> = match table.index_of(GAPS_COLUMN).map(|i| table.columns.remove(i)) {
        Some(crate::table::Column {
            data: crate::table::ColumnData::Boolean(v),
            ..
        }) => v.into_iter().map(|b| b == Some(true)).collect(),
        _ => vec![false; table.n_rows()],
    };
    let mut fills = fills?;
    for f in fills.iter_mut().filter(|f| f.rule == MissingRule::Knn) {
        // New data has no neighbours to ask; the median stands in (recorded in the transform).
        f.value = table.column(&f.column).and_then(|c| {
            let s = crate::stats::sorted_present(c.data.as_numbers()?);
            crate::stats::quantile_sorted(&s, 0.5).map(crate::table::format_number)
        });
    }
    counts.push(("missing values".into(), table.n_rows()));
    if let Some(rare) = &opts.rare_categories {
        text::fold_rare(&mut table, rare, &mut log)?;
    }
    progress(5);
    let (raw, learned) = features::raw_features(&table, &numeric, &fo.log1p, &one_hot, None)?;
    let fit = scale::fit(&raw.names, &raw.columns, &raw.indicator, &recipe.scale);
    for w in fit.warnings {
        log.warn(w);
    }
    let id_col = match &fo.id {
        Some(name) => Some(
            table
                .column(name)
                .ok_or_else(|| CleanError::UnknownColumn {
                    option: "features.id".into(),
                    column: name.clone(),
                    available: table.names().join(", "),
                })?,
        ),
        None => table
            .columns
            .iter()
            .find(|c| c.ty == crate::table::ColumnType::Id),
    };
    let matrix = FeatureMatrix::build(&raw, &fit.kept, &fit.scaler, id_col);
    let fitted = FittedFeatures {
        as_of: as_of.format("%Y-%m-%d").to_string(),
        age_from: fo.age_from.clone(),
        tenure_from: fo.tenure_from.clone(),
        behaviour: behaviour.and(recipe.transactions.clone()),
        events: events.and(recipe.events.clone()),
        id: id_col.map(|c| c.name.clone()),
        fills,
        bounds,
        numeric,
        outcomes,
        log1p: fo.log1p.clone(),
        one_hot: learned,
        kept: fit.kept,
        scaler: fit.scaler,
        derive: recipe.derive.clone(),
        labels,
        rfm,
    };
    log.add(
        "features",
        None,
        format!(
            "{} feature(s) × {} row(s), scaled by {}",
            matrix.names.len(),
            matrix.n_rows,
            recipe.scale.method.name()
        ),
        (table.n_rows(), table.n_rows()),
        0,
    );
    Ok(Prepared {
        cleaned: table,
        features: matrix,
        fitted,
        log,
        duplicates,
        row_counts: counts,
        imputed,
        removed,
    })
}

/// RFM scores and segments of the customers with a purchase (none when nobody bought).
fn add_rfm(
    table: &mut Table,
    map: Option<&crate::rfm::RfmSegmentMap>,
    log: &mut CleaningLog,
) -> Result<Option<FittedRfm>, PreparationError> {
    let cuts = match crate::rfm::fit(table) {
        Ok(cuts) => cuts,
        Err(crate::rfm::RfmError::NoBuyers) => {
            log.warn("no customer has a purchase in the transaction log: no RFM scores".into());
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let map = match map {
        Some(m) => m.clone(),
        None => crate::rfm::RfmSegmentMap::built_in()?,
    };
    crate::rfm::add_scores(table, &cuts, &map)?;
    let n = table.n_rows();
    log.add(
        "rfm",
        None,
        format!(
            "added {} (scores 1-5 by quintiles of the buyers)",
            crate::rfm::COLUMNS.join(", ")
        ),
        (n, n),
        n * crate::rfm::COLUMNS.len(),
    );
    Ok(Some(FittedRfm { cuts, map }))
}

impl FittedFeatures {
    /// The `[derive]` and label columns of new rows, as `run` wrote them for its own rows: what
    /// `apply` adds to its segments.csv. Empty (and nothing computed) when the model has neither.
    pub fn applied_columns(
        &self,
        table: &Table,
        behaviour: Option<&crate::behaviour::Behaviour>,
    ) -> Result<(Vec<crate::table::Column>, Vec<String>), PreparationError> {
        let labels = &self.labels;
        if self.derive.is_empty() && *labels == crate::labels::FittedLabels::default() {
            return Ok((Vec::new(), Vec::new()));
        }
        let derived = self.derive_columns(table, behaviour)?;
        let options = crate::features::FeatureOptions {
            as_of: Some(self.as_of.clone()),
            ..Default::default()
        };
        let as_of = crate::features::as_of_date(&options, NaiveDate::MIN)?;
        let (label_columns, notes) = labels.columns(&derived, as_of)?;
        let mut columns: Vec<crate::table::Column> = self
            .derive
            .keys()
            .filter_map(|name| derived.column(name).cloned())
            .collect();
        columns.extend(label_columns);
        Ok((columns, notes))
    }

    /// A trimmed copy of new rows with the fitted as-of date's behaviour and derived columns
    /// (age, tenure): the first steps of both `transform` and `SegmentModel::score`.
    pub fn derive_columns(
        &self,
        table: &Table,
        behaviour: Option<&Behaviour>,
    ) -> Result<Table, PreparationError> {
        let mut t = table.clone();
        let mut log = CleaningLog::default();
        text::trim_all(&mut t, &mut log);
        let fo = features::FeatureOptions {
            age_from: self.age_from.clone(),
            tenure_from: self.tenure_from.clone(),
            as_of: Some(self.as_of.clone()),
            ..Default::default()
        };
        let as_of = features::as_of_date(&fo, NaiveDate::MIN)?;
        if let (Some(b), Some(_)) = (behaviour, &self.behaviour) {
            behaviour::add_behaviour(&mut t, b, as_of, &mut log)?;
            if let Some(r) = &self.rfm {
                crate::rfm::add_scores(&mut t, &r.cuts, &r.map)?;
            }
        }
        features::derive(&mut t, &fo, as_of)?;
        crate::derived_columns::add_derived(&mut t, &self.derive, as_of)?;
        Ok(t)
    }

    /// Prepare new rows exactly as the fitted data was: same as-of date, clipping bounds, fill
    /// values, categories and scaler. Rows are not dropped here (scoring needs every customer).
    pub fn transform(
        &self,
        table: &Table,
        behaviour: Option<&Behaviour>,
    ) -> Result<FeatureMatrix, PreparationError> {
        let mut t = self.derive_columns(table, behaviour)?;
        for b in self
            .bounds
            .iter()
            .filter(|b| b.action == outliers::OutlierAction::Clip)
        {
            if let Some(i) = t.index_of(&b.column) {
                outliers::apply_bounds(&mut t, i, b);
            }
        }
        for f in &self.fills {
            if let (Some(v), Some(c)) = (&f.value, t.column_mut(&f.column)) {
                let _ = missing::fill_with(&mut c.data, v);
            }
        }
        let (raw, _) = features::raw_features(
            &t,
            &self.numeric,
            &self.log1p,
            &self
                .one_hot
                .iter()
                .map(|o| o.column.clone())
                .collect::<Vec<_>>(),
            Some(&self.one_hot),
        )?;
        let id = self.id.as_deref().and_then(|n| t.column(n));
        Ok(FeatureMatrix::build(&raw, &self.kept, &self.scaler, id))
    }
}
