//! The name trie: every alias and non-actor name, ASCII-case-folded, walked
//! only where a name may start (a word start, or a character that is not
//! part of a word) instead of an unanchored automaton scan of every byte. A
//! walk follows the longest name prefix at its start and stops at the first
//! byte no name continues with, most often after two or three bytes. The
//! trie is kept small and compact: a state's children have consecutive
//! numbers, the first three levels level by level (the few states most
//! walks pass through, together), then depth first so that the single
//! children that make up the tail of most names follow one another, and
//! each state is 16 bytes
//! holding all a step needs (the pattern that ends there, its first child
//! and the edge bytes, as classes, of up to five children), so that a step
//! reads one cache line; only the few states with more children (near the
//! root) get a dense row of transitions.
//!
//! Where the scan skips positions inside words, a word start is walked only
//! when the word (its maximal run of ASCII letters and digits) may be the
//! first word of a name: a name starting there can stand on word boundaries
//! only if the text's word equals the name's own first word (see
//! `FirstWords`), and a small Bloom filter of the names' first words, which
//! stays in cache, rules out most words without touching the trie.

use super::blocks::{run_masked, MaskedWork, Masks, Wide, BLOCK};
use super::context::{char_before, is_word_char};
use crate::text::{LANE_HIGH_BITS, LANE_ONES};

/// A name found at a start position: where it ends and its pattern index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub end: usize,
    pub pattern: usize,
}

/// The compiled names.
#[derive(Debug, Clone)]
pub struct Names {
    /// The class of each byte: 0 for a byte no name holds, the same class for
    /// both ASCII cases of a letter.
    classes: [u8; 256],
    /// The number of classes, 0 included: the length of a dense row.
    class_count: usize,
    /// For each class, the root's child on it (0: none).
    root: [u32; 256],
    /// For each class, the pattern of one byte on it (`NO_PATTERN`: none).
    root_patterns: [u32; 256],
    /// For each pair of classes, the state two bytes from the root (0: none),
    /// `class_count` entries per first class.
    pairs: Vec<u32>,
    /// For each state (0 is the root), its pattern and children.
    nodes: Vec<Node>,
    /// Dense rows: for each class, the child on it (0: none).
    rows: Vec<u32>,
    first_words: FirstWords,
    /// For each byte: an ASCII letter or digit (`WORD_*`), another ASCII
    /// byte, or part of a non-ASCII character; and, for ASCII, whether a
    /// name starts with it (`*_START`).
    kinds: [u8; 256],
    /// Whether no name starts with an ASCII byte that is not a letter or a
    /// digit (so the scan may pass over such bytes in bulk).
    no_other_starts: bool,
    /// For each pattern: whether it, or a shorter pattern that it begins
    /// with, may be kept in text that begins with a small letter (its
    /// `small_start`).
    small_start_ok: Vec<bool>,
    /// Whether the scan outside words runs with AVX2 (see `blocks::Wide`).
    wide: Option<Wide>,
}

/// Bloom filters of how the names begin, for the names whose first word
/// (the bytes up to the first non-word character, all of the name if it has
/// none) is made of ASCII letters and digits: the first words themselves,
/// and the names' first bytes up to `PREFIX_PAST_WORD` bytes past the first
/// word (the whole name when it is shorter). Bytes are compared with bit
/// 0x20 set (see `first_word_key` and `word_key`), which maps both cases of a letter to one.
///
/// At a word start `at` (a word character with no word character before
/// it), a name that stands on word boundaries spans exactly the text's word
/// there and goes on from it with the same non-word character, or ends with
/// it: its first word is the text's word (ASCII-case-insensitively). So
/// when the text's word is made of ASCII bytes and ends before a non-word
/// character or the end of the text, a word that is no name's first word,
/// or whose next bytes begin no name with that first word, starts no
/// candidate that `Matcher` could keep. False positives only cost the trie
/// walk.
///
/// A word that begins with a small ASCII letter is only looked up among
/// the names that text beginning with a small letter can match (their case
/// rule allows it; see `Names::build`): `small_prefixes` holds only their
/// prefixes.
#[derive(Debug, Clone)]
struct FirstWords {
    words: Box<WordFilter>,
    prefixes: Box<Filter>,
    small_prefixes: Box<Filter>,
    /// For each bucket of first-word keys (`offset_bucket`), which lengths
    /// past the first word (bit `n` for `n` bytes, 0 to `PREFIX_PAST_WORD`)
    /// the prefixes of the names with such a first word have.
    offsets: Box<[u8; 1 << OFFSET_BUCKET_BITS]>,
}

/// log2 of the number of buckets of `FirstWords::offsets` (4 KB).
const OFFSET_BUCKET_BITS: u32 = 12;

/// The `FirstWords::offsets` bucket of a first-word key.
#[inline(always)]
fn offset_bucket(key: u64) -> usize {
    (key >> 36) as usize & ((1 << OFFSET_BUCKET_BITS) - 1)
}

/// log2 of the number of bits of each `FirstWords` prefix filter: 8 KB each, which
/// stay in L1.
const FILTER_BITS: u32 = 16;

/// The bits of one `FirstWords` filter.
type Filter = [u64; 1 << (FILTER_BITS - 6)];

/// log2 of the number of bits of `FirstWords::words`, a Bloom filter of
/// one bit per key (16 KB): tested at every word start, it costs a few
/// instructions.
const WORD_FILTER_BITS: u32 = 17;

/// The bits of `FirstWords::words`.
type WordFilter = [u64; 1 << (WORD_FILTER_BITS - 6)];

/// The bit of a first-word key in `FirstWords::words`.
#[inline(always)]
fn word_bit(key: u64) -> usize {
    (key >> (64 - WORD_FILTER_BITS)) as usize
}

/// Whether `FirstWords::words` holds `key`.
#[inline(always)]
fn holds_word(bits: &WordFilter, key: u64) -> bool {
    let bit = word_bit(key);
    bits.get(bit / 64)
        .is_some_and(|slot| slot >> (bit % 64) & 1 != 0)
}

