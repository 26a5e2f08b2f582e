//! Persona names: editable rules (assets/personas.toml) that turn segment profiles into names
//! and one-sentence descriptions, unique within a run.
//!
//! Naming is greedy by score: every matching (segment, persona) pair is ranked (full match, then
//! conditions held, then how far values clear their thresholds, then file order, then segment
//! id) and the best pairs claim names first, one segment per persona. A segment whose persona
//! went to a stronger match takes its next-best persona if that matches as fully; otherwise it
//! gets its best persona's name numbered ("Bargain Hunters II"), which still says what it is.
//! A segment matching nothing gets the fallback name (numbered from the second). Renames from
//! the recipe are applied last but reserve their names first, so automatic names yield to them.

use crate::profile::{percent, readable, SegmentProfile};
use crate::wording::{split_camel, title_case, value_label};
use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

const BUILT_IN: &str = include_str!("../../../assets/personas.toml");
const BUILT_IN_NAME: &str = "built-in personas.toml";
/// A single condition cannot add more than this to a score, so one extreme feature does not
/// outweigh several conditions that hold comfortably.
const MAX_MARGIN: f64 = 2.0;

#[derive(Debug, thiserror::Error)]
pub enum PersonaError {
    /// TOML errors name the key and show the line.
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    /// `key` is e.g. `persona #2 ("Lapsed") min_match`.
    #[error("{file}: {key}: {message}")]
    Invalid {
        file: String,
        key: String,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaRules {
    #[serde(default, rename = "persona")]
    pub personas: Vec<PersonaRule>,
    pub fallback: PersonaText,
    pub noise: PersonaText,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaRule {
    #[serde(deserialize_with = "name")]
    pub name: String,
    #[serde(deserialize_with = "template")]
    pub description: String,
    /// In feature order (the file's table of conditions has no order of its own).
    #[serde(deserialize_with = "conditions")]
    pub conditions: Vec<Condition>,
    /// How many conditions must hold for the rule to match at all; `None` means all.
    pub min_match: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaText {
    #[serde(deserialize_with = "name")]
    pub name: String,
    #[serde(deserialize_with = "template")]
    pub description: String,
}

/// `feature metric op threshold`, e.g. monetary z > 0.8.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// A number/yes-no column, or "column=value" for a category value.
    pub feature: String,
    pub metric: Metric,
    pub op: Op,
    pub threshold: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Z,
    Lift,
    Mean,
}

/// >, >=, <, <=.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Persona {
    pub id: usize,
    pub name: String,
    pub description: String,
    /// The persona rule the name came from; `None` for the fallback and for noise.
    pub rule: Option<String>,
    /// True when the recipe renamed this segment.
    pub renamed: bool,
}

/// The rules shipped with seglab (assets/personas.toml). A user's own file is read by the
/// front end (`config`) and given to `parse_rules`.
pub fn built_in_rules() -> Result<PersonaRules, PersonaError> {
    parse_rules(BUILT_IN, BUILT_IN_NAME)
}

/// Parses and checks rules; `file` names the source in errors.
pub fn parse_rules(text: &str, file: &str) -> Result<PersonaRules, PersonaError> {
    if let Some((line, column)) = crate::recipe::toml_too_deep(text) {
        return Err(PersonaError::Parse {
            file: file.to_string(),
            message: crate::recipe::toml_depth_message(line, column),
        });
    }
    let rules: PersonaRules = toml::from_str(text).map_err(|e| PersonaError::Parse {
        file: file.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    for (i, p) in rules.personas.iter().enumerate() {
        let n = p.conditions.len();
        let same = |e: &PersonaRule| e.name.to_lowercase() == p.name.to_lowercase();
        let problem = if rules.personas[..i].iter().any(same) {
            ("name", "is used by an earlier persona".to_string())
        } else if p.min_match.is_some_and(|m| m == 0 || m > n) {
            (
                "min_match",
                format!("must be from 1 to {n}, the number of conditions"),
            )
        } else {
            continue;
        };
        return Err(PersonaError::Invalid {
            file: file.to_string(),
            key: format!("persona #{} ({:?}) {}", i + 1, p.name, problem.0),
            message: problem.1,
        });
    }
    Ok(rules)
}

/// Names are checked as they are read, so the error shows the line.
fn name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let name = Some(String::deserialize(d)?).filter(|n| !n.trim().is_empty());
    name.ok_or_else(|| D::Error::custom("name: is empty"))
}

fn conditions<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Condition>, D::Error> {
    let map = BTreeMap::<String, String>::deserialize(d)?;
    if map.is_empty() {
        let m = "conditions: a persona needs at least one ([fallback] names the rest)";
        return Err(D::Error::custom(m));
    }
    (map.iter())
        .map(|(f, t)| {
            parse_condition(f, t).map_err(|m| D::Error::custom(format!("conditions.{f}: {m}")))
        })
        .collect()
}

fn template<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    let checked = check_placeholders(&text).map(|()| text);
    checked.map_err(|m| D::Error::custom(format!("description: {m}")))
}

fn parse_condition(feature: &str, text: &str) -> Result<Condition, String> {
    let bad = || {
        format!(
            "{text:?} is not a condition like \"z > 0.8\" (metric z, lift or mean; \
             then >, >=, < or <=; then a number)"
        )
    };
    let s = text.trim();
    let split = s.find(|c: char| !c.is_ascii_alphabetic()).ok_or_else(bad)?;
    let metric = match &s[..split] {
        "z" => Metric::Z,
        "lift" => Metric::Lift,
        "mean" => Metric::Mean,
        _ => return Err(bad()),
    };
    let rest = s[split..].trim_start();
    let (op, number) = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt)]
        .into_iter()
        .find_map(|(sym, op)| rest.strip_prefix(sym).map(|n| (op, n)))
        .ok_or_else(bad)?;
    let threshold: f64 = number.trim().parse().map_err(|_| bad())?;
    if !threshold.is_finite() || feature.trim().is_empty() {
        return Err(bad());
    }
    Ok(Condition {
        feature: feature.trim().to_string(),
        metric,
        op,
        threshold,
    })
}

