//! Text cells packed into buffers. A million customers' names cost a few allocations and 5 bytes
//! of bookkeeping per cell instead of a heap string each (memory and speed on 1M rows).

use std::borrow::Cow;

/// The cells of a column, in one or more parts: the loader reads a big file in chunks on
/// several threads and the column keeps each chunk's part as it is, instead of copying every
/// cell into one buffer (a copy of the whole text and its page faults).
#[derive(Clone, Debug, Default)]
pub struct TextColumn {
    parts: Vec<Part>,
    /// The first row of each part.
    starts: Vec<usize>,
    len: usize,
}

/// Cells whose text ends within 4 GiB of the part's start, so that each end fits in 4 bytes
/// (half the memory of `usize` ends for a table of short cells); a column with more text has
/// more parts.
#[derive(Clone, Debug, Default)]
struct Part {
    buf: String,
    ends: Vec<u32>,
    valid: Vec<bool>,
}

impl Part {
    fn with_capacity(rows: usize, bytes: usize) -> Part {
        Part {
            buf: String::with_capacity(bytes.min(u32::MAX as usize)),
            ends: Vec::with_capacity(rows),
            valid: Vec::with_capacity(rows),
        }
    }

    /// False (and nothing pushed) when the cell's text would end past 4 GiB.
    #[inline]
    fn push(&mut self, cell: Option<&str>) -> bool {
        let text = cell.unwrap_or("");
        let Ok(end) = u32::try_from(self.buf.len() + text.len()) else {
            return false;
        };
        self.buf.push_str(text);
        self.ends.push(end);
        self.valid.push(cell.is_some());
        true
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&str> {
        if !self.valid[i] {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        Some(&self.buf[start..self.ends[i] as usize])
    }

    /// Cells from row `from` in order, each starting where the last ended (no index
    /// arithmetic per cell).
    fn iter_from(&self, from: usize) -> impl Iterator<Item = Option<&str>> + '_ {
        let mut start = if from == 0 {
            0
        } else {
            self.ends[from - 1] as usize
        };
        self.ends[from..]
            .iter()
            .zip(&self.valid[from..])
            .map(move |(&end, &valid)| {
                let end = end as usize;
                let cell = &self.buf[start..end];
                start = end;
                valid.then_some(cell)
            })
    }
}

impl PartialEq for TextColumn {
    /// The same cells, however they are split into parts.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl TextColumn {
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        TextColumn {
            parts: vec![Part::with_capacity(rows, bytes)],
            starts: vec![0],
            len: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, cell: Option<&str>) {
        let pushed = self.parts.last_mut().is_some_and(|p| p.push(cell));
        if !pushed {
            self.starts.push(self.len);
            let mut part = Part::default();
            // A cell is at most 16 MiB (the loaders' line limit), far below 4 GiB.
            let fits = part.push(cell);
            debug_assert!(fits, "a cell of 4 GiB");
            self.parts.push(part);
        }
        self.len += 1;
    }

    /// Bytes of text held (for sizing a copy).
    pub fn text_len(&self) -> usize {
        self.parts.iter().map(|p| p.buf.len()).sum()
    }

    /// Appends `other`'s cells after this column's, taking over its parts without a copy.
    pub fn append(&mut self, other: TextColumn) {
        for part in other.parts {
            if part.ends.is_empty() {
                continue;
            }
            // An empty part left by `with_capacity` would only cost a lookup.
            if self.parts.last().is_some_and(|p| p.ends.is_empty()) {
                self.parts.pop();
                self.starts.pop();
            }
            self.starts.push(self.len);
            self.len += part.ends.len();
            self.parts.push(part);
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        if let [part] = self.parts.as_slice() {
            return part.get(i);
        }
        let p = self.starts.partition_point(|&s| s <= i) - 1;
        self.parts[p].get(i - self.starts[p])
    }

    pub fn is_null(&self, i: usize) -> bool {
        self.get(i).is_none()
    }

    pub fn null_count(&self) -> usize {
        self.parts
            .iter()
            .map(|p| p.valid.iter().filter(|v| !**v).count())
            .sum()
    }

    /// Cells in order: the loader and inspect walk every cell of every column several times.
    pub fn iter(&self) -> impl Iterator<Item = Option<&str>> + '_ {
        self.iter_from(0)
    }