/// How many bytes past its first word a name's prefix in `FirstWords` runs.
const PREFIX_PAST_WORD: usize = 4;

impl FirstWords {
    fn build(patterns: &[String], small_start: &[bool]) -> FirstWords {
        let empty = || Box::new([0u64; 1 << (FILTER_BITS - 6)]);
        let mut filter = FirstWords {
            words: Box::new([0u64; 1 << (WORD_FILTER_BITS - 6)]),
            prefixes: empty(),
            small_prefixes: empty(),
            offsets: Box::new([0u8; 1 << OFFSET_BUCKET_BITS]),
        };
        let set = |bits: &mut [u64], key: u64| {
            let (word, mask) = slot_of(key);
            if let Some(slot) = bits.get_mut(word) {
                *slot |= mask;
            }
        };
        for (index, pattern) in patterns.iter().enumerate() {
            let bytes = pattern.as_bytes();
            let word_len = pattern
                .char_indices()
                .find(|&(_, c)| !is_word_char(c))
                .map_or(bytes.len(), |(i, _)| i);
            let word = bytes.get(..word_len).unwrap_or_default();
            if word.is_empty() || !word.iter().all(u8::is_ascii_alphanumeric) {
                continue;
            }
            let key = first_word_key(load8(bytes, 0), word_len);
            let bit = word_bit(key);
            if let Some(slot) = filter.words.get_mut(bit / 64) {
                *slot |= 1 << (bit % 64);
            }
            let prefix_len = bytes.len().min(word_len + PREFIX_PAST_WORD);
            let prefix_key = if prefix_len == word_len {
                key
            } else {
                word_key(bytes, 0, prefix_len)
            };
            set(&mut filter.prefixes[..], prefix_key);
            if small_start.get(index).is_none_or(|small| *small) {
                set(&mut filter.small_prefixes[..], prefix_key);
            }
            if let Some(offsets) = filter.offsets.get_mut(offset_bucket(key)) {
                *offsets |= 1 << (prefix_len - word_len);
            }
        }
        filter
    }

    /// Whether a name may begin with the first word that starts
    /// `bytes[start..]`, runs to `word_end` and has key `word_key` (its `first_word_key`), which
    /// `words` holds: whether `prefixes` (`small_prefixes` when the word
    /// begins with a small ASCII letter) holds a prefix of the text there of
    /// a length that names with such a first word have.
    #[inline]
    fn may_begin(&self, bytes: &[u8], start: usize, word_end: usize, word_key: u64) -> bool {
        self.may_begin_with(
            load8(bytes, start),
            word_end.saturating_sub(start),
            word_key,
            bytes.len().saturating_sub(start),
            |len| load8(bytes, start + len - 8),
        )
    }

    /// `may_begin` from the first eight bytes of the text at the word's
    /// start (`head`), the word's length and key, how many bytes the text
    /// has from the word's start (`available`), and `tail(len)`: the eight
    /// bytes that end `len` bytes from the word's start (`8 < len <=
    /// available`).
    #[inline(always)]
    fn may_begin_with(
        &self,
        head: u64,
        word_len: usize,
        word_key: u64,
        available: usize,
        tail: impl Fn(usize) -> u64,
    ) -> bool {
        let prefixes = if (head as u8).is_ascii_lowercase() {
            &self.small_prefixes
        } else {
            &self.prefixes
        };
        let mut offsets = self.offsets[offset_bucket(word_key)];
        while offsets != 0 {
            let past = offsets.trailing_zeros() as usize;
            offsets &= offsets - 1;
            let len = word_len + past;
            if len > available {
                break;
            }
            let key = if past == 0 {
                word_key
            } else {
                mix(head, if len > 8 { tail(len) } else { 0 }, len)
            };
            if holds(prefixes, key) {
                return true;
            }
        }
        false
    }
}

/// Whether both bits of `key` are set in `bits`, tested without a branch.
#[inline(always)]
fn holds(bits: &Filter, key: u64) -> bool {
    let (word, mask) = slot_of(key);
    bits.get(word).map_or(0, |&slot| slot & mask) == mask
}

/// The filter word of a key and its two bits in that word: both bits of a
/// key lie in one word (a blocked Bloom filter), so that a test reads one.
#[inline(always)]
fn slot_of(key: u64) -> (usize, u64) {
    let word = (key >> (64 - (FILTER_BITS - 6))) as usize;
    let mask = (1u64 << ((key >> 24) & 63)) | (1u64 << ((key >> 30) & 63));
    (word, mask)
}

/// A hash of `bytes[start..end]` (`start < end`) made from its length and
/// its first and last (up to) eight bytes, each with bit 0x20 set, so that
/// both cases of an ASCII letter give the same key.
#[inline]
fn word_key(bytes: &[u8], start: usize, end: usize) -> u64 {
    let len = end.saturating_sub(start);
    let head = load8(bytes, start);
    let tail = if len > 8 { load8(bytes, end - 8) } else { 0 };
    mix(head, tail, len)
}

/// The key of a first word (of a name, or a word of the text) from its first
/// eight bytes (loaded with `load8`, bytes past the word included) and its
/// length: like `word_key` but without the last eight bytes, which the scan
/// would read for every long word while the first eight and the length tell
/// words apart about as well.
#[inline(always)]
fn first_word_key(head: u64, len: usize) -> u64 {
    (((head | 0x2020_2020_2020_2020) & low_bytes(len)) ^ len as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The key of a word from its first eight bytes (loaded with `load8`) and
/// `word_key`'s other parts.
#[inline(always)]
fn mix(head: u64, tail: u64, len: usize) -> u64 {
    let folded = |x: u64| x | 0x2020_2020_2020_2020;
    ((folded(head) & low_bytes(len)) ^ folded(tail).rotate_left(23) ^ len as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// A mask of the low `n` bytes of a u64 (all of them from 8 on). The table
/// runs to `BLOCK`, so that for the words inside a block (shorter than it)
/// no bound is tested.
#[inline(always)]
fn low_bytes(n: usize) -> u64 {
    const MASKS: [u64; BLOCK] = {
        let mut masks = [u64::MAX; BLOCK];
        let mut n = 0;
        while n < 8 {
            masks[n] = (1 << (8 * n)) - 1;
            n += 1;
        }
        masks
    };
    MASKS.get(n).copied().unwrap_or(u64::MAX)
}

/// The eight bytes at `bytes[at..]` as a little-endian number, zeros past
/// the end.
#[inline(always)]
fn load8(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..at + 8) {
        Some(chunk) => {
            let mut buffer = [0u8; 8];
            buffer.copy_from_slice(chunk);
            u64::from_le_bytes(buffer)
        }
        None => bytes
            .get(at..)
            .unwrap_or_default()
            .iter()
            .rev()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)),
    }
}

/// One state of the trie, in one aligned 16 bytes.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Node {
    /// The first child; the others follow it.
    first_child: u32,
    /// The pattern that ends here, or `NO_PATTERN`.
    pattern: u32,
    /// The low `ROW_BITS` bits: 1 + the index of the state's dense row, or 0
    /// when its children are found by `labels`; above them, lane `i` (of
    /// `INLINE_CHILDREN`) holds the class of the edge to child `i`, 0 past
    /// the last child.
    children: u64,
}

