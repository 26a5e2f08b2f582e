//! Transaction logs as they are published: CDNOW's whitespace-aligned purchase log (with and
//! without a header, dates written 19970101) and Online Retail's CSV (invoice numbers with a
//! cancellation prefix, US date-times, missing customer ids).

mod common;
use common::{column, inspect_json, seglab, text, Scratch};
use seglab::engine::load::{load, Delimiter, LoadOptions, Loaded};
use seglab::engine::table::{days_to_date, Column, ColumnData, ColumnType};
use std::path::Path;

const CDNOW: &str = "00001 19970101  1   11.77\n\
                     00002 19970112  1   12.00\n\
                     00002 19970112  5   77.00\n\
                     \t00003 19970102  2   20.76\n\
                     00003 19970330  2   20.76  \n";

fn load_ok(path: &Path, opts: &LoadOptions) -> Loaded {
    load(path, opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn col<'a>(l: &'a Loaded, name: &str) -> &'a Column {
    l.table
        .column(name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn texts(c: &Column) -> Vec<Option<String>> {
    (0..c.data.len())
        .map(|r| c.data.text_at(r).map(|s| s.into_owned()))
        .collect()
}

/// A date column's values as ISO text.
fn iso_dates(c: &Column) -> Vec<Option<String>> {
    match &c.data {
        ColumnData::Date(days) => days
            .iter()
            .map(|d| d.and_then(days_to_date).map(|d| d.to_string()))
            .collect(),
        other => panic!("{} is not dates: {other:?}", c.name),
    }
}

fn numbers(c: &Column) -> Vec<Option<f64>> {
    match &c.data {
        ColumnData::Number(v) => v.clone(),
        other => panic!("{} is not numbers: {other:?}", c.name),
    }
}

#[test]
fn a_headerless_whitespace_log_loads_as_four_numbered_columns() {
    let s = Scratch::new("logs-cdnow");
    let f = s.file("CDNOW_master.txt", CDNOW.as_bytes());
    let l = load_ok(&f, &LoadOptions::default());
    let names: Vec<&str> = l.table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["column_1", "column_2", "column_3", "column_4"]);
    assert_eq!(l.table.n_rows(), 5);
    assert_eq!(texts(col(&l, "column_1"))[3].as_deref(), Some("00003"));
    assert_eq!(
        numbers(col(&l, "column_4")),
        [11.77, 12.0, 77.0, 20.76, 20.76].map(Some)
    );
    assert_eq!(col(&l, "column_3").ty, ColumnType::Integer);
    assert!(
        l.warnings.iter().any(|w| w.contains("no header")),
        "{:?}",
        l.warnings
    );
    // Named by the recipe, the date column reads 19970101 with its pattern.
    let opts: LoadOptions = toml::from_str(
        "column_names = [\"customer_id\", \"date\", \"quantity\", \"amount\"]\n\
         date_formats = { date = \"%Y%m%d\" }\n",
    )
    .unwrap();
    let l = load_ok(&f, &opts);
    let dates = iso_dates(col(&l, "date"));
    assert_eq!(dates[0].as_deref(), Some("1997-01-01"));
    assert_eq!(dates[4].as_deref(), Some("1997-03-30"));
    assert_eq!(col(&l, "customer_id").ty, ColumnType::Id);
}

#[test]
fn a_whitespace_log_with_a_header_finds_its_date_column_by_name() {
    let s = Scratch::new("logs-cdnow-header");
    let body = format!("customer_id date quantity amount\n{CDNOW}");
    let f = s.file("cdnow.txt", body.as_bytes());
    let l = load_ok(&f, &LoadOptions::default());
    assert_eq!(l.table.columns.len(), 4);
    let date = col(&l, "date");
    assert_eq!(date.ty, ColumnType::Date);
    assert_eq!(iso_dates(date)[1].as_deref(), Some("1997-01-12"));
    let said = l.warnings.iter().find(|w| w.contains("'date'")).unwrap();
    assert!(said.contains("load.types.date = \"integer\""), "{said}");
    assert_eq!(
        numbers(col(&l, "quantity")),
        [1.0, 1.0, 5.0, 2.0, 2.0].map(Some)
    );
    // Forced to a number, it stays one.
    let opts: LoadOptions = toml::from_str("types = { date = \"integer\" }\n").unwrap();
    let l = load_ok(&f, &opts);
    assert_eq!(col(&l, "date").ty, ColumnType::Integer);
    assert_eq!(numbers(col(&l, "date"))[0], Some(19_970_101.0));
    // The delimiter can be named: "whitespace" or " ".
    for d in ["whitespace", " "] {
        let opts: LoadOptions = toml::from_str(&format!("delimiter = \"{d}\"\n")).unwrap();
        assert_eq!(opts.delimiter, Delimiter::WHITESPACE);
        assert_eq!(load_ok(&f, &opts).table.columns.len(), 4);
    }
}

#[test]
fn a_ragged_whitespace_log_names_the_line() {
    let s = Scratch::new("logs-ragged");
    let f = s.file("log.txt", b"id date qty\n1 19970101 2\n2 19970102\n");
    let opts: LoadOptions = toml::from_str("delimiter = \"whitespace\"\n").unwrap();
    let e = load(&f, &opts).unwrap_err().to_string();
    assert!(e.contains("line 3") && e.contains("found 2"), "{e}");
}

#[test]
fn a_nearly_aligned_file_is_never_one_column_without_a_word() {
    let s = Scratch::new("logs-nearly");
    let f = s.file(
        "log.txt",
        b"Customer Id  Purchase Date  Qty  Amount\n1 19970101 1 11.77\n2 19970112 1 12\n\
          3 19970102 2 20.76\n4 19970101 2 20.00\n",
    );
    let l = load_ok(&f, &LoadOptions::default());
    assert_eq!(l.table.columns.len(), 1);
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("load.delimiter = \"whitespace\"")),
        "{:?}",
        l.warnings
    );
}

