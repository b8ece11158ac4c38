//! Bit masks of runs of bytes, one bit per byte: of 64-byte blocks of match
//! text for the name scan, which bytes are ASCII letters or digits (from
//! which the scan reads word starts and word lengths) and which are not
//! ASCII; of 16 bytes of a sentence, which stay as they are in match text,
//! which are spaces and which are line feeds; and whether a sentence is
//! all such bytes with no two spaces in a row. On x86_64 bytes are tested
//! 16 at a time with SSE2 compares and byte masks (SSE2 is part of every
//! x86_64 processor), or a block 32 at a time with AVX2 where the processor
//! has it (`Wide`, for a scan run by `run_masked`, compiled for AVX2);
//! elsewhere eight at a time in a `u64` (SWAR), as the tests also do.

/// How many bytes `block_masks` tests at once.
pub const BLOCK: usize = 64;

/// The masks of one block: its ASCII letters and digits, and its bytes that
/// are not ASCII (bit `i` for `block[i]`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn block_masks(block: &[u8; BLOCK]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    let mut words = 0u64;
    let mut non_ascii = 0u64;
    for (i, sixteen) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics
        // are always available; the load reads the 16 bytes of `sixteen`
        // (unaligned loads allowed).
        let (word_bits, high_bits) = unsafe {
            let lanes = _mm_loadu_si128(sixteen.as_ptr().cast::<__m128i>());
            // A byte is in `lo..=hi` when, shifted so that `lo` becomes
            // -128, it is below -128 + (hi - lo + 1) as a signed byte.
            let in_range = |v: __m128i, lo: u8, count: u8| {
                let shifted = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(lo) as i8));
                _mm_cmplt_epi8(shifted, _mm_set1_epi8(0x80u8.wrapping_add(count) as i8))
            };
            // Setting bit 5 maps capitals onto small letters and no other
            // ASCII byte onto them.
            let letters = in_range(_mm_or_si128(lanes, _mm_set1_epi8(0x20)), b'a', 26);
            let digits = in_range(lanes, b'0', 10);
            (
                _mm_movemask_epi8(_mm_or_si128(letters, digits)),
                _mm_movemask_epi8(lanes),
            )
        };
        words |= u64::from(word_bits as u16) << (16 * i);
        non_ascii |= u64::from(high_bits as u16) << (16 * i);
    }
    (words, non_ascii)
}

/// Which of 16 bytes are printable ASCII but the backquote (the bytes that
/// stay as they are in match text), which are spaces and which are line
/// feeds (bit `i` for `bytes[i]`).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn plain_and_spaces(bytes: &[u8; 16]) -> (u16, u16, u16) {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SAFETY: as in `block_masks`; the load reads the 16 bytes of `bytes`.
    let (plain, spaces, line_feeds) = unsafe {
        let lanes = _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>());
        // `b' '..=b'~'`, 95 bytes, as in `block_masks`.
        let shifted = _mm_add_epi8(lanes, _mm_set1_epi8(0x80u8.wrapping_sub(b' ') as i8));
        let printable = _mm_cmplt_epi8(shifted, _mm_set1_epi8(0x80u8.wrapping_add(95) as i8));
        let backquotes = _mm_cmpeq_epi8(lanes, _mm_set1_epi8(b'`' as i8));
        let spaces = _mm_cmpeq_epi8(lanes, _mm_set1_epi8(b' ' as i8));
        let line_feeds = _mm_cmpeq_epi8(lanes, _mm_set1_epi8(b'\n' as i8));
        (
            _mm_movemask_epi8(_mm_andnot_si128(backquotes, printable)),
            _mm_movemask_epi8(spaces),
            _mm_movemask_epi8(line_feeds),
        )
    };
    (plain as u16, spaces as u16, line_feeds as u16)
}

