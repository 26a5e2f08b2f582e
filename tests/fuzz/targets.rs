//! What each fuzz target does with one input. An exec returns a short "signature" of what
//! happened (the kind of error, or the shape of the table); a new signature keeps the input in
//! the in-memory pool, a cheap stand-in for coverage feedback. A panic escapes to the driver.

use seglab::engine::load::dates::DateFormat;
use seglab::engine::load::text::Encoding;
use seglab::engine::load::{load, Delimiter, LoadOptions};
use seglab::engine::model::SegmentModel;
use seglab::engine::table::ColumnType;
use seglab::recipe::Recipe;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::mutate::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// CSV dialect sniffer, parser and type inference with default options.
    Csv,
    /// The same with load options chosen from the input's first line.
    CsvOpts,
    /// JSON arrays and NDJSON through the polars reader and its guards.
    Json,
    /// Recipe TOML (and the other user TOML files: persona rules, key map); a recipe that
    /// parses then loads a small table with its load options.
    Recipe,
    /// model.json: deserialise, then label a small table with it.
    Model,
    /// The harness's own check (not fuzzed): "panic" panics, "abort" aborts the process.
    SelfTest,
}

pub const ALL: [Target; 5] = [
    Target::Csv,
    Target::CsvOpts,
    Target::Json,
    Target::Recipe,
    Target::Model,
];

impl Target {
    pub fn name(self) -> &'static str {
        match self {
            Target::Csv => "csv",
            Target::CsvOpts => "csv-opts",
            Target::Json => "json",
            Target::Recipe => "recipe",
            Target::Model => "model",
            Target::SelfTest => "selftest",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        ALL.into_iter()
            .chain([Target::SelfTest])
            .find(|t| t.name() == name)
    }

    pub fn dictionary(self) -> &'static [&'static str] {
        match self {
            Target::Csv | Target::CsvOpts => &[
                "\"\"",
                "\"a,b\"",
                "\"a\nb\"",
                "\"a\r\nb\"",
                ",,,",
                "sep=;\n",
                "id,x\n",
                "Customer report,2024,,\n",
                "#",
                "customer_id",
                "email",
                "a@b.c",
                "TRUE",
                "2024-01-01T10:00:00",
                "12:30",
                "€",
                "£",
                "\u{feff}id",
            ],
            Target::Json => &[
                "{",
                "}",
                "[",
                "]",
                ":",
                ",",
                "\"a\":",
                "{\"a\": 1}\n",
                "[{\"a\": 1}]",
                "\"\\u0000\"",
                "\"\\ud800\"",
                "1.0",
                "[]",
                "{}",
                "\"",
                "\\",
                "{\"a\": [1, \"x\"]}\n",
                "{\"a\": {\"b\": 1}}\n",
                "12345678901234567890",
                "-12345678901234567890",
            ],
            Target::Recipe => &[
                "[load]\n",
                "[clean]\n",
                "[features]\n",
                "[cluster]\n",
                "[export]\n",
                "types = {",
                "types = { a = \"id\" }\n",
                "date_formats = { a = \"%Q\" }\n",
                "header_row = 999999\n",
                "k = 0\n",
                "k_max = 100000\n",
                "[[personas]]\n",
                "\"\"\"",
                "'''",
                "= [",
                "delimiter = \"\\t\"\n",
                "decimal = \",\"\n",
                "thousands = \",\"\n",
                "[transactions]\nfile = \"/dev/zero\"\n",
                "seed = -1\n",
            ],
            Target::SelfTest => &[],
            Target::Model => &[
                "\"centroids\": []",
                "\"kept\": [99]",
                "\"n_cols\": 0",
                "\"scale\": 0",
                "1e308",
                "-1e308",
                "null",
                "[]",
                "{}",
                "\"lo\": 5, \"hi\": -5",
                "\"dbscan\"",
                "18446744073709551615",
                "\"schema_version\": 1",
                "NaN",
            ],
        }
    }

    /// The file name the input is written as (the loader picks its reader by extension).
    fn file_name(self) -> &'static str {
        match self {
            Target::Csv | Target::CsvOpts => "input.csv",
            Target::Json => "input.json",
            Target::Recipe => "recipe.toml",
            Target::Model => "model.json",
            Target::SelfTest => "selftest",
        }
    }

    pub fn exec(self, scratch: &Scratch, input: &[u8]) -> String {
        match self {
            Target::Csv => load_bytes(scratch, self.file_name(), input, &LoadOptions::default()),
            Target::CsvOpts => {
                let (head, body) = match input.iter().position(|&b| b == b'\n') {
                    Some(n) => (&input[..n], &input[n + 1..]),
                    None => (input, &[][..]),
                };
                let opts = random_options(head, body);
                load_bytes(scratch, self.file_name(), body, &opts)
            }
            Target::Json => load_bytes(scratch, self.file_name(), input, &LoadOptions::default()),
            Target::Recipe => exec_recipe(scratch, input),
            Target::Model => exec_model(input),
            Target::SelfTest => match input {
                b"panic" => panic!("self-test panic"),
                b"abort" => std::process::abort(),
                _ => scratch.write(self.file_name(), input).display().to_string(),
            },
        }
    }
}

/// A per-process folder for the files the loader reads.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("seglab-fuzz-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz scratch folder");
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, bytes).expect("write a fuzz input");
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The table model.json seeds were trained on (120 sample customers).
pub fn fixture_csv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/fixtures/customers.csv")
}

fn load_bytes(scratch: &Scratch, name: &str, input: &[u8], opts: &LoadOptions) -> String {
    let path = scratch.write(name, input);
    match load(&path, opts) {
        Ok(loaded) => table_signature(&loaded.table, loaded.warnings.len()),
        Err(e) => error_signature(&e.to_string()),
    }
}