const NO_PATTERN: u32 = u32::MAX;

/// The bits of `Node::children` that hold the dense row.
const ROW_BITS: u32 = 24;

/// How many levels of states below the root are numbered level by level
/// (the rest depth first).
const TOP_LEVELS: usize = 3;

/// States with more children than this get a dense row.
const INLINE_CHILDREN: usize = 5;

impl Node {
    fn row(&self) -> usize {
        (self.children & ((1 << ROW_BITS) - 1)) as usize
    }

    /// The edge classes of the children, one per byte lane from lane 0, 0
    /// past the last child (or for a state with a dense row).
    fn labels(&self) -> u64 {
        self.children >> ROW_BITS
    }

    /// The child on `class` (not 0) among the inline labels: found in all
    /// lanes at once, the first lane whose class equals `class`.
    #[inline(always)]
    fn inline_child(&self, class: u8) -> Option<usize> {
        // Most states passed through have their child on the first lane.
        if self.labels() as u8 == class {
            return Some(self.first_child as usize);
        }
        let diff = self.labels() ^ (u64::from(class) * LANE_ONES);
        // The lowest lane flagged is the lowest zero lane of `diff`
        // (borrows only run upward from it).
        let zero = diff.wrapping_sub(LANE_ONES) & !diff & LANE_HIGH_BITS;
        let lane = zero.trailing_zeros() as usize / 8;
        (lane < INLINE_CHILDREN).then(|| self.first_child as usize + lane)
    }
}

/// The number of ASCII letters and digits from `bytes[at]` on.
fn run_len(bytes: &[u8], at: usize) -> usize {
    let rest = bytes.get(at..).unwrap_or_default();
    rest.iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(rest.len())
}

/// The bytes from a block's start that the words starting in it are read
/// from when they end inside it: the block and the first eight bytes of a
/// word that starts at its last byte.
const WINDOW: usize = BLOCK + 8;

/// What a byte is, for the scan outside words (`Names::kinds`).
const WORD_START: u8 = 0;
const WORD_OTHER: u8 = 1;
const OTHER_START: u8 = 2;
const OTHER: u8 = 3;
const NON_ASCII: u8 = 4;

