//! Segments: a persona card per segment (name, size and share, the features that set it apart
//! with their direction, the description) and a comparison of feature means per segment in
//! original units, coloured by how far each is from the population (z).

use super::super::app::App;
use super::common::{block, num, placeholder, side};
use crate::engine::profile::{percent, SegmentProfile};
use crate::engine::stability::{verdict, STABLE};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let Some(res) = &app.result else {
        placeholder(
            f,
            area,
            app,
            "Segments",
            "no segments yet: run the sweep on the Cluster screen (4, then r)",
        );
        return;
    };
    let rep = &res.outcome;
    let stability = res.segmented.segmentation.stability.as_ref();
    // Each segment's clusterboot Jaccard, when the run computed it.
    let jaccard = |id: usize| stability.and_then(|s| s.per_segment.get(id).copied().flatten());
    let stab_width: u16 = if stability.is_some() { 6 } else { 0 };
    let [cards_area, compare] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length((rep.profiles.len() as u16 + 3).min(12)),
    ])
    .areas(area);
    // As wide as the longest name allows (names from standout features run long); a name that
    // still does not fit wraps onto a second line rather than being cut.
    let longest = rep
        .personas
        .iter()
        .map(|p| p.name.chars().count() + 1)
        .max()
        .unwrap_or(0) as u16;
    let [list, card] = Layout::horizontal([
        side(cards_area, (longest + 20 + stab_width).max(44)),
        Constraint::Fill(1),
    ])
    .areas(cards_area);
    let name_width = usize::from(list.width.saturating_sub(20 + stab_width)).max(8);

    let rows: Vec<Row> = rep
        .personas
        .iter()
        .map(|p| {
            let prof = rep.profiles.iter().find(|s| s.id == p.id && !s.noise);
            let (size, share) = prof.map_or((0, 0.0), |s| (s.size, s.share));
            let renamed = if p.renamed { "*" } else { "" };
            let lines = wrap_name(&format!("{}{renamed}", p.name), name_width);
            let height = lines.len() as u16;
            let mut cells = vec![
                Cell::from("■").style(Style::new().fg(theme.cluster(p.id))),
                Cell::from(ratatui::text::Text::from(
                    lines
                        .into_iter()
                        .map(ratatui::text::Line::from)
                        .collect::<Vec<_>>(),
                )),
                Cell::from(num(size as f64)),
                Cell::from(format!("{:.1}%", share * 100.0)),
            ];
            if stability.is_some() {
                cells.push(match jaccard(p.id) {
                    Some(j) if j < STABLE => Cell::from(format!("{j:.2}")).style(theme.bad),
                    Some(j) => Cell::from(format!("{j:.2}")),
                    None => Cell::from("–"),
                });
            }
            Row::new(cells).height(height)
        })
        .collect();
    let mut state = TableState::default().with_selected(Some(app.cur.segment));
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(6),
        Constraint::Length(6),
    ];
    let mut header = vec!["", "segment (r rename)", "size", "share"];
    if stability.is_some() {
        // "stab." = the segment's clusterboot Jaccard (the card says so in words).
        widths.push(Constraint::Length(stab_width - 1));
        header.push("stab.");
    }
    f.render_stateful_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(theme.dim))
            .row_highlight_style(theme.selected)
            .highlight_symbol("▸")
            .block(block(app, format!("{} segments", rep.personas.len()))),
        list,
        &mut state,
    );

    if let Some(p) = rep.personas.get(app.cur.segment) {
        let prof = rep.profiles.iter().find(|s| s.id == p.id);
        let mut lines = vec![
            Line::styled(p.name.clone(), theme.accent),
            Line::from(p.description.clone()),
            Line::from(""),
        ];
        if let Some(prof) = prof {
            lines.push(Line::styled(
                format!("{} customers, {:.1}% of all", prof.size, prof.share * 100.0),
                theme.dim,
            ));
            if let (Some(s), Some(j)) = (stability, jaccard(p.id)) {
                lines.push(Line::styled(
                    format!(
                        "{}: Jaccard {j:.2} over {} bootstrap resamples",
                        verdict(j),
                        s.resamples
                    ),
                    if j < STABLE { theme.bad } else { theme.dim },
                ));
            }
            for d in prof.distinguishing.iter().take(6) {
                let up = d.z >= 0.0;
                lines.push(Line::from(vec![
                    Span::styled(
                        if up { " ▲ " } else { " ▼ " },
                        if up { theme.good } else { theme.bad },
                    ),
                    Span::raw(format!(
                        "{}{}: {} vs {} overall (z {:+.2})",
                        d.feature,
                        d.value
                            .as_ref()
                            .map(|v| format!(" = {v}"))
                            .unwrap_or_default(),
                        num(d.segment),
                        num(d.overall),
                        d.z
                    )),
                ]));
            }
            let others = other_lines(prof);
            if !others.is_empty() {
                lines.push(Line::styled("other columns (not clustered on)", theme.dim));
                lines.extend(others.into_iter().map(|l| Line::from(format!(" · {l}"))));
            }
        }
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: true })
                .block(block(app, format!("Segment {}", p.id))),
            card,
        );
    }
    comparison(f, compare, app, &rep.profiles);
}

