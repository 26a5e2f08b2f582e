//! Which columns become clustering features when the recipe does not list `features.columns`.
//!
//! Two kinds of number columns are kept out of the default numeric features, by name and values:
//! - an outcome (Churn, Response, target, a yes/no "is_fraud"): clustering on the answer a
//!   marketer wants to explain makes the segments restate it; it is profiled instead;
//! - an integer code with few values (Channel 1/2, Region 1–3): its numbers are labels, so
//!   "Region 3 is three times Region 1" would be nonsense; it is one-hot encoded instead.
//!
//! The loader keeps the true types (so `inspect` shows Channel as an integer and Churn as
//! yes/no); only the default choice of features changes, and listing a column in
//! `features.columns` always clusters on it as it is.

use crate::table::{Column, ColumnData, ColumnType, Table};
use std::collections::HashSet;

/// At most this many distinct integers make a coded column a category.
pub const MAX_CODES: usize = 12;

/// Whole names (tokens joined, case folded) that are an outcome whatever the values hold.
const OUTCOME_NAMES: [&str; 14] = [
    "churn",
    "churned",
    "target",
    "label",
    "response",
    "responded",
    "converted",
    "conversion",
    "outcome",
    "isfraud",
    "fraud",
    "default",
    "exited",
    "attrition",
];

/// Words that make a yes/no or 0/1 column an outcome wherever they stand in its name
/// ("Churn_Flag", "default.payment.next.month", "HasChurned").
const OUTCOME_WORDS: [&str; 16] = [
    "churn",
    "churned",
    "churning",
    "target",
    "label",
    "response",
    "responded",
    "converted",
    "conversion",
    "outcome",
    "fraud",
    "fraudulent",
    "default",
    "defaulted",
    "exited",
    "attrition",
];

/// Words that make an integer column with few values a code ("Channel", "customer_type",
/// "Subregion"): matched as a word of the name or as its end.
const CODE_WORDS: [&str; 10] = [
    "channel", "region", "type", "code", "category", "segment", "class", "group", "tier", "status",
];

/// The default numeric features, and what was kept out of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Defaults {
    pub numeric: Vec<String>,
    /// Integer codes to one-hot encode (not already in `features.one_hot`).
    pub codes: Vec<(String, usize)>,
    /// Outcome-like columns, profiled but not clustered on.
    pub outcomes: Vec<String>,
}

/// Splits a header into lower-case words: "SeniorCitizen" → senior, citizen; "is_fraud" → is,
/// fraud; "default.payment.next.month" → default, payment, next, month.
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        // camelCase boundary: a capital after a lower-case letter or digit starts a word.
        if ch.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        cur.extend(ch.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Every present value is 0 or 1, or the column is yes/no.
fn is_binary(c: &Column) -> bool {
    match &c.data {
        ColumnData::Boolean(_) => true,
        ColumnData::Number(v) => v.iter().flatten().all(|&x| x == 0.0 || x == 1.0),
        _ => false,
    }
}

/// The column's name (and, for "y" and names that only contain an outcome word, its yes/no or
/// 0/1 values) says it is what the segments should explain, not what defines them.
pub fn looks_like_outcome(c: &Column) -> bool {
    if !matches!(c.data, ColumnData::Number(_) | ColumnData::Boolean(_)) {
        return false;
    }
    let words = name_words(&c.name);
    let joined: String = words.concat();
    if OUTCOME_NAMES.contains(&joined.as_str()) {
        return true;
    }
    // "y" (the bank-marketing target) and "churn_flag" need yes/no values to be believed.
    let named = joined == "y" || words.iter().any(|w| OUTCOME_WORDS.contains(&w.as_str()));
    named && is_binary(c)
}

/// The number of distinct integers when the column is an integer code: an integer column whose
/// name says code/type/region/… with 2 to `MAX_CODES` distinct values.
pub fn integer_codes(c: &Column) -> Option<usize> {
    let ColumnData::Number(values) = &c.data else {
        return None;
    };
    if c.ty != ColumnType::Integer {
        return None;
    }
    let words = name_words(&c.name);
    let joined = words.concat();
    let named = CODE_WORDS
        .iter()
        .any(|w| words.iter().any(|x| x == w) || joined.ends_with(w));
    if !named {
        return None;
    }
    let mut seen = HashSet::new();
    for x in values.iter().flatten() {
        seen.insert(x.to_bits());
        if seen.len() > MAX_CODES {
            return None;
        }
    }
    (seen.len() >= 2).then_some(seen.len())
}

/// Sorts the candidate default columns (number and yes/no columns that are not ids) into
/// numeric features, integer codes and outcomes. `one_hot`: the columns the user one-hot encodes
/// already (a code listed there is not added twice and not announced).
pub fn split<'a>(candidates: impl Iterator<Item = &'a Column>, one_hot: &[String]) -> Defaults {
    let mut d = Defaults::default();
    for c in candidates {
        if looks_like_outcome(c) {
            d.outcomes.push(c.name.clone());
        } else if let Some(n) = integer_codes(c) {
            if !one_hot.contains(&c.name) {
                d.codes.push((c.name.clone(), n));
            }
        } else {
            d.numeric.push(c.name.clone());
        }
    }
    d
}

