//! Dialogs over the screen: help (every key of this screen), the command palette, and the
//! one-line inputs.

use super::super::app::{App, InputPurpose, Overlay};
use super::super::overlay::palette_matches;
use super::common::block;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App) {
    let theme = app.theme.theme();
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help => {
            let area = popup(f.area(), 70, 90);
            let mut lines = Vec::new();
            for (a, keys) in app.keymap.actions_on(app.screen) {
                let k: Vec<String> = keys.iter().map(|k| k.label()).collect();
                lines.push(Line::from(vec![
                    Span::styled(format!("{:>12}  ", k.join(" ")), theme.accent),
                    Span::raw(a.describe()),
                ]));
            }
            f.render_widget(Clear, area);
            f.render_widget(
                Paragraph::new(lines).style(theme.base).block(block(
                    app,
                    format!(
                        "Keys on {} (any key closes; theme {})",
                        app.screen.title(),
                        app.theme.name()
                    ),
                )),
                area,
            );
        }
        Overlay::Palette { query, selected } => {
            let area = popup(f.area(), 60, 70);
            let matches = palette_matches(query);
            let mut lines = vec![
                Line::from(vec![
                    Span::styled("> ", theme.accent),
                    Span::raw(query.clone()),
                ]),
                Line::from(""),
            ];
            for (i, a) in matches.iter().enumerate() {
                let style = if i == *selected {
                    theme.selected
                } else {
                    theme.base
                };
                let key = app.keymap.hint(app.screen, *a);
                lines.push(Line::styled(format!("{:<44} {key}", a.describe()), style));
            }
            f.render_widget(Clear, area);
            f.render_widget(
                Paragraph::new(lines)
                    .style(theme.base)
                    .block(block(app, "Command (type to filter, Enter runs)")),
                area,
            );
        }
        Overlay::Input { purpose, text } => {
            let area = f
                .area()
                .centered(Constraint::Percentage(70), Constraint::Length(5));
            let title = match purpose {
                InputPurpose::OpenFile => {
                    "Open file (Tab completes, Enter opens, Esc cancels)".to_string()
                }
                InputPurpose::Rename(id) => {
                    format!("Rename segment {id} (Enter keeps it, Esc cancels)")
                }
                InputPurpose::OutDir => "Export folder (must not exist yet)".to_string(),
                InputPurpose::Eps => "DBSCAN eps: neighbourhood radius in scaled units".to_string(),
                InputPurpose::MinPoints => {
                    "DBSCAN min_points: neighbours that make a core point".to_string()
                }
                InputPurpose::NInit => "k-means n_init: seedings per k (best kept)".to_string(),
                InputPurpose::AttachTransactions => {
                    "Attach a transaction log (Tab completes, Enter attaches)".to_string()
                }
                InputPurpose::AttachEvents => {
                    "Attach a web events log (Tab completes, Enter attaches)".to_string()
                }
                InputPurpose::CompareWith => {
                    "Compare with an earlier export: its folder (Tab completes)".to_string()
                }
                InputPurpose::AsOf => {
                    "As-of date YYYY-MM-DD (empty: the day after the last purchase)".to_string()
                }
            };
            let mut lines = vec![Line::from(vec![
                Span::raw(text.clone()),
                Span::styled("▏", theme.accent),
            ])];
            if *purpose == InputPurpose::OpenFile {
                let recent = super::super::recent::list();
                if let Some(r) = recent.first() {
                    lines.push(Line::styled(format!("recent: {r}"), theme.dim));
                }
            }
            f.render_widget(Clear, area);
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .style(theme.base)
                    .block(block(app, title)),
                area,
            );
        }
        Overlay::Pick { purpose, selected } => {
            super::sources::pick_overlay(f, app, purpose, *selected)
        }
        Overlay::LogOffer => super::sources::log_offer(f, app),
    }
}

fn popup(area: Rect, w_pct: u16, h_pct: u16) -> Rect {
    area.centered(Constraint::Percentage(w_pct), Constraint::Percentage(h_pct))
}
