//! What the screen-specific actions do: move the selection, or change the recipe (undoable,
//! through `App::change`, which reruns the stages the change invalidates).

use super::action::Action;
use super::app::{App, InputPurpose, Overlay, Stage};
use super::screen::Screen;
use crate::engine::clean::dedup_step::DedupMode;
use crate::engine::clean::missing::MissingRule;
use crate::engine::clean::outliers::{OutlierAction, OutlierMethod, OutlierRule};
use crate::engine::scale::ScaleMethod;
use crate::engine::segment::Algorithm;
use crate::engine::table::ColumnType;
use crate::recipe::Recipe;

const PAGE: usize = 10;

pub fn act(app: &mut App, a: Action) {
    match (app.screen, a) {
        (_, Action::Up | Action::Down | Action::Home | Action::End) => {
            let len = list_len(app);
            let at = selection(app);
            *at = match a {
                Action::Up => at.saturating_sub(1),
                Action::Down => (*at + 1).min(len.saturating_sub(1)),
                Action::Home => 0,
                _ => len.saturating_sub(1),
            };
        }
        (Screen::Data, Action::PageDown) => {
            let n = app.data.as_ref().map_or(0, |d| d.table.n_rows());
            app.cur.row = (app.cur.row + PAGE).min(n.saturating_sub(1));
        }
        (Screen::Data, Action::PageUp) => app.cur.row = app.cur.row.saturating_sub(PAGE),
        (Screen::Data, Action::Right) => {
            let n = app.data.as_ref().map_or(0, |d| d.table.n_cols());
            app.cur.table_col = (app.cur.table_col + 1).min(n.saturating_sub(1));
        }
        (Screen::Data, Action::Left) => app.cur.table_col = app.cur.table_col.saturating_sub(1),
        (Screen::Cluster, Action::Left | Action::Right) => browse_k(app, a == Action::Right),
        (Screen::Data, Action::CycleRole) => cycle_role(app),
        (Screen::Data, Action::CycleType) => cycle_type(app),
        (Screen::Data, Action::CycleDateFormat) => cycle_date_format(app),
        (Screen::Clean, Action::CycleMissing) => {
            if let Some(col) = clean_columns(app).get(app.cur.clean).cloned() {
                app.change(Stage::Prepare, |r| {
                    let now = r.clean.missing.columns.get(&col).cloned();
                    let order = [
                        MissingRule::Median,
                        MissingRule::Mean,
                        MissingRule::Mode,
                        MissingRule::Knn,
                        MissingRule::Drop,
                        MissingRule::Keep,
                    ];
                    let next = match now.and_then(|m| order.iter().position(|x| *x == m)) {
                        Some(i) => order[(i + 1) % order.len()].clone(),
                        None => MissingRule::Mean,
                    };
                    r.clean.missing.columns.insert(col, next);
                });
            }
        }
        (Screen::Clean, Action::CycleOutlier) => {
            if let Some(col) = clean_columns(app).get(app.cur.clean).cloned() {
                app.change(Stage::Prepare, |r| {
                    let order: [Option<(OutlierMethod, OutlierAction)>; 5] = [
                        None,
                        Some((OutlierMethod::Iqr, OutlierAction::Clip)),
                        Some((OutlierMethod::Iqr, OutlierAction::Drop)),
                        Some((OutlierMethod::Iqr, OutlierAction::Flag)),
                        Some((OutlierMethod::Zscore, OutlierAction::Clip)),
                    ];
                    let now = r.clean.outliers.get(&col).map(|o| (o.method, o.action));
                    let i = order.iter().position(|x| *x == now).unwrap_or(0);
                    match order[(i + 1) % order.len()] {
                        None => {
                            r.clean.outliers.remove(&col);
                        }
                        Some((method, action)) => {
                            let rule = OutlierRule {
                                method,
                                action,
                                ..OutlierRule::default()
                            };
                            r.clean.outliers.insert(col, rule);
                        }
                    }
                });
            }
        }
        (Screen::Clean, Action::CycleDedup) => app.change(Stage::Prepare, |r| {
            r.clean.dedup.mode = match r.clean.dedup.mode {
                DedupMode::None => DedupMode::Exact,
                DedupMode::Exact => DedupMode::Fuzzy,
                DedupMode::Fuzzy => DedupMode::None,
            }
        }),
        (Screen::Clean, Action::PageDown) => app.cur.pair += 1,
        (Screen::Clean, Action::PageUp) => app.cur.pair = app.cur.pair.saturating_sub(1),
        (Screen::Clean, Action::TogglePair) => toggle_pair(app),
        (Screen::Features, Action::ToggleFeature) => {
            if let Some(col) = feature_candidates(app).get(app.cur.feature).cloned() {
                app.change(Stage::Prepare, |r| {
                    toggle(&mut r.features.columns, &col);
                    // log1p applies to features only.
                    if !r.features.columns.contains(&col) {
                        r.features.log1p.retain(|c| *c != col);
                    }
                });
            }
        }
        (Screen::Features, Action::ToggleLog) => {
            if let Some(col) = feature_candidates(app).get(app.cur.feature).cloned() {
                if app.recipe.features.columns.contains(&col) {
                    app.change(Stage::Prepare, |r| toggle(&mut r.features.log1p, &col));
                } else {
                    app.error(format!("{col} is not a feature: space adds it first"));
                }
            }
        }
        (Screen::Features, Action::CycleScaler) => app.change(Stage::Prepare, |r| {
            r.scale.method = match r.scale.method {
                ScaleMethod::Zscore => ScaleMethod::Robust,
                ScaleMethod::Robust => ScaleMethod::Minmax,
                ScaleMethod::Minmax => ScaleMethod::None,
                ScaleMethod::None => ScaleMethod::Zscore,
            }
        }),
        (Screen::Features, Action::TogglePca) => app.change(Stage::Cluster, |r| {
            let on = r.reduce.pca_variance.is_some() || r.reduce.pca_components.is_some();
            r.reduce.pca_components = None;
            r.reduce.pca_variance = (!on).then_some(0.9);
        }),
        (Screen::Cluster, Action::CycleAlgorithm) => app.change(Stage::Cluster, |r| {
            r.cluster.algorithm = match r.cluster.algorithm {
                Algorithm::Kmeans => Algorithm::Hierarchical,
                Algorithm::Hierarchical => Algorithm::Dbscan,
                Algorithm::Dbscan => Algorithm::Kmeans,
            }
        }),
        (Screen::Cluster, Action::WidenK) => app.change(Stage::Cluster, |r| r.cluster.k_max += 1),
        (Screen::Cluster, Action::NarrowK) => app.change(Stage::Cluster, |r| {
            r.cluster.k_max = (r.cluster.k_max - 1).max(r.cluster.k_min + 1)
        }),
        (Screen::Cluster, Action::ChooseK) => {
            let k = app.cur.k;
            if app.result.is_some() && k >= 2 {
                app.change(Stage::Cluster, |r| r.cluster.k = Some(k));
                app.start(Stage::Cluster);
                app.say(format!("clustering with k = {k}"));
            }
        }
        (Screen::Cluster, Action::SetEps | Action::SetMinPoints | Action::SetNInit) => {
            let c = &app.recipe.cluster;
            let (purpose, text) = match a {
                Action::SetEps => (InputPurpose::Eps, c.eps.to_string()),
                Action::SetMinPoints => (InputPurpose::MinPoints, c.min_points.to_string()),
                _ => (InputPurpose::NInit, c.n_init.to_string()),
            };
            app.overlay = Overlay::Input { purpose, text };
        }
        (Screen::Export, Action::ToggleCsv) => app.formats.csv = !app.formats.csv,
        (Screen::Export, Action::ToggleParquet) => app.formats.parquet = !app.formats.parquet,
        (Screen::Export, Action::ToggleCharts) => app.formats.charts = !app.formats.charts,
        (Screen::Segments, Action::PageDown) if app.cur.rfm => {
            let n = (app.rfm.as_ref())
                .and_then(|v| v.members.get(app.cur.rfm_segment))
                .map_or(0, Vec::len);
            app.cur.rfm_row = (app.cur.rfm_row + PAGE * 4).min(n.saturating_sub(1));
        }
        (Screen::Segments, Action::PageUp) if app.cur.rfm => {
            app.cur.rfm_row = app.cur.rfm_row.saturating_sub(PAGE * 4)
        }
        (Screen::Segments, Action::Rename) if !app.cur.rfm => {
            if let Some(p) = app
                .result
                .as_ref()
                .and_then(|r| r.outcome.personas.get(app.cur.segment))
            {
                app.overlay = Overlay::Input {
                    purpose: InputPurpose::Rename(p.id),
                    text: p.name.clone(),
                };
            }
        }
        _ => {}
    }
}

