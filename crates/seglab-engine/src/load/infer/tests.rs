//! Tests of the type guess: hand-made columns through `build_column`.

use super::*;

fn raw(cells: &[Option<&str>]) -> RawColumn {
    cells.iter().copied().collect()
}

fn build(name: &str, cells: &[Option<&str>], style: &NumberStyle) -> (Column, Vec<String>) {
    let lines: Vec<usize> = (2..cells.len() + 2).collect();
    let spec = ColumnSpec {
        name,
        forced: None,
        date_format: None,
        style,
        lines: &lines,
    };
    build_column(raw(cells), &spec)
}

#[test]
fn numbers_integers_ids_and_codes() {
    let plain = NumberStyle::default();
    let (c, _) = build("income", &[Some("10.5"), None, Some(" 3 ")], &plain);
    assert_eq!(c.ty, ColumnType::Number);
    assert_eq!(
        c.data,
        ColumnData::Number(vec![Some(10.5), None, Some(3.0)])
    );
    assert_eq!(
        build("qty", &[Some("1"), Some("-2")], &plain).0.ty,
        ColumnType::Integer
    );
    assert_eq!(
        build("user_id", &[Some("1"), Some("2")], &plain).0.ty,
        ColumnType::Id
    );
    let (zip, _) = build("zip", &[Some("02134"), Some("10001")], &plain);
    assert_eq!(zip.ty, ColumnType::Category);
}

#[test]
fn thousands_decimal_comma_and_currency_when_asked() {
    let style = NumberStyle {
        thousands: Some('.'),
        decimal: ',',
        currency: true,
    };
    assert_eq!(parse_number("€1.234,50", &style), Some(1234.5));
    assert_eq!(parse_number("(12,00 €)", &style), Some(-12.0));
    let us = NumberStyle {
        thousands: Some(','),
        ..NumberStyle::default()
    };
    assert_eq!(parse_number("1,234,567", &us), Some(1_234_567.0));
    assert_eq!(parse_number("inf", &NumberStyle::default()), None);
}

#[test]
fn mostly_numeric_column_warns_with_line_and_hint() {
    let mut cells: Vec<Option<&str>> = vec![Some("5"); 20];
    cells[7] = Some("1,200");
    let (c, w) = build("spend", &cells, &NumberStyle::default());
    assert_ne!(c.ty, ColumnType::Number);
    assert!(
        w[0].contains("line 9") && w[0].contains("thousands"),
        "{w:?}"
    );
}

#[test]
fn long_digit_strings_stay_exact_text() {
    let plain = NumberStyle::default();
    let ids: Vec<String> = (0..30)
        .map(|i| (1_234_567_890_123_456_789u64 + i).to_string())
        .collect();
    let cells: Vec<Option<&str>> = ids.iter().map(|s| Some(s.as_str())).collect();
    for name in ["customer_id", "ref"] {
        let (c, _) = build(name, &cells, &plain);
        assert_eq!(c.ty, ColumnType::Id, "{name}");
        assert_eq!(c.data.text_at(29).as_deref(), Some(ids[29].as_str()));
    }
    let cards = [Some("4111111111111111"), Some("5500000000000004")];
    let (c, _) = build("card", &cards, &plain);
    assert!(matches!(c.data, ColumnData::Text(_)), "{:?}", c.ty);
    // A forced id keeps digits beyond 2^53 and fractions as written.
    let lines = [2, 3];
    let spec = ColumnSpec {
        name: "k",
        forced: Some(ColumnType::Id),
        date_format: None,
        style: &plain,
        lines: &lines,
    };
    let (c, _) = build_column(raw(&[Some("9007199254740993"), Some("1")]), &spec);
    assert_eq!(c.data.text_at(0).as_deref(), Some("9007199254740993"));
    // Small whole ids stay numbers (and join with "12346.0" elsewhere).
    let (c, _) = build("user_id", &[Some("12346.0"), Some("7")], &plain);
    assert_eq!(c.data, ColumnData::Number(vec![Some(12346.0), Some(7.0)]));
}

