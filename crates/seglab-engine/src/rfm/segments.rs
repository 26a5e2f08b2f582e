//! The RFM segment map: score ranges → a segment name, description and action, checked so that
//! every (R, F, M) combination has exactly one segment.

use serde::{Deserialize, Serialize};

const BUILT_IN: &str = include_str!("../../../../assets/rfm_segments.toml");
const BUILT_IN_NAME: &str = "built-in rfm_segments.toml";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmSegment {
    pub name: String,
    /// Inclusive score ranges; m defaults to every score.
    #[serde(default)]
    pub r: Option<[u8; 2]>,
    #[serde(default)]
    pub f: Option<[u8; 2]>,
    #[serde(default)]
    pub m: Option<[u8; 2]>,
    #[serde(default)]
    pub catch_all: bool,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub action: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmSegmentMap {
    #[serde(rename = "segment")]
    pub segments: Vec<RfmSegment>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RfmMapError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: segment '{name}': {key} = [{lo}, {hi}] is not a range of scores 1-5")]
    BadRange {
        file: String,
        name: String,
        key: &'static str,
        lo: u8,
        hi: u8,
    },
    #[error("{file}: segments '{a}' and '{b}' overlap (both take R={r} F={f} M={m})")]
    Overlap {
        file: String,
        a: String,
        b: String,
        r: u8,
        f: u8,
        m: u8,
    },
    #[error(
        "{file}: {count} score combination(s) have no segment, e.g. R={r} F={f} M={m}; \
         add a segment for them or one with catch_all = true"
    )]
    Gap {
        file: String,
        count: usize,
        r: u8,
        f: u8,
        m: u8,
    },
    #[error(
        "{file}: segment '{name}' has catch_all = true and score ranges; give it one or the other"
    )]
    CatchAllWithRanges { file: String, name: String },
    #[error("{file}: more than one catch_all segment ('{a}', '{b}')")]
    TwoCatchAlls { file: String, a: String, b: String },
}

impl RfmSegment {
    fn takes(&self, r: u8, f: u8, m: u8) -> bool {
        let within =
            |range: Option<[u8; 2]>, s: u8| range.is_none_or(|[lo, hi]| lo <= s && s <= hi);
        !self.catch_all && within(self.r, r) && within(self.f, f) && within(self.m, m)
    }
}

impl RfmSegmentMap {
    pub fn built_in() -> Result<RfmSegmentMap, RfmMapError> {
        Self::parse(BUILT_IN, BUILT_IN_NAME)
    }

    /// Parses and checks a map; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<RfmSegmentMap, RfmMapError> {
        let map: RfmSegmentMap = toml::from_str(text).map_err(|e| RfmMapError::Parse {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        map.check(file)?;
        Ok(map)
    }

    fn check(&self, file: &str) -> Result<(), RfmMapError> {
        let mut catch_all: Option<&str> = None;
        for s in &self.segments {
            if s.catch_all {
                if s.r.is_some() || s.f.is_some() || s.m.is_some() {
                    return Err(RfmMapError::CatchAllWithRanges {
                        file: file.into(),
                        name: s.name.clone(),
                    });
                }
                if let Some(a) = catch_all {
                    return Err(RfmMapError::TwoCatchAlls {
                        file: file.into(),
                        a: a.into(),
                        b: s.name.clone(),
                    });
                }
                catch_all = Some(&s.name);
            }
            for (key, range) in [("r", s.r), ("f", s.f), ("m", s.m)] {
                if let Some([lo, hi]) = range {
                    if !(1..=5).contains(&lo) || !(1..=5).contains(&hi) || lo > hi {
                        return Err(RfmMapError::BadRange {
                            file: file.into(),
                            name: s.name.clone(),
                            key,
                            lo,
                            hi,
                        });
                    }
                }
            }
        }
        let mut gaps = Vec::new();
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    let mut taking = self.segments.iter().filter(|s| s.takes(r, f, m));
                    match (taking.next(), taking.next()) {
                        (Some(a), Some(b)) => {
                            return Err(RfmMapError::Overlap {
                                file: file.into(),
                                a: a.name.clone(),
                                b: b.name.clone(),
                                r,
                                f,
                                m,
                            })
                        }
                        (None, _) if catch_all.is_none() => gaps.push((r, f, m)),
                        _ => {}
                    }
                }
            }
        }
        if let Some(&(r, f, m)) = gaps.first() {
            return Err(RfmMapError::Gap {
                file: file.into(),
                count: gaps.len(),
                r,
                f,
                m,
            });
        }
        Ok(())
    }

    /// The segment of a customer's scores (the map is checked: there is exactly one).
    pub fn segment(&self, r: u8, f: u8, m: u8) -> &RfmSegment {
        self.segments
            .iter()
            .find(|s| s.takes(r, f, m))
            .or_else(|| self.segments.iter().find(|s| s.catch_all))
            .expect("a checked map covers every score")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_map_gives_every_score_one_segment() {
        let map = RfmSegmentMap::built_in().unwrap();
        assert_eq!(map.segments.len(), 11);
        assert_eq!(map.segment(5, 5, 1).name, "Champions");
        assert_eq!(map.segment(1, 1, 5).name, "Lost");
        assert_eq!(map.segment(2, 5, 3).name, "Can't Lose Them");
        assert_eq!(map.segment(5, 1, 1).name, "New Customers");
    }

    #[test]
    fn overlaps_gaps_and_bad_ranges_are_named() {
        let two = "[[segment]]\nname = \"A\"\nr = [1, 3]\n[[segment]]\nname = \"B\"\nr = [3, 5]\n";
        assert_eq!(
            RfmSegmentMap::parse(two, "m.toml").unwrap_err(),
            RfmMapError::Overlap {
                file: "m.toml".into(),
                a: "A".into(),
                b: "B".into(),
                r: 3,
                f: 1,
                m: 1
            }
        );
        let gap = "[[segment]]\nname = \"A\"\nr = [1, 4]\n";
        match RfmSegmentMap::parse(gap, "m.toml").unwrap_err() {
            RfmMapError::Gap { count, r, .. } => assert_eq!((count, r), (25, 5)),
            other => panic!("{other:?}"),
        }
        let covered = format!("{gap}[[segment]]\nname = \"Rest\"\ncatch_all = true\n");
        let map = RfmSegmentMap::parse(&covered, "m.toml").unwrap();
        assert_eq!(map.segment(5, 2, 2).name, "Rest");
        let bad = "[[segment]]\nname = \"A\"\nf = [0, 6]\n";
        assert!(matches!(
            RfmSegmentMap::parse(bad, "m.toml").unwrap_err(),
            RfmMapError::BadRange { key: "f", .. }
        ));
    }
}
