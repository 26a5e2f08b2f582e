//! A large delimited log read without holding it: its head (the first MiB) is loaded as an
//! ordinary table, which settles the dialect, the header and the column types; the rest is
//! cut into fixed byte segments whose lines are split here and handed, a few wanted columns at
//! a time, to the caller. Segments depend on the file size only (never on the number of
//! threads), so sums merged in segment order are the same on every machine.

use super::{csv_table, input, record_parts::NaTokens, text, LoadError, LoadOptions};
use crate::table::Table;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Bytes of the head loaded as a table.
const HEAD_BYTES: usize = 1 << 20;
/// Bytes per segment (one thread reads one segment at a time), unless a caller asks for others.
pub const SEGMENT_BYTES: u64 = 64 << 20;
/// Bytes read at a time within a segment.
const BUFFER_BYTES: usize = 4 << 20;

/// Why a file is read whole instead (none of them is an error of the file).
#[derive(Debug, PartialEq)]
pub enum NotStreamable {
    /// Not plain delimited UTF-8 text (another format or encoding, UTF-16, ...).
    Format,
    /// A quoted field spans lines (lines cannot be found without reading from the start) or
    /// holds a doubled quote (its text would need copying).
    Quoting,
    /// The head's records as split here differ from the loader's.
    HeadMismatch,
}

#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("not streamable: {0:?}")]
    Not(NotStreamable),
}

/// The head of a log, loaded, and how to read the rest.
pub struct Head {
    pub table: Table,
    pub warnings: Vec<String>,
    path: PathBuf,
    delimiter: u8,
    records_start: u64,
    head_end: u64,
    file_len: u64,
    na_values: Vec<String>,
}

