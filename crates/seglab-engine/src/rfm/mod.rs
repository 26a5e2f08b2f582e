//! RFM: recency, frequency and monetary scores 1-5 by quintiles of the customers, the combined
//! code and score, and the named segment of each customer.
//!
//! A value's score is 1 + floor(5 × (rank − 1) / n), where rank is the value's minimum rank
//! among the n customers with a purchase (equal values share the lowest rank, so they always get
//! equal scores); recency is ranked on −recency_days (the most recent score 5). The fit keeps
//! four cut points per measure, so that new customers (`apply`) are scored against the fitted
//! customers, never refitted: score = 1 + the number of cut points the value exceeds.

mod segments;

pub use segments::{RfmMapError, RfmSegment, RfmSegmentMap};

use crate::table::{Column, ColumnData, ColumnType, Table, TextColumn};
use serde::{Deserialize, Serialize};

/// Columns RFM adds to a customer table.
pub const COLUMNS: [&str; 6] = [
    "r_score",
    "f_score",
    "m_score",
    "rfm_score",
    "rfm_code",
    "rfm_segment",
];
/// The segment of customers without a purchase (joined from a customer table).
pub const NO_PURCHASES: &str = "No purchases";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RfmError {
    #[error(
        "RFM needs the column '{0}' (from a transaction log: --transactions or [transactions])"
    )]
    MissingColumn(&'static str),
    #[error("no customer has a purchase, so there is nothing to score")]
    NoBuyers,
}

/// The fitted cut points: a value above k of them scores k + 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RfmCuts {
    /// On −recency_days.
    pub recency: [f64; 4],
    pub frequency: [f64; 4],
    pub monetary: [f64; 4],
}

/// The cut points of `values` (any order): for score s = 2..5 the largest value that still
/// scores below s, i.e. sorted[ceil((s − 1) · n / 5) − 1].
pub fn fit_cuts(values: &[f64]) -> Option<[f64; 4]> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mut cuts = [0.0; 4];
    for (k, cut) in cuts.iter_mut().enumerate() {
        let below = ((k + 1) * n).div_ceil(5);
        *cut = sorted[below - 1];
    }
    Some(cuts)
}

pub fn score(value: f64, cuts: &[f64; 4]) -> u8 {
    1 + cuts.iter().filter(|&&c| value > c).count() as u8
}

fn numbers<'t>(table: &'t Table, name: &'static str) -> Result<&'t [Option<f64>], RfmError> {
    table
        .column(name)
        .and_then(|c| c.data.as_numbers())
        .ok_or(RfmError::MissingColumn(name))
}

/// Per row: (−recency, frequency, monetary) of customers with a purchase.
fn measures(table: &Table) -> Result<Vec<Option<[f64; 3]>>, RfmError> {
    let (rec, freq, mon) = (
        numbers(table, "recency_days")?,
        numbers(table, "frequency")?,
        numbers(table, "monetary")?,
    );
    Ok((0..table.n_rows())
        .map(|r| match (rec[r], freq[r], mon[r]) {
            (Some(d), Some(f), Some(m)) if f > 0.0 => Some([-d, f, m]),
            _ => None,
        })
        .collect())
}

/// Fits the cut points on `table`'s buyers (recency_days, frequency, monetary columns).
pub fn fit(table: &Table) -> Result<RfmCuts, RfmError> {
    let rows: Vec<[f64; 3]> = measures(table)?.into_iter().flatten().collect();
    let pick = |i: usize| fit_cuts(&rows.iter().map(|v| v[i]).collect::<Vec<_>>());
    match (pick(0), pick(1), pick(2)) {
        (Some(recency), Some(frequency), Some(monetary)) => Ok(RfmCuts {
            recency,
            frequency,
            monetary,
        }),
        _ => Err(RfmError::NoBuyers),
    }
}

