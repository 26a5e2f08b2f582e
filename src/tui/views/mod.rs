//! Drawing: a pure function of the app state (no state changes, no I/O), so any frame can be
//! snapshot-tested on a `TestBackend`.

mod clean;
mod cluster;
mod common;
mod compare_panel;
mod data;
mod export;
mod features;
mod overlays;
mod rfm_panel;
mod segments;
mod sources;

use super::app::App;
use super::jobs::JobKind;
use super::screen::Screen;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, Paragraph, Tabs};
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App) {
    let theme = app.theme.theme();
    f.render_widget(Block::new().style(theme.base), f.area());
    if app.presentation {
        body(f, f.area(), app);
    } else {
        let [tabs, main, status] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(2),
        ])
        .areas(f.area());
        draw_tabs(f, tabs, app);
        body(f, main, app);
        draw_status(f, status, app);
    }
    overlays::draw(f, app);
}

fn body(f: &mut Frame, area: Rect, app: &App) {
    match app.screen {
        Screen::Data if app.cur.sources => sources::details(f, area, app),
        Screen::Data => data::draw(f, area, app),
        Screen::Clean => clean::draw(f, area, app),
        Screen::Features => features::draw(f, area, app),
        Screen::Cluster => cluster::draw(f, area, app),
        Screen::Segments if app.cur.rfm => rfm_panel::draw(f, area, app),
        Screen::Segments if app.cur.compare => compare_panel::draw(f, area, app),
        Screen::Segments => segments::draw(f, area, app),
        Screen::Export => export::draw(f, area, app),
    }
}

/// Each stage with its state: ✓ done, … running, ! out of date, · not yet.
fn draw_tabs(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let mark = |s: Screen| -> &'static str {
        let running = |k| app.jobs.is_running(k);
        match s {
            Screen::Data if running(JobKind::Load) => "…",
            Screen::Data => app.data.as_ref().map_or("·", |_| "✓"),
            Screen::Clean | Screen::Features if running(JobKind::Prepare) => "…",
            Screen::Clean | Screen::Features => app.prepared.as_ref().map_or("·", |_| "✓"),
            Screen::Cluster | Screen::Segments if running(JobKind::Segment) => "…",
            Screen::Cluster | Screen::Segments if app.result_stale => "!",
            Screen::Cluster | Screen::Segments => app.result.as_ref().map_or("·", |_| "✓"),
            Screen::Export if running(JobKind::Export) => "…",
            Screen::Export => {
                if app.exported.is_empty() {
                    "·"
                } else {
                    "✓"
                }
            }
        }
    };
    let titles: Vec<Line> = Screen::ALL
        .iter()
        .map(|&s| Line::from(format!("{} {} {}", s.index() + 1, s.title(), mark(s))))
        .collect();
    let tabs = Tabs::new(titles)
        .select(app.screen.index())
        .style(theme.dim)
        .highlight_style(
            theme
                .accent
                .add_modifier(ratatui::style::Modifier::BOLD | ratatui::style::Modifier::REVERSED),
        )
        .divider("│");
    f.render_widget(tabs, area);
}

/// Dataset and row counts; the running job with its progress; the last message.
fn draw_status(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let [top, bottom] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let mut facts = vec![Span::styled(
        app.session.input.display().to_string(),
        theme.accent,
    )];
    if let Some(d) = &app.data {
        facts.push(Span::raw(format!("  {} rows", d.report.rows)));
    }
    if let Some(p) = &app.prepared {
        let counts: Vec<String> = p
            .prepared
            .row_counts
            .iter()
            .skip(1)
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        facts.push(Span::styled(
            format!(" → {}", counts.join(" → ")),
            theme.dim,
        ));
    }
    if let Some(r) = &app.result {
        facts.push(Span::raw(format!("  k={}", r.segmented.segmentation.k)));
    }
    let job = app.jobs.running.iter().next_back();
    match job {
        Some((kind, running)) => {
            let [left, right] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(34)]).areas(top);
            f.render_widget(Paragraph::new(Line::from(facts)), left);
            let ratio = running.control.progress().clamp(0.0, 1.0);
            let label = format!("{} {:.0}% (Esc cancels)", kind.label(), ratio * 100.0);
            f.render_widget(
                Gauge::default()
                    .ratio(ratio)
                    .label(label)
                    .gauge_style(theme.accent),
                right,
            );
        }
        None => f.render_widget(Paragraph::new(Line::from(facts)), top),
    }
    let style = if app.status_is_error {
        theme.bad
    } else {
        theme.dim
    };
    let help = format!(
        "  ? keys · : commands · {} quit",
        app.keymap.hint(app.screen, super::action::Action::Quit)
    );
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(app.status.clone(), style),
            Span::styled(help, Style::new().patch(theme.dim)),
        ])),
        bottom,
    );
}
