//! `model.json`: everything needed to label new customers the way a run labelled its own —
//! the fitted data preparation, the optional PCA, the centroids and the segment names.

use crate::engine::behaviour::Behaviour;
use crate::engine::features::FeatureMatrix;
use crate::engine::pipeline::{FittedFeatures, PipelineError};
use crate::engine::reduce::pca::PcaModel;
use crate::engine::segment::{nearest, Algorithm, CorePoints};
use crate::engine::table::Table;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentName {
    pub id: usize,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentModel {
    pub seglab_version: String,
    /// The recipe of the run (its load options read the new file the same way).
    pub recipe: crate::recipe::Recipe,
    pub fitted: FittedFeatures,
    pub pca: Option<PcaModel>,
    pub algorithm: Algorithm,
    /// Columns of the space the centroids live in (after PCA when used).
    pub n_cols: usize,
    pub centroids: Vec<f64>,
    /// DBSCAN only: new rows take the cluster of a core point within eps, or are noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub core_points: Option<CorePoints>,
    pub segments: Vec<SegmentName>,
}

/// New customers, labelled: the prepared features and each row's segment.
pub struct Applied {
    pub features: FeatureMatrix,
    /// None: DBSCAN noise.
    pub labels: Vec<Option<usize>>,
}

impl SegmentModel {
    pub fn apply(
        &self,
        table: &Table,
        behaviour: Option<&Behaviour>,
    ) -> Result<Applied, PipelineError> {
        let features = self.fitted.transform(table, behaviour)?;
        let space = match &self.pca {
            Some(p) => p.transform(&features.data),
            None => features.data.clone(),
        };
        let labels = match &self.core_points {
            Some(core) => core.label(&space, self.n_cols),
            None => nearest(&space, self.n_cols, &self.centroids)
                .into_iter()
                .map(Some)
                .collect(),
        };
        Ok(Applied { features, labels })
    }

    pub fn name_of(&self, id: usize) -> &str {
        self.segments
            .iter()
            .find(|s| s.id == id)
            .map_or("", |s| s.name.as_str())
    }
}
