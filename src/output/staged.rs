//! The writer under each output file. Bytes are staged in one large buffer,
//! aligned for direct I/O, and written a whole buffer at a time.
//!
//! A run writes several bytes of CSV per input byte, and copying them into
//! the page cache can cost the kernel more CPU than annotating them (on a
//! virtual machine whose free memory goes back to the host, each fresh page
//! of cache is a fault on the host too). So on Linux a file that has filled
//! its buffer once is switched to `O_DIRECT`: whole aligned buffers go from
//! this one to the device, unless `buffered` was asked for. The last,
//! partial buffer is written through the page cache, and so is every buffer
//! of a file system that refuses direct I/O.

use std::fs::File;
use std::io::{self, Write};

/// Bytes staged before a write: a multiple of any block size direct I/O
/// asks for, few enough that the buffers of all the files stay in the CPU's
/// cache from one fill to the next (rows are copied into them at cache
/// speed; with 4 MB buffers a 1 GB run took 6% longer), and enough that a
/// write per buffer costs the kernel little (with 256 KB it took more).
const STAGE_BYTES: usize = 512 << 10;

/// The alignment of the staging buffer's start (the largest logical block
/// size of common devices; smaller ones divide it).
const ALIGN: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direct {
    /// Not tried yet: the file has not filled a buffer.
    NotYet,
    On,
    /// Asked against, refused by the file system, or given up after a
    /// short write.
    Never,
}

/// A file written through an aligned staging buffer (see the module doc).
#[derive(Debug)]
pub struct StagedFile {
    file: File,
    /// `start` bytes of padding, then the staged bytes. Its capacity,
    /// `STAGE_BYTES + ALIGN` bytes, is never outgrown, so the stage stays
    /// where it starts, aligned; and it is not zeroed first (its pages are
    /// touched as they fill).
    buffer: Vec<u8>,
    start: usize,
    direct: Direct,
}

impl StagedFile {
    /// Stages the writes to `file`; `buffered` keeps them all in the page
    /// cache.
    pub fn new(file: File, buffered: bool) -> StagedFile {
        let mut buffer = Vec::<u8>::with_capacity(STAGE_BYTES + ALIGN);
        let start = buffer.as_ptr().align_offset(ALIGN).min(ALIGN);
        buffer.resize(start, 0);
        StagedFile {
            file,
            buffer,
            start,
            direct: if buffered || !cfg!(target_os = "linux") {
                Direct::Never
            } else {
                Direct::NotYet
            },
        }
    }

    /// Bytes staged and not written yet.
    fn staged(&self) -> usize {
        self.buffer.len() - self.start
    }

    /// Appends `bytes`, writing each buffer it fills.
    pub fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = (STAGE_BYTES - self.staged()).min(bytes.len());
            let (now, later) = bytes.split_at(n);
            self.buffer.extend_from_slice(now);
            bytes = later;
            if self.staged() == STAGE_BYTES {
                self.write_stage()?;
            }
        }
        Ok(())
    }

    /// Writes what is staged and leaves the file as it would be after
    /// buffered writes.
    pub fn finish(&mut self) -> io::Result<()> {
        if self.direct == Direct::On {
            set_direct(&self.file, false)?;
            self.direct = Direct::Never;
        }
        self.write_stage()?;
        self.file.flush()
    }

    fn write_stage(&mut self) -> io::Result<()> {
        let StagedFile {
            file,
            buffer,
            start,
            direct,
        } = self;
        let staged = buffer.get(*start..).unwrap_or_default();
        if *direct == Direct::NotYet && staged.len() == STAGE_BYTES {
            *direct = match set_direct(file, true) {
                Ok(()) => Direct::On,
                Err(_) => Direct::Never,
            };
        }
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
        file.write_all(rest)?;
        buffer.truncate(*start);
        Ok(())
    }
}

impl Drop for StagedFile {
    /// Writes what is still staged, as `BufWriter` does; errors are lost
    /// here, so callers call [`StagedFile::finish`].
    fn drop(&mut self) {
        if self.staged() > 0 {
            let _ = self.finish();
        }
    }
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
        let big: Vec<u8> = (0..STAGE_BYTES * 2 + 12_345)
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
        for _ in 0..6 {
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
