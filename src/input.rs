//! Input: streams documents, in order, from text files, folders of `.txt`
//! files, JSONL, CSV, stdin and gzip-compressed versions of each. Every
//! record that cannot be read becomes a [`Record::Skipped`] naming its file
//! and line, so a run never loses input silently.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Input formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A whole file is one document; doc_id is the file stem.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// A header row, one document per record.
    Csv,
}

/// How documents are read from structured inputs.
#[derive(Debug, Clone)]
pub struct InputOptions {
    /// Overrides the format that the file extension implies.
    pub format: Option<Format>,
    pub id_field: String,
    pub text_field: String,
    /// Metadata fields copied into documents.csv, in this order.
    pub keep: Vec<String>,
}

impl Default for InputOptions {
    fn default() -> Self {
        InputOptions {
            format: None,
            id_field: "id".into(),
            text_field: "text".into(),
            keep: Vec::new(),
        }
    }
}

/// One document read from the input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawDoc {
    pub id: String,
    /// Where it came from: `path` or `path:line`.
    pub source: String,
    /// The source text; invalid UTF-8 bytes are replaced by U+FFFD, and
    /// offsets refer to this repaired text.
    pub text: String,
    pub invalid_bytes: usize,
    /// Values of the `--keep` fields, in order (empty when absent).
    pub meta: Vec<String>,
    /// Problems that did not stop the document from being read.
    pub warnings: Vec<String>,
}

/// A record of the input stream: a document, or something that was skipped.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Doc(RawDoc),
    Skipped { source: String, message: String },
}

/// One input as named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    Path(PathBuf),
}

impl Input {
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }

    pub fn display(&self) -> String {
        match self {
            Input::Stdin => "-".into(),
            Input::Path(p) => p.display().to_string(),
        }
    }
}

/// Decodes UTF-8, replacing each invalid sequence with U+FFFD; returns the
/// text and how many bytes were invalid. A leading BOM is kept (folding
/// makes it invisible) so offsets stay file offsets.
pub fn decode_lossy(bytes: Vec<u8>) -> (String, usize) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, 0),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len() + 16);
            let mut invalid = 0;
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
                if !chunk.invalid().is_empty() {
                    invalid += chunk.invalid().len();
                    out.push('\u{FFFD}');
                }
            }
            (out, invalid)
        }
    }
}

/// Expands inputs into the list of files to read, in order: folders become
/// every `.txt` (or `.txt.gz`) file below them, sorted by path.
pub fn expand(inputs: &[Input]) -> Vec<Result<Input, (String, String)>> {
    let mut out = Vec::new();
    for input in inputs {
        match input {
            Input::Path(p) if p.is_dir() => {
                let mut files = Vec::new();
                if let Err(e) = walk(p, &mut files) {
                    out.push(Err((
                        p.display().to_string(),
                        format!("cannot list folder: {e}"),
                    )));
                }
                files.sort();
                out.extend(files.into_iter().map(|f| Ok(Input::Path(f))));
            }
            other => out.push(Ok(other.clone())),
        }
    }
    out
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_lowercase())
                .unwrap_or_default();
            if name.ends_with(".txt") || name.ends_with(".txt.gz") {
                files.push(path);
            }
        }
    }
    Ok(())
}

/// The format a path implies (`.gz` looked through), if any.
pub fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    let ext = name.rsplit_once('.')?.1;
    match ext {
        "txt" | "text" | "md" => Some(Format::Text),
        "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
        "csv" => Some(Format::Csv),
        _ => None,
    }
}

fn is_gzip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// A reader that counts the raw (compressed) bytes read, for progress.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Streams every record of every input, in order.
pub struct Reader {
    files: std::vec::IntoIter<Result<Input, (String, String)>>,
    options: InputOptions,
    current: Option<Box<dyn Iterator<Item = Record> + Send>>,
    bytes_read: Arc<AtomicU64>,
}

