//! Atomic output: files are written to a temporary name and renamed into place; an output folder
//! is built under a temporary name (`.NAME.partial-PID`) and renamed when complete, so a failure
//! or a termination signal leaves nothing half-written. Every error names the path it concerns.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// `e` with the path it concerns in front (the OS's message names none), unless it names it.
pub fn at(path: &Path, e: io::Error) -> io::Error {
    let shown = path.display().to_string();
    if e.to_string().contains(&shown) {
        return e;
    }
    io::Error::new(e.kind(), format!("{shown}: {e}"))
}

fn parent_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Write `bytes` to `path` unless it exists: temp file in the same folder, flush, rename.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists; not overwriting it", path.display()),
        ));
    }
    let dir = parent_of(path);
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    crate::signals::register_staging(&tmp);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(())
    })();
    let result = crate::signals::finish_staging(&tmp, || {
        result
            .and_then(|()| fs::rename(&tmp, path))
            .inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })
    });
    result.map_err(|e| at(path, e))
}

/// Refuses an output folder that exists and is not empty, or whose nearest existing ancestor is
/// not a folder, without creating anything (the input is checked before any folder appears).
pub fn check_target(target: &Path) -> io::Result<()> {
    if target.exists() {
        let empty_dir = target.is_dir()
            && fs::read_dir(target)
                .map_err(|e| at(target, e))?
                .next()
                .is_none();
        if !empty_dir {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} already exists; choose a new --out folder (seglab never overwrites output)",
                    target.display()
                ),
            ));
        }
        return Ok(());
    }
    let mut ancestor = parent_of(target);
    while !ancestor.exists() {
        match ancestor.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => ancestor = p,
            None => return Ok(()),
        }
    }
    if !ancestor.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!(
                "{}: not a folder, so {} cannot be created in it",
                ancestor.display(),
                target.display()
            ),
        ));
    }
    Ok(())
}

/// An output folder under construction. Dropped without `commit`, it disappears; a termination
/// signal removes it too (`crate::signals`).
pub struct StagedDir {
    target: PathBuf,
    staging: PathBuf,
    committed: bool,
}

impl StagedDir {
    /// Refuses a target that exists and is not an empty folder. Removes staging folders that
    /// earlier runs into the same parent left behind when they were killed.
    pub fn create(target: &Path) -> io::Result<StagedDir> {
        check_target(target)?;
        let parent = parent_of(target);
        fs::create_dir_all(parent).map_err(|e| at(parent, e))?;
        remove_stale_staging(parent);
        let name = target.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let staging = parent.join(format!(".{name}.partial-{}", std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| at(&staging, e))?;
        }
        // Named as the user knows it: the --out folder, not its staging name.
        fs::create_dir(&staging).map_err(|e| at(target, e))?;
        crate::signals::register_staging(&staging);
        Ok(StagedDir {
            target: target.to_owned(),
            staging,
            committed: false,
        })
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.staging.join(file)
    }

    /// Where `file` will be once committed: what error messages name.
    fn final_path(&self, file: &str) -> PathBuf {
        self.target.join(file)
    }

    pub fn write(&self, file: &str, bytes: &[u8]) -> io::Result<()> {
        write_new_file(&self.path(file), bytes).map_err(|e| self.rename_in_error(file, e))
    }

    /// Stream a file into the folder (the folder as a whole is what appears atomically).
    pub fn write_with(
        &self,
        file: &str,
        fill: impl FnOnce(&mut io::BufWriter<fs::File>) -> io::Result<()>,
    ) -> io::Result<()> {
        let result = (|| {
            let mut w =
                io::BufWriter::with_capacity(1 << 20, fs::File::create_new(self.path(file))?);
            fill(&mut w)?;
            w.into_inner().map_err(|e| e.into_error())?.sync_all()
        })();
        result.map_err(|e| at(&self.final_path(file), e))
    }

    /// `write_new_file` names the staging path; the user knows the --out path.
    fn rename_in_error(&self, file: &str, e: io::Error) -> io::Error {
        let staged = self.path(file).display().to_string();
        let shown = self.final_path(file).display().to_string();
        io::Error::new(e.kind(), e.to_string().replace(&staged, &shown))
    }

