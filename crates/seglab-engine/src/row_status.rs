//! The per-row `status` column of labelled output (`segments.csv` from `run` and `apply`):
//! `ok`, or one or more flags joined by `|`. A row that is unscorable, dropped as an outlier or
//! merged into another record has no segment (an empty `segment_id`).

use std::collections::BTreeMap;
use std::fmt;

/// One reason a row is not simply `ok`. The order of the variants is the order they are printed.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusFlag {
    /// At least one feature was missing and filled with the fitted value.
    Imputed,
    /// At least one feature lies outside what the model saw when it was fitted.
    OutOfRange,
    /// A one-hot column holds a category the model never saw.
    UnseenCategory,
    /// The row could not be placed in a segment (the reason is reported separately).
    Unscorable,
    /// Removed by an outlier rule with `action = "drop"`.
    OutlierDropped,
    /// Merged by deduplication into the record with this id.
    MergedInto(String),
}

impl StatusFlag {
    /// The flag's name without its argument, for counts in summaries and manifests.
    pub fn kind(&self) -> &'static str {
        match self {
            StatusFlag::Imputed => "imputed",
            StatusFlag::OutOfRange => "out_of_range",
            StatusFlag::UnseenCategory => "unseen_category",
            StatusFlag::Unscorable => "unscorable",
            StatusFlag::OutlierDropped => "outlier_dropped",
            StatusFlag::MergedInto(_) => "merged_into",
        }
    }

    /// Whether a row with this flag still gets a segment.
    pub fn keeps_segment(&self) -> bool {
        matches!(
            self,
            StatusFlag::Imputed | StatusFlag::OutOfRange | StatusFlag::UnseenCategory
        )
    }
}

impl fmt::Display for StatusFlag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusFlag::MergedInto(id) => write!(f, "merged_into:{id}"),
            other => f.write_str(other.kind()),
        }
    }
}

/// The flags of one row; empty means `ok`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowStatus {
    flags: Vec<StatusFlag>,
}

impl RowStatus {
    pub fn ok() -> Self {
        RowStatus::default()
    }

    /// Adds a flag once; flags stay sorted so the text is the same however they were added.
    pub fn add(&mut self, flag: StatusFlag) {
        if let Err(at) = self.flags.binary_search(&flag) {
            self.flags.insert(at, flag);
        }
    }

    pub fn with(mut self, flag: StatusFlag) -> Self {
        self.add(flag);
        self
    }

    pub fn flags(&self) -> &[StatusFlag] {
        &self.flags
    }

    pub fn is_ok(&self) -> bool {
        self.flags.is_empty()
    }

    pub fn has(&self, kind: &str) -> bool {
        self.flags.iter().any(|f| f.kind() == kind)
    }

    /// False when any flag takes the row out of the segments (it then has no segment id).
    pub fn keeps_segment(&self) -> bool {
        self.flags.iter().all(StatusFlag::keeps_segment)
    }
}

impl fmt::Display for RowStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.flags.is_empty() {
            return f.write_str("ok");
        }
        for (i, flag) in self.flags.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(f, "{flag}")?;
        }
        Ok(())
    }
}

/// Rows per flag kind (`ok` counts rows without flags), for summaries and the manifest.
pub fn count_by_kind<'a>(rows: impl IntoIterator<Item = &'a RowStatus>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in rows {
        if r.is_ok() {
            *counts.entry("ok".to_string()).or_default() += 1;
        }
        for f in r.flags() {
            *counts.entry(f.kind().to_string()).or_default() += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_ok_or_sorted_flags() {
        assert_eq!(RowStatus::ok().to_string(), "ok");
        let s = RowStatus::ok()
            .with(StatusFlag::UnseenCategory)
            .with(StatusFlag::Imputed)
            .with(StatusFlag::Imputed);
        assert_eq!(s.to_string(), "imputed|unseen_category");
        assert!(s.keeps_segment());
        let merged = RowStatus::ok().with(StatusFlag::MergedInto("C-7".into()));
        assert_eq!(merged.to_string(), "merged_into:C-7");
        assert!(!merged.keeps_segment());
        let counts = count_by_kind([&s, &merged, &RowStatus::ok()]);
        assert_eq!(counts["ok"], 1);
        assert_eq!(counts["imputed"], 1);
        assert_eq!(counts["merged_into"], 1);
    }
}