/// Splits a description into literal text and `{placeholder}` names.
fn pieces(template: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    for (i, part) in template.split('{').enumerate() {
        match part.split_once('}') {
            Some((name, text)) if i > 0 => out.extend([(true, name), (false, text)]),
            _ => out.push((false, part)),
        }
    }
    out
}

const PLACEHOLDERS: [&str; 5] = ["name", "id", "size", "share", "top_features"];

fn check_placeholders(template: &str) -> Result<(), String> {
    for (is_name, p) in pieces(template) {
        let known =
            PLACEHOLDERS.contains(&p) || p.strip_prefix("mean:").is_some_and(|f| !f.is_empty());
        if is_name && !known {
            return Err(format!(
                "unknown placeholder {{{p}}} (use {{name}}, {{id}}, {{size}}, {{share}}, \
                 {{top_features}} or {{mean:FEATURE}})"
            ));
        }
    }
    Ok(())
}

fn render(template: &str, p: &SegmentProfile, name: &str) -> String {
    let top = p.distinguishing.iter().take(3).map(|d| d.phrase.as_str());
    let mut out = String::new();
    for (is_name, piece) in pieces(template) {
        let text = match piece {
            _ if !is_name => piece.to_string(),
            "name" => name.to_string(),
            "id" if p.noise => "noise".to_string(),
            "id" => p.id.to_string(),
            "size" => readable(p.size as f64),
            "share" => percent(p.share),
            "top_features" if p.distinguishing.is_empty() => "nothing stands out".to_string(),
            "top_features" => top.clone().collect::<Vec<_>>().join(", "),
            _ => {
                let mean = p.metrics(piece.strip_prefix("mean:").unwrap_or(piece));
                mean.and_then(|m| m.mean)
                    .map_or("n/a".to_string(), readable)
            }
        };
        out.push_str(&text);
    }
    out
}

/// How well a segment matches a rule, best first when compared: (full match, conditions held,
/// strength = sum of margins by which held conditions clear their thresholds).
type Score = (bool, usize, f64);

fn score(rule: &PersonaRule, p: &SegmentProfile) -> Option<Score> {
    let (mut held, mut strength) = (0, 0.0);
    for c in &rule.conditions {
        let Some(m) = p.metrics(&c.feature) else {
            continue;
        };
        let value = match c.metric {
            Metric::Z => m.z,
            Metric::Lift => m.lift,
            Metric::Mean => m.mean,
        };
        let Some(v) = value else {
            continue;
        };
        let t = c.threshold;
        let (mut margin, holds) = match c.op {
            Op::Gt => (v - t, v > t),
            Op::Ge => (v - t, v >= t),
            Op::Lt => (t - v, v < t),
            Op::Le => (t - v, v <= t),
        };
        if !holds {
            continue;
        }
        // Means are in the data's own units; relative margins keep them comparable with z.
        if c.metric == Metric::Mean && t != 0.0 {
            margin /= t.abs();
        }
        held += 1;
        strength += margin.min(MAX_MARGIN);
    }
    let n = rule.conditions.len();
    (held >= rule.min_match.unwrap_or(n)).then_some((held == n, held, strength))
}

