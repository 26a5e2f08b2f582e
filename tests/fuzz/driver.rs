//! The mutation-fuzzing loop. A worker child process fuzzes in-process (each exec under
//! catch_unwind, on a job-sized stack); the parent watches it, and when the worker dies (stack
//! overflow, abort, out of memory) or stops making progress, saves the input it was running as
//! a crash and starts a new worker. Every new crash is then replayed in a child to confirm it.

use crate::mutate::{mutate, Rng, MAX_LEN};
use crate::replay::{self, child_command, run_caught, Outcome, EXEC_STACK};
use crate::targets::{Scratch, Target};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const WORKER_DIR: &str = "FUZZ_WORKER_DIR";

pub fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/corpus")
}

pub fn corpus_dir(target: Target) -> PathBuf {
    corpus_root().join(target.name())
}

/// A short stable hash (FNV-1a) for file names.
pub fn hash(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    format!("{h:016x}")
}

/// The crash file name for a panic: one file per panic location.
fn panic_file_name(location: &str) -> String {
    let place = location.split(": ").next().unwrap_or(location);
    format!("crash-panic-{}", &hash(place.as_bytes())[..12])
}

/// Seeds: every corpus file that is not a crash (crashes would only re-find themselves).
fn seeds(target: Target) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir(target))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut seeds: Vec<Vec<u8>> = files
        .iter()
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("crash-"))
        })
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    if seeds.is_empty() {
        seeds.push(Vec::new());
    }
    seeds
}

