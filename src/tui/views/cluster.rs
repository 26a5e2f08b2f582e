//! Cluster: the elbow and silhouette-vs-k charts side by side with the recommended and chosen k
//! marked, every metric per k, and for the k under the cursor the silhouette plot and the
//! scatter of the points coloured by cluster. Dendrogram merge heights (hierarchical) or the
//! k-distance curve (DBSCAN) replace the silhouette plot for those algorithms.

use super::super::app::App;
use super::super::results::SegResult;
use super::common::{block, num, opt, placeholder};
use crate::engine::segment::Algorithm;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let c = &app.recipe.cluster;
    let [head, charts, table_area, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(table_height(app, area)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let k_text = c.k.map_or("recommended".to_string(), |k| k.to_string());
    let mut head_spans = vec![
        Span::styled(
            format!("{} (a)", format!("{:?}", c.algorithm).to_lowercase()),
            theme.accent,
        ),
        Span::raw(match c.algorithm {
            Algorithm::Dbscan => format!("  eps {} (e)  min_points {} (m)", c.eps, c.min_points),
            _ => format!(
                "  k {}..{} (+/-)  k = {k_text}  n_init {} (n)  seed {}",
                c.k_min, c.k_max, c.n_init, app.recipe.seed
            ),
        }),
        Span::styled(
            "   r run · ←/→ browse k · Enter use k · Esc cancel",
            theme.dim,
        ),
    ];
    if app.result_stale {
        head_spans.push(Span::styled("  (out of date: r)", theme.bad));
    }
    f.render_widget(Paragraph::new(Line::from(head_spans)), head);
    let Some(res) = &app.result else {
        let msg = if app.prepared.is_none() {
            "preparing the features…"
        } else {
            "press r to run the sweep and cluster in the background"
        };
        placeholder(f, charts, app, "Sweep", msg);
        return;
    };
    let [elbow, sil] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(charts);
    let [left_b, right_b] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(bottom);
    match &res.segmented.segmentation.sweep {
        Some(sw) => {
            let pts =
                |g: &dyn Fn(&crate::engine::sweep::SweepRow) -> Option<f64>| -> Vec<(f64, f64)> {
                    sw.rows
                        .iter()
                        .filter_map(|r| g(r).map(|v| (r.k as f64, v)))
                        .collect()
                };
            line_chart(
                f,
                elbow,
                app,
                "Elbow: inertia",
                &pts(&|r| Some(r.inertia)),
                sw.recommended_k,
                res.segmented.segmentation.k,
            );
            line_chart(
                f,
                sil,
                app,
                "Silhouette vs k",
                &pts(&|r| r.silhouette),
                sw.recommended_k,
                res.segmented.segmentation.k,
            );
            if !app.presentation {
                let rows: Vec<Row> = sw
                    .rows
                    .iter()
                    .map(|r| {
                        let mark =
                            match (r.k == sw.recommended_k, r.k == res.segmented.segmentation.k) {
                                (true, true) => "★●",
                                (true, false) => "★",
                                (false, true) => "●",
                                _ => "",
                            };
                        Row::new(vec![
                            Cell::from(format!("{mark}{}", r.k)),
                            Cell::from(num(r.inertia)),
                            Cell::from(opt(r.silhouette)),
                            Cell::from(opt(r.davies_bouldin)),
                            Cell::from(opt(r.calinski_harabasz)),
                            Cell::from(opt(r.dunn)),
                        ])
                    })
                    .collect();
                let sel = sw.rows.iter().position(|r| r.k == app.cur.k);
                let mut state = TableState::default().with_selected(sel);
                let title = format!("★ recommended ({}) · ● used", sw.rule);
                f.render_stateful_widget(
                    Table::new(
                        rows,
                        [
                            Constraint::Length(5),
                            Constraint::Fill(1),
                            Constraint::Fill(1),
                            Constraint::Fill(1),
                            Constraint::Fill(1),
                            Constraint::Fill(1),
                        ],
                    )
                    .header(
                        Row::new([
                            "k",
                            "inertia",
                            "silhouette",
                            "Davies-B ↓",
                            "Calinski-H ↑",
                            "Dunn ↑",
                        ])
                        .style(theme.dim),
                    )
                    .row_highlight_style(theme.selected)
                    .highlight_symbol("▸")
                    .block(block(app, title)),
                    table_area,
                    &mut state,
                );
            }
        }
        None => placeholder(
            f,
            charts,
            app,
            "Sweep",
            "DBSCAN does not take k: see the k-distance curve below",
        ),
    }
    match res.segmented.segmentation.algorithm {
        Algorithm::Dbscan => k_distance(f, left_b, app, &res.segmented.segmentation.k_distance),
        Algorithm::Hierarchical => merge_heights(f, left_b, app, res),
        Algorithm::Kmeans => silhouette_plot(f, left_b, app),
    }
    scatter(f, right_b, app, res);
}

/// Every k when there is room (a third of the screen), else a scrolling window of at least 5.
fn table_height(app: &App, area: Rect) -> u16 {
    if app.presentation {
        return 0;
    }
    let rows = app
        .result
        .as_ref()
        .and_then(|r| r.segmented.segmentation.sweep.as_ref())
        .map_or(4, |s| s.rows.len() as u16);
    (rows + 3).min(area.height / 3).max(7)
}

fn line_chart(
    f: &mut Frame,
    area: Rect,
    app: &App,
    title: &str,
    pts: &[(f64, f64)],
    rec: usize,
    used: usize,
) {
    let theme = app.theme.theme();
    if pts.is_empty() {
        placeholder(f, area, app, title, "no values");
        return;
    }
    let (x0, x1) = (pts[0].0, pts[pts.len() - 1].0);
    let (mut y0, mut y1) = pts
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let pad = (y1 - y0) * 0.05;
    y0 -= pad;
    y1 += pad;
    let at = |k: usize| {
        pts.iter()
            .filter(|p| p.0 == k as f64)
            .copied()
            .collect::<Vec<_>>()
    };
    let (rec_pt, used_pt) = (at(rec), at(used));
    let chart = Chart::new(vec![
        Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(Style::new().fg(theme.cluster(0)))
            .data(pts),
        Dataset::default()
            .name(format!("★ k={rec}"))
            .marker(Marker::Block)
            .graph_type(GraphType::Scatter)
            .style(Style::new().fg(theme.cluster(1)))
            .data(&rec_pt),
        Dataset::default()
            .name(format!("● k={used}"))
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(Style::new().fg(theme.cluster(2)))
            .data(&used_pt),
    ])
    .block(block(app, title.to_string()))
    .x_axis(
        Axis::default()
            .bounds([x0 - 0.2, x1 + 0.2])
            .labels([format!("{x0}"), format!("{x1}")]),
    )
    .y_axis(Axis::default().bounds([y0, y1]).labels([num(y0), num(y1)]));
    f.render_widget(chart, area);
}

fn silhouette_plot(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let Some(v) = app.kview.as_ref().filter(|v| v.k == app.cur.k) else {
        placeholder(f, area, app, "Silhouette plot", "computing for this k…");
        return;
    };
    // Clusters side by side, each one's values sorted: the classic silhouette plot, upright.
    let mut series: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut x = 0.0;
    for c in &v.by_cluster {
        series.push(
            c.iter()
                .map(|&s| {
                    x += 1.0;
                    (x, s)
                })
                .collect(),
        );
        x += (v.labels.len() as f64 * 0.02).max(1.0);
    }
    let datasets = series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Dataset::default()
                .marker(Marker::HalfBlock)
                .graph_type(GraphType::Bar)
                .style(Style::new().fg(theme.cluster(i)))
                .data(s)
        })
        .collect();
    let title = format!(
        "Silhouette plot k={} (mean {:.3}, {} rows)",
        v.k,
        v.mean,
        v.labels.len()
    );
    f.render_widget(
        Chart::new(datasets)
            .block(block(app, title))
            .x_axis(Axis::default().bounds([0.0, x.max(1.0)]))
            .y_axis(
                Axis::default()
                    .bounds([-0.5, 1.0])
                    .labels(["-0.5", "0", "1"]),
            ),
        area,
    );
}

