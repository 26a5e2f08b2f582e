//! The Data screen's sources: the list of the session's files (customers, transaction log,
//! events log) and the transaction log's details (column roles as resolved, returns, the as-of
//! date used, and what the hygiene rules removed); the role picker and the log-as-customers offer.

use super::super::action::Action;
use super::super::app::{App, PickPurpose};
use super::super::screen::Screen;
use super::super::sources::{events_path, facts, pick_options, resolved_roles, ROLES};
use super::common::{block, count, fitting};
use crate::engine::behaviour::Returns;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table, Wrap};
use ratatui::Frame;
use std::path::Path;

/// Rows the sources list takes, with its border.
pub const LIST_HEIGHT: u16 = 5;

fn key(app: &App, a: Action) -> String {
    app.keymap.hint(Screen::Data, a)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
}

/// Customers, transaction log and events log, one line each.
pub fn list(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let label = |s: &str| Span::styled(format!("{s:<13}"), theme.dim);
    let customers = if app.session.log_as_input {
        let buyers = app
            .prepared
            .as_ref()
            .map(|p| format!(" ({} buyers)", count(p.prepared.cleaned.n_rows())))
            .unwrap_or_default();
        format!("from the log{buyers}")
    } else {
        let name = file_name(&app.session.input);
        let rows = app.data.as_ref().map(|d| count(d.report.rows));
        // The row count only where it fits beside the name.
        let with_rows = rows.map(|r| format!("{name} · {r} rows"));
        let room = area.width.saturating_sub(2 + 13);
        fitting(room, with_rows.into_iter().chain([name]).collect())
    };
    let attached = |p: Option<std::path::PathBuf>, attach: Action| {
        p.map_or_else(
            || Span::styled(format!("none ({} attaches)", key(app, attach)), theme.dim),
            |p| Span::raw(file_name(&p)),
        )
    };
    let log = match app.session.log_as_input {
        true => Span::raw(format!("{} (main file)", file_name(&app.session.input))),
        false => attached(app.log_path(), Action::AttachTransactions),
    };
    let lines = vec![
        Line::from(vec![label("customers"), Span::raw(customers)]),
        Line::from(vec![label("transactions"), log]),
        Line::from(vec![
            label("events"),
            attached(events_path(app), Action::AttachEvents),
        ]),
    ];
    let title = format!(
        "Sources  {} log details · {}/{} detach",
        key(app, Action::ToggleSources),
        key(app, Action::DetachTransactions),
        key(app, Action::DetachEvents)
    );
    f.render_widget(Paragraph::new(lines).block(block(app, title)), area);
}