const RETAIL: &str =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,,United Kingdom
C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527,United Kingdom
536370,22728,ALARM CLOCK BAKELIKE PINK,24,12/1/2010 8:45,3.75,12583,France
536371,22086,PAPER CHAIN KIT 50'S CHRISTMAS ,80,12/1/2010 9:00,2.55,13748,United Kingdom
C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,12/1/2010 9:49,4.65,15311,United Kingdom
536372,22632,HAND WARMER RED POLKA DOT,6,12/1/2010 9:01,1.85,,United Kingdom
";

#[test]
fn online_retail_keeps_its_cancellation_marks() {
    let s = Scratch::new("logs-retail");
    let f = s.file("Online Retail.csv", RETAIL.as_bytes());
    let l = load_ok(&f, &LoadOptions::default());
    assert_eq!(l.table.columns.len(), 8);
    let invoice = col(&l, "InvoiceNo");
    assert_eq!(invoice.ty, ColumnType::Id);
    assert_eq!(texts(invoice)[3].as_deref(), Some("C536379"));
    assert_eq!(texts(invoice)[0].as_deref(), Some("536365"));
    let said = l.warnings.iter().find(|w| w.contains("InvoiceNo")).unwrap();
    assert!(
        said.contains("2 value(s) carry a letter prefix")
            && said.contains("'C536379' on line 5")
            && !said.contains("load.types"),
        "{said}"
    );
    assert_eq!(col(&l, "InvoiceDate").ty, ColumnType::DateTime);
    let ids = col(&l, "CustomerID");
    assert_eq!(ids.ty, ColumnType::Id);
    assert_eq!(ids.data.null_count(), 2);
    assert_eq!(numbers(col(&l, "Quantity"))[3], Some(-1.0));
}

#[test]
fn inspect_reads_the_logs_sensibly() {
    let s = Scratch::new("logs-inspect");
    let body = format!("customer_id date quantity amount\n{CDNOW}");
    let cdnow = s.file("cdnow.txt", body.as_bytes());
    let report = inspect_json(&cdnow, &[]);
    assert_eq!(report["rows"], 5);
    assert_eq!(column(&report, "date")["type"], "date");
    assert_eq!(column(&report, "amount")["type"], "number");
    let retail = s.file("retail.csv", RETAIL.as_bytes());
    let report = inspect_json(&retail, &[]);
    assert_eq!(column(&report, "InvoiceNo")["type"], "id");
    assert_eq!(column(&report, "CustomerID")["missing"], 2);
    // The plain report says the same, without a panic or an error.
    let o = seglab(&["inspect", retail.to_str().unwrap()]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("holds codes"), "{stdout}");
}

#[test]
fn mangled_whitespace_logs_load_or_fail_cleanly() {
    use seglab::engine::load::{load_source, Source};
    let base = format!("customer_id date quantity amount\n{CDNOW}");
    let inserts: [&[u8]; 8] = [
        b"\"",
        b"\t",
        b"\r",
        b"\n",
        b"  ",
        "é".as_bytes(),
        b",",
        b"C1",
    ];
    let options: Vec<LoadOptions> = ["", "delimiter = \"whitespace\"\n", "header_row = 0\n"]
        .iter()
        .map(|t| toml::from_str(t).unwrap())
        .collect();
    // A fixed-seed linear congruential sequence: the same mangles on every run.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % n
    };
    for round in 0..300 {
        let mut bytes = base.as_bytes().to_vec();
        for _ in 0..1 + round % 4 {
            let at = next(bytes.len() + 1);
            // Only at character boundaries: the input stays UTF-8.
            if !std::str::from_utf8(&bytes).unwrap().is_char_boundary(at) {
                continue;
            }
            let piece = inserts[next(inserts.len())];
            bytes.splice(at..at, piece.iter().copied());
        }
        for opts in &options {
            let source = Source::Bytes {
                name: "mangled.txt".into(),
                bytes: bytes.clone(),
            };
            if let Ok(l) = load_source(source, opts) {
                assert!(l.table.n_rows() > 0);
            }
        }
    }
}