impl Reader {
    pub fn new(inputs: &[Input], options: InputOptions) -> Reader {
        Reader {
            files: expand(inputs).into_iter(),
            options,
            current: None,
            bytes_read: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A counter of raw input bytes read so far.
    pub fn bytes_read(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    fn open(
        &self,
        input: &Input,
    ) -> Result<Box<dyn Iterator<Item = Record> + Send>, (String, String)> {
        let (label, raw, format): (String, Box<dyn Read + Send>, Format) = match input {
            Input::Stdin => (
                "-".into(),
                Box::new(io::stdin()),
                self.options.format.unwrap_or(Format::Jsonl),
            ),
            Input::Path(path) => {
                let label = path.display().to_string();
                let format = match self.options.format.or_else(|| format_of(path)) {
                    Some(f) => f,
                    None => {
                        return Err((
                            label,
                            "unknown input format (name it .txt, .jsonl or .csv, optionally .gz, or pass --format)"
                                .into(),
                        ))
                    }
                };
                let file = File::open(path)
                    .map_err(|e| (label.clone(), format!("cannot open file: {e}")))?;
                let raw: Box<dyn Read + Send> = if is_gzip(path) {
                    Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                        1 << 16,
                        file,
                    )))
                } else {
                    Box::new(file)
                };
                (label, raw, format)
            }
        };
        let counted = Counting {
            inner: raw,
            count: Arc::clone(&self.bytes_read),
        };
        let buffered = |counted| BufReader::with_capacity(1 << 20, counted);
        Ok(match format {
            Format::Text => {
                let id = match input {
                    Input::Path(p) => doc_id_from_path(p),
                    Input::Stdin => "stdin".into(),
                };
                Box::new(TextRecords {
                    reader: Some(buffered(counted)),
                    label,
                    id,
                    keep: self.options.keep.len(),
                })
            }
            // Lines are read without a `BufReader` (see `Lines`).
            Format::Jsonl => Box::new(JsonlRecords::new(counted, label, self.options.clone())),
            Format::Csv => Box::new(CsvRecords::new(
                buffered(counted),
                label,
                self.options.clone(),
            )),
        })
    }
}

impl Iterator for Reader {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(current) = self.current.as_mut() {
                if let Some(record) = current.next() {
                    return Some(record);
                }
                self.current = None;
            }
            match self.files.next()? {
                Err((source, message)) => return Some(Record::Skipped { source, message }),
                Ok(input) => match self.open(&input) {
                    Ok(records) => self.current = Some(records),
                    Err((source, message)) => return Some(Record::Skipped { source, message }),
                },
            }
        }
    }
}

/// `seeds/001_abc.txt` → `001_abc`; `a.txt.gz` → `a`.
pub fn doc_id_from_path(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

struct TextRecords<R> {
    reader: Option<R>,
    label: String,
    id: String,
    keep: usize,
}

impl<R: Read> Iterator for TextRecords<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let mut reader = self.reader.take()?;
        let mut bytes = Vec::new();
        let mut warnings = Vec::new();
        if let Err(e) = reader.read_to_end(&mut bytes) {
            if bytes.is_empty() {
                return Some(Record::Skipped {
                    source: self.label.clone(),
                    message: format!("cannot read file: {e}"),
                });
            }
            warnings.push(format!(
                "read failed after {} bytes ({e}); the text was cut there",
                bytes.len()
            ));
        }
        let (text, invalid_bytes) = decode_lossy(bytes);
        Some(Record::Doc(RawDoc {
            id: self.id.clone(),
            source: self.label.clone(),
            text,
            invalid_bytes,
            meta: vec![String::new(); self.keep],
            warnings,
        }))
    }
}

struct JsonlRecords<R> {
    lines: Lines<R>,
    parser: JsonlParser,
    done: bool,
}

/// What a JSONL line is read with, and where it is.
struct JsonlParser {
    label: String,
    line: u64,
    options: InputOptions,
    fields: WantedFields,
}

impl<R: Read> JsonlRecords<R> {
    fn new(reader: R, label: String, options: InputOptions) -> Self {
        JsonlRecords {
            lines: Lines::new(reader),
            parser: JsonlParser {
                label,
                line: 0,
                fields: WantedFields::new(&options),
                options,
            },
            done: false,
        }
    }
}

/// Bytes [`Lines`] reads at a time (its buffer grows for longer lines): few
/// enough that what a read copies in is still in the CPU's cache when the
/// lines are searched, checked and parsed.
const LINES_BUFFER: usize = 1 << 18;

