//! fish: a regular file is observed by two `read`s in the C locale.
//!
//! fish's `read -n N` counts characters and takes one byte per read(2). In a UTF-8 locale it
//! also drops bytes that are not UTF-8 without counting them, so a file of 50 MB of 0xff would
//! be read to its end. The glue therefore reads in the C locale (`set -lx LC_ALL C` with
//! `fish_allow_singlebyte_locale`, or fish switches back to UTF-8), where a character is a
//! byte and byte `b` becomes the character U+00`b`: `read -z -n 4096` takes the bytes up to the
//! first NUL within 4096 (and the NUL), then `read -z -n 1` tells whether one more byte
//! follows. That is at most 4097 bytes.
//!
//! The observation is `f`, then `0` if that one more byte exists or `1` if not, then the text as
//! the characters U+0000..U+00FF, written in UTF-8 so that `source` (in fish's UTF-8 locale)
//! reads back the same characters the C-locale `read` produced.
//!
//! `read` does not say whether it stopped at a NUL or at the end of the file, so one pair of
//! contents looks the same: a file and that file with a single NUL appended as its last byte.
//! The binary refuses any file with a NUL, so the only effect is that such an append to an
//! allowed file is noticed at the next decision (a new folder, or any other change) instead of
//! at once; every other change of the first 4096 bytes is seen at the next prompt.

use std::path::Path;

/// The most bytes the first `read` takes (the second takes at most one more).
use super::posix::BLOCK;

pub fn observe(path: &Path) -> Vec<u8> {
    if let Err(kind) = super::kind_of(path) {
        return kind.to_vec();
    }
    // The glue does not read a file it may not read (`test -r`): `f1`, as for an empty file.
    of_bytes(&super::posix::read_head(path, BLOCK + 1).unwrap_or_default())
}

/// The observation of a regular file whose first bytes (at most BLOCK + 1) are `head`.
pub fn of_bytes(head: &[u8]) -> Vec<u8> {
    let window = &head[..head.len().min(BLOCK)];
    // The first read ends after the NUL, or after BLOCK bytes; the second takes the next byte.
    let (consumed, text) = match window.iter().position(|&b| b == 0) {
        Some(nul) => (nul + 1, &window[..nul]),
        None => (window.len(), window),
    };
    let more = head.len() > consumed;
    let mut seen = if more { b"f0".to_vec() } else { b"f1".to_vec() };
    // Byte b is the character U+00b (Latin-1), in UTF-8.
    let text: String = text.iter().map(|&b| char::from(b)).collect();
    seen.extend_from_slice(text.as_bytes());
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_observations() {
        assert_eq!(of_bytes(b""), b"f1");
        assert_eq!(of_bytes(b"profile = \"a\"\n"), b"f1profile = \"a\"\n");
        assert_eq!(of_bytes(b"ab\0cd"), b"f0ab", "cut at the NUL, more follows");
        assert_eq!(of_bytes(b"ab\0\0"), b"f0ab");
        // What `read` cannot tell apart: a NUL as the very last byte.
        assert_eq!(of_bytes(b"ab\0"), of_bytes(b"ab"));
        let full = vec![b'x'; BLOCK + 1];
        assert_eq!(of_bytes(&full)[..2], *b"f0", "more than a block");
        assert_eq!(of_bytes(&full).len(), 2 + BLOCK);
        assert_eq!(of_bytes(&full[..BLOCK])[..2], *b"f1", "exactly a block");
        assert_eq!(of_bytes(&full[..BLOCK - 1])[..2], *b"f1");
        let mut nul_after_block = full[..BLOCK].to_vec();
        nul_after_block.push(0);
        assert_eq!(of_bytes(&nul_after_block), of_bytes(&full));
        // A NUL at the last place of the block: the one byte after it decides.
        let mut edge = vec![b'x'; BLOCK - 1];
        edge.push(0);
        assert_eq!(of_bytes(&edge)[..2], *b"f1");
        edge.push(b'y');
        assert_eq!(of_bytes(&edge)[..2], *b"f0");
    }

    #[test]
    fn bytes_are_latin1_characters() {
        assert_eq!(of_bytes("é".as_bytes()), "f1\u{c3}\u{a9}".as_bytes());
        assert_eq!(of_bytes(b"\xff\x80"), "f1\u{ff}\u{80}".as_bytes());
    }

    #[test]
    fn reads_one_block_and_a_byte_of_a_large_file() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; 3 * BLOCK]).unwrap();
        let seen = observe(&big);
        assert_eq!(seen.len(), 2 + BLOCK);
        assert!(seen.starts_with(b"f0"));
        assert_eq!(observe(&dir.path().join("none")), b"-");
    }
}
