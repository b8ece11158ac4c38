//! The writer under each output file. Bytes are staged in large buffers,
//! aligned for direct I/O, and written a whole buffer at a time.
//!
//! A run writes several bytes of CSV per input byte, and copying them into
//! the page cache can cost the kernel more CPU than annotating them (on a
//! virtual machine whose free memory goes back to the host, each fresh page
//! of cache is a fault on the host too). So on Linux a file that has filled
//! its buffer once is switched to `O_DIRECT`: whole aligned buffers go from
//! here to the device, unless `buffered` was asked for. A direct write
//! waits for the device, so a file in direct mode hands its full buffers to
//! a thread of its own and goes on filling the next one; a slow device
//! then holds up the run only once [`STAGES`] buffers are waiting. The
//! last, partial buffer is written through the page cache, and so is every
//! buffer of a file system that refuses direct I/O.

use std::fs::File;
use std::io::{self, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Bytes staged before a write: a multiple of any block size direct I/O
/// asks for, and large enough that each write keeps the device busy.
const STAGE_BYTES: usize = 4 << 20;

/// The alignment of each stage's start (the largest logical block size of
/// common devices; smaller ones divide it).
const ALIGN: usize = 4096;

/// Buffers a file in direct mode may have: one being filled, the others
/// written or waiting to be.
const STAGES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direct {
    /// Not tried yet: the file has not filled a buffer.
    NotYet,
    On,
    /// Asked against, refused by the file system, or given up after a
    /// short write.
    Never,
}

/// One aligned buffer of `STAGE_BYTES`.
#[derive(Debug)]
struct Stage {
    /// `STAGE_BYTES + ALIGN` bytes; the stage starts at `start`.
    buffer: Vec<u8>,
    start: usize,
    len: usize,
}

impl Stage {
    fn new() -> Stage {
        let buffer = vec![0; STAGE_BYTES + ALIGN];
        let start = buffer.as_ptr().align_offset(ALIGN).min(ALIGN);
        Stage {
            buffer,
            start,
            len: 0,
        }
    }

    /// A placeholder for while a buffer is away; it allocates when filled.
    fn unallocated() -> Stage {
        Stage {
            buffer: Vec::new(),
            start: 0,
            len: 0,
        }
    }

    fn is_full(&self) -> bool {
        self.len == STAGE_BYTES
    }

    /// Copies as much of `bytes` as fits; returns the rest.
    fn fill<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        if self.buffer.is_empty() {
            *self = Stage::new();
        }
        let at = self.start + self.len;
        let n = (STAGE_BYTES - self.len).min(bytes.len());
        let Some(stage) = self.buffer.get_mut(at..at + n) else {
            return bytes;
        };
        let (now, later) = bytes.split_at(n);
        stage.copy_from_slice(now);
        self.len += n;
        later
    }

    fn bytes(&self) -> &[u8] {
        self.buffer
            .get(self.start..self.start + self.len)
            .unwrap_or_default()
    }
}

/// What the thread of a direct-mode file hands back when it stops: the
/// file, its mode, and the error that stopped it, if any.
type Flushed = (File, Direct, io::Result<()>);

/// The thread writing a direct-mode file's full buffers in order.
#[derive(Debug)]
struct Flusher {
    full: SyncSender<Stage>,
    /// Written buffers, ready to be filled again; closed after an error.
    empty: Receiver<Stage>,
    thread: JoinHandle<Flushed>,
    /// Buffers made so far, at most [`STAGES`].
    made: usize,
}

impl Flusher {
    fn start(mut file: File) -> io::Result<Flusher> {
        let (full, to_write) = sync_channel::<Stage>(STAGES);
        let (written, empty) = channel();
        let thread = std::thread::Builder::new()
            .name("output".into())
            .spawn(move || {
                let mut direct = Direct::On;
                for mut stage in to_write {
                    if let Err(e) = write_stage(&mut file, &mut direct, stage.bytes()) {
                        return (file, direct, Err(e));
                    }
                    stage.len = 0;
                    // Nobody takes the buffer back only while the file is
                    // being finished, which first drains this loop.
                    let _ = written.send(stage);
                }
                (file, direct, Ok(()))
            })?;
        Ok(Flusher {
            full,
            empty,
            thread,
            made: 1,
        })
    }

