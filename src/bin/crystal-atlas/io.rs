//! Every byte the CLI reads from a file or writes anywhere goes through here,
//! so every command keeps the same promises:
//! - a write that fails (a full disk, /dev/full) is an error with a one-line
//!   message and exit code 2, never a silent exit 0; a reader that went away
//!   (`| head`) ends the program quietly with status 141, as SIGPIPE would;
//! - messages to stderr never panic, even when stderr itself cannot be written;
//! - a file is read only up to its cap plus one byte (or line), so an endless
//!   or huge input (/dev/zero, a runaway pipe) is refused, not swallowed until
//!   memory runs out;
//! - an output that is the same file as an input (the same path, a link, a
//!   hard link) or as another output is refused before anything is written.

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use crate::args::CliError;

/// Exit status when standard output's reader has gone (`crystal-atlas list
/// ... | head`): what the shell reports for a program killed by SIGPIPE
/// (128 + 13), as `yes | head` gives.
pub const BROKEN_PIPE_STATUS: i32 = 141;

/// The formula list `embed` reads: at most this many bytes ...
pub const MAX_FORMULA_FILE_BYTES: usize = 64 << 20;
/// ... and this many lines.
pub const MAX_FORMULA_LINES: usize = 1_000_000;
/// An element-embedding file (`embed --embedding FILE.bin`; the largest of
/// ElementEmbeddings' twenty is 0.3 MB).
pub const MAX_EMBEDDING_FILE_BYTES: usize = 16 << 20;
/// The matrix `reduce` reads: at most this many rows (the largest map the
/// atlas draws: the whole binary space, 225,879 compositions; samples of
/// ternaries and quaternaries take at most 4 x `sample::MAX_PER_CATEGORY`) ...
pub const MAX_MATRIX_ROWS: usize = 230_000;
/// ... and this many f32 values (1 GiB), which also caps what `embed` writes.
pub const MAX_MATRIX_VALUES: usize = 1 << 28;

/// Why a file could not be read in full.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// More than `limit` bytes.
    TooLarge {
        limit: usize,
    },
    /// More than `limit` lines.
    TooManyLines {
        limit: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read it ({e})"),
            ReadError::TooLarge { limit } => {
                write!(f, "the file is larger than the {limit} bytes accepted")
            }
            ReadError::TooManyLines { limit } => {
                write!(f, "the file has more than the {limit} lines accepted")
            }
        }
    }
}

/// The file's bytes, refusing it as soon as it passes `max_bytes` bytes or
/// `max_lines` lines: no more than the cap plus one is ever read.
pub fn read_capped(
    path: &str,
    max_bytes: usize,
    max_lines: Option<usize>,
) -> Result<Vec<u8>, ReadError> {
    let file = File::open(path).map_err(ReadError::Io)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::with_capacity(size.min(max_bytes as u64 + 1) as usize);
    let mut reader = file.take(max_bytes as u64 + 1);
    let mut chunk = vec![0u8; 1 << 16];
    let mut newlines = 0usize;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() > max_bytes {
            return Err(ReadError::TooLarge { limit: max_bytes });
        }
        if let Some(limit) = max_lines {
            newlines += chunk[..n].iter().filter(|&&b| b == b'\n').count();
            if newlines > limit {
                return Err(ReadError::TooManyLines { limit });
            }
        }
    }
    if let Some(limit) = max_lines {
        let unterminated = usize::from(bytes.last().is_some_and(|&b| b != b'\n'));
        if newlines + unterminated > limit {
            return Err(ReadError::TooManyLines { limit });
        }
    }
    Ok(bytes)
}

/// Raw little-endian f32 values, at most `max_values` of them (the file is
/// refused at the first byte past that), and the count of bytes left over
/// after the last whole value.
pub fn read_f32(path: &str, max_values: usize) -> Result<(Vec<f32>, usize), ReadError> {
    let max_bytes = max_values.saturating_mul(4);
    let file = File::open(path).map_err(ReadError::Io)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut values = Vec::with_capacity((size / 4).min(max_values as u64) as usize);
    let mut reader = file.take(max_bytes as u64 + 1);
    let mut chunk = vec![0u8; 1 << 16];
    // Bytes of a value split across two reads.
    let mut carry = 0usize;
    let mut read = 0usize;
    loop {
        let n = match reader.read(&mut chunk[carry..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::Io(e)),
        };
        read += n;
        if read > max_bytes {
            return Err(ReadError::TooLarge { limit: max_bytes });
        }
        let filled = carry + n;
        let whole = filled / 4 * 4;
        values.extend(
            chunk[..whole]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        chunk.copy_within(whole..filled, 0);
        carry = filled - whole;
    }
    Ok((values, carry))
}

/// A file a command reads or writes, with the flag that named it.
pub struct Named<'a> {
    pub flag: &'a str,
    pub path: &'a str,
}

