//! The Segments screen's RFM panel: the R × F grid (customers and mean monetary per cell), the
//! RFM segments with their share of customers and of revenue, and the ids of the selected
//! segment's customers. Only the ids that fit are formatted.

use super::super::action::Action;
use super::super::app::App;
use super::super::jobs::JobKind;
use super::super::rfm::{customer_id, RfmView};
use super::super::screen::Screen;
use super::common::{block, count, fitting, num, placeholder};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let back = app.keymap.hint(Screen::Segments, Action::ToggleRfm);
    let view = app.rfm.as_ref().filter(|v| v.inputs == app.prepared_gen);
    let Some(v) = view else {
        let text = if app.log_path().is_none() {
            format!(
                "No transaction log, so no RFM segments. Attach one on the Data screen: {}, then \
                 {} and the log's path. {back}: back to the cluster segments.",
                app.keymap.hint(Screen::Segments, Action::GotoData),
                app.keymap.hint(Screen::Data, Action::AttachTransactions),
            )
        } else if app.jobs.is_running(JobKind::Prepare) || app.jobs.is_running(JobKind::Rfm) {
            "computing the RFM segments…".to_string()
        } else if app
            .prepared
            .as_ref()
            .is_some_and(|p| p.prepared.fitted.rfm.is_none())
        {
            "no customer has a purchase in the transaction log: no RFM scores".to_string()
        } else {
            format!("no RFM segments (see the status line). {back}: back to the cluster segments.")
        };
        placeholder(f, area, app, "RFM", &text);
        return;
    };
    // The segment table needs 43 columns for its longest name ("Potential Loyalists").
    let [left, right] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length((area.width / 2).max(43)),
    ])
    .areas(area);
    let [grid_area, ids_area] =
        Layout::vertical([Constraint::Length(13), Constraint::Fill(1)]).areas(left);
    grid(f, grid_area, app, v);
    segments(f, right, app, v, &back);
    customers(f, ids_area, app, v);
}

/// R from 5 (top) to 1, F from 1 to 5: each cell its customers and, dimmed, their mean spend.
fn grid(f: &mut Frame, area: Rect, app: &App, v: &RfmView) {
    let theme = app.theme.theme();
    let rows: Vec<Row> = (0..5)
        .rev()
        .map(|r| {
            let cells = std::iter::once(Cell::from(format!("R{}", r + 1)).style(theme.dim)).chain(
                v.grid[r].iter().map(|c| {
                    let mean = if c.customers > 0 {
                        num(c.mean_monetary)
                    } else {
                        String::new()
                    };
                    Cell::from(Text::from(vec![
                        Line::from(num(c.customers as f64)),
                        Line::styled(mean, theme.dim),
                    ]))
                }),
            );
            Row::new(cells.collect::<Vec<_>>()).height(2)
        })
        .collect();
    let mut widths = vec![Constraint::Length(2)];
    widths.extend([Constraint::Fill(1); 5]);
    let header = ["", "F1", "F2", "F3", "F4", "F5"];
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.dim))
            .block(block(app, "R × F: customers, mean monetary")),
        area,
    );
}

fn segments(f: &mut Frame, area: Rect, app: &App, v: &RfmView, back: &str) {
    let theme = app.theme.theme();
    let rows: Vec<Row> = v
        .segments
        .iter()
        .map(|s| {
            Row::new(vec![
                Cell::from(s.segment.clone()),
                Cell::from(count(s.customers)),
                Cell::from(format!("{:.1}%", s.share_pct)),
                // + 0.0: an empty sum is -0.0, shown as "-0.0%".
                Cell::from(format!("{:.1}%", s.revenue_share_pct + 0.0)),
            ])
        })
        .collect();
    let selected = app.cur.rfm_segment.min(v.segments.len().saturating_sub(1));
    let mut state = TableState::default().with_selected(Some(selected));
    f.render_stateful_widget(
        Table::new(
            rows,
            [
                Constraint::Fill(1),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Length(6),
            ],
        )
        .header(Row::new(["segment", "cust", "share", "rev"]).style(theme.dim))
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸")
        .block(block(
            app,
            format!("RFM as of {} · {back} clusters", v.as_of),
        )),
        area,
        &mut state,
    );
}

/// The selected segment's customer ids, as many columns of them as fit.
fn customers(f: &mut Frame, area: Rect, app: &App, v: &RfmView) {
    let theme = app.theme.theme();
    let i = app.cur.rfm_segment.min(v.segments.len().saturating_sub(1));
    let (Some(s), Some(rows), Some(p)) = (v.segments.get(i), v.members.get(i), &app.prepared)
    else {
        return;
    };
    let t = &p.prepared.cleaned;
    let id = |row: usize| customer_id(t, v.id_column.as_deref(), row);
    let inner_w = area.width.saturating_sub(2) as usize;
    let inner_h = area.height.saturating_sub(2) as usize;
    // Column width from the ids that could show, so none is cut.
    let sample = rows.iter().take(200).map(|&r| id(r).chars().count());
    let col_w = sample.max().unwrap_or(1) + 2;
    let per_line = (inner_w / col_w).max(1);
    let page = per_line * inner_h;
    let first = (app.cur.rfm_row.min(rows.len().saturating_sub(1)) / per_line) * per_line;
    let lines: Vec<Line> = rows[first.min(rows.len())..]
        .chunks(per_line)
        .take(inner_h)
        .map(|chunk| {
            let text: String = chunk
                .iter()
                .map(|&r| format!("{:<col_w$}", id(r)))
                .collect();
            Line::from(text.trim_end().to_string())
        })
        .collect();
    let head = format!("{}: {} customers", s.segment, count(rows.len()));
    let mut titles = Vec::new();
    if rows.len() > first + page || first > 0 {
        let shown = format!(
            "{}-{}",
            count(first + 1),
            count((first + page).min(rows.len()))
        );
        titles.push(format!("{head}  {shown} · PgUp/PgDn"));
        titles.push(format!("{head}  {shown}"));
    }
    titles.push(head);
    titles.push(format!("{}: {}", s.segment, count(rows.len())));
    let title = fitting(area.width.saturating_sub(2), titles);
    f.render_widget(
        Paragraph::new(lines)
            .style(theme.base)
            .block(block(app, title)),
        area,
    );
}
