//! CSV rows written straight into a byte buffer, with the exact bytes the
//! `csv` crate's default writer produces (`,` delimiter, `\n` terminator, a
//! field quoted only when it holds `,`, `"`, CR or LF, quotes doubled), but
//! without a serializer, a per-row writer or a per-number allocation.

use crate::output::{format_score, safe_cell};
use std::borrow::Cow;

/// One record being appended to `out`; fields are separated as they come.
pub(super) struct Row<'a> {
    out: &'a mut Vec<u8>,
    start: usize,
    fields: usize,
}

impl<'a> Row<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>) -> Row<'a> {
        let start = out.len();
        Row {
            out,
            start,
            fields: 0,
        }
    }

    fn separate(&mut self) {
        if self.fields > 0 {
            self.out.push(b',');
        }
        self.fields += 1;
    }

    /// A field holding `text` exactly (quoted when it must be).
    pub(super) fn text(&mut self, text: &str) {
        self.separate();
        if !text.is_empty() {
            write_quoted(self.out, text.as_bytes());
        }
    }

    /// An empty field.
    pub(super) fn empty(&mut self) {
        self.separate();
    }

    /// A field whose bytes were written, quoted as they must be, by an
    /// earlier row: a cell written twice is quoted once.
    pub(super) fn written(&mut self, field: &[u8]) {
        self.separate();
        self.out.extend_from_slice(field);
    }

    /// [`Row::cell`], returning where the field's bytes lie in the buffer.
    pub(super) fn cell_at(&mut self, cell: &Cell<'_>) -> std::ops::Range<usize> {
        self.separate();
        let start = self.out.len();
        write_field(self.out, cell.text.as_bytes(), cell.quoting);
        start..self.out.len()
    }

    /// A field written into many rows (a document's id).
    #[inline(always)]
    pub(super) fn repeated(&mut self, field: &Repeated<'_>) {
        self.separate();
        match field {
            Repeated::Short { padded, len } => {
                // A fixed-size copy and a cut: no `memcpy` call per row.
                let end = self.out.len() + usize::from(*len);
                self.out.extend_from_slice(padded);
                self.out.truncate(end);
            }
            Repeated::Long(cell) => write_field(self.out, cell.text.as_bytes(), cell.quoting),
        }
    }

    /// A field holding a prepared cell.
    pub(super) fn cell(&mut self, cell: &Cell<'_>) {
        self.separate();
        write_field(self.out, cell.text.as_bytes(), cell.quoting);
    }

    /// A text field passed through [`safe_cell`] first.
    pub(super) fn safe(&mut self, text: &str) {
        self.text(&safe_cell(text));
    }

    /// A field written as is: the caller guarantees it needs no quotes.
    pub(super) fn plain(&mut self, bytes: &[u8]) {
        self.separate();
        self.out.extend_from_slice(bytes);
    }

    #[inline(always)]
    pub(super) fn number(&mut self, n: usize) {
        self.separate();
        write_number(self.out, n);
    }

    /// A number, or an empty field for `None`.
    pub(super) fn number_or_empty(&mut self, n: Option<usize>) {
        match n {
            Some(n) => self.number(n),
            None => self.separate(),
        }
    }

    /// A score as [`format_score`] writes it.
    #[inline(always)]
    pub(super) fn score(&mut self, score: f64) {
        self.separate();
        if score == 0.0 {
            // The score of most rows, without a call.
            self.out.extend_from_slice(ZERO_SCORE);
        } else {
            write_score(self.out, score);
        }
    }

    /// Starts a field whose bytes the caller appends to the returned buffer
    /// (they must need no quotes).
    pub(super) fn begin_raw(&mut self) -> &mut Vec<u8> {
        self.separate();
        self.out
    }

    /// Ends the record. Like the `csv` crate, a record with no bytes at all
    /// (a single empty field) is written as `""`.
    pub(super) fn end(self) {
        if self.out.len() == self.start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.push(b'\n');
    }
}

/// How a field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quoting {
    /// As is.
    Bare,
    /// In quotes; it holds no `"`.
    Quoted,
    /// In quotes, with its `"` doubled.
    Doubled,
}

impl Quoting {
    fn of(needs_quotes: bool, has_quote_char: bool) -> Quoting {
        match (needs_quotes || has_quote_char, has_quote_char) {
            (false, _) => Quoting::Bare,
            (true, false) => Quoting::Quoted,
            (true, true) => Quoting::Doubled,
        }
    }
}

