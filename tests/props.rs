//! Property tests of the CSV loader: load → write with seglab's writer → load again gives the
//! same names, types and values; text cells and ids come back exactly as written; and no
//! input, however broken, makes loading or `inspect` panic.

use proptest::prelude::*;
use seglab::engine::inspect::inspect;
use seglab::engine::load::{load, LoadOptions, DEFAULT_NA};
use seglab::engine::table::{ColumnData, Table};
use seglab::report::table_files::write_csv_with;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh file per case (cases of one test run in sequence, tests in parallel).
fn scratch_file(bytes: &[u8]) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("seglab-props-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(format!("case{}.csv", NEXT.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&p, bytes).unwrap();
    p
}

fn load_bytes(bytes: &[u8], opts: &LoadOptions) -> Result<Table, String> {
    let p = scratch_file(bytes);
    let r = load(&p, opts).map(|l| l.table).map_err(|e| e.to_string());
    let _ = std::fs::remove_file(&p);
    r
}

fn cells(t: &Table) -> Vec<Vec<Option<String>>> {
    t.columns
        .iter()
        .map(|c| {
            (0..c.data.len())
                .map(|r| c.data.text_at(r).map(|s| s.into_owned()))
                .collect()
        })
        .collect()
}

fn is_na(cell: &str) -> bool {
    let t = cell.trim();
    t.is_empty() || DEFAULT_NA.contains(&t)
}

/// Text with every character a CSV writer must take care of.
fn text_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,\"'\n\r;|\t.=+@-]{0,12}",
        "\\PC{0,6}",
        Just("\r\n".to_string()),
        Just("NA".to_string()),
        Just(String::new()),
    ]
}

fn number_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1_000_000_000i64..1_000_000_000).prop_map(|v| v.to_string()),
        (-1e12f64..1e12).prop_map(|v| v.to_string()),
        Just(String::new()),
    ]
}

fn date_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (1950i32..2030, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        (1950i32..2030, 1u32..13, 1u32..29, 0u32..24)
            .prop_map(|(y, m, d, h)| format!("{m}/{d}/{y} {h:02}:05")),
        Just(String::new()),
    ]
}

fn bool_cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("yes".to_string()),
        Just("FALSE".to_string()),
        Just("t".to_string()),
        Just(String::new()),
    ]
}

/// Card, account and id numbers: 16 to 22 digits, sometimes with leading zeros.
fn digits_cell() -> impl Strategy<Value = String> {
    "0?[0-9]{16,22}"
}

fn column(rows: usize) -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        prop::collection::vec(text_cell(), rows),
        prop::collection::vec(number_cell(), rows),
        prop::collection::vec(date_cell(), rows),
        prop::collection::vec(bool_cell(), rows),
        prop::collection::vec(digits_cell(), rows),
    ]
}

/// Columns of cells (the first an id beyond 2^53), all of one length.
fn table() -> impl Strategy<Value = Vec<Vec<String>>> {
    (1usize..25, 1usize..6).prop_flat_map(|(rows, cols)| {
        prop::collection::vec(column(rows), cols).prop_map(move |mut columns| {
            let ids = (0..rows)
                .map(|i| (1_234_567_890_123_456_789u64 + i as u64 * 7).to_string())
                .collect();
            columns.insert(0, ids);
            columns
        })
    })
}

fn to_csv(columns: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = (0..columns.len())
        .map(|j| {
            if j == 0 {
                "customer_id".into()
            } else {
                format!("c{j}")
            }
        })
        .collect();
    w.write_record(&header).unwrap();
    for r in 0..columns[0].len() {
        w.write_record(columns.iter().map(|c| c[r].as_str()))
            .unwrap();
    }
    w.into_inner().unwrap()
}

fn comma() -> LoadOptions {
    // Cells full of ';' and '|' could outvote ',' in the guess; the dialect guess is not what
    // these properties are about.
    LoadOptions {
        delimiter: seglab::engine::load::Delimiter(Some(b',')),
        ..LoadOptions::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn load_write_load_round_trips_every_value(columns in table()) {
        let opts = comma();
        let first = load_bytes(&to_csv(&columns), &opts).map_err(TestCaseError::fail)?;
        // Ids never change, and text cells come back exactly as written.
        let loaded = cells(&first);
        prop_assert_eq!(first.n_rows(), columns[0].len());
        for (j, col) in first.columns.iter().enumerate() {
            let exact = j == 0 || matches!(col.data, ColumnData::Text(_));
            if !exact {
                continue;
            }
            for (r, written) in columns[j].iter().enumerate() {
                let want = (!is_na(written)).then(|| written.clone());
                prop_assert_eq!(&loaded[j][r], &want, "column {} row {}", j, r);
            }
        }
        let mut out = Vec::new();
        write_csv_with(&first, &mut out, false).unwrap();
        let again = load_bytes(&out, &opts).map_err(TestCaseError::fail)?;
        prop_assert_eq!(again.names(), first.names());
        let types = |t: &Table| t.columns.iter().map(|c| c.ty).collect::<Vec<_>>();
        prop_assert_eq!(types(&again), types(&first));
        prop_assert_eq!(cells(&again), loaded);
    }

    #[test]
    fn no_bytes_make_load_or_inspect_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_no_panic(&bytes);
    }

    #[test]
    fn no_csv_like_text_makes_load_or_inspect_panic(
        text in "[a-c0-9 ,;|\t\"\r\n.\\-]{0,300}",
        header_row in prop::option::of(0usize..6),
    ) {
        let opts = LoadOptions { header_row, ..LoadOptions::default() };
        if let Ok(t) = load_bytes(text.as_bytes(), &opts) {
            inspect("case.csv", &t, &[]);
        }
    }
}

fn check_no_panic(bytes: &[u8]) {
    if let Ok(t) = load_bytes(bytes, &LoadOptions::default()) {
        let report = inspect("case.csv", &t, &[]);
        assert_eq!(report.rows, t.n_rows());
    }
}
