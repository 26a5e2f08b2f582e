//! `seglab demo-data`: the generated data set written as files, each atomically, never over
//! an existing file unless forced.

use seglab_engine::demo_data::{DemoData, DemoFile, DemoOptions, DemoSummary, FILE_NAMES};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Same options → byte-identical files, whatever the thread count.
pub fn write_demo_data(dir: &Path, opts: &DemoOptions) -> io::Result<DemoSummary> {
    let data = DemoData::plan(opts).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    fs::create_dir_all(dir)?;
    let paths: Vec<_> = FILE_NAMES.iter().map(|f| dir.join(f)).collect();
    if !opts.force {
        if let Some(p) = paths.iter().find(|p| p.symlink_metadata().is_ok()) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} already exists (use force to overwrite)", p.display()),
            ));
        }
    }
    let write = |file: DemoFile| write_atomic(&dir.join(file.file_name()), |w| data.write(file, w));
    // The people and the activity in parallel: each side is one long sequential write.
    let (people, activity) = rayon::join(
        || -> io::Result<()> {
            write(DemoFile::Customers)?;
            write(DemoFile::Truth)
        },
        || -> io::Result<()> {
            write(DemoFile::Transactions)?;
            write(DemoFile::WebEvents)
        },
    );
    people?;
    activity?;
    Ok(data.summary(paths))
}

/// Writes through a temporary sibling file renamed into place; on any error the temporary
/// file is removed and the target left as it was.
fn write_atomic(
    path: &Path,
    body: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(
        ".{name}.{}-{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        body(&mut w)?;
        w.flush()?;
        drop(w);
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
#[path = "demo_files_tests.rs"]
mod tests;