/// Fields shorter than this are classified byte by byte, longer ones with
/// `memchr`'s vector search.
const SHORT_FIELD: usize = 32;

/// What each byte asks of a field: 1 quotes (`,`, LF, CR), 2 a `"`.
const FIELD_BYTE: [u8; 256] = {
    let mut table = [0; 256];
    table[b',' as usize] = 1;
    table[b'\n' as usize] = 1;
    table[b'\r' as usize] = 1;
    table[b'"' as usize] = 2;
    table
};

/// How `field` must be written: quoted when it holds a delimiter, a quote,
/// CR or LF.
pub(super) fn quoting_of(field: &[u8]) -> Quoting {
    if field.len() < SHORT_FIELD {
        let asks = field
            .iter()
            .fold(0, |asks, &b| asks | FIELD_BYTE[usize::from(b)]);
        return Quoting::of(asks & 1 != 0, asks & 2 != 0);
    }
    if memchr::memchr(b'"', field).is_some() {
        return Quoting::Doubled;
    }
    Quoting::of(memchr::memchr3(b',', b'\n', b'\r', field).is_some(), false)
}

/// Appends a CSV field: as is, or in quotes with `"` doubled when it holds
/// a delimiter, a quote, CR or LF.
pub(super) fn write_quoted(out: &mut Vec<u8>, field: &[u8]) {
    write_field(out, field, quoting_of(field));
}

#[inline(always)]
fn write_field(out: &mut Vec<u8>, field: &[u8], quoting: Quoting) {
    match quoting {
        Quoting::Bare => out.extend_from_slice(field),
        Quoting::Quoted => {
            out.reserve(field.len() + 2);
            out.push(b'"');
            out.extend_from_slice(field);
            out.push(b'"');
        }
        Quoting::Doubled => write_doubled(out, field),
    }
}

/// Appends `field` in quotes with its `"` doubled.
#[inline(never)]
fn write_doubled(out: &mut Vec<u8>, field: &[u8]) {
    out.reserve(field.len() + 8);
    out.push(b'"');
    let mut rest = field;
    while let Some(at) = memchr::memchr(b'"', rest) {
        let (before, after) = rest.split_at(at + 1);
        out.extend_from_slice(before);
        out.push(b'"');
        rest = after;
    }
    out.extend_from_slice(rest);
    out.push(b'"');
}

