//! Running inputs in a child process (this test binary, re-invoked), so that a stack overflow
//! or an abort — which kills the process — is seen and pinned to the input that caused it.
//!
//! The child prints `@@BEGIN <index>` before and `@@END <index> <outcome>` after each input;
//! an index begun but never ended is the one that killed it, and a new child carries on
//! with the inputs after it.

use crate::targets::{Scratch, Target};
use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The environment variable naming the list of inputs a replay child runs.
pub const REPLAY_LIST: &str = "FUZZ_REPLAY_LIST";

/// What one input did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No panic (an error is a fine answer to bad input).
    Clean,
    /// A panic, with where and what.
    Panic(String),
    /// The process died (stack overflow, abort, out of memory) or hung.
    Died(String),
}

impl Outcome {
    pub fn describe(&self) -> String {
        match self {
            Outcome::Clean => "no crash (not reproducible)".into(),
            Outcome::Panic(at) => format!("panic at {at}"),
            Outcome::Died(why) => format!("process died: {why}"),
        }
    }
}

static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// A quiet panic hook that remembers where the last panic happened (file:line and message).
pub fn install_panic_recorder() {
    panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown".into());
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let short: String = message.chars().take(120).collect();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(format!("{location}: {}", short.replace('\n', " ")));
    }));
}

/// Runs one input in this process; `Err(where and what)` when it panicked.
pub fn run_caught(target: Target, scratch: &Scratch, input: &[u8]) -> Result<String, String> {
    *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
    panic::catch_unwind(AssertUnwindSafe(|| target.exec(scratch, input))).map_err(|_| {
        LAST_PANIC
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_else(|| "panic without a location".into())
    })
}

/// The stack every input runs on: that of a thread seglab spawns (the TUI loads files on
/// job threads), smaller than the main thread's.
pub const EXEC_STACK: usize = 2 * 1024 * 1024;

/// Child side: run every listed `target<TAB>path` and report each outcome on stdout.
pub fn child_main(list: &Path) {
    install_panic_recorder();
    let text = std::fs::read_to_string(list).expect("read the replay list");
    let items: Vec<(Target, PathBuf)> = text
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(t, p)| {
            (
                Target::from_name(t).expect("known target"),
                PathBuf::from(p),
            )
        })
        .collect();
    let worker = std::thread::Builder::new()
        .stack_size(EXEC_STACK)
        .spawn(move || {
            let scratch = Scratch::new("replay");
            let mut out = std::io::stdout();
            for (i, (target, path)) in items.iter().enumerate() {
                let input = std::fs::read(path).expect("read a corpus file");
                let _ = writeln!(out, "@@BEGIN {i}");
                let _ = out.flush();
                let outcome = match run_caught(*target, &scratch, &input) {
                    Ok(_) => "clean".to_string(),
                    Err(p) => format!("panic {p}"),
                };
                let _ = writeln!(out, "@@END {i} {outcome}");
                let _ = out.flush();
            }
        })
        .expect("spawn the replay thread");
    worker
        .join()
        .expect("the replay thread reports panics itself");
}

/// The command that re-runs this test binary as a child doing `test_name`, its address
/// space capped (when `prlimit` exists) so a runaway allocation aborts the child only.
pub fn child_command(test_name: &str) -> Command {
    let exe = std::env::current_exe().expect("the test binary's path");
    let args = [
        test_name,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ];
    let mut cmd = if Path::new("/usr/bin/prlimit").exists() {
        let mut c = Command::new("/usr/bin/prlimit");
        c.arg(format!("--as={}", 4u64 << 30)).arg("--").arg(exe);
        c
    } else {
        Command::new(exe)
    };
    cmd.args(args);
    cmd
}

/// An input still running after this long counts as a hang.
pub const HANG_SECONDS: u64 = 30;

/// Runs one replay child with its output in files (no pipe to fill up); kills it when it
/// prints nothing for `HANG_SECONDS`. Returns its status, stdout, stderr and whether it hung.
fn run_child(list: &Path, dir: &Path) -> (std::process::ExitStatus, String, String, bool) {
    let (out_path, err_path) = (dir.join("stdout"), dir.join("stderr"));
    let mut child = child_command("fuzz_replay_child")
        .env(REPLAY_LIST, list)
        .stdout(std::fs::File::create(&out_path).expect("create the child's stdout"))
        .stderr(std::fs::File::create(&err_path).expect("create the child's stderr"))
        .spawn()
        .expect("start a replay child");
    let (mut seen, mut since, mut hung) = (0, std::time::Instant::now(), false);
    let status = loop {
        if let Some(status) = child.try_wait().expect("poll the replay child") {
            break status;
        }
        let len = std::fs::metadata(&out_path).map_or(0, |m| m.len());
        if len != seen {
            (seen, since) = (len, std::time::Instant::now());
        } else if since.elapsed().as_secs() >= HANG_SECONDS {
            hung = true;
            let _ = child.kill();
            break child.wait().expect("reap the replay child");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    (status, read(&out_path), read(&err_path), hung)
}

/// Parent side: the outcome of every input, each run in a child process (one child runs many
/// until one of them kills it).
pub fn replay(items: &[(Target, PathBuf)]) -> Vec<Outcome> {
    let mut outcomes: Vec<Option<Outcome>> = vec![None; items.len()];
    // One folder per call: tests in this binary replay in parallel.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir =
        std::env::temp_dir().join(format!("seglab-fuzz-replay-{}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the replay folder");
    let mut start = 0;
    while start < items.len() {
        let list = dir.join("list.txt");
        let text: String = items[start..]
            .iter()
            .map(|(t, p)| format!("{}\t{}\n", t.name(), p.display()))
            .collect();
        std::fs::write(&list, text).expect("write the replay list");
        let (status, stdout, stderr, hung) = run_child(&list, &dir);
        let mut begun = None;
        for line in stdout.lines() {
            if let Some(i) = line.strip_prefix("@@BEGIN ") {
                begun = i.trim().parse::<usize>().ok();
            } else if let Some(rest) = line.strip_prefix("@@END ") {
                let (i, what) = rest.split_once(' ').unwrap_or((rest, ""));
                let Ok(i) = i.parse::<usize>() else { continue };
                outcomes[start + i] = Some(match what.strip_prefix("panic ") {
                    Some(p) => Outcome::Panic(p.to_string()),
                    None => Outcome::Clean,
                });
                begun = None;
            }
        }
        match begun {
            Some(i) => {
                let why = stderr
                    .lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .to_string();
                let what = if hung {
                    format!("hung: no answer in {} s", HANG_SECONDS)
                } else {
                    format!("{status} ({why})")
                };
                outcomes[start + i] = Some(Outcome::Died(what));
                start += i + 1;
            }
            None => {
                // The child finished: anything it did not report is a harness failure.
                assert!(
                    status.success(),
                    "replay child failed outside any input: {stderr}"
                );
                break;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::Clean))
        .collect()
}