impl Names {
    /// Compiles `patterns`, compared ASCII-case-insensitively; of two equal
    /// patterns the first counts. `small_start` tells for each pattern
    /// whether a name found in text that begins with a small ASCII letter may
    /// be kept (missing: yes); `next_start` outside words passes over the
    /// word starts with a small letter where only names that may not be kept
    /// can start on word boundaries.
    pub fn build(patterns: &[String], small_start: &[bool]) -> Result<Names, String> {
        let too_many = || "cannot compile the actor names: too many".to_string();
        let mut classes = [0u8; 256];
        let mut class_count = 1usize;
        for pattern in patterns {
            for &byte in pattern.as_bytes() {
                // Both cases of a letter get their class together.
                if classes[usize::from(byte)] == 0 {
                    let class = u8::try_from(class_count).map_err(|_| too_many())?;
                    classes[usize::from(byte.to_ascii_lowercase())] = class;
                    classes[usize::from(byte.to_ascii_uppercase())] = class;
                    class_count += 1;
                }
            }
        }
        // A trie whose nodes keep their children as a linked list of
        // siblings in class order (all in one flat array, no list per node),
        // then each node's (class, child) list in one flat array:
        // `kids_of(node)`.
        const NONE: u32 = u32::MAX;
        /// A trie node as it is built.
        #[derive(Clone, Copy)]
        struct Building {
            first_kid: u32,
            next_sibling: u32,
            /// A node is made after its parent, so its number is higher.
            parent: u32,
            /// The pattern that ends here, or `NO_PATTERN`.
            end: u32,
            label: u8,
        }
        // At most one node per byte.
        let most_nodes = patterns.iter().map(String::len).sum::<usize>() + 1;
        let mut trie: Vec<Building> = Vec::with_capacity(most_nodes);
        trie.push(Building {
            first_kid: NONE,
            next_sibling: NONE,
            parent: 0,
            end: NO_PATTERN,
            label: 0,
        });
        // The root's child on each class, found without walking its list
        // (the longest one).
        let mut root_kid = [NONE; 256];
        // The node each pattern ends at.
        let mut end_node: Vec<usize> = Vec::with_capacity(patterns.len());
        for (index, pattern) in patterns.iter().enumerate() {
            let mut node = 0usize;
            for byte in pattern.bytes() {
                let class = classes[usize::from(byte)];
                if node == 0 {
                    let kid = root_kid[usize::from(class)];
                    if kid != NONE {
                        node = kid as usize;
                        continue;
                    }
                }
                // The first child with a class not below `class`, and the
                // one before it.
                let mut before = NONE;
                let mut kid = trie.get(node).map_or(NONE, |n| n.first_kid);
                while let Some(n) = trie.get(kid as usize).filter(|n| n.label < class) {
                    before = kid;
                    kid = n.next_sibling;
                }
                if trie.get(kid as usize).is_some_and(|n| n.label == class) {
                    node = kid as usize;
                    continue;
                }
                let child = u32::try_from(trie.len()).map_err(|_| too_many())?;
                if child == NONE {
                    return Err(too_many());
                }
                trie.push(Building {
                    first_kid: NONE,
                    next_sibling: kid,
                    parent: node as u32,
                    end: NO_PATTERN,
                    label: class,
                });
                let link = match before {
                    NONE => trie.get_mut(node).map(|n| &mut n.first_kid),
                    before => trie.get_mut(before as usize).map(|n| &mut n.next_sibling),
                };
                if let Some(link) = link {
                    *link = child;
                }
                if node == 0 {
                    root_kid[usize::from(class)] = child;
                }
                node = child as usize;
            }
            if let Some(n) = trie
                .get_mut(node)
                .filter(|n| node != 0 && n.end == NO_PATTERN)
            {
                n.end = u32::try_from(index).map_err(|_| too_many())?;
            }
            end_node.push(node);
        }
        let node_count = trie.len();
        let ends: Vec<u32> = trie.iter().map(|n| n.end).collect();
        let mut kid_start: Vec<usize> = Vec::with_capacity(node_count + 1);
        let mut kid_list: Vec<(u8, usize)> = Vec::with_capacity(node_count);
        for first in trie.iter().map(|n| n.first_kid) {
            kid_start.push(kid_list.len());
            let mut kid = first;
            while let Some(n) = trie.get(kid as usize) {
                kid_list.push((n.label, kid as usize));
                kid = n.next_sibling;
            }
        }
        kid_start.push(kid_list.len());
        let kids_of = |node: usize| -> &[(u8, usize)] {
            match (kid_start.get(node), kid_start.get(node + 1)) {
                (Some(&from), Some(&to)) => kid_list.get(from..to).unwrap_or_default(),
                _ => &[],
            }
        };
        // States: each trie node's children get consecutive numbers. The
        // states of the first `TOP_LEVELS` bytes come first, level by level,
        // so that the few states that most walks pass through share cache
        // lines; below them, node by node depth first, so that a run of
        // single children (the tail of most names) lies in consecutive
        // states, a few to a cache line.
        if u32::try_from(node_count).is_err() {
            return Err(too_many());
        }
        let mut state_of = vec![0usize; node_count];
        let mut first_child_of = vec![0usize; node_count];
        let mut next_state = 1;
        let mut number_children = |node: usize, next_state: &mut usize| {
            let kids = kids_of(node);
            first_child_of[node] = *next_state;
            for (i, &(_, child)) in kids.iter().enumerate() {
                state_of[child] = *next_state + i;
            }
            *next_state += kids.len();
            kids
        };
        let mut level = vec![0usize];
        for _ in 0..TOP_LEVELS {
            let mut below = Vec::new();
            for &node in &level {
                let kids = number_children(node, &mut next_state);
                below.extend(kids.iter().map(|&(_, child)| child));
            }
            level = below;
        }
        let mut stack: Vec<usize> = level.into_iter().rev().collect();
        while let Some(node) = stack.pop() {
            let kids = number_children(node, &mut next_state);
            stack.extend(kids.iter().rev().map(|&(_, child)| child));
        }
        // Trie node `order[s]` is state `s`.
        let mut order = vec![0usize; node_count];
        for (node, &state) in state_of.iter().enumerate() {
            if let Some(slot) = order.get_mut(state) {
                *slot = node;
            }
        }
        let mut nodes = Vec::with_capacity(order.len());
        let mut rows = Vec::new();
        for &node in &order {
            let kids = kids_of(node);
            let first_child = first_child_of[node];
            let mut children_field = 0u64;
            if kids.len() > INLINE_CHILDREN {
                let row = rows.len() / class_count + 1;
                if row >= 1 << ROW_BITS {
                    return Err(too_many());
                }
                children_field = row as u64;
                rows.resize(rows.len() + class_count, 0);
                for (i, &(class, _)) in kids.iter().enumerate() {
                    let at = (row - 1) * class_count + usize::from(class);
                    // Fits: the number of states fits in u32.
                    rows[at] = (first_child + i) as u32;
                }
            } else {
                for (i, &(class, _)) in kids.iter().enumerate() {
                    children_field |= u64::from(class) << (ROW_BITS as usize + 8 * i);
                }
            }
            nodes.push(Node {
                first_child: first_child as u32,
                pattern: ends[node],
                children: children_field,
            });
        }
        // Whether a pattern that ends at a node or above it may be kept at
        // a small letter, from the root down (parents before children).
        let mut small_ok_at = vec![false; node_count];
        for node in 1..node_count {
            let pattern = ends[node];
            small_ok_at[node] = small_ok_at[trie[node].parent as usize]
                || (pattern != NO_PATTERN
                    && small_start.get(pattern as usize).is_none_or(|small| *small));
        }
        let small_start_ok = end_node
            .iter()
            .map(|&node| node != 0 && small_ok_at[node])
            .collect();
        let mut root = [0u32; 256];
        let mut root_patterns = [NO_PATTERN; 256];
        let mut pairs = vec![0u32; class_count * class_count];
        for &(class, child) in kids_of(0) {
            let class = usize::from(class);
            root[class] = state_of[child] as u32;
            root_patterns[class] = ends[child];
            for &(second, grandchild) in kids_of(child) {
                pairs[class * class_count + usize::from(second)] = state_of[grandchild] as u32;
            }
        }
        let mut kinds = [NON_ASCII; 256];
        for (byte, kind) in kinds.iter_mut().enumerate().take(128) {
            let starts = root[usize::from(classes[byte])] != 0;
            *kind = match (byte as u8).is_ascii_alphanumeric() {
                true if starts => WORD_START,
                true => WORD_OTHER,
                false if starts => OTHER_START,
                false => OTHER,
            };
        }
        Ok(Names {
            first_words: FirstWords::build(patterns, small_start),
            no_other_starts: !kinds.contains(&OTHER_START),
            small_start_ok,
            wide: Wide::detect(),
            kinds,
            classes,
            class_count,
            root,
            root_patterns,
            pairs,
            nodes,
            rows,
        })
    }

