//! seglab's writers: everything seglab puts on disk goes through here, atomically and never over
//! an existing file: run and apply folders (segments, personas, manifest, model, charts), cleaned
//! tables, the inspect text, the demo data set. `signals` removes a half-written folder when the
//! process is told to stop. The engine produces; this crate writes; it never computes a result.

pub mod atomic;
pub mod charts;
pub mod clean_output;
pub mod compare_output;
pub mod demo_files;
pub mod formula;
pub mod input_files;
pub mod inspect_text;
pub mod personas;
pub mod pii;
pub mod rfm_output;
pub mod run_charts;
pub mod run_folder;
pub mod run_output;
pub mod signals;
pub mod stability_report;
pub mod table_files;