/// Panic locations already recorded as crash files, so a run does not save them again.
fn known_crashes(target: Target) -> HashSet<String> {
    std::fs::read_dir(corpus_dir(target))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("crash-panic-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Cheap minimisation of a panicking input: drop chunks, halving their size, while the panic
/// stays at the same location. Bounded in attempts.
fn minimise(target: Target, scratch: &Scratch, input: &[u8], location: &str) -> Vec<u8> {
    let place = location.split(": ").next().unwrap_or(location).to_string();
    let same = |candidate: &[u8]| matches!(run_caught(target, scratch, candidate), Err(p) if p.starts_with(&place));
    let mut best = input.to_vec();
    let mut chunk = best.len() / 2;
    let mut attempts = 0;
    while chunk >= 1 && attempts < 400 {
        let mut at = 0;
        while at < best.len() && attempts < 400 {
            let end = (at + chunk).min(best.len());
            let mut candidate = best[..at].to_vec();
            candidate.extend_from_slice(&best[end..]);
            attempts += 1;
            if same(&candidate) {
                best = candidate;
            } else {
                at += chunk;
            }
        }
        chunk /= 2;
    }
    best
}

/// Worker side: fuzz until the deadline, writing each input to `current` before running it
/// and the counters to `stats` as it goes.
pub fn worker_main(dir: &Path) {
    replay::install_panic_recorder();
    let target = Target::from_name(&read(dir, "target")).expect("known target");
    let seed: u64 = read(dir, "seed").parse().expect("seed");
    let seconds: u64 = read(dir, "seconds").parse().expect("seconds");
    let dir = dir.to_owned();
    std::thread::Builder::new()
        .stack_size(EXEC_STACK)
        .spawn(move || fuzz_loop(target, seed, Duration::from_secs(seconds), &dir))
        .expect("spawn the fuzz thread")
        .join()
        .expect("the fuzz loop catches panics itself");
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn fuzz_loop(target: Target, seed: u64, budget: Duration, dir: &Path) {
    let scratch = Scratch::new("worker");
    let mut rng = Rng::new(seed);
    let mut pool = seeds(target);
    let mut signatures: HashSet<String> = HashSet::new();
    let mut crashes = known_crashes(target);
    let (mut execs, mut found) = (0u64, 0u64);
    let start = Instant::now();
    let mut last_stats = Instant::now();
    let current = dir.join("current");
    while start.elapsed() < budget {
        let mut input = rng.pick(&pool).clone();
        let other = rng.pick(&pool).clone();
        mutate(&mut rng, &mut input, &other, target.dictionary());
        std::fs::write(&current, &input).expect("write the current input");
        execs += 1;
        match run_caught(target, &scratch, &input) {
            Ok(signature) => {
                if input.len() < MAX_LEN / 4 && signatures.insert(signature) {
                    if pool.len() >= 2000 {
                        let i = rng.below(pool.len());
                        pool[i] = input;
                    } else {
                        pool.push(input);
                    }
                }
            }
            Err(location) => {
                let name = panic_file_name(&location);
                if crashes.insert(name.clone()) {
                    found += 1;
                    let small = minimise(target, &scratch, &input, &location);
                    std::fs::write(corpus_dir(target).join(&name), small)
                        .expect("write a crash file");
                    let line = format!("{name}\t{location}\n");
                    append(&dir.join("crashes"), &line);
                }
            }
        }
        if last_stats.elapsed() > Duration::from_millis(500) {
            std::fs::write(dir.join("stats"), format!("{execs} {found}")).expect("write stats");
            last_stats = Instant::now();
        }
    }
    std::fs::write(dir.join("stats"), format!("{execs} {found}")).expect("write stats");
}

fn append(path: &Path, line: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for appending");
    f.write_all(line.as_bytes()).expect("append");
}

/// What a fuzzing run did, for runs.log.
pub struct RunReport {
    pub seed: u64,
    pub seconds: u64,
    pub execs: u64,
    /// New crash files written, with what each does when replayed in a child.
    pub crashes: Vec<(String, Outcome)>,
    pub worker_restarts: u32,
}

/// Parent side: fuzz `target` for `seconds`, restarting the worker whenever it dies.
pub fn run(target: Target, seconds: u64, seed: u64) -> RunReport {
    let dir = std::env::temp_dir().join(format!(
        "seglab-fuzz-run-{}-{}",
        target.name(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the run folder");
    std::fs::create_dir_all(corpus_dir(target)).expect("create the corpus folder");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut execs, mut restarts) = (0u64, 0u32);
    let mut new_files: Vec<String> = Vec::new();
    while Instant::now() < deadline {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .as_secs()
            .max(1);
        let worker_seed = seed.wrapping_add(restarts as u64);
        for (name, value) in [
            ("target", target.name().to_string()),
            ("seed", worker_seed.to_string()),
            ("seconds", left.to_string()),
        ] {
            std::fs::write(dir.join(name), value).expect("write the worker settings");
        }
        let _ = std::fs::remove_file(dir.join("stats"));
        let mut child = child_command("fuzz_worker")
            .env(WORKER_DIR, &dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr")).expect("create the worker log"))
            .spawn()
            .expect("start a fuzz worker");
        let (mut last_execs, mut last_progress) = (u64::MAX, Instant::now());
        let status = loop {
            if let Some(status) = child.try_wait().expect("poll the worker") {
                break Some(status);
            }
            let now = stats(&dir).0;
            if now != last_execs {
                (last_execs, last_progress) = (now, Instant::now());
            } else if last_progress.elapsed() > Duration::from_secs(30) {
                // One input has run for 30 s: a hang (or a pathological slowdown).
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        let (worker_execs, _) = stats(&dir);
        execs += worker_execs;
        let crashed = match status {
            Some(s) if s.success() => None,
            Some(s) => Some(format!("died: {s}")),
            None => Some("hung for 30 s".to_string()),
        };
        if let Some(why) = crashed {
            restarts += 1;
            let input = std::fs::read(dir.join("current")).unwrap_or_default();
            let log = read(&dir, "stderr");
            let last = log.lines().last().unwrap_or("");
            eprintln!("fuzz {}: worker {why} ({last})", target.name());
            // The same defect tends to kill every worker: keep the first few inputs only.
            if restarts <= 5 {
                let name = format!("crash-died-{}", &hash(&input)[..12]);
                std::fs::write(corpus_dir(target).join(&name), &input).expect("write a crash file");
                eprintln!("fuzz {}: input saved as {name}", target.name());
                new_files.push(name);
            }
            if restarts > 20 {
                eprintln!(
                    "fuzz {}: too many worker deaths, stopping early",
                    target.name()
                );
                break;
            }
        }
    }
    for line in std::fs::read_to_string(dir.join("crashes"))
        .unwrap_or_default()
        .lines()
    {
        if let Some((name, _)) = line.split_once('\t') {
            new_files.push(name.to_string());
        }
    }
    // Confirm every new crash in a child process (a panic, an abort, or not reproducible).
    let items: Vec<(Target, PathBuf)> = new_files
        .iter()
        .map(|n| (target, corpus_dir(target).join(n)))
        .collect();
    let outcomes = replay::replay(&items);
    let _ = std::fs::remove_dir_all(&dir);
    RunReport {
        seed,
        seconds,
        execs,
        crashes: new_files.into_iter().zip(outcomes).collect(),
        worker_restarts: restarts,
    }
}

fn stats(dir: &Path) -> (u64, u64) {
    let text = read(dir, "stats");
    let mut parts = text.split_whitespace().map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}
