//! What leaves the machine: CSV cells a spreadsheet would run as formulas are escaped (and read
//! back exactly by `apply`), and personal data stays out of segments.csv/.parquet unless asked.

mod common;
use common::{text, Scratch};
use seglab::engine::load::load;
use seglab::engine::table::Table;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// seglab without a salt from the environment, so the recipe alone decides.
fn seglab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_seglab"))
        .args(args)
        .env_remove("SEGLAB_PII_SALT")
        .output()
        .expect("run seglab")
}

fn ok(args: &[&str]) -> String {
    let o = seglab(args);
    let (out, err) = text(&o);
    assert!(o.status.success(), "seglab {args:?} failed: {err}");
    out
}

const NAMES: [&str; 4] = ["=cmd|' /C calc'!A0", "+Ann", "-Bob", "@Carl"];
const RENAMES: [&str; 3] = ["=cmd|' /C calc'!A0", "+1 VIP", "@Win-back"];

/// 60 customers in three clear groups, hostile names, header and notes, negative balances, and
/// one exact duplicate row (for duplicates.csv).
fn customers(s: &Scratch) -> PathBuf {
    let mut csv =
        String::from("customer_id,name,email,phone,city,=HYPERLINK(1),balance,+score,income,age\n");
    for i in 0..60 {
        let g = i % 3;
        let note = ["'=quoted", "-3", "plain"][i % 3];
        csv.push_str(&format!(
            "C{i:03},{},user{i}@example.com,+49 30 {i:04},Köln,{note},{}.5,{},{},{}\n",
            NAMES[i % 4],
            -5 - i as i64,
            i % 7,
            [20_000, 60_000, 120_000][g] + i * 10,
            [25, 45, 65][g] + i % 5
        ));
    }
    let first = csv.lines().nth(1).unwrap().to_string();
    csv.push_str(&first);
    csv.push('\n');
    s.file("customers.csv", csv.as_bytes())
}

