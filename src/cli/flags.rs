//! The everyday options as flags that override the recipe, so a one-off run needs no file.

use crate::engine::clean::MissingRule;
use crate::engine::scale::ScaleMethod;
use crate::engine::segment::Algorithm;
use crate::recipe::{ExportOptions, PiiMode, Recipe};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScaleFlag {
    Zscore,
    Minmax,
    Robust,
    None,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ImputeFlag {
    Median,
    Mean,
    Mode,
    Knn,
    Drop,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum AlgoFlag {
    Kmeans,
    Hierarchical,
    Dbscan,
}

#[derive(Args, Debug, Default)]
pub struct RunFlags {
    /// Feature columns, e.g. income,age,tenure_days.
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    #[arg(long, value_enum)]
    pub scale: Option<ScaleFlag>,
    /// Missing-value rule for numeric features.
    #[arg(long, value_enum)]
    pub impute: Option<ImputeFlag>,
    #[arg(long, value_enum)]
    pub algo: Option<AlgoFlag>,
    /// Number of segments (default: the sweep's recommendation).
    #[arg(long)]
    pub k: Option<usize>,
    /// Range of k for the sweep, e.g. 2..10.
    #[arg(long, value_parser = parse_range)]
    pub k_range: Option<(usize, usize)>,
    #[arg(long)]
    pub n_init: Option<usize>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Silhouette on a seeded sample of this many rows above it (0 = always exact).
    #[arg(long)]
    pub silhouette_sample: Option<usize>,
    /// Bootstrap resamples for segment stability (clusterboot) and the seed ARI; 0 = off.
    #[arg(long)]
    pub stability_resamples: Option<usize>,
    /// Transaction log for behaviour features (overrides the recipe's transactions.file);
    /// without a customer table, the customers are the log's buyers.
    #[arg(long)]
    pub transactions: Option<PathBuf>,
    /// Date recency, age and tenure are counted to, YYYY-MM-DD (overrides features.as_of;
    /// default: the day after the log's last purchase, else today).
    #[arg(long)]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub export: ExportFlags,
}

/// `--no-formula-escape` (clean, run, apply).
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct EscapeFlag {
    /// Write CSV cells that start with = + - @ tab or CR as they are, for programs that read the
    /// files (a spreadsheet may run such cells as formulas). Same as [export] formula_escape = false.
    #[arg(long)]
    pub no_formula_escape: bool,
}

impl EscapeFlag {
    pub fn apply_to(&self, e: &mut ExportOptions) {
        if self.no_formula_escape {
            e.formula_escape = false;
        }
    }
}

/// What segments.csv / .parquet may carry (run, apply).
#[derive(Args, Clone, Copy, Debug, Default)]
pub struct ExportFlags {
    #[command(flatten)]
    pub escape: EscapeFlag,
    /// Keep email, phone, name and address columns in segments.csv/.parquet (dropped by
    /// default). Same as [export] pii = "keep".
    #[arg(long)]
    pub include_pii: bool,
}

impl ExportFlags {
    pub fn apply_to(&self, e: &mut ExportOptions) {
        self.escape.apply_to(e);
        if self.include_pii {
            e.pii = PiiMode::Keep;
        }
    }
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or("write the range as MIN..MAX, e.g. 2..10")?;
    let a = a
        .trim()
        .parse()
        .map_err(|_| format!("'{a}' is not a whole number"))?;
    let b = b
        .trim()
        .trim_start_matches('=')
        .parse()
        .map_err(|_| format!("'{b}' is not a whole number"))?;
    Ok((a, b))
}

impl RunFlags {
    pub fn apply_to(&self, r: &mut Recipe) {
        if self.as_of.is_some() {
            r.features.as_of.clone_from(&self.as_of);
        }
        if let Some(f) = &self.features {
            r.features.columns = f.clone();
        }
        if let Some(s) = self.scale {
            r.scale.method = match s {
                ScaleFlag::Zscore => ScaleMethod::Zscore,
                ScaleFlag::Minmax => ScaleMethod::Minmax,
                ScaleFlag::Robust => ScaleMethod::Robust,
                ScaleFlag::None => ScaleMethod::None,
            };
        }
        if let Some(i) = self.impute {
            r.clean.missing.default_numeric = match i {
                ImputeFlag::Median => MissingRule::Median,
                ImputeFlag::Mean => MissingRule::Mean,
                ImputeFlag::Mode => MissingRule::Mode,
                ImputeFlag::Knn => MissingRule::Knn,
                ImputeFlag::Drop => MissingRule::Drop,
            };
        }
        if let Some(a) = self.algo {
            r.cluster.algorithm = match a {
                AlgoFlag::Kmeans => Algorithm::Kmeans,
                AlgoFlag::Hierarchical => Algorithm::Hierarchical,
                AlgoFlag::Dbscan => Algorithm::Dbscan,
            };
        }
        if self.k.is_some() {
            r.cluster.k = self.k;
        }
        if let Some((a, b)) = self.k_range {
            r.cluster.k_min = a;
            r.cluster.k_max = b;
        }
        if let Some(n) = self.n_init {
            r.cluster.n_init = n;
        }
        if let Some(s) = self.seed {
            r.seed = s;
        }
        if let Some(s) = self.silhouette_sample {
            r.cluster.silhouette_sample = s;
        }
        if let Some(b) = self.stability_resamples {
            r.cluster.stability_resamples = b;
        }
        self.export.apply_to(&mut r.export);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_recipe() {
        let flags = RunFlags {
            k: Some(4),
            k_range: Some((3, 6)),
            scale: Some(ScaleFlag::Robust),
            seed: Some(9),
            ..Default::default()
        };
        let mut r = Recipe::default();
        flags.apply_to(&mut r);
        assert_eq!(
            (r.cluster.k, r.cluster.k_min, r.cluster.k_max, r.seed),
            (Some(4), 3, 6, 9)
        );
        assert_eq!(r.scale.method, ScaleMethod::Robust);
        assert_eq!(r.export, ExportOptions::default());
        let export = ExportFlags {
            escape: EscapeFlag {
                no_formula_escape: true,
            },
            include_pii: true,
        };
        export.apply_to(&mut r.export);
        assert!(!r.export.formula_escape && r.export.pii == PiiMode::Keep);
        assert_eq!(parse_range("2..=10"), Ok((2, 10)));
        assert!(parse_range("2-10").is_err());
    }
}
