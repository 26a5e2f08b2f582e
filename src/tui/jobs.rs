//! Background work: each kind of job runs on its own thread with a `JobControl` (progress and
//! cancel). Starting a job of a kind that is already running cancels the old one; a result that
//! arrives from a replaced job is dropped, so stale inputs never reach the screen.

use crate::engine::inputs::InputsError;
use crate::engine::job::JobControl;
use crate::engine::load::LoadError;
use crate::engine::outcome::OutcomeError;
use crate::engine::segmenting::SegmentingError;
use std::collections::BTreeMap;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum JobKind {
    Load,
    Prepare,
    Segment,
    KView,
    Rename,
    Export,
    Rfm,
    Compare,
}

impl JobKind {
    /// Short lowercase name (thread names, the test hook).
    pub fn name(self) -> &'static str {
        match self {
            JobKind::Load => "load",
            JobKind::Prepare => "prepare",
            JobKind::Segment => "segment",
            JobKind::KView => "kview",
            JobKind::Rename => "rename",
            JobKind::Export => "export",
            JobKind::Rfm => "rfm",
            JobKind::Compare => "compare",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            JobKind::Load => "loading",
            JobKind::Prepare => "cleaning + features",
            JobKind::Segment => "sweep + cluster",
            JobKind::KView => "silhouette at k",
            JobKind::Rename => "renaming",
            JobKind::Export => "exporting",
            JobKind::Rfm => "RFM segments",
            JobKind::Compare => "comparing with the export",
        }
    }
}

/// Why a job ended without a result; shown in the status bar.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Inputs(#[from] InputsError),
    #[error(transparent)]
    Segmenting(#[from] SegmentingError),
    #[error(transparent)]
    Outcome(#[from] OutcomeError),
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Rfm(#[from] crate::engine::rfm::RfmError),
    #[error(transparent)]
    RunFolder(#[from] crate::report::run_folder::RunFolderError),
    #[error("no sweep model for k = {0}")]
    NoSweepModel(usize),
    /// A panic in the engine, caught on the job's thread.
    #[error("internal error: {0}")]
    Panicked(String),
    #[error("cannot start a thread: {0}")]
    Spawn(std::io::Error),
}

/// Test hook: `SEGLAB_TEST_PANIC_IN_JOB=load` (a `JobKind::name`) makes that kind of job panic,
/// so the end-to-end tests can check that a job's panic leaves the workbench running.
fn injected_panic(kind: JobKind) {
    if std::env::var("SEGLAB_TEST_PANIC_IN_JOB").is_ok_and(|v| v == kind.name()) {
        panic!("injected by SEGLAB_TEST_PANIC_IN_JOB={}", kind.name());
    }
}

pub struct Running {
    pub generation: u64,
    pub control: JobControl,
    pub started: Instant,
}

struct Done<T> {
    kind: JobKind,
    generation: u64,
    result: Result<T, JobError>,
}

pub struct Jobs<T> {
    tx: Sender<Done<T>>,
    rx: Receiver<Done<T>>,
    pub running: BTreeMap<JobKind, Running>,
    next: u64,
}

impl<T: Send + 'static> Default for Jobs<T> {
    fn default() -> Self {
        let (tx, rx) = channel();
        Jobs {
            tx,
            rx,
            running: BTreeMap::new(),
            next: 0,
        }
    }
}

impl<T: Send + 'static> Jobs<T> {
    /// Runs `work` on a new thread, replacing (cancelling) a running job of the same kind.
    pub fn start(
        &mut self,
        kind: JobKind,
        work: impl FnOnce(&JobControl) -> Result<T, JobError> + Send + 'static,
    ) {
        self.cancel(kind);
        self.next += 1;
        let generation = self.next;
        let control = JobControl::new();
        let tx = self.tx.clone();
        let job = control.clone();
        let spawned = std::thread::Builder::new().name(format!("job-{}", kind.name()));
        let spawned = spawned.spawn(move || {
            // A panic in the engine must not take the UI down: it becomes the job's error (the
            // panic hook leaves the terminal alone on this thread).
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                injected_panic(kind);
                work(&job)
            }))
            .unwrap_or_else(|p| {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_else(|| "unknown panic".into());
                Err(JobError::Panicked(msg))
            });
            let _ = tx.send(Done {
                kind,
                generation,
                result,
            });
        });
        if let Err(e) = spawned {
            let _ = self.tx.send(Done {
                kind,
                generation,
                result: Err(JobError::Spawn(e)),
            });
        }
        self.running.insert(
            kind,
            Running {
                generation,
                control,
                started: Instant::now(),
            },
        );
    }

    pub fn cancel(&mut self, kind: JobKind) -> bool {
        match self.running.remove(&kind) {
            Some(r) => {
                r.control.cancel();
                true
            }
            None => false,
        }
    }

    pub fn is_running(&self, kind: JobKind) -> bool {
        self.running.contains_key(&kind)
    }

    pub fn busy(&self) -> bool {
        !self.running.is_empty()
    }

    /// Finished jobs that are still current, without waiting.
    pub fn poll(&mut self) -> Vec<(JobKind, Result<T, JobError>)> {
        let mut out = Vec::new();
        while let Ok(d) = self.rx.try_recv() {
            self.accept(d, &mut out);
        }
        out
    }

    /// Waits up to `timeout` for the next current result (tests and the event loop use this).
    pub fn wait(&mut self, timeout: Duration) -> Vec<(JobKind, Result<T, JobError>)> {
        let deadline = Instant::now() + timeout;
        let mut out = Vec::new();
        while out.is_empty() && self.busy() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(d) => self.accept(d, &mut out),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        out.extend(self.poll());
        out
    }

    fn accept(&mut self, d: Done<T>, out: &mut Vec<(JobKind, Result<T, JobError>)>) {
        if self
            .running
            .get(&d.kind)
            .is_some_and(|r| r.generation == d.generation)
        {
            self.running.remove(&d.kind);
            out.push((d.kind, d.result));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_job_replaces_a_stale_one() {
        let mut jobs: Jobs<u32> = Jobs::default();
        let (gate_tx, gate_rx) = channel::<()>();
        jobs.start(JobKind::Prepare, move |job| {
            let _ = gate_rx.recv();
            assert!(job.is_cancelled());
            Ok(1)
        });
        let first = jobs.running[&JobKind::Prepare].control.clone();
        jobs.start(JobKind::Prepare, |_| Ok(2));
        assert!(first.is_cancelled());
        gate_tx.send(()).unwrap();
        let got = jobs.wait(Duration::from_secs(10));
        assert_eq!(got.len(), 1);
        assert!(matches!(got[0].1, Ok(2)), "{:?}", got[0].1);
        // The stale result (1) arrives later and is dropped.
        std::thread::sleep(Duration::from_millis(50));
        assert!(jobs.poll().is_empty());
        assert!(!jobs.busy());
    }

    #[test]
    fn a_panicking_job_reports_an_error() {
        let mut jobs: Jobs<u32> = Jobs::default();
        jobs.start(JobKind::Export, |_| panic!("boom"));
        let got = jobs.wait(Duration::from_secs(10));
        assert!(got[0].1.as_ref().unwrap_err().to_string().contains("boom"));
    }
}