/// Whether every byte of `bytes` is printable ASCII but the backquote (stays
/// as it is in match text) and no two spaces follow each other: 16 bytes at a
/// time with SSE2, each chunk compared with the chunk one byte on for the
/// pairs of spaces, the bytes that fail gathered in one register and read
/// once every 64 bytes.
#[cfg(target_arch = "x86_64")]
pub fn plain_single_spaced(bytes: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };
    // The bytes of 17 that fail: of the first 16 (`ahead`) or the last 16
    // (not `ahead`), those that are not plain, and the spaces with a space
    // after them (`ahead`) or before them (not `ahead`).
    let check = |chunk: &[u8; 17], ahead: bool, bad: __m128i| -> __m128i {
        // SAFETY: as in `block_masks`; the loads read bytes 0..16 and 1..17
        // of the 17-byte `chunk`.
        unsafe {
            let first = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let second = _mm_loadu_si128(chunk.as_ptr().add(1).cast::<__m128i>());
            let lanes = if ahead { first } else { second };
            // Not in `b' '..=b'~'` (as in `plain_and_spaces`): at or above
            // -128 + 95 once shifted.
            let shifted = _mm_add_epi8(lanes, _mm_set1_epi8(0x80u8.wrapping_sub(b' ') as i8));
            let unprintable = _mm_cmpgt_epi8(shifted, _mm_set1_epi8(0x80u8.wrapping_add(94) as i8));
            let backquotes = _mm_cmpeq_epi8(lanes, _mm_set1_epi8(b'`' as i8));
            let space = _mm_set1_epi8(b' ' as i8);
            let two_spaces =
                _mm_and_si128(_mm_cmpeq_epi8(first, space), _mm_cmpeq_epi8(second, space));
            _mm_or_si128(
                bad,
                _mm_or_si128(_mm_or_si128(unprintable, backquotes), two_spaces),
            )
        }
    };
    // SAFETY: SSE2 is part of the x86_64 baseline.
    let mut bad = unsafe { _mm_setzero_si128() };
    let mut at = 0;
    // Four chunks a turn while there are 65 bytes, then one; a sentence that
    // fails (to be folded anyway) is left at the first turn that finds it.
    while let Some(window) = bytes.get(at..).and_then(|rest| rest.first_chunk::<65>()) {
        for i in 0..4 {
            if let Some(chunk) = window.get(16 * i..).and_then(|w| w.first_chunk::<17>()) {
                bad = check(chunk, true, bad);
            }
        }
        // SAFETY: SSE2 is part of the x86_64 baseline.
        if unsafe { _mm_movemask_epi8(bad) } != 0 {
            return false;
        }
        at += 64;
    }
    while let Some(chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<17>()) {
        bad = check(chunk, true, bad);
        at += 16;
    }
    // The last 1 to 16 bytes: the last 16 with the byte before them (tested
    // again, which changes nothing), or when the text is shorter, all of it
    // and then plain bytes that are no space.
    if at < bytes.len() {
        let last = bytes
            .len()
            .checked_sub(17)
            .and_then(|from| bytes.get(from..))
            .and_then(|rest| rest.first_chunk::<17>());
        bad = match last {
            Some(last) => check(last, false, bad),
            None => {
                let mut padded = [b'x'; 17];
                if let Some(head) = padded.get_mut(..bytes.len()) {
                    head.copy_from_slice(bytes);
                }
                check(&padded, true, bad)
            }
        };
    }
    // SAFETY: SSE2 is part of the x86_64 baseline.
    unsafe { _mm_movemask_epi8(bad) == 0 }
}

/// `plain_single_spaced` with AVX2 where `wide` proves the processor has it.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub fn plain_single_spaced_with(wide: Option<Wide>, bytes: &[u8]) -> bool {
    match wide {
        // SAFETY: `wide` proves that the processor has AVX2.
        Some(_) => unsafe { plain_single_spaced_avx2(bytes) },
        None => plain_single_spaced(bytes),
    }
}

