//! Reading an input file's bytes with the guards a hostile path needs: only regular files (a
//! FIFO would hang, /dev/zero never ends), binary content refused from the first bytes (a 2 GB
//! zero-filled file is not read whole first), and no line longer than `MAX_LINE_BYTES` (one
//! 50 MB line would otherwise cost gigabytes once split into cells).

use super::text::binary_offset;
use super::LoadError;
use std::io::Read;
use std::path::Path;

/// Longest physical line, and longest record, of a text table.
pub const MAX_LINE_BYTES: usize = 16 << 20;
/// Longest single cell of a text table.
pub const MAX_FIELD_BYTES: usize = 1 << 20;
/// Bytes looked at before the whole file is read.
const HEAD_BYTES: usize = 64 * 1024;
/// Bytes read between two line checks.
const READ_PIECE: usize = 8 << 20;

/// What kind of file a path is, when it is not a regular one (for the message).
fn irregular_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if ft.is_char_device() || ft.is_block_device() {
            return Some("a device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

fn open_error(path: &Path, source: std::io::Error) -> LoadError {
    LoadError::Open {
        path: path.to_owned(),
        source,
    }
}

/// The whole file. `text`: a text table, so binary content and overlong lines are refused
/// while reading (Parquet and JSON bring their own checks).
pub fn read(path: &Path, text: bool) -> Result<Vec<u8>, LoadError> {
    // Follows symlinks: a link to /dev/zero is a device.
    let meta = std::fs::metadata(path).map_err(|e| open_error(path, e))?;
    if let Some(kind) = irregular_kind(&meta) {
        return Err(LoadError::NotRegular {
            path: path.to_owned(),
            kind,
        });
    }
    let file = std::fs::File::open(path).map_err(|e| open_error(path, e))?;
    let size = meta.len() as usize;
    #[cfg(unix)]
    if text && size >= PARALLEL_READ_BYTES {
        return read_in_parallel(path, &file, size);
    }
    read_from(path, file, text, size)
}

/// From this size a text file is read by several threads at once: copying 100 MB from the page
/// cache (and faulting in its buffer) on one thread was a seventh of `inspect`'s time.
const PARALLEL_READ_BYTES: usize = 32 << 20;

/// `read_from` of a big regular file: pieces read at their offsets on rayon's threads into one
/// buffer, then the line check on all of them (each piece on its own thread). The size is the
/// one `metadata` gave: a file that shrinks meanwhile is an error, one that grows is read as it
/// was.
#[cfg(unix)]
fn read_in_parallel(path: &Path, file: &std::fs::File, size: usize) -> Result<Vec<u8>, LoadError> {
    use rayon::prelude::*;
    use std::os::unix::fs::FileExt;
    let mut head = vec![0u8; HEAD_BYTES];
    file.read_exact_at(&mut head, 0)
        .map_err(|e| open_error(path, e))?;
    check_head(path, &head)?;
    drop(head);
    // Zeroed by the allocator's fresh pages, so the threads fault them in as they read.
    let mut bytes = vec![0u8; size];
    bytes
        .par_chunks_mut(READ_PIECE)
        .enumerate()
        .try_for_each(|(i, piece)| file.read_exact_at(piece, (i * READ_PIECE) as u64))
        .map_err(|e| open_error(path, e))?;
    if longest_line(&bytes) > MAX_LINE_BYTES {
        // The serial guard names the line.
        LineGuard::default().check(path, &bytes)?;
    }
    Ok(bytes)
}

/// The length of the longest line (with its '\n'), pieces measured in parallel.
#[cfg(unix)]
fn longest_line(bytes: &[u8]) -> usize {
    use rayon::prelude::*;
    // Per piece: bytes before its first '\n' (all of them if none), the longest line that
    // starts and ends inside it, and bytes after its last '\n'.
    let pieces: Vec<(usize, usize, Option<usize>)> = bytes
        .par_chunks(READ_PIECE)
        .map(|piece| {
            let mut ends = memchr::memchr_iter(b'\n', piece);
            let Some(first) = ends.next() else {
                return (piece.len(), 0, None);
            };
            let (mut last, mut inner) = (first, 0);
            for end in ends {
                inner = inner.max(end - last);
                last = end;
            }
            (first + 1, inner, Some(piece.len() - last - 1))
        })
        .collect();
    let (mut longest, mut open) = (0, 0);
    for (before, inner, after) in pieces {
        match after {
            None => open += before,
            Some(after) => {
                longest = longest.max(open + before).max(inner);
                open = after;
            }
        }
    }
    longest.max(open)
}

/// Everything `reader` yields, with the checks of `read`; `name` stands for it in messages.
pub fn read_from(
    name: &Path,
    mut reader: impl Read,
    text: bool,
    size_hint: usize,
) -> Result<Vec<u8>, LoadError> {
    if !text {
        let mut bytes = Vec::with_capacity(size_hint);
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| open_error(name, e))?;
        return Ok(bytes);
    }
    let mut bytes = Vec::new();
    let mut head = (&mut reader).take(HEAD_BYTES as u64);
    head.read_to_end(&mut bytes)
        .map_err(|e| open_error(name, e))?;
    check_head(name, &bytes)?;
    bytes.reserve(size_hint.saturating_sub(bytes.len()));
    let mut lines = LineGuard::default();
    lines.check(name, &bytes)?;
    // Read straight into `bytes` (no bounce buffer to copy from), a piece at a time so that an
    // overlong line is refused before the rest of the file is read.
    loop {
        let start = bytes.len();
        let n = (&mut reader)
            .take(READ_PIECE as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| open_error(name, e))?;
        if n == 0 {
            break;
        }
        lines.check(name, &bytes[start..])?;
    }
    Ok(bytes)
}

/// The checks of `read` on bytes already in memory.
pub fn check_bytes(name: &Path, bytes: &[u8], text: bool) -> Result<(), LoadError> {
    if text {
        check_head(name, &bytes[..bytes.len().min(HEAD_BYTES)])?;
        LineGuard::default().check(name, bytes)?;
    }
    Ok(())
}

/// Binary content in the first bytes (UTF-16 text is not binary; a UTF-8 BOM is skipped).
fn check_head(name: &Path, head: &[u8]) -> Result<(), LoadError> {
    let utf16 = head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]);
    if utf16 {
        return Ok(());
    }
    let bom = if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    match binary_offset(&head[bom..]) {
        Some(offset) => Err(LoadError::Binary {
            path: name.to_owned(),
            offset: offset + bom,
        }),
        None => Ok(()),
    }
}

