use super::eval::Value;
use super::*;
use crate::table::{date_to_days, Column, ColumnData, ColumnType, Table};
use chrono::NaiveDate;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// Two customers: the second has no income.
fn table() -> Table {
    let date = |y, m, d| Some(date_to_days(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
    Table::new(vec![
        Column::new(
            "Income",
            ColumnType::Number,
            ColumnData::Number(vec![Some(50.0), None]),
        ),
        Column::new(
            "Annual Income (k$)",
            ColumnType::Integer,
            ColumnData::Number(vec![Some(15.0), Some(20.0)]),
        ),
        Column::new(
            "Year_Birth",
            ColumnType::Integer,
            ColumnData::Number(vec![Some(1957.0), Some(1990.0)]),
        ),
        Column::new(
            "member",
            ColumnType::Boolean,
            ColumnData::Boolean(vec![Some(true), Some(false)]),
        ),
        Column::new(
            "Education",
            ColumnType::Category,
            ColumnData::Text([Some("PhD"), Some("Basic")].into_iter().collect()),
        ),
        Column::new(
            "signup",
            ColumnType::Date,
            ColumnData::Date(vec![date(2025, 12, 1), None]),
        ),
    ])
}

fn values(text: &str) -> ColumnData {
    let t = table();
    let e = parse(text, "test").unwrap_or_else(|e| panic!("{e}"));
    let b = e.bind(&t, text, "test").unwrap_or_else(|e| panic!("{e}"));
    b.evaluate(&t, as_of())
}

fn first(text: &str) -> Option<f64> {
    match values(text) {
        ColumnData::Number(v) => v[0],
        ColumnData::Boolean(v) => v[0].map(|b| b as u8 as f64),
        other => panic!("{text}: {other:?}"),
    }
}

fn error(text: &str) -> String {
    let t = table();
    match parse(text, "derive.total") {
        Err(e) => e.to_string(),
        Ok(e) => e.bind(&t, text, "derive.total").unwrap_err().to_string(),
    }
}

#[test]
fn precedence_and_associativity_follow_arithmetic() {
    assert_eq!(first("1 + 2 * 3"), Some(7.0));
    assert_eq!(first("(1 + 2) * 3"), Some(9.0));
    assert_eq!(first("2 - 3 - 4"), Some(-5.0));
    assert_eq!(first("12 / 3 / 2"), Some(2.0));
    assert_eq!(first("1 + 2 > 2 and not 0 > 1"), Some(1.0));
    // `and` binds tighter than `or`: true or (false and false).
    assert_eq!(first("1 > 0 or 1 < 0 and 1 < 0"), Some(1.0));
    assert_eq!(first("2.5e1 + .5"), Some(25.5));
}

#[test]
fn unary_minus_binds_tighter_than_multiplication() {
    assert_eq!(first("-2 * 3 + 10"), Some(4.0));
    assert_eq!(first("- -2"), Some(2.0));
    assert_eq!(first("3 - -2"), Some(5.0));
    assert_eq!(first("-Income / 10"), Some(-5.0));
}

#[test]
fn backticks_name_columns_with_spaces_and_symbols() {
    assert_eq!(first("`Annual Income (k$)` * 2"), Some(30.0));
    assert_eq!(first("`Income` + 1"), Some(51.0));
}

#[test]
fn integer_and_boolean_columns_count_as_numbers() {
    assert_eq!(first("year(as_of) - Year_Birth"), Some(69.0));
    assert_eq!(first("member + 1"), Some(2.0));
    assert_eq!(
        values("member == 1"),
        ColumnData::Boolean(vec![Some(true), Some(false)])
    );
}

#[test]
fn missing_values_propagate_and_comparisons_on_them_are_missing() {
    assert_eq!(
        values("Income + 1"),
        ColumnData::Number(vec![Some(51.0), None])
    );
    assert_eq!(
        values("Income > 10"),
        ColumnData::Boolean(vec![Some(true), None])
    );
    assert_eq!(
        values("coalesce(Income, 0) + 1"),
        ColumnData::Number(vec![Some(51.0), Some(1.0)])
    );
    assert_eq!(
        values("max(Income, 3)"),
        ColumnData::Number(vec![Some(50.0), None])
    );
    // SQL logic: false and missing is false, true or missing is true.
    assert_eq!(
        values("Income > 10 and member == 0"),
        ColumnData::Boolean(vec![Some(false), None])
    );
    assert_eq!(
        values("member == 0 or Income > 10"),
        ColumnData::Boolean(vec![Some(true), Some(true)])
    );
    assert_eq!(
        values("member == 1 and Income > 10"),
        ColumnData::Boolean(vec![Some(true), Some(false)])
    );
}

#[test]
fn a_rule_on_a_missing_value_does_not_hold() {
    let t = table();
    let text = "Income < 1000";
    let b = parse(text, "r").unwrap().bind(&t, text, "r").unwrap();
    assert!(b.holds_at(&t, 0, as_of()));
    assert!(!b.holds_at(&t, 1, as_of()));
}

#[test]
fn division_by_zero_and_ln_of_non_positive_numbers_are_missing() {
    assert_eq!(first("Income / 0"), None);
    assert_eq!(first("Income / (member - 1)"), None);
    assert_eq!(first("ln(0)"), None);
    assert_eq!(first("ln(-1)"), None);
    assert_eq!(first("ln(1)"), Some(0.0));
    assert_eq!(first("abs(-3) + min(4, 2, 9) + max(1, 5)"), Some(10.0));
}

#[test]
fn text_compares_with_equals_and_dates_with_functions() {
    assert_eq!(
        values("Education == \"PhD\""),
        ColumnData::Boolean(vec![Some(true), Some(false)])
    );
    assert_eq!(
        values("Education != \"PhD\""),
        ColumnData::Boolean(vec![Some(false), Some(true)])
    );
    // 2025-12-01 to 2026-01-01: 31 days.
    assert_eq!(
        values("days_between(signup, as_of)"),
        ColumnData::Number(vec![Some(31.0), None])
    );
    assert_eq!(first("year(signup)"), Some(2025.0));
    assert_eq!(
        values("signup < as_of"),
        ColumnData::Boolean(vec![Some(true), None])
    );
}

#[test]
fn a_syntax_error_shows_the_text_and_a_caret_under_the_bad_token() {
    assert_eq!(
        error("MntWines + * 2"),
        "derive.total: expected a value after '+'\n  MntWines + * 2\n             ^"
    );
    assert_eq!(
        error("(Income + 1"),
        "derive.total: expected ')' to close the '(' here, found end\n  (Income + 1\n             ^"
    );
    assert_eq!(
        error("Income = 3"),
        "derive.total: '=' is not a comparison; write '=='\n  Income = 3\n         ^"
    );
    assert_eq!(
        error("Income 3"),
        "derive.total: unexpected value after a complete expression\n  Income 3\n         ^"
    );
    assert_eq!(
        error("sqrt(Income)"),
        "derive.total: unknown function 'sqrt' (functions: min, max, abs, ln, coalesce, \
         year, days_between)\n  sqrt(Income)\n  ^"
    );
    assert_eq!(
        error("ln(1, 2)"),
        "derive.total: ln takes 1 argument(s), not 2\n  ln(1, 2)\n  ^"
    );
    assert_eq!(
        error("`Income + 1"),
        "derive.total: this column name is not closed with `\n  `Income + 1\n  ^"
    );
    assert_eq!(
        error("1 < 2 < 3"),
        "derive.total: comparisons do not chain; join them with 'and' (a < b and b < c)\n  \
         1 < 2 < 3\n        ^"
    );
}

#[test]
fn type_errors_point_at_the_operand() {
    assert_eq!(
        error("Income + Education"),
        "derive.total: '+' needs numbers, not text\n  Income + Education\n           ^"
    );
    assert_eq!(
        error("Education < \"B\""),
        "derive.total: '<' does not order text; only == and != compare text\n  \
         Education < \"B\"\n            ^"
    );
}

#[test]
fn an_unknown_column_names_the_closest_ones() {
    assert_eq!(
        error("Incme * 2"),
        "derive.total: unknown column 'Incme' (did you mean 'Income'?)\n  Incme * 2\n  ^"
    );
    let e = error("1 + zzzzzz");
    assert!(
        e.starts_with("derive.total: unknown column 'zzzzzz'\n"),
        "{e}"
    );
}

#[test]
fn columns_lists_every_column_read() {
    let e = parse("coalesce(a, `b c`) + a * as_of_x", "t").unwrap();
    assert_eq!(e.columns(), vec!["a", "b c", "a", "as_of_x"]);
    let t = table();
    let b = parse("Income", "t")
        .unwrap()
        .bind(&t, "Income", "t")
        .unwrap();
    assert_eq!(b.value_at(&t, 0, as_of()), Value::Number(50.0));
}

#[test]
fn deeply_nested_or_very_long_expressions_are_refused_not_overflowing() {
    let nested = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = parse(&nested, "derive.x").unwrap_err().to_string();
    assert!(
        e.starts_with("derive.x: more than 500 tokens"),
        "{}",
        &e[..80]
    );
    let long = vec!["1"; 300].join(" + ");
    assert!(parse(&long, "derive.x").is_err());
    let negations = format!("{}1", "-".repeat(400));
    assert_eq!(first(&negations), Some(1.0));
}