    /// Queues `full` for writing and returns an empty buffer, waiting for
    /// the device only when every buffer is in use. After an error, gives
    /// back the buffer it could not queue.
    fn swap(&mut self, full: Stage) -> Result<Stage, Option<Stage>> {
        if let Err(unsent) = self.full.send(full) {
            return Err(Some(unsent.0));
        }
        if let Ok(empty) = self.empty.try_recv() {
            return Ok(empty);
        }
        if self.made < STAGES {
            self.made += 1;
            return Ok(Stage::new());
        }
        self.empty.recv().map_err(|_| None)
    }

    /// Waits until every queued buffer is written.
    fn join(self) -> io::Result<Flushed> {
        let Flusher { full, thread, .. } = self;
        drop(full);
        thread
            .join()
            .map_err(|_| io::Error::other("the thread writing this file stopped unexpectedly"))
    }
}

/// Where a file's full buffers go.
#[derive(Debug)]
enum Sink {
    /// Written by the caller's thread.
    Here(File, Direct),
    /// Written by the file's own thread (direct mode).
    Thread(Flusher),
    /// The file's thread panicked; nothing more can be written.
    Lost,
}

/// A file written through aligned staging buffers (see the module doc).
#[derive(Debug)]
pub struct StagedFile {
    sink: Sink,
    stage: Stage,
}

impl StagedFile {
    /// Stages the writes to `file`; `buffered` keeps them all in the page
    /// cache.
    pub fn new(file: File, buffered: bool) -> StagedFile {
        let direct = if buffered || !cfg!(target_os = "linux") {
            Direct::Never
        } else {
            Direct::NotYet
        };
        StagedFile {
            sink: Sink::Here(file, direct),
            stage: Stage::new(),
        }
    }

    /// Appends `bytes`, writing each buffer it fills.
    pub fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            bytes = self.stage.fill(bytes);
            if self.stage.is_full() {
                self.write_full_stage()?;
            }
        }
        Ok(())
    }

    /// Writes what is staged, after every buffer queued before it, and
    /// leaves the file as it would be after buffered writes.
    pub fn finish(&mut self) -> io::Result<()> {
        let (mut file, direct) = match std::mem::replace(&mut self.sink, Sink::Lost) {
            Sink::Here(file, direct) => (file, direct),
            Sink::Thread(flusher) => {
                let (file, direct, stopped) = flusher.join()?;
                if let Err(e) = stopped {
                    self.sink = Sink::Here(file, direct);
                    return Err(e);
                }
                (file, direct)
            }
            Sink::Lost => return Err(lost()),
        };
        if direct == Direct::On {
            if let Err(e) = set_direct(&file, false) {
                self.sink = Sink::Here(file, direct);
                return Err(e);
            }
        }
        let written = file
            .write_all(self.stage.bytes())
            .and_then(|()| file.flush());
        self.stage.len = 0;
        self.sink = Sink::Here(file, Direct::Never);
        written
    }

    fn write_full_stage(&mut self) -> io::Result<()> {
        if let Sink::Here(file, direct) = &mut self.sink {
            if *direct == Direct::NotYet {
                *direct = match set_direct(file, true) {
                    Ok(()) => Direct::On,
                    Err(_) => Direct::Never,
                };
            }
            // A thread that cannot be started leaves the writes here.
            let flusher = match *direct {
                Direct::On => file.try_clone().and_then(Flusher::start).ok(),
                _ => None,
            };
            match flusher {
                Some(flusher) => self.sink = Sink::Thread(flusher),
                None => {
                    write_stage(file, direct, self.stage.bytes())?;
                    self.stage.len = 0;
                    return Ok(());
                }
            }
        }
        let Sink::Thread(flusher) = &mut self.sink else {
            return Err(lost());
        };
        let full = std::mem::replace(&mut self.stage, Stage::unallocated());
        match flusher.swap(full) {
            Ok(empty) => {
                self.stage = empty;
                Ok(())
            }
            Err(unsent) => {
                self.stage = unsent.unwrap_or_else(Stage::unallocated);
                self.stage.len = 0;
                self.thread_error()
            }
        }
    }

    /// The error that stopped the file's thread; the file is written here
    /// again after it.
    fn thread_error(&mut self) -> io::Result<()> {
        let Sink::Thread(flusher) = std::mem::replace(&mut self.sink, Sink::Lost) else {
            return Err(lost());
        };
        let (file, direct, stopped) = flusher.join()?;
        self.sink = Sink::Here(file, direct);
        stopped.and(Err(lost()))
    }
}