/// Tracks the current line's length across the chunks of a file.
#[derive(Default)]
struct LineGuard {
    /// 1-based line being read, and its bytes so far.
    line: usize,
    len: usize,
}

impl LineGuard {
    fn check(&mut self, path: &Path, chunk: &[u8]) -> Result<(), LoadError> {
        for piece in chunk.split_inclusive(|&b| b == b'\n') {
            self.len += piece.len();
            if self.len > MAX_LINE_BYTES {
                return Err(LoadError::LineTooLong {
                    path: path.to_owned(),
                    line: self.line + 1,
                    limit_mib: MAX_LINE_BYTES >> 20,
                });
            }
            if piece.last() == Some(&b'\n') {
                self.line += 1;
                self.len = 0;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn longest_line_spans_pieces() {
        // Lines of 3 bytes, one of READ_PIECE + 10 across two pieces, and an unterminated end.
        let mut bytes = b"ab\ncd\n".to_vec();
        bytes.extend(std::iter::repeat_n(b'x', READ_PIECE + 9));
        bytes.extend(b"\nef\n");
        assert_eq!(longest_line(&bytes), READ_PIECE + 10);
        assert_eq!(longest_line(b"a\nbcd"), 3);
        assert_eq!(longest_line(b"abc\n"), 4);
        assert_eq!(longest_line(b""), 0);
        let short = b"1,2\n".repeat(READ_PIECE);
        assert_eq!(longest_line(&short), 4);
    }

    #[test]
    fn line_guard_counts_across_chunks() {
        let mut g = LineGuard::default();
        let p = Path::new("t.csv");
        g.check(p, b"a,b\n1,").unwrap();
        g.check(p, b"2\n").unwrap();
        let long = vec![b'x'; MAX_LINE_BYTES];
        g.check(p, &long[..10]).unwrap();
        match g.check(p, &long) {
            Err(LoadError::LineTooLong { line, .. }) => assert_eq!(line, 3),
            other => panic!("{other:?}"),
        }
    }
}
