//! The csv-spectrum edge cases (github.com/max0r/csv-spectrum), written here by hand from their
//! published content, each with its expected values. Cells must come back byte for byte
//! (a CRLF inside a quoted field stays CRLF), through the loader and through seglab's writer.

mod common;
use common::Scratch;
use seglab::engine::load::{load, LoadOptions};
use seglab::engine::table::Table;
use seglab::report::table_files::write_csv_with;

/// (file name, content, header, rows). An empty expected cell means missing.
type Case = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static [&'static str]],
);

const CASES: [Case; 12] = [
    (
        "comma_in_quotes.csv",
        "first,last,address,city,zip\nJohn,Doe,120 any st.,\"Anytown, WW\",08123\n",
        &["first", "last", "address", "city", "zip"],
        &[&["John", "Doe", "120 any st.", "Anytown, WW", "08123"]],
    ),
    (
        "empty.csv",
        "a,b,c\n1,\"\",\"\"\n2,3,4\n",
        &["a", "b", "c"],
        &[&["1", "", ""], &["2", "3", "4"]],
    ),
    (
        "empty_crlf.csv",
        "a,b,c\r\n1,\"\",\"\"\r\n2,3,4\r\n",
        &["a", "b", "c"],
        &[&["1", "", ""], &["2", "3", "4"]],
    ),
    (
        "escaped_quotes.csv",
        "a,b\n1,\"ha \"\"ha\"\" ha\"\n3,4\n",
        &["a", "b"],
        &[&["1", "ha \"ha\" ha"], &["3", "4"]],
    ),
    (
        "json.csv",
        "key,val\n1,\"{\"\"type\"\": \"\"Point\"\", \"\"coordinates\"\": [102.0, 0.5]}\"\n",
        &["key", "val"],
        &[&["1", "{\"type\": \"Point\", \"coordinates\": [102.0, 0.5]}"]],
    ),
    (
        "location_coordinates.csv",
        "Location,Latitude,Longitude\n\"Hawthorne, NJ\",40.9493,-74.1538\n\"Troy, NY\",42.7284,-73.6918\n",
        &["Location", "Latitude", "Longitude"],
        &[
            &["Hawthorne, NJ", "40.9493", "-74.1538"],
            &["Troy, NY", "42.7284", "-73.6918"],
        ],
    ),
    (
        "newlines.csv",
        "a,b,c\n1,2,3\n\"Once upon \na time\",5,6\n7,8,9\n",
        &["a", "b", "c"],
        &[
            &["1", "2", "3"],
            &["Once upon \na time", "5", "6"],
            &["7", "8", "9"],
        ],
    ),
    (
        "newlines_crlf.csv",
        "a,b,c\r\n1,2,3\r\n\"Once upon \r\na time\",5,6\r\n7,8,9\r\n",
        &["a", "b", "c"],
        &[
            &["1", "2", "3"],
            &["Once upon \r\na time", "5", "6"],
            &["7", "8", "9"],
        ],
    ),
    (
        "quotes_and_newlines.csv",
        "a,b\n1,\"ha \n\"\"ha\"\" \nha\"\n3,4\n",
        &["a", "b"],
        &[&["1", "ha \n\"ha\" \nha"], &["3", "4"]],
    ),
    (
        "simple.csv",
        "a,b,c\n1,2,3\n",
        &["a", "b", "c"],
        &[&["1", "2", "3"]],
    ),
    (
        "simple_crlf.csv",
        "a,b,c\r\n1,2,3\r\n",
        &["a", "b", "c"],
        &[&["1", "2", "3"]],
    ),
    (
        "utf8.csv",
        "a,b,c\n1,2,3\n4,5,ʤ\n",
        &["a", "b", "c"],
        &[&["1", "2", "3"], &["4", "5", "ʤ"]],
    ),
];

fn cells(t: &Table) -> Vec<Vec<String>> {
    (0..t.n_rows())
        .map(|r| {
            t.columns
                .iter()
                .map(|c| {
                    c.data
                        .text_at(r)
                        .map(|s| s.into_owned())
                        .unwrap_or_default()
                })
                .collect()
        })
        .collect()
}

fn expected(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn every_case_loads_with_its_expected_values() {
    let s = Scratch::new("spectrum");
    for (name, content, header, rows) in CASES {
        let loaded = load(&s.file(name, content.as_bytes()), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(loaded.table.names(), header.to_vec(), "{name}");
        assert_eq!(cells(&loaded.table), expected(rows), "{name}");
    }
}

#[test]
fn every_case_round_trips_through_the_writer() {
    let s = Scratch::new("spectrum-rt");
    for (name, content, _, rows) in CASES {
        let first = load(&s.file(name, content.as_bytes()), &LoadOptions::default()).unwrap();
        let mut out = Vec::new();
        write_csv_with(&first.table, &mut out, false).unwrap();
        let again = load(
            &s.file(&format!("rt_{name}"), &out),
            &LoadOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cells(&again.table), expected(rows), "{name}");
        assert_eq!(again.table.names(), first.table.names(), "{name}");
    }
}
