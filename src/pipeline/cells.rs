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
        write_quoted(self.out, text.as_bytes());
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

    pub(super) fn number(&mut self, n: usize) {
        self.separate();
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    /// A number, or an empty field for `None`.
    pub(super) fn number_or_empty(&mut self, n: Option<usize>) {
        match n {
            Some(n) => self.number(n),
            None => self.separate(),
        }
    }

    /// A score as [`format_score`] writes it.
    pub(super) fn score(&mut self, score: f64) {
        self.separate();
        write_score(self.out, score);
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

/// How `field` must be written: quoted when it holds a delimiter, a quote,
/// CR or LF.
pub(super) fn quoting_of(field: &[u8]) -> Quoting {
    if field.len() < SHORT_FIELD {
        let (mut special, mut quote) = (false, false);
        for &b in field {
            quote |= b == b'"';
            special |= matches!(b, b',' | b'\n' | b'\r');
        }
        return Quoting::of(special, quote);
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

fn write_field(out: &mut Vec<u8>, field: &[u8], quoting: Quoting) {
    match quoting {
        Quoting::Bare => out.extend_from_slice(field),
        Quoting::Quoted => {
            out.reserve(field.len() + 2);
            out.push(b'"');
            out.extend_from_slice(field);
            out.push(b'"');
        }
        Quoting::Doubled => {
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
    }
}

/// Scores at most this large (in thousandths) are written from an integer;
/// larger ones, where a double could no longer hold every thousandth
/// exactly, go through [`format_score`].
const EXACT_THOUSANDTHS: f64 = 1e12;

/// Appends [`format_score`]`(score)` without allocating.
pub(super) fn write_score(out: &mut Vec<u8>, score: f64) {
    let thousandths = (score * 1000.0).round();
    if !(thousandths.is_finite() && thousandths.abs() < EXACT_THOUSANDTHS) {
        out.extend_from_slice(format_score(score).as_bytes());
        return;
    }
    // Below 10^12 the cast is exact and `n / 1000` prints as these digits.
    let n = thousandths as i64;
    if n < 0 {
        out.push(b'-');
    }
    let n = n.unsigned_abs();
    out.extend_from_slice(itoa::Buffer::new().format(n / 1000).as_bytes());
    let fraction = n % 1000;
    out.extend_from_slice(&[
        b'.',
        b'0' + (fraction / 100) as u8,
        b'0' + (fraction / 10 % 10) as u8,
        b'0' + (fraction % 10) as u8,
    ]);
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

const LOW_BITS: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that equals `byte`.
fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (LOW_BITS * u64::from(byte));
    !(((x & !HIGH_BITS) + !HIGH_BITS) | x) & HIGH_BITS
}

/// The high bit of each byte of an ASCII `word` below 0x20 (the controls).
fn ascii_controls(word: u64) -> u64 {
    !word.wrapping_add(LOW_BITS * 0x60) & HIGH_BITS
}

/// How `s` must be quoted if it is collapsed already (no whitespace but
/// single spaces between other characters), `None` if it is not. Reads
/// eight bytes at a time while they are printable ASCII.
fn scan_collapsed(s: &str) -> Option<Quoting> {
    let bytes = s.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return None;
    }
    let (mut commas, mut quotes) = (0u64, 0u64);
    let mut after_space = false;
    let mut at = 0;
    while at < bytes.len() {
        if let Some(eight) = bytes.get(at..at + 8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(eight);
            let word = u64::from_le_bytes(word);
            if word & HIGH_BITS == 0 && ascii_controls(word) == 0 {
                let spaces = bytes_equal(word, b' ');
                if spaces & (spaces << 8) != 0 || (after_space && spaces & 0x80 != 0) {
                    return None;
                }
                after_space = spaces >> 63 != 0;
                commas |= bytes_equal(word, b',');
                quotes |= bytes_equal(word, b'"');
                at += 8;
                continue;
            }
        }
        let byte = bytes.get(at).copied().unwrap_or_default();
        if byte == b' ' {
            if after_space {
                return None;
            }
            after_space = true;
            at += 1;
        } else if byte < 0x80 {
            if byte.is_ascii_whitespace() || byte == 0x0b {
                return None;
            }
            commas |= u64::from(byte == b',');
            quotes |= u64::from(byte == b'"');
            after_space = false;
            at += 1;
        } else {
            match s.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) if !c.is_whitespace() => {
                    after_space = false;
                    at += c.len_utf8();
                }
                _ => return None,
            }
        }
    }
    Some(Quoting::of(commas != 0, quotes != 0))
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
        fn cells_match_safe_collapsed_fields(s in "[ a\t\n\r\u{b}\u{85}\u{a0}\u{2019}é,\"=-]{0,40}") {
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
        fn ascii_cells_match_safe_collapsed_fields(s in "[ a,\"\t\n=]{0,80}|[a-z ]{0,80}|[a-z ,]{0,80}") {
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
        fn any_score_matches_format_score(v in -2.0e9f64..2.0e9) {
            let mut out = Vec::new();
            write_score(&mut out, v);
            prop_assert_eq!(String::from_utf8(out).unwrap(), format_score(v));
        }
    }
}
