//! Atomic output: files are written to a temporary name and renamed into place; an output folder
//! is built under a temporary name and renamed when complete, so a failure leaves nothing half-written.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Write `bytes` to `path` unless it exists: temp file in the same folder, flush, rename.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists; not overwriting it", path.display()),
        ));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// An output folder under construction. Dropped without `commit`, it disappears.
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Refuses a target that exists and is not an empty folder.
    pub fn create(target: &Path) -> io::Result<StagedDir> {
        if target.exists() {
            let empty_dir = target.is_dir() && fs::read_dir(target)?.next().is_none();
            if !empty_dir {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} already exists; choose a new --out folder (seglab never overwrites output)", target.display()),
                ));
            }
        }
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)?;
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging)?;
        }
        fs::create_dir(&staging)?;
        Ok(StagedDir {
            target: target.to_owned(),
            staging,
            committed: false,
        })
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.staging.join(file)
    }

    pub fn write(&self, file: &str, bytes: &[u8]) -> io::Result<()> {
        write_new_file(&self.path(file), bytes)
    }

    /// Stream a file into the folder (the folder as a whole is what appears atomically).
    pub fn write_with(
        &self,
        file: &str,
        fill: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut w = io::BufWriter::with_capacity(1 << 20, fs::File::create_new(self.path(file))?);
        fill(&mut w)?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    }

    pub fn commit(mut self) -> io::Result<PathBuf> {
        if self.target.is_dir() {
            fs::remove_dir(&self.target)?; // checked empty in create()
        }
        fs::rename(&self.staging, &self.target)?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_and_leaves_nothing_on_failure() {
        let root = std::env::temp_dir().join(format!("seglab-atomic-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let f = root.join("a.txt");
        write_new_file(&f, b"one").unwrap();
        assert!(write_new_file(&f, b"two").is_err());
        assert_eq!(fs::read(&f).unwrap(), b"one");

        let out = root.join("out");
        {
            let staged = StagedDir::create(&out).unwrap();
            staged.write("x.csv", b"1").unwrap();
        } // dropped without commit
        assert!(!out.exists());
        assert_eq!(fs::read_dir(&root).unwrap().count(), 1);

        let staged = StagedDir::create(&out).unwrap();
        staged.write("x.csv", b"1").unwrap();
        staged.commit().unwrap();
        assert_eq!(fs::read(out.join("x.csv")).unwrap(), b"1");
        assert!(StagedDir::create(&out).is_err());
        fs::remove_dir_all(&root).unwrap();
    }
}