    pub fn commit(mut self) -> io::Result<PathBuf> {
        let (staging, target) = (self.staging.clone(), self.target.clone());
        crate::signals::finish_staging(&staging, || {
            if target.is_dir() {
                fs::remove_dir(&target).map_err(|e| at(&target, e))?; // checked empty in create()
            }
            fs::rename(&staging, &target).map_err(|e| at(&target, e))
        })?;
        self.committed = true;
        Ok(self.target.clone())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.committed {
            crate::signals::finish_staging(&self.staging, || {
                let _ = fs::remove_dir_all(&self.staging);
            });
        }
    }
}

/// Deletes `.NAME.partial-PID` folders in `parent` whose process is gone (killed with -9, or
/// the machine went down). A live process's folder is another run in progress: left alone.
fn remove_stale_staging(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(staging_pid) else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The PID in a staging folder's name `.NAME.partial-PID`.
fn staging_pid(name: &str) -> Option<u32> {
    let (head, pid) = name.rsplit_once(".partial-")?;
    if !head.starts_with('.') || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    true // no cheap check: never delete what may be another run's
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

    #[cfg(unix)]
    #[test]
    fn staging_names_and_dead_processes() {
        assert_eq!(staging_pid(".run.partial-123"), Some(123));
        assert_eq!(staging_pid(".a.partial-b.partial-7"), Some(7));
        assert_eq!(staging_pid("run.partial-123"), None);
        assert_eq!(staging_pid(".run.partial-"), None);
        assert_eq!(staging_pid(".run.partial-12x"), None);
        assert!(process_alive(std::process::id()));
        // A child that has exited and been waited for no longer exists.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        assert!(!process_alive(dead));
    }

    #[cfg(unix)]
    #[test]
    fn stale_staging_of_dead_runs_is_removed_and_live_ones_kept() {
        let root = std::env::temp_dir().join(format!("seglab-stale-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let stale = root.join(format!(".old.partial-{dead}"));
        fs::create_dir(&stale).unwrap();
        fs::write(stale.join("segments.csv"), "id,email\n1,a@b.c\n").unwrap();
        let parent_pid = std::os::unix::process::parent_id();
        let live = root.join(format!(".other.partial-{parent_pid}"));
        fs::create_dir(&live).unwrap();
        let staged = StagedDir::create(&root.join("new")).unwrap();
        assert!(!stale.exists(), "a dead run's staging folder is removed");
        assert!(live.exists(), "a live process's staging folder is kept");
        drop(staged);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn errors_name_the_path_and_nothing_is_created_early() {
        let root = std::env::temp_dir().join(format!("seglab-errpath-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let file = root.join("a-file");
        fs::write(&file, "x").unwrap();
        let under_file = file.join("out");
        let e = check_target(&under_file).unwrap_err().to_string();
        assert!(e.contains(&file.display().to_string()), "{e}");
        let e = StagedDir::create(&under_file).err().unwrap().to_string();
        assert!(e.contains(&file.display().to_string()), "{e}");
        let deep = root.join("x/y/out");
        check_target(&deep).unwrap();
        assert!(!root.join("x").exists(), "checking creates no folder");
        let staged = StagedDir::create(&deep).unwrap();
        staged.write("a.csv", b"1").unwrap();
        let e = staged.write("a.csv", b"2").unwrap_err().to_string();
        assert!(e.contains(&deep.join("a.csv").display().to_string()), "{e}");
        assert!(!e.contains(".partial-"), "{e}");
        let e = staged
            .write_with("a.csv", |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(e.contains(&deep.join("a.csv").display().to_string()), "{e}");
        let full = staged
            .write_with("b.csv", |_| Err(io::Error::from_raw_os_error(28)))
            .unwrap_err()
            .to_string();
        let want = format!("{}: No space left on device", deep.join("b.csv").display());
        assert!(full.starts_with(&want), "{full}");
        fs::remove_dir_all(&root).unwrap();
    }
}
