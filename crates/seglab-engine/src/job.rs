//! Progress and cancellation for long steps. The CLI shows the progress; the TUI runs steps on a
//! worker thread and cancels them; the engine only checks and reports through this handle.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct JobControl {
    cancelled: Arc<AtomicBool>,
    per_mille: Arc<AtomicU32>,
}

/// Returned by a step that noticed `cancel()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl JobControl {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Err(Cancelled) once `cancel()` was called: `job.check()?` between chunks of work.
    pub fn check(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }

    /// Fraction done in [0, 1].
    pub fn set_progress(&self, fraction: f64) {
        let v = (fraction.clamp(0.0, 1.0) * 1000.0).round() as u32;
        self.per_mille.store(v, Ordering::Relaxed);
    }

    pub fn progress(&self) -> f64 {
        self.per_mille.load(Ordering::Relaxed) as f64 / 1000.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_cancellation_and_progress() {
        let a = JobControl::new();
        let b = a.clone();
        b.set_progress(0.25);
        assert_eq!(a.progress(), 0.25);
        assert!(a.check().is_ok());
        b.cancel();
        assert_eq!(a.check(), Err(Cancelled));
    }
}