/// The two ASCII digits of each number below 100.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut pairs = [[0; 2]; 100];
    let mut n = 0;
    while n < 100 {
        pairs[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    pairs
};

/// Appends the decimal digits of `n` with fixed-size copies (a copy of as
/// many bytes as there are digits would call `memcpy`). The usual numbers
/// (counts, ids, offsets) have at most four digits and take the short arms;
/// longer ones are written out of line.
#[inline(always)]
pub(super) fn write_number(out: &mut Vec<u8>, n: usize) {
    match n {
        0..=9 => out.push(b'0' + n as u8),
        10..=99 => out.extend_from_slice(&DIGIT_PAIRS[n]),
        100..=999 => {
            let [b, c] = DIGIT_PAIRS[n % 100];
            out.extend_from_slice(&[b'0' + (n / 100) as u8, b, c]);
        }
        1000..=9999 => {
            let [a, b] = DIGIT_PAIRS[n / 100];
            let [c, d] = DIGIT_PAIRS[n % 100];
            out.extend_from_slice(&[a, b, c, d]);
        }
        _ => write_long_number(out, n),
    }
}

/// [`write_number`] of a number of five digits or more.
#[inline(never)]
fn write_long_number(out: &mut Vec<u8>, n: usize) {
    match n {
        10_000..=99_999_999 => {
            // Eight digits, leading zeros included, in one word; shifted
            // left past the zeros, its first `len` bytes are the number.
            let (high, low) = (n / 10_000, n % 10_000);
            let [a, b] = DIGIT_PAIRS[high / 100];
            let [c, d] = DIGIT_PAIRS[high % 100];
            let [e, f] = DIGIT_PAIRS[low / 100];
            let [g, h] = DIGIT_PAIRS[low % 100];
            let word = u64::from_be_bytes([a, b, c, d, e, f, g, h]);
            let zeros = ((word ^ u64::from_be_bytes([b'0'; 8])).leading_zeros() / 8) as usize;
            let start = out.len();
            out.extend_from_slice(&(word << (8 * zeros)).to_be_bytes());
            out.truncate(start + 8 - zeros);
        }
        _ => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
    }
}

/// Scores at most this large (in thousandths) are written from an integer;
/// larger ones, where a double could no longer hold every thousandth
/// exactly, go through [`format_score`].
const EXACT_THOUSANDTHS: f64 = 1e12;

/// [`format_score`] of 0 (and of -0).
const ZERO_SCORE: &[u8; 5] = b"0.000";

/// Appends [`format_score`]`(score)` without allocating.
pub(super) fn write_score(out: &mut Vec<u8>, score: f64) {
    if score == 0.0 {
        // The score of most sentences (-0.0 included), without rounding.
        out.extend_from_slice(ZERO_SCORE);
        return;
    }
    let thousandths = (score * 1000.0).round();
    if !(thousandths.is_finite() && thousandths.abs() < EXACT_THOUSANDTHS) {
        out.extend_from_slice(format_score(score).as_bytes());
        return;
    }
    // Below 10^12 the cast is exact and `n / 1000` prints as these digits.
    let n = thousandths as i64;
    let negative = n < 0;
    let n = n.unsigned_abs();
    let fraction = n % 1000;
    let fraction = [
        b'.',
        b'0' + (fraction / 100) as u8,
        b'0' + (fraction / 10 % 10) as u8,
        b'0' + (fraction % 10) as u8,
    ];
    let units = n / 1000;
    if units < 10 {
        // The usual score, in [-9.999, 9.999]: one fixed-size copy.
        let [dot, tenths, hundredths, thousandths] = fraction;
        let digits = [
            b'-',
            b'0' + units as u8,
            dot,
            tenths,
            hundredths,
            thousandths,
        ];
        if negative {
            out.extend_from_slice(&digits);
        } else {
            out.extend_from_slice(&digits[1..]);
        }
        return;
    }
    if negative {
        out.push(b'-');
    }
    write_number(out, units as usize);
    out.extend_from_slice(&fraction);
}

/// Bytes a [`Repeated::Short`] field is copied in.
const PADDED_FIELD: usize = 32;

/// A text field written into many rows, its bytes as written (quoted as they
/// must be) rendered once.
#[derive(Debug)]
pub(super) enum Repeated<'a> {
    /// A field of at most [`PADDED_FIELD`] bytes, padded to that size.
    Short {
        padded: [u8; PADDED_FIELD],
        len: u8,
    },
    Long(Cell<'a>),
}

impl<'a> Repeated<'a> {
    /// The field holding `text` exactly.
    pub(super) fn exact(text: &'a str) -> Repeated<'a> {
        let cell = Cell::exact(text);
        let mut field = Vec::new();
        write_field(&mut field, cell.text.as_bytes(), cell.quoting);
        let mut padded = [0; PADDED_FIELD];
        match (padded.get_mut(..field.len()), u8::try_from(field.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(&field);
                Repeated::Short { padded, len }
            }
            _ => Repeated::Long(cell),
        }
    }
}

/// A text cell prepared once, written into one row or several.
#[derive(Debug)]
pub(super) struct Cell<'a> {
    text: Cow<'a, str>,
    quoting: Quoting,
}

impl<'a> Cell<'a> {
    /// A cell holding `text` exactly.
    pub(super) fn exact(text: &'a str) -> Cell<'a> {
        Cell {
            quoting: quoting_of(text.as_bytes()),
            text: Cow::Borrowed(text),
        }
    }

    /// The cell of a source slice: [`safe_cell`] of `text::collapsed(s)`,
    /// built in `scratch` only when the slice is not collapsed already.
    pub(super) fn collapsed(s: &'a str, scratch: &'a mut String) -> Cell<'a> {
        let (text, scanned) = match scan_collapsed(s) {
            Some(quoting) => (s, Some(quoting)),
            None => {
                crate::text::collapse_into(s, scratch);
                (scratch.as_str(), None)
            }
        };
        match safe_cell(text) {
            Cow::Borrowed(text) => Cell {
                text: Cow::Borrowed(text),
                quoting: scanned.unwrap_or_else(|| quoting_of(text.as_bytes())),
            },
            Cow::Owned(text) => Cell {
                quoting: quoting_of(text.as_bytes()),
                text: Cow::Owned(text),
            },
        }
    }
}

/// Byte classes that [`byte_classes`] reports, one bit each.
const CONTROL: u8 = 1;
const NON_ASCII: u8 = 2;
const COMMA: u8 = 4;
const QUOTE: u8 = 8;
const DOUBLE_SPACE: u8 = 16;

/// Bytes [`byte_classes`] reads at a time.
const LANES: usize = 32;

/// Per-lane findings of [`byte_classes`], kept apart so that the compiler
/// can hold each in vector registers (one vector operation or two per
/// finding and block).
struct Lanes {
    smallest: [u8; LANES],
    ored: [u8; LANES],
    /// The smallest of each byte and the next one's larger: at most a space
    /// when two bytes up to a space follow each other ([`DOUBLE_SPACE`]).
    low_pairs: [u8; LANES],
    /// 0xFF in a lane that saw a `,`, a `"`.
    commas: [u8; LANES],
    quotes: [u8; LANES],
}

impl Lanes {
    /// Adds the bytes of `block`, each followed by the byte of `next` in its
    /// lane. Branch-free over fixed-size arrays: vector code.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)]
    fn add(&mut self, block: &[u8; LANES], next: &[u8; LANES]) {
        for i in 0..LANES {
            let (byte, next) = (block[i], next[i]);
            self.smallest[i] = self.smallest[i].min(byte);
            self.ored[i] |= byte;
            self.low_pairs[i] = self.low_pairs[i].min(byte.max(next));
            self.commas[i] |= u8::from(byte == b',').wrapping_neg();
            self.quotes[i] |= u8::from(byte == b'"').wrapping_neg();
        }
    }

    /// [`Lanes::add`] of the window of `bytes` at `at`, if it lies in
    /// `bytes` with the byte after it.
    #[inline(always)]
    fn add_window(&mut self, bytes: &[u8], at: usize) -> bool {
        let Some(window) = bytes.get(at..at + LANES + 1) else {
            return false;
        };
        let (Ok(block), Ok(next)) = (
            <&[u8; LANES]>::try_from(&window[..LANES]),
            <&[u8; LANES]>::try_from(&window[1..]),
        ) else {
            return false;
        };
        self.add(block, next);
        true
    }

    /// The classes seen, each lane's findings turned into class bits side
    /// by side (vector code) and ORed across the lanes once.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)]
    fn classes(&self) -> u8 {
        let mut classes = [0; LANES];
        for i in 0..LANES {
            classes[i] = (u8::from(self.smallest[i] < 0x20) * CONTROL)
                | ((self.ored[i] >> 7) * NON_ASCII)
                | (u8::from(self.low_pairs[i] <= b' ') * DOUBLE_SPACE)
                | (self.commas[i] & COMMA)
                | (self.quotes[i] & QUOTE);
        }
        classes.iter().fold(0, |a, &b| a | b)
    }
}

/// A space, in [`BYTE_CLASS`] only.
const SPACE: u8 = 32;

/// The class bits of each byte, for short fields.
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = if byte < 0x20 {
            CONTROL
        } else if byte >= 0x80 {
            NON_ASCII
        } else if byte == b',' as usize {
            COMMA
        } else if byte == b'"' as usize {
            QUOTE
        } else if byte == b' ' as usize {
            SPACE
        } else {
            0
        };
        byte += 1;
    }
    table
};

