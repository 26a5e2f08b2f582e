//! Recently opened files, kept under the data dir (from `directories`), newest first.

use std::path::PathBuf;

const KEEP: usize = 10;

fn file() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "seglab")?;
    Some(dirs.data_dir().join("recent.txt"))
}

pub fn list() -> Vec<String> {
    file()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Best effort: a read-only home must not stop the workbench.
pub fn remember(path: &str) {
    let Some(f) = file() else { return };
    let abs = std::fs::canonicalize(path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.to_string());
    let mut items = list();
    items.retain(|p| *p != abs);
    items.insert(0, abs);
    items.truncate(KEEP);
    if let Some(dir) = f.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let tmp = f.with_extension("tmp");
    if std::fs::write(&tmp, items.join("\n") + "\n").is_ok() {
        let _ = std::fs::rename(&tmp, &f);
    }
}
