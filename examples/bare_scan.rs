//! The bare scan of the whole-run benchmark (issue 7): the least a tool must
//! do to find actors in a JSONL dump. It reads the dump in large blocks,
//! parses each line's `text` with serde_json (borrowed where it has no
//! escapes), and counts the leftmost-longest matches of every alias of the
//! built-in actor lexicon (ASCII case-insensitive) with one aho-corasick DFA,
//! on N threads. `claimstance run` is compared with it in
//! `benches/whole_run.py`.
//!
//! Usage: cargo run --release --example bare_scan -- DUMP.jsonl [--threads N]
//! Prints one line: documents, matches, bytes, seconds (of which building the
//! automaton), MB/s.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::borrow::Cow;
use std::io::Read;
use std::sync::mpsc::sync_channel;
use std::sync::Mutex;
use std::time::Instant;

/// Bytes read at a time (then cut after the block's last newline).
const BLOCK_BYTES: usize = 4 << 20;

#[derive(serde::Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    text: Option<Cow<'a, str>>,
}

fn aliases() -> Vec<String> {
    let csv = include_str!("../lexicons/actors.csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let alias_column = reader
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|name| name == "alias"));
    let Some(alias_column) = alias_column else {
        return Vec::new();
    };
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| row.get(alias_column).map(|a| a.trim().to_string()))
        .filter(|alias| !alias.is_empty())
        .collect()
}

/// Counts (documents, matches) in a block of whole lines.
fn scan_block(automaton: &AhoCorasick, block: &[u8]) -> (u64, u64) {
    let (mut documents, mut matches) = (0, 0);
    for line in block.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if let Ok(Line { text: Some(text) }) = serde_json::from_slice::<Line>(line) {
            documents += 1;
            matches += automaton.find_iter(text.as_bytes()).count() as u64;
        }
    }
    (documents, matches)
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut threads = 2;
    while let Some(arg) = args.next() {
        if arg == "--threads" {
            threads = args.next().and_then(|n| n.parse().ok()).unwrap_or(2);
        } else {
            path = Some(arg);
        }
    }
    let Some(path) = path else {
        eprintln!("usage: bare_scan DUMP.jsonl [--threads N]");
        return std::process::ExitCode::from(2);
    };
    let started = Instant::now();
    let aliases = aliases();
    let automaton = match AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostLongest)
        .ascii_case_insensitive(true)
        .build(&aliases)
    {
        Ok(automaton) => automaton,
        Err(e) => {
            eprintln!("bare_scan: cannot build the automaton: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let built = started.elapsed().as_secs_f64();
    let mut file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("bare_scan: cannot open {path}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };

    let threads = threads.max(1);
    let (blocks_tx, blocks_rx) = sync_channel::<Vec<u8>>(threads * 2);
    let blocks_rx = Mutex::new(blocks_rx);
    // Scanned blocks come back to be filled again, not faulted in anew.
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let mut bytes = 0u64;
    let (blocks_rx, automaton) = (&blocks_rx, &automaton);
    let (documents, matches) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let empty_tx = empty_tx.clone();
                scope.spawn(move || {
                    let mut totals = (0, 0);
                    loop {
                        let block = match blocks_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok(block) = block else { break };
                        let (d, m) = scan_block(automaton, &block);
                        totals.0 += d;
                        totals.1 += m;
                        let _ = empty_tx.send(block);
                    }
                    totals
                })
            })
            .collect();
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let mut block = empty_rx.try_recv().unwrap_or_default();
            block.clear();
            block.append(&mut carry);
            let start = block.len();
            block.resize(start + BLOCK_BYTES, 0);
            let read = match file.read(&mut block[start..]) {
                Ok(n) => n,
                Err(e) => {
                    eprintln!("bare_scan: read failed: {e}");
                    0
                }
            };
            block.truncate(start + read);
            bytes += read as u64;
            if read == 0 {
                if !block.is_empty() && blocks_tx.send(block).is_err() {
                    break;
                }
                break;
            }
            if let Some(last_newline) = memchr::memrchr(b'\n', &block) {
                carry.extend_from_slice(&block[last_newline + 1..]);
                block.truncate(last_newline + 1);
                if blocks_tx.send(block).is_err() {
                    break;
                }
            } else {
                carry = block;
            }
        }
        drop(blocks_tx);
        workers
            .into_iter()
            .filter_map(|w| w.join().ok())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "bare_scan: threads={threads} aliases={} documents={documents} matches={matches} bytes={bytes} \
         seconds={seconds:.2} (automaton {built:.2}) MB/s={:.1}",
        aliases.len(),
        bytes as f64 / 1e6 / seconds
    );
    std::process::ExitCode::SUCCESS
}
