//! Reading files the program did not write (inventories, secret files, credential files):
//! regular files only, opened without blocking (a FIFO never hangs us), with a size cap, so a
//! wrong path costs an error message and never memory or a hang.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The path does not exist or cannot be opened.
    #[error("cannot open {path}: {reason}")]
    Open {
        /// The path.
        path: String,
        /// The OS error.
        reason: String,
    },
    /// The path is a directory, FIFO, device or socket.
    #[error("{path} is not a regular file")]
    NotRegular {
        /// The path.
        path: String,
    },
    /// Larger than the cap.
    #[error("{path} is larger than {cap} bytes")]
    TooLarge {
        /// The path.
        path: String,
        /// The cap.
        cap: u64,
    },
    /// Not UTF-8.
    #[error("{path} is not UTF-8 text")]
    NotText {
        /// The path.
        path: String,
    },
}

/// A regular file's text and its permission bits.
#[derive(Debug)]
pub struct Text {
    /// The contents.
    pub text: String,
    /// `st_mode & 0o7777`.
    pub mode: u32,
}

/// Reads the regular file at `path` as UTF-8, refusing anything larger than `cap` bytes.
pub fn read_text(path: &Path, cap: u64) -> Result<Text, FileError> {
    let shown = || path.display().to_string();
    let file: File = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| FileError::Open { path: shown(), reason: e.to_string() })?;
    let meta = file.metadata().map_err(|e| FileError::Open { path: shown(), reason: e.to_string() })?;
    if !meta.is_file() {
        return Err(FileError::NotRegular { path: shown() });
    }
    if meta.len() > cap {
        return Err(FileError::TooLarge { path: shown(), cap });
    }
    let mut buf = Vec::new();
    file.take(cap + 1).read_to_end(&mut buf).map_err(|e| FileError::Open { path: shown(), reason: e.to_string() })?;
    if buf.len() as u64 > cap {
        return Err(FileError::TooLarge { path: shown(), cap });
    }
    let text = String::from_utf8(buf).map_err(|_| FileError::NotText { path: shown() })?;
    Ok(Text { text, mode: meta.mode() & 0o7777 })
}

/// A secret kept in a file: the contents without one trailing newline (`\n` or `\r\n`).
pub fn read_secret(path: &Path) -> Result<String, FileError> {
    let t = read_text(path, 64 * 1024)?;
    let s = t.text.strip_suffix('\n').map(|s| s.strip_suffix('\r').unwrap_or(s)).unwrap_or(&t.text);
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_fifos_directories_and_large_files() {
        let dir = std::env::temp_dir().join(format!("pp-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo has no other preconditions.
        unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
        assert!(matches!(read_text(&fifo, 10), Err(FileError::NotRegular { .. })));
        assert!(matches!(read_text(&dir, 10), Err(FileError::NotRegular { .. })));
        let big = dir.join("big");
        std::fs::write(&big, "x".repeat(11)).unwrap();
        assert!(matches!(read_text(&big, 10), Err(FileError::TooLarge { .. })));
        std::fs::write(&big, "pw\r\n").unwrap();
        assert_eq!(read_secret(&big).unwrap(), "pw");
        std::fs::write(&big, "pw\n\n").unwrap();
        assert_eq!(read_secret(&big).unwrap(), "pw\n");
        let _ = std::fs::remove_dir_all(dir);
    }
}
