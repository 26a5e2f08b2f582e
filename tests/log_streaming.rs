//! A transaction log read as a stream (in byte segments, in parallel) must give exactly what
//! loading it whole gives: the same customers, R/F/M inputs and hygiene counts, on logs shaped
//! like the public ones (Online Retail with cancellations, quoted descriptions and missing ids;
//! CDNOW whitespace-aligned with YYYYMMDD dates; the sample's own log), cut into segments of
//! every size down to one byte, so that every segment edge falls inside a line somewhere.

mod common;
use chrono::NaiveDate;
use common::Scratch;
use seglab::engine::behaviour::{
    customers_from_log, summarize_log, summarize_streaming, Behaviour, BehaviourOptions,
    LogReading, Returns,
};
use seglab::engine::load::stream::NotStreamable;
use std::path::Path;

const ONLINE_RETAIL: &str = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,\"LANTERN, WHITE METAL\",6,12/1/2010 8:26,3.39,17850,United Kingdom
536366,22633,\"HAND \"\"WARM\"\" ER\",6,12/1/2010 8:28,1.85,17850,United Kingdom
C536379,D,Discount,-1,12/1/2010 9:41,27.50,17850,United Kingdom

536370,22728,ALARM CLOCK,24,12/1/2010 8:45,3.75,12583,France
536370,POST,POSTAGE,3,12/1/2010 8:45,18.00,12583,France
536400,22728,ALARM CLOCK,12,12/5/2010 10:00,3.75,12583,France
536401,22633,HAND WARMER,2,12/2/2010 9:00,1.85,,United Kingdom
536402,22633,HAND WARMER,4,12/3/2010 9:00,0.00,13047,United Kingdom
C536403,22633,HAND WARMER,-5,12/3/2010 10:00,1.85,14000,United Kingdom
536404,22633,HAND WARMER,1,12/13/2010 12:00,1.85,13047,United Kingdom
536405,\"22633\",HAND WARMER,3,12/14/2010 12:00,1.85, 13047 ,United Kingdom
";

const CDNOW: &str = "\
00001 19970101  1  11.77
00002 19970112  1  12.00
00002 19970112  5  77.00
00003 19970102  2  20.76
00003 19970330  2  20.76

00003 19970402  2  19.54
00004 19970101  2  29.33
00004 19970118  2  29.73
00004 19970802  1  14.96
00004 19971212  2  26.48
00005 19970101  1   0.00
00006 19970105 -1 -13.00
";

/// A generated log: many customers, invoices of several lines, CRLF line ends.
fn generated(lines: usize) -> String {
    let mut out = String::from("order_id;customer;sku;qty;price;order_date\r\n");
    let mut state: u64 = 7;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let mut invoice = 0;
    let mut n = 0;
    while n < lines {
        invoice += 1;
        let customer = next() % 97;
        let day = 1 + next() % 28;
        let month = 1 + next() % 12;
        for _ in 0..1 + next() % 4 {
            let qty = next() % 9;
            let cents = next() % 5000;
            let cancel = if next() % 20 == 0 { "C" } else { "" };
            out.push_str(&format!(
                "{cancel}{invoice};K{customer:04};P{};{qty};{}.{:02};2024-{month:02}-{day:02} 10:{:02}:00\r\n",
                next() % 40,
                cents / 100,
                cents % 100,
                next() % 60
            ));
            n += 1;
        }
    }
    out
}

fn same(whole: &Behaviour, streamed: &Behaviour, what: &str) {
    let as_of = NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    assert_eq!(whole.roles, streamed.roles, "{what}");
    assert_eq!(whole.last_day, streamed.last_day, "{what}");
    let (h, g) = (&whole.hygiene, &streamed.hygiene);
    assert_eq!(
        (h.rows_read, h.rows_kept),
        (g.rows_read, g.rows_kept),
        "{what}"
    );
    let rules = |x: &Behaviour| -> Vec<(String, usize)> {
        x.hygiene
            .rules
            .iter()
            .map(|c| (c.rule.clone(), c.rows))
            .collect()
    };
    assert_eq!(rules(whole), rules(streamed), "{what}");
    for (a, b) in h.rules.iter().zip(&g.rules) {
        assert!((a.amount - b.amount).abs() < 1e-6, "{what}: {a:?} {b:?}");
    }
    assert_eq!(whole.buyers(), streamed.buyers(), "{what}");
    let a = customers_from_log(whole, as_of).unwrap();
    let b = customers_from_log(streamed, as_of).unwrap();
    assert_eq!(a, b, "{what}");
}

/// Streams `path` in segments of many sizes; each must equal the whole read.
fn check_every_cut(path: &Path, opts: &BehaviourOptions, what: &str) {
    let (whole, _) = summarize_log(path.into(), opts, LogReading::Whole).unwrap();
    let len = std::fs::metadata(path).unwrap().len();
    for size in [1, 2, 3, 7, 13, 64, 100, len / 2, len + 10] {
        let (streamed, _) = summarize_streaming(path, opts, size)
            .unwrap()
            .unwrap_or_else(|n| panic!("{what}: not streamed ({n:?})"));
        same(
            &whole,
            &streamed,
            &format!("{what}, segments of {size} bytes"),
        );
    }
}