/// The lines of a reader, each handed out where it lies in the buffer the
/// reader fills (no copy), the buffer zeroed once rather than before each
/// read as `BufReader` over a plain `Read` does.
struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    /// The bytes read and not yet handed out: `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
}

impl<R: Read> Lines<R> {
    fn new(reader: R) -> Lines<R> {
        Lines {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
        }
    }

    /// The next line with its `\n` (the last line may lack it), `None` at
    /// the end of the input.
    fn next_line(&mut self) -> io::Result<Option<&[u8]>> {
        // Where the search for `\n` goes on: the bytes before it hold none.
        let mut searched = self.start;
        loop {
            let unread = self.buf.get(searched..self.end).unwrap_or_default();
            if let Some(at) = memchr::memchr(b'\n', unread) {
                let line = self.start..searched + at + 1;
                self.start = line.end;
                return Ok(self.buf.get(line));
            }
            if self.eof {
                let line = self.start..self.end;
                self.start = self.end;
                return Ok(if line.is_empty() {
                    None
                } else {
                    self.buf.get(line)
                });
            }
            // Offsets from `start`, which `fill` moves to the front.
            searched = self.end - self.start;
            self.fill()?;
        }
    }

    /// Reads more bytes after the unread ones, moving those to the front of
    /// the buffer first, and growing it when they fill it.
    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let len = (self.buf.len() * 2).max(LINES_BUFFER);
            self.buf.resize(len, 0);
        }
        loop {
            match self
                .reader
                .read(self.buf.get_mut(self.end..).unwrap_or_default())
            {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

fn json_value_to_string(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn json_value_into_string(value: serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s,
        other => json_value_to_string(&other),
    }
}

/// The fields a JSONL record is read for: each distinct name once.
#[derive(Debug, Clone)]
struct WantedFields {
    names: Vec<String>,
    text: usize,
    id: usize,
    keep: Vec<usize>,
}

impl WantedFields {
    fn new(options: &InputOptions) -> WantedFields {
        let mut names: Vec<String> = Vec::new();
        let mut slot = |name: &str| match names.iter().position(|n| n == name) {
            Some(i) => i,
            None => {
                names.push(name.to_string());
                names.len() - 1
            }
        };
        let text = slot(&options.text_field);
        let id = slot(&options.id_field);
        let keep = options.keep.iter().map(|k| slot(k)).collect();
        WantedFields {
            names,
            text,
            id,
            keep,
        }
    }

    /// Parses one JSON object, keeping the values of the wanted fields (the
    /// last one of a repeated key). It accepts and rejects exactly what
    /// parsing the line into a `serde_json::Map<String, Value>` does, with
    /// the same error messages, but builds no map and no values for the
    /// other fields.
    #[cfg(test)]
    fn parse(&self, line: &str) -> serde_json::Result<Vec<Option<serde_json::Value>>> {
        if let Some(strings) = self.parse_strings(line) {
            return Ok(strings
                .into_iter()
                .map(|value| value.map(serde_json::Value::String))
                .collect());
        }
        self.parse_general(line)
    }

    /// [`WantedFields::parse`] with the JSON parser.
    fn parse_general(&self, line: &str) -> serde_json::Result<Vec<Option<serde_json::Value>>> {
        use serde::de::DeserializeSeed;
        let mut deserializer = serde_json::Deserializer::from_str(line);
        let values = ObjectFields(&self.names).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(values)
    }
}

impl WantedFields {
    /// [`WantedFields::parse`] of the usual line, read in one pass without
    /// the JSON parser: an object whose values are all strings, with no
    /// control byte and no escape in a key. Its wanted fields come out
    /// unescaped, in strings of their final size. `None` for any other
    /// line, which goes the general way (and fails there if it must, with
    /// the parser's message).
    fn parse_strings(&self, line: &str) -> Option<Vec<Option<String>>> {
        let body = line.trim_end_matches(['\n', '\r']);
        // Only `\t`, LF and CR may stand outside strings, and nothing below
        // 0x20 inside them: a line without any takes this way.
        if body.bytes().fold(u8::MAX, u8::min) < 0x20 {
            return None;
        }
        let mut json = FlatJson { text: body, at: 0 };
        let mut values = vec![None; self.names.len()];
        json.skip_spaces();
        json.eat(b'{')?;
        json.skip_spaces();
        if json.peek() == Some(b'}') {
            json.at += 1;
        } else {
            loop {
                json.eat(b'"')?;
                let key = json.string()?;
                if key.contains('\\') {
                    return None;
                }
                json.skip_spaces();
                json.eat(b':')?;
                json.skip_spaces();
                json.eat(b'"')?;
                match self
                    .names
                    .iter()
                    .position(|name| name == key)
                    .and_then(|i| values.get_mut(i))
                {
                    Some(slot) => *slot = Some(json.unescaped_string()?),
                    None => {
                        json.string()?;
                    }
                }
                json.skip_spaces();
                match json.next()? {
                    b',' => json.skip_spaces(),
                    b'}' => break,
                    _ => return None,
                }
            }
        }
        json.skip_spaces();
        (json.at == body.len()).then_some(values)
    }
}

/// Unused bytes a string read by [`FlatJson::unescaped_string`] may keep
/// rather than be copied into an allocation of its size: this many, or a
/// [`SPARE_STRING_SHARE`]th of its length (the room its escapes took).
const SPARE_STRING_BYTES: usize = 256;
const SPARE_STRING_SHARE: usize = 8;

/// A cursor over a JSON line without control bytes.
struct FlatJson<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> FlatJson<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.next()? == byte).then_some(())
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    /// The raw contents of the string whose opening quote was just read,
    /// checked as the JSON parser checks a string it keeps (escapes, paired
    /// surrogates); the cursor moves past its closing quote.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.at;
        loop {
            let rest = self.text.as_bytes().get(self.at..)?;
            let found = memchr::memchr2(b'"', b'\\', rest)?;
            self.at += found + 1;
            if rest.get(found) == Some(&b'"') {
                return self.text.get(start..self.at - 1);
            }
            match self.next()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                b'u' => match self.hex_unit()? {
                    0xD800..=0xDBFF => {
                        self.eat(b'\\')?;
                        self.eat(b'u')?;
                        if !(0xDC00..=0xDFFF).contains(&self.hex_unit()?) {
                            return None;
                        }
                    }
                    0xDC00..=0xDFFF => return None,
                    _ => {}
                },
                _ => return None,
            }
        }
    }

    /// [`FlatJson::string`], unescaped into a new string in the same pass:
    /// the runs between escapes are copied as they are found.
    fn unescaped_string(&mut self) -> Option<String> {
        let rest = self.text.get(self.at..)?;
        let first = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
        if rest.as_bytes().get(first) == Some(&b'"') {
            // No escape (an id, a clean text): a copy of its exact size.
            self.at += first + 1;
            return rest.get(..first).map(str::to_string);
        }
        // The rest of the line bounds the string's length.
        let mut out = String::with_capacity(rest.len());
        out.push_str(rest.get(..first)?);
        self.at += first;
        loop {
            let rest = self.text.get(self.at..)?;
            // Escapes often come in a row (`\n\n`): the next one is seen
            // without a search.
            let found = match rest.as_bytes().first() {
                Some(b'"' | b'\\') => 0,
                _ => {
                    let found = memchr::memchr2(b'"', b'\\', rest.as_bytes())?;
                    out.push_str(rest.get(..found)?);
                    found
                }
            };
            self.at += found + 1;
            if rest.as_bytes().get(found) == Some(&b'"') {
                // Hand back the room the rest of the line held beyond it
                // (the fields after it, the escapes it had).
                let spare = out.capacity() - out.len();
                if spare > SPARE_STRING_BYTES && spare > out.len() / SPARE_STRING_SHARE {
                    out.shrink_to_fit();
                }
                return Some(out);
            }
            let c = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => match self.hex_unit()? {
                    high @ 0xD800..=0xDBFF => {
                        self.eat(b'\\')?;
                        self.eat(b'u')?;
                        let low = self.hex_unit()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?
                    }
                    0xDC00..=0xDFFF => return None,
                    unit => char::from_u32(unit)?,
                },
                _ => return None,
            };
            out.push(c);
        }
    }

    fn hex_unit(&mut self) -> Option<u32> {
        let unit = hex_unit(self.text.get(self.at..self.at + 4)?)?;
        self.at += 4;
        Some(unit)
    }
}

