//! New rows prepared for labelling one by one, as the fitted data was (as-of date, clipping,
//! fill values, categories, scaler), with what happened to each row: imputed, out of the
//! training range, an unseen category — or unscorable, with the reason.

use super::{FeatureRange, SegmentModel, MAX_ABS};
use crate::behaviour::Behaviour;
use crate::clean::outliers;
use crate::features::{signed_log1p, FeatureError};
use crate::preparation::PreparationError;
use crate::row_status::{RowStatus, StatusFlag};
use crate::table::{ColumnData, Table};
use std::fmt;

/// Why a row gets no segment.
#[derive(Clone, Debug, PartialEq)]
pub enum Unscorable {
    NotANumber { column: String, text: String },
    MostlyMissing { missing: usize, of: usize },
    NoFill { column: String },
    TooLarge { column: String },
}

impl Unscorable {
    /// The reason without the row's own value: rows are counted per group.
    pub fn group(&self) -> String {
        match self {
            Unscorable::NotANumber { column, .. } => {
                format!("text that is not a number in '{column}'")
            }
            Unscorable::MostlyMissing { of, .. } => {
                format!("more than half of the {of} features missing")
            }
            Unscorable::NoFill { column } => {
                format!("'{column}' missing and the model has no fill value for it")
            }
            Unscorable::TooLarge { column } => {
                format!("a value of '{column}' too large to compare")
            }
        }
    }
}

impl fmt::Display for Unscorable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unscorable::NotANumber { column, text } => write!(f, "{column} = '{text}'"),
            Unscorable::MostlyMissing { missing, of } => write!(f, "{missing} of {of} missing"),
            Unscorable::NoFill { column } | Unscorable::TooLarge { column } => f.write_str(column),
        }
    }
}

/// The prepared rows: the scaled features of the scorable ones and every row's status.
pub struct Scored {
    /// Row-major, `rows.len()` × the model's feature count.
    pub data: Vec<f64>,
    /// The input row of each scored row.
    pub rows: Vec<usize>,
    /// One per input row.
    pub status: Vec<RowStatus>,
    /// (input row, reason) of each row that gets no segment, in row order.
    pub unscorable: Vec<(usize, Unscorable)>,
    pub notes: Vec<String>,
}

/// Currency symbols read around a number (as the loader's `currency` option does).
const CURRENCY: [char; 6] = ['$', '€', '£', '¥', '₹', '₩'];

/// A number as people write it: a sign or (parentheses), one currency symbol before or after,
/// thousands separators (the mark that is not `decimal`) in groups of exactly three. Anything
/// else (e.g. "1,23" with decimal '.') is ambiguous and not read.
pub fn parse_written_number(s: &str, decimal: char) -> Option<f64> {
    let sep = if decimal == ',' { '.' } else { ',' };
    let mut t = s.trim();
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        (t, negative) = (inner.trim(), true);
    }
    for _ in 0..2 {
        if let Some(rest) = t.strip_prefix('-') {
            (t, negative) = (rest.trim_start(), !negative);
        }
        if let Some(rest) = t
            .strip_prefix(CURRENCY)
            .or_else(|| t.strip_suffix(CURRENCY))
        {
            t = rest.trim();
        }
    }
    let (int, frac) = t.split_once(decimal).unwrap_or((t, ""));
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    let mut groups = int.split(sep);
    let first = groups.next().unwrap_or("");
    let grouped = int.contains(sep);
    if !digits(first) || (grouped && !(1..=3).contains(&first.len())) {
        return None;
    }
    let mut plain = first.to_string();
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        plain.push_str(g);
    }
    let v: f64 = format!("{plain}.{frac}")
        .trim_end_matches('.')
        .parse()
        .ok()?;
    let v = if negative { -v } else { v };
    v.is_finite().then_some(v)
}

/// How far outside the training range a value must be to be flagged: one training span past an
/// edge (or past ±1 around a constant training value).
fn far_outside(x: f64, r: &FeatureRange) -> bool {
    let span = (r.max - r.min).max(1.0);
    x < r.min - span || x > r.max + span
}

