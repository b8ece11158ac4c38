//! The rule vocabulary: every word the score patterns use, numbered. A
//! unit's every word is looked up once, and most are words no pattern
//! uses, so the table is built for misses: a 4 KB bit filter (it stays in
//! the L1 cache) turns away most of them, and the rest probe an
//! open-addressing table kept at most a quarter full, with a multiply hash
//! of the word's 8-byte chunks; words of up to 8 bytes compare as numbers.
//! Each word carries 16 bits its user sets, read with its id from one slot.

/// The id of a word the vocabulary does not hold.
pub const NO_WORD: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Words by hash slot.
    slots: Vec<Slot>,
    /// Each id's word.
    words: Vec<Box<str>>,
    /// Each id's bits (see [`Vocabulary::add_bits`]), copied into its slot.
    bits: Vec<u16>,
    /// Each id's first 16 bytes as two zero-padded numbers (see
    /// [`short_key`]): words of 9 to 16 bytes compare as these with their
    /// length.
    halves: Vec<[u64; 2]>,
    /// `64 - log2(slots.len())`: the hash's top bits pick the slot.
    shift: u32,
    /// One bit per [`filter_bit`] of the words' hashes.
    /// A fixed size, so that a hash's word is in it without a check.
    filter: Box<[u64; FILTER_WORDS]>,
}

/// Bits in the filter.
const FILTER_BITS: u64 = 1 << 15;
const FILTER_WORDS: usize = (FILTER_BITS / 64) as usize;

/// A hash's bit in the filter (from other bits than the slot's).
fn filter_bit(hash: u64) -> (usize, u64) {
    let bit = (hash >> 24) % FILTER_BITS;
    ((bit / 64) as usize, 1 << (bit % 64))
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// `NO_WORD` for an empty slot.
    id: u32,
    /// The word's length (its low 16 bits: longer words also compare as
    /// text).
    len: u16,
    bits: u16,
    /// The word itself when it has at most 8 bytes (see [`Key`]), else
    /// its hash.
    key: u64,
}

const EMPTY: Slot = Slot {
    id: NO_WORD,
    len: 0,
    bits: 0,
    key: 0,
};

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary {
            slots: vec![EMPTY; 16],
            words: Vec::new(),
            bits: Vec::new(),
            halves: Vec::new(),
            shift: 64 - 4,
            filter: Box::new([0; FILTER_WORDS]),
        }
    }
}

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Up to 8 bytes as one number, little-endian and zero-padded, read
/// without a stack buffer (whose byte-wise stores would stall the load that
/// reads them back). With the length, it tells such words apart exactly.
pub fn short_key(bytes: &[u8]) -> u64 {
    // Only the first 8 bytes count.
    let bytes = bytes.get(..8).unwrap_or(bytes);
    let n = bytes.len();
    let u32_at = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, |b: [u8; 4]| u64::from(u32::from_le_bytes(b)))
    };
    if n >= 4 {
        // The two reads overlap on equal bytes.
        u32_at(0) | (u32_at(n - 4) << (8 * (n - 4)))
    } else {
        let byte = |at: usize| bytes.get(at).map_or(0, |&b| u64::from(b));
        byte(0) | (byte(1) << 8) | (byte(2) << 16)
    }
}

/// A word's slot key and hash.
struct Key {
    len: u32,
    key: u64,
    hash: u64,
}

impl Key {
    /// The key of a word of at most 8 bytes from its [`short_key`].
    #[inline]
    fn short(key: u64, len: u32) -> Key {
        // Words differing only in trailing zero bytes share a hash: they
        // are told apart by their lengths.
        let hash = key.wrapping_mul(K);
        Key { len, key, hash }
    }

    /// The key of a word of 9 to 15 bytes from its first eight bytes and
    /// the rest zero-padded, as [`Key::of`] hashes them.
    #[inline]
    fn mid(head: u64, tail: u64, len: u32) -> Key {
        let h = u64::from(len).wrapping_mul(K);
        let h = (h.rotate_left(23) ^ head).wrapping_mul(K);
        let hash = (h.rotate_left(23) ^ tail).wrapping_mul(K);
        Key {
            len,
            key: hash,
            hash,
        }
    }

    #[inline]
    fn of(word: &[u8]) -> Key {
        let len = word.len() as u32;
        if word.len() <= 8 {
            return Key::short(short_key(word), len);
        }
        let mut h = u64::from(len).wrapping_mul(K);
        let mut chunks = word.chunks_exact(8);
        for chunk in &mut chunks {
            let value = chunk
                .try_into()
                .map_or(0, |b: [u8; 8]| u64::from_le_bytes(b));
            h = (h.rotate_left(23) ^ value).wrapping_mul(K);
        }
        let hash = (h.rotate_left(23) ^ short_key(chunks.remainder())).wrapping_mul(K);
        Key {
            len,
            key: hash,
            hash,
        }
    }
}