/// The value of four hex digits.
fn hex_unit(digits: &str) -> Option<u32> {
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// Deserializes a JSON object into the values of the named fields.
struct ObjectFields<'a>(&'a [String]);

impl<'de> serde::de::DeserializeSeed<'de> for ObjectFields<'_> {
    type Value = Vec<Option<serde_json::Value>>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for ObjectFields<'_> {
    type Value = Vec<Option<serde_json::Value>>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a map")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = vec![None; self.0.len()];
        while let Some(slot) = map.next_key_seed(FieldSlot(self.0))? {
            match slot.and_then(|i| values.get_mut(i)) {
                Some(value) => *value = Some(map.next_value()?),
                None => {
                    map.next_value::<CheckedValue>()?;
                }
            }
        }
        Ok(values)
    }
}

/// Deserializes an object key into the index of the wanted field it names.
struct FieldSlot<'a>(&'a [String]);

impl<'de> serde::de::DeserializeSeed<'de> for FieldSlot<'_> {
    type Value = Option<usize>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_string(self)
    }
}

impl<'de> serde::de::Visitor<'de> for FieldSlot<'_> {
    type Value = Option<usize>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|name| name == key))
    }
}

/// Any JSON value, parsed and checked as `serde_json::Value` would be (the
/// same escapes, surrogates, numbers and nesting limit), then dropped.
struct CheckedValue;

