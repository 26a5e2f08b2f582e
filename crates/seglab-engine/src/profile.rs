//! Segment profiles: what each cluster looks like in the original units, compared with everyone.
//!
//! The population is every row of the table, noise included, because a marketer compares a
//! segment with "the average customer", not with the average clustered customer.

use crate::stats::{mean_std, quantile_sorted, sorted_present};
use crate::table::{ColumnData, Table};
use crate::wording::value_label;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// Id of the profile that gathers rows labelled `None` (noise or unassigned). It is the largest
/// id so the noise profile always comes last; `SegmentProfile::noise` says the same thing
/// explicitly for JSON readers, where this number is awkward.
pub const NOISE_ID: usize = usize::MAX;
const TOP_CATEGORIES: usize = 3;
const TOP_DISTINGUISHING: usize = 5;
/// Below this |z| a feature is ordinary for the segment, so it is not listed as distinguishing.
pub const MIN_DISTINGUISHING_Z: f64 = 0.1;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentProfile {
    pub id: usize,
    /// True for the profile of rows without a segment (id `NOISE_ID`).
    pub noise: bool,
    pub size: usize,
    /// Share of all rows, 0–1.
    pub share: f64,
    /// The clustering features in original units (and columns the caller asked for).
    pub numeric: Vec<FeatureStat>,
    /// Category features (one-hot groups as their column, not as dummy columns).
    pub top_categories: Vec<CategoryStat>,
    /// Every other profiled column (`other_columns`): churn, contract, gender…
    pub other_numeric: Vec<FeatureStat>,
    pub other_categories: Vec<CategoryStat>,
    pub distinguishing: Vec<Distinguishing>,
}

/// One number or yes/no column in one segment. For yes/no columns the means are shares of `true`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeatureStat {
    pub name: String,
    pub boolean: bool,
    /// `None` when the segment has no value for this column.
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub population_mean: f64,
    pub population_std: f64,
    /// (mean - population_mean) / population_std; 0 for a constant column. For a log1p feature,
    /// measured on the log1p values (the clustered space).
    pub z: Option<f64>,
    /// mean / population_mean; `None` when the population mean is 0.
    pub lift: Option<f64>,
}

/// One category column in one segment. Shares are among rows where the column is present.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryStat {
    pub column: String,
    /// The most common values in the segment (at most 3, all present), most common first.
    pub top: Vec<CategoryValue>,
    /// Every other value seen in the population, for persona conditions; not serialized because
    /// a city column can hold thousands.
    #[serde(skip)]
    pub rest: Vec<CategoryValue>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CategoryValue {
    pub value: String,
    pub count: usize,
    pub share: f64,
    pub population_share: f64,
    /// share / population_share (the population share is never 0 for a value that exists).
    pub lift: f64,
    /// z of the value's 0/1 indicator, so category values rank on the same scale as numbers.
    pub z: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeatureKind {
    Number,
    Boolean,
    Category,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Higher,
    Lower,
}

/// A feature that sets the segment apart, with a phrase a marketer can read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Distinguishing {
    pub feature: String,
    /// The category value, for category features.
    pub value: Option<String>,
    pub kind: FeatureKind,
    pub direction: Direction,
    /// Segment mean (numbers) or share 0–1 (yes/no columns and category values).
    pub segment: f64,
    pub overall: f64,
    pub z: f64,
    pub lift: Option<f64>,
    pub phrase: String,
}

impl Distinguishing {
    /// "monetary", or "channel = web" for a category value.
    pub fn label(&self) -> String {
        match &self.value {
            Some(v) => format!("{} = {v}", self.feature),
            None => self.feature.clone(),
        }
    }
}

/// What persona conditions can test about one feature of one segment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Metrics {
    pub z: Option<f64>,
    pub lift: Option<f64>,
    pub mean: Option<f64>,
}