/// The whole Data screen: the sources, the log's roles and options, and its hygiene report.
pub fn details(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(area);
    let [list_area, roles_area, options_area, adds_area] = Layout::vertical([
        Constraint::Length(LIST_HEIGHT),
        Constraint::Length(ROLES.len() as u16 + 3),
        Constraint::Length(5),
        Constraint::Fill(1),
    ])
    .areas(left);
    list(f, list_area, app);
    let back = key(app, Action::ToggleSources);
    let current = facts(app).filter(|fa| Some(&fa.path) == app.log_path().as_ref());
    let Some(facts) = current else {
        let text = match (app.log_path(), &app.prepare_error) {
            (None, _) => format!(
                "No transaction log. {} attaches one (its buyers' frequency, monetary and recency \
                 become columns, and the Segments screen shows their RFM segments). {back}: back \
                 to the columns.",
                key(app, Action::AttachTransactions)
            ),
            (Some(_), Some(e)) => format!("cannot read the log: {e}"),
            (Some(p), None) => format!("reading {}…", p.display()),
        };
        let style = if app.prepare_error.is_some() {
            theme.bad
        } else {
            theme.dim
        };
        let rest = Rect {
            y: roles_area.y,
            height: area.height.saturating_sub(LIST_HEIGHT),
            ..area
        };
        f.render_widget(
            Paragraph::new(text)
                .style(style)
                .wrap(Wrap { trim: true })
                .block(block(app, "Transaction log")),
            rest,
        );
        return;
    };

    let rows: Vec<Row> = resolved_roles(facts)
        .into_iter()
        .map(|(role, col, guessed)| {
            let (col, style) = match col {
                Some(c) => (c, theme.base),
                None => ("-".to_string(), theme.dim),
            };
            Row::new(vec![
                Cell::from(role),
                Cell::from(col).style(style),
                Cell::from(if guessed { "guessed" } else { "" }).style(theme.dim),
            ])
        })
        .collect();
    f.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(11),
                Constraint::Fill(1),
                Constraint::Length(7),
            ],
        )
        .header(Row::new(["role", "column", ""]).style(theme.dim))
        .block(block(
            app,
            format!("Column roles  {} changes", key(app, Action::PickRole)),
        )),
        roles_area,
    );

    let returns = app
        .recipe
        .transactions
        .as_ref()
        .map_or(Returns::default(), |t| t.returns);
    let returns = match returns {
        Returns::Exclude => "exclude (left out)",
        Returns::Net => "net (subtracted from spend)",
    };
    let used = app
        .prepared
        .as_ref()
        .map_or("-", |p| p.prepared.fitted.as_of.as_str());
    let why = match &app.recipe.features.as_of {
        Some(_) => "as stated".to_string(),
        None => "the day after the last purchase in the log".to_string(),
    };
    let options = vec![
        Line::from(vec![
            Span::styled(
                format!("returns {:<2} ", key(app, Action::ToggleReturns)),
                theme.dim,
            ),
            Span::raw(returns),
        ]),
        Line::from(vec![
            Span::styled(
                format!("as of   {:<2} ", key(app, Action::SetAsOf)),
                theme.dim,
            ),
            Span::raw(format!("{used} ({why})")),
        ]),
    ];
    f.render_widget(
        Paragraph::new(options)
            .wrap(Wrap { trim: true })
            .block(block(app, "Options")),
        options_area,
    );

    // Where room is left: what the log becomes, per customer.
    if adds_area.height >= 4 {
        let text = format!(
            "Per customer: {}, and the dates and spans of purchases. On the Segments screen, {} \
             shows their RFM segments.",
            crate::engine::behaviour::FEATURES.join(", "),
            app.keymap.hint(Screen::Segments, Action::ToggleRfm)
        );
        f.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .style(theme.dim)
                .block(block(app, "What the log adds")),
            adds_area,
        );
    }

    let h = &facts.hygiene;
    let mut lines = vec![
        Line::styled(file_name(&facts.path), theme.accent),
        Line::from(format!(
            "{} of {} lines are purchases",
            count(h.rows_kept),
            count(h.rows_read)
        )),
        Line::from(""),
    ];
    lines.extend(h.lines().into_iter().map(Line::from));
    if h.rules.is_empty() {
        lines.push(Line::styled("no line was left out", theme.dim));
    }
    if let Some(e) = &app.prepare_error {
        lines.push(Line::from(""));
        lines.push(Line::styled(format!("last change failed: {e}"), theme.bad));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block(app, format!("Hygiene  {back} back to the columns"))),
        right,
    );
}

/// The role list, then the log's columns for the chosen role.
pub fn pick_overlay(f: &mut Frame, app: &App, purpose: &PickPurpose, selected: usize) {
    let theme = app.theme.theme();
    let options = pick_options(app, purpose);
    let height = (options.len() as u16 + 2).min(f.area().height.saturating_sub(2));
    let area = f
        .area()
        .centered(Constraint::Percentage(60), Constraint::Length(height));
    // Scrolled so the selection stays visible.
    let visible = height.saturating_sub(2) as usize;
    let first = selected.saturating_sub(visible.saturating_sub(1));
    let lines: Vec<Line> = options
        .iter()
        .enumerate()
        .skip(first)
        .take(visible)
        .map(|(i, o)| {
            let style = if i == selected {
                theme.selected
            } else {
                theme.base
            };
            Line::styled(o.clone(), style)
        })
        .collect();
    let title = match purpose {
        PickPurpose::Role => "Role to change (Enter picks its column, Esc cancels)".to_string(),
        PickPurpose::Column(i) => format!(
            "Column for {} (Enter sets it, Esc cancels)",
            ROLES.get(*i).unwrap_or(&"")
        ),
    };
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .style(theme.base)
            .block(block(app, title)),
        area,
    );
}

/// "This looks like a transaction log … Use customers from this log? y/n".
pub fn log_offer(f: &mut Frame, app: &App) {
    let theme = app.theme.theme();
    let Some((path, data)) = &app.pending_log else {
        return;
    };
    let text = match &data.log_hint {
        Some(h) => format!(
            "This looks like a transaction log (ids repeat: {} rows but only {} distinct {}, \
             with dates).",
            count(h.rows),
            count(h.distinct),
            h.customer
        ),
        None => "This looks like a transaction log.".to_string(),
    };
    let lines = vec![
        Line::styled(path.display().to_string(), theme.accent),
        Line::from(text),
        Line::from(""),
        Line::from(vec![
            Span::raw("Use customers from this log? "),
            Span::styled("y", theme.accent),
            Span::raw(" reads it as a log, one customer per buyer · "),
            Span::styled("n", theme.accent),
            Span::raw(" keeps the current session"),
        ]),
    ];
    let area = f
        .area()
        .centered(Constraint::Percentage(70), Constraint::Length(9));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .style(theme.base)
            .block(block(app, "Transaction log?")),
        area,
    );
}