/// Fields shorter than this are classified by table lookup.
const SHORT_CELL: usize = 16;

/// The classes of the bytes of `bytes`, ORed together: a control byte
/// (below 0x20), a non-ASCII byte, `,`, `"`, a space followed by a space
/// (in a field of [`SHORT_CELL`] bytes or more, any two bytes up to a space
/// in a row: a control byte there is whitespace or is rare, and the caller
/// takes the slow, exact way for both).
fn byte_classes(bytes: &[u8]) -> u8 {
    if bytes.len() < SHORT_CELL {
        let (mut classes, mut previous) = (0, 0);
        for &byte in bytes {
            let class = BYTE_CLASS[usize::from(byte)];
            // Two spaces in a row set DOUBLE_SPACE (the bit below SPACE).
            classes |= class | (previous & class & SPACE) >> 1;
            previous = class;
        }
        return classes & !SPACE;
    }
    let mut lanes = Lanes {
        smallest: [u8::MAX; LANES],
        ored: [0; LANES],
        low_pairs: [u8::MAX; LANES],
        commas: [0; LANES],
        quotes: [0; LANES],
    };
    let mut at = 0;
    // Whole blocks while the byte after each block exists too.
    while lanes.add_window(bytes, at) {
        at += LANES;
    }
    let Some(&last) = bytes.last() else {
        return 0;
    };
    // The last byte is in no block (it follows the last one): its own
    // classes, without DOUBLE_SPACE (no byte follows it).
    let last = BYTE_CLASS[usize::from(last)] & !SPACE;
    let rest = bytes.len() - at;
    if rest <= 1 {
        return lanes.classes() | last;
    }
    // The bytes left before the last one: in the block that ends just
    // before it when there is one (its bytes seen twice change nothing),
    // else padded with a byte of no class.
    if bytes.len() > LANES && lanes.add_window(bytes, bytes.len() - LANES - 1) {
        return lanes.classes() | last;
    }
    let mut padded = [b'a'; 2 * LANES];
    if let (Some(head), Some(rest)) = (padded.get_mut(..rest), bytes.get(at..)) {
        head.copy_from_slice(rest);
    }
    let (Ok(block), Ok(next)) = (
        <&[u8; LANES]>::try_from(&padded[..LANES]),
        <&[u8; LANES]>::try_from(&padded[1..=LANES]),
    ) else {
        return lanes.classes() | last;
    };
    lanes.add(block, next);
    lanes.classes() | last
}

