//! The inspect report as text for a terminal.

use seglab_engine::inspect::{ColumnProfile, InspectReport};
use serde_json::Value;
use std::fmt::Write;

fn value(v: &Option<Value>) -> String {
    match v {
        Some(Value::Number(n)) => {
            let x = n.as_f64().unwrap_or(0.0);
            if x.fract() == 0.0 && x.abs() < 1e15 {
                format!("{}", x as i64)
            } else {
                format!("{x:.2}")
            }
        }
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

fn summary(c: &ColumnProfile) -> String {
    if c.min.is_some() {
        return format!(
            "{} / {} / {}",
            value(&c.min),
            value(&c.median),
            value(&c.max)
        );
    }
    let tops: Vec<String> = c
        .top
        .iter()
        .take(3)
        .map(|t| format!("{} ({})", truncate(&t.value, 18), t.count))
        .collect();
    tops.join(", ")
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub fn render(r: &InspectReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: {} rows × {} columns, {} exact duplicate row(s)",
        r.file,
        r.rows,
        r.columns.len(),
        r.duplicate_rows
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:<22} {:<9} {:>8} {:>9} {:>8}  min / median / max  or  top values",
        "column", "type", "missing", "distinct", "outliers"
    );
    for c in &r.columns {
        let outliers = c.outliers.map(|o| o.to_string()).unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<22} {:<9} {:>7.1}% {:>9} {:>8}  {}",
            truncate(&c.name, 22),
            c.ty.name(),
            c.missing_pct,
            c.distinct,
            outliers,
            summary(c)
        );
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for w in &r.warnings {
            let _ = writeln!(out, "- {w}");
        }
    }
    out
}