#[test]
fn ascii_emails_as_the_general_test_reads_them() {
    for t in [
        "a@b.c",
        "@b.c",
        "a@.c",
        "a@b.",
        "a@bc",
        "a@@b.c",
        "a@b@c.d",
        "a.b@c",
        "a b@c.d",
        "a@b.c\u{b}",
        "a\t@b.c",
        "ab.c",
        "",
        "@",
        "a@.",
        "x.y@a..b",
    ] {
        assert_eq!(ascii_email(t.as_bytes()), any_email(t), "{t:?}");
    }
}

#[test]
fn text_kinds() {
    let plain = NumberStyle::default();
    let emails = [Some("a@x.com"), Some("B@y.org"), None];
    assert_eq!(build("mail", &emails, &plain).0.ty, ColumnType::Email);
    let bools = [Some("true"), Some("FALSE"), Some("yes")];
    assert_eq!(build("member", &bools, &plain).0.ty, ColumnType::Boolean);
    let cats: Vec<Option<&str>> = (0..100).map(|i| Some(["a", "b"][i % 2])).collect();
    assert_eq!(build("seg", &cats, &plain).0.ty, ColumnType::Category);
    let names: Vec<String> = (0..100).map(|i| format!("Person {i}")).collect();
    let cells: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
    assert_eq!(build("name", &cells, &plain).0.ty, ColumnType::Text);
    let (c, w) = build("x", &[None, None], &plain);
    assert_eq!(c.data.null_count(), 2);
    assert!(w[0].contains("all missing"));
}

#[test]
fn dates_and_forced_types() {
    let plain = NumberStyle::default();
    let (c, w) = build("d", &[Some("3/4/2024"), Some("5/6/2024")], &plain);
    assert_eq!(c.ty, ColumnType::Date);
    assert!(w[0].contains("load.date_formats.d"));
    let (c, _) = build(
        "t",
        &[Some("2024-01-01 10:00:00"), Some("2024-01-02")],
        &plain,
    );
    assert_eq!(c.ty, ColumnType::DateTime);
    let lines = [2, 3];
    let spec = ColumnSpec {
        name: "n",
        forced: Some(ColumnType::Number),
        date_format: None,
        style: &plain,
        lines: &lines,
    };
    let (c, w) = build_column(raw(&[Some("1"), Some("oops")]), &spec);
    assert_eq!(c.data, ColumnData::Number(vec![Some(1.0), None]));
    assert!(w[0].contains("'oops' on line 3"));
}