impl<'de> serde::Deserialize<'de> for CheckedValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CheckedValue)
    }
}

impl<'de> serde::de::Visitor<'de> for CheckedValue {
    type Value = CheckedValue;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(CheckedValue)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(CheckedValue)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(CheckedValue)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(CheckedValue)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(CheckedValue)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(CheckedValue)
    }

    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(CheckedValue)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<CheckedValue>()?.is_some() {}
        Ok(CheckedValue)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<CheckedValue, CheckedValue>()?.is_some() {}
        Ok(CheckedValue)
    }
}

impl<R: Read> Iterator for JsonlRecords<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if self.done {
                return None;
            }
            let parser = &mut self.parser;
            parser.line += 1;
            let line = match self.lines.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => return None,
                Err(e) => {
                    self.done = true;
                    return Some(Record::Skipped {
                        source: parser.source(),
                        message: format!("read failed: {e}; the rest of the file was not read"),
                    });
                }
            };
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            return Some(parser.parse_line(line));
        }
    }
}

impl JsonlParser {
    fn source(&self) -> String {
        let mut line = itoa::Buffer::new();
        let line = line.format(self.line);
        let mut source = String::with_capacity(self.label.len() + 1 + line.len());
        source.push_str(&self.label);
        source.push(':');
        source.push_str(line);
        source
    }

