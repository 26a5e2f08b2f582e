//! The folder `seglab rfm` writes: the RFM table (CSV, Parquet), the segments' summary
//! (Markdown, JSON), the R × F grid chart, the segments' sizes and revenue chart and a
//! manifest of what was read and how.

use super::atomic::StagedDir;
use super::charts;
use super::clean_output::pretty_json;
use super::input_files::InputFile;
use super::table_files::{write_csv_with, write_parquet};
use seglab_engine::behaviour::{describe_roles, Behaviour};
use seglab_engine::rfm::{RfmCuts, SegmentSummary};
use seglab_engine::table::Table;
use serde_json::json;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// Everything one `seglab rfm` produced.
pub struct RfmReport<'a> {
    pub table: &'a Table,
    pub segments: &'a [SegmentSummary],
    pub behaviour: &'a Behaviour,
    pub cuts: &'a RfmCuts,
    /// "YYYY-MM-DD", and where it came from ("the day after the last purchase", "--as-of").
    pub as_of: String,
    pub as_of_from: String,
    pub inputs: &'a [InputFile],
    pub formula_escape: bool,
}

pub fn write(out: &Path, r: &RfmReport) -> io::Result<PathBuf> {
    let dir = StagedDir::create(out)?;
    // The two tables of a million customers are written side by side (each one core's work).
    let (csv, parquet) = std::thread::scope(|s| {
        let csv =
            s.spawn(|| dir.write_with("rfm.csv", |w| write_csv_with(r.table, w, r.formula_escape)));
        let parquet = dir.write_with("rfm.parquet", |w| write_parquet(r.table, w));
        (csv.join(), parquet)
    });
    csv.unwrap_or_else(|_| Err(io::Error::other("writing rfm.csv failed")))?;
    parquet?;
    dir.write("rfm_segments.json", pretty_json(&r.segments).as_bytes())?;
    dir.write("rfm_segments.md", markdown(r).as_bytes())?;
    let charts_dir = dir.path("charts");
    std::fs::create_dir(&charts_dir).map_err(|e| super::atomic::at(&charts_dir, e))?;
    let (rows, cols, counts) = grid(r.table);
    let labels = charts::Labels {
        title: "Customers per recency (R) and frequency (F) score",
        columns: "F score (5: most frequent)",
        rows: "R score (5: most recent)",
        counts: true,
    };
    charts::count_grid(
        &charts_dir,
        charts::STEM_RFM_GRID,
        labels,
        &cols,
        &rows,
        &counts,
    )
    .map_err(|e| io::Error::other(e.relative_to(&dir.path("")).to_string()))?;
    let names: Vec<String> = r.segments.iter().map(|x| x.segment.clone()).collect();
    let customers: Vec<usize> = r.segments.iter().map(|x| x.customers).collect();
    let customer_pct: Vec<f64> = r.segments.iter().map(|x| x.share_pct).collect();
    let revenue_pct: Vec<f64> = r.segments.iter().map(|x| x.revenue_share_pct).collect();
    charts::segment_shares(&charts_dir, &names, &customers, &customer_pct, &revenue_pct)
        .map_err(|e| io::Error::other(e.relative_to(&dir.path("")).to_string()))?;
    dir.write("manifest.json", pretty_json(&manifest(r)).as_bytes())?;
    dir.commit()
}

/// Customers per (R, F) cell: rows R5..R1, columns F1..F5 (row-major as the heatmap wants it:
/// its "segments" are the columns and its "features" the rows).
fn grid(table: &Table) -> (Vec<String>, Vec<String>, Vec<f64>) {
    let score = |name: &str| table.column(name).and_then(|c| c.data.as_numbers());
    let mut counts = vec![0.0; 25];
    if let (Some(rs), Some(fs)) = (score("r_score"), score("f_score")) {
        for (r, f) in rs.iter().zip(fs) {
            if let (Some(r), Some(f)) = (r, f) {
                let (r, f) = (*r as usize, *f as usize);
                // The heatmap's values run segment by segment (F), then feature (R).
                counts[(f - 1) * 5 + (5 - r)] += 1.0;
            }
        }
    }
    let rows = (1..=5).rev().map(|r| format!("R{r}")).collect();
    let cols = (1..=5).map(|f| format!("F{f}")).collect();
    (rows, cols, counts)
}

fn markdown(r: &RfmReport) -> String {
    let mut s = String::new();
    let buyers: usize = r.segments.iter().map(|x| x.customers).sum();
    let _ = writeln!(s, "# RFM segments\n");
    let _ = writeln!(
        s,
        "{buyers} customers, as of {} ({}). Scores 1-5 by quintiles of the customers (5: most \
         recent, most frequent, highest spend).\n",
        r.as_of, r.as_of_from
    );
    let _ = writeln!(
        s,
        "| segment | customers | share | revenue share | mean recency (days) | mean frequency | mean monetary |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|");
    let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1}"));
    for x in r.segments {
        let _ = writeln!(
            s,
            "| {} | {} | {:.1}% | {:.1}% | {} | {} | {} |",
            x.segment,
            x.customers,
            x.share_pct,
            x.revenue_share_pct,
            f(x.mean_recency_days),
            f(x.mean_frequency),
            f(x.mean_monetary)
        );
    }
    let _ = writeln!(s);
    for x in r.segments {
        let _ = writeln!(s, "## {}\n\n{}", x.segment, x.description);
        if !x.action.is_empty() {
            let _ = writeln!(s, "\nSuggested action: {}", x.action);
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "## The log\n\nColumns: {}.\n",
        describe_roles(&r.behaviour.roles)
    );
    let h = &r.behaviour.hygiene;
    let _ = writeln!(
        s,
        "{} of {} lines are purchases.\n",
        h.rows_kept, h.rows_read
    );
    for line in h.lines() {
        let _ = writeln!(s, "- {line}");
    }
    s
}

fn manifest(r: &RfmReport) -> serde_json::Value {
    json!({
        "tool": "seglab rfm",
        "version": env!("CARGO_PKG_VERSION"),
        "inputs": r.inputs.iter().map(|i| json!({"file": i.file, "sha256": i.sha256})).collect::<Vec<_>>(),
        "as_of": r.as_of,
        "as_of_from": r.as_of_from,
        "roles": {
            "customer": r.behaviour.roles.customer,
            "invoice": r.behaviour.roles.invoice,
            "timestamp": r.behaviour.roles.timestamp,
            "quantity": r.behaviour.roles.quantity,
            "unit_price": r.behaviour.roles.unit_price,
            "amount": r.behaviour.roles.amount,
            "product": r.behaviour.roles.product,
            "guessed": r.behaviour.roles.guessed,
        },
        "hygiene": r.behaviour.hygiene,
        "cut_points": r.cuts,
        "customers": r.table.n_rows(),
        "segments": r.segments.iter().map(|x| json!({"segment": x.segment, "customers": x.customers})).collect::<Vec<_>>(),
        "files": ["rfm.csv", "rfm.parquet", "rfm_segments.md", "rfm_segments.json", "charts/rfm_grid.png", "charts/rfm_grid.svg", "charts/rfm_segments.png", "charts/rfm_segments.svg", "manifest.json"],
    })
}
