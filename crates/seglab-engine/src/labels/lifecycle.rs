//! `[lifecycle]`: where each customer stands in the purchase cycle, from recency, tenure and
//! frequency thresholds. Tried in this order, the first that holds wins:
//! New (first purchase at most `new_days` ago), Loyal (`frequency >= loyal_frequency` and
//! `recency <= active_days`), Active (`recency <= active_days`), At risk
//! (`recency <= at_risk_days`), Lapsed (the rest). No recency and not new: empty.

use super::{numbers, LabelError, LIFECYCLE_COLUMN};
use crate::table::{Column, ColumnData, ColumnType, Table, TextColumn};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleOptions {
    /// Days since the last purchase.
    pub recency: String,
    /// Purchases so far.
    pub frequency: String,
    /// Days since the first purchase; when the table has no such column, nobody is New.
    pub tenure: String,
    pub new_days: f64,
    pub active_days: f64,
    pub at_risk_days: f64,
    pub loyal_frequency: f64,
}

impl Default for LifecycleOptions {
    /// A month to count as new, a quarter to stay active, half a year before lapsing, and five
    /// purchases (with a recent one) to be loyal: common CRM defaults for retail.
    fn default() -> Self {
        LifecycleOptions {
            recency: "recency_days".into(),
            frequency: "frequency".into(),
            tenure: "days_since_first_purchase".into(),
            new_days: 30.0,
            active_days: 90.0,
            at_risk_days: 180.0,
            loyal_frequency: 5.0,
        }
    }
}

pub const NEW: &str = "New";
pub const LOYAL: &str = "Loyal";
pub const ACTIVE: &str = "Active";
pub const AT_RISK: &str = "At risk";
pub const LAPSED: &str = "Lapsed";

impl LifecycleOptions {
    pub(crate) fn check(&self) -> Result<(), LabelError> {
        let all = [
            self.new_days,
            self.active_days,
            self.at_risk_days,
            self.loyal_frequency,
        ];
        if all.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return Err(LabelError::Thresholds {
                message:
                    "new_days, active_days, at_risk_days and loyal_frequency must be numbers >= 0",
            });
        }
        if self.active_days > self.at_risk_days {
            return Err(LabelError::Thresholds {
                message: "active_days must not exceed at_risk_days",
            });
        }
        Ok(())
    }

    /// The stage of one customer.
    pub fn stage(
        &self,
        recency: Option<f64>,
        frequency: Option<f64>,
        tenure: Option<f64>,
    ) -> Option<&'static str> {
        if tenure.is_some_and(|t| t <= self.new_days) {
            return Some(NEW);
        }
        let recency = recency?;
        Some(if recency <= self.active_days {
            if frequency.is_some_and(|f| f >= self.loyal_frequency) {
                LOYAL
            } else {
                ACTIVE
            }
        } else if recency <= self.at_risk_days {
            AT_RISK
        } else {
            LAPSED
        })
    }

    /// The `lifecycle` column, and a note when there is no tenure column.
    pub(super) fn column(&self, table: &Table) -> Result<(Column, Option<String>), LabelError> {
        self.check()?;
        let recency = numbers(table, "lifecycle.recency", &self.recency)?;
        let frequency = numbers(table, "lifecycle.frequency", &self.frequency)?;
        let (tenure, note) = if table.column(&self.tenure).is_some() {
            (numbers(table, "lifecycle.tenure", &self.tenure)?, None)
        } else {
            let note = format!(
                "lifecycle.tenure: the table has no column '{}', so no customer is labelled New",
                self.tenure
            );
            (vec![None; table.n_rows()], Some(note))
        };
        let stages: TextColumn = (0..table.n_rows())
            .map(|r| self.stage(recency[r], frequency[r], tenure[r]))
            .collect();
        let column = Column::new(
            LIFECYCLE_COLUMN,
            ColumnType::Category,
            ColumnData::Text(stages),
        );
        Ok((column, note))
    }
}