impl Vocabulary {
    /// The slot holding `word`, or the empty slot where it would go.
    #[inline]
    fn slot_of(&self, word: &str, key: &Key) -> (usize, Option<&Slot>) {
        self.probe(key, |entry| {
            key.len <= 8
                || self
                    .words
                    .get(entry.id as usize)
                    .is_some_and(|w| &**w == word)
        })
    }

    /// The slot of the word whose length and key are `key`'s and which
    /// `same_word` accepts, or the empty slot where it would go.
    #[inline(always)]
    fn probe(&self, key: &Key, same_word: impl Fn(&Slot) -> bool) -> (usize, Option<&Slot>) {
        let mask = self.slots.len() - 1;
        let mut slot = (key.hash >> self.shift) as usize;
        loop {
            let Some(entry) = self.slots.get(slot) else {
                return (slot, None);
            };
            if entry.id == NO_WORD {
                return (slot, None);
            }
            if entry.len == key.len as u16 && entry.key == key.key && same_word(entry) {
                return (slot, Some(entry));
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The id of `word`, or [`NO_WORD`].
    #[inline]
    pub fn get(&self, word: &str) -> u32 {
        self.get_with_bits(word).0
    }

    /// The id of `word` and its bits, or [`NO_WORD`] and 0.
    #[inline]
    pub fn get_with_bits(&self, word: &str) -> (u32, u16) {
        self.get_key(word, &Key::of(word.as_bytes()))
    }

    /// The id and bits of the word of `len` bytes (at most 8) whose
    /// [`short_key`] is `key`, or [`NO_WORD`] and 0.
    #[inline]
    pub fn get_short(&self, key: u64, len: u32) -> (u32, u16) {
        // A short word is never compared as text.
        self.get_key("", &Key::short(key, len))
    }

    /// The id and bits of `word` (9 to 15 bytes) given also as its first
    /// eight bytes and the rest, zero-padded, or [`NO_WORD`] and 0.
    #[inline]
    pub fn get_mid(&self, head: u64, tail: u64, word: &str) -> (u32, u16) {
        let key = Key::mid(head, tail, word.len() as u32);
        if !self.may_hold(&key) {
            return (NO_WORD, 0);
        }
        // Of equal lengths, the zero-padded halves are equal only for equal
        // words.
        self.probe(&key, |entry| {
            self.halves.get(entry.id as usize) == Some(&[head, tail])
        })
        .1
        .map_or((NO_WORD, 0), |slot| (slot.id, slot.bits))
    }

    #[inline]
    fn get_key(&self, word: &str, key: &Key) -> (u32, u16) {
        if !self.may_hold(key) {
            return (NO_WORD, 0);
        }
        self.slot_of(word, key)
            .1
            .map_or((NO_WORD, 0), |slot| (slot.id, slot.bits))
    }

    /// Whether a word of `key`'s hash may be held (the filter's answer).
    #[inline(always)]
    fn may_hold(&self, key: &Key) -> bool {
        let (word_index, bit) = filter_bit(key.hash);
        self.filter.get(word_index).is_some_and(|w| w & bit != 0)
    }

    /// Sets `bits` in the bits of word `id` (none for an id it lacks).
    pub fn add_bits(&mut self, id: u32, bits: u16) {
        let Some(word) = self.words.get(id as usize) else {
            return;
        };
        if let Some(own) = self.bits.get_mut(id as usize) {
            *own |= bits;
        }
        let (slot, _) = self.slot_of(word, &Key::of(word.as_bytes()));
        if let Some(entry) = self.slots.get_mut(slot) {
            entry.bits |= bits;
        }
    }

    /// The id of `word`, added if new (`NO_WORD` once ids run out).
    pub fn get_or_add(&mut self, word: &str) -> u32 {
        if let (_, Some(slot)) = self.slot_of(word, &Key::of(word.as_bytes())) {
            return slot.id;
        }
        let Ok(id) = u32::try_from(self.words.len()) else {
            return NO_WORD;
        };
        if id == NO_WORD {
            return NO_WORD;
        }
        self.words.push(word.into());
        self.bits.push(0);
        let bytes = word.as_bytes();
        self.halves.push([
            short_key(bytes),
            short_key(bytes.get(8..).unwrap_or_default()),
        ]);
        if self.words.len() * 4 > self.slots.len() {
            self.grow();
        } else {
            self.place(id);
        }
        id
    }

    fn place(&mut self, id: u32) {
        let Some(word) = self.words.get(id as usize) else {
            return;
        };
        let key = Key::of(word.as_bytes());
        let (word_index, bit) = filter_bit(key.hash);
        if let Some(w) = self.filter.get_mut(word_index) {
            *w |= bit;
        }
        let (slot, _) = self.slot_of(word, &key);
        let bits = self.bits.get(id as usize).copied().unwrap_or(0);
        if let Some(entry) = self.slots.get_mut(slot) {
            *entry = Slot {
                id,
                len: key.len as u16,
                bits,
                key: key.key,
            };
        }
    }

    /// Doubles the table and places every word again.
    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.slots = vec![EMPTY; size];
        self.shift -= 1;
        for id in 0..self.words.len() {
            self.place(id as u32);
        }
    }

    /// The number of words.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.words.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_the_zero_padded_bytes() {
        for word in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "abcdefg",
            "abcdefgh",
            "\u{e9}t\u{e9}",
        ] {
            let mut padded = [0u8; 8];
            padded[..word.len()].copy_from_slice(word.as_bytes());
            assert_eq!(
                short_key(word.as_bytes()),
                u64::from_le_bytes(padded),
                "{word}"
            );
        }
        assert_eq!(short_key(b"abcdefghijk"), short_key(b"abcdefgh"));
        let mut vocabulary = Vocabulary::default();
        let id = vocabulary.get_or_add("said");
        vocabulary.add_bits(id, 5);
        assert_eq!(vocabulary.get_short(short_key(b"said"), 4), (id, 5));
        assert_eq!(vocabulary.get_short(short_key(b"said"), 5), (NO_WORD, 0));
        assert_eq!(vocabulary.get_short(short_key(b"sad"), 3), (NO_WORD, 0));
    }