fn toggle(list: &mut Vec<String>, col: &str) {
    match list.iter().position(|c| c == col) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(col.to_string()),
    }
}

fn selection(app: &mut App) -> &mut usize {
    match app.screen {
        Screen::Data => &mut app.cur.column,
        Screen::Clean => &mut app.cur.clean,
        Screen::Features => &mut app.cur.feature,
        Screen::Cluster => &mut app.cur.k,
        Screen::Segments if app.cur.rfm => {
            // A new segment's customers are listed from the first.
            app.cur.rfm_row = 0;
            &mut app.cur.rfm_segment
        }
        Screen::Segments | Screen::Export => &mut app.cur.segment,
    }
}

fn list_len(app: &App) -> usize {
    match app.screen {
        Screen::Data => app.data.as_ref().map_or(0, |d| d.table.n_cols()),
        Screen::Clean => clean_columns(app).len(),
        Screen::Features => feature_candidates(app).len(),
        Screen::Cluster => 0,
        Screen::Segments if app.cur.rfm => app.rfm.as_ref().map_or(0, |r| r.segments.len()),
        Screen::Segments | Screen::Export => {
            app.result.as_ref().map_or(0, |r| r.outcome.personas.len())
        }
    }
}

fn browse_k(app: &mut App, up: bool) {
    let Some(ks) = app
        .result
        .as_ref()
        .and_then(|r| r.segmented.segmentation.sweep.as_ref())
        .map(|s| s.rows.iter().map(|r| r.k).collect::<Vec<_>>())
    else {
        return;
    };
    let i = ks.iter().position(|&k| k == app.cur.k).unwrap_or(0);
    let j = if up {
        (i + 1).min(ks.len() - 1)
    } else {
        i.saturating_sub(1)
    };
    if ks[j] != app.cur.k {
        app.cur.k = ks[j];
        app.start_kview(ks[j]);
    }
}

