//! The name trie: every alias and non-actor name, ASCII-case-folded, walked
//! only where a name may start (a word start, or a character that is not
//! part of a word) instead of an unanchored automaton scan of every byte. A
//! walk follows the longest name prefix at its start and stops at the first
//! byte no name continues with, most often after two or three bytes. The
//! trie is kept small so the part nearly every walk reads stays in cache:
//! states are numbered breadth-first, so a state's children are consecutive
//! and their edge bytes (as classes) sit side by side in one small array;
//! only the few states with many children (near the root) get a dense row
//! of transitions.

use super::context::{char_before, is_word_char};

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
    /// For each state (0 is the root), its children.
    nodes: Vec<Node>,
    /// For each state, the class of the edge that leads to it.
    labels: Vec<u8>,
    /// Dense rows: for each class, the child on it (0: none).
    rows: Vec<u32>,
    /// For each state, the pattern that ends there, or `NO_PATTERN`.
    ends: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    /// The first child; the others follow it.
    first_child: u32,
    children: u8,
    /// 1 + the index of the state's dense row, or 0 when its children are
    /// looked up in `labels`.
    row: u16,
    /// Whether a pattern ends here (see `Names::ends`).
    ends_name: bool,
}

const NO_PATTERN: u32 = u32::MAX;

/// States with at least this many children get a dense row.
const DENSE_CHILDREN: usize = 4;

/// Whether an ASCII byte is a word character (letter or digit); every byte
/// of 0x80 and above is `false` here and decoded instead.
const ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

impl Names {
    /// Compiles `patterns`, compared ASCII-case-insensitively; of two equal
    /// patterns the first counts.
    pub fn build(patterns: &[String]) -> Result<Names, String> {
        let too_many = || "cannot compile the actor names: too many".to_string();
        let mut classes = [0u8; 256];
        let mut class_count = 1usize;
        for byte in patterns.iter().flat_map(|p| p.bytes()) {
            let lower = usize::from(byte.to_ascii_lowercase());
            if classes[lower] == 0 {
                let class = u8::try_from(class_count).map_err(|_| too_many())?;
                classes[lower] = class;
                classes[usize::from(byte.to_ascii_uppercase())] = class;
                class_count += 1;
            }
        }
        // A trie of (class, child) lists, then renumbered breadth-first.
        let mut children: Vec<Vec<(u8, usize)>> = vec![Vec::new()];
        let mut ends: Vec<u32> = vec![NO_PATTERN];
        for (index, pattern) in patterns.iter().enumerate() {
            let mut node = 0;
            for byte in pattern.bytes() {
                let class = classes[usize::from(byte)];
                node = match children[node].iter().find(|(c, _)| *c == class) {
                    Some(&(_, child)) => child,
                    None => {
                        children.push(Vec::new());
                        ends.push(NO_PATTERN);
                        let child = children.len() - 1;
                        children[node].push((class, child));
                        child
                    }
                };
            }
            if node != 0 && ends[node] == NO_PATTERN {
                ends[node] = u32::try_from(index).map_err(|_| too_many())?;
            }
        }
        for kids in &mut children {
            kids.sort_unstable();
        }
        // Breadth-first order: state `s` is trie node `order[s]`.
        let mut order = vec![0usize];
        let mut next = 0;
        while let Some(&node) = order.get(next) {
            order.extend(children[node].iter().map(|&(_, child)| child));
            next += 1;
        }
        if u32::try_from(order.len()).is_err() {
            return Err(too_many());
        }
        let mut labels = vec![0u8; order.len()];
        let mut nodes = Vec::with_capacity(order.len());
        let mut state_ends = Vec::with_capacity(order.len());
        let mut rows = Vec::new();
        let mut first_child = 1usize;
        for &node in &order {
            let kids = &children[node];
            let mut row = 0;
            if kids.len() >= DENSE_CHILDREN {
                let index = rows.len() / class_count;
                if let Ok(next) = u16::try_from(index + 1) {
                    row = next;
                    rows.resize(rows.len() + class_count, 0);
                }
            }
            for (i, &(class, _)) in kids.iter().enumerate() {
                labels[first_child + i] = class;
                if row != 0 {
                    let at = usize::from(row - 1) * class_count + usize::from(class);
                    // Fits: `order.len()` fits in u32.
                    rows[at] = (first_child + i) as u32;
                }
            }
            nodes.push(Node {
                first_child: first_child as u32,
                // At most one child per class, and classes fit in a byte.
                children: kids.len() as u8,
                row,
                ends_name: ends[node] != NO_PATTERN,
            });
            state_ends.push(ends[node]);
            first_child += kids.len();
        }
        let children_of = |node: &Node| {
            labels
                .iter()
                .enumerate()
                .skip(node.first_child as usize)
                .take(usize::from(node.children))
                .map(|(state, &class)| (state, usize::from(class)))
        };
        let mut root = [0u32; 256];
        let mut root_patterns = [NO_PATTERN; 256];
        let mut pairs = vec![0u32; class_count * class_count];
        if let Some(node) = nodes.first() {
            for (state, class) in children_of(node) {
                root[class] = state as u32;
                root_patterns[class] = state_ends[state];
                for (grandchild, second) in children_of(&nodes[state]) {
                    pairs[class * class_count + second] = grandchild as u32;
                }
            }
        }
        Ok(Names {
            classes,
            class_count,
            root,
            root_patterns,
            ends: state_ends,
            pairs,
            nodes,
            labels,
            rows,
        })
    }

