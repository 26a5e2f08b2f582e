//! Writers: everything seglab puts on disk goes through here, atomically and never over an
//! existing file.

pub mod atomic;
pub mod charts;
pub mod clean_output;
pub mod demo_files;
pub mod formula;
pub mod input_files;
pub mod inspect_text;
pub mod personas;
pub mod pii;
pub mod run_charts;
pub mod run_output;
pub mod table_files;
