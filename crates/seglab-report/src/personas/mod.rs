//! Segment personas for a marketer: Markdown to read and JSON with the same content for tools.

mod format;
mod other_columns;

use seglab_engine::other_columns::SkippedColumn;
use seglab_engine::personas::Persona;
use seglab_engine::profile::{percent, readable, Distinguishing, SegmentProfile};
use serde_json::{json, Value};
use std::fmt::Write;

pub use format::FeatureUnits;
use format::{cell, difference, is_share, shown};

const TITLE: &str = "Customer segments";

fn segment_label(p: &SegmentProfile) -> String {
    if p.noise {
        "–".to_string()
    } else {
        p.id.to_string()
    }
}

/// The distinguishing feature is one the segments were clustered on (not an other column).
fn clustered(p: &SegmentProfile, d: &Distinguishing) -> bool {
    !p.other_categories.iter().any(|c| c.column == d.feature)
        && !p.other_numeric.iter().any(|f| f.name == d.feature)
}

fn persona_for<'a>(personas: &'a [Persona], p: &SegmentProfile) -> Option<&'a Persona> {
    personas.iter().find(|x| x.id == p.id)
}

fn name_of(personas: &[Persona], p: &SegmentProfile) -> String {
    persona_for(personas, p).map_or_else(
        || format!("Segment {}", segment_label(p)),
        |x| x.name.clone(),
    )
}

/// The report as Markdown: title, summary table, then one section per segment in profile order
/// (what sets it apart, its category mix, its other columns), then the columns left out.
pub fn markdown(
    profiles: &[SegmentProfile],
    personas: &[Persona],
    skipped: &[SkippedColumn],
    feature_units: &FeatureUnits,
) -> String {
    let total: usize = profiles.iter().map(|p| p.size).sum();
    let segments = profiles.iter().filter(|p| !p.noise).count();
    let mut out = format!("# {TITLE}\n\n");
    let _ = write!(
        out,
        "{} customers in {segments} segment{}",
        readable(total as f64),
        if segments == 1 { "" } else { "s" }
    );
    if let Some(noise) = profiles.iter().find(|p| p.noise) {
        let _ = write!(
            out,
            ", plus {} not assigned to any",
            readable(noise.size as f64)
        );
    }
    out.push_str(".\n\n| Segment | Name | Customers | Share |\n|---|---|---:|---:|\n");
    for p in profiles {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            segment_label(p),
            cell(&name_of(personas, p)),
            readable(p.size as f64),
            percent(p.share)
        );
    }
    for p in profiles {
        let _ = write!(out, "\n## {}\n\n", name_of(personas, p));
        let what = if p.noise {
            "Not in any segment".to_string()
        } else {
            format!("Segment {}", p.id)
        };
        let _ = write!(
            out,
            "{what} · {} customers · {} of all customers\n\n",
            readable(p.size as f64),
            percent(p.share)
        );
        if let Some(x) = persona_for(personas, p).filter(|x| !x.description.is_empty()) {
            let _ = write!(out, "{}\n\n", x.description);
        }
        if p.distinguishing.is_empty() {
            out.push_str("No feature stands out from the average.\n");
        } else {
            out.push_str(
                "| Feature | Segment average | Overall average | Difference |\n\
                 |---|---:|---:|---:|\n",
            );
            for d in &p.distinguishing {
                // A dominant value of an other column names the segment too; say it was not
                // what the segments were made from.
                let note = if clustered(p, d) {
                    ""
                } else {
                    " (not clustered on)"
                };
                let _ = writeln!(
                    out,
                    "| {}{note} | {} | {} | {} |",
                    cell(&d.label()),
                    shown(d.segment, d, feature_units),
                    shown(d.overall, d, feature_units),
                    difference(d, feature_units)
                );
            }
        }
        out.push_str(&other_columns::category_mix(p));
        out.push_str(&other_columns::section(p, feature_units));
    }
    out.push_str(&other_columns::skipped_section(skipped));
    out
}

/// The same content as `markdown`, plus every profile statistic. The noise profile has
/// `"id": null` and `"noise": true` (its internal id is not a useful number outside seglab).
pub fn json(
    profiles: &[SegmentProfile],
    personas: &[Persona],
    skipped: &[SkippedColumn],
    feature_units: &FeatureUnits,
) -> Value {
    let segments: Vec<Value> = profiles
        .iter()
        .map(|p| {
            let persona = persona_for(personas, p);
            let distinguishing: Vec<Value> = p
                .distinguishing
                .iter()
                .map(|d| {
                    json!({
                        "feature": d.feature,
                        "value": d.value,
                        "label": d.label(),
                        "clustered": clustered(p, d),
                        "kind": d.kind,
                        "direction": d.direction,
                        "segment": d.segment,
                        "overall": d.overall,
                        "difference": d.segment - d.overall,
                        "z": d.z,
                        "lift": d.lift,
                        "unit": if is_share(d) { None } else { feature_units.get(&d.feature) },
                        "phrase": d.phrase,
                        "display": {
                            "segment": shown(d.segment, d, feature_units),
                            "overall": shown(d.overall, d, feature_units),
                            "difference": difference(d, feature_units),
                        },
                    })
                })
                .collect();
            json!({
                "id": if p.noise { None } else { Some(p.id) },
                "noise": p.noise,
                "name": name_of(personas, p),
                "description": persona.map(|x| x.description.as_str()),
                "rule": persona.and_then(|x| x.rule.as_deref()),
                "renamed": persona.is_some_and(|x| x.renamed),
                "size": p.size,
                "share": p.share,
                "distinguishing": distinguishing,
                "numeric": p.numeric,
                "top_categories": p.top_categories,
                "other_numeric": p.other_numeric,
                "other_categories": p.other_categories,
            })
        })
        .collect();
    json!({
        "title": TITLE,
        "customers": profiles.iter().map(|p| p.size).sum::<usize>(),
        "segments": segments,
        "skipped_columns": skipped,
    })
}

/// How the cluster segments cross another labelling (the RFM segments): customers per pair, a
/// row per segment in id order and a column per label in `order` (labels seen but not in
/// `order` follow). Empty when no row has a label.
pub fn crosstab_markdown(
    title: &str,
    segment_of: &[Option<usize>],
    name_of: impl Fn(usize) -> String,
    label_of: impl Fn(usize) -> Option<String>,
    order: &[String],
) -> String {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<usize, BTreeMap<String, usize>> = BTreeMap::new();
    let mut labels: Vec<String> = Vec::new();
    for (row, seg) in segment_of.iter().enumerate() {
        let (Some(seg), Some(label)) = (seg, label_of(row)) else {
            continue;
        };
        if !labels.contains(&label) {
            labels.push(label.clone());
        }
        *counts.entry(*seg).or_default().entry(label).or_default() += 1;
    }
    if counts.is_empty() {
        return String::new();
    }
    let rank = |l: &String| order.iter().position(|o| o == l).unwrap_or(order.len());
    labels.sort_by_key(|l| rank(l));
    let mut out = format!(
        "\n## {title}\n\nCustomers per segment (rows) and {title} (columns).\n\n| Segment |"
    );
    for l in &labels {
        let _ = write!(out, " {l} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|".repeat(labels.len()));
    out.push('\n');
    for (seg, row) in &counts {
        let _ = write!(out, "| {} |", name_of(*seg));
        for l in &labels {
            let _ = write!(out, " {} |", row.get(l).copied().unwrap_or(0));
        }
        out.push('\n');
    }
    out
}
