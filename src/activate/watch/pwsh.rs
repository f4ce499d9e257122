//! PowerShell: a regular file is observed by one bounded read and the SHA-256 of its bytes.
//!
//! The glue (shell/vault.ps1, `__vault_observe` and `__vault_read`) opens the file with an
//! unbuffered `FileStream`, reads into a 4096-byte array until it is full or the file ends, and
//! records `f<count>:<sha256 of those bytes, lowercase hex>` (`[Convert]::ToHexString` of
//! `SHA256.ComputeHash(buffer, 0, count)`). `f-` when the file cannot be opened or read.
//! Because the binary refuses any `.awsvault` of [`BLOCK`] bytes or more, and reads at most
//! [`BLOCK`] bytes of a trust record, that string decides everything the binary decides from
//! the file, with no clock involved (no racy window, no 2-second FAT timestamps, no mtime an
//! attacker can set back), and the same on Windows, where .NET has no inode to offer.
//!
//! The type comes first, as for every style: `l` (.NET `LinkTarget` is set: a symlink, or on
//! Windows a junction), `d`, `-`, and on Unix `o` for what PowerShell's `UnixMode` does not
//! start with `-` (a fifo is never opened: it would block the prompt). A path that is not
//! UTF-8 cannot be named by .NET: it is recorded as `?`, which the glue never computes, so the
//! next prompt asks the binary again.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::posix::{BLOCK, read_head};

pub fn observe(path: &Path) -> Vec<u8> {
    if path.to_str().is_none() {
        return b"?".to_vec();
    }
    if let Err(kind) = super::kind_of(path) {
        return kind.to_vec();
    }
    // PowerShell's Get-Item, which tells the glue a regular file from a fifo on Unix, reads a
    // backslash as a separator: the glue does not look at such a file, nor does this.
    if cfg!(unix) && path.as_os_str().as_encoded_bytes().contains(&b'\\') {
        return b"?".to_vec();
    }
    match read_head(path, BLOCK) {
        Ok(head) => of_bytes(&head),
        Err(_) => b"f-".to_vec(),
    }
}

/// The observation of a regular file whose first bytes (at most BLOCK) are `head`.
pub fn of_bytes(head: &[u8]) -> Vec<u8> {
    format!("f{}:{}", head.len(), hex::encode(Sha256::digest(head))).into_bytes()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // FIPS 180-2 test vectors: what .NET's SHA256 returns for the same bytes.
        assert_eq!(
            of_bytes(b""),
            b"f0:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            of_bytes(b"abc"),
            b"f3:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn every_kind_of_path() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        assert_eq!(observe(&p.join("none")), b"-");
        assert_eq!(observe(p), b"d");
        std::os::unix::fs::symlink(p.join("none"), p.join("dangling")).unwrap();
        assert_eq!(observe(&p.join("dangling")), b"l");
        std::fs::write(p.join("f"), "profile = \"a\"\n").unwrap();
        assert_eq!(observe(&p.join("f")), of_bytes(b"profile = \"a\"\n"));
        let fifo = p.join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(observe(&fifo), b"o", "a fifo is never opened");
        std::fs::write(p.join("back\\slash"), "x").unwrap();
        assert_eq!(observe(&p.join("back\\slash")), b"?");
        std::fs::create_dir(p.join("dir\\slash")).unwrap();
        assert_eq!(observe(&p.join("dir\\slash")), b"d");
    }

    #[test]
    fn a_large_file_costs_one_block() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        let mut head = vec![b'a'; BLOCK];
        head[BLOCK - 1] = b'z';
        std::fs::write(&big, &head).unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(&big).unwrap();
        file.set_len(50 << 20).unwrap();
        assert_eq!(observe(&big), of_bytes(&head));
        assert!(observe(&big).starts_with(b"f4096:"));
        // One byte short of a block is the whole file: f4095, refused by neither rule.
        std::fs::write(&big, &head[..BLOCK - 1]).unwrap();
        assert!(observe(&big).starts_with(b"f4095:"));
    }

    #[test]
    fn unreadable_and_unnameable() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let bad = dir
            .path()
            .join(std::ffi::OsStr::from_bytes(b"\xff.awsvault"));
        std::fs::write(&bad, "x").unwrap();
        assert_eq!(observe(&bad), b"?");
        let locked = dir.path().join("locked");
        std::fs::write(&locked, "x").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        // root reads anything: only meaningful for a normal user.
        if std::fs::File::open(&locked).is_err() {
            assert_eq!(observe(&locked), b"f-");
        }
    }
}