fn table_signature(table: &seglab::engine::table::Table, warnings: usize) -> String {
    let types: Vec<&str> = table.columns.iter().take(6).map(|c| c.ty.name()).collect();
    let rows = match table.n_rows() {
        0..=1 => "1",
        2..=9 => "few",
        _ => "many",
    };
    format!("ok {rows} {} w{}", types.join(","), warnings.min(3))
}

/// The first words of an error, digits and paths blurred, so that one kind of error is one
/// signature.
fn error_signature(message: &str) -> String {
    let words: Vec<String> = message
        .split_whitespace()
        .skip(1)
        .take(5)
        .map(|w| {
            if w.contains('/') {
                "<path>".into()
            } else {
                w.chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .collect()
            }
        })
        .collect();
    format!("err {}", words.join(" "))
}

/// Load options drawn from a seed hashed out of `head`; column-specific options name columns
/// of the body's first line, so they are not all rejected as unknown.
fn random_options(head: &[u8], body: &[u8]) -> LoadOptions {
    let seed = head.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let mut rng = Rng::new(seed);
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or_default();
    let names: Vec<String> = String::from_utf8_lossy(first_line)
        .split([',', ';', '\t', '|'])
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let name = |rng: &mut Rng| -> String {
        if names.is_empty() || rng.chance(8) {
            "missing_column".into()
        } else {
            rng.pick(&names).clone()
        }
    };
    let mut opts = LoadOptions {
        delimiter: Delimiter(*rng.pick(&[None, Some(b','), Some(b';'), Some(b'\t'), Some(b'|')])),
        header_row: *rng.pick(&[
            None,
            None,
            Some(0),
            Some(1),
            Some(2),
            Some(3),
            Some(999_999),
        ]),
        encoding: *rng.pick(&[Encoding::Auto, Encoding::Utf8, Encoding::Windows1252]),
        thousands: *rng.pick(&[None, None, Some(','), Some('.'), Some(' '), Some('\'')]),
        decimal: *rng.pick(&['.', '.', ',']),
        currency: rng.chance(2),
        ..LoadOptions::default()
    };
    if rng.chance(3) {
        opts.na_values = vec![String::new(), "-".into(), "0".into(), "x".into()];
    }
    if rng.chance(4) {
        let n = rng.below(names.len() + 2);
        opts.column_names = (0..n).map(|i| format!("c{}", i % 3)).collect();
    }
    let mut types = BTreeMap::new();
    for _ in 0..rng.below(3) {
        let ty = *rng.pick(&[
            ColumnType::Number,
            ColumnType::Integer,
            ColumnType::Category,
            ColumnType::Date,
            ColumnType::DateTime,
            ColumnType::Boolean,
            ColumnType::Id,
            ColumnType::Email,
            ColumnType::Text,
        ]);
        types.insert(name(&mut rng), ty);
    }
    opts.types = types;
    let mut date_formats = BTreeMap::new();
    for _ in 0..rng.below(2) {
        let f = match rng.below(5) {
            0 => DateFormat::Ymd,
            1 => DateFormat::Mdy,
            2 => DateFormat::Dmy,
            _ => DateFormat::Pattern(
                rng.pick(&[
                    "%d.%m.%Y",
                    "%Q",
                    "%",
                    "%Y-%m-%d %H:%M:%S",
                    "%s",
                    "%Y",
                    "x",
                    "%e/%b/%y",
                ])
                .to_string(),
            ),
        };
        date_formats.insert(name(&mut rng), f);
    }
    opts.date_formats = date_formats;
    opts
}

fn exec_recipe(scratch: &Scratch, input: &[u8]) -> String {
    // Recipes are read with read_to_string: only UTF-8 reaches the parser.
    let Ok(text) = std::str::from_utf8(input) else {
        return "not utf-8".into();
    };
    let personas = seglab::engine::personas::parse_rules(text, "personas.toml").is_ok();
    let keymap = seglab::tui::keymap::Keymap::parse(text).is_ok();
    let path = scratch.write("recipe.toml", input);
    match Recipe::parse(text, &path) {
        Err(e) => error_signature(&e.to_string()),
        Ok(recipe) => {
            let loaded = load_bytes(
                scratch,
                "table.csv",
                &std::fs::read(fixture_csv()).expect("fixture"),
                &recipe.load,
            );
            // Writing the recipe back must not fail either (the TUI saves recipes).
            let again = Recipe::parse(&recipe.to_toml(), &path).is_ok();
            format!("recipe {loaded} p{personas} k{keymap} r{again}")
        }
    }
}

fn exec_model(input: &[u8]) -> String {
    // Read the model the way `seglab apply` does: parsed and validated.
    let Ok(text) = std::str::from_utf8(input) else {
        return "not utf-8".into();
    };
    let model = match SegmentModel::from_json(text) {
        Ok((model, _notes)) => model,
        Err(e) => return error_signature(&e.to_string()),
    };
    let table = match load(&fixture_csv(), &model.recipe.load) {
        Ok(t) => t.table,
        Err(e) => return error_signature(&e.to_string()),
    };
    match model.apply(&table, None) {
        Ok(applied) => {
            let labelled = applied.labels.iter().filter(|l| l.is_some()).count();
            let names = applied
                .labels
                .iter()
                .flatten()
                .filter(|&&id| model.name_of(id).is_empty())
                .count();
            format!(
                "applied {} {} {}",
                labelled.min(3),
                names.min(1),
                model.segments.len().min(4)
            )
        }
        Err(e) => error_signature(&e.to_string()),
    }
}