fn k_distance(f: &mut Frame, area: Rect, app: &App, kd: &[f64]) {
    let theme = app.theme.theme();
    let pts: Vec<(f64, f64)> = kd.iter().enumerate().map(|(i, &d)| (i as f64, d)).collect();
    let hi = kd.iter().copied().fold(0.0, f64::max).max(1e-9);
    let eps = app.recipe.cluster.eps;
    let line = [(0.0, eps), (pts.len() as f64, eps)];
    f.render_widget(
        Chart::new(vec![
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(theme.cluster(0)))
                .data(&pts),
            Dataset::default()
                .name(format!("eps {eps}"))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::new().fg(theme.cluster(1)))
                .data(&line),
        ])
        .block(block(app, "k-distance (sorted): eps at the knee"))
        .x_axis(Axis::default().bounds([0.0, pts.len().max(1) as f64]))
        .y_axis(
            Axis::default()
                .bounds([0.0, hi])
                .labels(["0".to_string(), num(hi)]),
        ),
        area,
    );
}

fn merge_heights(f: &mut Frame, area: Rect, app: &App, res: &SegResult) {
    let theme = app.theme.theme();
    // The last merges of the dendrogram: height against the number of clusters left.
    let l = &res.segmented.segmentation.linkage;
    let pts: Vec<(f64, f64)> = l
        .iter()
        .rev()
        .take(20)
        .enumerate()
        .map(|(i, m)| ((i + 1) as f64, m.2))
        .collect();
    let hi = pts.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9);
    f.render_widget(
        Chart::new(vec![Dataset::default()
            .marker(Marker::HalfBlock)
            .graph_type(GraphType::Bar)
            .style(Style::new().fg(theme.cluster(0)))
            .data(&pts)])
        .block(block(app, "Dendrogram: merge height by clusters left"))
        .x_axis(Axis::default().bounds([0.0, 21.0]).labels(["1", "20"]))
        .y_axis(
            Axis::default()
                .bounds([0.0, hi])
                .labels(["0".to_string(), num(hi)]),
        ),
        area,
    );
}

