//! The Segments screen's comparison with an earlier export: each earlier segment and what it
//! became (share of its customers that stayed, centroid shift), new and vanished segments, and
//! the migration counts.

use super::super::action::Action;
use super::super::app::App;
use super::super::jobs::JobKind;
use super::super::screen::Screen;
use super::common::{block, count, placeholder};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let back = app.keymap.hint(Screen::Segments, Action::CompareExport);
    let view = app
        .comparison
        .as_ref()
        .filter(|v| v.result_gen == app.result_gen);
    let Some(v) = view else {
        let text = if app.jobs.is_running(JobKind::Compare) {
            "reading the earlier export…".to_string()
        } else {
            format!("no comparison (see the status line). {back}: back to the segments.")
        };
        placeholder(f, area, app, "Compared with an export", &text);
        return;
    };
    let theme = app.theme.theme();
    let c = &v.comparison;
    let [head, table, matrix] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(c.matches.len() as u16 + 3),
        Constraint::Fill(1),
    ])
    .areas(area);
    let how = match c.matched_by {
        crate::engine::compare::MatchedBy::Centroid => "matched by centroid",
        crate::engine::compare::MatchedBy::Customers => "matched by shared customers",
    };
    let mut lines = vec![Line::from(format!(
        "{} customers in both runs, {} moved ({how}); {} only in the export, {} only now.",
        count(c.customers_in_both),
        count(c.moved),
        count(c.only_old),
        count(c.only_new)
    ))];
    let listed = |ids: &[usize], names: &[String]| -> String {
        ids.iter()
            .map(|&i| format!("{i} {}", names[i]))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !c.new_segments.is_empty() {
        lines.push(Line::from(format!(
            "new: {}",
            listed(&c.new_segments, &c.new_names)
        )));
    }
    if !c.vanished.is_empty() {
        lines.push(Line::from(format!(
            "vanished: {}",
            listed(&c.vanished, &c.old_names)
        )));
    }
    let title = format!("Compared with {} ({back}: back)", v.dir.display());
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block(app, title)),
        head,
    );
    let rows: Vec<Row> = c
        .matches
        .iter()
        .map(|m| {
            Row::new(vec![
                Cell::from(format!("{} {}", m.old, m.old_name)),
                Cell::from(format!("{} {}", m.new, m.new_name)),
                Cell::from(format!("{:.1}%", m.stayed * 100.0)),
                Cell::from(
                    m.centroid_shift
                        .map_or_else(|| "–".to_string(), |d| format!("{d:.3}")),
                ),
            ])
        })
        .collect();
    f.render_widget(
        Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Fill(1),
                Constraint::Length(7),
                Constraint::Length(8),
            ],
        )
        .header(Row::new(vec!["in the export", "now", "stayed", "shift"]).style(theme.dim))
        .block(block(app, "Segments matched")),
        table,
    );
    migration(f, matrix, app, c);
}

/// Customers per (earlier segment, segment now): rows earlier, columns now, last "none".
fn migration(f: &mut Frame, area: Rect, app: &App, c: &crate::engine::compare::Comparison) {
    let theme = app.theme.theme();
    let kn = c.new_names.len();
    let header: Vec<String> = std::iter::once("export \\ now".to_string())
        .chain((0..kn).map(|n| n.to_string()))
        .chain(std::iter::once("none".to_string()))
        .collect();
    let rows: Vec<Row> = c
        .migration
        .iter()
        .enumerate()
        .map(|(o, row)| {
            let first = if o < c.old_names.len() {
                o.to_string()
            } else {
                "none".to_string()
            };
            Row::new(
                std::iter::once(first)
                    .chain(row.iter().map(|&n| count(n)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let widths: Vec<Constraint> = std::iter::once(Constraint::Length(12))
        .chain((0..=kn).map(|_| Constraint::Length(8)))
        .collect();
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.dim))
            .block(block(app, "Customers moved (rows: export, columns: now)")),
        area,
    );
}