    #[test]
    fn mid_length_words_are_found_from_their_two_halves() {
        let mut vocabulary = Vocabulary::default();
        let words = [
            "president",
            "government",
            "washington",
            "international",
            "administrations",
            "abcdefghijklmnop",
        ];
        for word in words {
            vocabulary.get_or_add(word);
        }
        let halves = |word: &str| {
            let bytes = word.as_bytes();
            (
                short_key(bytes),
                short_key(bytes.get(8..).unwrap_or_default()),
            )
        };
        for word in words.iter().filter(|w| (9..=15).contains(&w.len())) {
            let (head, tail) = halves(word);
            assert_eq!(
                vocabulary.get_mid(head, tail, word).0,
                vocabulary.get(word),
                "{word}"
            );
            assert_ne!(vocabulary.get(word), NO_WORD, "{word}");
        }
        for near in ["presidents", "governmenT", "washingtom", "internationa1"] {
            let (head, tail) = halves(near);
            assert_eq!(vocabulary.get_mid(head, tail, near).0, NO_WORD, "{near}");
        }
    }

    #[test]
    fn numbers_words_in_order_and_finds_them_after_growing() {
        let mut vocabulary = Vocabulary::default();
        let words: Vec<String> = (0..500).map(|n| format!("word{n}")).collect();
        for (n, word) in words.iter().enumerate() {
            assert_eq!(vocabulary.get_or_add(word), n as u32);
        }
        assert_eq!(vocabulary.get_or_add("word7"), 7);
        vocabulary.add_bits(7, 1);
        vocabulary.add_bits(7, 4);
        for n in 500..1000 {
            vocabulary.get_or_add(&format!("word{n}"));
        }
        assert_eq!(
            vocabulary.get_with_bits("word7"),
            (7, 5),
            "bits outlive growing"
        );
        assert_eq!(vocabulary.get_with_bits("word8"), (8, 0));
        assert_eq!(vocabulary.get_with_bits("nothing"), (NO_WORD, 0));
        assert_eq!(vocabulary.len(), 1000);
        for (n, word) in words.iter().enumerate() {
            assert_eq!(vocabulary.get(word), n as u32);
        }
        assert_eq!(vocabulary.get("word"), NO_WORD);
        assert_eq!(vocabulary.get(""), NO_WORD);
        assert_eq!(
            vocabulary.get("a much longer word than eight bytes"),
            NO_WORD
        );
        for short in ["a", "ab", "abc", "abcd", "abcde", "abcdefgh", "abcdefghi"] {
            let id = vocabulary.get_or_add(short);
            assert_eq!(vocabulary.get(short), id);
        }
        for near in [
            "b",
            "ba",
            "acb",
            "abce",
            "abcdf",
            "abcdefgg",
            "abcdefghj",
            "abc\0",
        ] {
            assert_eq!(vocabulary.get(near), NO_WORD, "{near}");
        }
    }
}