/// The outcome-like columns of a table (any number or yes/no column), for profiling them when
/// the user's own feature list leaves them out.
pub fn outcome_columns(table: &Table, features: &[String]) -> Vec<String> {
    table
        .columns
        .iter()
        .filter(|c| !features.contains(&c.name) && looks_like_outcome(c))
        .map(|c| c.name.clone())
        .collect()
}

/// `load.types.<name>` as TOML accepts it: quoted when the name is not a bare key.
fn types_key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("load.types.{name}")
    } else {
        format!("load.types.\"{}\"", name.replace('"', "\\\""))
    }
}

/// The warnings a run prints for what the defaults kept out or re-typed.
pub fn warnings(d: &Defaults) -> Vec<String> {
    let outcomes = d.outcomes.iter().map(|name| {
        format!(
            "'{name}' looks like an outcome; it is kept out of the clustering features and \
             profiled instead; list it in features.columns to cluster on it"
        )
    });
    let codes = d.codes.iter().map(|(name, n)| {
        format!(
            "'{name}' holds {n} integer codes; treated as a category; set {} = \"number\" to \
             use it as a number",
            types_key(name)
        )
    });
    outcomes.chain(codes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(name: &str, ty: ColumnType, v: &[f64]) -> Column {
        Column::new(
            name,
            ty,
            ColumnData::Number(v.iter().map(|&x| Some(x)).collect()),
        )
    }

    fn yes_no(name: &str) -> Column {
        Column::new(
            name,
            ColumnType::Boolean,
            ColumnData::Boolean(vec![Some(true), Some(false), None]),
        )
    }

    #[test]
    fn words_of_headers() {
        assert_eq!(name_words("SeniorCitizen"), ["senior", "citizen"]);
        assert_eq!(name_words("is_fraud"), ["is", "fraud"]);
        assert_eq!(name_words("Is Fraud"), ["is", "fraud"]);
        assert_eq!(name_words("customerID"), ["customer", "id"]);
        assert_eq!(
            name_words("default.payment.next.month"),
            ["default", "payment", "next", "month"]
        );
        assert_eq!(name_words("AcceptedCmp1"), ["accepted", "cmp1"]);
    }

    #[test]
    fn outcomes_by_name_and_values() {
        for name in [
            "Churn",
            "churned",
            "TARGET",
            "Exited",
            "is_fraud",
            "isFraud",
            "Response",
            "y",
            "Churn Flag",
            "HasChurned",
            "default.payment.next.month",
            "Attrition",
        ] {
            assert!(looks_like_outcome(&yes_no(name)), "{name} (yes/no)");
        }
        let zero_one = [0.0, 1.0, 1.0];
        for name in ["Exited", "churn_flag", "y", "Converted"] {
            let c = numbers(name, ColumnType::Integer, &zero_one);
            assert!(looks_like_outcome(&c), "{name} (0/1)");
        }
        // A whole-name outcome holds any numbers (a regression target).
        assert!(looks_like_outcome(&numbers(
            "target",
            ColumnType::Number,
            &[3.5, 7.25]
        )));
        // Not outcomes: "y" and a name that merely contains a word need yes/no values.
        assert!(!looks_like_outcome(&numbers(
            "y",
            ColumnType::Number,
            &[0.5, 3.0]
        )));
        assert!(!looks_like_outcome(&numbers(
            "churn_score",
            ColumnType::Number,
            &[0.2, 0.9]
        )));
        for name in [
            "SeniorCitizen",
            "Partner",
            "tenure",
            "MonthlyCharges",
            "Complain",
        ] {
            assert!(!looks_like_outcome(&yes_no(name)), "{name}");
        }
        // Text is never a default feature, so it is not announced.
        let text = Column::new(
            "Churn",
            ColumnType::Category,
            ColumnData::Text(vec![Some("maybe")].into_iter().collect()),
        );
        assert!(!looks_like_outcome(&text));
    }

    #[test]
    fn integer_codes_by_name_and_distinct_count() {
        let codes = |name: &str, v: &[f64]| integer_codes(&numbers(name, ColumnType::Integer, v));
        assert_eq!(codes("Channel", &[1.0, 2.0, 1.0]), Some(2));
        assert_eq!(codes("Region", &[1.0, 2.0, 3.0, 3.0]), Some(3));
        assert_eq!(codes("customer_type", &[1.0, 4.0]), Some(2));
        assert_eq!(codes("Subregion", &[1.0, 4.0]), Some(2));
        assert_eq!(codes("LoyaltyTier", &[1.0, 2.0, 3.0]), Some(3));
        let thirteen: Vec<f64> = (0..13).map(f64::from).collect();
        assert_eq!(codes("Region", &thirteen), None, "more than 12 values");
        assert_eq!(codes("Region", &thirteen[..12]), Some(12));
        assert_eq!(codes("Region", &[2.0, 2.0]), None, "a single value");
        assert_eq!(
            codes("Kidhome", &[0.0, 1.0, 2.0]),
            None,
            "name says nothing"
        );
        assert_eq!(codes("tenure", &[1.0, 2.0]), None);
        // A column the user typed as "number" is a number.
        let forced = numbers("Channel", ColumnType::Number, &[1.0, 2.0]);
        assert_eq!(integer_codes(&forced), None);
        let decimals = numbers("Region", ColumnType::Number, &[1.5, 2.0]);
        assert_eq!(integer_codes(&decimals), None);
    }

    #[test]
    fn split_sorts_and_warns() {
        let cols = [
            numbers("Channel", ColumnType::Integer, &[1.0, 2.0, 2.0]),
            numbers("Region", ColumnType::Integer, &[1.0, 2.0, 3.0]),
            numbers("Fresh", ColumnType::Integer, &[120.0, 7.0, 3000.0]),
            yes_no("Churn"),
            numbers("SeniorCitizen", ColumnType::Integer, &[0.0, 1.0, 0.0]),
        ];
        let d = split(cols.iter(), &["Region".to_string()]);
        assert_eq!(d.numeric, ["Fresh", "SeniorCitizen"]);
        assert_eq!(
            d.codes,
            [("Channel".to_string(), 2)],
            "Region is one-hot already"
        );
        assert_eq!(d.outcomes, ["Churn"]);
        let w = warnings(&d);
        assert_eq!(
            w,
            [
                "'Churn' looks like an outcome; it is kept out of the clustering features and \
                 profiled instead; list it in features.columns to cluster on it",
                "'Channel' holds 2 integer codes; treated as a category; set \
                 load.types.Channel = \"number\" to use it as a number",
            ]
        );
        let spaced = Defaults {
            codes: vec![("Sales Region".into(), 4)],
            ..Default::default()
        };
        assert!(warnings(&spaced)[0].contains("load.types.\"Sales Region\" = \"number\""));
    }
}