/// How many other columns the card lists at most (the rest are in personas.md).
const OTHER_LINES: usize = 8;

/// "Churn: 42% vs 26% overall (1.6×)", "Contract = Two year: 60% vs 24% overall (2.5×)": the
/// segment's other columns that differ most from everyone (|z|), a category by its most common
/// value.
fn other_lines(p: &SegmentProfile) -> Vec<String> {
    let numbers = p.other_numeric.iter().filter_map(|f| {
        let mean = f.mean?;
        let z = f.z.unwrap_or(0.0);
        let lift = f.lift.map(|l| format!(" ({l:.1}×)")).unwrap_or_default();
        let line = if f.boolean {
            format!(
                "{}: {} vs {} overall{lift}",
                f.name,
                percent(mean),
                percent(f.population_mean)
            )
        } else {
            format!(
                "{}: {} vs {} overall (z {z:+.2})",
                f.name,
                num(mean),
                num(f.population_mean),
            )
        };
        Some((z.abs(), line))
    });
    let categories = p.other_categories.iter().filter_map(|c| {
        let v = c.top.first()?;
        let line = format!(
            "{} = {}: {} vs {} overall ({:.1}×)",
            c.column,
            v.value,
            percent(v.share),
            percent(v.population_share),
            v.lift
        );
        Some((v.z.abs(), line))
    });
    let mut all: Vec<(f64, String)> = numbers.chain(categories).collect();
    // Stable: equally strong columns keep the table's order.
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all.into_iter()
        .take(OTHER_LINES)
        .map(|(_, line)| line)
        .collect()
}

/// One column per number feature (its mean) and per category feature (its most common value
/// and share: a one-hot group reads as its category, not as dummy columns).
fn comparison(f: &mut Frame, area: Rect, app: &App, profiles: &[SegmentProfile]) {
    let theme = app.theme.theme();
    let first = profiles.first();
    let names: Vec<String> = first
        .map(|p| {
            let numbers = p.numeric.iter().map(|s| s.name.clone());
            numbers
                .chain(p.top_categories.iter().map(|c| c.column.clone()))
                .collect()
        })
        .unwrap_or_default();
    let header = std::iter::once("segment".to_string()).chain(names.iter().cloned());
    let rows: Vec<Row> = profiles
        .iter()
        .map(|p| {
            let name = app
                .result
                .as_ref()
                .and_then(|r| r.outcome.personas.iter().find(|x| x.id == p.id))
                .map_or_else(|| p.id.to_string(), |x| x.name.clone());
            let numbers = p.numeric.iter().map(|s| {
                Cell::from(s.mean.map_or("-".into(), num))
                    .style(Style::new().bg(theme.heat(s.z.unwrap_or(0.0))))
            });
            let columns = first.map_or(&[][..], |f| &f.top_categories[..]);
            let categories = columns.iter().map(|col| {
                let top = p
                    .top_categories
                    .iter()
                    .find(|c| c.column == col.column)
                    .and_then(|c| c.top.first());
                match top {
                    Some(v) => Cell::from(format!("{} {}", v.value, percent(v.share)))
                        .style(Style::new().bg(theme.heat(v.z))),
                    None => Cell::from("-"),
                }
            });
            let cells = std::iter::once(Cell::from(name))
                .chain(numbers)
                .chain(categories);
            Row::new(cells.collect::<Vec<_>>())
        })
        .collect();
    let longest = rows_names_width(app);
    let mut widths = vec![Constraint::Length(longest.clamp(24, area.width / 3))];
    widths.extend(names.iter().map(|_| Constraint::Fill(1)));
    f.render_widget(
        Table::new(rows, widths)
            .header(Row::new(header.collect::<Vec<_>>()).style(theme.dim))
            .block(block(
                app,
                "Feature means (original units); red above, blue below the population",
            )),
        area,
    );
}

/// `name` in lines of at most `width` characters, broken after ", " or a space (one line when
/// it fits; a word longer than the width is cut only then).
fn wrap_name(name: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split(' ') {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// The width of the longest segment name in the comparison table.
fn rows_names_width(app: &App) -> u16 {
    app.result.as_ref().map_or(0, |r| {
        r.outcome
            .personas
            .iter()
            .map(|p| p.name.chars().count() as u16 + 1)
            .max()
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::wrap_name;

    #[test]
    fn long_names_wrap_at_spaces() {
        assert_eq!(wrap_name("Bargain Hunters", 24), ["Bargain Hunters"]);
        assert_eq!(
            wrap_name("High Annual Income, Low Spending Score", 24),
            ["High Annual Income, Low", "Spending Score"]
        );
    }
}
