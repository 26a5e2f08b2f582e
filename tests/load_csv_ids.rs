//! Ids beyond 2^53 and long digit strings stay exact text end to end through `run`, for CSV,
//! JSON and Parquet input: never rounded, never clustered on, written back exactly (Parquet as
//! text or int64, never double).

mod common;
use common::{column, inspect_json, seglab, text, Scratch};
use polars::prelude::*;
use std::path::Path;

const BASE_ID: u64 = 1_234_567_890_123_456_789;
const ROWS: u64 = 300;

fn ids() -> Vec<String> {
    (0..ROWS).map(|i| (BASE_ID + i).to_string()).collect()
}

/// 16-digit card-like numbers, all distinct, below 2^53 (so f64 would hold them, and still
/// they are not quantities).
fn card(i: u64) -> String {
    (4_111_111_111_000_000 + i * 7).to_string()
}

/// (spend, visits) in two clear groups, so `run` finds segments.
fn measures(i: u64) -> (u64, u64) {
    if i.is_multiple_of(2) {
        (10 + i % 7, 2 + i % 5)
    } else {
        (500 + i % 7, 30 + i % 5)
    }
}

fn csv_input() -> String {
    let mut s = String::from("customer_id,card_number,spend,visits\n");
    for i in 0..ROWS {
        let (spend, visits) = measures(i);
        s.push_str(&format!("{},{},{spend},{visits}\n", BASE_ID + i, card(i)));
    }
    s
}

fn ndjson_input() -> String {
    (0..ROWS)
        .map(|i| {
            let (spend, visits) = measures(i);
            format!(
                "{{\"customer_id\": {}, \"card_number\": \"{}\", \"spend\": {spend}, \"visits\": {visits}}}\n",
                BASE_ID + i,
                card(i)
            )
        })
        .collect()
}

fn parquet_input(path: &Path) {
    let ids: Vec<i64> = (0..ROWS).map(|i| (BASE_ID + i) as i64).collect();
    let cards: Vec<String> = (0..ROWS).map(card).collect();
    let spend: Vec<i64> = (0..ROWS).map(|i| measures(i).0 as i64).collect();
    let visits: Vec<i64> = (0..ROWS).map(|i| measures(i).1 as i64).collect();
    let mut df = df!(
        "customer_id" => ids,
        "card_number" => cards,
        "spend" => spend,
        "visits" => visits
    )
    .unwrap();
    let f = std::fs::File::create(path).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
}

fn csv_column(path: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let at = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    let mut v: Vec<String> = r
        .records()
        .map(|rec| rec.unwrap()[at].to_string())
        .collect();
    v.sort();
    v
}

/// The id column of a Parquet output: text or int64, never floating point.
fn parquet_ids(path: &Path) -> Vec<String> {
    let df = ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap();
    let c = df.column("customer_id").unwrap();
    let mut v: Vec<String> = match c.dtype() {
        DataType::String => c.str().unwrap().iter().map(|v| v.unwrap().into()).collect(),
        DataType::Int64 => c
            .i64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap().to_string())
            .collect(),
        other => panic!("customer_id written as {other}"),
    };
    v.sort();
    v
}

fn check_run(s: &Scratch, input: &Path) {
    let label = input.file_name().unwrap().to_str().unwrap();
    let r = inspect_json(input, &[]);
    assert_eq!(column(&r, "customer_id")["type"], "id", "{label}");
    assert_eq!(column(&r, "customer_id")["distinct"], ROWS, "{label}");
    assert_ne!(column(&r, "card_number")["type"], "number", "{label}");
    assert_ne!(column(&r, "card_number")["type"], "integer", "{label}");

    let out = s.path(&format!("run-{label}"));
    let o = seglab(&[
        "run",
        input.to_str().unwrap(),
        "--k-range",
        "2..3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{label}: {}", text(&o).1);
    assert_eq!(
        csv_column(&out.join("segments.csv"), "customer_id"),
        ids(),
        "{label}: segments.csv keeps every id byte for byte"
    );
    assert_eq!(parquet_ids(&out.join("segments.parquet")), ids(), "{label}");
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    let features: Vec<&str> = model["fitted"]["numeric"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(features, ["spend", "visits"], "{label}");
}

#[test]
fn long_ids_and_card_numbers_stay_exact_and_out_of_the_features_in_every_format() {
    let s = Scratch::new("ids-e2e");
    check_run(&s, &s.file("customers.csv", csv_input().as_bytes()));
    check_run(&s, &s.file("customers.ndjson", ndjson_input().as_bytes()));
    let pq = s.path("customers.parquet");
    parquet_input(&pq);
    check_run(&s, &pq);
}

#[test]
fn clean_writes_long_ids_back_exactly() {
    let s = Scratch::new("ids-clean");
    let input = s.file("customers.csv", csv_input().as_bytes());
    let out = s.path("clean");
    let o = seglab(&[
        "clean",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(csv_column(&out.join("cleaned.csv"), "customer_id"), ids());
    assert_eq!(parquet_ids(&out.join("cleaned.parquet")), ids());
    assert_eq!(csv_column(&out.join("features.csv"), "customer_id"), ids());
    assert_eq!(parquet_ids(&out.join("features.parquet")), ids());
    let mut cards: Vec<String> = (0..ROWS).map(card).collect();
    cards.sort();
    assert_eq!(csv_column(&out.join("cleaned.csv"), "card_number"), cards);
}

#[test]
fn a_small_integer_id_named_by_the_recipe_is_not_a_feature() {
    let s = Scratch::new("ids-small");
    let mut body = String::from("cust,spend,visits\n");
    for i in 0..40u64 {
        let (spend, visits) = measures(i);
        // The same few numbers repeat: by its values alone this is an integer column.
        body.push_str(&format!("{},{spend},{visits}\n", i % 3));
    }
    let input = s.file("c.csv", body.as_bytes());
    let recipe = s.file("r.toml", b"[features]\nid = \"cust\"\n");
    let out = s.path("run");
    let o = seglab(&[
        "run",
        input.to_str().unwrap(),
        "--recipe",
        recipe.to_str().unwrap(),
        "--k-range",
        "2..3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("model.json")).unwrap()).unwrap();
    assert_eq!(
        model["fitted"]["numeric"],
        serde_json::json!(["spend", "visits"])
    );
}
