//! nushell: a regular file is observed by `ls -D <path>`: `f<size>:<modified>`, the size in
//! bytes and the modification time in nanoseconds since the epoch (negative before it), both
//! as nushell's `into int` prints them.
//!
//! Why not the file's bytes, as bash and zsh compare: nushell has no builtin that reads a
//! bounded prefix. `open --raw f | first 4097` reads through an 8 KiB buffer (one read() of
//! 8192 bytes, seen with strace), which breaks the "never more than 4097 bytes" rule. And why
//! not the inode too: nushell shows it only with `ls -l`, which also looks up the owner and
//! group (reading all of /etc/passwd and /etc/group, or asking LDAP, at every prompt). `ls -D`
//! is one lstat(): it never opens the file, so a 50 MB file costs what a small one does.
//!
//! A stamp misses an edit that keeps the size and lands in the same clock tick as the read the
//! decision was made from (git's "racy" problem). So a file modified less than [`RACY`] before
//! the binary looked (or "in the future") is recorded as `?`, which nushell never produces:
//! the next prompt asks the binary again, until the stamp is old enough to trust. An edit that
//! keeps the size and puts the old modification time back on purpose goes unseen by the glue
//! until the binary runs next (a folder change, a renewal): the glue never activates anything
//! by itself, so what it can miss is only a revocation, and only until then.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// How recent a modification must be for its stamp not to be trusted yet.
pub const RACY: i128 = 2_000_000_000;

pub fn observe(path: &Path, now_nanos: i128) -> Vec<u8> {
    let meta = match super::kind_of(path) {
        Err(kind) => return kind.to_vec(),
        Ok(meta) => meta,
    };
    let Some(mtime) = meta.modified().ok().map(nanos) else {
        return b"?".to_vec();
    };
    if now_nanos - mtime < RACY {
        return b"?".to_vec();
    }
    format!("f{}:{mtime}", meta.len()).into_bytes()
}

/// Nanoseconds since the epoch, as nushell's `$entry.modified | into int` gives them.
fn nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_fresh_file_is_not_trusted_then_is() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, "abc").unwrap();
        let mtime = nanos(std::fs::metadata(&f).unwrap().modified().unwrap());
        assert_eq!(observe(&f, mtime + 1), b"?");
        assert_eq!(observe(&f, mtime - 1), b"?", "modified in the future");
        assert_eq!(
            observe(&f, mtime + RACY),
            format!("f3:{mtime}").into_bytes()
        );
        assert_eq!(observe(&dir.path().join("none"), mtime), b"-");
        assert_eq!(observe(dir.path(), mtime), b"d");
    }

    #[test]
    fn before_the_epoch_is_negative() {
        let t = UNIX_EPOCH - Duration::from_millis(315_619_199_500);
        assert_eq!(nanos(t), -315_619_199_500_000_000);
        assert_eq!(nanos(UNIX_EPOCH + Duration::from_nanos(7)), 7);
    }
}
