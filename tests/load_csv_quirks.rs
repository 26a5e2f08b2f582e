//! CSV/text loading through the binary: the header is the first line unless the evidence against
//! it is strong, hostile paths (FIFOs, devices, directories, huge lines, binary files) are refused
//! early by name, and messages say what is wrong without echoing a non-table's contents.

mod common;
use common::{column, inspect_json, seglab, text, Scratch};
use std::path::Path;

/// `seglab clean` must fail by the bad-input contract: exit 1, one `error:` line, no panic, no
/// output folder, the input untouched. Returns the error line.
fn clean_fails(s: &Scratch, input: &Path, recipe: Option<&str>) -> String {
    let before = std::fs::metadata(input)
        .ok()
        .filter(|m| m.is_file() && m.len() < 1 << 20)
        .and_then(|_| std::fs::read(input).ok());
    let out = s.path("out");
    let mut args = vec![
        "clean".to_string(),
        input.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    if let Some(r) = recipe {
        let rp = s.file("recipe.toml", r.as_bytes());
        args.extend(["--recipe".into(), rp.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = seglab(&args);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "expected a failure: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr.matches("error: ").count(), 1, "{stderr}");
    assert!(!out.exists(), "no partial output");
    if let Some(before) = before {
        assert_eq!(std::fs::read(input).unwrap(), before, "input untouched");
    }
    // The whole message: from `error: ` to the end (a TOML error spans several lines).
    stderr[stderr.find("error: ").unwrap()..].to_string()
}

fn names(report: &serde_json::Value) -> Vec<String> {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

fn warnings(report: &serde_json::Value) -> String {
    report["warnings"].to_string()
}

#[test]
fn a_trailing_comma_on_every_row_keeps_the_header_and_the_first_customer() {
    let s = Scratch::new("lq-trailing");
    // Only the rows end with a comma.
    let f = s.file(
        "rows.csv",
        b"id,spend,visits\n1,10,2,\n2,20,3,\n3,30,4,\n4,40,5,\n",
    );
    let r = inspect_json(&f, &[]);
    assert_eq!(names(&r), ["id", "spend", "visits"]);
    assert_eq!(r["rows"], 4);
    assert_eq!(column(&r, "spend")["min"], 10.0);
    assert!(warnings(&r).contains("trailing delimiter"), "{r}");
    // The header ends with a comma too: the empty column is dropped with a note.
    let f = s.file(
        "both.csv",
        b"id,spend,visits,\n1,10,2,\n2,20,3,\n3,30,4,\n4,40,5,\n",
    );
    let r = inspect_json(&f, &[]);
    assert_eq!(names(&r), ["id", "spend", "visits"]);
    assert_eq!(r["rows"], 4);
    assert!(warnings(&r).contains("dropped 1 empty column"), "{r}");
}

#[test]
fn a_header_shorter_than_the_rows_stays_the_header() {
    let s = Scratch::new("lq-short");
    let f = s.file("short.csv", b"id,spend\n1,10,2\n2,20,3\n3,30,4\n");
    let r = inspect_json(&f, &[]);
    assert_eq!(names(&r), ["id", "spend", "column_3"]);
    assert_eq!(r["rows"], 3);
    assert_eq!(column(&r, "spend")["min"], 10.0);
    let w = warnings(&r);
    assert!(w.contains("has 2 name(s) but most rows have 3"), "{w}");
}

#[test]
fn a_quoted_line_break_in_a_header_cell_keeps_the_header() {
    let s = Scratch::new("lq-qheader");
    let f = s.file(
        "q.csv",
        b"id,\"total\nspend\",visits\n1,10,2\n2,20,3\n3,30,4\n",
    );
    let r = inspect_json(&f, &[]);
    assert_eq!(names(&r), ["id", "total\nspend", "visits"]);
    assert_eq!(r["rows"], 3);
    assert!(!warnings(&r).contains("skipped"), "{r}");
}

#[test]
fn a_title_padded_with_commas_is_skipped_and_quoted_verbatim() {
    let s = Scratch::new("lq-title");
    let f = s.file(
        "report.csv",
        b"Customer report,2024,,\nid,spend,visits,city\n1,10,2,Oslo\n2,20,3,Rome\n3,30,4,Oslo\n",
    );
    let r = inspect_json(&f, &[]);
    assert_eq!(names(&r), ["id", "spend", "visits", "city"]);
    assert_eq!(column(&r, "spend")["type"], "integer");
    let w = warnings(&r);
    assert!(
        w.contains("above the header on line 2: 'Customer report,2024,,'"),
        "{w}"
    );
    // Without strong evidence (text rows under a short first line) the first line is the
    // header, and the warning says how to choose another.
    let f = s.file(
        "names.csv",
        b"name,city\nAnn,Oslo,x\nBob,Rome,y\nCy,Bern,z\n",
    );
    let r = inspect_json(&f, &[]);
    assert_eq!(names(&r), ["name", "city", "column_3"]);
    assert!(warnings(&r).contains("load.header_row"), "{r}");
}

#[test]
fn header_row_past_the_end_says_how_many_lines_the_file_has() {
    let s = Scratch::new("lq-hrow");
    let f = s.file("c.csv", b"id,spend\n1,10\n2,20\n");
    let e = clean_fails(&s, &f, Some("[load]\nheader_row = 999999\n"));
    assert!(
        e.contains("c.csv") && e.contains("header_row = 999999") && e.contains("only 3 line(s)"),
        "{e}"
    );
}

#[test]
fn an_invalid_date_pattern_is_an_error_naming_pattern_and_column() {
    let s = Scratch::new("lq-dates");
    let f = s.file(
        "d.csv",
        b"id,joined,spend\n1,01.02.2024,10\n2,03.04.2024,20\n3,05.06.2024,30\n",
    );
    let e = clean_fails(&s, &f, Some("[load.date_formats]\njoined = \"%d.%Q.%Y\"\n"));
    assert!(
        e.contains("d.csv") && e.contains("date_formats.joined") && e.contains("%d.%Q.%Y"),
        "{e}"
    );
    // A valid pattern that reads none of the values would empty the column silently.
    let e = clean_fails(&s, &f, Some("[load.date_formats]\njoined = \"%Y/%m/%d\"\n"));
    assert!(
        e.contains("date_formats.joined")
            && e.contains("%Y/%m/%d")
            && e.contains("'01.02.2024' on line 2"),
        "{e}"
    );
}

#[test]
fn windows_1252_spelling_from_the_default_recipe_is_accepted() {
    let s = Scratch::new("lq-enc");
    let f = s.file(
        "l.csv",
        b"id,name,spend\n1,M\xFCller,10\n2,Jos\xE9,20\n3,M\xFCller,30\n",
    );
    for label in ["windows-1252", "cp1252", "latin1", "ISO-8859-1"] {
        let rp = s.file(
            "r.toml",
            format!("[load]\nencoding = \"{label}\"\n").as_bytes(),
        );
        let r = inspect_json(&f, &["--recipe", rp.to_str().unwrap()]);
        let name = column(&r, "name");
        assert!(name["top"].to_string().contains("Müller"), "{label}: {r}");
        assert!(!warnings(&r).contains("not valid UTF-8"), "{label}");
    }
    let e = clean_fails(&s, &f, Some("[load]\nencoding = \"ebcdic\"\n"));
    assert!(e.contains("ebcdic") && e.contains("windows-1252"), "{e}");
}

#[test]
fn non_regular_files_are_refused_by_name() {
    let s = Scratch::new("lq-irregular");
    let dir = s.path("folder.csv");
    std::fs::create_dir(&dir).unwrap();
    let e = clean_fails(&s, &dir, None);
    assert!(e.contains("folder.csv is a directory"), "{e}");
    for dev in ["/dev/zero", "/dev/urandom"] {
        if Path::new(dev).exists() {
            let e = clean_fails(&s, Path::new(dev), None);
            assert!(e.contains(&format!("{dev} is a device")), "{e}");
        }
    }
    let fifo = s.path("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    if made {
        let e = clean_fails(&s, &fifo, None);
        assert!(e.contains("pipe.csv is a named pipe"), "{e}");
    }
}

#[test]
fn a_transactions_file_that_is_a_device_or_not_a_table_is_refused_without_its_contents() {
    let s = Scratch::new("lq-tx");
    let customers = s.file("c.csv", b"customer_id,spend\n1,10\n2,20\n3,30\n");
    let e = clean_fails(
        &s,
        &customers,
        Some("[transactions]\nfile = \"/dev/zero\"\n"),
    );
    assert!(e.contains("/dev/zero is a device"), "{e}");
    s.file(
        "shadow",
        b"root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n",
    );
    let e = clean_fails(&s, &customers, Some("[transactions]\nfile = \"shadow\"\n"));
    assert!(e.contains("shadow"), "the message names the file: {e}");
    assert!(
        !e.contains("root") && !e.contains("19000") && !e.contains("daemon"),
        "never echo a non-table's contents: {e}"
    );
}

#[test]
fn a_sparse_2_gb_zero_file_is_refused_from_its_first_bytes() {
    let s = Scratch::new("lq-zeros");
    let p = s.path("zeros.csv");
    let f = std::fs::File::create(&p).unwrap();
    if f.set_len(2 << 30).is_err() {
        return; // no sparse files here
    }
    drop(f);
    let e = clean_fails(&s, &p, None);
    assert!(
        e.contains("zeros.csv is not a text table (binary byte at offset 0)"),
        "{e}"
    );
}

#[test]
fn a_50_mb_line_is_an_error_naming_file_and_line() {
    let s = Scratch::new("lq-longline");
    let mut body = b"id,note\n1,ok\n2,".to_vec();
    body.extend(std::iter::repeat_n(b'x', 50 << 20));
    body.push(b'\n');
    let f = s.file("long.csv", &body);
    let e = clean_fails(&s, &f, None);
    assert!(
        e.contains("long.csv line 3") && e.contains("longer than 16 MiB"),
        "{e}"
    );
    // A quoted cell of short lines is bounded too.
    let mut body = b"id,note\n1,\"".to_vec();
    for _ in 0..(2 << 20) / 8 {
        body.extend_from_slice(b"abcdefg\n");
    }
    body.extend_from_slice(b"\"\n");
    let f = s.file("cell.csv", &body);
    let e = clean_fails(&s, &f, None);
    assert!(
        e.contains("cell.csv line 2, column 2") && e.contains("longer than 1024 KiB"),
        "{e}"
    );
}

#[test]
fn a_crlf_inside_a_quoted_field_comes_back_byte_for_byte() {
    let s = Scratch::new("lq-crlf");
    let f = s.file(
        "n.csv",
        b"id,note,spend\r\n1,\"line one\r\nline two\",10\r\n2,plain,20\r\n3,\"a\nb\",30\r\n",
    );
    let out = s.path("out");
    let o = seglab(&["clean", f.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o).1);
    let mut r = csv::Reader::from_path(out.join("cleaned.csv")).unwrap();
    let notes: Vec<String> = r.records().map(|rec| rec.unwrap()[1].to_string()).collect();
    assert_eq!(notes, ["line one\r\nline two", "plain", "a\nb"]);
}
