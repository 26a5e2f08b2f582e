//! Clean: per feature, the missing-value and outlier rules with what they change (from the
//! last preview run in the background), the distribution with the cut lines, and dedup with
//! the review list of matched pairs.

use super::super::app::App;
use super::super::edit::{clean_columns, pair_count};
use super::common::{block, histogram, placeholder, side};
use crate::engine::clean::{MissingRule, OutlierAction, OutlierMethod};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

fn missing_name(r: &MissingRule) -> String {
    match r {
        MissingRule::Constant(v) => format!("= {v}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let cols = clean_columns(app);
    let [left, right] = Layout::horizontal([side(area, 46), Constraint::Fill(1)]).areas(area);
    let [hist_area, preview_area, pairs_area] = Layout::vertical([
        Constraint::Length(9),
        Constraint::Fill(1),
        Constraint::Fill(1),
    ])
    .areas(right);

    let m = &app.recipe.clean.missing;
    let rows: Vec<Row> = cols
        .iter()
        .map(|c| {
            let rule = m.columns.get(c).map_or_else(
                || format!("{} (default)", missing_name(&m.default_numeric)),
                missing_name,
            );
            let out = app
                .recipe
                .clean
                .outliers
                .get(c)
                .map_or("-".to_string(), |o| {
                    let how = match o.method {
                        OutlierMethod::Iqr => format!("IQR×{}", o.factor),
                        OutlierMethod::Zscore => format!("|z|>{}", o.threshold),
                    };
                    let act = match o.action {
                        OutlierAction::Clip => "clip",
                        OutlierAction::Drop => "drop",
                        OutlierAction::Flag => "flag",
                    };
                    format!("{how} {act}")
                });
            Row::new(vec![
                Cell::from(c.clone()),
                Cell::from(rule),
                Cell::from(out),
            ])
        })
        .collect();
    let mut state = TableState::default().with_selected(Some(app.cur.clean));
    f.render_stateful_widget(
        Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(16),
                Constraint::Length(14),
            ],
        )
        .header(Row::new(["feature", "missing (m)", "outliers (o)"]).style(theme.dim))
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸")
        .block(block(app, "Rules per feature")),
        left,
        &mut state,
    );

    let selected = cols.get(app.cur.clean);
    let data_hist = selected.and_then(|name| {
        let d = app.data.as_ref()?;
        let i = d.table.index_of(name)?;
        d.hists.get(i)?.as_ref()
    });
    match (selected, data_hist) {
        (Some(name), Some(h)) => {
            let marks: Vec<f64> = match app.recipe.clean.outliers.get(name) {
                Some(o) if o.method == OutlierMethod::Iqr => {
                    let (lo, hi) = h.fences(o.factor);
                    vec![lo, hi]
                }
                Some(o) => vec![h.mean - o.threshold * h.std, h.mean + o.threshold * h.std],
                _ => Vec::new(),
            };
            let title = if marks.is_empty() {
                format!("{name} (raw)")
            } else {
                format!("{name} (raw), cut lines in red")
            };
            histogram(f, hist_area, app, title, h, &marks);
        }
        (Some(name), None) => placeholder(
            f,
            hist_area,
            app,
            name,
            "derived from other columns or the transaction log: see the preview",
        ),
        (None, _) => placeholder(
            f,
            hist_area,
            app,
            "Distribution",
            "no features chosen yet (Features screen)",
        ),
    }

    let mut lines: Vec<Line> = Vec::new();
    match &app.prepared {
        None => lines.push(Line::styled("previewing…", theme.dim)),
        Some(p) => {
            let counts: Vec<String> = p
                .prepared
                .row_counts
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect();
            lines.push(Line::styled(counts.join(" → "), theme.accent));
            for e in &p.prepared.log.entries {
                let mine = selected.is_some_and(|s| e.column.as_deref() == Some(s.as_str()));
                if e.column.is_none() || mine {
                    let style = if mine { theme.good } else { theme.base };
                    lines.push(Line::from(vec![
                        Span::styled(format!("[{}] ", e.step), theme.dim),
                        Span::styled(e.message.clone(), style),
                    ]));
                }
            }
            for w in &p.prepared.log.warnings {
                lines.push(Line::styled(format!("warning: {w}"), theme.bad));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block(app, "Preview (cleaning log)")),
        preview_area,
    );

    let dedup = &app.recipe.clean.dedup;
    let title = format!(
        "Dedup: {:?} (d)  pairs {}  PgUp/PgDn select · space reject/accept",
        dedup.mode,
        pair_count(app)
    )
    .to_lowercase();
    let mut rows: Vec<Row> = Vec::new();
    if let Some(p) = &app.prepared {
        for d in &p.prepared.duplicates {
            rows.push(Row::new(vec![
                Cell::from("merge"),
                Cell::from(format!("{} {}", d.id_a, d.label_a)),
                Cell::from(format!("{} {}", d.id_b, d.label_b)),
                Cell::from(format!("{:.2}", d.score)),
                Cell::from(d.reason.clone()),
            ]));
        }
    }
    for [a, b] in &dedup.keep_apart {
        rows.push(
            Row::new(vec![
                Cell::from("apart"),
                Cell::from(a.clone()),
                Cell::from(b.clone()),
            ])
            .style(theme.dim),
        );
    }
    let sel = app.cur.pair.min(rows.len().saturating_sub(1));
    let mut state = TableState::default().with_selected((!rows.is_empty()).then_some(sel));
    f.render_stateful_widget(
        Table::new(
            rows,
            [
                Constraint::Length(5),
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(5),
                Constraint::Fill(1),
            ],
        )
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸")
        .block(block(app, title)),
        pairs_area,
        &mut state,
    );
}
