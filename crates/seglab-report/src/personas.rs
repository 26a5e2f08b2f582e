//! Segment personas for a marketer: Markdown to read and JSON with the same content for tools.

use seglab_engine::personas::Persona;
use seglab_engine::profile::{percent, readable, Distinguishing, FeatureKind, SegmentProfile};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Units per feature for display: a unit containing `{}` is a template ("${}" gives "$1,204"),
/// any other is appended after a space ("days" gives "412 days"). Features without a unit show
/// the bare number; yes/no and category features always show percentages.
pub type FeatureUnits = BTreeMap<String, String>;

const TITLE: &str = "Customer segments";

fn with_unit(x: f64, feature: &str, units: &FeatureUnits) -> String {
    let n = readable(x);
    match units.get(feature) {
        Some(u) if u.contains("{}") => u.replace("{}", &n),
        Some(u) if !u.is_empty() => format!("{n} {u}"),
        _ => n,
    }
}

fn is_share(d: &Distinguishing) -> bool {
    matches!(d.kind, FeatureKind::Boolean | FeatureKind::Category)
}

fn shown(x: f64, d: &Distinguishing, units: &FeatureUnits) -> String {
    if is_share(d) {
        percent(x)
    } else {
        with_unit(x, &d.feature, units)
    }
}

/// "+1,483 (2.7×)" for numbers, "+35 pts (2.3×)" for shares.
fn difference(d: &Distinguishing, units: &FeatureUnits) -> String {
    let diff = d.segment - d.overall;
    let sign = if diff < 0.0 { "-" } else { "+" };
    let amount = if is_share(d) {
        format!("{sign}{:.0} pts", diff.abs() * 100.0)
    } else {
        format!("{sign}{}", with_unit(diff.abs(), &d.feature, units))
    };
    // One decimal hides small ratios ("0.0×"), and "0×" adds nothing to "0%".
    match d.lift {
        Some(l) if d.overall > 0.0 && l > 0.0 && l < 0.1 => format!("{amount} ({l:.2}×)"),
        Some(l) if d.overall > 0.0 && l >= 0.1 => format!("{amount} ({l:.1}×)"),
        _ => amount,
    }
}

fn segment_label(p: &SegmentProfile) -> String {
    if p.noise {
        "–".to_string()
    } else {
        p.id.to_string()
    }
}

/// Table cells must not contain a bare `|` or a line break.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
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

/// The report as Markdown: title, summary table, then one section per segment in profile order.
pub fn markdown(
    profiles: &[SegmentProfile],
    personas: &[Persona],
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
            continue;
        }
        out.push_str(
            "| Feature | Segment average | Overall average | Difference |\n|---|---:|---:|---:|\n",
        );
        for d in &p.distinguishing {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                cell(&d.label()),
                shown(d.segment, d, feature_units),
                shown(d.overall, d, feature_units),
                difference(d, feature_units)
            );
        }
    }
    out
}

/// The same content as `markdown`, plus every profile statistic. The noise profile has
/// `"id": null` and `"noise": true` (its internal id is not a useful number outside seglab).
pub fn json(
    profiles: &[SegmentProfile],
    personas: &[Persona],
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
            })
        })
        .collect();
    json!({
        "title": TITLE,
        "customers": profiles.iter().map(|p| p.size).sum::<usize>(),
        "segments": segments,
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
