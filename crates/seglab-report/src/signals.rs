//! Termination signals (SIGINT, SIGTERM, SIGHUP, SIGQUIT) must leave nothing behind: output
//! folders under construction are registered here and removed, the workbench restores the
//! terminal, and the process exits with the conventional code 128 + signal number.
//!
//! A dedicated thread receives the signals (signal-hook), so the cleanup runs as ordinary code,
//! not inside a signal handler. The workbench is given a moment to restore the terminal from its
//! own thread (no escape sequences interleaved with a frame being drawn); a second signal, or a
//! UI stuck in a long step, ends the process from the signal thread.

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The signals that end seglab in order.
pub const TERMINATING: [i32; 4] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT];

/// How long the UI loop (which polls at least every 250 ms) gets to restore the terminal itself.
const UI_GRACE: Duration = Duration::from_secs(2);

/// The first termination signal received (0: none).
static RECEIVED: AtomicI32 = AtomicI32::new(0);
/// Set by the one thread that performs the cleanup and exits.
static TERMINATING_NOW: AtomicBool = AtomicBool::new(false);
/// Output folders and files being built (`report::atomic`).
static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
/// Puts the terminal back while the workbench owns it.
static UI_RESTORE: Mutex<Option<fn()>> = Mutex::new(None);

/// The shell's convention for a process ended by `signal`.
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}

/// Starts the thread that handles termination signals; call once, early in `main`.
pub fn install() -> std::io::Result<()> {
    let mut signals = signal_hook::iterator::Signals::new(TERMINATING)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(signal);
            }
        })?;
    Ok(())
}

fn on_signal(signal: i32) {
    let first = RECEIVED
        .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok();
    if first && lock(&UI_RESTORE).is_some() {
        // The UI loop notices `received()` and calls `terminate` after restoring; if it does
        // not within the grace period, do it from here.
        let _ = std::thread::Builder::new()
            .name("signal-grace".into())
            .spawn(move || {
                std::thread::sleep(UI_GRACE);
                terminate(signal)
            });
        return;
    }
    terminate(if first {
        signal
    } else {
        RECEIVED.load(Ordering::SeqCst)
    })
}

/// The termination signal received so far, if any.
pub fn received() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

/// Removes the output folders under construction, restores the terminal if the workbench owns
/// it, and exits with 128 + `signal`. Called by several threads at once, only the first acts;
/// the others wait for the exit.
pub fn terminate(signal: i32) -> ! {
    if TERMINATING_NOW.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    remove_staging();
    if let Some(restore) = lock(&UI_RESTORE).take() {
        restore();
    }
    std::process::exit(exit_code(signal))
}

/// While set, a signal restores the terminal with `restore` before the process exits.
pub fn set_ui_restore(restore: Option<fn()>) {
    *lock(&UI_RESTORE) = restore;
}

/// Marks `dir` (an output folder or temporary file under construction) for removal by a
/// termination signal.
pub fn register_staging(dir: &Path) {
    lock(&STAGING).push(dir.to_owned());
}

/// Runs `publish` (the rename that makes the folder final, or its removal) with the registry
/// locked, so a signal sees the folder either whole under its staging name or gone from it,
/// then forgets `dir`.
pub fn finish_staging<R>(dir: &Path, publish: impl FnOnce() -> R) -> R {
    let mut staging = lock(&STAGING);
    let result = publish();
    staging.retain(|d| d != dir);
    result
}

fn remove_staging() {
    for path in lock(&STAGING).iter() {
        remove_path(path);
    }
}

/// Removes a folder or file; another thread may still be writing into it: retry until gone.
fn remove_path(path: &Path) {
    for _ in 0..20 {
        let removed = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        match removed {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                std::thread::sleep(Duration::from_millis(5))
            }
            _ if path.exists() => std::thread::sleep(Duration::from_millis(5)),
            _ => break,
        }
    }
}

/// A panic elsewhere must not disable the cleanup.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_paths_are_removed_and_finished_ones_forgotten() {
        let root = std::env::temp_dir().join(format!("seglab-signals-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (dir, file, done) = (
            root.join(".out.partial-1"),
            root.join(".r.tmp-1"),
            root.join("kept"),
        );
        std::fs::create_dir_all(dir.join("charts")).unwrap();
        std::fs::write(dir.join("segments.csv"), "id,email\n1,a@b.c\n").unwrap();
        std::fs::write(&file, "x").unwrap();
        std::fs::create_dir(&done).unwrap();
        // Other tests register folders concurrently: only this test's paths are touched.
        for p in [&dir, &file, &done] {
            register_staging(p);
        }
        finish_staging(&done, || ());
        let registered = lock(&STAGING).clone();
        assert!(registered.contains(&dir) && registered.contains(&file));
        assert!(
            !registered.contains(&done),
            "a finished folder is forgotten"
        );
        for p in [&dir, &file] {
            remove_path(p);
            finish_staging(p, || ());
        }
        assert!(!dir.exists() && !file.exists());
        assert!(done.exists());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn exit_codes_follow_the_shell_convention() {
        assert_eq!(TERMINATING.map(exit_code), [130, 143, 129, 131]);
    }
}