/// Adds r_score, f_score, m_score, rfm_score, rfm_code and rfm_segment with `cuts` and `map`;
/// customers without a purchase get no scores and the segment "No purchases".
pub fn add_scores(table: &mut Table, cuts: &RfmCuts, map: &RfmSegmentMap) -> Result<(), RfmError> {
    let rows = measures(table)?;
    let mut s: [Vec<Option<f64>>; 4] = Default::default();
    let mut code = TextColumn::with_capacity(rows.len(), rows.len() * 3);
    let mut segment = TextColumn::with_capacity(rows.len(), rows.len() * 12);
    for row in rows {
        let Some([r, f, m]) = row else {
            s.iter_mut().for_each(|v| v.push(None));
            code.push(None);
            segment.push(Some(NO_PURCHASES));
            continue;
        };
        let (r, f, m) = (
            score(r, &cuts.recency),
            score(f, &cuts.frequency),
            score(m, &cuts.monetary),
        );
        for (v, x) in s.iter_mut().zip([r, f, m, r + f + m]) {
            v.push(Some(x as f64));
        }
        code.push(Some(&format!("{r}{f}{m}")));
        segment.push(Some(&map.segment(r, f, m).name));
    }
    let [rs, fs, ms, total] = s;
    for (name, v) in [
        ("r_score", rs),
        ("f_score", fs),
        ("m_score", ms),
        ("rfm_score", total),
    ] {
        table.put(Column::new(
            name,
            ColumnType::Integer,
            ColumnData::Number(v),
        ));
    }
    table.put(Column::new(
        "rfm_code",
        ColumnType::Category,
        ColumnData::Text(code),
    ));
    table.put(Column::new(
        "rfm_segment",
        ColumnType::Category,
        ColumnData::Text(segment),
    ));
    Ok(())
}

/// One RFM segment's summary (rfm_segments.md/.json).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentSummary {
    pub segment: String,
    pub customers: usize,
    /// Share of customers and of net spend, in percent.
    pub share_pct: f64,
    pub revenue_share_pct: f64,
    pub mean_recency_days: Option<f64>,
    pub mean_frequency: Option<f64>,
    pub mean_monetary: Option<f64>,
    pub mean_r: Option<f64>,
    pub mean_f: Option<f64>,
    pub mean_m: Option<f64>,
    pub description: String,
    pub action: String,
}