/// Columns the Clean screen lists: the features (numeric, then one-hot).
pub fn clean_columns(app: &App) -> Vec<String> {
    let f = &app.recipe.features;
    f.columns.iter().chain(&f.one_hot).cloned().collect()
}

/// Numeric columns that can be features: those of the prepared table (with derived and
/// behaviour columns), else of the loaded one; the recipe's choices first.
pub fn feature_candidates(app: &App) -> Vec<String> {
    let mut out: Vec<String> = app.recipe.features.columns.clone();
    let table = app
        .prepared
        .as_ref()
        .map(|p| &p.prepared.cleaned)
        .or(app.data.as_ref().map(|d| &d.table));
    if let Some(t) = table {
        for c in &t.columns {
            let numeric = matches!(c.ty, ColumnType::Number | ColumnType::Integer);
            if numeric && !c.name.ends_with("_outlier") && !out.contains(&c.name) {
                out.push(c.name.clone());
            }
        }
    }
    out
}

/// Data screen: feature → id → ignored → feature (numbers and categories can be features).
fn cycle_role(app: &mut App) {
    let Some(c) = app
        .data
        .as_ref()
        .and_then(|d| d.table.columns.get(app.cur.column))
    else {
        return;
    };
    let (name, ty) = (c.name.clone(), c.ty);
    app.change(Stage::Prepare, |r| {
        let f = &mut r.features;
        let is_feature = f.columns.contains(&name) || f.one_hot.contains(&name);
        if is_feature {
            f.columns.retain(|x| *x != name);
            f.one_hot.retain(|x| *x != name);
            f.id = Some(name);
        } else if f.id.as_deref() == Some(name.as_str()) {
            f.id = None;
        } else {
            match ty {
                ColumnType::Number | ColumnType::Integer => f.columns.push(name),
                ColumnType::Category | ColumnType::Boolean => f.one_hot.push(name),
                _ => f.id = Some(name),
            }
        }
    });
}

