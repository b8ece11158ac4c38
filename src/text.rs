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

#[cfg(test)]
mod tests {
    use super::*;

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