/// The head of a delimited text file, loaded with `opts` (None when the file is not one
/// whose lines can be split independently).
pub fn head(path: &Path, opts: &LoadOptions) -> Result<Result<Head, NotStreamable>, StreamError> {
    let io = |source| {
        StreamError::Load(LoadError::Open {
            path: path.to_owned(),
            source,
        })
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let text_ext = !matches!(
        ext.to_ascii_lowercase().as_str(),
        "parquet" | "pq" | "json" | "ndjson" | "jsonl" | "xlsx" | "xls"
    );
    if !text_ext || opts.encoding == text::Encoding::Windows1252 {
        return Ok(Err(NotStreamable::Format));
    }
    let mut file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    let mut bytes = Vec::with_capacity(HEAD_BYTES);
    (&mut file)
        .take(HEAD_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if (bytes.len() as u64) < file_len {
        // Whole lines only.
        match memchr::memrchr(b'\n', &bytes) {
            Some(end) => bytes.truncate(end + 1),
            None => return Ok(Err(NotStreamable::Format)),
        }
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Ok(Err(NotStreamable::Format));
    }
    let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    if std::str::from_utf8(&bytes[bom..]).is_err() {
        return Ok(Err(NotStreamable::Format));
    }
    input::check_bytes(path, &bytes, true)?;
    let head_end = bytes.len() as u64;
    let (table, warnings, layout) = csv_table::read_csv_layout(path, bytes, opts)?;
    let head = Head {
        table,
        warnings,
        path: path.to_owned(),
        delimiter: layout.delimiter,
        records_start: (layout.records_start + bom) as u64,
        head_end,
        file_len,
        na_values: opts.na_values.clone(),
    };
    Ok(Ok(head))
}

/// Counts from reading one segment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SegmentCounts {
    pub records: usize,
    /// Records with fewer fields than a wanted column needs (the missing cells are None).
    pub short: usize,
}

impl Head {
    /// The byte ranges of every record (the head's too), `size` bytes each, in file order.
    pub fn segments(&self, size: u64) -> Vec<Range<u64>> {
        let mut out = Vec::new();
        let mut at = self.records_start;
        while at < self.file_len {
            let end = (at + size.max(1)).min(self.file_len);
            out.push(at..end);
            at = end;
        }
        out
    }

    /// The head's own records, split as the segments are: the table's rows, in order, when
    /// the splitting agrees with the loader.
    pub fn head_records(
        &self,
        columns: &[usize],
        each: &mut dyn FnMut(&[Option<&str>]),
    ) -> Result<SegmentCounts, StreamError> {
        let counts = self.read_range(self.records_start..self.head_end, columns, each)?;
        if counts.records != self.table.n_rows() {
            return Err(StreamError::Not(NotStreamable::HeadMismatch));
        }
        Ok(counts)
    }

    /// Calls `each` with the wanted columns' cells (None: missing or an NA token) of every
    /// non-blank line that starts in `range`.
    pub fn read_range(
        &self,
        range: Range<u64>,
        columns: &[usize],
        each: &mut dyn FnMut(&[Option<&str>]),
    ) -> Result<SegmentCounts, StreamError> {
        let io = |source| {
            StreamError::Load(LoadError::Open {
                path: self.path.clone(),
                source,
            })
        };
        let mut file = File::open(&self.path).map_err(io)?;
        // A line starts in the range when the byte before it is a line end.
        let from = if range.start == self.records_start {
            range.start
        } else {
            range.start - 1
        };
        file.seek(SeekFrom::Start(from)).map_err(io)?;
        let na = NaTokens::new(&self.na_values);
        let split = Splitter::new(self.delimiter, columns, &na);
        let mut counts = SegmentCounts::default();
        // A small segment reads little past its end (its last line), a large one 4 MiB a time.
        let chunk = BUFFER_BYTES.min((range.end - from) as usize + (64 << 10));
        let mut buf: Vec<u8> = Vec::with_capacity(chunk);
        let mut pos = from; // file offset of buf[0]
        let mut skip_partial = range.start != self.records_start;
        loop {
            let old = buf.len();
            buf.resize(old + chunk, 0);
            let n = read_full(&mut file, &mut buf[old..]).map_err(io)?;
            buf.truncate(old + n);
            let eof = n == 0;
            if skip_partial {
                match memchr::memchr(b'\n', &buf) {
                    Some(i) => {
                        buf.drain(..=i);
                        pos += i as u64 + 1;
                        skip_partial = false;
                    }
                    None if eof => return Ok(counts),
                    None => continue,
                }
            }
            let at = 0;
            // Whole lines only (all that is left at the end of the file).
            let end = if eof {
                buf.len()
            } else {
                match memchr::memrchr(b'\n', &buf[at..]) {
                    Some(i) => at + i + 1,
                    None => continue,
                }
            };
            let Ok(text) = std::str::from_utf8(&buf[at..end]) else {
                return Err(StreamError::Not(NotStreamable::Format));
            };
            let bytes = text.as_bytes();
            let mut cells: Vec<Option<&str>> = Vec::with_capacity(columns.len());
            let mut i = 0;
            let mut done = false;
            while i < bytes.len() {
                if pos + (at + i) as u64 >= range.end {
                    done = true;
                    break;
                }
                let stop = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |j| i + j);
                let line = &text[i..stop];
                let line = line.strip_suffix('\r').unwrap_or(line);
                i = stop + 1;
                match split.cells(line, &mut cells) {
                    Split::Blank => continue,
                    Split::Short => counts.short += 1,
                    Split::Whole => {}
                    Split::Quoting => return Err(StreamError::Not(NotStreamable::Quoting)),
                }
                counts.records += 1;
                each(&cells);
            }
            if done || eof {
                return Ok(counts);
            }
            // Keep the unfinished line for the next read.
            buf.drain(..end);
            pos += end as u64;
        }
    }
}

fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

enum Split {
    Blank,
    Whole,
    Short,
    Quoting,
}

struct Splitter<'a> {
    delimiter: u8,
    whitespace: bool,
    /// Per field number, the caller's slot for it (`NONE` when not wanted).
    slot_of: Vec<u8>,
    wanted: usize,
    na: &'a NaTokens<'a>,
}

const NONE: u8 = u8::MAX;

impl<'a> Splitter<'a> {
    fn new(delimiter: u8, columns: &[usize], na: &'a NaTokens<'a>) -> Self {
        let width = columns.iter().max().map_or(0, |m| m + 1);
        let mut slot_of = vec![NONE; width];
        for (slot, &field) in columns.iter().enumerate() {
            slot_of[field] = slot as u8;
        }
        Splitter {
            delimiter,
            whitespace: delimiter == super::WHITESPACE,
            slot_of,
            wanted: columns.len(),
            na,
        }
    }

