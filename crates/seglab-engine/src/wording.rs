//! How column names and category values read in a sentence or a segment name: "MonthlyCharges"
//! as "Monthly Charges", InternetService = No as "No internet service", Contract =
//! Month-to-month as "Month-to-month contract".

use crate::default_features::name_words;

/// Columns whose values say what they are on their own ("Female", "Paris"): adding the column
/// ("Female gender") would only get in the way.
const SELF_DESCRIBING: [&str; 12] = [
    "gender",
    "genre",
    "sex",
    "country",
    "city",
    "state",
    "language",
    "occupation",
    "profession",
    "job",
    "education",
    "marital",
];

/// "MonthlyCharges" → "Monthly Charges": a word starts at an upper-case letter that follows a
/// lower-case one (acronyms such as "ID" stay whole).
pub fn split_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && prev_lower {
            out.push(' ');
        }
        prev_lower = c.is_lowercase();
        out.push(c);
    }
    out
}

/// A column name as words in a sentence: "InternetService" → "internet service",
/// "payment_method" → "payment method".
pub fn column_words(column: &str) -> String {
    name_words(column).join(" ")
}

/// A category value as it reads on its own, naming its column where the value alone would not
/// say what it is: "No internet service" (InternetService = No), "Month-to-month contract",
/// "Channel 2", "Female" (gender). Sentence case: the value as written, the column in lower case.
pub fn value_label(column: &str, value: &str) -> String {
    let value = value.trim();
    let words = column_words(column);
    if words.is_empty() {
        return value.to_string();
    }
    let lower = value.to_lowercase();
    // A code (Channel 2) means nothing without its column.
    if !value.chars().any(char::is_alphabetic) {
        return format!("{column} {value}");
    }
    match lower.as_str() {
        "no" | "none" | "false" | "n" => return format!("No {words}"),
        "yes" | "true" | "y" => return capitalized(&words),
        _ => {}
    }
    let own_words = name_words(column);
    let last = own_words.last().map(String::as_str).unwrap_or_default();
    let describes_itself = lower.starts_with("no ")
        || own_words
            .iter()
            .any(|w| SELF_DESCRIBING.contains(&w.as_str()))
        || name_words(value).last().map(String::as_str) == Some(last);
    if describes_itself {
        value.to_string()
    } else {
        format!("{value} {words}")
    }
}

/// The first letter upper case: "internet service" → "Internet service".
pub fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

/// Every word capitalized, as segment names are written: "No internet service" → "No Internet
/// Service" (the rest of each word is kept, so "DSL" stays).
pub fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(capitalized)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_name_their_column_when_they_need_it() {
        assert_eq!(value_label("InternetService", "No"), "No internet service");
        assert_eq!(
            value_label("OnlineSecurity", "No internet service"),
            "No internet service"
        );
        assert_eq!(
            value_label("Contract", "Month-to-month"),
            "Month-to-month contract"
        );
        assert_eq!(value_label("Contract", "Two year"), "Two year contract");
        assert_eq!(value_label("Partner", "Yes"), "Partner");
        assert_eq!(value_label("Channel", "2"), "Channel 2");
        assert_eq!(value_label("Gender", "Female"), "Female");
        assert_eq!(value_label("plan", "Basic plan"), "Basic plan");
        assert_eq!(title_case("No internet service"), "No Internet Service");
        assert_eq!(title_case("DSL internet service"), "DSL Internet Service");
    }
}