#[test]
fn dates_and_booleans_read_by_the_guess_keep_their_rows() {
    // The guess keeps the values it read; missing cells must not shift them.
    let plain = NumberStyle::default();
    let cells = [None, Some("31/1/2024"), None, None, Some("2/2/2024")];
    let (c, _) = build("d", &cells, &plain);
    let day =
        |y, m, d| crate::table::date_to_days(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
    assert_eq!(
        c.data,
        ColumnData::Date(vec![
            None,
            Some(day(2024, 1, 31)),
            None,
            None,
            Some(day(2024, 2, 2))
        ])
    );
    let (c, _) = build("b", &[Some("yes"), None, Some("N")], &plain);
    assert_eq!(
        c.data,
        ColumnData::Boolean(vec![Some(true), None, Some(false)])
    );
}

// Transaction-log columns through the whole guess (moved with `log_columns`).
mod log_columns_guess {
    use super::*;
    use crate::load::log_columns::YYYYMMDD;
    use crate::table::date_to_days;
    use chrono::NaiveDate;

    /// A column through the whole guess, as the loader builds it.
    fn build(
        name: &str,
        cells: &[Option<&str>],
        forced: Option<crate::table::ColumnType>,
        date_format: Option<&crate::load::dates::DateFormat>,
    ) -> (crate::table::Column, Vec<String>) {
        let lines: Vec<usize> = (2..cells.len() + 2).collect();
        let spec = ColumnSpec {
            name,
            forced,
            date_format,
            style: &NumberStyle::default(),
            lines: &lines,
        };
        build_column(cells.iter().copied().collect::<RawColumn>(), &spec)
    }

    #[test]
    fn a_date_format_wins_over_the_number_guess_and_a_forced_integer_over_the_name() {
        use crate::table::{ColumnData, ColumnType};
        let cells = [Some("19970101"), Some("19970330"), None];
        let pattern = crate::load::dates::DateFormat::Pattern(YYYYMMDD.into());
        let jan1 = date_to_days(NaiveDate::from_ymd_opt(1997, 1, 1).unwrap());
        for (name, format) in [("when", Some(&pattern)), ("InvoiceDate", None)] {
            let (c, w) = build(name, &cells, None, format);
            assert_eq!(c.ty, ColumnType::Date, "{name}");
            match c.data {
                ColumnData::Date(d) => assert_eq!((d[0], d[2]), (Some(jan1), None)),
                other => panic!("{other:?}"),
            }
            // Asked for: nothing to warn about; guessed: the warning says how to undo it.
            assert_eq!(w.iter().any(|w| w.contains("8-digit")), format.is_none());
        }
        let (c, w) = build("date", &cells, Some(ColumnType::Integer), None);
        assert_eq!(c.ty, ColumnType::Integer);
        assert!(w.is_empty(), "{w:?}");
        // Without a date in the name, 8 digits are a number.
        assert_eq!(
            build("amount", &cells, None, None).0.ty,
            ColumnType::Integer
        );
    }

    #[test]
    fn prefixed_codes_stay_text_and_are_not_advised_into_numbers() {
        use crate::table::ColumnType;
        let mut cells: Vec<Option<&str>> = vec![Some("536365"); 60];
        cells[3] = Some("C536379");
        cells[40] = Some("C536383");
        let (c, w) = build("InvoiceNo", &cells, None, None);
        assert_eq!(c.ty, ColumnType::Id);
        assert_eq!(c.data.text_at(3).as_deref(), Some("C536379"));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("2 value(s) carry a letter prefix (first 'C536379' on line 5)"),
            "{w:?}"
        );
        assert!(!w[0].contains("load.types"), "{w:?}");
        // Another name: classified as any text column (two values: a category).
        let (c, _) = build("batch", &cells, None, None);
        assert_eq!(c.ty, ColumnType::Category);
        assert_eq!(c.data.text_at(40).as_deref(), Some("C536383"));
    }
}

#[test]
fn the_decimal_fast_path_reads_exactly_what_str_parse_reads() {
    let mut state: u64 = 1;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        state >> 11
    };
    let mut cases: Vec<String> = [
        "0",
        "-0",
        "0.1",
        "2.55",
        "-27.50",
        ".5",
        "5.",
        "-",
        ".",
        "1.2.3",
        "123456789012345",
        "1234567890123456",
        "0.000000000000001",
        "99999999999999.9",
        "1e5",
        "+3",
        " 4",
        "4 ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for _ in 0..20_000 {
        let digits = 1 + next() % 16;
        let mut s: String = (0..digits)
            .map(|_| (b'0' + (next() % 10) as u8) as char)
            .collect();
        let dot = next() % (digits + 1);
        if dot < digits {
            s.insert(dot as usize, '.');
        }
        if next() % 3 == 0 {
            s.insert(0, '-');
        }
        cases.push(s);
    }
    for c in &cases {
        let want = c.trim().parse::<f64>().ok().filter(|v| v.is_finite());
        let got = parse_number(c, &NumberStyle::default());
        assert_eq!(
            got.map(f64::to_bits),
            want.map(f64::to_bits),
            "{c:?}: {got:?} vs {want:?}"
        );
    }
}
