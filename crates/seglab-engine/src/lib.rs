//! seglab's engine: the whole segmentation run, from any input `Source` to a `RunOutcome`, and
//! `apply` on new customers. Every step is a function of (data, options) that returns data plus a
//! report of what it did. No terminal, no charts, no command line, no output files: the CLI and
//! the workbench (the `seglab` crate) call it, and `seglab-report` writes what it produced.
//!
//! The run: `inputs::prepare_inputs` (load once, inspect, `preparation`) →
//! `segmenting::segment_prepared` (k limits, PCA, `segment`) → `outcome::RunOutcome::build`
//! (profiles, personas, model, row status). `scoring::score_batch` applies a model.

pub mod assignment;
pub mod behaviour;
pub mod clean;
pub mod cluster;
pub mod compare;
pub mod dedup;
pub mod default_features;
pub mod demo_data;
pub mod derived_columns;
pub mod distance;
pub mod events;
pub mod expr;
pub mod features;
pub mod final_labels;
pub mod frame;
pub mod inputs;
pub mod inspect;
pub mod job;
pub mod labels;
pub mod load;
pub mod matrix;
pub mod metrics;
pub mod model;
pub mod other_columns;
pub mod outcome;
pub mod params;
pub mod personal_data;
pub mod personas;
pub mod preparation;
pub mod profile;
pub mod recipe;
pub mod reduce;
pub mod rfm;
pub mod rng;
pub mod row_status;
pub mod run_options;
pub mod scale;
pub mod scoring;
pub mod segment;
pub mod segment_names;
pub mod segmenting;
pub mod stability;
pub mod stats;
pub mod sweep;
pub mod table;
pub mod text_column;
pub mod wording;