    /// Whether `pattern` (an index into the patterns compiled), or a shorter
    /// pattern that it begins with, may be kept where the text begins with
    /// a small ASCII letter (see `build`; missing: yes).
    pub fn small_start_ok(&self, pattern: usize) -> bool {
        self.small_start_ok.get(pattern).is_none_or(|ok| *ok)
    }

    /// Heap bytes of the trie.
    pub fn memory_usage(&self) -> usize {
        self.nodes.len() * std::mem::size_of::<Node>()
            + (self.rows.len() + self.pairs.len()) * std::mem::size_of::<u32>()
            + (self.first_words.words.len()
                + self.first_words.prefixes.len()
                + self.first_words.small_prefixes.len())
                * std::mem::size_of::<u64>()
            + self.first_words.offsets.len()
    }

    /// Walks the trie on from `state` (0: none), `len` bytes after `at`,
    /// calling `hit` with the end and pattern of every name that starts at
    /// `at` and ends there or later, shortest first.
    #[inline(always)]
    fn walk_from(
        &self,
        text: &[u8],
        at: usize,
        mut state: usize,
        mut len: usize,
        mut hit: impl FnMut(usize, u32),
    ) {
        if state == 0 {
            return;
        }
        while let Some(node) = self.nodes.get(state) {
            if node.pattern != NO_PATTERN {
                hit(at + len, node.pattern);
            }
            let Some(&byte) = text.get(at + len) else {
                return;
            };
            let class = self.classes[usize::from(byte)];
            if class == 0 {
                return;
            }
            let row = node.row();
            state = if row != 0 {
                let at = (row - 1) * self.class_count + usize::from(class);
                match self.rows.get(at) {
                    Some(&child) if child != 0 => child as usize,
                    _ => return,
                }
            } else {
                // Never 0: the states below the root come after it.
                match node.inline_child(class) {
                    Some(child) => child,
                    None => return,
                }
            };
            len += 1;
        }
    }

    /// Whether a name can start with `byte`.
    #[inline]
    fn starts_name(&self, byte: u8) -> bool {
        self.root[usize::from(self.classes[usize::from(byte)])] != 0
    }

    /// The longest name that starts at `at`.
    #[inline]
    pub fn longest_at(&self, text: &str, at: usize) -> Option<Hit> {
        let bytes = text.as_bytes();
        let first = usize::from(self.classes[usize::from(*bytes.get(at)?)]);
        let mut longest_pattern = self.root_patterns[first];
        let mut longest_end = at + 1;
        if let Some(&byte) = bytes.get(at + 1) {
            let second = usize::from(self.classes[usize::from(byte)]);
            let state = self
                .pairs
                .get(first * self.class_count + second)
                .map_or(0, |&s| s as usize);
            self.walk_from(bytes, at, state, 2, |end, pattern| {
                longest_end = end;
                longest_pattern = pattern;
            });
        }
        (longest_pattern != NO_PATTERN).then_some(Hit {
            end: longest_end,
            pattern: longest_pattern as usize,
        })
    }

    /// Every name that starts at `at`, shortest first, into `out` (cleared
    /// first).
    pub fn all_at(&self, text: &str, at: usize, out: &mut Vec<Hit>) {
        out.clear();
        let bytes = text.as_bytes();
        let Some(&first) = bytes.get(at) else {
            return;
        };
        let state = self.root[usize::from(self.classes[usize::from(first)])] as usize;
        self.walk_from(bytes, at, state, 1, |end, pattern| {
            out.push(Hit {
                end,
                pattern: pattern as usize,
            })
        });
    }

    /// The first position at or after `from` where a name starts, and the
    /// longest name there. Positions inside a word (a word character after a
    /// word character) are passed over unless `inside_words` is set; then
    /// so are ASCII words that no name on word boundaries can start with,
    /// or, when they begin with a small letter, no name that may be kept
    /// there (see `FirstWords`).
    pub fn next_start(&self, text: &str, from: usize, inside_words: bool) -> Option<(usize, Hit)> {
        if inside_words {
            self.next_start_inside_words(text, from)
        } else {
            self.next_word_start(text, from)
        }
    }

    /// `next_start` inside words too.
    #[inline(never)]
    fn next_start_inside_words(&self, text: &str, from: usize) -> Option<(usize, Hit)> {
        let bytes = text.as_bytes();
        let mut at = from;
        while let Some(&byte) = bytes.get(at) {
            if self.starts_name(byte) && text.is_char_boundary(at) {
                if let Some(hit) = self.longest_at(text, at) {
                    return Some((at, hit));
                }
            }
            at += 1;
        }
        None
    }

    /// `next_start` outside words: 64 bytes at a time while they are ASCII,
    /// finding the word starts in them with one bit mask (see
    /// `block_masks`). The words that end inside a block are read from the
    /// block and the bytes after it (`WINDOW`), from a copy padded with
    /// zeros near the text's end; a word that runs to the block's end starts
    /// the next block instead, unless it fills the block (then it is measured
    /// from its start).
    #[inline(always)]
    fn next_word_start(&self, text: &str, from: usize) -> Option<(usize, Hit)> {
        run_masked(
            WordSearch {
                names: self,
                text,
                from,
            },
            self.wide,
        )
    }