impl Drop for StagedFile {
    /// Writes what is still staged, as `BufWriter` does; errors are lost
    /// here, so callers call [`StagedFile::finish`].
    fn drop(&mut self) {
        if self.stage.len > 0 || matches!(self.sink, Sink::Thread(_)) {
            let _ = self.finish();
        }
    }
}

fn lost() -> io::Error {
    io::Error::other("an earlier write to this file failed")
}

/// Writes `staged` to `file`: directly while `direct` is on, through the
/// page cache after the file system refuses a direct write or writes it
/// short.
fn write_stage(file: &mut File, direct: &mut Direct, staged: &[u8]) -> io::Result<()> {
    let mut rest = staged;
    if *direct == Direct::On {
        rest = loop {
            match file.write(staged) {
                Ok(n) if n == staged.len() => break &[],
                // Past a short write the file's end is no longer
                // aligned: the rest goes through the page cache.
                Ok(n) => break staged.get(n..).unwrap_or_default(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // A file system that takes the flag but not the write.
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
                    ) =>
                {
                    break staged
                }
                Err(e) => return Err(e),
            }
        };
        if !rest.is_empty() {
            set_direct(file, false)?;
            *direct = Direct::Never;
        }
    }
    file.write_all(rest)
}

#[cfg(target_os = "linux")]
fn set_direct(file: &File, on: bool) -> io::Result<()> {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
    let flags = fcntl_getfl(file)?;
    let flags = if on {
        flags | OFlags::DIRECT
    } else {
        flags - OFlags::DIRECT
    };
    Ok(fcntl_setfl(file, flags)?)
}

#[cfg(not(target_os = "linux"))]
fn set_direct(_file: &File, _on: bool) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(buffered: bool, pieces: &[&[u8]]) -> Vec<u8> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.csv");
        let mut file = StagedFile::new(File::create(&path).expect("create"), buffered);
        for piece in pieces {
            file.write_all(piece).expect("write");
        }
        file.finish().expect("finish");
        drop(file);
        std::fs::read(&path).expect("read back")
    }

    #[test]
    fn bytes_come_back_in_order_across_buffers() {
        let big: Vec<u8> = (0..STAGE_BYTES * (STAGES + 2) + 12_345)
            .map(|i| (i % 251) as u8)
            .collect();
        let pieces: Vec<&[u8]> = vec![b"header\n", &big[..100], &big[100..], b"tail"];
        let expected: Vec<u8> = pieces.concat();
        assert_eq!(written(false, &pieces), expected);
        assert_eq!(written(true, &pieces), expected);
    }

    #[test]
    fn a_failing_device_is_reported_not_lost() {
        let Ok(full_device) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            eprintln!("skipped: no /dev/full on this system");
            return;
        };
        let mut file = StagedFile::new(full_device, false);
        let chunk = vec![b'x'; STAGE_BYTES / 2];
        let mut outcome = Ok(());
        for _ in 0..(STAGES + 2) * 2 {
            outcome = file.write_all(&chunk);
            if outcome.is_err() {
                break;
            }
        }
        let finished = file.finish();
        assert!(outcome.is_err() || finished.is_err());
    }

    #[test]
    fn a_small_file_and_an_empty_one_are_written_whole() {
        assert_eq!(written(false, &[b"a,b\n", b"1,2\n"]), b"a,b\n1,2\n");
        assert_eq!(written(false, &[]), b"");
    }

    #[test]
    fn dropping_unfinished_writes_what_is_staged() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("out.csv");
        let mut file = StagedFile::new(File::create(&path).expect("create"), false);
        file.write_all(b"kept\n").expect("write");
        drop(file);
        assert_eq!(std::fs::read(&path).expect("read back"), b"kept\n");
    }
}
