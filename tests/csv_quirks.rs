//! `seglab inspect` on small files with each quirk of real exports. Every fixture is written
//! here, byte by byte, so the quirk under test is visible next to its assertion.

mod common;
use common::{column, inspect_json, Scratch};

#[test]
fn delimiters_are_sniffed() {
    let s = Scratch::new("delims");
    for (name, d) in [
        ("comma.csv", ","),
        ("semi.csv", ";"),
        ("tab.tsv", "\t"),
        ("pipe.txt", "|"),
    ] {
        let body = format!("id{d}city{d}spend\n1{d}Oslo{d}10.5\n2{d}Rome{d}7\n3{d}Oslo{d}\n");
        let r = inspect_json(&s.file(name, body.as_bytes()), &[]);
        assert_eq!(r["rows"], 3, "{name}");
        assert_eq!(r["columns"].as_array().unwrap().len(), 3, "{name}");
        let spend = column(&r, "spend");
        assert_eq!(spend["type"], "number", "{name}");
        assert_eq!(spend["missing"], 1, "{name}");
        assert_eq!(spend["max"], 10.5, "{name}");
    }
}

#[test]
fn header_below_blank_and_title_lines() {
    let s = Scratch::new("header");
    let f = s.file(
        "export.csv",
        b"\n\nCustomer export 2026-01-01\n\nid,name,age\n1,Ann,30\n2,Bob,40\n",
    );
    let r = inspect_json(&f, &[]);
    assert_eq!(r["rows"], 2);
    assert_eq!(column(&r, "age")["median"], 35.0);
    assert!(r["warnings"]
        .to_string()
        .contains("above the header on line 5"));
}

#[test]
fn na_tokens_and_a_lone_space_in_a_number_column() {
    let s = Scratch::new("na");
    let body = "id,income\n1,100\n2,NA\n3,N/A\n4,null\n5,NaN\n6,?\n7, \n8,\"\"\n9,300\n";
    let r = inspect_json(&s.file("na.csv", body.as_bytes()), &[]);
    let income = column(&r, "income");
    assert_eq!(income["type"], "integer");
    assert_eq!(income["missing"], 7);
    assert_eq!(income["distinct"], 2);
}

#[test]
fn crlf_and_utf8_bom() {
    let s = Scratch::new("crlf");
    let r = inspect_json(
        &s.file(
            "win.csv",
            b"\xEF\xBB\xBFid,city\r\n1,Z\xC3\xBCrich\r\n2,Oslo\r\n3,Z\xC3\xBCrich\r\n",
        ),
        &[],
    );
    assert_eq!(
        column(&r, "id")["name"],
        "id",
        "the BOM must not stick to the first header"
    );
    assert_eq!(r["rows"], 3);
    let city = column(&r, "city");
    assert!(city["top"].to_string().contains("Zürich"), "{city}");
    assert!(!city["top"].to_string().contains('\r'));
}

#[test]
fn windows_1252_bytes_are_transcoded_with_a_warning() {
    let s = Scratch::new("latin1");
    let r = inspect_json(
        &s.file(
            "latin.csv",
            b"id,name\n1,M\xFCller\n2,Jos\xE9\n3,M\xFCller\n",
        ),
        &[],
    );
    assert!(column(&r, "name")["top"].to_string().contains("Müller"));
    assert!(r["warnings"].to_string().contains("Windows-1252"));
}