/// A numeric feature's cells; text cells are read as written numbers, the rest recorded.
fn numeric_cells(
    t: &Table,
    name: &str,
    decimal: char,
    reasons: &mut [Option<Unscorable>],
    notes: &mut Vec<String>,
) -> Result<Vec<Option<f64>>, FeatureError> {
    let c = t.column(name).ok_or_else(|| FeatureError::UnknownColumn {
        option: "the model's features".into(),
        column: name.into(),
        available: t.names().join(", "),
    })?;
    let values: Vec<Option<f64>> = match &c.data {
        ColumnData::Number(v) => v.clone(),
        ColumnData::Boolean(v) => v.iter().map(|b| b.map(|b| b as u8 as f64)).collect(),
        ColumnData::Text(cells) => {
            let (mut written, mut example) = (0, None);
            let v = (0..cells.len())
                .map(|r| {
                    let s = cells.get(r)?;
                    let plain = (decimal == '.')
                        .then(|| s.trim().parse::<f64>().ok())
                        .flatten()
                        .filter(|x| x.is_finite());
                    if plain.is_some() {
                        return plain;
                    }
                    match parse_written_number(s, decimal) {
                        Some(x) => {
                            written += 1;
                            example.get_or_insert_with(|| format!("'{s}' as {x}"));
                            Some(x)
                        }
                        None => {
                            reasons[r].get_or_insert_with(|| Unscorable::NotANumber {
                                column: name.into(),
                                text: s.chars().take(40).collect(),
                            });
                            None
                        }
                    }
                })
                .collect();
            if let Some(e) = example {
                let sep = if decimal == ',' { '.' } else { ',' };
                notes.push(format!(
                    "'{name}': read {written} value(s) written with a currency symbol or '{sep}' thousands separators (e.g. {e})"
                ));
            }
            v
        }
        ColumnData::Date(_) | ColumnData::DateTime(_) => {
            return Err(FeatureError::NotNumeric {
                column: name.into(),
                actual: c.ty.name(),
                hint: "the model was fitted on numbers in this column",
            })
        }
    };
    if !values.is_empty() && c.data.null_count() == values.len() {
        notes.push(format!(
            "'{name}' is empty in this file: every row's value is missing"
        ));
    }
    Ok(values)
}

