use super::*;
use crate::table::TextColumn;

fn date(s: &str) -> Option<i32> {
    Some(date_to_days(
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap(),
    ))
}

#[test]
fn age_and_tenure_at_a_reference_date() {
    let mut t = Table::new(vec![
        Column::new(
            "birth",
            ColumnType::Date,
            ColumnData::Date(vec![date("2000-06-15"), date("2000-06-16"), None]),
        ),
        Column::new(
            "signup",
            ColumnType::Date,
            ColumnData::Date(vec![date("2025-06-05"), date("2020-01-01"), None]),
        ),
    ]);
    let opts = FeatureOptions {
        age_from: Some("birth".into()),
        tenure_from: Some("signup".into()),
        ..Default::default()
    };
    let as_of = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
    derive(&mut t, &opts, as_of).unwrap();
    assert_eq!(
        t.column("age").unwrap().data.as_numbers().unwrap(),
        &[Some(25.0), Some(24.0), None]
    );
    assert_eq!(
        t.column("tenure_days").unwrap().data.as_numbers().unwrap()[0],
        Some(10.0)
    );
    let bad = FeatureOptions {
        age_from: Some("signupx".into()),
        ..Default::default()
    };
    assert!(matches!(
        derive(&mut t, &bad, as_of),
        Err(FeatureError::UnknownColumn { .. })
    ));
}

#[test]
fn selection_rejects_text_and_ids() {
    let t = Table::new(vec![
        Column::new("id", ColumnType::Id, ColumnData::Number(vec![Some(1.0)])),
        Column::new(
            "city",
            ColumnType::Category,
            ColumnData::Text(vec![Some("Oslo")].into_iter().collect::<TextColumn>()),
        ),
        Column::new(
            "spend",
            ColumnType::Number,
            ColumnData::Number(vec![Some(3.0)]),
        ),
    ]);
    let (num, _) = select(&t, &FeatureOptions::default()).unwrap();
    assert_eq!(num, vec!["spend"]);
    // The id column by name or by option, even typed as an integer.
    let mut t2 = t.clone();
    for name in ["customer_id", "cust"] {
        t2.columns.push(Column::new(
            name,
            ColumnType::Integer,
            ColumnData::Number(vec![Some(7.0)]),
        ));
    }
    let by_option = FeatureOptions {
        id: Some("cust".into()),
        ..Default::default()
    };
    assert_eq!(select(&t2, &by_option).unwrap().0, vec!["spend"]);
    let opts = FeatureOptions {
        columns: vec!["city".into()],
        ..Default::default()
    };
    let e = select(&t, &opts).unwrap_err();
    assert!(e.to_string().contains("one_hot"), "{e}");
}

#[test]
fn one_hot_orders_by_frequency_and_logs_are_signed() {
    let t = Table::new(vec![Column::new(
        "ch",
        ColumnType::Category,
        ColumnData::Text(
            vec![Some("web"), Some("app"), Some("web"), None]
                .into_iter()
                .collect::<TextColumn>(),
        ),
    )]);
    let (raw, enc) = raw_features(&t, &[], &[], &["ch".into()], None).unwrap();
    assert_eq!(raw.names, vec!["ch=web", "ch=app"]);
    assert_eq!(raw.columns[0], vec![1.0, 0.0, 1.0, 0.0]);
    assert_eq!(enc[0].categories, vec!["web", "app"]);
    assert!((signed_log1p(-(std::f64::consts::E - 1.0)) + 1.0).abs() < 1e-12);
}

fn category(name: &str, ty: ColumnType, values: &[String]) -> Column {
    let cells: TextColumn = values.iter().map(|v| Some(v.as_str())).collect();
    Column::new(name, ty, ColumnData::Text(cells))
}

