//! Segment stability in personas.md and personas.json: each segment's clusterboot Jaccard and
//! what it means, next to the names a marketer reads (kept apart from `personas`, which owns the
//! profile text).

use seglab_engine::stability::{verdict, Stability, DISSOLVING, STABLE};
use serde_json::{json, Value};
use std::fmt::Write;

/// The section appended to personas.md: one row per segment id, named by `name_of`.
pub fn markdown(s: &Stability, name_of: impl Fn(usize) -> String) -> String {
    let mut out = format!(
        "\n## How stable the segments are\n\nEach segment's mean Jaccard similarity with the \
         closest segment found again on {} bootstrap resamples of the customers (Hennig's \
         clusterboot): at least {STABLE} is stable, below {DISSOLVING} the segment is dissolving \
         (it may not come back on new data).",
        s.resamples
    );
    if s.rows < s.of_rows {
        let _ = write!(
            out,
            " Computed on a seeded sample of {} of {} customers.",
            s.rows, s.of_rows
        );
    }
    out.push_str("\n\n| Segment | Name | Jaccard | Stability |\n|---|---|---:|---|\n");
    for (id, j) in s.per_segment.iter().enumerate() {
        let name = name_of(id).replace('|', "\\|").replace(['\n', '\r'], " ");
        let (value, word) = match j {
            Some(j) => (format!("{j:.2}"), verdict(*j)),
            None => ("–".to_string(), "not in the sample"),
        };
        let _ = writeln!(out, "| {id} | {name} | {value} | {word} |");
    }
    if let Some(mean) = s.mean {
        let _ = write!(
            out,
            "\nMean over the segments: {mean:.2} ({}).",
            verdict(mean)
        );
    }
    if let Some(ari) = s.seed_ari {
        let _ = write!(
            out,
            " Agreement with runs at other seeds (adjusted Rand index): {ari:.2}."
        );
    }
    out.push('\n');
    out
}

/// personas.json with `stability` (Jaccard and verdict) on every segment object that has an id,
/// and a top-level `stability` summary.
pub fn add_to_json(personas: &mut Value, s: &Stability) {
    if let Some(segments) = personas.get_mut("segments").and_then(Value::as_array_mut) {
        for seg in segments {
            let Some(id) = seg.get("id").and_then(Value::as_u64) else {
                continue;
            };
            let j = s.per_segment.get(id as usize).copied().flatten();
            seg["stability"] = json!({"jaccard": j, "verdict": j.map(verdict)});
        }
    }
    personas["stability"] = json!({
        "method": "clusterboot: mean Jaccard of each segment with its best match over bootstrap resamples",
        "resamples": s.resamples,
        "rows": s.rows,
        "of_rows": s.of_rows,
        "mean": s.mean,
        "seed_ari": s.seed_ari,
        "stable_at_least": STABLE,
        "dissolving_below": DISSOLVING,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stability {
        Stability {
            per_segment: vec![Some(0.91), Some(0.42), None],
            mean: Some(0.665),
            seed_ari: Some(0.8),
            resamples: 20,
            rows: 100,
            of_rows: 250,
        }
    }

    #[test]
    fn markdown_rows_and_verdicts() {
        let md = markdown(&sample(), |id| format!("Name|{id}"));
        assert!(md.contains("| 0 | Name\\|0 | 0.91 | stable |"), "{md}");
        assert!(md.contains("| 1 | Name\\|1 | 0.42 | dissolving |"), "{md}");
        assert!(
            md.contains("| 2 | Name\\|2 | – | not in the sample |"),
            "{md}"
        );
        assert!(md.contains("sample of 100 of 250 customers"), "{md}");
        assert!(
            md.contains("Mean over the segments: 0.67 (unstable)"),
            "{md}"
        );
        assert!(md.contains("20 bootstrap resamples"), "{md}");
    }

    #[test]
    fn json_per_segment_and_summary() {
        let mut v = json!({"segments": [{"id": 1}, {"id": null, "noise": true}, {"id": 0}]});
        add_to_json(&mut v, &sample());
        assert_eq!(v["segments"][0]["stability"]["jaccard"], json!(0.42));
        assert_eq!(
            v["segments"][0]["stability"]["verdict"],
            json!("dissolving")
        );
        assert!(v["segments"][1].get("stability").is_none());
        assert_eq!(v["segments"][2]["stability"]["verdict"], json!("stable"));
        assert_eq!(v["stability"]["resamples"], json!(20));
        assert_eq!(v["stability"]["seed_ari"], json!(0.8));
    }
}
