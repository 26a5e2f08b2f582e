//! Deduplication as a cleaning step: exact (whole row or key columns) and fuzzy customer matching,
//! then merging each group into one record by a rule.

use super::{require, CleanError, CleaningLog, RemovedRows};
use crate::dedup::{self, DedupFields, FuzzyParams, MatchPair, Similarity};
use crate::inspect::duplicates_on;
use crate::row_status::{RowStatus, StatusFlag};
use crate::table::{ColumnData, ColumnType, Table};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DedupMode {
    None,
    /// Rows equal on `keys` (all columns when empty).
    Exact,
    /// Exact whole-row duplicates, then fuzzy matching of customer records.
    Fuzzy,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeRule {
    /// Keep the record with the fewest missing cells, filling its gaps from the others.
    MostComplete,
    /// Keep the record with the latest `recent_by` date, filling its gaps from the others.
    MostRecent,
    /// Keep the first record in file order, filling its gaps from the others.
    First,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SimilarityName {
    JaroWinkler,
    Levenshtein,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DedupOptions {
    pub mode: DedupMode,
    /// Exact mode: the key columns (empty: the whole row).
    pub keys: Vec<String>,
    /// Fuzzy mode: the columns holding name, email and phone (found by name/type when omitted).
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Fuzzy mode: columns that must not disagree (default: a birth-date column if there is one).
    pub evidence: Vec<String>,
    pub similarity: SimilarityName,
    pub threshold: f64,
    pub merge: MergeRule,
    /// MostRecent: the date column that says which record is newer.
    pub recent_by: Option<String>,
    /// Pairs of record ids (the id column) that are not duplicates, whatever the matcher says:
    /// the analyst's rejections from the review.
    pub keep_apart: Vec<[String; 2]>,
}

impl Default for DedupOptions {
    fn default() -> Self {
        DedupOptions {
            mode: DedupMode::Exact,
            keys: Vec::new(),
            name: None,
            email: None,
            phone: None,
            evidence: Vec::new(),
            similarity: SimilarityName::JaroWinkler,
            threshold: 0.9,
            merge: MergeRule::MostComplete,
            recent_by: None,
            keep_apart: Vec::new(),
        }
    }
}

/// One matched pair, for the analyst's review (`duplicates.csv`). Rows are 1-based data rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DuplicatePair {
    pub group: usize,
    pub row_a: usize,
    pub row_b: usize,
    pub id_a: String,
    pub id_b: String,
    pub label_a: String,
    pub label_b: String,
    pub score: f64,
    pub reason: String,
    pub kept_row: usize,
}

pub fn apply(
    table: &mut Table,
    opts: &DedupOptions,
    log: &mut CleaningLog,
    removed: &mut RemovedRows,
) -> Result<Vec<DuplicatePair>, CleanError> {
    if !(0.0..=1.0).contains(&opts.threshold) {
        return Err(CleanError::Invalid(format!(
            "clean.dedup.threshold must be between 0 and 1, got {}",
            opts.threshold
        )));
    }
    let mut pairs: Vec<MatchPair> = match opts.mode {
        DedupMode::None => return Ok(Vec::new()),
        DedupMode::Exact => {
            let keys = opts
                .keys
                .iter()
                .map(|k| require(table, "clean.dedup.keys", k))
                .collect::<Result<Vec<_>, _>>()?;
            exact_pairs(table, &keys)
        }
        DedupMode::Fuzzy => {
            let mut p = exact_pairs(table, &[]);
            p.extend(fuzzy_pairs(table, opts)?);
            p
        }
    };
    pairs.sort_by_key(|p| (p.a, p.b));
    pairs.dedup_by_key(|p| (p.a, p.b));
    let id_col = table.columns.iter().position(|c| c.ty == ColumnType::Id);
    if let (Some(c), false) = (id_col, opts.keep_apart.is_empty()) {
        let id = |r: usize| table.columns[c].data.display(r).unwrap_or_default();
        pairs.retain(|p| {
            let (a, b) = (id(p.a), id(p.b));
            !opts
                .keep_apart
                .iter()
                .any(|[x, y]| (*x == a && *y == b) || (*x == b && *y == a))
        });
    }
    let n = table.n_rows();
    let groups = dedup::group_matches(n, &pairs);
    let recent =
        match (&opts.merge, &opts.recent_by) {
            (MergeRule::MostRecent, Some(c)) => Some(require(table, "clean.dedup.recent_by", c)?),
            (MergeRule::MostRecent, None) => return Err(CleanError::Invalid(
                "clean.dedup.merge = \"most-recent\" needs clean.dedup.recent_by (a date column)"
                    .into(),
            )),
            _ => None,
        };
    let mut keep = vec![true; n];
    let mut kept_of = vec![usize::MAX; n];
    let mut group_of = vec![0usize; n];
    let mut gaps: Vec<(usize, usize)> = Vec::new();
    for (g, members) in groups.iter().enumerate() {
        let keeper = choose_keeper(table, members, opts.merge, recent);
        for &m in members {
            group_of[m] = g + 1;
            kept_of[m] = keeper;
            if m != keeper {
                keep[m] = false;
                gaps.push((keeper, m));
            }
        }
    }
    let filled: usize = table
        .columns
        .iter_mut()
        .map(|c| c.data.fill_from(&gaps))
        .sum();
    let label_col = label_column(table, opts);
    let text = |col: Option<usize>, r: usize| {
        col.and_then(|c| table.columns[c].data.display(r))
            .unwrap_or_default()
    };
    let review: Vec<DuplicatePair> = pairs
        .iter()
        .map(|p| DuplicatePair {
            group: group_of[p.a],
            row_a: p.a + 1,
            row_b: p.b + 1,
            id_a: text(id_col, p.a),
            id_b: text(id_col, p.b),
            label_a: text(label_col, p.a),
            label_b: text(label_col, p.b),
            score: (p.score * 1e4).round() / 1e4,
            reason: p.reason.clone(),
            kept_row: kept_of[p.a] + 1,
        })
        .collect();
    let dropped = keep.iter().filter(|k| !**k).count();
    // A merged record points at the one it went into: its id, or its row number without one.
    removed.record(table, &keep, |r| {
        let keeper = kept_of[r];
        let id = id_col
            .and_then(|c| table.columns[c].data.display(keeper))
            .unwrap_or_else(|| format!("row {}", keeper + 1));
        RowStatus::ok().with(StatusFlag::MergedInto(id))
    });
    table.retain_rows(&keep);
    let what = match opts.mode {
        DedupMode::Exact if opts.keys.is_empty() => "exact duplicate rows".to_string(),
        DedupMode::Exact => format!("rows repeating key ({})", opts.keys.join(", ")),
        _ => "duplicate customers (exact and fuzzy)".to_string(),
    };
    log.add(
        "dedup",
        None,
        format!(
            "{} group(s) of {what} merged: {dropped} row(s) removed, {filled} missing cell(s) filled from merged records",
            groups.len()
        ),
        (n, table.n_rows()),
        filled,
    );
    Ok(review)
}

fn exact_pairs(table: &Table, keys: &[usize]) -> Vec<MatchPair> {
    duplicates_on(table, keys)
        .into_iter()
        .map(|(r, e)| MatchPair {
            a: e,
            b: r,
            score: 1.0,
            reason: "exact".into(),
        })
        .collect()
}

/// A column chosen by the recipe, or the first one whose header contains one of `hints`.
fn pick(
    table: &Table,
    given: &Option<String>,
    option: &str,
    hints: &[&str],
) -> Result<Option<usize>, CleanError> {
    if let Some(name) = given {
        return require(table, option, name).map(Some);
    }
    Ok(table.columns.iter().position(|c| {
        let lower = c.name.to_lowercase();
        matches!(c.data, ColumnData::Text(_))
            && c.ty != ColumnType::Id
            && hints.iter().any(|h| lower.contains(h))
    }))
}

fn label_column(table: &Table, opts: &DedupOptions) -> Option<usize> {
    pick(table, &opts.name, "clean.dedup.name", &["name"])
        .ok()
        .flatten()
}

fn fuzzy_pairs(table: &Table, opts: &DedupOptions) -> Result<Vec<MatchPair>, CleanError> {
    let name = pick(table, &opts.name, "clean.dedup.name", &["name"])?;
    let email = match &opts.email {
        Some(e) => Some(require(table, "clean.dedup.email", e)?),
        None => table.columns.iter().position(|c| c.ty == ColumnType::Email),
    };
    let phone = pick(
        table,
        &opts.phone,
        "clean.dedup.phone",
        &["phone", "mobile", "tel"],
    )?;
    if name.is_none() && email.is_none() && phone.is_none() {
        return Err(CleanError::Invalid(
            "clean.dedup.mode = \"fuzzy\" needs a name, email or phone column; set clean.dedup.name/email/phone".into(),
        ));
    }
    let evidence: Vec<usize> = if opts.evidence.is_empty() {
        table
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                let l = c.name.to_lowercase();
                l.contains("birth") || l == "dob"
            })
            .map(|(i, _)| i)
            .collect()
    } else {
        opts.evidence
            .iter()
            .map(|e| require(table, "clean.dedup.evidence", e))
            .collect::<Result<_, _>>()?
    };
    let as_text = |i: usize| -> Vec<Option<String>> { table.columns[i].data.to_text_values() };
    let owned: Vec<Option<Vec<Option<String>>>> = [name, email, phone]
        .iter()
        .map(|c| c.map(as_text))
        .collect();
    let others: Vec<Vec<Option<String>>> = evidence.iter().map(|&i| as_text(i)).collect();
    let fields = DedupFields {
        name: owned[0].as_deref(),
        email: owned[1].as_deref(),
        phone: owned[2].as_deref(),
        others: others.iter().map(|v| v.as_slice()).collect(),
    };
    let params = FuzzyParams {
        threshold: opts.threshold,
        similarity: match opts.similarity {
            SimilarityName::JaroWinkler => Similarity::JaroWinkler,
            SimilarityName::Levenshtein => Similarity::Levenshtein,
        },
        ..FuzzyParams::default()
    };
    let labels: Vec<&str> = evidence
        .iter()
        .map(|&i| table.columns[i].name.as_str())
        .collect();
    Ok(dedup::find_fuzzy_matches_labeled(&fields, &params, &labels))
}