    /// The cells from row `from` on, in order.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = Option<&str>> + '_ {
        let first = self
            .starts
            .partition_point(|&s| s <= from)
            .saturating_sub(1);
        let skip = from.saturating_sub(self.starts.get(first).copied().unwrap_or(0));
        self.parts[first.min(self.parts.len())..]
            .iter()
            .enumerate()
            .flat_map(move |(k, p)| p.iter_from(if k == 0 { skip.min(p.ends.len()) } else { 0 }))
    }

    pub fn take(&self, rows: &[usize]) -> TextColumn {
        let mut out =
            TextColumn::with_capacity(rows.len(), self.text_len() / self.len().max(1) * rows.len());
        for &r in rows {
            out.push(self.get(r));
        }
        out
    }

    /// A new column with each cell replaced by `f(row, cell)`.
    pub fn map<'a, F>(&'a self, mut f: F) -> TextColumn
    where
        F: FnMut(usize, Option<&'a str>) -> Option<Cow<'a, str>>,
    {
        let mut out = TextColumn::with_capacity(self.len(), self.text_len());
        for (i, cell) in self.iter().enumerate() {
            out.push(f(i, cell).as_deref());
        }
        out
    }

    pub fn to_strings(&self) -> Vec<Option<String>> {
        self.iter().map(|c| c.map(str::to_owned)).collect()
    }
}

impl<S: AsRef<str>> FromIterator<Option<S>> for TextColumn {
    fn from_iter<I: IntoIterator<Item = Option<S>>>(iter: I) -> Self {
        let mut out = TextColumn::default();
        for c in iter {
            out.push(c.as_ref().map(|s| s.as_ref()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_round_trip_including_empty_and_missing() {
        let c: TextColumn = [Some("a"), None, Some(""), Some("Zoë")]
            .into_iter()
            .collect();
        assert_eq!(c.len(), 4);
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            vec![Some("a"), None, Some(""), Some("Zoë")]
        );
        assert_eq!(c.null_count(), 1);
        assert_eq!(
            c.take(&[3, 0]).to_strings(),
            vec![Some("Zoë".into()), Some("a".into())]
        );
        let upper = c.map(|_, s| s.map(|s| Cow::Owned(s.to_uppercase())));
        assert_eq!(upper.get(3), Some("ZOË"));
        assert!(upper.is_null(1));
    }

    #[test]
    fn parts_read_as_one_column() {
        let cells = [
            Some("a"),
            None,
            Some(""),
            Some("Zoë"),
            Some("b"),
            None,
            Some("c"),
        ];
        let whole: TextColumn = cells.iter().copied().collect();
        let mut parts = TextColumn::with_capacity(4, 16);
        for piece in [&cells[..2], &cells[2..2], &cells[2..5], &cells[5..]] {
            parts.append(piece.iter().copied().collect());
        }
        assert_eq!(parts, whole);
        assert_eq!(parts.len(), 7);
        for (i, cell) in cells.iter().enumerate() {
            assert_eq!(parts.get(i), *cell, "row {i}");
            assert_eq!(parts.is_null(i), cell.is_none());
        }
        assert_eq!(parts.null_count(), 2);
        for from in 0..=cells.len() {
            let tail: Vec<_> = parts.iter_from(from).collect();
            assert_eq!(tail, cells[from..], "from {from}");
        }
        assert_eq!(parts.text_len(), whole.text_len());
        assert_eq!(
            parts.take(&[6, 3, 1]).to_strings(),
            whole.take(&[6, 3, 1]).to_strings()
        );
        parts.push(Some("d"));
        assert_eq!(parts.get(7), Some("d"));
        assert_ne!(parts, whole);
    }
}
