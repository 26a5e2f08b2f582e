use super::lifecycle::{ACTIVE, AT_RISK, LAPSED, LOYAL, NEW};
use super::*;
use std::collections::BTreeMap;

fn number_column(name: &str, values: &[Option<f64>]) -> Column {
    Column::new(
        name,
        ColumnType::Number,
        ColumnData::Number(values.to_vec()),
    )
}

fn text_cells(c: &Column) -> Vec<Option<String>> {
    c.data.to_text_values()
}

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

#[test]
fn the_first_matching_rule_names_the_customer_and_the_rest_are_other() {
    let table = Table::new(vec![
        number_column("product_views", &[Some(6.0), Some(6.0), Some(1.0), None]),
        number_column(
            "web_purchases",
            &[Some(0.0), Some(2.0), Some(0.0), Some(0.0)],
        ),
    ]);
    let rules = vec![
        Rule {
            name: "Browsing Enthusiasts".into(),
            when: "product_views >= 5 and web_purchases == 0".into(),
        },
        Rule {
            name: "Web Buyers".into(),
            when: "web_purchases >= 1 or product_views >= 5".into(),
        },
    ];
    let fitted = fit(&table, &rules, None, None).unwrap();
    let (columns, notes) = fitted.columns(&table, as_of()).unwrap();
    assert!(notes.is_empty());
    assert_eq!(columns.len(), 1);
    assert_eq!(columns[0].name, RULE_COLUMN);
    let want = ["Browsing Enthusiasts", "Web Buyers", "Other", "Other"];
    assert_eq!(
        text_cells(&columns[0]),
        want.map(|s| Some(s.to_string())).to_vec()
    );
}

#[test]
fn a_bad_rule_names_its_index_and_points_at_the_token() {
    let table = Table::new(vec![number_column("visits", &[Some(1.0)])]);
    let rules = vec![Rule {
        name: "Fans".into(),
        when: "vists > 3".into(),
    }];
    let e = fit(&table, &rules, None, None)
        .unwrap()
        .columns(&table, as_of())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "rules[0].when (Fans): unknown column 'vists' (did you mean 'visits'?)\n  vists > 3\n  ^"
    );
}

#[test]
fn lifecycle_stages_follow_the_documented_order_and_thresholds() {
    let l = LifecycleOptions::default();
    // First purchase 10 days ago: New, even with a high frequency.
    assert_eq!(l.stage(Some(10.0), Some(9.0), Some(10.0)), Some(NEW));
    assert_eq!(l.stage(Some(30.0), Some(1.0), Some(30.0)), Some(NEW));
    assert_eq!(l.stage(Some(30.0), Some(5.0), Some(400.0)), Some(LOYAL));
    assert_eq!(l.stage(Some(90.0), Some(4.0), Some(400.0)), Some(ACTIVE));
    assert_eq!(l.stage(Some(91.0), Some(9.0), Some(400.0)), Some(AT_RISK));
    assert_eq!(l.stage(Some(180.0), Some(1.0), None), Some(AT_RISK));
    assert_eq!(l.stage(Some(181.0), Some(1.0), Some(31.0)), Some(LAPSED));
    assert_eq!(l.stage(None, Some(1.0), Some(400.0)), None);
}

#[test]
fn lifecycle_without_a_tenure_column_labels_nobody_new_and_says_so() {
    let table = Table::new(vec![
        number_column("recency_days", &[Some(5.0), Some(200.0)]),
        number_column("frequency", &[Some(1.0), Some(8.0)]),
    ]);
    let fitted = fit(&table, &[], Some(&LifecycleOptions::default()), None).unwrap();
    let (columns, notes) = fitted.columns(&table, as_of()).unwrap();
    assert_eq!(
        text_cells(&columns[0]),
        vec![Some(ACTIVE.to_string()), Some(LAPSED.to_string())]
    );
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].contains("days_since_first_purchase"),
        "{}",
        notes[0]
    );
}

fn score_options(tiers: &[(&str, f64)]) -> ScoreOptions {
    ScoreOptions {
        weights: BTreeMap::from([
            ("monetary".to_string(), 0.75),
            ("recency_days".to_string(), -0.25),
        ]),
        tiers: tiers
            .iter()
            .map(|(name, min)| Tier {
                name: name.to_string(),
                min: *min,
            })
            .collect(),
    }
}