/// Data screen: force the type (auto → number → integer → category → text → date → id → auto).
fn cycle_type(app: &mut App) {
    let Some(name) = app
        .data
        .as_ref()
        .and_then(|d| d.table.columns.get(app.cur.column))
        .map(|c| c.name.clone())
    else {
        return;
    };
    app.change(Stage::Load, |r| {
        use ColumnType::*;
        let order = [Number, Integer, Category, Text, Date, Id];
        let now = r.load.types.get(&name).copied();
        let next = match now.and_then(|t| order.iter().position(|x| *x == t)) {
            None => Some(order[0]),
            Some(i) if i + 1 < order.len() => Some(order[i + 1]),
            Some(_) => None,
        };
        match next {
            Some(t) => r.load.types.insert(name, t),
            None => r.load.types.remove(&name),
        };
    });
}

/// Data screen: how a date column is read (auto → ymd → mdy → dmy → auto).
fn cycle_date_format(app: &mut App) {
    use crate::engine::load::dates::DateFormat;
    let Some(c) = app
        .data
        .as_ref()
        .and_then(|d| d.table.columns.get(app.cur.column))
    else {
        return;
    };
    let name = c.name.clone();
    let is_date = matches!(c.ty, ColumnType::Date | ColumnType::DateTime)
        || app.recipe.load.date_formats.contains_key(&name);
    if !is_date {
        app.error(format!("{name} is not a date column (t forces a type)"));
        return;
    }
    app.change(Stage::Load, |r| {
        let order = [DateFormat::Ymd, DateFormat::Mdy, DateFormat::Dmy];
        let next = match r
            .load
            .date_formats
            .get(&name)
            .and_then(|f| order.iter().position(|x| x == f))
        {
            None => Some(order[0].clone()),
            Some(i) if i + 1 < order.len() => Some(order[i + 1].clone()),
            Some(_) => None,
        };
        match next {
            Some(f) => r.load.date_formats.insert(name, f),
            None => r.load.date_formats.remove(&name),
        };
    });
}

/// Review list: matched pairs (accepted), then the recipe's rejections.
pub fn pair_count(app: &App) -> usize {
    let matched = app
        .prepared
        .as_ref()
        .map_or(0, |p| p.prepared.duplicates.len());
    matched + app.recipe.clean.dedup.keep_apart.len()
}

fn toggle_pair(app: &mut App) {
    let matched: Vec<[String; 2]> = app.prepared.as_ref().map_or(Vec::new(), |p| {
        p.prepared
            .duplicates
            .iter()
            .map(|d| [d.id_a.clone(), d.id_b.clone()])
            .collect()
    });
    let i = app.cur.pair.min(pair_count(app).saturating_sub(1));
    if let Some(pair) = matched.get(i).cloned() {
        if pair[0].is_empty() {
            app.error("the table has no id column, so pairs cannot be kept apart");
            return;
        }
        app.change(Stage::Prepare, |r| r.clean.dedup.keep_apart.push(pair));
        app.say("pair rejected: the two records stay separate");
    } else if i >= matched.len() && i - matched.len() < app.recipe.clean.dedup.keep_apart.len() {
        let j = i - matched.len();
        app.change(Stage::Prepare, |r| {
            r.clean.dedup.keep_apart.remove(j);
        });
        app.say("pair accepted again: they will be merged");
    }
}

/// The session's recipe with everything a later headless run needs fixed: the as-of date and
/// k used, and the transaction log by absolute path.
pub fn reproducible(app: &App) -> Recipe {
    let mut r = app.recipe.clone();
    if let Some(p) = &app.prepared {
        r.features.as_of = Some(p.prepared.fitted.as_of.clone());
    }
    if let (Some(res), Algorithm::Kmeans | Algorithm::Hierarchical) =
        (&app.result, r.cluster.algorithm)
    {
        if r.cluster.k.is_none() && r.cluster.cut_distance.is_none() {
            r.cluster.k = Some(res.segmented.segmentation.k);
        }
    }
    if let Some(t) = app.log_path() {
        let abs = std::fs::canonicalize(&t).unwrap_or(t);
        r.transactions.get_or_insert_with(Default::default).file = Some(abs.display().to_string());
    }
    r
}
