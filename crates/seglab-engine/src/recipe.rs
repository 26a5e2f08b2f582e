//! The recipe: every option of every step, in one TOML file, with defaults when omitted.

use crate::behaviour::BehaviourOptions;
use crate::clean::CleanOptions;
use crate::features::FeatureOptions;
use crate::labels::{LifecycleOptions, Rule, ScoreOptions};
use crate::load::LoadOptions;
use crate::run_options::{ReduceOptions, SegmentOptions};
use crate::scale::ScaleOptions;
use crate::segment::ClusterOptions;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// toml's parser recurses once per open `[` or `{`, so a few thousand unclosed ones (e.g.
/// `types = {` repeated) overflow the stack, which no error handler can catch. Every TOML file
/// a user supplies is checked with this first; real files nest a few levels.
pub const MAX_TOML_DEPTH: usize = 64;

/// 1-based line and column of the bracket or brace that opens level `MAX_TOML_DEPTH + 1`,
/// counting only those outside strings and comments.
pub fn toml_too_deep(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let (mut depth, mut i, mut line, mut line_start) = (0usize, 0, 1, 0);
    while let Some(&c) = b.get(i) {
        match c {
            b'\n' => (line, line_start) = (line + 1, i + 1),
            b'#' => {
                i = b[i..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |n| i + n);
                continue;
            }
            b'"' | b'\'' => {
                let multi = b[i..].starts_with(&[c; 3]);
                let close: &[u8] = if multi { &b[i..i + 3] } else { &b[i..i + 1] };
                i += close.len();
                while let Some(&s) = b.get(i) {
                    if b[i..].starts_with(close) {
                        i += close.len();
                        break;
                    }
                    if s == b'\n' {
                        if !multi {
                            break;
                        }
                        (line, line_start) = (line + 1, i + 1);
                    }
                    // A basic string's backslash escapes the next byte (a quote included).
                    i += if s == b'\\' && c == b'"' && b.get(i + 1) != Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                }
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_TOML_DEPTH {
                    let column = text.get(line_start..i).map_or(1, |t| t.chars().count() + 1);
                    return Some((line, column));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The message for `toml_too_deep`, in the form of toml's own errors.
pub fn toml_depth_message(line: usize, column: usize) -> String {
    format!(
        "TOML parse error at line {line}, column {column}: nested more than {MAX_TOML_DEPTH} \
         levels of brackets or braces deep (unclosed `{{` or `[`?)"
    )
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Recipe {
    /// Seed for every random step: k-means seeding, sampled silhouettes and pictures, KNN
    /// donors, DBSCAN core-point samples, t-SNE. Same recipe, data and seed: same labels.
    pub seed: u64,
    pub load: LoadOptions,
    pub clean: CleanOptions,
    /// Behaviour features (frequency, monetary, avg_basket, recency_days) from a transaction log.
    pub transactions: Option<BehaviourOptions>,
    /// `[events]`: behaviour features from a web event log (see `events`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<crate::events::EventsOptions>,
    pub features: FeatureOptions,
    pub scale: ScaleOptions,
    pub reduce: ReduceOptions,
    pub cluster: ClusterOptions,
    pub segments: SegmentOptions,
    pub export: ExportOptions,
    /// `[derive]`: new column name → expression (see `expr`), computed after age/tenure and the
    /// behaviour features, in dependency order.
    pub derive: BTreeMap<String, String>,
    /// `[[rules]]`: the first whose `when` holds names the customer in `rule_segment`.
    pub rules: Vec<Rule>,
    /// `[lifecycle]`: the `lifecycle` column (New, Loyal, Active, At risk, Lapsed).
    pub lifecycle: Option<LifecycleOptions>,
    /// `[score]`: the `score` and `tier` columns.
    pub score: Option<ScoreOptions>,
}

/// What the files meant to leave the machine may carry (`[export]`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportOptions {
    /// Prefix CSV cells a spreadsheet would run as a formula with `'` (see `report::formula`).
    pub formula_escape: bool,
    /// Email, phone, name and address columns in segments.csv/.parquet.
    pub pii: PiiMode,
    /// The HMAC key for `pii = "hash"`. A secret: never written into any output (model.json,
    /// manifest.json, recipe copies), so hashes cannot be reversed by guessing from those files.
    #[serde(skip_serializing)]
    pub pii_salt: Option<String>,
}

/// The environment variable that supplies the salt when the recipe has none (e.g. for `apply`,
/// whose model.json does not store it).
pub const PII_SALT_ENV: &str = "SEGLAB_PII_SALT";

impl ExportOptions {
    /// The salt from the recipe, else from `SEGLAB_PII_SALT`; an empty salt counts as none.
    pub fn salt(&self) -> Option<String> {
        self.pii_salt
            .clone()
            .or_else(|| std::env::var(PII_SALT_ENV).ok())
            .filter(|s| !s.is_empty())
    }

    pub fn missing_salt_message() -> String {
        format!(
            "[export] pii_salt is required when [export] pii = \"hash\" (a secret of your own, \
             kept the same across runs so hashes join; or set {PII_SALT_ENV})"
        )
    }
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            formula_escape: true,
            pii: PiiMode::Drop,
            pii_salt: None,
        }
    }
}

/// Debug without the salt, so a logged recipe does not leak it.
impl std::fmt::Debug for ExportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOptions")
            .field("formula_escape", &self.formula_escape)
            .field("pii", &self.pii)
            .field("pii_salt", &self.pii_salt.as_ref().map(|_| "(set)"))
            .finish()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PiiMode {
    /// Leave the columns out.
    #[default]
    Drop,
    /// Replace each value by its HMAC-SHA256 (hex) under `pii_salt`.
    Hash,
    Keep,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            seed: 42,
            load: LoadOptions::default(),
            clean: CleanOptions::default(),
            transactions: None,
            events: None,
            features: FeatureOptions::default(),
            scale: ScaleOptions::default(),
            reduce: ReduceOptions::default(),
            cluster: ClusterOptions::default(),
            segments: SegmentOptions::default(),
            export: ExportOptions::default(),
            derive: BTreeMap::new(),
            rules: Vec::new(),
            lifecycle: None,
            score: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RecipeError {
    #[error("cannot read recipe {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// toml's message names the line, column and key.
    #[error("recipe {path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl Recipe {
    pub fn parse(text: &str, path: &Path) -> Result<Recipe, RecipeError> {
        if let Some((line, column)) = toml_too_deep(text) {
            return Err(RecipeError::Invalid {
                path: path.to_owned(),
                message: toml_depth_message(line, column),
            });
        }
        let recipe: Recipe = toml::from_str(text).map_err(|e| RecipeError::Invalid {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_string(),
        })?;
        if recipe.export.pii == PiiMode::Hash && recipe.export.salt().is_none() {
            return Err(RecipeError::Invalid {
                path: path.to_owned(),
                message: ExportOptions::missing_salt_message(),
            });
        }
        Ok(recipe)
    }

    pub fn from_file(path: &Path) -> Result<Recipe, RecipeError> {
        let text = std::fs::read_to_string(path).map_err(|source| RecipeError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut recipe = Recipe::parse(&text, path)?;
        // Relative to the recipe, made absolute now: `prepare_inputs` and `apply` (through the
        // fitted model) read it without knowing where the recipe was.
        if let Some(file) = recipe.events.as_mut().and_then(|e| e.file.as_mut()) {
            let joined = path.parent().unwrap_or(Path::new("")).join(&*file);
            *file = std::path::absolute(&joined)
                .unwrap_or(joined)
                .display()
                .to_string();
        }
        Ok(recipe)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_recipe_means_defaults() {
        let r = Recipe::parse("", Path::new("r.toml")).unwrap();
        assert_eq!(r, Recipe::default());
    }

    #[test]
    fn every_transactions_key_of_the_default_recipe_parses() {
        // The commented [transactions] block of assets/default_recipe.toml, switched on.
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/default_recipe.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let start = text.find("# [transactions]").unwrap();
        let block: String = text[start..]
            .lines()
            .take_while(|l| l.starts_with('#'))
            .map(|l| format!("{}\n", &l[2..]))
            .collect();
        let r = Recipe::parse(&block, Path::new("r.toml")).unwrap();
        let t = r.transactions.unwrap();
        assert_eq!(t.amount.as_deref(), Some("dollar_value"));
        assert_eq!(t.returns, crate::behaviour::Returns::Exclude);
        assert_eq!(
            (t.from.as_deref(), t.to.as_deref()),
            (Some("2010-12-01"), Some("2011-12-09"))
        );
        let bad = Recipe::parse("[transactions]\nreturns = \"keep\"\n", Path::new("r.toml"));
        let message = bad.unwrap_err().to_string();
        assert!(message.contains("expected `exclude` or `net`"), "{message}");
    }

    #[test]
    fn the_documented_defaults_are_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/default_recipe.toml");
        assert_eq!(Recipe::from_file(&path).unwrap(), Recipe::default());
    }

    #[test]
    fn round_trips_through_toml() {
        let text = r#"
seed = 7
[load]
delimiter = ";"
decimal = ","
types = { income = "number" }
date_formats = { birth_date = "dmy" }
[clean]
case_fold = ["email"]
dedup = { mode = "fuzzy", threshold = 0.92, merge = "most-recent", recent_by = "signup_date" }
missing = { knn_k = 3, columns = { income = "knn", city = "constant:Unknown" } }
outliers = { income = { method = "zscore", threshold = 3.5, action = "drop" } }
[features]
columns = ["income", "age"]
one_hot = ["channel"]
age_from = "birth_date"
as_of = "2026-01-01"
[scale]
method = "robust"
"#;
        let r = Recipe::parse(text, Path::new("r.toml")).unwrap();
        assert_eq!(r.seed, 7);
        assert_eq!(r.load.delimiter.0, Some(b';'));
        assert_eq!(r.clean.missing.knn_k, 3);
        let again = Recipe::parse(&r.to_toml(), Path::new("r.toml")).unwrap();
        assert_eq!(again, r);
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line_and_key() {
        let e = Recipe::parse("seed = 1\n[clean]\ntrimm = true\n", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("trimm"), "{e}");
        let e = Recipe::parse("[scale]\nmethod = \"zcore\"\n", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("zcore"), "{e}");
        let e = Recipe::parse(
            "[clean.missing]\ncolumns = { income = \"medain\" }\n",
            Path::new("r.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("line 2") && e.contains("medain"), "{e}");
    }

    #[test]
    fn hashing_pii_needs_a_salt_that_no_output_repeats() {
        let e = Recipe::parse("[export]\npii = \"hash\"\n", Path::new("r.toml"));
        // The environment may supply the salt; only check the error when it does not.
        if std::env::var(PII_SALT_ENV).is_err() {
            let e = e.unwrap_err().to_string();
            assert!(
                e.contains("r.toml") && e.contains("[export] pii_salt"),
                "{e}"
            );
        }
        let r = Recipe::parse(
            "[export]\npii = \"hash\"\npii_salt = \"s3cret\"\nformula_escape = false\n",
            Path::new("r.toml"),
        )
        .unwrap();
        assert_eq!(r.export.salt().as_deref(), Some("s3cret"));
        assert!(!r.export.formula_escape);
        let written = r.to_toml() + &serde_json::to_string(&r).unwrap() + &format!("{r:?}");
        assert!(!written.contains("s3cret"), "{written}");
        assert!(written.contains("hash"));
    }
}