fn choose_keeper(
    table: &Table,
    members: &[usize],
    rule: MergeRule,
    recent: Option<usize>,
) -> usize {
    let completeness = |r: usize| table.columns.iter().filter(|c| !c.data.is_null(r)).count();
    match rule {
        MergeRule::First => members[0],
        MergeRule::MostComplete => *members
            .iter()
            .max_by(|&&a, &&b| completeness(a).cmp(&completeness(b)).then(b.cmp(&a)))
            .unwrap_or(&members[0]),
        MergeRule::MostRecent => {
            let stamp = |r: usize| -> Option<i64> {
                match &table.columns[recent?].data {
                    ColumnData::Date(v) => v[r].map(i64::from),
                    ColumnData::DateTime(v) => v[r],
                    ColumnData::Number(v) => v[r].map(|x| x as i64),
                    _ => None,
                }
            };
            *members
                .iter()
                .max_by(|&&a, &&b| {
                    stamp(a)
                        .cmp(&stamp(b))
                        .then(completeness(a).cmp(&completeness(b)))
                        .then(b.cmp(&a))
                })
                .unwrap_or(&members[0])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Column;

    fn text(name: &str, ty: ColumnType, v: &[Option<&str>]) -> Column {
        Column::new(name, ty, ColumnData::Text(v.iter().copied().collect()))
    }

    fn customers() -> Table {
        Table::new(vec![
            text(
                "customer_id",
                ColumnType::Id,
                &[Some("C1"), Some("C2"), Some("C3"), Some("C1")],
            ),
            text(
                "name",
                ColumnType::Text,
                &[
                    Some("Anna Berg"),
                    Some("Ana Berg"),
                    Some("Bo Li"),
                    Some("Anna Berg"),
                ],
            ),
            text(
                "email",
                ColumnType::Email,
                &[
                    Some("anna@x.com"),
                    Some(" ANNA@x.com"),
                    Some("bo@y.com"),
                    Some("anna@x.com"),
                ],
            ),
            text(
                "city",
                ColumnType::Category,
                &[None, Some("Oslo"), Some("Rome"), None],
            ),
        ])
    }

    #[test]
    fn exact_whole_row_and_keys() {
        let mut t = customers();
        let mut log = CleaningLog::default();
        let pairs = apply(
            &mut t,
            &DedupOptions::default(),
            &mut log,
            &mut RemovedRows::default(),
        )
        .unwrap();
        assert_eq!(t.n_rows(), 3);
        assert_eq!((pairs[0].row_a, pairs[0].row_b), (1, 4));
        let mut t = customers();
        let opts = DedupOptions {
            keys: vec!["nope".into()],
            ..DedupOptions::default()
        };
        assert!(matches!(
            apply(&mut t, &opts, &mut log, &mut RemovedRows::default()),
            Err(CleanError::UnknownColumn { .. })
        ));
    }

    #[test]
    fn fuzzy_merges_and_fills_gaps_from_the_duplicate() {
        let mut t = customers();
        let mut log = CleaningLog::default();
        let opts = DedupOptions {
            mode: DedupMode::Fuzzy,
            ..DedupOptions::default()
        };
        let pairs = apply(&mut t, &opts, &mut log, &mut RemovedRows::default()).unwrap();
        assert_eq!(t.n_rows(), 2, "{pairs:?}");
        // Rows 1, 2 and 4 are one customer; the kept record gained the city from row 2.
        assert!(pairs.iter().any(|p| p.row_a == 1 && p.row_b == 2));
        let city = t.column("city").unwrap();
        assert_eq!(city.data.display(0).as_deref(), Some("Oslo"));
        assert!(log.entries[0].message.contains("1 group"));
    }
}