/// What makes two paths the same file: its device and inode when it exists,
/// otherwise where it would be created.
#[derive(PartialEq, Eq)]
enum FileId {
    /// Device and inode.
    #[cfg(unix)]
    Existing(u64, u64),
    /// The canonical path, where there are no inode numbers (WASI).
    #[cfg(not(unix))]
    ExistingAt(PathBuf),
    ToBeCreated(PathBuf),
}

/// The identity of a regular file or of a file not yet there; `None` for
/// devices, pipes and the like, which writing cannot clobber (/dev/null and
/// /dev/stdout may be named twice).
fn file_id(path: &str) -> Option<FileId> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => existing_id(path, &m),
        Ok(_) => None,
        Err(_) => {
            let p = Path::new(path);
            let parent = match p.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let dir = std::fs::canonicalize(parent).ok()?;
            Some(FileId::ToBeCreated(dir.join(p.file_name()?)))
        }
    }
}

#[cfg(unix)]
fn existing_id(_: &str, m: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some(FileId::Existing(m.dev(), m.ino()))
}

/// Without inode numbers (WASI), the canonical path: links still resolve.
#[cfg(not(unix))]
fn existing_id(path: &str, _: &std::fs::Metadata) -> Option<FileId> {
    std::fs::canonicalize(path).ok().map(FileId::ExistingAt)
}

/// Refuses an output that is the same file as an input (it would be
/// overwritten while, or before, being read) or as another output.
pub fn refuse_overwrites(inputs: &[Named], outputs: &[Named]) -> Result<(), CliError> {
    for (i, out) in outputs.iter().enumerate() {
        let Some(id) = file_id(out.path) else {
            continue;
        };
        // An input that is not there yet cannot be overwritten (reading it
        // will fail with its own message).
        let same = |other: &Named, input: bool| {
            file_id(other.path)
                .is_some_and(|o| o == id && !(input && matches!(o, FileId::ToBeCreated(_))))
        };
        let clash = inputs
            .iter()
            .filter(|n| same(n, true))
            .map(|n| (n, "input"))
            .chain(
                outputs[..i]
                    .iter()
                    .filter(|n| same(n, false))
                    .map(|n| (n, "output")),
            )
            .next();
        if let Some((other, kind)) = clash {
            let how = if other.path == out.path {
                String::new()
            } else {
                format!(" ('{}')", other.path)
            };
            return Err(CliError(format!(
                "{} '{}' is the same file as the {kind} {}{how}; writing it would destroy that {kind}: choose another file",
                out.flag, out.path, other.flag
            )));
        }
    }
    Ok(())
}

/// Ends the program after standard output failed: quietly when its reader
/// has gone, otherwise with the one-line error.
fn stdout_failed(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(BROKEN_PIPE_STATUS);
    }
    CliError(format!("cannot write to standard output: {e}"))
}

/// Writes one line to standard output, checked.
pub fn out(text: &str) -> Result<(), CliError> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"))
        .and_then(|()| stdout.flush())
        .map_err(stdout_failed)
}