    /// `next_word_start` with `masks`.
    #[inline(always)]
    fn next_word_start_with<M: Masks>(
        &self,
        masks: M,
        text: &str,
        from: usize,
    ) -> Option<(usize, Hit)> {
        let bytes = text.as_bytes();
        let mut prev_word = char_before(text, from).is_some_and(is_word_char);
        if !self.no_other_starts {
            return self.scan_bytes(text, from, prev_word, usize::MAX).err();
        }
        let mut at = from;
        let mut padded: [u8; WINDOW];
        while at < bytes.len() {
            let rest = bytes.get(at..).unwrap_or_default();
            let window = match rest.first_chunk::<WINDOW>() {
                Some(window) => window,
                None => {
                    // The text's last bytes, zeros after them (as `load8`
                    // reads past the end).
                    padded = [0u8; WINDOW];
                    if let Some(head) = padded.get_mut(..rest.len()) {
                        head.copy_from_slice(rest);
                    }
                    &padded
                }
            };
            let (words, non_ascii) = match window.first_chunk() {
                Some(block) => masks.block_masks(block),
                None => (0, 1),
            };
            if non_ascii != 0 {
                match self.scan_bytes(text, at, prev_word, at + BLOCK) {
                    Ok((next, next_prev_word)) => {
                        at = next;
                        prev_word = next_prev_word;
                        continue;
                    }
                    Err(found) => return Some(found),
                }
            }
            let mut starts = words & !((words << 1) | u64::from(prev_word));
            let mut next_at = at + BLOCK;
            let mut next_prev_word = words >> (BLOCK - 1) != 0;
            while starts != 0 {
                let offset = starts.trailing_zeros() as usize;
                starts &= starts - 1;
                let start = at + offset;
                let run = (!(words >> offset)).trailing_zeros() as usize;
                // Each case returns on its own, so that the words passed over
                // (most) go straight on to the next.
                if offset + run < BLOCK {
                    if let Some(hit) = self.word_in_window(text, window, at, offset, run) {
                        return Some((start, hit));
                    }
                } else if offset > 0 {
                    // The block's last word may go on past it: the next
                    // block starts with it, which is read from that block's
                    // window (a word start: no word character before it).
                    next_at = start;
                    next_prev_word = false;
                } else if let Some(hit) = self.word_at(text, start, run_len(bytes, start)) {
                    // A word as long as the block.
                    return Some((start, hit));
                }
            }
            prev_word = next_prev_word;
            at = next_at;
        }
        None
    }

    /// The longest name at the word start `start` whose ASCII letters and
    /// digits run for `len` bytes, unless no name on word boundaries can
    /// start there.
    #[inline(always)]
    fn word_at(&self, text: &str, start: usize, len: usize) -> Option<Hit> {
        match self.word_passes(text.as_bytes(), start, len) {
            (true, key) => self.word_candidate(text, start, start + len, key),
            (false, _) => None,
        }
    }

    /// `word_at` for a word that starts `offset` bytes into the block at
    /// `text[at..]` and ends inside it (`offset + len < BLOCK`), read from
    /// `window`, the text from the block's start (zeros past the text's
    /// end): every byte read lies in
    /// the window, so no read needs a test of the text's end. The block is
    /// ASCII, so the byte after the word is too: no non-ASCII word character
    /// goes on with the word.
    #[inline(always)]
    fn word_in_window(
        &self,
        text: &str,
        window: &[u8; WINDOW],
        at: usize,
        offset: usize,
        len: usize,
    ) -> Option<Hit> {
        let eight = |from: usize| {
            let from = from % BLOCK;
            window
                .get(from..from + 8)
                .and_then(|bytes| bytes.first_chunk())
                .map_or(0, |bytes| u64::from_le_bytes(*bytes))
        };
        let head = eight(offset);
        let key = first_word_key(head, len);
        // The prefixes end at most `PREFIX_PAST_WORD` bytes past the word,
        // inside the window (`WINDOW - offset` bytes from the word's start).
        // A word whose first byte starts no name passes the filters only by
        // chance, and the trie then finds nothing.
        // Past the text's end the window holds zeros, which no name does:
        // its prefixes are read from the window as if the text went on.
        let may_begin = holds_word(&self.first_words.words, key)
            && self
                .first_words
                .may_begin_with(head, len, key, usize::MAX, |len| eight(offset + len - 8));
        may_begin
            .then(|| self.longest_at_word(text, at + offset))
            .flatten()
    }

    /// `longest_at`, kept out of the scan's loop.
    #[inline(never)]
    fn longest_at_word(&self, text: &str, start: usize) -> Option<Hit> {
        self.longest_at(text, start)
    }

    /// Whether the word at the word start `start` whose ASCII letters and
    /// digits run for `len` bytes passes the first-word filter, and its key
    /// (`first_word_key`). The filter is read without a branch.
    #[inline(always)]
    fn word_passes(&self, bytes: &[u8], start: usize, len: usize) -> (bool, u64) {
        let head = load8(bytes, start);
        let starts_name = self.kinds[(head & 0xFF) as usize] == WORD_START;
        let end = start + len;
        let key = first_word_key(head, len);
        let before_non_ascii = bytes.get(end).is_some_and(|&b| b >= 0x80);
        (
            starts_name & (before_non_ascii | holds_word(&self.first_words.words, key)),
            key,
        )
    }

    /// `next_word_start` byte by byte from `at`, where the byte before is a
    /// word character if `prev_word`, up to `limit` (or the end of the word
    /// or character that crosses it): `Err` with the name found, else `Ok`
    /// with where it stopped and whether a word character ends there.
    fn scan_bytes(
        &self,
        text: &str,
        mut at: usize,
        mut prev_word: bool,
        limit: usize,
    ) -> Result<(usize, bool), (usize, Hit)> {
        let bytes = text.as_bytes();
        while at < limit {
            let Some(&byte) = bytes.get(at) else {
                break;
            };
            match self.kinds[usize::from(byte)] {
                WORD_START | WORD_OTHER => {
                    let start = at;
                    // No name starts inside the rest of an ASCII word.
                    at += run_len(bytes, at);
                    if !prev_word {
                        if let Some(hit) = self.word_at(text, start, at - start) {
                            return Err((start, hit));
                        }
                    }
                    prev_word = true;
                }
                kind @ (OTHER_START | OTHER) => {
                    if kind == OTHER_START {
                        if let Some(hit) = self.longest_at(text, at) {
                            return Err((at, hit));
                        }
                    }
                    at += 1;
                    prev_word = false;
                }
                _ => {
                    let (hit, is_word, len) = self.non_ascii_at(text, at, prev_word);
                    if let Some(hit) = hit {
                        return Err((at, hit));
                    }
                    prev_word = is_word;
                    at += len;
                }
            }
        }
        Ok((at, prev_word))
    }