#[test]
fn many_categories_are_capped_with_a_shared_other() {
    // 30 cities; city c appears 40 - c times, so the order by count is c0, c1, ...
    let values: Vec<String> = (0..30)
        .flat_map(|c| std::iter::repeat_n(format!("c{c}"), 40 - c))
        .collect();
    let t = Table::new(vec![category("city", ColumnType::Category, &values)]);
    let (raw, enc) = raw_features(&t, &[], &[], &["city".into()], None).unwrap();
    assert_eq!(raw.names.len(), ONE_HOT_MAX_CATEGORIES + 1);
    assert_eq!(raw.names[0], "city=c0");
    assert_eq!(raw.names[ONE_HOT_MAX_CATEGORIES], "city=(other)");
    // Each row is in exactly one category feature; the other column holds cities 20..29.
    for r in 0..values.len() {
        let ones: f64 = raw.columns.iter().map(|c| c[r]).sum();
        assert_eq!(ones, 1.0, "row {r}");
    }
    let other_rows = raw.columns[ONE_HOT_MAX_CATEGORIES].iter().sum::<f64>() as usize;
    assert_eq!(other_rows, (20..30).map(|c| 40 - c).sum::<usize>());
    // New data: a city never seen falls into (other) as well.
    let new = Table::new(vec![category(
        "city",
        ColumnType::Category,
        &["c0".into(), "Atlantis".into()],
    )]);
    let (raw2, _) = raw_features(&new, &[], &[], &["city".into()], Some(enc.as_slice())).unwrap();
    assert_eq!(raw2.columns[0], vec![1.0, 0.0]);
    assert_eq!(raw2.columns[ONE_HOT_MAX_CATEGORIES], vec![0.0, 1.0]);
    let w = one_hot_warnings(&t, &["city".into()]);
    assert_eq!(w.len(), 1);
    assert!(w[0].contains("'city' has 30 distinct values"), "{}", w[0]);
}

#[test]
fn identifiers_are_refused_in_one_hot() {
    let ids: Vec<String> = (0..50).map(|i| format!("C{i:04}")).collect();
    for ty in [ColumnType::Id, ColumnType::Category] {
        let t = Table::new(vec![category("customer_id", ty, &ids)]);
        let opts = FeatureOptions {
            one_hot: vec!["customer_id".into()],
            ..Default::default()
        };
        let e = select(&t, &opts).unwrap_err();
        assert_eq!(
            e,
            FeatureError::OneHotIdentifier {
                column: "customer_id".into(),
                distinct: 50,
                rows: 50
            }
        );
        assert!(e.to_string().contains("remove it from features.one_hot"));
    }
}

#[test]
fn age_from_takes_birth_years_and_blanks_implausible_ones() {
    let mut t = Table::new(vec![Column::new(
        "Year_Birth",
        ColumnType::Integer,
        ColumnData::Number(vec![
            Some(1957.0),
            Some(1990.0),
            Some(1893.0),
            None,
            Some(2030.0),
        ]),
    )]);
    let opts = FeatureOptions {
        age_from: Some("Year_Birth".into()),
        ..Default::default()
    };
    let as_of = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
    assert_eq!(derive(&mut t, &opts, as_of).unwrap(), ["age"]);
    assert_eq!(
        t.column("age").unwrap().data,
        ColumnData::Number(vec![Some(69.0), Some(36.0), None, None, None])
    );
    let mut ages = Table::new(vec![Column::new(
        "Year_Birth",
        ColumnType::Integer,
        ColumnData::Number(vec![Some(35.0), Some(60.0)]),
    )]);
    let e = derive(&mut ages, &opts, as_of).unwrap_err();
    assert_eq!(
        e,
        FeatureError::NotBirthYears {
            column: "Year_Birth".into(),
            as_of_year: 2026
        }
    );
}

#[test]
fn default_selection_leaves_out_outcomes_and_encodes_codes() {
    let ints = |name: &str, v: &[f64]| {
        Column::new(
            name,
            ColumnType::Integer,
            ColumnData::Number(v.iter().map(|&x| Some(x)).collect()),
        )
    };
    let t = Table::new(vec![
        ints("Channel", &[1.0, 2.0, 1.0]),
        ints("Fresh", &[12669.0, 7057.0, 6353.0]),
        Column::new(
            "Churn",
            ColumnType::Boolean,
            ColumnData::Boolean(vec![Some(true), Some(false), Some(false)]),
        ),
    ]);
    let (numeric, one_hot) = select(&t, &FeatureOptions::default()).unwrap();
    assert_eq!(numeric, ["Fresh"]);
    assert_eq!(one_hot, ["Channel"]);
    // Listed columns are used as they are: the outcome and the code as numbers.
    let listed = FeatureOptions {
        columns: vec!["Churn".into(), "Channel".into()],
        ..Default::default()
    };
    assert_eq!(
        select(&t, &listed).unwrap(),
        (vec!["Churn".to_string(), "Channel".to_string()], vec![])
    );
    // A table whose only number columns are an outcome and a code still has a feature: the code.
    let only = Table::new(vec![t.columns[0].clone(), t.columns[2].clone()]);
    assert_eq!(
        select(&only, &FeatureOptions::default()).unwrap(),
        (vec![], vec!["Channel".to_string()])
    );
    let outcome_only = Table::new(vec![t.columns[2].clone()]);
    assert_eq!(
        select(&outcome_only, &FeatureOptions::default()),
        Err(FeatureError::Empty)
    );
}