/// Names every profile (see the module comment for the rule). `renames` maps segment ids to
/// names chosen in the recipe; they win over automatic names and are kept unique too (a clash
/// between two renames numbers the higher id). Output follows the order of `profiles`.
pub fn name_segments(
    profiles: &[SegmentProfile],
    rules: &PersonaRules,
    renames: &BTreeMap<usize, String>,
) -> Vec<Persona> {
    let rule_ids = 0..rules.personas.len();
    let mut pairs: Vec<(usize, usize, Score)> = (0..profiles.len())
        .filter(|&s| !profiles[s].noise)
        .flat_map(|s| rule_ids.clone().map(move |r| (s, r)))
        .filter_map(|(s, r)| Some((s, r, score(&rules.personas[r], &profiles[s])?)))
        .collect();
    // Best first; ties fall to the earlier rule in the file, then the lower segment id (stable).
    pairs.sort_by(|(_, ra, a), (_, rb, b)| {
        (b.0, b.1)
            .cmp(&(a.0, a.1))
            .then(b.2.total_cmp(&a.2))
            .then(ra.cmp(rb))
    });

    // Per segment: the rule it is named after (claimed outright, or numbered below), and the
    // order in which segments pick names, so claimed names come before numbered ones.
    let mut chosen: Vec<Option<usize>> = vec![None; profiles.len()];
    let mut order: Vec<usize> = Vec::new();
    let mut used_rule = vec![false; rules.personas.len()];
    // A segment that fully matches some rule never settles for a partial match of another:
    // "Lapsed II" says more than a loyalist name whose key conditions fail.
    let full = |s: usize| pairs.iter().any(|&(t, _, sc)| t == s && sc.0);
    for &(s, r, sc) in &pairs {
        if chosen[s].is_none() && !used_rule[r] && (sc.0 || !full(s)) {
            (chosen[s], used_rule[r]) = (Some(r), true);
            order.push(s);
        }
    }
    for &(s, r, _) in &pairs {
        if chosen[s].is_none() {
            chosen[s] = Some(r);
            order.push(s);
        }
    }
    // Fallback segments by id, noise last: `profiles` is already in that order.
    order.extend((0..profiles.len()).filter(|&s| chosen[s].is_none()));
    // A segment no rule fits is named by what sets it apart ("High Income, Low Age"); one close
    // to the average everywhere by the axes it sits between the others on ("Mid-Range Income");
    // the fallback name is left for data with no such axis.
    let own: Vec<Option<(String, &str)>> = profiles.iter().map(|p| own_name(profiles, p)).collect();
    let text = |s: usize| match chosen[s] {
        Some(r) => (
            rules.personas[r].name.as_str(),
            rules.personas[r].description.as_str(),
        ),
        None if profiles[s].noise => (rules.noise.name.as_str(), rules.noise.description.as_str()),
        None => match &own[s] {
            Some((name, description)) => (name.as_str(), *description),
            None => (
                rules.fallback.name.as_str(),
                rules.fallback.description.as_str(),
            ),
        },
    };

    let mut taken: BTreeSet<String> = BTreeSet::new();
    let rename = |p: &SegmentProfile| {
        renames
            .get(&p.id)
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
    };
    let mut names: Vec<Option<String>> = profiles
        .iter()
        .map(|p| rename(p).map(|n| claim(n, &mut taken)))
        .collect();
    for &s in &order {
        if names[s].is_none() {
            names[s] = Some(claim(text(s).0, &mut taken));
        }
    }
    let named = profiles.iter().zip(names).enumerate();
    named
        .map(|(s, (p, name))| {
            let name = name.unwrap_or_default();
            Persona {
                id: p.id,
                description: render(text(s).1, p, &name),
                name,
                rule: chosen[s].map(|r| rules.personas[r].name.clone()),
                renamed: rename(p).is_some(),
            }
        })
        .collect()
}

/// The description of a segment named by its standout features.
const STANDOUT_DESCRIPTION: &str =
    "What sets these customers apart: {top_features}. {size} customers ({share}).";
/// From this share up, a category value names a segment without "Mostly".
const ALL_BUT_FEW: f64 = 0.9;
/// How far from the average (in standard deviations, or as a share lift) a feature must be to
/// name a segment.
const STANDOUT_Z: f64 = 0.5;

