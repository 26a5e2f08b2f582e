//! Data: the columns with their inferred type and quality, the rows (only the visible window is
//! built, so 1M rows draw as fast as 100), and the selected column's distribution.

use super::super::app::App;
use super::common::{block, histogram, num, placeholder, side};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, BarGroup, Cell, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let Some(d) = &app.data else {
        let text = match &app.load_error {
            Some(e) => format!(
                "{} (o opens another file)",
                super::super::app::naming("cannot load", &app.session.input, e)
            ),
            None if app.pending_log.is_some() => {
                "this file looks like a transaction log: answer y or n".to_string()
            }
            None => "loading… (o opens another file)".to_string(),
        };
        let [list, rest] = Layout::vertical([
            Constraint::Length(super::sources::LIST_HEIGHT),
            Constraint::Fill(1),
        ])
        .areas(area);
        super::sources::list(f, list, app);
        placeholder(f, rest, app, "Data", &text);
        return;
    };
    let theme = app.theme.theme();
    let [left, right] = Layout::horizontal([side(area, 50), Constraint::Fill(1)]).areas(area);
    let [sources_area, left] = Layout::vertical([
        Constraint::Length(super::sources::LIST_HEIGHT),
        Constraint::Fill(1),
    ])
    .areas(left);
    super::sources::list(f, sources_area, app);
    let [rows_area, dist_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(10)]).areas(right);

    let feats = &app.recipe.features;
    let cols: Vec<Row> = d
        .report
        .columns
        .iter()
        .map(|c| {
            let role = if feats.columns.contains(&c.name) || feats.one_hot.contains(&c.name) {
                "feature"
            } else if feats.id.as_deref() == Some(c.name.as_str()) {
                "id"
            } else {
                ""
            };
            let forced = if app.recipe.load.types.contains_key(&c.name)
                || app.recipe.load.date_formats.contains_key(&c.name)
            {
                "*"
            } else {
                ""
            };
            Row::new(vec![
                Cell::from(c.name.clone()),
                Cell::from(format!("{}{forced}", c.ty.name())),
                Cell::from(format!("{:.1}%", c.missing_pct)),
                Cell::from(c.distinct.to_string()),
                Cell::from(role),
            ])
        })
        .collect();
    let mut state = TableState::default().with_selected(Some(app.cur.column));
    let title = format!(
        "Columns ({})  space role · t type · f date",
        d.report.columns.len()
    );
    f.render_stateful_widget(
        Table::new(
            cols,
            [
                Constraint::Fill(1),
                Constraint::Length(9),
                Constraint::Length(6),
                Constraint::Length(6),
                Constraint::Length(7),
            ],
        )
        .header(Row::new(["column", "type", "miss", "dist", "role"]).style(theme.dim))
        .row_highlight_style(theme.selected)
        .highlight_symbol("▸")
        .block(block(app, title)),
        left,
        &mut state,
    );

    // Only the rows and columns that fit are formatted.
    let t = &d.table;
    let visible = rows_area.height.saturating_sub(3) as usize;
    let first = app.cur.row.min(t.n_rows().saturating_sub(1));
    let last = (first + visible).min(t.n_rows());
    let col_w = 14u16;
    let n_cols = ((rows_area.width.saturating_sub(8)) / (col_w + 1)).max(1) as usize;
    let shown: Vec<usize> = (app.cur.table_col..t.n_cols()).take(n_cols).collect();
    let rows: Vec<Row> = (first..last)
        .map(|r| {
            let mut cells = vec![Cell::from((r + 1).to_string()).style(theme.dim)];
            cells.extend(shown.iter().map(|&c| {
                let v = t.columns[c].data.display(r).unwrap_or_default();
                Cell::from(v)
            }));
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![Constraint::Length(7)];
    widths.extend(shown.iter().map(|_| Constraint::Length(col_w)));
    let header: Vec<Cell> = std::iter::once(Cell::from("row"))
        .chain(shown.iter().map(|&c| Cell::from(t.columns[c].name.clone())))
        .collect();
    let title = format!(
        "{}  rows {}–{} of {}  PgUp/PgDn · ←/→ columns",
        d.path,
        first + 1,
        last,
        t.n_rows()
    );
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.accent))
            .block(block(app, title)),
        rows_area,
    );

    let Some(c) = d.report.columns.get(app.cur.column) else {
        return;
    };
    match d.hists.get(app.cur.column).and_then(|h| h.as_ref()) {
        Some(h) => histogram(
            f,
            dist_area,
            app,
            format!(
                "{} — {} missing, {} outliers (1.5·IQR)",
                c.name,
                c.missing,
                c.outliers.unwrap_or(0)
            ),
            h,
            &[],
        ),
        None if !c.top.is_empty() => {
            let bars: Vec<Bar> = c
                .top
                .iter()
                .map(|t| {
                    Bar::default()
                        .value(t.count as u64)
                        .label(Line::from(t.value.chars().take(10).collect::<String>()))
                        .text_value(num(t.count as f64))
                })
                .collect();
            f.render_widget(
                BarChart::default()
                    .block(block(app, format!("{} — top values", c.name)))
                    .data(BarGroup::default().bars(&bars))
                    .bar_width(10)
                    .bar_gap(1)
                    .bar_style(theme.accent),
                dist_area,
            );
        }
        None => placeholder(
            f,
            dist_area,
            app,
            &c.name,
            &format!("{}: {} distinct values", c.ty.name(), c.distinct),
        ),
    }
}