    /// At a non-ASCII byte `text[at]`: the longest name there if one may
    /// start there, whether the character is a word character, and how many
    /// bytes to go on by.
    #[inline(never)]
    fn non_ascii_at(&self, text: &str, at: usize, prev_word: bool) -> (Option<Hit>, bool, usize) {
        let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
            // Not a character boundary: never a name start.
            return (None, prev_word, 1);
        };
        let is_word = is_word_char(c);
        let mut hit = None;
        if !(prev_word && is_word)
            && text
                .as_bytes()
                .get(at)
                .is_some_and(|&b| self.starts_name(b))
        {
            hit = self.longest_at(text, at);
        }
        (hit, is_word, c.len_utf8())
    }

    /// The longest name at the word start `start`, whose ASCII letters and
    /// digits run to `run_end` and whose first word key (`first_word_key`), which
    /// `FirstWords::words` holds, is `key`, unless no name on word boundaries
    /// can start there (see `FirstWords`).
    #[inline(never)]
    fn word_candidate(&self, text: &str, start: usize, run_end: usize, key: u64) -> Option<Hit> {
        let bytes = text.as_bytes();
        let word_goes_on = bytes.get(run_end).is_some_and(|&b| b >= 0x80)
            && text
                .get(run_end..)
                .and_then(|rest| rest.chars().next())
                .is_none_or(is_word_char);
        if word_goes_on || self.first_words.may_begin(bytes, start, run_end, key) {
            self.longest_at(text, start)
        } else {
            None
        }
    }
}

/// A search of `Names::next_word_start`, run by `run_masked`.
struct WordSearch<'a> {
    names: &'a Names,
    text: &'a str,
    from: usize,
}