/// `plain_single_spaced` 32 bytes at a time: the same tests on 33-byte
/// chunks, two a turn while there are 65 bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn plain_single_spaced_avx2(bytes: &[u8]) -> bool {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_set1_epi8,
        _mm256_setzero_si256,
    };
    /// As the `check` of `plain_single_spaced`, for 32 bytes of 33.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn check(chunk: &[u8; 33], ahead: bool, bad: __m256i) -> __m256i {
        // SAFETY: the caller's processor has AVX2; the loads read bytes
        // 0..32 and 1..33 of the 33-byte `chunk`.
        unsafe {
            let first = _mm256_loadu_si256(chunk.as_ptr().cast::<__m256i>());
            let second = _mm256_loadu_si256(chunk.as_ptr().add(1).cast::<__m256i>());
            let lanes = if ahead { first } else { second };
            let shifted = _mm256_add_epi8(lanes, _mm256_set1_epi8(0x80u8.wrapping_sub(b' ') as i8));
            let unprintable =
                _mm256_cmpgt_epi8(shifted, _mm256_set1_epi8(0x80u8.wrapping_add(94) as i8));
            let backquotes = _mm256_cmpeq_epi8(lanes, _mm256_set1_epi8(b'`' as i8));
            let space = _mm256_set1_epi8(b' ' as i8);
            let two_spaces = _mm256_and_si256(
                _mm256_cmpeq_epi8(first, space),
                _mm256_cmpeq_epi8(second, space),
            );
            _mm256_or_si256(
                bad,
                _mm256_or_si256(_mm256_or_si256(unprintable, backquotes), two_spaces),
            )
        }
    }
    // SAFETY (every block below): the processor has AVX2, as the caller
    // promises; `check` reads only its chunk.
    let mut bad = _mm256_setzero_si256();
    let mut at = 0;
    while let Some(window) = bytes.get(at..).and_then(|rest| rest.first_chunk::<65>()) {
        for i in 0..2 {
            if let Some(chunk) = window.get(32 * i..).and_then(|w| w.first_chunk::<33>()) {
                bad = unsafe { check(chunk, true, bad) };
            }
        }
        if _mm256_movemask_epi8(bad) != 0 {
            return false;
        }
        at += 64;
    }
    while let Some(chunk) = bytes.get(at..).and_then(|rest| rest.first_chunk::<33>()) {
        bad = unsafe { check(chunk, true, bad) };
        at += 32;
    }
    // The last 1 to 32 bytes, as in `plain_single_spaced`.
    if at < bytes.len() {
        let last = bytes
            .len()
            .checked_sub(33)
            .and_then(|from| bytes.get(from..))
            .and_then(|rest| rest.first_chunk::<33>());
        bad = match last {
            Some(last) => unsafe { check(last, false, bad) },
            None => {
                let mut padded = [b'x'; 33];
                if let Some(head) = padded.get_mut(..bytes.len()) {
                    head.copy_from_slice(bytes);
                }
                unsafe { check(&padded, true, bad) }
            }
        };
    }
    _mm256_movemask_epi8(bad) == 0
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn plain_and_spaces(bytes: &[u8; 16]) -> (u16, u16, u16) {
    plain_and_spaces_by_lanes(bytes)
}

/// `plain_and_spaces` eight bytes at a time in a `u64`.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn plain_and_spaces_by_lanes(bytes: &[u8; 16]) -> (u16, u16, u16) {
    use crate::text::lanes_in;
    let mut plain = 0u16;
    let mut spaces = 0u16;
    let mut line_feeds = 0u16;
    for (i, eight) in bytes.chunks_exact(8).enumerate() {
        let chunk = <[u8; 8]>::try_from(eight).map_or(0, u64::from_le_bytes);
        let printable = lanes_in(chunk, b' ', b'~') & !lanes_in(chunk, b'`', b'`');
        plain |= (gather(printable) as u16) << (8 * i);
        spaces |= (gather(lanes_in(chunk, b' ', b' ')) as u16) << (8 * i);
        line_feeds |= (gather(lanes_in(chunk, b'\n', b'\n')) as u16) << (8 * i);
    }
    (plain, spaces, line_feeds)
}

/// The high bit of each lane of a `u64`, gathered into one byte (bit `i`
/// from lane `i`: the products of distinct lanes fall on distinct bits).
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn gather(lanes: u64) -> u64 {
    (lanes >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub fn block_masks(block: &[u8; BLOCK]) -> (u64, u64) {
    block_masks_by_lanes(block)
}

/// A way to compute `block_masks`, for a scan generic over it.
pub trait Masks: Copy {
    fn block_masks(self, block: &[u8; BLOCK]) -> (u64, u64);
}

/// `block_masks` as the target's baseline has it.
#[derive(Debug, Clone, Copy)]
pub struct Baseline;

impl Masks for Baseline {
    #[inline(always)]
    fn block_masks(self, block: &[u8; BLOCK]) -> (u64, u64) {
        block_masks(block)
    }
}

/// `block_masks` with AVX2: a proof, made only by `Wide::detect`, that the
/// processor has AVX2.
#[derive(Debug, Clone, Copy)]
pub struct Wide {
    _detected: (),
}

impl Wide {
    /// A `Wide` if the processor has AVX2.
    pub fn detect() -> Option<Wide> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Some(Wide { _detected: () });
        }
        None
    }
}