fn scatter(f: &mut Frame, area: Rect, app: &App, res: &SegResult) {
    let theme = app.theme.theme();
    let labels: Vec<Option<usize>> = match app
        .kview
        .as_ref()
        .filter(|v| v.k == app.cur.k && v.labels.len() == res.xy.len())
    {
        Some(v) => v.labels.iter().map(|&l| Some(l)).collect(),
        None => res.labels_of_rows(),
    };
    let k = labels.iter().flatten().max().map_or(0, |m| m + 1);
    let mut groups: Vec<Vec<(f64, f64)>> = vec![Vec::new(); k + 1];
    for (p, l) in res.xy.iter().zip(&labels) {
        groups[l.unwrap_or(k)].push(*p);
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in &res.xy {
        (x0, x1, y0, y1) = (x0.min(p.0), x1.max(p.0), y0.min(p.1), y1.max(p.1));
    }
    if res.xy.is_empty() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    let datasets = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let style = if i == k {
                theme.dim
            } else {
                Style::new().fg(theme.cluster(i))
            };
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Scatter)
                .style(style)
                .data(g)
        })
        .collect();
    let title = format!(
        "PC1 × PC2 ({:.0}% of variance), {} rows, k={}",
        res.xy_variance * 100.0,
        res.xy.len(),
        k
    );
    f.render_widget(
        Chart::new(datasets)
            .block(block(app, title))
            .x_axis(Axis::default().bounds([x0, x1.max(x0 + 1e-9)]))
            .y_axis(Axis::default().bounds([y0, y1.max(y0 + 1e-9)])),
        area,
    );
}
