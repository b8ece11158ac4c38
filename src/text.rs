//! Small text helpers shared by stages and writers.

/// The source slice with every run of whitespace collapsed to one space and
/// the ends trimmed (the `text` column of ANNOTATION.md §1).
pub fn collapse_whitespace(s: &str) -> String {
    collapsed(s).into_owned()
}

/// [`collapse_whitespace`] without allocating when `s` needs no change.
pub fn collapsed(s: &str) -> std::borrow::Cow<'_, str> {
    let bytes = s.as_bytes();
    // Clean: ASCII, no whitespace but single spaces between other bytes.
    let clean = bytes.first().is_none_or(|&b| b != b' ')
        && bytes.last().is_none_or(|&b| b != b' ')
        && bytes.iter().all(|&b| b > b' ' && b < 0x80 || b == b' ')
        && memchr::memmem::find(bytes, b"  ").is_none();
    if clean {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(collapse_slow(s))
}

fn collapse_slow(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    collapse_into(s, &mut out);
    out
}

/// Writes [`collapsed`]`(s)` into `out`, replacing what it held, so that a
/// caller can reuse one buffer.
pub fn collapse_into(s: &str, out: &mut String) {
    out.clear();
    out.reserve(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
}

/// `0x01` in every byte lane of a `u64`, for tests on eight bytes at a
/// time (SWAR; lanes little-endian, lane 0 the first byte).
pub const LANE_ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte lane.
pub const LANE_HIGH_BITS: u64 = 0x80 * LANE_ONES;

/// The lanes of `chunk` holding an ASCII byte in `lo..=hi` (`1 <= lo`,
/// `hi < 0x7F`), as the high bit of each lane: each lane's low seven bits
/// plus a constant set the high bit exactly when it reaches a bound, and no
/// lane carries into the next.
#[inline(always)]
pub fn lanes_in(chunk: u64, lo: u8, hi: u8) -> u64 {
    let ascii = chunk & !LANE_HIGH_BITS;
    let at_least_lo = ascii.wrapping_add(u64::from(0x80 - lo) * LANE_ONES);
    let above_hi = ascii.wrapping_add(u64::from(0x7F - hi) * LANE_ONES);
    at_least_lo & !above_hi & !chunk & LANE_HIGH_BITS
}

/// The lanes of `chunk` holding an ASCII letter or digit.
#[inline(always)]
pub fn word_lanes(chunk: u64) -> u64 {
    // Setting bit 5 maps capitals onto small letters and no other byte
    // onto them.
    lanes_in(chunk | (0x20 * LANE_ONES), b'a', b'z') | lanes_in(chunk, b'0', b'9')
}

/// The lanes of `chunk` holding an ASCII capital.
#[inline(always)]
pub fn capital_lanes(chunk: u64) -> u64 {
    lanes_in(chunk, b'A', b'Z')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_tests_agree_with_byte_tests_for_every_byte_in_every_lane() {
        for byte in 0..=255u8 {
            for lane in 0..8 {
                let chunk = u64::from(byte) << (8 * lane)
                    | u64::from_le_bytes(*b"........") & !(0xFF << (8 * lane));
                let bit = 0x80u64 << (8 * lane);
                assert_eq!(
                    word_lanes(chunk) & bit != 0,
                    byte.is_ascii_alphanumeric(),
                    "{byte:#x} in lane {lane}"
                );
                assert_eq!(
                    capital_lanes(chunk) & bit != 0,
                    byte.is_ascii_uppercase(),
                    "{byte:#x} in lane {lane}"
                );
                // The other lanes hold '.', which is neither.
                assert_eq!(word_lanes(chunk) & !bit, 0);
            }
        }
    }

    #[test]
    fn collapses_runs_and_trims() {
        assert_eq!(collapse_whitespace("  a \n\t b  "), "a b");
        assert_eq!(collapse_whitespace(""), "");
        assert_eq!(collapse_whitespace("a\u{a0}b"), "a b");
        assert_eq!(collapse_whitespace("a \x0b b"), "a b");
        assert!(matches!(
            collapsed("plain words here"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(collapsed("two  spaces"), "two spaces");
        assert_eq!(collapsed("tab\there"), "tab here");
    }
}