impl Masks for Wide {
    #[inline(always)]
    fn block_masks(self, block: &[u8; BLOCK]) -> (u64, u64) {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: a `Wide` exists only where the processor has AVX2.
            unsafe { block_masks_avx2(block) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        block_masks(block)
    }
}

/// `block_masks` 32 bytes at a time: the same tests as the SSE2 version.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn block_masks_avx2(block: &[u8; BLOCK]) -> (u64, u64) {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_cmpgt_epi8, _mm256_loadu_si256, _mm256_movemask_epi8,
        _mm256_or_si256, _mm256_set1_epi8,
    };
    let mut words = 0u64;
    let mut non_ascii = 0u64;
    for (i, half) in block.chunks_exact(32).enumerate() {
        // SAFETY: the caller's processor has AVX2; the load reads the 32
        // bytes of `half` (unaligned loads allowed).
        let (word_bits, high_bits) = unsafe {
            let lanes = _mm256_loadu_si256(half.as_ptr().cast::<__m256i>());
            // A byte is in `lo..lo + count` when, shifted so that `lo`
            // becomes -128, it is below -128 + count as a signed byte.
            let letters = _mm256_cmpgt_epi8(
                _mm256_set1_epi8(0x80u8.wrapping_add(26) as i8),
                _mm256_add_epi8(
                    _mm256_or_si256(lanes, _mm256_set1_epi8(0x20)),
                    _mm256_set1_epi8(0x80u8.wrapping_sub(b'a') as i8),
                ),
            );
            let digits = _mm256_cmpgt_epi8(
                _mm256_set1_epi8(0x80u8.wrapping_add(10) as i8),
                _mm256_add_epi8(lanes, _mm256_set1_epi8(0x80u8.wrapping_sub(b'0') as i8)),
            );
            (
                _mm256_movemask_epi8(_mm256_or_si256(letters, digits)),
                _mm256_movemask_epi8(lanes),
            )
        };
        words |= u64::from(word_bits as u32) << (32 * i);
        non_ascii |= u64::from(high_bits as u32) << (32 * i);
    }
    (words, non_ascii)
}

/// Work generic over `Masks`, for `run_masked`.
pub trait MaskedWork {
    type Output;
    fn run<M: Masks>(self, masks: M) -> Self::Output;
}