impl SegmentProfile {
    /// Metrics of a number/yes-no column by name, or of a category value as "column=value"
    /// (spaces around `=` allowed). `None` when the profile has no such feature.
    pub fn metrics(&self, key: &str) -> Option<Metrics> {
        let mut numbers = self.numeric.iter().chain(&self.other_numeric);
        if let Some(f) = numbers.find(|f| f.name == key) {
            return Some(Metrics {
                z: f.z,
                lift: f.lift,
                mean: f.mean,
            });
        }
        let (column, value) = key.split_once('=')?;
        let (column, value) = (column.trim(), value.trim());
        let mut categories = self.top_categories.iter().chain(&self.other_categories);
        let c = categories.find(|c| c.column == column)?;
        let v = c.top.iter().chain(&c.rest).find(|v| v.value == value)?;
        Some(Metrics {
            z: Some(v.z),
            lift: Some(v.lift),
            mean: Some(v.share),
        })
    }
}

/// Profiles every segment in `labels` (one label per table row; `None` = noise/unassigned),
/// in ascending id order with the noise profile (id `NOISE_ID`) last when there is noise.
/// `numeric` names number or boolean columns and `categories` any columns read as text; names
/// that are missing from the table, of the wrong kind or entirely empty are skipped, so a
/// profile lists what could be computed. Panics when `labels` does not have one entry per row.
pub fn profile(
    table: &Table,
    labels: &[Option<usize>],
    numeric: &[String],
    categories: &[String],
) -> Vec<SegmentProfile> {
    profile_in_space(table, labels, numeric, categories, &[])
}

/// `profile`, with the z of each column in `log1p` measured on signed log1p values: the space
/// the clustering saw, so a segment of many small spends and one huge one reads as low spend,
/// as it was clustered, not high. Means and medians stay in the column's own units.
pub fn profile_in_space(
    table: &Table,
    labels: &[Option<usize>],
    numeric: &[String],
    categories: &[String],
    log1p: &[String],
) -> Vec<SegmentProfile> {
    let n = table.n_rows();
    assert_eq!(labels.len(), n, "profile: one label per table row");
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (row, label) in labels.iter().enumerate() {
        groups
            .entry(label.unwrap_or(NOISE_ID))
            .or_default()
            .push(row);
    }
    let groups: Vec<(usize, Vec<usize>)> = groups.into_iter().collect();
    let mut out: Vec<SegmentProfile> = groups
        .iter()
        .map(|(id, rows)| SegmentProfile {
            id: *id,
            noise: *id == NOISE_ID,
            size: rows.len(),
            share: rows.len() as f64 / n as f64,
            numeric: Vec::new(),
            top_categories: Vec::new(),
            other_numeric: Vec::new(),
            other_categories: Vec::new(),
            distinguishing: Vec::new(),
        })
        .collect();

    for name in numeric {
        let Some((values, boolean)) = table.column(name).and_then(|c| numbers(&c.data)) else {
            continue;
        };
        let Some((pop_mean, pop_std)) = mean_std(&values) else {
            continue;
        };
        // The values z is measured on: the clustered space.
        let logged: Option<Vec<Option<f64>>> = log1p.contains(name).then(|| {
            values
                .iter()
                .map(|v| v.map(crate::features::signed_log1p))
                .collect()
        });
        let spaced = logged.as_deref().unwrap_or(&values);
        let (z_mean, z_std) = mean_std(spaced).unwrap_or((pop_mean, pop_std));
        for (p, (_, rows)) in out.iter_mut().zip(&groups) {
            let seg: Vec<Option<f64>> = rows.iter().map(|&r| values[r]).collect();
            let mean = mean_std(&seg).map(|(m, _)| m);
            let seg_spaced: Vec<Option<f64>> = rows.iter().map(|&r| spaced[r]).collect();
            let z_seg = mean_std(&seg_spaced).map(|(m, _)| m);
            p.numeric.push(FeatureStat {
                name: name.clone(),
                boolean,
                mean,
                median: quantile_sorted(&sorted_present(&seg), 0.5),
                population_mean: pop_mean,
                population_std: pop_std,
                z: z_seg.map(|m| {
                    if z_std > 0.0 {
                        (m - z_mean) / z_std
                    } else {
                        0.0
                    }
                }),
                lift: mean.filter(|_| pop_mean != 0.0).map(|m| m / pop_mean),
            });
        }
    }

    let mut group_of = vec![0; n];
    for (g, (_, rows)) in groups.iter().enumerate() {
        for &r in rows {
            group_of[r] = g;
        }
    }
    for name in categories {
        let Some(col) = table.column(name) else {
            continue;
        };
        for (p, stat) in
            out.iter_mut()
                .zip(category_stats(name, &col.data, &group_of, groups.len()))
        {
            if let Some(stat) = stat {
                p.top_categories.push(stat);
            }
        }
    }

    for p in &mut out {
        p.distinguishing = distinguishing(p);
    }
    out
}