impl MaskedWork for WordSearch<'_> {
    type Output = Option<(usize, Hit)>;

    #[inline(always)]
    fn run<M: Masks>(self, masks: M) -> Self::Output {
        self.names.next_word_start_with(masks, self.text, self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(patterns: &[&str]) -> Names {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        Names::build(&patterns, &[]).expect("patterns compile")
    }

    #[test]
    fn finds_every_name_at_a_start_shortest_first() {
        let n = names(&["united", "united states", "states", "nited"]);
        let mut out = Vec::new();
        n.all_at("The United States said", 4, &mut out);
        assert_eq!(
            out,
            vec![
                Hit {
                    end: 10,
                    pattern: 0
                },
                Hit {
                    end: 17,
                    pattern: 1
                }
            ]
        );
        assert_eq!(
            n.longest_at("The United States said", 4),
            Some(Hit {
                end: 17,
                pattern: 1
            })
        );
        // `nited` starts inside a word; `tates` is no name.
        assert_eq!(
            n.longest_at("The United States said", 5),
            Some(Hit {
                end: 10,
                pattern: 3
            })
        );
        assert_eq!(n.longest_at("The United States said", 12), None);
    }

    #[test]
    fn next_start_skips_positions_inside_words() {
        let n = names(&["iran", "ran"]);
        let text = "Tehran and Iran";
        let iran = Hit {
            end: 15,
            pattern: 0,
        };
        assert_eq!(n.next_start(text, 0, false), Some((11, iran)));
        let ran = Hit { end: 6, pattern: 1 };
        assert_eq!(n.next_start(text, 0, true), Some((3, ran)));
        let cafe_iran = Hit {
            end: 10,
            pattern: 0,
        };
        assert_eq!(n.next_start("Café Iran", 0, false), Some((6, cafe_iran)));
        assert_eq!(n.next_start("éran", 0, false), None);
        let x_ran = Hit { end: 5, pattern: 1 };
        assert_eq!(n.next_start("x ran", 1, false), Some((2, x_ran)));
    }

    /// Every start and end of a name on word boundaries, not inside a word,
    /// by trying every character boundary.
    fn boundary_names_everywhere(n: &Names, text: &str) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        let mut hits = Vec::new();
        for (at, c) in text.char_indices() {
            if char_before(text, at).is_some_and(is_word_char) && is_word_char(c) {
                continue;
            }
            n.all_at(text, at, &mut hits);
            for hit in &hits {
                if super::super::context::on_boundaries(text, at, hit.end) {
                    found.push((at, hit.end, hit.pattern));
                }
            }
        }
        found
    }

    /// The same, by the positions `next_start` gives outside words.
    fn boundary_names_by_scan(n: &Names, text: &str) -> Vec<(usize, usize, usize)> {
        boundary_names_by_scan_from(n, text, 0)
    }

    /// The same from `from` on.
    fn boundary_names_by_scan_from(
        n: &Names,
        text: &str,
        mut from: usize,
    ) -> Vec<(usize, usize, usize)> {
        let mut found = Vec::new();
        let mut hits = Vec::new();
        while let Some((at, longest)) = n.next_start(text, from, false) {
            assert_eq!(n.longest_at(text, at), Some(longest));
            n.all_at(text, at, &mut hits);
            for hit in &hits {
                if super::super::context::on_boundaries(text, at, hit.end) {
                    found.push((at, hit.end, hit.pattern));
                }
            }
            from = at + text[at..].chars().next().map_or(1, char::len_utf8);
        }
        found
    }

    /// `text` with more than a block of spaces after it.
    fn padded(text: &str) -> String {
        format!("{text}{}", " ".repeat(WINDOW + BLOCK))
    }

    const FILTER_NAMES: &[&str] = &[
        "u.s.",
        "a",
        "a. k. antony",
        "9/11",
        "1st division",
        "is",
        "is-kp",
        "the bahamas",
        "raúl castro",
        "castro",
        "café",
        "al-qaeda",
        "qaeda",
        "verylongnamewithoutspaces",
        "verylongname inc",
    ];

    #[test]
    fn the_first_word_filter_passes_over_no_name_on_word_boundaries() {
        let n = names(FILTER_NAMES);
        let texts = [
            // A first word followed by punctuation, and the same word alone.
            "The U.S. said; the U.S said; us U.S.A. u.s.",
            // One-letter names and words.
            "A. K. Antony, a A.K. Antony and A x a.",
            // Names starting with digits.
            "On 9/11 and 911, the 1st Division, 1st division 1st",
            // Non-ASCII next to a name.
            "Raúl Castro, Raul Castro, RaúlCastro, éCastro, Castroé, Castro’s, café, cafés, Café.",
            "IS-KP IS ISIS is-kp-x al-Qaeda Al-Qaeda's alQaeda",
            "The Bahamas, the bahamas. The Bahama",
            "verylongnamewithoutspaces verylongnamewithoutspacesx verylongname inc verylongname",
            "is",
            "a",
        ];
        // Alone, the words near the end of a text are read with tests of its
        // end; with plenty of text after them, from a block's window. Blocks
        // start where a scan starts: from every position, so that each word
        // is read at every offset into a block.
        for text in texts
            .into_iter()
            .flat_map(|text| [text.to_string(), padded(text)])
        {
            let everywhere = boundary_names_everywhere(&n, &text);
            for from in (0..text.len()).filter(|&from| text.is_char_boundary(from)) {
                let after: Vec<_> = everywhere.iter().filter(|n| n.0 >= from).copied().collect();
                assert_eq!(
                    boundary_names_by_scan_from(&n, &text, from),
                    after,
                    "{from} {text}"
                );
            }
        }
        // The filter passes over words, not names: a word that starts no name
        // yields nothing, while its neighbours still do.
        assert_eq!(n.next_start("Antony said", 0, false), None);
        assert_eq!(
            n.next_start("x Castro", 0, false),
            Some((2, Hit { end: 8, pattern: 9 }))
        );
    }

    /// Every name at `at` by comparing each pattern with the text.
    fn names_by_comparison(patterns: &[String], text: &str, at: usize) -> Vec<Hit> {
        let rest = text.as_bytes().get(at..).unwrap_or_default();
        let mut hits: Vec<Hit> = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            let first = patterns
                .iter()
                .position(|p| p.eq_ignore_ascii_case(pattern))
                .unwrap_or(index);
            let matches = rest
                .get(..pattern.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(pattern.as_bytes()));
            if first == index && matches && !pattern.is_empty() {
                hits.push(Hit {
                    end: at + pattern.len(),
                    pattern: index,
                });
            }
        }
        hits.sort_by_key(|hit| hit.end);
        hits
    }

    proptest::proptest! {
        #[test]
        fn the_trie_finds_what_comparing_every_pattern_finds(
            patterns in proptest::collection::vec("[a-hA-H. -]{1,7}", 1..60),
            text in "[a-hA-H. x-]{0,40}",
        ) {
            let n = Names::build(&patterns, &[]).expect("patterns compile");
            let mut hits = Vec::new();
            for at in 0..=text.len() {
                n.all_at(&text, at, &mut hits);
                let expected = names_by_comparison(&patterns, &text, at);
                proptest::prop_assert_eq!(&hits, &expected);
                proptest::prop_assert_eq!(n.longest_at(&text, at), expected.last().copied());
            }
        }

        #[test]
        fn small_start_ok_looks_at_every_pattern_a_pattern_begins_with(
            patterns in proptest::collection::vec("[a-cA-C. ]{1,5}", 1..40),
            small_start in proptest::collection::vec(proptest::bool::ANY, 0..40),
        ) {
            let n = Names::build(&patterns, &small_start).expect("patterns compile");
            let mut hits = Vec::new();
            for (index, pattern) in patterns.iter().enumerate() {
                n.all_at(pattern, 0, &mut hits);
                let expected = hits
                    .iter()
                    .any(|hit| small_start.get(hit.pattern).is_none_or(|small| *small));
                proptest::prop_assert_eq!(n.small_start_ok(index), expected, "{}", pattern);
            }
        }

        #[test]
        fn the_first_word_filter_agrees_with_every_position(
            pieces in proptest::collection::vec(
                "(U\\.S\\.|u\\.s|a|A\\.|K\\.|Antony|9/11|911|1st|Division|IS|is|-|KP|The|Bahamas|Raúl|Raul|Castro|café|Café|al|Qaeda|é|’|x|'s| |, |\\.|verylongname|inc|withoutspaces)",
                0..40,
            )
        ) {
            let n = names(FILTER_NAMES);
            // The scan with the baseline masks too, where it runs with AVX2.
            let baseline = Names { wide: None, ..n.clone() };
            for text in [pieces.concat(), padded(&pieces.concat())] {
                let everywhere = boundary_names_everywhere(&n, &text);
                proptest::prop_assert_eq!(&boundary_names_by_scan(&n, &text), &everywhere);
                proptest::prop_assert_eq!(&boundary_names_by_scan(&baseline, &text), &everywhere);
            }
        }

        #[test]
        fn the_small_letter_filter_passes_over_no_name_that_may_be_kept(
            pieces in proptest::collection::vec(
                "(U\\.S\\.|u\\.s|a|A\\.|K\\.|Antony|antony|9/11|1st|Division|IS|is|-|KP|kp|The|the|Bahamas|bahamas|Raúl|raúl|Castro|castro|café|Café|al|Al|Qaeda|qaeda|é|x|'s| |, |\\.|verylongname|inc|withoutspaces)",
                0..40,
            ),
            small_start in proptest::collection::vec(proptest::bool::ANY, FILTER_NAMES.len()),
        ) {
            let patterns: Vec<String> = FILTER_NAMES.iter().map(|p| p.to_string()).collect();
            let n = Names::build(&patterns, &small_start).expect("patterns compile");
            for text in [pieces.concat(), padded(&pieces.concat())] {
                // A name may be kept where its text begins with a small
                // letter only if its pattern allows it.
                let may_keep = |found: Vec<(usize, usize, usize)>| -> Vec<(usize, usize, usize)> {
                    found
                        .into_iter()
                        .filter(|&(at, _, pattern)| {
                            !text.as_bytes()[at].is_ascii_lowercase() || small_start[pattern]
                        })
                        .collect()
                };
                proptest::prop_assert_eq!(
                    may_keep(boundary_names_by_scan(&n, &text)),
                    may_keep(boundary_names_everywhere(&n, &text))
                );
            }
        }
    }
}
