//! seglab: a terminal workbench for customer segmentation. This crate is the binary's: the
//! command line (`cli`) and the workbench (`tui`), which call the engine (`seglab-engine`) and
//! write through the report layer (`seglab-report`). Both are re-exported under their old
//! paths (`seglab::engine`, `seglab::report`) for the tests and benchmarks.

pub use seglab_engine as engine;
pub use seglab_engine::recipe;
pub use seglab_report as report;
pub use seglab_report::signals;

pub mod cli;
pub mod config;
pub mod tui;
