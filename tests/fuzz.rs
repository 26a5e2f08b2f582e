//! Fuzzing seglab's input surfaces on the stable toolchain, and replaying the corpus in CI.
//!
//! `fuzz` (ignored) runs the mutation fuzzer; see tests/fuzz/README.md. Configured by
//! FUZZ_TARGET (csv, csv-opts, json, recipe, model, or all), FUZZ_SECONDS and FUZZ_SEED.
//! `corpus_replays_without_panics` runs every file of tests/fuzz/corpus/<target>/ — seeds and
//! every crash ever found — each in a child process, so an abort is caught too.

#[path = "fuzz/driver.rs"]
mod driver;
#[path = "fuzz/mutate.rs"]
mod mutate;
#[path = "fuzz/replay.rs"]
mod replay;
#[path = "fuzz/targets.rs"]
mod targets;

use replay::Outcome;
use std::io::Write;
use std::path::{Path, PathBuf};
use targets::Target;

#[test]
#[ignore = "runs for FUZZ_SECONDS; see tests/fuzz/README.md"]
fn fuzz() {
    let which = std::env::var("FUZZ_TARGET").unwrap_or_else(|_| "all".into());
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_secs())
        });
    let targets: Vec<Target> = if which == "all" {
        targets::ALL.to_vec()
    } else {
        which
            .split(',')
            .map(|n| {
                Target::from_name(n.trim()).unwrap_or_else(|| panic!("unknown FUZZ_TARGET '{n}'"))
            })
            .collect()
    };
    let each = (seconds / targets.len() as u64).max(1);
    let mut failures = Vec::new();
    for target in targets {
        let report = driver::run(target, each, seed);
        let line = format!(
            "{} target={} seconds={} execs={} crashes={} worker_restarts={} seed={}\n",
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ"),
            target.name(),
            report.seconds,
            report.execs,
            report.crashes.len(),
            report.worker_restarts,
            report.seed
        );
        print!("{line}");
        let log = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/runs.log");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open runs.log");
        f.write_all(line.as_bytes()).expect("append to runs.log");
        for (name, outcome) in &report.crashes {
            let msg = format!("  {}/{name}: {}", target.name(), outcome.describe());
            println!("{msg}");
            if outcome != &Outcome::Clean {
                failures.push(msg);
            }
        }
    }
    assert!(failures.is_empty(), "new crashes:\n{}", failures.join("\n"));
}

/// The fuzzing worker process (started by `fuzz`; does nothing when run on its own).
#[test]
#[ignore = "a child process of `fuzz`"]
fn fuzz_worker() {
    if let Ok(dir) = std::env::var(driver::WORKER_DIR) {
        driver::worker_main(Path::new(&dir));
    }
}

/// The replay process (started by the corpus replay; does nothing when run on its own).
#[test]
#[ignore = "a child process of the corpus replay"]
fn fuzz_replay_child() {
    if let Ok(list) = std::env::var(replay::REPLAY_LIST) {
        replay::child_main(Path::new(&list));
    }
}

fn corpus_files() -> Vec<(Target, PathBuf)> {
    let mut items = Vec::new();
    for target in targets::ALL {
        let mut files: Vec<PathBuf> = std::fs::read_dir(driver::corpus_dir(target))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        items.extend(files.into_iter().map(|p| (target, p)));
    }
    items
}

#[test]
fn corpus_replays_without_panics() {
    let items = corpus_files();
    assert!(
        items.len() >= 20,
        "the corpus is missing: {} files",
        items.len()
    );
    let started = std::time::Instant::now();
    let outcomes = replay::replay(&items);
    let bad: Vec<String> = items
        .iter()
        .zip(&outcomes)
        .filter(|(_, o)| **o != Outcome::Clean)
        .map(|((t, p), o)| {
            format!(
                "{}/{}: {}",
                t.name(),
                p.file_name().unwrap().to_string_lossy(),
                o.describe()
            )
        })
        .collect();
    assert!(
        bad.is_empty(),
        "{} corpus inputs crash:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // The corpus must stay cheap enough for every CI run.
    assert!(
        started.elapsed().as_secs() < 120,
        "replay took {:?}",
        started.elapsed()
    );
}

#[test]
fn the_replay_tells_panics_and_aborts_apart() {
    // The harness itself: a panic is caught in the child, an abort kills it and is pinned on
    // its input, and the inputs after it still run.
    let scratch = targets::Scratch::new("selftest");
    let items: Vec<(Target, PathBuf)> = ["ok", "panic", "abort", "ok"]
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = scratch.0.join(format!("{i}"));
            std::fs::write(&path, text).unwrap();
            (Target::SelfTest, path)
        })
        .collect();
    let outcomes = replay::replay(&items);
    assert_eq!(outcomes[0], Outcome::Clean);
    assert!(
        matches!(&outcomes[1], Outcome::Panic(p) if p.contains("self-test panic")),
        "{outcomes:?}"
    );
    assert!(matches!(&outcomes[2], Outcome::Died(_)), "{outcomes:?}");
    assert_eq!(outcomes[3], Outcome::Clean);
}

