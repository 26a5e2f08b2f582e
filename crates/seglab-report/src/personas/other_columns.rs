//! The parts of a segment's section beyond what sets it apart: the mix of its clustered
//! categories (a one-hot group as its column, not as dummy columns), its other columns, and
//! once per report the columns left out.

use super::format::{cell, difference, shown, FeatureUnits};
use seglab_engine::other_columns::SkippedColumn;
use seglab_engine::profile::{
    category_entry, entry, percent, readable, CategoryStat, Distinguishing, FeatureKind,
    FeatureStat, SegmentProfile,
};
use std::fmt::Write;

/// "Clustered categories": each category feature's most common values in the segment.
pub fn category_mix(p: &SegmentProfile) -> String {
    if p.top_categories.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nCategories clustered on:\n\n| Category | Segment share | Overall share | Lift |\n\
         |---|---:|---:|---:|\n",
    );
    for c in &p.top_categories {
        for v in &c.top {
            let _ = writeln!(
                out,
                "| {} = {} | {} | {} | {:.1}× |",
                cell(&c.column),
                cell(&v.value),
                percent(v.share),
                percent(v.population_share),
                v.lift
            );
        }
    }
    out
}

/// "Other columns": every profiled column that was not clustered on, numbers with their mean
/// and median, yes/no columns and category values as shares, each against everyone.
pub fn section(p: &SegmentProfile, units: &FeatureUnits) -> String {
    if p.other_numeric.is_empty() && p.other_categories.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nOther columns (not clustered on):\n\n| Column | Segment | Overall | Difference |\n\
         |---|---:|---:|---:|\n",
    );
    for f in &p.other_numeric {
        let Some(d) = number_row(f) else {
            continue;
        };
        let segment = match (f.boolean, f.median) {
            (false, Some(median)) => format!(
                "{} (median {})",
                shown(d.segment, &d, units),
                shown(median, &d, units)
            ),
            _ => shown(d.segment, &d, units),
        };
        let mut diff = difference(&d, units);
        if !f.boolean {
            let _ = write!(diff, ", z {:+.2}", d.z);
        }
        let _ = writeln!(
            out,
            "| {} | {segment} | {} | {diff} |",
            cell(&f.name),
            shown(d.overall, &d, units),
        );
    }
    for c in &p.other_categories {
        for d in category_rows(c) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&d.label()),
                shown(d.segment, &d, units),
                shown(d.overall, &d, units),
                difference(&d, units)
            );
        }
    }
    out
}

/// A number or yes/no column as a row, or `None` when the segment has no value in it.
fn number_row(f: &FeatureStat) -> Option<Distinguishing> {
    let kind = if f.boolean {
        FeatureKind::Boolean
    } else {
        FeatureKind::Number
    };
    let (mean, z) = (f.mean?, f.z?);
    Some(entry(
        &f.name,
        None,
        kind,
        mean,
        f.population_mean,
        z,
        f.lift,
    ))
}

/// The segment's most common values of a category column (at most three).
fn category_rows(c: &CategoryStat) -> impl Iterator<Item = Distinguishing> + '_ {
    c.top.iter().map(|v| category_entry(&c.column, v))
}

/// "Columns not profiled", once per report: what was left out and why.
pub fn skipped_section(skipped: &[SkippedColumn]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n## Columns not profiled\n\n{} column{} neither clustered on nor profiled:\n\n",
        readable(skipped.len() as f64),
        if skipped.len() == 1 { "" } else { "s" }
    );
    for s in skipped {
        let _ = writeln!(out, "- {}: {}", cell(&s.column), s.reason);
    }
    out
}