/// Standard output for many lines (a listing): buffered, checked, and
/// flushed by [`Lines::finish`].
pub struct Lines(BufWriter<io::StdoutLock<'static>>);

impl Lines {
    pub fn new() -> Lines {
        Lines(BufWriter::with_capacity(1 << 16, io::stdout().lock()))
    }

    pub fn line(&mut self, text: &str) -> Result<(), CliError> {
        self.0
            .write_all(text.as_bytes())
            .and_then(|()| self.0.write_all(b"\n"))
            .map_err(stdout_failed)
    }

    pub fn finish(mut self) -> Result<(), CliError> {
        self.0.flush().map_err(stdout_failed)
    }
}

/// A line to stderr (progress, notes, the final error). Never panics: when
/// stderr itself cannot be written there is nowhere left to say so.
pub fn note(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err
        .write_all(text.as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

/// Writes `bytes` to the file `path` names (for `flag`), checked to the
/// last byte; a regular file left half-written is removed, so no truncated
/// output survives a full disk.
pub fn write_file<B: AsRef<[u8]>>(
    flag: &str,
    path: &str,
    chunks: impl IntoIterator<Item = B>,
) -> Result<(), CliError> {
    let fail = |e: io::Error| {
        let removed = std::fs::metadata(path).is_ok_and(|m| m.is_file())
            && std::fs::remove_file(path).is_ok();
        let removed = if removed {
            "; the partial file was removed"
        } else {
            ""
        };
        CliError(format!("{flag} '{path}': cannot write ({e}){removed}"))
    };
    let file = File::create(path)
        .map_err(|e| CliError(format!("{flag} '{path}': cannot create ({e})")))?;
    let mut writer = BufWriter::with_capacity(1 << 16, file);
    for chunk in chunks {
        writer.write_all(chunk.as_ref()).map_err(fail)?;
    }
    let file = writer.into_inner().map_err(|e| fail(e.into_error()))?;
    // Some file systems report a full disk only when the data reaches them;
    // devices, pipes and WASI hosts may not sync at all, which is no failure.
    match file.sync_all() {
        Err(e) if e.kind() == io::ErrorKind::StorageFull => Err(fail(e)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, bytes: &[u8]) -> String {
        let dir = std::env::temp_dir().join(format!("crystal-atlas-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    }

    #[test]
    fn caps_stop_reading_at_the_first_byte_or_line_past_them() {
        let path = temp("lines.txt", b"a\nb\nc");
        assert_eq!(read_capped(&path, 5, Some(3)).unwrap(), b"a\nb\nc");
        assert!(matches!(
            read_capped(&path, 4, None),
            Err(ReadError::TooLarge { limit: 4 })
        ));
        assert!(matches!(
            read_capped(&path, 100, Some(2)),
            Err(ReadError::TooManyLines { limit: 2 })
        ));
        let path = temp("lines2.txt", b"a\nb\n");
        assert!(read_capped(&path, 100, Some(2)).is_ok());
        // An endless file: only the cap plus one byte is read.
        assert!(matches!(
            read_capped("/dev/zero", 1000, Some(10)),
            Err(ReadError::TooLarge { limit: 1000 })
        ));
        assert!(matches!(
            read_f32("/dev/zero", 1000),
            Err(ReadError::TooLarge { limit: 4000 })
        ));
    }

    #[test]
    fn f32_values_are_read_across_chunk_boundaries() {
        let values: Vec<f32> = (0..40_000).map(|i| i as f32 * 0.5 - 7.0).collect();
        let mut bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        bytes.extend([1, 2, 3]);
        let path = temp("m.f32", &bytes);
        let (back, left) = read_f32(&path, 40_001).unwrap();
        assert_eq!((&back, left), (&values, 3));
        // The three bytes are past a cap of 40,000 values.
        assert!(read_f32(&path, 40_000).is_err());
        bytes.truncate(bytes.len() - 3);
        let path = temp("m2.f32", &bytes);
        assert_eq!(read_f32(&path, 40_000).unwrap(), (values, 0));
        assert!(read_f32(&path, 39_999).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn outputs_that_are_inputs_are_refused_however_named() {
        let input = temp("in.txt", b"ZnO\n");
        let dir = Path::new(&input).parent().unwrap().to_path_buf();
        let n = |flag, path| Named { flag, path };
        let fresh = dir.join("fresh.f32");
        let fresh = fresh.to_str().unwrap();
        assert!(refuse_overwrites(&[n("--formulas", &input)], &[n("--out", fresh)]).is_ok());
        let err = refuse_overwrites(&[n("--formulas", &input)], &[n("--out", &input)])
            .unwrap_err()
            .0;
        assert_eq!(
            err,
            format!(
                "--out '{input}' is the same file as the input --formulas; writing it would destroy that input: choose another file"
            )
        );
        let dotted = format!("{}/./in.txt", dir.display());
        assert!(refuse_overwrites(&[n("--formulas", &input)], &[n("--out", &dotted)]).is_err());
        let link = dir.join("link.txt");
        let hard = dir.join("hard.txt");
        let _ = std::fs::remove_file(&link);
        let _ = std::fs::remove_file(&hard);
        std::os::unix::fs::symlink(&input, &link).unwrap();
        std::fs::hard_link(&input, &hard).unwrap();
        for other in [&link, &hard] {
            let err = refuse_overwrites(
                &[n("--formulas", &input)],
                &[n("--out", other.to_str().unwrap())],
            )
            .unwrap_err()
            .0;
            assert!(err.ends_with(&format!("--formulas ('{input}'); writing it would destroy that input: choose another file")), "{err}");
        }
        // Two outputs to one new file.
        let err = refuse_overwrites(&[], &[n("--out", fresh), n("--kept", fresh)])
            .unwrap_err()
            .0;
        assert!(err.contains("the same file as the output --out"), "{err}");
        // Devices may be named twice.
        assert!(
            refuse_overwrites(
                &[n("--input", "/dev/null")],
                &[n("--out", "/dev/null"), n("--kept", "/dev/null")]
            )
            .is_ok()
        );
    }
}
