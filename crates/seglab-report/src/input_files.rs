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

/// The file's SHA-256, read in blocks (a log can be larger than memory); "" when unreadable.
fn sha256_of(path: &Path) -> String {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else {
        return String::new();
    };
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return String::new(),
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