    /// Heap bytes of the trie.
    pub fn memory_usage(&self) -> usize {
        self.nodes.len() * std::mem::size_of::<Node>()
            + self.labels.len()
            + (self.rows.len() + self.pairs.len()) * std::mem::size_of::<u32>()
    }

    /// Walks the trie on from `state`, `len` bytes after `at`, calling `hit`
    /// for every name that starts at `at` and ends there or later, shortest
    /// first.
    #[inline(always)]
    fn walk_from(
        &self,
        text: &[u8],
        at: usize,
        mut state: usize,
        mut len: usize,
        mut hit: impl FnMut(Hit),
    ) {
        while let Some(node) = self.nodes.get(state).filter(|_| state != 0) {
            if node.ends_name {
                if let Some(&pattern) = self.ends.get(state) {
                    hit(Hit {
                        end: at + len,
                        pattern: pattern as usize,
                    });
                }
            }
            let Some(&byte) = text.get(at + len) else {
                return;
            };
            let class = self.classes[usize::from(byte)];
            if class == 0 || node.children == 0 {
                return;
            }
            state = if node.row != 0 {
                let at = usize::from(node.row - 1) * self.class_count + usize::from(class);
                self.rows.get(at).map_or(0, |&child| child as usize)
            } else {
                let first = node.first_child as usize;
                let Some(labels) = self.labels.get(first..first + usize::from(node.children))
                else {
                    return;
                };
                let Some(i) = labels.iter().position(|&l| l == class) else {
                    return;
                };
                first + i
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
        let mut longest = None;
        let pattern = self.root_patterns[first];
        if pattern != NO_PATTERN {
            longest = Some(Hit {
                end: at + 1,
                pattern: pattern as usize,
            });
        }
        let Some(&byte) = bytes.get(at + 1) else {
            return longest;
        };
        let second = usize::from(self.classes[usize::from(byte)]);
        let state = self
            .pairs
            .get(first * self.class_count + second)
            .map_or(0, |&s| s as usize);
        self.walk_from(bytes, at, state, 2, |hit| longest = Some(hit));
        longest
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
        self.walk_from(bytes, at, state, 1, |hit| out.push(hit));
    }

    /// The first position at or after `from` where a name starts, and the
    /// longest name there. Positions inside a word (a word character after a
    /// word character) are passed over unless `inside_words` is set.
    pub fn next_start(&self, text: &str, from: usize, inside_words: bool) -> Option<(usize, Hit)> {
        let bytes = text.as_bytes();
        let mut prev_word = char_before(text, from).is_some_and(is_word_char);
        let mut at = from;
        while let Some(&byte) = bytes.get(at) {
            if byte < 0x80 {
                let is_word = ASCII_WORD[usize::from(byte)];
                if (inside_words || !(prev_word && is_word)) && self.starts_name(byte) {
                    if let Some(hit) = self.longest_at(text, at) {
                        return Some((at, hit));
                    }
                }
                at += 1;
                if is_word && !inside_words {
                    // No name starts inside the rest of an ASCII word.
                    while bytes.get(at).is_some_and(|&b| ASCII_WORD[usize::from(b)]) {
                        at += 1;
                    }
                }
                prev_word = is_word;
                continue;
            }
            let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
                // Not a character boundary: never a name start.
                at += 1;
                continue;
            };
            let is_word = is_word_char(c);
            if (inside_words || !(prev_word && is_word)) && self.starts_name(byte) {
                if let Some(hit) = self.longest_at(text, at) {
                    return Some((at, hit));
                }
            }
            prev_word = is_word;
            at += c.len_utf8();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(patterns: &[&str]) -> Names {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        Names::build(&patterns).expect("patterns compile")
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
}