/// Runs `work` with `Wide` masks, compiled for AVX2, when `wide` is given;
/// else with the baseline. (BMI1 and BMI2 on top of AVX2 made the scan's
/// word loop longer, with registers moved round on every word.)
#[inline(always)]
pub fn run_masked<W: MaskedWork>(work: W, wide: Option<Wide>) -> W::Output {
    #[cfg(target_arch = "x86_64")]
    if let Some(wide) = wide {
        // SAFETY: `wide` proves that the processor has AVX2.
        return unsafe { run_wide(work, wide) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = wide;
    run_baseline(work)
}

/// `work` with `Baseline` masks, out of line as `run_wide` is.
#[inline(never)]
fn run_baseline<W: MaskedWork>(work: W) -> W::Output {
    work.run(Baseline)
}

/// `work` with `wide` masks, compiled for AVX2, which `wide` proves.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn run_wide<W: MaskedWork>(work: W, wide: Wide) -> W::Output {
    work.run(wide)
}

/// `block_masks` eight bytes at a time in a `u64`.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(always)]
fn block_masks_by_lanes(block: &[u8; BLOCK]) -> (u64, u64) {
    use crate::text::{word_lanes, LANE_HIGH_BITS};
    let mut words = 0u64;
    let mut non_ascii = 0u64;
    for (i, eight) in block.chunks_exact(8).enumerate() {
        let chunk = <[u8; 8]>::try_from(eight).map_or(0, u64::from_le_bytes);
        words |= gather(word_lanes(chunk)) << (8 * i);
        non_ascii |= gather(chunk & LANE_HIGH_BITS) << (8 * i);
    }
    (words, non_ascii)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The masks byte by byte.
    fn masks_by_bytes(bytes: &[u8]) -> (u64, u64) {
        let mut words = 0u64;
        let mut non_ascii = 0u64;
        for (i, &byte) in bytes.iter().take(BLOCK).enumerate() {
            words |= u64::from(byte.is_ascii_alphanumeric()) << i;
            non_ascii |= u64::from(!byte.is_ascii()) << i;
        }
        (words, non_ascii)
    }

    #[test]
    fn every_byte_in_every_position_is_classed_as_byte_tests_do() {
        for byte in 0..=255u8 {
            for position in 0..BLOCK {
                let mut block =
                    *b"The U.S.-led coalition's 2nd year: twenty-one words, or so. Then";
                block[position] = byte;
                let expected = masks_by_bytes(&block);
                assert_eq!(block_masks(&block), expected, "{byte} at {position}");
                if let Some(wide) = Wide::detect() {
                    assert_eq!(wide.block_masks(&block), expected, "{byte} at {position}");
                }
                assert_eq!(
                    block_masks_by_lanes(&block),
                    expected,
                    "{byte} at {position}"
                );
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn plain_single_spaced_text_is_told_by_every_byte_in_every_position() {
        let by_bytes = |bytes: &[u8]| {
            bytes
                .iter()
                .all(|&b| (b' '..=b'~').contains(&b) && b != b'`')
                && !bytes.windows(2).any(|pair| pair == b"  ")
        };
        let text = b"The U.S. said so, and a 2nd time; then: x y. More text at end! \
            Then more still, to run past two blocks of 64 bytes: 1st, 2nd ~ 3rd.";
        // Every byte at the start of the text, then a few of each kind.
        let some_bytes = [
            0, b'\t', b'\n', b' ', b'`', b'~', b'a', 0x7F, 0x80, 0xE2, 0xFF,
        ];
        for len in 0..text.len() {
            let mut bytes = text[..len].to_vec();
            assert!(plain_single_spaced(&bytes), "{len}");
            assert!(plain_single_spaced_with(Wide::detect(), &bytes), "{len}");
            for position in 0..len {
                let all_bytes: Vec<u8> = (0..=255).collect();
                let tried = if len < 20 {
                    &all_bytes[..]
                } else {
                    &some_bytes[..]
                };
                for &byte in tried {
                    bytes[position] = byte;
                    assert_eq!(
                        plain_single_spaced(&bytes),
                        by_bytes(&bytes),
                        "{byte} at {position} of {len}"
                    );
                    assert_eq!(
                        plain_single_spaced_with(Wide::detect(), &bytes),
                        by_bytes(&bytes),
                        "{byte} at {position} of {len}"
                    );
                }
                // A space beside one already there, or two new ones.
                bytes[position] = b' ';
                if position + 1 < len {
                    bytes[position + 1] = b' ';
                    assert!(!plain_single_spaced(&bytes), "{position} of {len}");
                    assert!(
                        !plain_single_spaced_with(Wide::detect(), &bytes),
                        "{position} of {len}"
                    );
                }
                bytes.copy_from_slice(&text[..len]);
            }
        }
    }

    #[test]
    fn plain_bytes_and_spaces_are_found_in_every_position() {
        for byte in 0..=255u8 {
            for position in 0..16 {
                let mut bytes = *b"The `U.S.`  sa\nd";
                bytes[position] = byte;
                let mut expected = (0u16, 0u16, 0u16);
                for (i, &b) in bytes.iter().enumerate() {
                    let plain = (b' '..=b'~').contains(&b) && b != b'`';
                    expected.0 |= u16::from(plain) << i;
                    expected.1 |= u16::from(b == b' ') << i;
                    expected.2 |= u16::from(b == b'\n') << i;
                }
                assert_eq!(plain_and_spaces(&bytes), expected, "{byte} at {position}");
                assert_eq!(
                    plain_and_spaces_by_lanes(&bytes),
                    expected,
                    "{byte} at {position}"
                );
            }
        }
    }
}