/// "High Annual Income, Low Spending Score": the segment's two strongest distinguishing
/// features (units in brackets and underscores dropped); empty when nothing stands out.
fn standout_parts(p: &SegmentProfile) -> Vec<String> {
    if p.noise {
        return Vec::new();
    }
    let words = |d: &crate::profile::Distinguishing| {
        let high = d.direction == crate::profile::Direction::Higher;
        match &d.value {
            // A value most of the segment holds names it outright ("No Internet Service").
            Some(v) => {
                let label = title_case(&value_label(&d.feature, v));
                match (high, d.segment >= ALL_BUT_FEW) {
                    (true, true) => label,
                    (true, false) => format!("Mostly {label}"),
                    (false, _) => format!("Few {label}"),
                }
            }
            None => {
                let title = feature_title(&d.feature);
                // Age reads as a word of its own; a yes/no column is a share of customers.
                match (title.as_str(), high, d.kind) {
                    ("Age", true, _) => "Older".to_string(),
                    ("Age", false, _) => "Younger".to_string(),
                    (_, true, crate::profile::FeatureKind::Boolean) => format!("Mostly {title}"),
                    // Next to none: "No Partner"; else "Few" reads as a share ("Few Senior Citizen").
                    (_, false, crate::profile::FeatureKind::Boolean)
                        if d.segment <= 1.0 - ALL_BUT_FEW =>
                    {
                        format!("No {title}")
                    }
                    (_, false, crate::profile::FeatureKind::Boolean) => format!("Few {title}"),
                    _ => format!("{} {title}", if high { "High" } else { "Low" }),
                }
            }
        }
    };
    p.distinguishing
        .iter()
        .filter(|d| d.z.abs() >= STANDOUT_Z)
        .take(2)
        .map(words)
        .collect()
}

/// A segment's own name and description when no rule names it: its standout features, and
/// where fewer than two stand out, the axes it sits in the middle of ("Older, Mid-Range
/// Spending Score"; "Mid-Range Income & Basket" when nothing stands out). None: the fallback.
fn own_name(profiles: &[SegmentProfile], p: &SegmentProfile) -> Option<(String, &'static str)> {
    if p.noise {
        return None;
    }
    let parts = standout_parts(p);
    let middle = mid_axes(profiles, p, 2 - parts.len().min(2));
    match (parts.is_empty(), middle.is_empty()) {
        (true, true) => None,
        (true, false) => Some((
            format!("Mid-Range {}", middle.join(" & ")),
            MIDDLE_DESCRIPTION,
        )),
        (false, true) => Some((parts.join(", "), STANDOUT_DESCRIPTION)),
        (false, false) => Some((
            format!("{}, Mid-Range {}", parts.join(", "), middle.join(" & ")),
            STANDOUT_DESCRIPTION,
        )),
    }
}

/// A column as a name reads it: "Annual Income (k$)" → "Annual Income", "basket_eur" →
/// "Basket", "SeniorCitizen" → "Senior Citizen".
fn feature_title(feature: &str) -> String {
    let base = feature.split('(').next().unwrap_or(feature);
    let base = split_camel(&base.replace('_', " "));
    // Units say how a column is measured, not who the customers are.
    const UNITS: [&str; 10] = [
        "eur", "usd", "gbp", "chf", "jpy", "inr", "pct", "percent", "k$", "%",
    ];
    let title: Vec<String> = base
        .split_whitespace()
        .filter(|w| !UNITS.contains(&w.to_lowercase().as_str()))
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
        })
        .collect();
    title.join(" ")
}

/// The description of a segment in the middle of the others.
const MIDDLE_DESCRIPTION: &str =
    "In the middle on what sets the other segments apart; closest to it: {top_features}. {size} customers ({share}).";

/// Up to `n` numeric features on which `p` sits in the middle (|z| below the standout line)
/// while the segments' means spread widest (in z, at least the standout line): the axes the
/// other segments are told apart by. Titles, widest spread first.
fn mid_axes(profiles: &[SegmentProfile], p: &SegmentProfile, n: usize) -> Vec<String> {
    let mut spread: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for q in profiles.iter().filter(|q| !q.noise) {
        for f in &q.numeric {
            if let Some(z) = f.z {
                let e = spread.entry(f.name.as_str()).or_insert((z, z));
                *e = (e.0.min(z), e.1.max(z));
            }
        }
    }
    let in_middle = |name: &str| {
        p.numeric
            .iter()
            .any(|f| f.name == name && f.z.is_some_and(|z| z.abs() < STANDOUT_Z))
    };
    let mut axes: Vec<(&str, f64)> = spread
        .into_iter()
        .map(|(name, (lo, hi))| (name, hi - lo))
        .filter(|&(name, w)| w >= STANDOUT_Z && in_middle(name))
        .collect();
    // Widest first; equal spreads keep the names' order (stable).
    axes.sort_by(|a, b| b.1.total_cmp(&a.1));
    axes.iter()
        .take(n)
        .map(|(name, _)| feature_title(name))
        .collect()
}

/// `base`, or `base II`, `base III`, … whichever is free (case-insensitively); records it.
fn claim(base: &str, taken: &mut BTreeSet<String>) -> String {
    let mut name = base.to_string();
    let mut k = 2;
    while taken.contains(&name.to_lowercase()) {
        name = format!("{base} {}", numeral(k));
        k += 1;
    }
    taken.insert(name.to_lowercase());
    name
}

/// II to X, then plain numbers: more than ten segments sharing a name is already unreadable.
fn numeral(k: usize) -> String {
    const ROMAN: [&str; 9] = ["II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
    ROMAN.get(k - 2).map_or(k.to_string(), |r| r.to_string())
}