#[test]
fn the_corpus_stays_small() {
    let total: u64 = corpus_files()
        .iter()
        .map(|(_, p)| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    assert!(total < 2 * 1024 * 1024, "corpus is {total} bytes");
}

// Regression tests for the crashes fuzzing found; their inputs are in the corpus as well.

use seglab::engine::load::{load, LoadOptions};
use seglab::recipe::{toml_too_deep, Recipe, MAX_TOML_DEPTH};

fn load_error(name: &str, bytes: &[u8]) -> String {
    let scratch = targets::Scratch::new("regression");
    let path = scratch.0.join(name);
    std::fs::write(&path, bytes).unwrap();
    let e = load(&path, &LoadOptions::default()).expect_err("must be refused");
    let message = e.to_string();
    assert!(message.contains(name), "names the file: {message}");
    message
}

#[test]
fn deep_json_objects_and_arrays_are_refused_before_polars_sees_them() {
    // 2,000 nested objects overflowed a polars thread's stack; arrays 100,000 deep the main one.
    let objects = "{\"a\":".repeat(2000) + "1" + &"}".repeat(2000);
    let arrays = "[".repeat(100_000) + &"]".repeat(100_000);
    let second_line = format!(
        "{{\"a\": 1}}\n{{\"b\": {}1{}}}\n",
        "{\"c\":".repeat(3000),
        "}".repeat(3000)
    );
    for (name, text) in [
        ("deep.json", objects.clone()),
        ("deep.ndjson", objects),
        ("arrays.json", arrays.clone()),
        ("arrays.ndjson", arrays),
        ("lines.ndjson", second_line.clone()),
        ("bom.json", format!("\u{feff}{second_line}")),
    ] {
        let message = load_error(name, text.as_bytes());
        assert!(message.contains("nested more than 64 levels"), "{message}");
        let line = if name.starts_with("arrays") || name.starts_with("deep") {
            1
        } else {
            2
        };
        assert!(message.contains(&format!("line {line}:")), "{message}");
    }
}

#[test]
fn json_integers_beyond_64_bits_load_as_exact_text() {
    let scratch = targets::Scratch::new("bigint");
    let path = scratch.0.join("ids.ndjson");
    std::fs::write(
        &path,
        b"{\"id\": 123456789012345678901234567890, \"x\": 1}\n{\"id\": 5, \"x\": 2}\n",
    )
    .unwrap();
    let loaded = load(&path, &LoadOptions::default()).expect("loads");
    let id = loaded.table.column("id").expect("id column");
    assert_eq!(
        id.data.display(0).as_deref(),
        Some("123456789012345678901234567890")
    );
}

#[test]
fn toml_nesting_guard_counts_only_real_brackets() {
    let deep = "[load]\n".to_string() + &"types = {".repeat(MAX_TOML_DEPTH + 1);
    assert_eq!(toml_too_deep(&deep), Some((2, 9 * (MAX_TOML_DEPTH + 1))));
    let nested_ok = "a = ".to_string() + &"[".repeat(MAX_TOML_DEPTH) + &"]".repeat(MAX_TOML_DEPTH);
    assert_eq!(toml_too_deep(&nested_ok), None);
    // Inside strings and comments brackets are text.
    let texts = format!(
        "a = \"{0}\\\"{0}\"\nb = '{0}'\nc = \"\"\"\n{0}\n\"\"\"\n# {0}\nd = '''{0}\n'''\n",
        "{[".repeat(100)
    );
    assert_eq!(toml_too_deep(&texts), None);
    // An unclosed string ends at its line; what follows counts again.
    let unclosed = format!("a = \"{}\nb = {}", "[".repeat(100), "[".repeat(100));
    assert_eq!(toml_too_deep(&unclosed).map(|p| p.0), Some(2));
}

#[test]
fn recipes_nested_thousands_deep_are_an_error_naming_the_line() {
    // `types = {` repeated thousands of times overflowed the stack inside the toml parser.
    let text = "seed = 1\n[load]\n".to_string() + &"types = {".repeat(5000);
    let e = Recipe::parse(&text, Path::new("deep.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("deep.toml") && e.contains("line 3"), "{e}");
    assert!(e.contains("nested more than 64"), "{e}");
    let e = seglab::engine::personas::parse_rules(&text, "personas.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("personas.toml") && e.contains("line 3"), "{e}");
    let Err(e) = seglab::tui::keymap::Keymap::parse(&"a = [".repeat(10_000)) else {
        panic!("a key map nested 10,000 deep must be refused");
    };
    assert!(e.contains("line 1"), "{e}");
}

#[test]
fn ndjson_whose_last_line_is_a_quarter_of_the_file_loads() {
    // polars' line-length sampler sliced past the end of such a file (core.rs:333).
    let scratch = targets::Scratch::new("lastline");
    let path = scratch.0.join("events.ndjson");
    let text = "{\"a\": 1, \"b\": \"x\"}\n".repeat(600)
        + "{\"a\": 2, \"b\": \""
        + &"x".repeat(6000)
        + "\"}\n";
    std::fs::write(&path, text).unwrap();
    let loaded = load(&path, &LoadOptions::default()).expect("a valid NDJSON file loads");
    assert_eq!(loaded.table.n_rows(), 601);
}
