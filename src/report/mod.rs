//! Writers: everything seglab puts on disk goes through here, atomically and never over an
//! existing file.

pub mod atomic;
pub mod clean_output;
pub mod inspect_text;
pub mod table_files;
