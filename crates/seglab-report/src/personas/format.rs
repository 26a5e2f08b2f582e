//! How personas.md and .json show numbers, shares and their differences.

use seglab_engine::profile::{percent, readable, Distinguishing, FeatureKind};
use std::collections::BTreeMap;

/// Units per feature for display: a unit containing `{}` is a template ("${}" gives "$1,204"),
/// any other is appended after a space ("days" gives "412 days"). Features without a unit show
/// the bare number; yes/no and category features always show percentages.
pub type FeatureUnits = BTreeMap<String, String>;

pub fn with_unit(x: f64, feature: &str, units: &FeatureUnits) -> String {
    let n = readable(x);
    match units.get(feature) {
        Some(u) if u.contains("{}") => u.replace("{}", &n),
        Some(u) if !u.is_empty() => format!("{n} {u}"),
        _ => n,
    }
}

pub fn is_share(d: &Distinguishing) -> bool {
    matches!(d.kind, FeatureKind::Boolean | FeatureKind::Category)
}

pub fn shown(x: f64, d: &Distinguishing, units: &FeatureUnits) -> String {
    if is_share(d) {
        percent(x)
    } else {
        with_unit(x, &d.feature, units)
    }
}

/// "+1,483 (2.7×)" for numbers, "+35 pts (2.3×)" for shares.
pub fn difference(d: &Distinguishing, units: &FeatureUnits) -> String {
    let diff = d.segment - d.overall;
    // A share difference that rounds to 0 points reads "+0 pts", never "-0 pts".
    let nil = is_share(d) && (diff.abs() * 100.0).round() == 0.0;
    let sign = if diff < 0.0 && !nil { "-" } else { "+" };
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

/// Table cells must not contain a bare `|` or a line break.
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
