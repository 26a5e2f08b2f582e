//! The input files a run read, named with their SHA-256 in the manifest so a run can be traced
//! to the exact data it saw. Reading them again is file work, kept out of the engine.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputFile {
    pub file: String,
    /// Empty when the file cannot be read again (it was moved, or it was never a file).
    pub sha256: String,
}

pub fn describe(paths: &[PathBuf]) -> Vec<InputFile> {
    paths
        .iter()
        .map(|p| InputFile {
            file: p.display().to_string(),
            sha256: sha256_of(p),
        })
        .collect()
}

fn sha256_of(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(bytes) => Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        Err(_) => String::new(),
    }
}