/// Per segment of the map (in its order, then "No purchases"), those with customers.
pub fn summarize(table: &Table, map: &RfmSegmentMap) -> Result<Vec<SegmentSummary>, RfmError> {
    let seg = table
        .column("rfm_segment")
        .and_then(|c| c.data.as_text())
        .ok_or(RfmError::MissingColumn("rfm_segment"))?;
    let col = |n: &'static str| numbers(table, n);
    let (rec, freq, mon) = (col("recency_days")?, col("frequency")?, col("monetary")?);
    let (rs, fs, ms) = (col("r_score")?, col("f_score")?, col("m_score")?);
    let n = table.n_rows();
    let revenue: f64 = mon.iter().flatten().filter(|m| **m > 0.0).sum();
    let names = map
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.description.as_str(), s.action.as_str()))
        .chain([(NO_PURCHASES, "No purchase in the log.", "")]);
    let mean = |v: &[Option<f64>], rows: &[usize]| {
        let xs: Vec<f64> = rows.iter().filter_map(|&r| v[r]).collect();
        (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
    };
    let mut out = Vec::new();
    for (name, description, action) in names {
        let rows: Vec<usize> = (0..n).filter(|&r| seg.get(r) == Some(name)).collect();
        if rows.is_empty() {
            continue;
        }
        let spend: f64 = rows
            .iter()
            .filter_map(|&r| mon[r])
            .filter(|m| *m > 0.0)
            .sum();
        out.push(SegmentSummary {
            segment: name.to_string(),
            customers: rows.len(),
            share_pct: 100.0 * rows.len() as f64 / n as f64,
            revenue_share_pct: if revenue > 0.0 {
                100.0 * spend / revenue
            } else {
                0.0
            },
            mean_recency_days: mean(rec, &rows),
            mean_frequency: mean(freq, &rows),
            mean_monetary: mean(mon, &rows),
            mean_r: mean(rs, &rows),
            mean_f: mean(fs, &rows),
            mean_m: mean(ms, &rows),
            description: description.to_string(),
            action: action.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The score rule straight from its definition, for comparison.
    fn by_rank(values: &[f64], v: f64) -> u8 {
        let rank = 1 + values.iter().filter(|&&x| x < v).count();
        1 + (5 * (rank - 1) / values.len()) as u8
    }

    #[test]
    fn cut_points_give_the_min_rank_quintile_score() {
        for values in [
            (1..=10).map(f64::from).collect::<Vec<_>>(),
            vec![5.0, 5.0, 5.0, 5.0, 5.0, 1.0],
            vec![3.0],
            vec![
                1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 9.0, 9.0, 10.0, 0.5, 7.0, 7.0,
            ],
        ] {
            let cuts = fit_cuts(&values).unwrap();
            for &v in &values {
                assert_eq!(score(v, &cuts), by_rank(&values, v), "{v} in {values:?}");
            }
        }
        // 1..10 by hand: ranks 1-2 → 1, 3-4 → 2, ..., 9-10 → 5.
        let cuts = fit_cuts(&(1..=10).map(f64::from).collect::<Vec<_>>()).unwrap();
        let scores: Vec<u8> = (1..=10).map(|v| score(v as f64, &cuts)).collect();
        assert_eq!(scores, vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        // Equal values share a score: five 5s among six values all score 1 (rank 2 of 6).
        let cuts = fit_cuts(&[5.0, 5.0, 5.0, 5.0, 5.0, 1.0]).unwrap();
        assert_eq!(score(5.0, &cuts), 1);
    }

    fn table(rec: &[Option<f64>], freq: &[f64], mon: &[f64]) -> Table {
        let num = |n: &str, v: Vec<Option<f64>>| {
            Column::new(n, ColumnType::Number, ColumnData::Number(v))
        };
        Table::new(vec![
            num("recency_days", rec.to_vec()),
            num("frequency", freq.iter().map(|&x| Some(x)).collect()),
            num("monetary", mon.iter().map(|&x| Some(x)).collect()),
        ])
    }

    #[test]
    fn scores_codes_and_segments_by_hand() {
        // Five buyers and one customer without purchases.
        let mut t = table(
            &[
                Some(1.0),
                Some(10.0),
                Some(100.0),
                Some(300.0),
                Some(30.0),
                None,
            ],
            &[9.0, 5.0, 1.0, 1.0, 2.0, 0.0],
            &[900.0, 500.0, 10.0, 20.0, 100.0, 0.0],
        );
        let map = RfmSegmentMap::built_in().unwrap();
        let cuts = fit(&t).unwrap();
        add_scores(&mut t, &cuts, &map).unwrap();
        let text = |n: &str| t.column(n).unwrap().data.as_text().unwrap().to_strings();
        // n = 5: each rank is its own quintile. Recency ranks on −days: 1 day → 5, 300 → 1.
        // Frequency 1, 1 share rank 1 → 1; 2 → rank 3 → 3; 5 → 4; 9 → 5.
        assert_eq!(
            text("rfm_code"),
            vec![
                Some("555".into()),
                Some("444".into()),
                Some("211".into()),
                Some("112".into()),
                Some("333".into()),
                None
            ]
        );
        assert_eq!(
            text("rfm_segment"),
            vec![
                Some("Champions".into()),
                Some("Loyal Customers".into()),
                Some("Hibernating".into()),
                Some("Lost".into()),
                Some("Need Attention".into()),
                Some(NO_PURCHASES.into())
            ]
        );
        let sum = summarize(&t, &map).unwrap();
        let champions = &sum[0];
        assert_eq!(
            (champions.segment.as_str(), champions.customers),
            ("Champions", 1)
        );
        // 900 of 1530 spent.
        assert!((champions.revenue_share_pct - 100.0 * 900.0 / 1530.0).abs() < 1e-9);
        assert_eq!(sum.last().unwrap().segment, NO_PURCHASES);
    }
}