impl SegmentModel {
    /// Prepare every row of `table`; rows that cannot be scored are kept out of `data` and
    /// reported. A row is unscorable when a feature holds text that is not a number, when more
    /// than half of its features are missing, or when a missing feature has no fill value.
    pub fn score(
        &self,
        table: &Table,
        behaviour: Option<&Behaviour>,
    ) -> Result<Scored, PreparationError> {
        let f = &self.fitted;
        let t = f.derive_columns(table, behaviour)?;

        let n = t.n_rows();
        let n_features = f.numeric.len() + f.one_hot.len();
        let mut status = vec![RowStatus::ok(); n];
        let mut reasons: Vec<Option<Unscorable>> = vec![None; n];
        let mut missing = vec![0usize; n];
        let mut no_fill: Vec<Option<&str>> = vec![None; n];
        let mut notes = Vec::new();
        let fill_of = |column: &str| {
            f.fills
                .iter()
                .find(|x| x.column == column)
                .and_then(|x| x.value.as_deref())
        };
        // Raw features (numeric, then one-hot indicators), NaN where missing without a fill.
        let mut raw: Vec<Vec<f64>> = Vec::new();
        let mut raw_names: Vec<&str> = Vec::new();
        for name in &f.numeric {
            let values =
                numeric_cells(&t, name, self.recipe.load.decimal, &mut reasons, &mut notes)?;
            let range = self.ranges.iter().find(|r| &r.column == name);
            let clip = f
                .bounds
                .iter()
                .find(|b| &b.column == name && b.action == outliers::OutlierAction::Clip);
            let fill = fill_of(name).and_then(|v| v.trim().parse::<f64>().ok());
            let log = f.log1p.contains(name);
            let column = values
                .iter()
                .enumerate()
                .map(|(r, v)| {
                    let x = match *v {
                        Some(x) => {
                            if range.is_some_and(|g| far_outside(x, g)) {
                                status[r].add(StatusFlag::OutOfRange);
                            }
                            clip.map_or(x, |b| x.clamp(b.low, b.high))
                        }
                        None => {
                            missing[r] += 1;
                            match fill {
                                Some(x) => {
                                    status[r].add(StatusFlag::Imputed);
                                    x
                                }
                                None => {
                                    no_fill[r].get_or_insert(name);
                                    return f64::NAN;
                                }
                            }
                        }
                    };
                    if log {
                        signed_log1p(x)
                    } else {
                        x
                    }
                })
                .collect();
            raw.push(column);
            raw_names.push(name);
        }
        for o in &f.one_hot {
            let c = t
                .column(&o.column)
                .ok_or_else(|| FeatureError::UnknownColumn {
                    option: "the model's one-hot features".into(),
                    column: o.column.clone(),
                    available: t.names().join(", "),
                })?;
            let fill = fill_of(&o.column);
            let cells: Vec<Option<String>> = (0..n)
                .map(|r| {
                    let cell = c.data.text_at(r).map(|s| s.trim().to_string());
                    if cell.is_none() {
                        missing[r] += 1;
                        match fill {
                            Some(_) => status[r].add(StatusFlag::Imputed),
                            None => {
                                no_fill[r].get_or_insert(&o.column);
                            }
                        }
                        return fill.map(str::to_string);
                    }
                    if !o
                        .categories
                        .iter()
                        .any(|k| Some(k.as_str()) == cell.as_deref())
                    {
                        status[r].add(StatusFlag::UnseenCategory);
                    }
                    cell
                })
                .collect();
            for cat in &o.categories {
                raw.push(
                    // A missing cell without a fill makes the row unscorable; its 0s are unused.
                    cells
                        .iter()
                        .map(|v| (v.as_deref() == Some(cat.as_str())) as u8 as f64)
                        .collect(),
                );
                raw_names.push(&o.column);
            }
        }

        let width = f.kept.len();
        let mut data = Vec::with_capacity(n * width);
        let mut rows = Vec::with_capacity(n);
        let mut unscorable = Vec::new();
        for (r, reason) in reasons.iter_mut().enumerate() {
            if reason.is_none() && missing[r] * 2 > n_features {
                *reason = Some(Unscorable::MostlyMissing {
                    missing: missing[r],
                    of: n_features,
                });
            }
            if reason.is_none() {
                if let Some(column) = no_fill[r] {
                    *reason = Some(Unscorable::NoFill {
                        column: column.into(),
                    });
                }
            }
            if reason.is_none() {
                let start = data.len();
                for (j, &k) in f.kept.iter().enumerate() {
                    let s = &f.scaler.columns[j];
                    let v = (raw[k][r] - s.center) / s.scale;
                    if !(v.is_finite() && v.abs() <= MAX_ABS) {
                        *reason = Some(Unscorable::TooLarge {
                            column: raw_names[k].into(),
                        });
                        data.truncate(start);
                        break;
                    }
                    data.push(v);
                }
            }
            match reason.take() {
                Some(why) => {
                    // Flags of a row that was not scored would only distract from the reason.
                    status[r] = RowStatus::ok().with(StatusFlag::Unscorable);
                    unscorable.push((r, why));
                }
                None => rows.push(r),
            }
        }
        Ok(Scored {
            data,
            rows,
            status,
            unscorable,
            notes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_numbers_are_read_only_when_unambiguous() {
        let p = |s| parse_written_number(s, '.');
        assert_eq!(p("$1,234.50"), Some(1234.5));
        assert_eq!(p("1,234,567"), Some(1_234_567.0));
        assert_eq!(p("-$12"), Some(-12.0));
        assert_eq!(p("($12.00)"), Some(-12.0));
        assert_eq!(p("12 €"), Some(12.0));
        assert_eq!(p(".5"), Some(0.5));
        assert_eq!(p("1,23"), None);
        assert_eq!(p("12,3456"), None);
        assert_eq!(p("abc"), None);
        assert_eq!(p("$"), None);
        assert_eq!(p(""), None);
        assert_eq!(parse_written_number("1.234,5 €", ','), Some(1234.5));
    }

    #[test]
    fn far_outside_means_a_training_span_past_an_edge() {
        let r = FeatureRange {
            column: "x".into(),
            min: 10.0,
            max: 20.0,
        };
        assert!(!far_outside(29.0, &r));
        assert!(far_outside(31.0, &r));
        assert!(far_outside(-1.0, &r));
    }
}
