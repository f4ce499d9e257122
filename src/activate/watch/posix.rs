//! bash and zsh: a regular file is observed by one bounded read (fish has its own, fish.rs).
//!
//! The glue reads at most [`BLOCK`] bytes, stopping at the first NUL (bash cannot hold a NUL
//! in a variable), and records whether the read ended early (`f1`: end of file) or not (`f0`:
//! a NUL, or a full block). Because the binary refuses any `.awsvault` of `BLOCK` bytes or
//! more and any file with a NUL, that string decides everything the binary decides from the
//! file: for an acceptable file it is the whole content. bash's `read -n` pulls one block of
//! 4096 bytes from the kernel for this, so no shell ever reads more than 4096 bytes.

use std::io::Read;
use std::path::Path;

/// The most bytes a shell reads from a watched file.
pub const BLOCK: usize = 4096;

pub fn observe(path: &Path) -> Vec<u8> {
    if let Err(kind) = super::kind_of(path) {
        return kind.to_vec();
    }
    // A file the shell cannot open reads as empty and ended: `f1`.
    of_bytes(&read_head(path, BLOCK).unwrap_or_default())
}

/// At most `limit` bytes from the start of `path`, opened as [`open_regular`] opens it.
pub fn read_head(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(limit);
    open_regular(path)?
        .take(limit as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The observation of a regular file whose first bytes (at most BLOCK) are `head`.
pub fn of_bytes(head: &[u8]) -> Vec<u8> {
    let (ended, text) = match head.iter().position(|&b| b == 0) {
        Some(nul) => (false, &head[..nul]),
        None => (head.len() < BLOCK, head),
    };
    let mut seen = if ended {
        b"f1".to_vec()
    } else {
        b"f0".to_vec()
    };
    seen.extend_from_slice(text);
    seen
}

/// Open without following a symlink and without blocking on a FIFO swapped in meanwhile.
#[cfg(unix)]
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_observations() {
        assert_eq!(of_bytes(b""), b"f1");
        assert_eq!(of_bytes(b"profile = \"a\"\n"), b"f1profile = \"a\"\n");
        assert_eq!(
            of_bytes(b"ab\0cd"),
            b"f0ab",
            "cut at the first NUL, not ended"
        );
        let full = vec![b'x'; BLOCK];
        assert_eq!(of_bytes(&full)[..2], *b"f0", "a full block is not the end");
        assert_eq!(of_bytes(&full[..BLOCK - 1])[..2], *b"f1");
    }

    #[test]
    fn reads_one_block_of_a_large_file() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 3 * BLOCK]).unwrap();
        let seen = observe(&big);
        assert_eq!(seen.len(), 2 + BLOCK);
        assert!(seen.starts_with(b"f0"));
    }
}
