//! Features: which columns go in (checkboxes), log transform, the scaler, and PCA with its scree
//! chart and cumulative variance line.

use super::super::app::App;
use super::super::edit::feature_candidates;
use super::common::{block, num, placeholder, side};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let candidates = feature_candidates(app);
    // Wide enough for the longest name (mean_days_between_purchases); on a narrow screen the
    // means give way before a name is cut.
    let longest = candidates
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0) as u16;
    let without_mean = longest + 3 + 6 + 2 + 1 + 2;
    let show_mean = without_mean + 10 <= area.width * 11 / 20;
    let want = if show_mean {
        without_mean + 10
    } else {
        without_mean
    };
    let [left, right] =
        Layout::horizontal([side(area, want.max(48)), Constraint::Fill(1)]).areas(area);
    let [settings, scree_area] =
        Layout::vertical([Constraint::Length(6), Constraint::Fill(1)]).areas(right);
    let fo = &app.recipe.features;
    let rows: Vec<Row> = candidates
        .into_iter()
        .map(|c| {
            let on = fo.columns.contains(&c);
            let log = fo.log1p.contains(&c);
            let mean = app.means.get(&c).map(|&m| num(m)).unwrap_or_default();
            let mut cells = vec![
                Cell::from(if on { "[x]" } else { "[ ]" }),
                Cell::from(c),
                Cell::from(if log { "log1p" } else { "" }),
            ];
            if show_mean {
                cells.push(Cell::from(mean));
            }
            Row::new(cells).style(if on { theme.base } else { theme.dim })
        })
        .collect();
    let mut state = TableState::default().with_selected(Some(app.cur.feature));
    f.render_stateful_widget(
        Table::new(
            rows,
            [
                Constraint::Length(3),
                Constraint::Fill(1),
                Constraint::Length(6),
                Constraint::Length(if show_mean { 9 } else { 0 }),
            ],
        )
        .header(
            Row::new(if show_mean {
                vec!["use", "column", "L log", "mean"]
            } else {
                vec!["use", "column", "L log"]
            })
            .style(theme.dim),
        )
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸")
        .block(block(app, "Features  space toggles")),
        left,
        &mut state,
    );

    let r = &app.recipe;
    let pca = match (r.reduce.pca_components, r.reduce.pca_variance) {
        (Some(n), _) => format!("on, {n} components"),
        (None, Some(v)) => format!("on, {:.0}% of the variance", v * 100.0),
        _ => "off".into(),
    };
    let shape = app
        .prepared
        .as_ref()
        .map_or(String::from("preparing…"), |p| {
            let f = &p.prepared.features;
            format!(
                "{} rows × {} columns after scaling",
                f.n_rows,
                f.names.len()
            )
        });
    let lines = vec![
        Line::from(format!("scaler (s): {}", r.scale.method.name())),
        Line::from(format!("PCA (p):    {pca}")),
        Line::styled(shape, theme.dim),
        Line::styled(
            "one-hot categories: set on the Data screen (space on the column)",
            theme.dim,
        ),
    ];
    f.render_widget(
        Paragraph::new(lines).block(block(app, "Scaling and reduction")),
        settings,
    );

    if app.scree.is_empty() {
        placeholder(
            f,
            scree_area,
            app,
            "Scree",
            "PCA needs at least two features",
        );
        return;
    }
    let bars: Vec<(f64, f64)> = app
        .scree
        .iter()
        .enumerate()
        .map(|(i, v)| ((i + 1) as f64, *v))
        .collect();
    let mut acc = 0.0;
    let cum: Vec<(f64, f64)> = app
        .scree
        .iter()
        .enumerate()
        .map(|(i, v)| {
            acc += v;
            ((i + 1) as f64, acc)
        })
        .collect();
    let n = app.scree.len() as f64;
    let chart = Chart::new(vec![
        Dataset::default()
            .name("explained")
            .marker(Marker::HalfBlock)
            .graph_type(GraphType::Bar)
            .style(Style::new().fg(theme.cluster(0)))
            .data(&bars),
        Dataset::default()
            .name("cumulative")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(theme.cluster(1)))
            .data(&cum),
    ])
    .block(block(app, "Scree: variance per component, cumulative line"))
    .x_axis(
        Axis::default()
            .title("component")
            .bounds([0.5, n + 0.5])
            .labels(["1".to_string(), format!("{}", app.scree.len())]),
    )
    .y_axis(Axis::default().bounds([0.0, 1.0]).labels(["0", "0.5", "1"]));
    f.render_widget(chart, scree_area);
}