#[test]
fn an_online_retail_log_streams_to_the_same_totals_under_every_rule() {
    let s = Scratch::new("stream-retail");
    let log = s.file("online_retail.csv", ONLINE_RETAIL.as_bytes());
    let base = BehaviourOptions::default();
    check_every_cut(&log, &base, "defaults");
    let netted = BehaviourOptions {
        returns: Returns::Net,
        exclude_products: vec!["POST".into(), "D".into()],
        ..Default::default()
    };
    check_every_cut(&log, &netted, "net, exclude POST and D");
    let window = BehaviourOptions {
        from: Some("2010-12-02".into()),
        to: Some("2010-12-13".into()),
        ..Default::default()
    };
    check_every_cut(&log, &window, "date window");
    // The by-hand values of the test in rfm_log.rs hold here too: 17850 bought 2 invoices.
    let (b, _) = summarize_streaming(&log, &base, 5).unwrap().unwrap();
    let t = customers_from_log(&b, NaiveDate::from_ymd_opt(2010, 12, 16).unwrap()).unwrap();
    let ids: Vec<String> = (0..t.n_rows())
        .map(|r| t.columns[0].data.text_at(r).unwrap().to_string())
        .collect();
    assert_eq!(ids, ["12583", "13047", "17850"]);
    let freq = t.column("frequency").unwrap().data.as_numbers().unwrap();
    // 13047: 536404 and 536405 (" 13047 " is the same customer); 536402 has a zero price.
    assert_eq!(freq, &[Some(2.0), Some(2.0), Some(2.0)]);
}

#[test]
fn a_whitespace_log_with_integer_dates_streams_alike() {
    let s = Scratch::new("stream-cdnow");
    let log = s.file("cdnow.txt", CDNOW.as_bytes());
    // No header: the columns are numbered, and the dates need their format.
    let recipe: seglab::recipe::Recipe = toml::from_str(
        r#"
        [transactions]
        customer = "column_1"
        timestamp = "column_2"
        amount = "column_4"
        load = { date_formats = { column_2 = "%Y%m%d" } }
        "#,
    )
    .unwrap();
    let opts = recipe.transactions.unwrap();
    check_every_cut(&log, &opts, "cdnow");
    let net = BehaviourOptions {
        returns: Returns::Net,
        ..opts
    };
    check_every_cut(&log, &net, "cdnow, net");
}

#[test]
fn a_generated_log_with_crlf_and_semicolons_streams_alike() {
    let s = Scratch::new("stream-generated");
    let log = s.file("orders.csv", generated(3000).as_bytes());
    for returns in [Returns::Exclude, Returns::Net] {
        let opts = BehaviourOptions {
            returns,
            ..Default::default()
        };
        let (whole, _) = summarize_log(log.as_path().into(), &opts, LogReading::Whole).unwrap();
        for size in [1, 333, 4096, 1 << 20] {
            let (streamed, _) = summarize_streaming(&log, &opts, size).unwrap().unwrap();
            same(&whole, &streamed, &format!("{returns:?}, {size}"));
        }
        assert!(whole.buyers() > 90, "{}", whole.buyers());
    }
}

#[test]
fn the_sample_log_streams_alike() {
    let log = common::sample("transactions.csv");
    let opts = BehaviourOptions {
        returns: Returns::Net,
        ..Default::default()
    };
    let (whole, _) = summarize_log(log.as_path().into(), &opts, LogReading::Whole).unwrap();
    let (streamed, _) = summarize_streaming(&log, &opts, 300_000).unwrap().unwrap();
    same(&whole, &streamed, "sample");
}

#[test]
fn what_cannot_be_streamed_is_read_whole() {
    let s = Scratch::new("stream-fallback");
    // A customer id quoted across a line break: lines cannot be cut independently.
    let broken = s.file(
        "broken.csv",
        b"customer_id,invoice,date,amount\n\"A\nB\",1,2024-01-01,5\nC,2,2024-01-02,6\n",
    );
    let opts = BehaviourOptions::default();
    assert_eq!(
        summarize_streaming(&broken, &opts, 8).unwrap().err(),
        Some(NotStreamable::Quoting)
    );
    let (whole, _) = summarize_log(broken.as_path().into(), &opts, LogReading::Whole).unwrap();
    let (fell_back, _) = summarize_log(
        broken.as_path().into(),
        &opts,
        LogReading::Streaming { segment_bytes: 8 },
    )
    .unwrap();
    same(&whole, &fell_back, "fallback");
    // Windows-1252 bytes: read whole (and decoded) instead.
    let cp1252 = s.file(
        "cp1252.csv",
        b"customer_id,invoice,date,amount\nJos\xe9,1,2024-01-01,5\nAnn,2,2024-01-02,6\n",
    );
    assert_eq!(
        summarize_streaming(&cp1252, &opts, 8).unwrap().err(),
        Some(NotStreamable::Format)
    );
    let (b, _) = summarize_log(
        cp1252.as_path().into(),
        &opts,
        LogReading::Streaming { segment_bytes: 8 },
    )
    .unwrap();
    assert_eq!(b.buyers(), 2);
}