    fn parse_line(&self, line: &[u8]) -> Record {
        let source = self.source();
        let repaired;
        // A vector check (the usual line is valid); an invalid one is
        // repaired, as `decode_lossy` repairs it.
        let (line_text, invalid_bytes) = match simdutf8::basic::from_utf8(line) {
            Ok(text) => (text, 0),
            Err(_) => {
                repaired = decode_lossy(line.to_vec());
                (repaired.0.as_str(), repaired.1)
            }
        };
        let wanted = &self.fields;
        // The usual line's fields come out as strings; any other line's are
        // parsed as JSON values, its text checked, then turned into text.
        let mut values = match wanted.parse_strings(line_text) {
            Some(strings) => strings,
            None => match wanted.parse_general(line_text) {
                Ok(values) => {
                    if let Some(other) = values.get(wanted.text).and_then(Option::as_ref) {
                        if !other.is_string() {
                            return Record::Skipped {
                                source,
                                message: format!(
                                "field \"{}\" is not a string but {} (use --text-field to name the text field)",
                                self.options.text_field,
                                json_kind(other)
                            ),
                            };
                        }
                    }
                    values
                        .into_iter()
                        .map(|value| value.map(json_value_into_string))
                        .collect()
                }
                Err(e) => {
                    return Record::Skipped {
                        source,
                        message: format!("not a JSON object: {e}"),
                    }
                }
            },
        };
        if values.get(wanted.text).and_then(Option::as_ref).is_none() {
            return Record::Skipped {
                source,
                message: format!(
                    "no field \"{}\" (use --text-field to name the text field)",
                    self.options.text_field
                ),
            };
        }
        let meta = wanted
            .keep
            .iter()
            .map(|&i| values.get(i).cloned().flatten().unwrap_or_default())
            .collect();
        let id_value = if wanted.id == wanted.text {
            values.get(wanted.id).cloned().flatten()
        } else {
            values.get_mut(wanted.id).and_then(Option::take)
        };
        let mut warnings = Vec::new();
        let id = match id_value {
            Some(id) if !id.is_empty() => id,
            _ => {
                warnings.push(format!(
                    "no field \"{}\"; doc_id made from the line",
                    self.options.id_field
                ));
                format!("{}:{}", doc_id_from_path(Path::new(&self.label)), self.line)
            }
        };
        let text = values
            .get_mut(wanted.text)
            .and_then(Option::take)
            .unwrap_or_default();
        Record::Doc(RawDoc {
            id,
            source,
            // U+FFFD stood in for invalid bytes of the line; they are counted
            // against the document (they may lie outside the text field).
            invalid_bytes,
            text,
            meta,
            warnings,
        })
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

struct CsvRecords<R> {
    reader: csv::Reader<R>,
    label: String,
    options: InputOptions,
    columns: Option<Result<CsvColumns, String>>,
    record: csv::ByteRecord,
    row: u64,
    done: bool,
}

struct CsvColumns {
    id: Option<usize>,
    text: usize,
    keep: Vec<Option<usize>>,
}

impl<R: Read> CsvRecords<R> {
    fn new(reader: R, label: String, options: InputOptions) -> Self {
        let reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        CsvRecords {
            reader,
            label,
            options,
            columns: None,
            record: csv::ByteRecord::new(),
            row: 0,
            done: false,
        }
    }

    fn columns(&mut self) -> Result<CsvColumns, String> {
        let headers = self
            .reader
            .byte_headers()
            .map_err(|e| format!("unreadable header row: {e}"))?;
        let names: Vec<String> = headers
            .iter()
            .map(|h| decode_lossy(h.to_vec()).0.trim().to_string())
            .collect();
        let find = |field: &str| names.iter().position(|n| n == field);
        let text = find(&self.options.text_field).ok_or_else(|| {
            format!(
                "no column \"{}\" in the header ({}); use --text-field to name the text column",
                self.options.text_field,
                names.join(", ")
            )
        })?;
        Ok(CsvColumns {
            id: find(&self.options.id_field),
            text,
            keep: self.options.keep.iter().map(|k| find(k)).collect(),
        })
    }
}

impl<R: Read> Iterator for CsvRecords<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        if self.columns.is_none() {
            let columns = self.columns();
            self.columns = Some(columns);
        }
        let columns = match self.columns.as_ref()? {
            Ok(c) => c,
            Err(message) => {
                self.done = true;
                return Some(Record::Skipped {
                    source: self.label.clone(),
                    message: message.clone(),
                });
            }
        };
        let line = self.reader.position().line() + 1;
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                self.row += 1;
                let line = self.record.position().map_or(line, |p| p.line());
                let source = format!("{}:{}", self.label, line);
                let Some(text_bytes) = self.record.get(columns.text) else {
                    return Some(Record::Skipped {
                        source,
                        message: format!(
                            "row has {} fields, too few for column \"{}\"",
                            self.record.len(),
                            self.options.text_field
                        ),
                    });
                };
                let (text, invalid_bytes) = decode_lossy(text_bytes.to_vec());
                let mut warnings = Vec::new();
                let id = match columns.id.and_then(|i| self.record.get(i)) {
                    Some(id) if !id.is_empty() => decode_lossy(id.to_vec()).0,
                    _ => {
                        if columns.id.is_some() {
                            warnings.push(format!(
                                "empty \"{}\"; doc_id made from the row",
                                self.options.id_field
                            ));
                        }
                        format!("{}:{}", doc_id_from_path(Path::new(&self.label)), self.row)
                    }
                };
                let meta = columns
                    .keep
                    .iter()
                    .map(|i| {
                        i.and_then(|i| self.record.get(i))
                            .map(|v| decode_lossy(v.to_vec()).0)
                            .unwrap_or_default()
                    })
                    .collect();
                Some(Record::Doc(RawDoc {
                    id,
                    source,
                    text,
                    invalid_bytes,
                    meta,
                    warnings,
                }))
            }
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let source = format!("{}:{}", self.label, line);
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    self.done = true;
                    return Some(Record::Skipped {
                        source,
                        message: format!("read failed: {e}; the rest of the file was not read"),
                    });
                }
                Some(Record::Skipped {
                    source,
                    message: format!("malformed CSV record: {e}"),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wanted fields as parsing the line into a map gives them.
    fn fields_via_map(
        line: &str,
        names: &[String],
    ) -> Result<Vec<Option<serde_json::Value>>, String> {
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(line).map_err(|e| e.to_string())?;
        Ok(names.iter().map(|n| map.get(n).cloned()).collect())
    }

    fn wanted() -> WantedFields {
        WantedFields::new(&InputOptions {
            keep: vec!["date".into()],
            ..InputOptions::default()
        })
    }

    #[test]
    fn string_fields_parse_as_a_map_would() {
        let fields = wanted();
        for line in [
            r#"{"id": "a", "text": "plain"}"#,
            r#"{"id": "a", "text": "line\nbreak \"q\" \\ \/ \b\f\r\t"}"#,
            r#"{"id": "a", "text": "\u00e9 \u0000 \uD83D\uDE00 \u2028"}"#,
            r#"{"id": "a", "text": "lone \uD83D here"}"#,
            r#"{"id": "a", "text": "lone \uDE00 here"}"#,
            r#"{"id": "a", "text": "pair then \uD83D\u0041"}"#,
            r#"{"id": "a", "text": "bad \x escape"}"#,
            "{\"id\": \"a\", \"text\": \"raw\ttab\"}",
            r#"{"id": 7, "text": "number id"}"#,
            r#"{"id": 1e400, "text": "huge number id"}"#,
            r#"{"id": "a", "text": "t", "date": null}"#,
            r#"{"id": "a", "text": "first \uD800", "text": "second"}"#,
            r#"{"id": "a", "text": 5, "text": "second"}"#,
            r#"{"id": "a", "other": {"deep": ["\uD800"]}, "text": "t"}"#,
            r#"{"id": "a", "other": [1, 2, {"x": "y"}], "text": "t"}"#,
            r#"{"id": "a", "text": "t"} trailing"#,
            r#"{"id": "a", "text": "unterminated}"#,
            r#"["not", "an", "object"]"#,
            r#"{"text": "no id", "date": "2020-01-01"}"#,
            r#"  {  "id"  :  "a" ,  "text" : "spaced"  }  "#,
            "{\"id\":\"a\",\"text\":\"tight\"}\n",
            "{\"id\":\"a\",\t\"text\":\"tab outside\"}\r\n",
            "{\"id\":\"a\",\"text\":\"cr inside\r\"}",
            r#"{"id": "a", "te\u0078t": "escaped key"}"#,
            r#"{"id": "a", "text": "trailing comma",}"#,
            r#"{"id": "a" "text": "no comma"}"#,
            r#"{}"#,
            r#"{ }"#,
            r#"{"id": "a", "text": "t"}}"#,
            r#"{"id": "a", "text": "del \u007f and é and ’"}"#,
            r#"{"id": "a", "text": "upper \u00E9 \uD83d\udE00"}"#,
            r#"{"id": "a", "text": "short \u00e"}"#,
            r#"{"id": "a", "text": "end \"#,
            r#"{"id": "a", "n": "x \uDC00", "text": "t"}"#,
            r#"{"id": "a", "text": "t", "text": "again"}"#,
            "\u{feff}{\"id\": \"a\", \"text\": \"bom\"}",
            "",
            "   ",
        ] {
            let ours = fields.parse(line).map_err(|e| e.to_string());
            assert_eq!(ours, fields_via_map(line, &fields.names), "{line}");
        }
        // The usual line takes the string way.
        let usual =
            "{\"id\": \"a\", \"x\": \"\\u00e9\", \"text\": \"line\\nbreak \\uD83D\\uDE00\"}\r\n";
        assert!(fields.parse_strings(usual).is_some());
    }

    proptest::proptest! {
        #[test]
        fn any_escaped_text_parses_as_a_map_would(text in "\\PC{0,40}", raw in "[a\\\\\"u0-9A-Fn/]{0,24}") {
            let fields = wanted();
            let escaped = serde_json::to_string(&text).unwrap_or_default();
            for line in [
                format!(r#"{{"id": "x", "text": {escaped}}}"#),
                format!(r#"{{"id": "x", "text": "{raw}"}}"#),
            ] {
                let ours = fields.parse(&line).map_err(|e| e.to_string());
                proptest::prop_assert_eq!(ours, fields_via_map(&line, &fields.names), "{}", line);
            }
        }
    }

    /// A reader that hands out at most `step` bytes per read.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_are_the_input_split_after_each_line_feed() {
        let long = "x".repeat(LINES_BUFFER * 2 + 5);
        let long_lines = format!("{long}\nshort\n{long}");
        let cases = [
            ("", 1),
            ("a", 1),
            ("a\n", 1),
            ("a\nb", 3),
            ("\n\n", 1),
            ("ab\ncd\n\nef", 1),
            ("ab\ncd\n\nef\n", 3),
            ("ab\ncd\n\nef\n", 7),
            (long_lines.as_str(), 4096),
            (long_lines.as_str(), usize::MAX),
        ];
        for (data, step) in cases {
            let mut lines = Lines::new(Trickle {
                data: data.as_bytes(),
                step,
            });
            let mut got = Vec::new();
            while let Some(line) = lines.next_line().unwrap() {
                got.push(line.to_vec());
            }
            let expected: Vec<Vec<u8>> = data
                .as_bytes()
                .split_inclusive(|&b| b == b'\n')
                .map(<[u8]>::to_vec)
                .collect();
            assert_eq!(got, expected, "{step}");
        }
    }

    #[test]
    fn lossy_decoding_counts_invalid_bytes() {
        let (s, n) = decode_lossy(b"ab\xffc\xe2\x80".to_vec());
        assert_eq!(s, "ab\u{FFFD}c\u{FFFD}");
        assert_eq!(n, 3);
    }

    #[test]
    fn formats_follow_extensions() {
        assert_eq!(format_of(Path::new("a.jsonl.gz")), Some(Format::Jsonl));
        assert_eq!(format_of(Path::new("a.CSV")), Some(Format::Csv));
        assert_eq!(format_of(Path::new("a.txt")), Some(Format::Text));
        assert_eq!(format_of(Path::new("a.bin")), None);
        assert_eq!(doc_id_from_path(Path::new("x/001_ab.txt.gz")), "001_ab");
    }

    #[test]
    fn jsonl_problems_are_skipped_with_lines() {
        let data = b"{\"id\":\"a\",\"text\":\"one\"}\nnot json\n\n{\"id\":2,\"text\":5}\n{\"id\":\"c\"}\n{\"text\":\"t\"}\n";
        let records: Vec<Record> =
            JsonlRecords::new(&data[..], "d.jsonl".into(), InputOptions::default()).collect();
        assert_eq!(records.len(), 5);
        assert!(matches!(&records[0], Record::Doc(d) if d.id == "a" && d.text == "one"));
        assert!(matches!(&records[1], Record::Skipped { source, .. } if source == "d.jsonl:2"));
        assert!(
            matches!(&records[2], Record::Skipped { source, message } if source == "d.jsonl:4" && message.contains("number"))
        );
        assert!(matches!(&records[3], Record::Skipped { source, .. } if source == "d.jsonl:5"));
        assert!(matches!(&records[4], Record::Doc(d) if d.id == "d:6" && !d.warnings.is_empty()));
    }

    #[test]
    fn csv_rows_carry_lines_and_meta() {
        let data = "id,text,date\n1,\"two\nlines\",2021\n2,plain,2022\n";
        let options = InputOptions {
            keep: vec!["date".into(), "missing".into()],
            ..InputOptions::default()
        };
        let records: Vec<Record> =
            CsvRecords::new(data.as_bytes(), "d.csv".into(), options).collect();
        assert_eq!(records.len(), 2);
        let Record::Doc(second) = &records[1] else {
            panic!("expected a document")
        };
        assert_eq!(second.source, "d.csv:4");
        assert_eq!(second.meta, vec!["2022".to_string(), String::new()]);
    }
}
