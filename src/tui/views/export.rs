//! Export: the folder and what goes into it, the files written, and saving the session as a
//! recipe that `seglab run --recipe` reproduces.

use super::super::app::App;
use super::common::block;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

fn mark(on: bool) -> &'static str {
    if on {
        "x"
    } else {
        " "
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let theme = app.theme.theme();
    let [top, files] = Layout::vertical([Constraint::Length(9), Constraint::Fill(1)]).areas(area);
    let hint = |a| app.keymap.hint(app.screen, a);
    use super::super::action::Action;
    let ready = match (&app.result, app.result_stale) {
        (None, _) => "not yet: run the sweep on the Cluster screen first".to_string(),
        (Some(_), true) => "out of date: the recipe changed; run the sweep again".to_string(),
        (Some(r), false) => format!(
            "{} segments of {} rows",
            r.segmented.segmentation.k,
            r.segmented.segmentation.labels.len()
        ),
    };
    let lines = vec![
        Line::from(format!("folder ({}):  {}", hint(Action::EditOutDir), app.out_dir.display())),
        Line::from(format!("segments:     {ready}")),
        Line::from(format!(
            "formats:      [{}] segments.csv ({})  [{}] segments.parquet ({})  [{}] charts png+svg ({})",
            mark(app.formats.csv),
            hint(Action::ToggleCsv),
            mark(app.formats.parquet),
            hint(Action::ToggleParquet),
            mark(app.formats.charts),
            hint(Action::ToggleCharts)
        )),
        Line::styled(
            "always: personas.md + .json, sweep.csv, manifest.json, model.json",
            theme.dim,
        ),
        Line::from(""),
        Line::from(format!("{}  export (in the background; never overwrites a folder)", hint(Action::Export))),
        Line::from(format!(
            "{}  save the session as {} (reproduces these labels with seglab run --recipe)",
            hint(Action::SaveRecipe),
            app.out_dir.with_extension("toml").display()
        )),
    ];
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block(app, "Export")),
        top,
    );
    let body: Vec<Line> = if app.exported.is_empty() {
        vec![Line::styled("nothing written yet", theme.dim)]
    } else {
        app.exported.iter().map(|f| Line::from(f.clone())).collect()
    };
    f.render_widget(
        Paragraph::new(body).block(block(
            app,
            format!("Files written ({})", app.exported.len()),
        )),
        files,
    );
}