fn recipe(s: &Scratch, export: &str) -> PathBuf {
    let text = format!(
        "[features]\ncolumns = [\"income\", \"age\", \"balance\", \"+score\"]\n\
         [cluster]\nk = 3\n\
         [segments]\nrename = {{ \"0\" = \"{}\", \"1\" = \"{}\", \"2\" = \"{}\" }}\n{export}",
        RENAMES[0], RENAMES[1], RENAMES[2]
    );
    s.file(&format!("recipe-{}.toml", export.len()), text.as_bytes())
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Every record of a CSV, header first.
fn records(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn column(path: &Path, name: &str) -> Vec<String> {
    let rows = records(path);
    let i = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

/// What a spreadsheet would run: a trigger first, and not a plain number.
fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err()
}

fn assert_no_formulas(path: &Path) {
    for (r, rec) in records(path).iter().enumerate() {
        for cell in rec {
            assert!(
                !runs_as_formula(cell),
                "{} record {r}: {cell:?}",
                path.display()
            );
        }
    }
}

fn table(path: &Path) -> Table {
    load(path, &Default::default()).unwrap().table
}

fn cells(t: &Table, name: &str) -> Vec<String> {
    let c = t
        .column(name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", t.names()));
    (0..t.n_rows())
        .map(|r| c.data.text_at(r).unwrap_or_default().into_owned())
        .collect()
}

#[test]
fn every_csv_escapes_formulas_and_parquet_keeps_the_values() {
    let s = Scratch::new("escape");
    let input = customers(&s);
    let run = s.path("run");
    ok(&[
        "run",
        "--recipe",
        p(&recipe(&s, "")),
        p(&input),
        "--out",
        p(&run),
        "--include-pii",
    ]);
    let seg = run.join("segments.csv");
    assert_no_formulas(&seg);
    let header = &records(&seg)[0];
    assert!(header.contains(&"'=HYPERLINK(1)".to_string()), "{header:?}");
    assert!(header.contains(&"'+score".to_string()), "{header:?}");
    let names = column(&seg, "name");
    for n in NAMES {
        assert!(names.contains(&format!("'{n}")), "{n} escaped in {names:?}");
    }
    // The duplicate row is listed, merged into the first, with no segment.
    let status = column(&seg, "status");
    assert_eq!(
        status.iter().filter(|s| *s == "merged_into:C000").count(),
        1
    );
    let mut seg_names = column(&seg, "segment_name");
    seg_names.sort();
    seg_names.dedup();
    assert_eq!(
        seg_names,
        ["", "'+1 VIP", "'=cmd|' /C calc'!A0", "'@Win-back"]
    );
    // Numbers stay numbers; an already quoted formula gets one more quote; "-3" text stays.
    assert!(column(&seg, "balance")
        .iter()
        .all(|b| b.starts_with('-') && b.parse::<f64>().is_ok()));
    let notes = column(&seg, "'=HYPERLINK(1)");
    assert!(
        notes.contains(&"''=quoted".to_string()) && notes.contains(&"-3".to_string()),
        "{notes:?}"
    );
    assert!(column(&seg, "phone")
        .iter()
        .all(|x| x.starts_with("'+49 30 ")));

    // Parquet is for machines: the values as they are.
    let pq = table(&run.join("segments.parquet"));
    assert!(pq.column("=HYPERLINK(1)").is_some() && pq.column("+score").is_some());
    let pq_names = cells(&pq, "name");
    assert!(
        NAMES.iter().all(|n| pq_names.iter().any(|x| x == n)),
        "{pq_names:?}"
    );
    let mut pq_segments = cells(&pq, "segment_name");
    pq_segments.sort();
    pq_segments.dedup();
    assert_eq!(
        pq_segments,
        ["", "+1 VIP", "=cmd|' /C calc'!A0", "@Win-back"]
    );
    assert!(cells(&pq, "=HYPERLINK(1)").contains(&"'=quoted".to_string()));

    // clean's CSVs too: the cleaned table, the feature table and the duplicate pairs.
    let clean = s.path("clean");
    ok(&[
        "clean",
        "--recipe",
        p(&recipe(&s, "")),
        p(&input),
        "--out",
        p(&clean),
    ]);
    for f in ["cleaned.csv", "features.csv", "duplicates.csv"] {
        assert_no_formulas(&clean.join(f));
    }
    assert!(column(&clean.join("cleaned.csv"), "name").contains(&format!("'{}", NAMES[0])));
    assert_eq!(
        records(&clean.join("duplicates.csv")).len(),
        2,
        "one duplicate pair"
    );
    let features = records(&clean.join("features.csv"));
    assert!(
        features[0].contains(&"'+score".to_string()),
        "{:?}",
        features[0]
    );
    assert!(
        features[1..].iter().flatten().any(|x| x.starts_with('-')),
        "scaled features include negative numbers, unquoted"
    );
}

#[test]
fn no_formula_escape_writes_the_cells_raw() {
    let s = Scratch::new("raw");
    let input = customers(&s);
    let run = s.path("run");
    let r = recipe(&s, "");
    ok(&[
        "run",
        "--recipe",
        p(&r),
        p(&input),
        "--out",
        p(&run),
        "--include-pii",
        "--no-formula-escape",
    ]);
    let seg = run.join("segments.csv");
    assert!(records(&seg)[0].contains(&"=HYPERLINK(1)".to_string()));
    assert!(column(&seg, "name").contains(&NAMES[0].to_string()));
    assert!(column(&seg, "segment_name").contains(&RENAMES[2].to_string()));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["export"]["formula_escape"], false);
    // Its manifest says the CSV is raw, so apply reading it back undoes nothing: a note that
    // starts with a quote stays as it was written.
    let applied = s.path("applied");
    ok(&[
        "apply",
        "--model",
        p(&run.join("model.json")),
        p(&seg),
        "--out",
        p(&applied),
        "--include-pii",
    ]);
    let got = table(&applied.join("segments.parquet"));
    assert!(cells(&got, "=HYPERLINK(1)").contains(&"'=quoted".to_string()));
    assert!(cells(&got, "name").contains(&NAMES[0].to_string()));
    // The recipe key does the same for clean; the flag does it for clean as well.
    let clean = s.path("clean");
    let raw = recipe(&s, "[export]\nformula_escape = false\n");
    ok(&["clean", "--recipe", p(&raw), p(&input), "--out", p(&clean)]);
    assert!(column(&clean.join("cleaned.csv"), "name").contains(&NAMES[3].to_string()));
    let clean2 = s.path("clean2");
    ok(&[
        "clean",
        "--recipe",
        p(&r),
        p(&input),
        "--out",
        p(&clean2),
        "--no-formula-escape",
    ]);
    assert!(column(&clean2.join("cleaned.csv"), "name").contains(&NAMES[1].to_string()));
}

#[test]
fn apply_on_last_months_segments_csv_reads_back_exactly_what_was_written() {
    let s = Scratch::new("readback");
    let input = customers(&s);
    let run = s.path("run");
    ok(&[
        "run",
        "--recipe",
        p(&recipe(&s, "")),
        p(&input),
        "--out",
        p(&run),
        "--include-pii",
    ]);
    let applied = s.path("applied");
    let printed = ok(&[
        "apply",
        "--model",
        p(&run.join("model.json")),
        p(&run.join("segments.csv")),
        "--out",
        p(&applied),
        "--include-pii",
    ]);
    // 60 segmented rows and the merged duplicate, which apply labels like any other row.
    assert!(printed.contains("labelled 61 of 61 rows"), "{printed}");
    // apply's Parquet holds what it read; it must equal what run wrote, value for value.
    let ran = table(&run.join("segments.parquet"));
    let got = table(&applied.join("segments.parquet"));
    for name in ran.names() {
        if matches!(
            name,
            "segment_id" | "segment_name" | "silhouette" | "status"
        ) {
            continue;
        }
        assert_eq!(cells(&got, name), cells(&ran, name), "column {name}");
    }
    // The same rows get the same segments (the merged duplicate, last, its original's), and
    // the CSV it writes is escaped again.
    let (mut want, got_names) = (cells(&ran, "segment_name"), cells(&got, "segment_name"));
    assert_eq!(want.pop().as_deref(), Some(""));
    want.push(want[0].clone());
    assert_eq!(got_names, want);
    assert_eq!(
        column(&applied.join("segments.csv"), "name"),
        column(&run.join("segments.csv"), "name")
    );
    assert_no_formulas(&applied.join("segments.csv"));
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap()
}

fn pii_columns(m: &serde_json::Value) -> HashMap<String, String> {
    m["export"]["pii_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["column"].as_str().unwrap().to_string(),
                c["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn personal_data_is_dropped_by_default_and_kept_when_asked() {
    let s = Scratch::new("pii-drop");
    let input = customers(&s);
    let run = s.path("run");
    ok(&[
        "run",
        "--recipe",
        p(&recipe(&s, "")),
        p(&input),
        "--out",
        p(&run),
    ]);
    let header = &records(&run.join("segments.csv"))[0];
    let pq = table(&run.join("segments.parquet"));
    for gone in ["name", "email", "phone"] {
        assert!(!header.iter().any(|h| h == gone), "{gone} in {header:?}");
        assert!(pq.column(gone).is_none(), "{gone} in segments.parquet");
    }
    for kept in ["customer_id", "city", "income", "segment_name"] {
        assert!(
            header.iter().any(|h| h == kept),
            "{kept} missing from {header:?}"
        );
        assert!(
            pq.column(kept).is_some(),
            "{kept} missing from segments.parquet"
        );
    }
    let m = manifest(&run);
    assert_eq!(m["export"]["pii"], "drop");
    let listed = pii_columns(&m);
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(["name", "email", "phone"]
        .iter()
        .all(|c| listed[*c] == "dropped"));
    assert!(m["export"]["review_files_note"]
        .as_str()
        .unwrap()
        .contains("cleaned.csv"));

    let keep = s.path("keep");
    ok(&[
        "run",
        "--recipe",
        p(&recipe(&s, "")),
        p(&input),
        "--out",
        p(&keep),
        "--include-pii",
    ]);
    let header = &records(&keep.join("segments.csv"))[0];
    assert!(["name", "email", "phone"]
        .iter()
        .all(|c| header.iter().any(|h| h == c)));
    assert!(column(&keep.join("segments.csv"), "email").contains(&"user7@example.com".to_string()));
    assert!(pii_columns(&manifest(&keep)).values().all(|a| a == "kept"));

    // Review files keep them.
    let clean = s.path("clean");
    ok(&[
        "clean",
        "--recipe",
        p(&recipe(&s, "")),
        p(&input),
        "--out",
        p(&clean),
    ]);
    assert!(column(&clean.join("cleaned.csv"), "email").contains(&"user7@example.com".to_string()));
}

#[test]
fn hashed_personal_data_joins_across_runs_and_needs_a_salt() {
    let s = Scratch::new("pii-hash");
    let input = customers(&s);
    let salted = recipe(&s, "[export]\npii = \"hash\"\npii_salt = \"pepper-7f3a\"\n");
    let (a, b) = (s.path("a"), s.path("b"));
    ok(&["run", "--recipe", p(&salted), p(&input), "--out", p(&a)]);
    ok(&["run", "--recipe", p(&salted), p(&input), "--out", p(&b)]);
    let ha = column(&a.join("segments.csv"), "email");
    assert_eq!(
        ha,
        column(&b.join("segments.csv"), "email"),
        "same salt, same hashes"
    );
    assert!(
        ha.iter()
            .all(|h| h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit())),
        "{ha:?}"
    );
    let distinct: std::collections::HashSet<&String> = ha.iter().collect();
    assert_eq!(distinct.len(), 60, "one hash per customer");
    let ids = column(&a.join("segments.csv"), "customer_id");
    assert!(
        ids.iter().all(|id| id.starts_with('C')),
        "the id is not hashed"
    );
    assert!(pii_columns(&manifest(&a))
        .values()
        .all(|x| x.starts_with("hashed")));
    // The salt itself is in no output.
    for f in ["manifest.json", "model.json", "segments.csv"] {
        let t = std::fs::read_to_string(a.join(f)).unwrap();
        assert!(!t.contains("pepper-7f3a"), "salt leaked into {f}");
    }
    let other = recipe(&s, "[export]\npii = \"hash\"\npii_salt = \"another\"\n");
    let c = s.path("c");
    ok(&["run", "--recipe", p(&other), p(&input), "--out", p(&c)]);
    assert_ne!(column(&c.join("segments.csv"), "email"), ha);

    // apply on the hashed segments.csv (salt from the environment, as model.json has none)
    // keeps the hashes, so they join with the run's.
    let applied = s.path("applied");
    let o = Command::new(env!("CARGO_BIN_EXE_seglab"))
        .args([
            "apply",
            "--model",
            p(&a.join("model.json")),
            p(&a.join("segments.csv")),
        ])
        .args(["--out", p(&applied)])
        .env("SEGLAB_PII_SALT", "pepper-7f3a")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o).1);
    assert_eq!(column(&applied.join("segments.csv"), "email"), ha);
    let o = seglab(&[
        "apply",
        "--model",
        p(&a.join("model.json")),
        p(&input),
        "--out",
        p(&s.path("e")),
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("pii_salt") && err.contains("SEGLAB_PII_SALT"),
        "{err}"
    );
    assert!(!s.path("e").exists());

    let unsalted = recipe(&s, "[export]\npii = \"hash\"\n");
    let d = s.path("d");
    let o = seglab(&["run", "--recipe", p(&unsalted), p(&input), "--out", p(&d)]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: ") && !err.contains("panicked"),
        "{err}"
    );
    assert!(
        err.contains(p(&unsalted)) && err.contains("[export] pii_salt"),
        "{err}"
    );
    assert!(!d.exists(), "no output");
}