/// Whether `s` holds a whitespace character beyond ASCII (U+0085, U+00A0,
/// U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000): each
/// one's UTF-8 starts with one of the bytes C2, E1, E2, E3.
fn has_unicode_space(s: &str) -> bool {
    let bytes = s.as_bytes();
    let space_at = |at: usize| {
        matches!(
            bytes.get(at..).unwrap_or_default(),
            [0xC2, 0x85 | 0xA0, ..]
                | [0xE1, 0x9A, 0x80, ..]
                | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF, ..]
                | [0xE2, 0x81, 0x9F, ..]
                | [0xE3, 0x80, 0x80, ..]
        )
    };
    memchr::memchr3_iter(0xC2, 0xE2, 0xE3, bytes).any(space_at)
        || memchr::memchr_iter(0xE1, bytes).any(space_at)
}

/// How `s` must be quoted if it is collapsed already (no whitespace but
/// single spaces between other characters), `None` if it is not.
fn scan_collapsed(s: &str) -> Option<Quoting> {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return None;
    }
    let classes = byte_classes(bytes);
    let whitespace = classes & DOUBLE_SPACE != 0
        || (classes & CONTROL != 0 && bytes.iter().any(|b| matches!(b, b'\t'..=b'\r')))
        || (classes & NON_ASCII != 0 && has_unicode_space(s));
    if whitespace {
        return None;
    }
    Some(Quoting::of(classes & COMMA != 0, classes & QUOTE != 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::collapsed;
    use proptest::prelude::*;

    fn csv_crate_row(fields: &[&str]) -> Vec<u8> {
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        writer.write_record(fields).unwrap();
        writer.into_inner().unwrap()
    }

    fn our_row(fields: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut row = Row::new(&mut out);
        for f in fields {
            row.text(f);
        }
        row.end();
        out
    }

    #[test]
    fn rows_match_the_csv_crate() {
        let long = "word, and \"quoted\" words ".repeat(5);
        let long_plain = "words and more words ".repeat(5);
        for fields in [
            vec!["a", "b,c", "say \"hi\"", "x\ny", "cr\r", ""],
            vec![long.as_str(), long_plain.as_str(), long_plain.trim_end()],
            vec![""],
            vec!["", ""],
            vec!["\""],
            vec!["héllo", "'=x", " lead", "trail "],
        ] {
            assert_eq!(our_row(&fields), csv_crate_row(&fields), "{fields:?}");
        }
    }

    #[test]
    fn scores_match_format_score() {
        let mut values = vec![
            0.0,
            -0.0,
            0.0005,
            -0.0005,
            0.0015,
            0.0025,
            1.0,
            -1.0,
            0.1234,
            -0.9995,
            0.9995,
            123.4565,
            1e9,
            -1e9,
            1e10,
            1e300,
            -1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            4.4e8 + 0.0005,
        ];
        for i in -3000..=3000 {
            values.push(f64::from(i) / 1000.0);
            values.push(f64::from(i) / 2000.0);
            values.push(f64::from(i) / 7.0);
        }
        for v in values {
            let mut out = Vec::new();
            write_score(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), format_score(v), "{v}");
        }
    }

    #[test]
    fn unicode_spaces_start_with_the_lead_bytes_scanned() {
        for c in (0x80..=0x10FFFF).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            assert_eq!(has_unicode_space(&s), c.is_whitespace(), "{c:?}");
            let lead = c.to_string().as_bytes()[0];
            assert!(!c.is_whitespace() || [0xC2, 0xE1, 0xE2, 0xE3].contains(&lead));
        }
    }

    #[test]
    fn numbers_match_itoa() {
        let mut values: Vec<usize> = (0..2000).collect();
        let mut power = 1usize;
        while let Some(next) = power.checked_mul(10) {
            values.extend([power - 1, power, power + 1, next - 1]);
            power = next;
        }
        values.extend([power, usize::MAX, usize::MAX - 1]);
        for n in values {
            let mut out = b"x".to_vec();
            write_number(&mut out, n);
            assert_eq!(&out[1..], itoa::Buffer::new().format(n).as_bytes(), "{n}");
        }
    }

    #[test]
    fn claim_types_and_stances_need_no_quotes() {
        use crate::types::{ClaimType, Stance};
        let words = ClaimType::ALL
            .map(ClaimType::as_str)
            .into_iter()
            .chain([Stance::Favor, Stance::Against, Stance::Neutral].map(Stance::as_str));
        for word in words {
            assert_eq!(quoting_of(word.as_bytes()), Quoting::Bare, "{word}");
            assert_eq!(safe_cell(word), word);
        }
    }

    #[test]
    fn lone_empty_field_is_quoted() {
        let mut out = Vec::new();
        let mut row = Row::new(&mut out);
        row.number_or_empty(None);
        row.end();
        assert_eq!(out, b"\"\"\n");
    }

    proptest! {
        #[test]
        fn collapse_matches_text_collapsed(s in "[ a\t\n\r\u{b}\u{c}\u{1c}\u{85}\u{a0}\u{2003}\u{2019}\u{3000}é,\"=-]{0,40}") {
            let mut scratch = String::new();
            crate::text::collapse_into(&s, &mut scratch);
            prop_assert_eq!(scratch.as_str(), &*collapsed(&s));
        }

        #[test]
        fn cells_match_safe_collapsed_fields(s in "[ a\t\n\r\u{b}\u{c}\u{1c}\u{1}\u{85}\u{a0}\u{1680}\u{2003}\u{2019}\u{2028}\u{3000}\u{7f}é,\"=-]{0,40}") {
            let mut scratch = String::new();
            let cell = Cell::collapsed(&s, &mut scratch);
            let mut ours = Vec::new();
            let mut row = Row::new(&mut ours);
            row.cell(&cell);
            row.number(1);
            row.end();
            let expected = safe_cell(&collapsed(&s)).into_owned();
            prop_assert_eq!(ours, csv_crate_row(&[&expected, "1"]));
        }

        #[test]
        fn ascii_cells_match_safe_collapsed_fields(s in "[ a,\"\t\n=]{0,80}|[a-z ]{0,80}|[a-z ,]{0,80}|[a-z ,.’“”—\u{a0}]{0,200}") {
            let mut scratch = String::new();
            let cell = Cell::collapsed(&s, &mut scratch);
            let mut ours = Vec::new();
            let mut row = Row::new(&mut ours);
            row.cell(&cell);
            row.end();
            let expected = safe_cell(&collapsed(&s)).into_owned();
            prop_assert_eq!(ours, csv_crate_row(&[&expected]));
        }

        #[test]
        fn any_row_matches_the_csv_crate(fields in proptest::collection::vec("[a ,\"\r\n'=é]{0,8}", 1..5)) {
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            prop_assert_eq!(our_row(&fields), csv_crate_row(&fields));
        }

        #[test]
        fn repeated_fields_match_the_csv_crate(id in "[a ,\"\r\n'=é-]{0,40}") {
            let field = Repeated::exact(&id);
            let mut ours = b"x".to_vec();
            let mut row = Row::new(&mut ours);
            row.repeated(&field);
            row.repeated(&field);
            row.end();
            let mut expected = b"x".to_vec();
            expected.extend(csv_crate_row(&[&id, &id]));
            prop_assert_eq!(ours, expected);
        }

        #[test]
        fn any_number_matches_itoa(n in any::<usize>(), small in 0usize..200_000_000) {
            for n in [n, small] {
                let mut out = Vec::new();
                write_number(&mut out, n);
                let mut expected = itoa::Buffer::new();
                prop_assert_eq!(out, expected.format(n).as_bytes());
            }
        }

        #[test]
        fn any_score_matches_format_score(v in -2.0e9f64..2.0e9) {
            let mut out = Vec::new();
            write_score(&mut out, v);
            prop_assert_eq!(String::from_utf8(out).unwrap(), format_score(v));
        }
    }
}
