//! `seglab clean` works on any table: trimming, deduplication, missing values and outliers need
//! no numeric feature. Only features.csv does; without features it is left out with a note.
//! The tables include the csv-spectrum edge cases, written here from its description.

mod common;
use common::{seglab, text, Scratch};

/// Cleans `csv` and returns (stdout, the cleaned table's header, its rows).
fn clean(s: &Scratch, name: &str, csv: &[u8]) -> (String, Vec<String>, Vec<Vec<String>>) {
    let input = s.file(name, csv);
    let out = s.path(&format!("{name}.out"));
    let o = seglab(&[
        "clean",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{name}: {stderr}");
    assert_eq!(std::fs::read(&input).unwrap(), csv, "input untouched");
    let mut r = csv::Reader::from_path(out.join("cleaned.csv")).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (stdout, header, rows)
}

#[test]
fn a_table_without_numbers_is_cleaned_and_features_are_left_out() {
    let s = Scratch::new("textonly");
    let csv = b"name,city,email\n  Ann  ,Oslo,ann@x.no\nBob, Rome ,bob@x.it\n  Ann  ,Oslo,ann@x.no\nCy,,cy@x.us\n";
    let (stdout, header, rows) = clean(&s, "people.csv", csv);
    assert_eq!(header, ["name", "city", "email"]);
    // Trimmed, and the exact duplicate of Ann removed.
    let names: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(names, ["Ann", "Bob", "Cy"], "{rows:?}");
    assert_eq!(rows[1][1], "Rome");
    let out = s.path("people.csv.out");
    assert!(!out.join("features.csv").exists());
    assert!(!out.join("features.parquet").exists());
    for f in [
        "cleaned.parquet",
        "cleaning_log.txt",
        "duplicates.csv",
        "transform.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    assert!(
        stdout.contains("note: no features") && stdout.contains("features.csv"),
        "{stdout}"
    );
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with("  ") && l.contains("features.")),
        "not listed as written: {stdout}"
    );
    let log = std::fs::read_to_string(out.join("cleaning_log.txt")).unwrap();
    assert!(log.contains("no features"), "{log}");
}

#[test]
fn segmenting_a_table_without_numbers_still_says_why_not() {
    let s = Scratch::new("textrun");
    let input = s.file(
        "t.csv",
        b"name,city\nAnn,Oslo\nBob,Rome\nCy,Oslo\nDee,Rome\n",
    );
    let out = s.path("o");
    let o = seglab(&[
        "run",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let (_, e) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("t.csv") && e.contains("no features to cluster on"),
        "{e}"
    );
    assert!(!out.exists());
}

#[test]
fn every_csv_spectrum_case_can_be_cleaned() {
    let s = Scratch::new("spectrum");
    // (file, content, expected rows after cleaning)
    let cases: [(&str, &[u8], usize); 11] = [
        (
            "comma_in_quotes.csv",
            b"first,last,address,city,zip\nJohn,Doe,120 any st.,\"Anytown, WW\",08123\n",
            1,
        ),
        ("empty.csv", b"a,b,c\n1,\"\",\"\"\n2,3,4\n", 2),
        ("empty_crlf.csv", b"a,b,c\r\n1,\"\",\"\"\r\n2,3,4\r\n", 2),
        (
            "escaped_quotes.csv",
            b"a,b\n1,\"ha \"\"ha\"\" ha\"\n3,4\n",
            2,
        ),
        (
            "json.csv",
            b"key,val\n1,\"{\"\"type\"\": \"\"Point\"\", \"\"coordinates\"\": [102.0, 0.5]}\"\n",
            1,
        ),
        (
            "newlines.csv",
            b"a,b,c\n1,2,3\n\"Once upon \na time\",5,6\n7,8,9\n",
            3,
        ),
        (
            "newlines_crlf.csv",
            b"a,b,c\r\n1,2,3\r\n\"Once upon \r\na time\",5,6\r\n7,8,9\r\n",
            3,
        ),
        (
            "quotes_and_newlines.csv",
            b"a,b\n1,\"ha \n\"\"ha\"\" \nha\"\n3,4\n",
            2,
        ),
        ("simple.csv", b"a,b,c\n1,2,3\n", 1),
        ("simple_crlf.csv", b"a,b,c\r\n1,2,3\r\n", 1),
        ("utf8.csv", "a,b,c\n1,2,3\n4,5,ʤ\n".as_bytes(), 2),
    ];
    for (name, csv, n) in cases {
        let (_, _, rows) = clean(&s, name, csv);
        assert_eq!(rows.len(), n, "{name}: {rows:?}");
    }
    // Text with quotes survives cleaning as text.
    let (_, _, rows) = clean(&s, "eq.csv", b"a,b\n1,\"ha \"\"ha\"\" ha\"\n3,4\n");
    assert_eq!(rows[0][1], "ha \"ha\" ha");
}
