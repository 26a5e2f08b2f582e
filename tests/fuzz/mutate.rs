//! Mutations: byte-level (flip, insert, delete, duplicate, splice, truncate) and
//! structure-aware ones that insert what real parsers trip over — delimiters, quotes, line
//! breaks, byte-order marks, huge numbers, deep brackets — at places that matter.

/// SplitMix64: small, seeded and good enough to choose mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Inputs are kept below this size: big enough for deep nesting and long lines, small enough
/// to run thousands of times a minute.
pub const MAX_LEN: usize = 256 * 1024;

/// Tokens every target gets; each target adds its own dictionary.
const COMMON: &[&str] = &[
    ",",
    ";",
    "\t",
    "|",
    "\"",
    "'",
    "\n",
    "\r\n",
    "\r",
    "\u{feff}",
    "\0",
    " ",
    "\\",
    "=",
    "99999999999999999999999",
    "-9223372036854775809",
    "18446744073709551616",
    "1e999",
    "-0",
    "NaN",
    "inf",
    "0x1F",
    "1,5",
    "1.234,56",
    "$1,000",
    "(12.00)",
    "",
    "null",
    "true",
    "é",
    "\u{1F600}",
    "\u{a0}",
    "2024-02-30",
    "31/12/1999",
    "9999-99-99",
    "%Y",
    "=SUM(A1)",
];

pub fn mutate(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8], dict: &[&str]) {
    let rounds = 1 + rng.below(6);
    for _ in 0..rounds {
        one(rng, input, other, dict);
    }
    input.truncate(MAX_LEN);
}

fn token<'a>(rng: &mut Rng, dict: &[&'a str]) -> &'a str {
    if !dict.is_empty() && rng.chance(2) {
        rng.pick::<&str>(dict)
    } else {
        rng.pick::<&str>(COMMON)
    }
}

/// A position, biased to line starts and ends where structure lives.
fn place(rng: &mut Rng, input: &[u8]) -> usize {
    if input.is_empty() {
        return 0;
    }
    let at = rng.below(input.len() + 1);
    if rng.chance(3) {
        // Snap to the next line break or delimiter.
        let after = input[at..]
            .iter()
            .position(|b| matches!(b, b'\n' | b',' | b';' | b'{' | b'[' | b':' | b'='));
        return after.map_or(input.len(), |n| at + n);
    }
    at
}

fn one(rng: &mut Rng, input: &mut Vec<u8>, other: &[u8], dict: &[&str]) {
    let len = input.len();
    match rng.below(16) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            input[i] = *rng.pick(&[0u8, 0xFF, 0x7F, 0x80, 0xC3, 0xEF, b'"', b'\n', b',', b'{']);
        }
        2 | 3 => {
            let at = place(rng, input);
            let t = token(rng, dict).as_bytes().to_vec();
            input.splice(at..at, t);
        }
        4 if len > 0 => {
            // Delete a range.
            let a = rng.below(len);
            let b = (a + 1 + rng.below(64.min(len - a))).min(len);
            input.drain(a..b);
        }
        5 if len > 0 => {
            // Duplicate a range (rows, fields, brackets).
            let a = rng.below(len);
            let b = (a + 1 + rng.below(256.min(len - a))).min(len);
            let piece = input[a..b].to_vec();
            let times = if rng.chance(8) { 1 + rng.below(200) } else { 1 };
            let at = place(rng, input);
            for _ in 0..times {
                input.splice(at..at, piece.iter().copied());
            }
        }
        6 if !other.is_empty() => {
            // Splice: our head with the other's tail.
            let a = rng.below(len + 1);
            let b = rng.below(other.len());
            input.truncate(a);
            input.extend_from_slice(&other[b..]);
        }
        7 if len > 0 => {
            let keep = rng.below(len);
            input.truncate(keep);
        }
        8 => {
            // Deep nesting, the classic stack overflow.
            const OPENERS: [&[u8]; 7] = [
                b"[",
                b"{",
                b"{\"a\":",
                b"[{\"a\":",
                b"types = {",
                b"a = [",
                b"x = {y = ",
            ];
            let opener = *rng.pick(&OPENERS);
            let depth = *rng.pick(&[65usize, 100, 1000, 2000, 5000, 20_000]);
            let at = place(rng, input);
            let deep = opener.repeat(depth);
            input.splice(at..at, deep);
        }
        9 => {
            // A huge number or a long run of one byte (long lines, long fields).
            let at = place(rng, input);
            let n = *rng.pick(&[30usize, 300, 5000, 70_000]);
            let byte = *rng.pick(b"9a\", \nx");
            input.splice(at..at, std::iter::repeat_n(byte, n));
        }
        10 => {
            // Swap or repeat a line.
            let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
            if lines.len() >= 2 {
                let i = rng.below(lines.len());
                let j = rng.below(lines.len());
                let mut out: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
                if rng.chance(2) {
                    out.swap(i, j);
                } else {
                    let l = out[i].clone();
                    out.insert(j, l);
                }
                *input = out.join(&b'\n');
            }
        }
        11 => {
            // Replace a number by an interesting one.
            if let Some(start) = input.iter().position(|b| b.is_ascii_digit()).map(|first| {
                let skip = rng.below(len.saturating_sub(first).max(1));
                input[first + skip..]
                    .iter()
                    .position(|b| b.is_ascii_digit())
                    .map_or(first, |n| first + skip + n)
            }) {
                let end = input[start..]
                    .iter()
                    .position(|b| !b.is_ascii_digit() && *b != b'.')
                    .map_or(len, |n| start + n);
                let n = *rng.pick(&[
                    "0",
                    "-1",
                    "1e308",
                    "-1e308",
                    "4294967296",
                    "9223372036854775807",
                    "9223372036854775808",
                    "340282366920938463463374607431768211456",
                    "0.0000001",
                    "1e-400",
                    "18446744073709551615",
                    "1.7976931348623157e309",
                    "00012",
                ]);
                input.splice(start..end, n.bytes());
            }
        }
        12 if len > 0 => {
            // Insert a random byte run.
            let at = rng.below(len);
            let n = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next_u64() as u8).collect();
            input.splice(at..at, bytes);
        }
        13 => {
            let at = place(rng, input);
            input.splice(at..at, b"\xEF\xBB\xBF".iter().copied());
        }
        14 => {
            // A line ending style change for the whole input.
            let from: &[u8] = if rng.chance(2) { b"\n" } else { b"\r\n" };
            const ENDINGS: [&[u8]; 4] = [b"\r\n", b"\r", b"\n\n", b"\n"];
            let to = *rng.pick(&ENDINGS);
            let mut out = Vec::with_capacity(input.len());
            let mut i = 0;
            while i < input.len() {
                if input[i..].starts_with(from) {
                    out.extend_from_slice(to);
                    i += from.len();
                } else {
                    out.push(input[i]);
                    i += 1;
                }
            }
            *input = out;
        }
        _ => {
            let at = place(rng, input);
            let t = token(rng, dict).repeat(1 + rng.below(4));
            input.splice(at..at, t.bytes());
        }
    }
}
