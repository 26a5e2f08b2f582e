//! Termination signals and leftovers of `seglab run` / `seglab clean`: a signal during the write
//! phase removes the half-written output folder (personal data) and exits 128 + signal; staging
//! folders of killed runs are removed by the next run into the same parent; a rejected input
//! creates no folder; OS errors name the path they concern.

mod common;

use common::{sample, text, Scratch};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Entries of `dir` whose name starts with `prefix`.
fn entries_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// Starts `seglab ARGS`, sends `signal` as soon as `dir/.out.partial-PID` appears (the write
/// phase has begun), and returns the exit code and stderr.
fn signal_during_write(args: &[&str], dir: &Path, signal: &str) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seglab"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let staging = format!(".out.partial-{}", child.id());
    let start = Instant::now();
    loop {
        if !entries_starting(dir, &staging).is_empty() {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "seglab ended ({status}) before its write phase was seen: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(start.elapsed() < Duration::from_secs(300), "no write phase");
        std::thread::sleep(Duration::from_micros(500));
    }
    let sent = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_signal_during_the_write_phase_of_run_leaves_nothing() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let s = Scratch::new(&format!("sig-run-{signal}"));
        let out = s.path("out");
        let args = ["run", "--out", out.to_str().unwrap()];
        let (got, stderr) = signal_during_write(&args, &s.0, signal);
        assert_eq!(got, Some(code), "SIG{signal}: {stderr}");
        assert!(!out.exists(), "no --out folder after SIG{signal}");
        let left: Vec<_> = std::fs::read_dir(&s.0).unwrap().flatten().collect();
        assert!(left.is_empty(), "left behind after SIG{signal}: {left:?}");
    }
}

#[test]
fn a_signal_during_the_write_phase_of_clean_leaves_nothing() {
    let s = Scratch::new("sig-clean");
    let out = s.path("out");
    let recipe = sample("recipe.toml");
    let input = sample("customers.csv");
    let args = [
        "clean",
        "--recipe",
        recipe.to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let (got, stderr) = signal_during_write(&args, &s.0, "TERM");
    assert_eq!(got, Some(143), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(&s.0).unwrap().flatten().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A PID no process has: a child that has exited and been waited for.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn staging_folders_of_dead_runs_are_removed_by_the_next_run() {
    let s = Scratch::new("stale-partial");
    let stale = s.path(&format!(".last-month.partial-{}", dead_pid()));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(
        stale.join("segments.csv"),
        "customer_id,email\n1,ann@example.com\n",
    )
    .unwrap();
    // This test's own PID is alive: another run in progress, left alone.
    let live = s.path(&format!(".other.partial-{}", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    let out = s.path("out");
    let o = common::seglab(&["run", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(!stale.exists(), "the dead run's staging folder is removed");
    assert!(live.exists(), "a live process's staging folder is kept");
    assert!(out.join("segments.csv").is_file());
}

#[test]
fn a_rejected_input_creates_no_output_folder() {
    let s = Scratch::new("no-parent");
    let bad = s.file("blob.csv", &[0, 159, 146, 150, 0, 255, 0, 1]);
    let out = s.path("a/b/out");
    for cmd in ["run", "clean"] {
        let o = common::seglab(&[cmd, bad.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{cmd}: {}", text(&o).1);
        assert!(text(&o).1.contains("blob.csv"), "{cmd}: {}", text(&o).1);
        assert!(!s.path("a").exists(), "{cmd} created the --out parent");
    }
}

#[test]
fn os_errors_name_the_path() {
    let s = Scratch::new("os-errors");
    let file = s.file("notes.txt", b"keep me\n");
    let recipe = sample("recipe.toml");
    let input = sample("customers.csv");
    let clean = |out: &Path| {
        common::seglab(&[
            "clean",
            "--recipe",
            recipe.to_str().unwrap(),
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    // A file where a folder is needed, and an existing file as --out.
    for out in [file.join("out"), file.clone()] {
        let o = clean(&out);
        let err = text(&o).1;
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&file.display().to_string()),
            "names {}: {err}",
            file.display()
        );
        assert_eq!(std::fs::read(&file).unwrap(), b"keep me\n");
    }
    // A folder without write permission (root may write anyway: then nothing to check).
    let locked = s.path("locked");
    std::fs::create_dir(&locked).unwrap();
    let mut perms = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&locked, perms).unwrap();
    if std::fs::write(locked.join("probe"), b"").is_err() {
        let o = clean(&locked.join("out"));
        let err = text(&o).1;
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains("Permission denied"), "{err}");
        assert!(err.contains(&locked.display().to_string()), "{err}");
    }
    let mut perms = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&locked, perms).unwrap();
}