    fn slot(&self, field: usize) -> Option<usize> {
        self.slot_of
            .get(field)
            .filter(|&&s| s != NONE)
            .map(|&s| s as usize)
    }

    /// The wanted cells of `line` into `out`, borrowed from the line.
    fn cells<'l>(&self, line: &'l str, out: &mut Vec<Option<&'l str>>) -> Split {
        out.clear();
        out.resize(self.wanted, None);
        let mut fields = 0;
        let mut any = false;
        let put = |i: usize, cell: &'l str, out: &mut Vec<Option<&'l str>>, any: &mut bool| {
            if !*any {
                *any = !cell.trim().is_empty();
            }
            if let Some(slot) = self.slot(i) {
                if !self.na.is_na(cell) {
                    out[slot] = Some(cell);
                }
            }
        };
        if self.whitespace {
            for (i, cell) in line
                .split([' ', '\t'])
                .filter(|f| !f.is_empty())
                .enumerate()
            {
                put(i, cell, out, &mut any);
                fields = i + 1;
            }
        } else if memchr::memchr(b'"', line.as_bytes()).is_none() {
            // One pass over the bytes: short fields make a search call per field cost more.
            let (bytes, d, width) = (line.as_bytes(), self.delimiter, self.slot_of.len());
            let (mut at, mut i) = (0, 0);
            for (end, &b) in bytes.iter().enumerate() {
                if b == d {
                    put(i, &line[at..end], out, &mut any);
                    i += 1;
                    at = end + 1;
                    // Fields past the last wanted one are not looked at.
                    if i >= width && any {
                        break;
                    }
                }
            }
            if i < width || !any {
                put(i, &line[at..], out, &mut any);
                i += 1;
            }
            fields = i;
        } else {
            let bytes = line.as_bytes();
            let mut at = 0;
            let mut i = 0;
            loop {
                let (cell, next) = if bytes.get(at) == Some(&b'"') {
                    match closing_quote(bytes, at + 1) {
                        Some(close)
                            if self.slot(i).is_some()
                                && line[at + 1..close - 1].contains("\"\"") =>
                        {
                            return Split::Quoting
                        }
                        Some(close) => {
                            let end = memchr::memchr(self.delimiter, &bytes[close..])
                                .map_or(bytes.len(), |j| close + j);
                            (&line[at + 1..close - 1], end)
                        }
                        None => return Split::Quoting,
                    }
                } else {
                    let end = memchr::memchr(self.delimiter, &bytes[at..])
                        .map_or(bytes.len(), |j| at + j);
                    (&line[at..end], end)
                };
                put(i, cell, out, &mut any);
                i += 1;
                fields = i;
                if next >= bytes.len() {
                    break;
                }
                at = next + 1;
            }
        }
        if !any {
            return Split::Blank;
        }
        if fields < self.slot_of.len() {
            Split::Short
        } else {
            Split::Whole
        }
    }
}

/// The offset just past the quote that closes a field opened before `from` ("" is a quote
/// inside it); None when the line ends inside the field.
fn closing_quote(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let q = from + memchr::memchr(b'"', &bytes[from..])?;
        if bytes.get(q + 1) == Some(&b'"') {
            from = q + 2;
        } else {
            return Some(q + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line is read by exactly one segment, wherever the cuts fall.
    #[test]
    fn each_line_is_read_once_whatever_the_segment_size() {
        let dir = std::env::temp_dir().join(format!("seglab-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in [
            ("newline.csv", "a,b\n1,2\n3,4\n\n5,6\n"),
            ("no_newline.csv", "a,b\r\n1,2\r\n3,4\r\n5,6"),
        ] {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            let h = head(&p, &LoadOptions::default()).unwrap().unwrap();
            for size in 1..=text.len() as u64 + 1 {
                let mut seen = Vec::new();
                for r in h.segments(size) {
                    h.read_range(r, &[1, 0], &mut |c| {
                        seen.push(format!("{}{}", c[1].unwrap(), c[0].unwrap()))
                    })
                    .unwrap();
                }
                assert_eq!(seen, ["12", "34", "56"], "{name}, segments of {size}");
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
