//! Rows a cleaning step removed, kept with the reason, so a run's segments.csv still lists every
//! input row (`outlier_dropped`, `merged_into:<id>`, `unscorable`) with an empty segment.

use crate::row_status::RowStatus;
use crate::table::{Column, ColumnData, Table};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RemovedRows {
    /// Each step's removed rows, in the table's columns at the time they were removed.
    parts: Vec<(Table, Vec<RowStatus>)>,
}

impl RemovedRows {
    /// Records the rows of `table` whose `keep` flag is false, before the step removes them.
    pub fn record(
        &mut self,
        table: &Table,
        keep: &[bool],
        mut status: impl FnMut(usize) -> RowStatus,
    ) {
        let rows: Vec<usize> = (0..keep.len()).filter(|&r| !keep[r]).collect();
        if rows.is_empty() {
            return;
        }
        let statuses = rows.iter().map(|&r| status(r)).collect();
        self.parts.push((table.take(&rows), statuses));
    }

    pub fn len(&self) -> usize {
        self.parts.iter().map(|(_, s)| s.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn statuses(&self) -> impl Iterator<Item = &RowStatus> {
        self.parts.iter().flat_map(|(_, s)| s)
    }

    /// The removed rows' displayed values of one column, in `statuses` order (None where the
    /// column did not exist yet or the cell is empty).
    pub fn values_of(&self, column: &str) -> Vec<Option<String>> {
        self.parts
            .iter()
            .flat_map(|(part, s)| match part.column(column) {
                Some(c) => (0..s.len()).map(|r| c.data.display(r)).collect(),
                None => vec![None; s.len()],
            })
            .collect()
    }

    /// `table` with the removed rows appended, in its columns: a column that a later step added
    /// (a derived feature, an outlier flag) is empty for them.
    pub fn appended_to(&self, table: &Table) -> Table {
        let mut out = table.clone();
        for col in &mut out.columns {
            for (part, _) in &self.parts {
                append_column(col, part.column(&col.name), part.n_rows());
            }
        }
        out
    }
}

fn append_column(into: &mut Column, from: Option<&Column>, rows: usize) {
    fn extend<T: Clone>(v: &mut Vec<Option<T>>, from: Option<&[Option<T>]>, rows: usize) {
        match from {
            Some(f) => v.extend_from_slice(f),
            None => v.extend(std::iter::repeat_n(None, rows)),
        }
    }
    let from = from.map(|c| &c.data);
    match &mut into.data {
        ColumnData::Number(v) => extend(v, from.and_then(|d| d.as_numbers()), rows),
        ColumnData::Boolean(v) => extend(
            v,
            match from {
                Some(ColumnData::Boolean(f)) => Some(f.as_slice()),
                _ => None,
            },
            rows,
        ),
        ColumnData::Date(v) => extend(
            v,
            match from {
                Some(ColumnData::Date(f)) => Some(f.as_slice()),
                _ => None,
            },
            rows,
        ),
        ColumnData::DateTime(v) => extend(
            v,
            match from {
                Some(ColumnData::DateTime(f)) => Some(f.as_slice()),
                _ => None,
            },
            rows,
        ),
        ColumnData::Text(t) => {
            // A step may have turned a column into text; the removed rows show their own text.
            for r in 0..rows {
                t.push(from.and_then(|d| d.text_at(r)).as_deref());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row_status::StatusFlag;
    use crate::table::ColumnType;

    fn table(ids: &[&str], x: &[f64]) -> Table {
        Table::new(vec![
            Column::new(
                "id",
                ColumnType::Id,
                ColumnData::Text(ids.iter().map(|s| Some(*s)).collect()),
            ),
            Column::new(
                "x",
                ColumnType::Number,
                ColumnData::Number(x.iter().map(|&v| Some(v)).collect()),
            ),
        ])
    }

    #[test]
    fn removed_rows_come_back_after_the_kept_ones_with_later_columns_empty() {
        let t = table(&["a", "b", "c"], &[1.0, 2.0, 3.0]);
        let mut removed = RemovedRows::default();
        removed.record(&t, &[true, false, true], |_| {
            RowStatus::ok().with(StatusFlag::MergedInto("a".into()))
        });
        let mut kept = t.take(&[0, 2]);
        kept.columns.push(Column::new(
            "flag",
            ColumnType::Boolean,
            ColumnData::Boolean(vec![Some(true), Some(false)]),
        ));
        let all = removed.appended_to(&kept);
        assert_eq!(all.n_rows(), 3);
        assert_eq!(all.columns[0].data.display(2).as_deref(), Some("b"));
        assert_eq!(all.columns[1].data.as_numbers().unwrap()[2], Some(2.0));
        assert!(all.columns[2].data.is_null(2));
        let st: Vec<String> = removed.statuses().map(|s| s.to_string()).collect();
        assert_eq!(st, ["merged_into:a"]);
    }

    #[test]
    fn nothing_removed_records_nothing() {
        let t = table(&["a"], &[1.0]);
        let mut removed = RemovedRows::default();
        removed.record(&t, &[true], |_| RowStatus::ok());
        assert!(removed.is_empty());
        assert_eq!(removed.appended_to(&t), t);
    }
}
