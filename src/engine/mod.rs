//! The engine: every step is a function of (data, options) that returns data plus a report.
//! No UI code here; the CLI, the TUI and the tests all drive these functions.

pub mod behaviour;
pub mod clean;
pub mod cluster;
pub mod dedup;
pub mod demo_data;
pub mod distance;
pub mod features;
pub mod frame;
pub mod inputs;
pub mod inspect;
pub mod job;
pub mod load;
pub mod matrix;
pub mod metrics;
pub mod model;
pub mod outcome;
pub mod params;
pub mod personas;
pub mod preparation;
pub mod profile;
pub mod reduce;
pub mod rng;
pub mod row_status;
pub mod run_options;
pub mod scale;
pub mod scoring;
pub mod segment;
pub mod segmenting;
pub mod stats;
pub mod sweep;
pub mod table;
pub mod text_column;
