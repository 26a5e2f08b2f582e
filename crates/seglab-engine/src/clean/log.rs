//! The cleaning log: one entry per change, printed for the analyst and saved with the output.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogEntry {
    pub step: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
    pub rows_before: usize,
    pub rows_after: usize,
    pub cells_changed: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CleaningLog {
    pub entries: Vec<LogEntry>,
    pub warnings: Vec<String>,
}

impl CleaningLog {
    pub fn add(
        &mut self,
        step: &str,
        column: Option<&str>,
        message: String,
        rows: (usize, usize),
        cells_changed: usize,
    ) {
        self.entries.push(LogEntry {
            step: step.to_string(),
            column: column.map(str::to_string),
            message,
            rows_before: rows.0,
            rows_after: rows.1,
            cells_changed,
        });
    }

    pub fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }
}

impl fmt::Display for CleaningLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.entries {
            write!(f, "[{}] ", e.step)?;
            if let Some(c) = &e.column {
                write!(f, "{c}: ")?;
            }
            write!(f, "{}", e.message)?;
            if e.rows_before != e.rows_after {
                write!(f, " (rows {} → {})", e.rows_before, e.rows_after)?;
            }
            writeln!(f)?;
        }
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}
