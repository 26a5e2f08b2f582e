//! Parquet and JSON/NDJSON inputs: hostile files fail with one clear message naming the file and
//! place, odd column types are converted or skipped by name, and ids stay exact end to end.

mod common;
use common::{column, inspect_json, seglab, text, Scratch};
use polars::prelude::*;
use std::path::Path;

/// The bad-input contract: exit 1, one `error:` line naming the file, no panic, no output
/// folder, the input untouched. Returns stderr.
fn clean_fails(s: &Scratch, input: &Path) -> String {
    let before = std::fs::read(input).unwrap();
    let out = s.path("out");
    let o = seglab(&[
        "clean",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "expected a clean failure: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.matches("error: ").count(), 1, "{stderr}");
    let name = input.file_name().unwrap().to_str().unwrap();
    let error = stderr.lines().find(|l| l.starts_with("error: ")).unwrap();
    assert!(error.contains(name), "the message names the file: {stderr}");
    assert!(!out.exists(), "no partial output");
    assert_eq!(std::fs::read(input).unwrap(), before, "input untouched");
    error.to_string()
}

fn write_parquet(path: &Path, mut df: DataFrame) {
    let f = std::fs::File::create(path).unwrap();
    ParquetWriter::new(f).finish(&mut df).unwrap();
}

fn read_parquet(path: &Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn warnings(report: &serde_json::Value) -> Vec<String> {
    report["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn deep_nesting_is_refused_with_file_and_line_not_a_stack_overflow() {
    let s = Scratch::new("fmt-deep");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = clean_fails(&s, &s.file("deep.json", deep.as_bytes()));
    assert!(
        e.contains("deep.json line 1") && e.contains("64 levels"),
        "{e}"
    );
    let nd = format!("{{\"a\": 1}}\n{{\"a\": {}}}\n", "[".repeat(100_000));
    let e = clean_fails(&s, &s.file("deep.ndjson", nd.as_bytes()));
    assert!(e.contains("deep.ndjson line 2"), "{e}");
}

#[test]
fn json_with_a_utf8_bom_loads() {
    let s = Scratch::new("fmt-bom");
    let array = s.file(
        "bom.json",
        b"\xEF\xBB\xBF[{\"id\": 1, \"spend\": 2.5}, {\"id\": 2, \"spend\": 4.0}]",
    );
    let r = inspect_json(&array, &[]);
    assert_eq!(r["rows"], 2);
    assert_eq!(column(&r, "spend")["type"], "number");
    let lines = s.file(
        "bom.ndjson",
        b"\xEF\xBB\xBF{\"id\": 1, \"spend\": 2.5}\n{\"id\": 2, \"spend\": 4.0}\n",
    );
    assert_eq!(inspect_json(&lines, &[])["rows"], 2);
}

#[test]
fn bad_json_names_the_line_and_column() {
    let s = Scratch::new("fmt-badjson");
    let nd =
        b"{\"id\": 1, \"spend\": 2.5}\n{\"id\": 2, \"spend\": 3.5}\n{\"id\": 3, \"spend\": }\n";
    let e = clean_fails(&s, &s.file("bad.ndjson", nd));
    assert!(e.contains("bad.ndjson line 3: column 20"), "{e}");
    assert!(!e.contains("TapeError"), "{e}");
    let array = b"[{\"id\": 1, \"spend\": 2.5},\n {\"id\": 2, \"spend\": 3.5,}]";
    let e = clean_fails(&s, &s.file("bad.json", array));
    assert!(e.contains("bad.json line 2: column"), "{e}");
}

#[test]
fn nested_json_values_are_skipped_by_name() {
    let s = Scratch::new("fmt-nested");
    let nd = b"{\"id\": 1, \"addr\": {\"city\": \"Oslo\"}, \"tags\": [1, 2], \"spend\": 2.5}\n\
               {\"id\": 2, \"addr\": {\"city\": \"Rome\"}, \"tags\": [3], \"spend\": 4.0}\n";
    let r = inspect_json(&s.file("nested.ndjson", nd), &[]);
    assert_eq!(column(&r, "spend")["type"], "number");
    let w = warnings(&r).join("\n");
    assert!(w.contains("column 'addr' (struct"), "{w}");
    assert!(w.contains("column 'tags' (list"), "{w}");
}

#[test]
fn parquet_durations_times_lists_and_binary_are_converted_or_skipped_by_name() {
    let s = Scratch::new("fmt-odd-parquet");
    let n = 4;
    let duration = Series::new("wait".into(), [90_000i64, 1_500, 60_000, 0])
        .cast(&DataType::Duration(TimeUnit::Milliseconds))
        .unwrap();
    let time = Series::new("at".into(), [3_723_000_000_000i64, 0, 1, 2])
        .cast(&DataType::Time)
        .unwrap();
    let tags = Series::new(
        "tags".into(),
        (0..n)
            .map(|i| Series::new("".into(), [i as i64, 1]))
            .collect::<Vec<_>>(),
    );
    let blob = Series::new("blob".into(), [b"a".as_ref(), b"b", b"c", b"d"]);
    let spend = Series::new("spend".into(), [1.5, 2.5, 3.5, 4.5]);
    let path = s.path("odd.parquet");
    write_parquet(
        &path,
        DataFrame::new(
            n,
            vec![
                duration.into_column(),
                time.into_column(),
                tags.into_column(),
                blob.into_column(),
                spend.into_column(),
            ],
        )
        .unwrap(),
    );
    let r = inspect_json(&path, &[]);
    assert_eq!(r["rows"], 4);
    assert_eq!(column(&r, "wait")["type"], "number");
    assert_eq!(column(&r, "wait")["max"], 90.0, "durations are seconds");
    assert_eq!(column(&r, "at")["type"], "text");
    assert_eq!(column(&r, "spend")["type"], "number");
    let w = warnings(&r).join("\n");
    assert!(w.contains("column 'tags' (list[i64]) skipped"), "{w}");
    assert!(w.contains("column 'blob' (binary) skipped"), "{w}");
    // And a run-through: clean writes the readable columns.
    let out = s.path("out");
    let o = seglab(&[
        "clean",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
}

/// Thrift compact protocol, just enough of it to write a Parquet footer by hand (polars cannot
/// write a decimal column without its `dtype-decimal` feature, which seglab does not enable).
#[derive(Default)]
struct Thrift {
    out: Vec<u8>,
    last_field: Vec<i16>,
}

impl Thrift {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }
    fn header(&mut self, id: i16, ty: u8) {
        let last = self.last_field.last_mut().unwrap();
        self.out.push((((id - *last) as u8) << 4) | ty);
        *last = id;
    }
    fn i32(&mut self, id: i16, v: i32) {
        self.header(id, 5);
        self.varint(((v << 1) ^ (v >> 31)) as u32 as u64);
    }
    fn i64(&mut self, id: i16, v: i64) {
        self.header(id, 6);
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.varint(b.len() as u64);
        self.out.extend_from_slice(b);
    }
    fn string(&mut self, id: i16, s: &str) {
        self.header(id, 8);
        self.bytes(s.as_bytes());
    }
    fn list(&mut self, id: i16, elem: u8, n: usize) {
        self.header(id, 9);
        self.out.push(((n as u8) << 4) | elem);
    }
    /// A struct as a field (`Some(id)`) or as a list element (`None`).
    fn open(&mut self, id: Option<i16>) {
        if let Some(id) = id {
            self.header(id, 12);
        }
        self.last_field.push(0);
    }
    fn close(&mut self) {
        self.out.push(0);
        self.last_field.pop();
    }
}

/// Two required INT64 columns, `customer_id` and `amount`; `amount` annotated as
/// decimal(12, 2) when asked (as a database export writes money).
fn parquet_by_hand(decimal: bool) -> Vec<u8> {
    let columns = [
        ("customer_id", [101i64, 102, 103]),
        ("amount", [1050, 999, 25_000]),
    ];
    let mut file = b"PAR1".to_vec();
    let mut chunks = Vec::new();
    for (name, values) in &columns {
        let data: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let mut page = Thrift {
            last_field: vec![0],
            ..Thrift::default()
        };
        page.i32(1, 0); // DATA_PAGE
        page.i32(2, data.len() as i32);
        page.i32(3, data.len() as i32);
        page.open(Some(5));
        page.i32(1, values.len() as i32);
        page.i32(2, 0); // PLAIN
        page.i32(3, 3); // RLE levels (none: the column is required)
        page.i32(4, 3);
        page.close();
        page.out.push(0);
        let offset = file.len() as i64;
        let size = (page.out.len() + data.len()) as i64;
        file.extend_from_slice(&page.out);
        file.extend_from_slice(&data);
        chunks.push((*name, offset, size, values.len()));
    }
    let mut meta = Thrift {
        last_field: vec![0],
        ..Thrift::default()
    };
    meta.i32(1, 1);
    meta.list(2, 12, 3);
    meta.open(None);
    meta.string(4, "schema");
    meta.i32(5, 2);
    meta.close();
    for (name, ..) in &chunks {
        meta.open(None);
        meta.i32(1, 2); // INT64
        meta.i32(3, 0); // REQUIRED
        meta.string(4, name);
        if decimal && *name == "amount" {
            meta.i32(6, 5); // converted type DECIMAL
            meta.i32(7, 2);
            meta.i32(8, 12);
            meta.open(Some(10)); // logical type: the DECIMAL member of the union
            meta.open(Some(5));
            meta.i32(1, 2);
            meta.i32(2, 12);
            meta.close();
            meta.close();
        }
        meta.close();
    }
    meta.i64(3, 3);
    meta.list(4, 12, 1);
    meta.open(None);
    meta.list(1, 12, chunks.len());
    let mut total = 0;
    for (name, offset, size, n) in &chunks {
        total += size;
        meta.open(None);
        meta.i64(2, *offset);
        meta.open(Some(3));
        meta.i32(1, 2);
        meta.list(2, 5, 1);
        meta.varint(0); // PLAIN, zigzag
        meta.list(3, 8, 1);
        meta.bytes(name.as_bytes());
        meta.i32(4, 0); // UNCOMPRESSED
        meta.i64(5, *n as i64);
        meta.i64(6, *size);
        meta.i64(7, *size);
        meta.i64(9, *offset);
        meta.close();
        meta.close();
    }
    meta.i64(2, total);
    meta.i64(3, 3);
    meta.close();
    meta.out.push(0);
    file.extend_from_slice(&meta.out);
    file.extend_from_slice(&(meta.out.len() as u32).to_le_bytes());
    file.extend_from_slice(b"PAR1");
    file
}

#[test]
fn a_parquet_decimal_column_is_refused_by_name_not_a_panic() {
    let s = Scratch::new("fmt-decimal");
    // The same file without the annotation reads: the bytes are a valid Parquet file.
    let plain = inspect_json(&s.file("plain.parquet", &parquet_by_hand(false)), &[]);
    assert_eq!(plain["rows"], 3);
    assert_eq!(column(&plain, "amount")["max"], 25_000.0);
    let e = clean_fails(&s, &s.file("export.parquet", &parquet_by_hand(true)));
    assert!(
        e.contains("'amount'") && e.contains("decimal(12, 2)"),
        "{e}"
    );
}

const BASE_ID: i64 = 1_234_567_890_123_456_789;

fn customers(n: usize) -> DataFrame {
    let ids: Vec<i64> = (0..n as i64).map(|i| BASE_ID + i).collect();
    // Two clear groups, so `run` has something to find.
    let spend: Vec<f64> = (0..n)
        .map(|i| if i % 2 == 0 { 10.0 } else { 500.0 } + (i % 7) as f64)
        .collect();
    let visits: Vec<i64> = (0..n)
        .map(|i| if i % 2 == 0 { 2 } else { 30 } + (i % 5) as i64)
        .collect();
    df!("customer_id" => ids, "spend" => spend, "visits" => visits).unwrap()
}

fn expected_ids(n: usize) -> Vec<String> {
    (0..n as i64).map(|i| (BASE_ID + i).to_string()).collect()
}

fn csv_column(path: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let at = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records()
        .map(|rec| rec.unwrap()[at].to_string())
        .collect()
}

fn parquet_ids(path: &Path) -> Vec<String> {
    let df = read_parquet(path);
    let c = df.column("customer_id").unwrap();
    assert_eq!(c.dtype(), &DataType::String, "the id is written as text");
    c.str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap().to_string())
        .collect()
}

#[test]
fn long_integer_ids_stay_exact_through_clean_and_run() {
    let s = Scratch::new("fmt-ids");
    let n = 300;
    let input = s.path("customers.parquet");
    write_parquet(&input, customers(n));
    let r = inspect_json(&input, &[]);
    assert_eq!(column(&r, "customer_id")["type"], "id");

    let cleaned = s.path("clean");
    let o = seglab(&[
        "clean",
        input.to_str().unwrap(),
        "--out",
        cleaned.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let mut got = csv_column(&cleaned.join("cleaned.csv"), "customer_id");
    got.sort();
    assert_eq!(
        got,
        expected_ids(n),
        "cleaned.csv keeps every id byte for byte"
    );
    let mut got = parquet_ids(&cleaned.join("cleaned.parquet"));
    got.sort();
    assert_eq!(got, expected_ids(n));

    let run = s.path("run");
    let o = seglab(&[
        "run",
        input.to_str().unwrap(),
        "--k-range",
        "2..3",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let mut got = csv_column(&run.join("segments.csv"), "customer_id");
    got.sort();
    assert_eq!(
        got,
        expected_ids(n),
        "segments.csv keeps every id byte for byte"
    );
    let mut got = parquet_ids(&run.join("segments.parquet"));
    got.sort();
    assert_eq!(got, expected_ids(n));
}

#[test]
fn long_json_integers_stay_exact_or_are_flagged() {
    let s = Scratch::new("fmt-json-ids");
    let mut nd = String::new();
    for i in 0..30 {
        nd.push_str(&format!(
            "{{\"customer_id\": {}, \"spend\": {}}}\n",
            BASE_ID + i,
            10 + i
        ));
    }
    let path = s.file("c.ndjson", nd.as_bytes());
    let cleaned = s.path("clean");
    let o = seglab(&[
        "clean",
        path.to_str().unwrap(),
        "--out",
        cleaned.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    let mut got = csv_column(&cleaned.join("cleaned.csv"), "customer_id");
    got.sort();
    assert_eq!(got, expected_ids(30));

    // Beyond 64 bits polars has no integer type for a JSON number: such ids are read as text.
    let huge = s.file(
        "huge.json",
        b"[{\"account_id\": 123456789012345678901234, \"spend\": 1},\n {\"account_id\": 5, \"spend\": 2}]",
    );
    let r = inspect_json(&huge, &[]);
    assert_eq!(column(&r, "account_id")["type"], "id");
    let w = warnings(&r).join("\n");
    assert!(
        w.contains("'account_id'") && w.contains("beyond 64 bits"),
        "{w}"
    );
    let cleaned = s.path("clean-huge");
    let o = seglab(&[
        "clean",
        huge.to_str().unwrap(),
        "--out",
        cleaned.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(
        csv_column(&cleaned.join("cleaned.csv"), "account_id"),
        vec!["123456789012345678901234", "5"]
    );
}
