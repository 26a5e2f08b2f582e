//! The folder `seglab compare` writes: `compare.md` (what a marketer reads), `compare.json`
//! (key `migration`: customers by old and new segment) and `charts/migration.png|svg`.

use super::atomic::StagedDir;
use super::charts;
use super::clean_output::pretty_json;
use seglab_engine::compare::{Comparison, MatchedBy};
use serde_json::json;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// Where the two runs came from, for the reader.
pub struct CompareInputs<'a> {
    pub old: &'a Path,
    pub new: &'a Path,
}

pub fn write(out: &Path, c: &Comparison, inputs: &CompareInputs) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    dir.write("compare.json", pretty_json(&to_json(c, inputs)).as_bytes())?;
    dir.write("compare.md", markdown(c, inputs).as_bytes())?;
    let charts_dir = dir.path("charts");
    std::fs::create_dir(&charts_dir).map_err(|e| super::atomic::at(&charts_dir, e))?;
    let (cols, rows, values) = grid(c);
    let labels = charts::Labels {
        title: "Customers by segment: before (rows) and after (columns)",
        columns: "new run",
        rows: "earlier run",
        counts: true,
    };
    charts::count_grid(
        &charts_dir,
        charts::STEM_MIGRATION,
        labels,
        &cols,
        &rows,
        &values,
    )
    .map_err(|e| io::Error::other(e.relative_to(&dir.path("")).to_string()))?;
    dir.commit()
}

fn label(id: usize, names: &[String]) -> String {
    names.get(id).map_or_else(
        || "no segment".to_string(),
        |n| format!("{id} {}", n.replace('|', "/")),
    )
}

/// The migration matrix as the count grid wants it: columns are new segments, rows old ones,
/// values column by column.
fn grid(c: &Comparison) -> (Vec<String>, Vec<String>, Vec<f64>) {
    let cols: Vec<String> = (0..=c.new_names.len())
        .map(|n| label(n, &c.new_names))
        .collect();
    let rows: Vec<String> = (0..=c.old_names.len())
        .map(|o| label(o, &c.old_names))
        .collect();
    let values = (0..cols.len())
        .flat_map(|n| c.migration.iter().map(move |row| row[n] as f64))
        .collect();
    (cols, rows, values)
}

pub fn to_json(c: &Comparison, inputs: &CompareInputs) -> serde_json::Value {
    json!({
        "old_run": inputs.old.display().to_string(),
        "new_run": inputs.new.display().to_string(),
        "matched_by": c.matched_by,
        "old_segments": c.old_names,
        "new_segments": c.new_names,
        "migration": {
            "rows": "old segment id (last: no segment / not in the earlier run)",
            "columns": "new segment id (last: no segment / not in the new run)",
            "counts": c.migration,
        },
        "matches": c.matches,
        "new": c.new_segments,
        "vanished": c.vanished,
        "customers_in_both": c.customers_in_both,
        "only_in_old": c.only_old,
        "only_in_new": c.only_new,
        "moved": c.moved,
    })
}

pub fn markdown(c: &Comparison, inputs: &CompareInputs) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Segments compared\n\nEarlier run: `{}`  \nNew run: `{}`\n",
        inputs.old.display(),
        inputs.new.display()
    );
    let how = match c.matched_by {
        MatchedBy::Centroid => "by centroid (the runs clustered the same columns): each earlier segment went to the nearest new one that lies close to it",
        MatchedBy::Customers => "by shared customers (the runs clustered different columns, so centroids cannot be compared)",
    };
    let _ = writeln!(s, "Segments were matched {how}.\n");
    let _ = writeln!(
        s,
        "{} customers are in both runs; {} of them ({}) are in a segment that is not the match of their earlier one. {} only in the earlier run, {} only in the new one.\n",
        c.customers_in_both,
        c.moved,
        pct(c.moved, c.customers_in_both),
        c.only_old,
        c.only_new
    );
    let _ = writeln!(s, "## Matched segments\n");
    let _ = writeln!(s, "| earlier | new | stayed | centroid shift |");
    let _ = writeln!(s, "|---|---|---:|---:|");
    for m in &c.matches {
        let shift = m
            .centroid_shift
            .map_or_else(|| "–".to_string(), |d| format!("{d:.3}"));
        let _ = writeln!(
            s,
            "| {} {} | {} {} | {:.1}% | {shift} |",
            m.old,
            m.old_name,
            m.new,
            m.new_name,
            m.stayed * 100.0
        );
    }
    for (title, ids, names) in [
        ("New segments", &c.new_segments, &c.new_names),
        ("Vanished segments", &c.vanished, &c.old_names),
    ] {
        if !ids.is_empty() {
            let list: Vec<String> = ids.iter().map(|&i| label(i, names)).collect();
            let _ = writeln!(s, "\n{title}: {}.", list.join(", "));
        }
    }
    let _ = writeln!(s, "\n## Migration (customers)\n");
    let cols: Vec<String> = (0..=c.new_names.len())
        .map(|n| label(n, &c.new_names))
        .collect();
    let _ = writeln!(s, "| earlier \\ new | {} |", cols.join(" | "));
    let _ = writeln!(s, "|---|{}", "---:|".repeat(cols.len()));
    for (o, row) in c.migration.iter().enumerate() {
        let cells: Vec<String> = row.iter().map(usize::to_string).collect();
        let _ = writeln!(s, "| {} | {} |", label(o, &c.old_names), cells.join(" | "));
    }
    let _ = writeln!(
        s,
        "\nStandardized distances: a centroid shift is measured in the clustered space (scaled features or principal components). Chart: `charts/migration.png`."
    );
    s
}

fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0%".to_string()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}
