//! Bad input gets one clear message naming the file (and line/column where known), a non-zero
//! exit, no panic, no output folder, and the input file untouched.

mod common;
use common::{seglab, text, Scratch};
use std::path::Path;

/// Run `seglab clean` on `input` and check the failure contract. Returns stderr.
fn clean_fails(s: &Scratch, input: &Path, recipe: Option<&[u8]>) -> String {
    let before = std::fs::read(input).ok();
    let out = s.path("out");
    let mut args = vec![
        "clean".to_string(),
        input.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    if let Some(r) = recipe {
        let rp = s.file("recipe.toml", r);
        args.extend(["--recipe".into(), rp.display().to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = seglab(&args);
    let (_, stderr) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "expected a clean failure: {stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        stderr.matches("error: ").count(),
        1,
        "one clear message: {stderr}"
    );
    let rest = stderr
        .lines()
        .filter(|l| !l.starts_with("warning: "))
        .collect::<Vec<_>>();
    assert!(rest[0].starts_with("error: "), "{stderr}");
    assert!(!out.exists(), "no partial output");
    assert_eq!(std::fs::read(input).ok(), before, "input untouched");
    let leftovers: Vec<_> = std::fs::read_dir(&s.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        !leftovers
            .iter()
            .any(|n| n.to_string_lossy().contains("partial")),
        "{leftovers:?}"
    );
    stderr
}

#[test]
fn missing_file() {
    let s = Scratch::new("missing");
    let e = clean_fails(&s, &s.path("nope.csv"), None);
    assert!(e.contains("nope.csv") && e.contains("No such file"), "{e}");
}

#[test]
fn empty_file_and_header_only() {
    let s = Scratch::new("empty");
    let e = clean_fails(&s, &s.file("empty.csv", b""), None);
    assert!(e.contains("empty.csv is empty"), "{e}");
    let e = clean_fails(&s, &s.file("blank.csv", b"\n  \n"), None);
    assert!(e.contains("blank.csv is empty"), "{e}");
    let e = clean_fails(&s, &s.file("header.csv", b"id,name,spend\n"), None);
    assert!(
        e.contains("header.csv has a header but no data rows"),
        "{e}"
    );
}

#[test]
fn ragged_rows_name_the_line() {
    let s = Scratch::new("ragged");
    let e = clean_fails(&s, &s.file("r.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8\n"), None);
    assert!(
        e.contains("r.csv line 3") && e.contains("expected 3 fields") && e.contains("found 2"),
        "{e}"
    );
}

#[test]
fn binary_garbage() {
    let s = Scratch::new("binary");
    let bytes: Vec<u8> = (0..2048u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let e = clean_fails(&s, &s.file("photo.jpg", &bytes), None);
    assert!(e.contains("photo.jpg is not a text table"), "{e}");
}

#[test]
fn all_missing_feature_column() {
    let s = Scratch::new("allmissing");
    let f = s.file("m.csv", b"id,spend,score\n1,10,\n2,20,NA\n3,30,\n");
    let e = clean_fails(
        &s,
        &f,
        Some(b"[features]\ncolumns = [\"spend\", \"score\"]\n"),
    );
    assert!(
        e.contains("m.csv") && e.contains("feature 'score' has no values (all missing)"),
        "{e}"
    );
}

#[test]
fn duplicate_column_names() {
    let s = Scratch::new("dupcols");
    let e = clean_fails(
        &s,
        &s.file("d.csv", b"id,email,email\n1,a@x.com,b@x.com\n"),
        None,
    );
    assert!(
        e.contains("d.csv") && e.contains("columns 2 and 3 are both named 'email'"),
        "{e}"
    );
}

#[test]
fn feature_that_is_not_numeric() {
    let s = Scratch::new("notnum");
    let f = s.file("n.csv", b"id,city,spend\n1,Oslo,1\n2,Rome,2\n3,Oslo,3\n");
    let e = clean_fails(
        &s,
        &f,
        Some(b"[features]\ncolumns = [\"spend\", \"city\"]\n"),
    );
    assert!(
        e.contains("n.csv")
            && e.contains("feature 'city' is category, not numeric")
            && e.contains("one_hot"),
        "{e}"
    );
}

#[test]
fn unknown_column_in_the_recipe() {
    let s = Scratch::new("unknowncol");
    let f = s.file("u.csv", b"id,spend\n1,1\n2,2\n");
    let e = clean_fails(&s, &f, Some(b"[features]\ncolumns = [\"spnd\"]\n"));
    assert!(
        e.contains("u.csv") && e.contains("'spnd'") && e.contains("columns: id, spend"),
        "{e}"
    );
    let e = clean_fails(&s, &f, Some(b"[load.types]\nspnd = \"number\"\n"));
    assert!(e.contains("load.types names column 'spnd'"), "{e}");
}

#[test]
fn bad_recipes_name_line_and_key() {
    let s = Scratch::new("badrecipe");
    let f = s.file("u.csv", b"id,spend\n1,1\n2,2\n");
    let e = clean_fails(&s, &f, Some(b"seed = 1\n[scale]\nmethod = \"zcore\"\n"));
    assert!(
        e.contains("recipe.toml") && e.contains("line 3") && e.contains("zcore"),
        "{e}"
    );
    let e = clean_fails(&s, &f, Some(b"[clean]\ntrimm = true\n"));
    assert!(e.contains("line 2") && e.contains("trimm"), "{e}");
}

#[test]
fn output_folder_that_exists() {
    let s = Scratch::new("outexists");
    let f = s.file("ok.csv", b"id,spend\n1,1\n2,2\n");
    let out = s.path("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), b"mine").unwrap();
    let o = seglab(&["clean", f.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let (_, e) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(e.contains("already exists"), "{e}");
    assert_eq!(std::fs::read(out.join("keep.txt")).unwrap(), b"mine");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn inspect_reports_bad_input_the_same_way() {
    let s = Scratch::new("inspectbad");
    let o = seglab(&["inspect", s.file("r.csv", b"a,b\n1\n").to_str().unwrap()]);
    let (_, e) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(e.contains("r.csv line 2: expected 2 fields"), "{e}");
    // An all-missing column is a finding, not an error, when only inspecting.
    let o = seglab(&[
        "inspect",
        s.file("m.csv", b"a,b\n1,\n2,\n").to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success());
    assert!(text(&o).0.contains("has no values (all missing)"));
}
