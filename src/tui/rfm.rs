//! The RFM panel's numbers, computed off the UI thread from the prepared customers (their
//! r/f/m scores and segment, added by the preparation with the run's segment map), so the panel
//! shows what segments.csv will hold.

use crate::engine::inputs::PreparedInputs;
use crate::engine::rfm::{self, RfmError, SegmentSummary};
use crate::engine::table::Table;

/// One cell of the R × F grid.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Cell {
    pub customers: usize,
    pub mean_monetary: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RfmView {
    /// The preparation this was computed from (`App::prepared_gen`): a view of older inputs is
    /// never shown.
    pub inputs: u64,
    /// grid[r - 1][f - 1].
    pub grid: [[Cell; 5]; 5],
    pub segments: Vec<SegmentSummary>,
    /// Rows of the prepared table in each segment (same order as `segments`).
    pub members: Vec<Vec<usize>>,
    /// The column the customer ids are read from (None: row numbers).
    pub id_column: Option<String>,
    pub as_of: String,
}

impl RfmView {
    pub fn compute(p: &PreparedInputs, inputs: u64) -> Result<RfmView, RfmError> {
        let prepared = &p.prepared;
        let map = &prepared.fitted.rfm.as_ref().ok_or(RfmError::NoBuyers)?.map;
        let t = &prepared.cleaned;
        let segments = rfm::summarize(t, map)?;
        let nums = |name: &'static str| {
            t.column(name)
                .and_then(|c| c.data.as_numbers())
                .ok_or(RfmError::MissingColumn(name))
        };
        let (r, f, m) = (nums("r_score")?, nums("f_score")?, nums("monetary")?);
        let mut sums = [[(0usize, 0.0f64); 5]; 5];
        for row in 0..t.n_rows() {
            if let (Some(r), Some(f)) = (r[row], f[row]) {
                // Scores are 1..=5 by construction; anything else is left out, never indexed.
                let (ri, fi) = (r as usize, f as usize);
                if (1..=5).contains(&ri) && (1..=5).contains(&fi) {
                    let cell = &mut sums[ri - 1][fi - 1];
                    cell.0 += 1;
                    cell.1 += m[row].unwrap_or(0.0);
                }
            }
        }
        let grid = sums.map(|row| {
            row.map(|(n, s)| Cell {
                customers: n,
                mean_monetary: if n > 0 { s / n as f64 } else { 0.0 },
            })
        });
        let seg = t
            .column("rfm_segment")
            .and_then(|c| c.data.as_text())
            .ok_or(RfmError::MissingColumn("rfm_segment"))?;
        let members = segments
            .iter()
            .map(|s| {
                (0..t.n_rows())
                    .filter(|&row| seg.get(row) == Some(s.segment.as_str()))
                    .collect()
            })
            .collect();
        Ok(RfmView {
            inputs,
            grid,
            segments,
            members,
            id_column: id_column(p, t),
            as_of: prepared.fitted.as_of.clone(),
        })
    }
}

/// The id column of the prepared customers: the recipe's (or detected) id, else the log's
/// customer column when the customers were built from the log.
fn id_column(p: &PreparedInputs, t: &Table) -> Option<String> {
    let from_log = p.log.as_ref().map(|l| l.roles.customer.clone());
    p.prepared
        .fitted
        .id
        .clone()
        .into_iter()
        .chain(from_log)
        .find(|c| t.column(c).is_some())
}

/// The id of `row` as shown in the panel.
pub fn customer_id(t: &Table, column: Option<&str>, row: usize) -> String {
    column
        .and_then(|c| t.column(c))
        .and_then(|c| c.data.text_at(row).map(|s| s.to_string()))
        .unwrap_or_else(|| format!("row {}", row + 1))
}
