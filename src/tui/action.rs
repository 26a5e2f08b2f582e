//! Everything a key can do: one enum, with the name used in keymap.toml and a description for
//! the help screen and the command palette.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    NextScreen,
    PrevScreen,
    GotoData,
    GotoClean,
    GotoFeatures,
    GotoCluster,
    GotoSegments,
    GotoExport,
    Up,
    Down,
    PageUp,
    PageDown,
    Left,
    Right,
    Home,
    End,
    Help,
    Palette,
    Cancel,
    Undo,
    Redo,
    CycleTheme,
    Presentation,
    Open,
    CycleRole,
    CycleType,
    CycleDateFormat,
    CycleMissing,
    CycleOutlier,
    CycleDedup,
    TogglePair,
    ToggleFeature,
    ToggleLog,
    CycleScaler,
    TogglePca,
    CycleAlgorithm,
    RunSweep,
    WidenK,
    NarrowK,
    ChooseK,
    SetEps,
    SetMinPoints,
    SetNInit,
    Rename,
    EditOutDir,
    ToggleCsv,
    ToggleParquet,
    ToggleCharts,
    Export,
    SaveRecipe,
    AttachTransactions,
    AttachEvents,
    DetachTransactions,
    DetachEvents,
    ToggleSources,
    PickRole,
    ToggleReturns,
    SetAsOf,
    ToggleRfm,
    CompareExport,
}

/// (action, name in keymap.toml, what it does).
pub const ACTIONS: &[(Action, &str, &str)] = &[
    (Action::Quit, "quit", "quit seglab"),
    (Action::NextScreen, "next_screen", "next screen"),
    (Action::PrevScreen, "prev_screen", "previous screen"),
    (Action::GotoData, "goto_data", "go to Data"),
    (Action::GotoClean, "goto_clean", "go to Clean"),
    (Action::GotoFeatures, "goto_features", "go to Features"),
    (Action::GotoCluster, "goto_cluster", "go to Cluster"),
    (Action::GotoSegments, "goto_segments", "go to Segments"),
    (Action::GotoExport, "goto_export", "go to Export"),
    (Action::Up, "up", "move up"),
    (Action::Down, "down", "move down"),
    (Action::PageUp, "page_up", "page up (table rows)"),
    (Action::PageDown, "page_down", "page down (table rows)"),
    (Action::Left, "left", "move left / previous k"),
    (Action::Right, "right", "move right / next k"),
    (Action::Home, "home", "first"),
    (Action::End, "end", "last"),
    (Action::Help, "help", "show the keys of this screen"),
    (Action::Palette, "palette", "command palette"),
    (Action::Cancel, "cancel", "cancel the running job / close"),
    (Action::Undo, "undo", "undo the last recipe change"),
    (Action::Redo, "redo", "redo"),
    (
        Action::CycleTheme,
        "cycle_theme",
        "theme: dark, light, high contrast",
    ),
    (
        Action::Presentation,
        "presentation",
        "presentation mode (big charts, no chrome)",
    ),
    (Action::Open, "open", "open another customer file"),
    (
        Action::CycleRole,
        "cycle_role",
        "column role: feature, id, ignore",
    ),
    (
        Action::CycleType,
        "cycle_type",
        "force the column's type (reloads)",
    ),
    (
        Action::CycleDateFormat,
        "cycle_date_format",
        "date format: auto, ymd, mdy, dmy (reloads)",
    ),
    (
        Action::CycleMissing,
        "cycle_missing",
        "missing values: median, mean, mode, knn, drop, keep",
    ),
    (
        Action::CycleOutlier,
        "cycle_outlier",
        "outliers: none, IQR clip, IQR drop, z clip, IQR flag",
    ),
    (
        Action::CycleDedup,
        "cycle_dedup",
        "dedup: none, exact, fuzzy",
    ),
    (
        Action::TogglePair,
        "toggle_pair",
        "reject / accept the selected fuzzy pair",
    ),
    (
        Action::ToggleFeature,
        "toggle_feature",
        "use the column as a feature or not",
    ),
    (Action::ToggleLog, "toggle_log", "log1p transform on / off"),
    (
        Action::CycleScaler,
        "cycle_scaler",
        "scaler: zscore, robust, minmax, none",
    ),
    (
        Action::TogglePca,
        "toggle_pca",
        "PCA (90% variance) on / off",
    ),
    (
        Action::CycleAlgorithm,
        "cycle_algorithm",
        "algorithm: kmeans, hierarchical, dbscan",
    ),
    (
        Action::RunSweep,
        "run_sweep",
        "run the sweep and cluster (background)",
    ),
    (Action::WidenK, "widen_k", "k range: one more k"),
    (Action::NarrowK, "narrow_k", "k range: one k fewer"),
    (
        Action::ChooseK,
        "choose_k",
        "use the selected k for the segments",
    ),
    (Action::SetEps, "set_eps", "DBSCAN eps (radius)"),
    (Action::SetMinPoints, "set_min_points", "DBSCAN min_points"),
    (
        Action::SetNInit,
        "set_n_init",
        "k-means seedings per k (n_init)",
    ),
    (Action::Rename, "rename", "rename the selected segment"),
    (
        Action::EditOutDir,
        "edit_out_dir",
        "change the export folder",
    ),
    (
        Action::ToggleCsv,
        "toggle_csv",
        "export segments.csv or not",
    ),
    (
        Action::ToggleParquet,
        "toggle_parquet",
        "export segments.parquet or not",
    ),
    (
        Action::ToggleCharts,
        "toggle_charts",
        "export the PNG/SVG charts or not",
    ),
    (
        Action::Export,
        "export",
        "write segments, personas, charts, model",
    ),
    (
        Action::SaveRecipe,
        "save_recipe",
        "save the session as a recipe",
    ),
    (
        Action::AttachTransactions,
        "attach_transactions",
        "attach a transaction log",
    ),
    (
        Action::AttachEvents,
        "attach_events",
        "attach a web events log",
    ),
    (
        Action::DetachTransactions,
        "detach_transactions",
        "detach the transaction log",
    ),
    (
        Action::DetachEvents,
        "detach_events",
        "detach the web events log",
    ),
    (
        Action::ToggleSources,
        "toggle_sources",
        "the log's roles, returns, as-of and hygiene / the columns",
    ),
    (
        Action::PickRole,
        "pick_role",
        "transaction log: pick the column of a role",
    ),
    (
        Action::ToggleReturns,
        "toggle_returns",
        "transaction log: returns exclude / net",
    ),
    (
        Action::SetAsOf,
        "set_as_of",
        "as-of date for recency (empty: day after the last purchase)",
    ),
    (
        Action::ToggleRfm,
        "toggle_rfm",
        "RFM panel / cluster segments",
    ),
    (
        Action::CompareExport,
        "compare_export",
        "compare with the last export: where customers moved",
    ),
];

impl Action {
    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|a| a.1 == name).map(|a| a.0)
    }

    pub fn name(self) -> &'static str {
        ACTIONS.iter().find(|a| a.0 == self).map_or("", |a| a.1)
    }

    pub fn describe(self) -> &'static str {
        ACTIONS.iter().find(|a| a.0 == self).map_or("", |a| a.2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for &(a, name, _) in ACTIONS {
            assert_eq!(Action::from_name(name), Some(a));
            assert_eq!(a.name(), name);
        }
        let mut names: Vec<&str> = ACTIONS.iter().map(|a| a.1).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ACTIONS.len());
    }
}