/// Number columns as they are, yes/no columns as 1/0 (so the mean is the share of `true`).
fn numbers(data: &ColumnData) -> Option<(Vec<Option<f64>>, bool)> {
    match data {
        // A 0/1 column (SeniorCitizen) is a yes/no column: its mean is a share.
        ColumnData::Number(v) => {
            let flags = v.iter().flatten().all(|&x| x == 0.0 || x == 1.0);
            let both = v.contains(&Some(0.0)) && v.contains(&Some(1.0));
            Some((v.clone(), flags && both))
        }
        ColumnData::Boolean(v) => Some((
            v.iter()
                .map(|b| b.map(|b| f64::from(u8::from(b))))
                .collect(),
            true,
        )),
        _ => None,
    }
}

/// Per group: the column's values with share and lift, or `None` when the group has no value.
fn category_stats(
    name: &str,
    data: &ColumnData,
    group_of: &[usize],
    n_groups: usize,
) -> Vec<Option<CategoryStat>> {
    // Values are interned once so counting a million rows does not allocate per row.
    let mut index: FxHashMap<String, usize> = FxHashMap::default();
    let mut counts: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    let mut pop: Vec<usize> = Vec::new();
    for (row, &g) in group_of.iter().enumerate() {
        let Some(cell) = data.text_at(row) else {
            continue;
        };
        let k = match index.get(cell.as_ref()) {
            Some(&k) => k,
            None => {
                index.insert(cell.into_owned(), pop.len());
                pop.push(0);
                pop.len() - 1
            }
        };
        pop[k] += 1;
        if counts[g].len() <= k {
            counts[g].resize(k + 1, 0);
        }
        counts[g][k] += 1;
    }
    let pop_total: usize = pop.iter().sum();
    let mut names: Vec<(usize, String)> = index.into_iter().map(|(s, k)| (k, s)).collect();
    names.sort_unstable();
    counts
        .into_iter()
        .map(|mut c| {
            c.resize(pop.len(), 0);
            let total: usize = c.iter().sum();
            if total == 0 {
                return None;
            }
            let mut values: Vec<CategoryValue> = names
                .iter()
                .map(|(k, value)| {
                    let share = c[*k] as f64 / total as f64;
                    let p = pop[*k] as f64 / pop_total as f64;
                    let sd = (p * (1.0 - p)).sqrt();
                    CategoryValue {
                        value: value.clone(),
                        count: c[*k],
                        share,
                        population_share: p,
                        lift: share / p,
                        z: if sd > 0.0 { (share - p) / sd } else { 0.0 },
                    }
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            let present = values.iter().filter(|v| v.count > 0).count();
            let rest = values.split_off(TOP_CATEGORIES.min(present));
            Some(CategoryStat {
                column: name.to_string(),
                top: values,
                rest,
            })
        })
        .collect()
}

/// The top features by |z|: numbers and yes/no columns directly, categories through their
/// strongest value only (a two-valued column would otherwise appear twice, once each way).
fn distinguishing(p: &SegmentProfile) -> Vec<Distinguishing> {
    let mut all: Vec<Distinguishing> = Vec::new();
    for f in &p.numeric {
        let (Some(mean), Some(z)) = (f.mean, f.z) else {
            continue;
        };
        let kind = if f.boolean {
            FeatureKind::Boolean
        } else {
            FeatureKind::Number
        };
        all.push(entry(
            &f.name,
            None,
            kind,
            mean,
            f.population_mean,
            z,
            f.lift,
        ));
    }
    for c in &p.top_categories {
        let strongest = c.top.iter().chain(&c.rest).max_by(|a, b| {
            a.z.abs()
                .total_cmp(&b.z.abs())
                .then_with(|| b.value.cmp(&a.value))
        });
        if let Some(v) = strongest {
            all.push(category_entry(&c.column, v));
        }
    }
    rank_distinguishing(all)
}

/// The strongest distinguishing features first (at most `TOP_DISTINGUISHING`, |z| at least
/// `MIN_DISTINGUISHING_Z`). Category values that read the same are listed once: telco's
/// InternetService = No and OnlineSecurity = "No internet service" say one thing.
pub fn rank_distinguishing(mut all: Vec<Distinguishing>) -> Vec<Distinguishing> {
    all.retain(|d| d.z.abs() >= MIN_DISTINGUISHING_Z);
    all.sort_by(|a, b| {
        b.z.abs()
            .total_cmp(&a.z.abs())
            .then_with(|| a.feature.cmp(&b.feature))
            .then_with(|| a.value.cmp(&b.value))
    });
    let mut said: Vec<String> = Vec::new();
    all.retain(|d| {
        let Some(v) = &d.value else {
            return true;
        };
        let reads = value_label(&d.feature, v).to_lowercase();
        let new = !said.contains(&reads);
        said.push(reads);
        new
    });
    all.truncate(TOP_DISTINGUISHING);
    all
}

/// A category value as a distinguishing feature: its share against everyone's.
pub fn category_entry(column: &str, v: &CategoryValue) -> Distinguishing {
    entry(
        column,
        Some(&v.value),
        FeatureKind::Category,
        v.share,
        v.population_share,
        v.z,
        Some(v.lift),
    )
}

/// A distinguishing feature with its phrase.
pub fn entry(
    feature: &str,
    value: Option<&str>,
    kind: FeatureKind,
    segment: f64,
    overall: f64,
    z: f64,
    lift: Option<f64>,
) -> Distinguishing {
    let direction = if z >= 0.0 {
        Direction::Higher
    } else {
        Direction::Lower
    };
    // A category value reads as words ("No internet service"), not as "InternetService = No".
    let label = match value {
        Some(v) => value_label(feature, v),
        None => feature.to_string(),
    };
    let phrase = match (kind, lift) {
        (FeatureKind::Boolean | FeatureKind::Category, _) => {
            format!(
                "{label}: {} vs {} overall",
                percent(segment),
                percent(overall)
            )
        }
        (FeatureKind::Number, Some(l)) if overall > 0.0 && segment >= 0.0 => {
            if l >= 1.5 {
                format!("{label} {l:.1}× the average")
            } else if l >= 1.0 {
                format!("{label} {:.0}% above average", (l - 1.0) * 100.0)
            } else {
                format!("{label} {:.0}% below average", (1.0 - l) * 100.0)
            }
        }
        // Ratios mislead around zero or with negative values, so say it in standard deviations.
        (FeatureKind::Number, _) => {
            let way = if z >= 0.0 { "above" } else { "below" };
            format!("{label} {:.1} SD {way} average", z.abs())
        }
    };
    Distinguishing {
        feature: feature.to_string(),
        value: value.map(str::to_string),
        kind,
        direction,
        segment,
        overall,
        z,
        lift,
        phrase,
    }
}

/// A 0–1 share as a whole percent; "<1%" rather than a misleading "0%" for a few rows.
pub fn percent(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", share * 100.0)
    }
}

/// A number as a report shows it: thousands separated, fewer decimals as it grows.
pub fn readable(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let decimals = match x.abs() {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        _ => 2,
    };
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let mut out = String::new();
    if x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}