#[test]
fn the_score_is_the_weighted_mean_of_percentile_ranks() {
    let table = Table::new(vec![
        number_column(
            "monetary",
            &[Some(10.0), Some(20.0), Some(20.0), Some(40.0), None],
        ),
        number_column(
            "recency_days",
            &[Some(5.0), Some(50.0), Some(10.0), Some(100.0), Some(1.0)],
        ),
    ]);
    let options = score_options(&[("VIP", 0.7), ("Core", 0.3), ("Occasional", 0.0)]);
    let fitted = fit(&table, &[], None, Some(&options)).unwrap();
    let (columns, _) = fitted.columns(&table, as_of()).unwrap();
    // monetary ranks over the 4 present values (n - 1 = 3): 0, 1/3, 1/3 (tie), 1.
    // recency ranks over 5 values (n - 1 = 4): 5 → 1/4, 50 → 3/4, 10 → 2/4, 100 → 1; lower is
    // better, so they count as 3/4, 1/4, 2/4, 0.
    let want = [
        0.75 * 0.0 + 0.25 * 0.75,
        0.75 / 3.0 + 0.25 * 0.25,
        0.75 / 3.0 + 0.25 * 0.5,
        0.75 * 1.0 + 0.25 * 0.0,
    ];
    let ColumnData::Number(scores) = &columns[0].data else {
        panic!("score is not numbers")
    };
    for (got, want) in scores.iter().zip(want) {
        assert!((got.unwrap() - want).abs() < 1e-12, "{got:?} vs {want}");
    }
    // No monetary value: no score and no tier.
    assert_eq!(scores[4], None);
    let tiers = ["Occasional", "Core", "Core", "VIP"].map(|s| Some(s.to_string()));
    let mut want_tiers = tiers.to_vec();
    want_tiers.push(None);
    assert_eq!(text_cells(&columns[1]), want_tiers);
    // A new customer above every reference value ranks 1; recency below all ranks 0 (best).
    let score = fitted.score.as_ref().unwrap();
    assert_eq!(score.score(&[Some(1000.0), Some(0.0)]), Some(1.0));
    assert_eq!(score.tier(1.0), Some("VIP"));
}

#[test]
fn ties_share_the_lowest_rank() {
    assert_eq!(
        score::percentile_rank(&[1.0, 2.0, 2.0, 2.0, 3.0], 2.0),
        0.25
    );
    assert_eq!(score::percentile_rank(&[1.0, 2.0, 2.0, 2.0, 3.0], 3.0), 1.0);
    assert_eq!(score::percentile_rank(&[4.0, 4.0], 4.0), 0.0);
}

#[test]
fn tiers_must_reach_zero_and_go_from_high_to_low() {
    let table = Table::new(vec![
        number_column("monetary", &[Some(1.0)]),
        number_column("recency_days", &[Some(1.0)]),
    ]);
    let no_floor = score_options(&[("VIP", 0.8), ("Core", 0.5)]);
    assert_eq!(
        fit(&table, &[], None, Some(&no_floor)).unwrap_err(),
        LabelError::NoFloorTier
    );
    let upside_down = score_options(&[("Occasional", 0.0), ("VIP", 0.8)]);
    let e = fit(&table, &[], None, Some(&upside_down)).unwrap_err();
    assert!(matches!(e, LabelError::TiersOutOfOrder { .. }), "{e}");
    let mut unknown = score_options(&[("All", 0.0)]);
    unknown.weights.insert("monetry".into(), 1.0);
    let e = fit(&table, &[], None, Some(&unknown))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "score.weights.monetry names column 'monetry', which is not in the table \
         (did you mean monetary?)"
    );
}

#[test]
fn the_readme_example_is_a_valid_recipe_with_the_documented_defaults() {
    let readme = include_str!("../../../../README.md");
    let section = &readme[readme
        .find("### Derived columns and rule segments")
        .unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let recipe = crate::recipe::Recipe::parse(block, std::path::Path::new("README.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    let again = crate::recipe::Recipe::parse(&recipe.to_toml(), std::path::Path::new("copy"));
    assert_eq!(
        again.unwrap(),
        recipe,
        "the recipe copy a run writes reads back the same"
    );
    assert_eq!(recipe.derive.len(), 4);
    assert_eq!(recipe.rules[1].name, "Big Spenders");
    assert_eq!(recipe.lifecycle, Some(LifecycleOptions::default()));
    let score = recipe.score.unwrap();
    assert_eq!(score.weights["recency_days"], -0.2);
    assert_eq!(score.tiers, ScoreOptions::default().tiers);
    for (name, text) in &recipe.derive {
        expr::parse(text, name).unwrap_or_else(|e| panic!("{e}"));
    }
    for rule in &recipe.rules {
        expr::parse(&rule.when, &rule.name).unwrap_or_else(|e| panic!("{e}"));
    }
}
