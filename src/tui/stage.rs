//! The stages of the workbench's pipeline, and which of them a recipe change invalidates.

use crate::recipe::Recipe;

/// Which later stages a recipe change invalidates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Load,
    Prepare,
    Cluster,
    Names,
}

impl Stage {
    /// The earliest stage that differs between two recipes.
    pub fn between(a: &Recipe, b: &Recipe) -> Stage {
        if a.load != b.load {
            Stage::Load
        } else if a.clean != b.clean
            || a.features != b.features
            || a.scale != b.scale
            || a.transactions != b.transactions
            || a.events != b.events
        {
            Stage::Prepare
        } else if a.segments != b.segments && a.cluster == b.cluster && a.reduce == b.reduce {
            Stage::Names
        } else {
            Stage::Cluster
        }
    }
}
