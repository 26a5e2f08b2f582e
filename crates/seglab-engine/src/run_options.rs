//! Recipe tables for the steps after the data layer: reduction, and segment naming.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The recipe's `[reduce]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReduceOptions {
    /// Cluster on principal components: keep this many (takes precedence over pca_variance).
    pub pca_components: Option<usize>,
    /// Cluster on the principal components that explain this share of variance, e.g. 0.9.
    pub pca_variance: Option<f64>,
    /// Also draw a t-SNE picture (seeded; pictures only, never a clustering input).
    pub tsne: bool,
    pub perplexity: f64,
}

impl Default for ReduceOptions {
    fn default() -> Self {
        ReduceOptions {
            pca_components: None,
            pca_variance: None,
            tsne: false,
            perplexity: 30.0,
        }
    }
}

/// The recipe's `[segments]` table.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SegmentOptions {
    /// Rename segments by id: { "0" = "VIP", "3" = "Win-back" }. Does not follow re-runs;
    /// `names` does.
    pub rename: BTreeMap<String, String>,
    /// Names kept with the segment's identity (`[[segments.names]]`), matched on every run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<crate::segment_names::NamedSegment>,
    /// Category columns whose top values each persona lists (default: the one-hot features).
    pub categories: Vec<String>,
}