#[test]
fn empty_header_names_and_quoted_fields() {
    let s = Scratch::new("quotes");
    let body = "id,,note\n1,x,\"said \"\"hi\"\", then left\"\n2,y,\"a, b\"\n3,z,\"said \"\"hi\"\", then left\"\n";
    let r = inspect_json(&s.file("q.csv", body.as_bytes()), &[]);
    assert_eq!(r["columns"][1]["name"], "column_2");
    let note = column(&r, "note");
    assert!(
        note["top"]
            .to_string()
            .contains(r#"said \"hi\", then left"#),
        "{note}"
    );
    assert!(r["warnings"].to_string().contains("no header name"));
}

#[test]
fn thousands_separators_and_currency_when_the_recipe_asks() {
    let s = Scratch::new("money");
    let body = "id;amount\n1;\"€1.234,50\"\n2;€99,00\n3;(12,00 €)\n";
    let f = s.file("eu.csv", body.as_bytes());
    let plain = inspect_json(&f, &[]);
    assert_ne!(column(&plain, "amount")["type"], "number");
    let recipe = s.file(
        "r.toml",
        b"[load]\nthousands = \".\"\ndecimal = \",\"\ncurrency = true\n",
    );
    let r = inspect_json(&f, &["--recipe", recipe.to_str().unwrap()]);
    let amount = column(&r, "amount");
    assert_eq!(amount["type"], "number");
    assert_eq!(amount["max"], 1234.5);
    assert_eq!(amount["min"], -12.0);
}

#[test]
fn date_formats_and_ambiguity() {
    let s = Scratch::new("dates");
    let body = "id,iso,us,eu,dash,unclear\n\
                1,2024-03-01,3/1/2024,31/1/2024,31-01-2024,3/4/2024\n\
                2,2024-12-31,12/31/2024,1/2/2024,01-02-2024,5/6/2024\n";
    let f = s.file("d.csv", body.as_bytes());
    let r = inspect_json(&f, &[]);
    for c in ["iso", "us", "eu", "dash", "unclear"] {
        assert_eq!(column(&r, c)["type"], "date", "{c}");
    }
    assert_eq!(column(&r, "us")["max"], "2024-12-31");
    assert_eq!(column(&r, "eu")["min"], "2024-01-31");
    assert_eq!(column(&r, "dash")["min"], "2024-01-31");
    // 3/4/2024 reads both ways: seglab says so and picks month-first for slashes...
    assert_eq!(column(&r, "unclear")["min"], "2024-03-04");
    assert!(r["warnings"]
        .to_string()
        .contains("load.date_formats.unclear"));
    // ...and the recipe can choose day-first.
    let recipe = s.file("r.toml", b"[load.date_formats]\nunclear = \"dmy\"\n");
    let r = inspect_json(&f, &["--recipe", recipe.to_str().unwrap()]);
    assert_eq!(column(&r, "unclear")["min"], "2024-04-03");
}

#[test]
fn recipe_overrides_delimiter_header_types_and_names() {
    let s = Scratch::new("override");
    let body = "junk line\nA|B\n001|x\n002|y\n";
    let f = s.file("o.txt", body.as_bytes());
    let recipe = s.file(
        "r.toml",
        b"[load]\ndelimiter = \"|\"\nheader_row = 2\ncolumn_names = [\"code\", \"label\"]\ntypes = { code = \"integer\" }\n",
    );
    let r = inspect_json(&f, &["--recipe", recipe.to_str().unwrap()]);
    assert_eq!(r["rows"], 2);
    let code = column(&r, "code");
    assert_eq!(code["type"], "integer");
    assert_eq!(code["max"], 2.0);
}

#[test]
fn parquet_and_json_inputs() {
    let s = Scratch::new("formats");
    let ndjson = s.file("e.ndjson", b"{\"id\": 1, \"spend\": 2.5, \"day\": \"2024-01-02\"}\n{\"id\": 2, \"spend\": null, \"day\": \"2024-02-03\"}\n");
    let r = inspect_json(&ndjson, &[]);
    assert_eq!(r["rows"], 2);
    assert_eq!(column(&r, "spend")["missing"], 1);
    assert_eq!(column(&r, "day")["type"], "date");
    let array = s.file(
        "e.json",
        b"[{\"id\": 1, \"ok\": true}, {\"id\": 2, \"ok\": false}]",
    );
    assert_eq!(column(&inspect_json(&array, &[]), "ok")["type"], "boolean");

    // Parquet written by seglab's own clean step, then read back.
    let csv = s.file("in.csv", b"id,spend,city\n1,10,Oslo\n2,,Rome\n3,30,Oslo\n");
    let out = s.path("out");
    let o = common::seglab(&[
        "clean",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", common::text(&o).1);
    let r = inspect_json(&out.join("cleaned.parquet"), &[]);
    assert_eq!(r["rows"], 3);
    assert_eq!(
        column(&r, "spend")["median"],
        20.0,
        "missing spend was filled with the median"
    );
}

#[test]
fn duplicate_rows_and_outliers_are_counted() {
    let s = Scratch::new("dups");
    let body = "a,b\n1,x\n2,y\n1,x\n3,z\n4,w\n100,v\n";
    let r = inspect_json(&s.file("d.csv", body.as_bytes()), &[]);
    assert_eq!(r["duplicate_rows"], 1);
    // a = 1,2,1,3,4,100: q1 1.25, q3 3.75, upper fence 7.5 → one outlier.
    assert_eq!(column(&r, "a")["outliers"], 1);
}
